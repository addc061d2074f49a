/*
 * The broker source's one call: GET an organisation's credential endpoint
 * (docs/broker-protocol.md) and read the credential it answers with.
 */
#ifndef ASKCRED_PLUGIN_NET_BROKER_H
#define ASKCRED_PLUGIN_NET_BROKER_H

#include "net.h"

/* net_ops.broker_fetch. */
askcred_status broker_fetch(struct net_client *client,
			    const struct net_broker *broker,
			    struct token_record *out,
			    struct askcred_error *err);

/* Parse the broker's 200 answer into out (source "broker"); now is the
 * current Unix time, to refuse a token that has already expired. */
askcred_status broker_parse(const char *body, size_t len, int64_t now,
			    struct token_record *out,
			    struct askcred_error *err);

#endif
