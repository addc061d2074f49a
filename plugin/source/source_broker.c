/* The broker source: the organisation's own HTTPS endpoint hands out the
 * credential (docs/broker-protocol.md). The request itself lives in the net
 * module (plugin/net/broker.c); this file maps the module arguments onto it
 * and judges the answer like any other source's.
 *
 * The broker owns the tokens it hands out, so we never revoke them. */
#include "config.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include "error.h"
#include "expiry.h"
#include "log.h"
#include "plugin_config.h"
#include "remote.h"
#include "source.h"

static askcred_status broker_source_fetch(const struct source_ctx *sc,
					  const struct askcred_request *req,
					  struct token_record *out,
					  struct askcred_error *err)
{
	const struct plugin_config *cfg = sc->cfg;
	const struct net_ops *ops;
	struct net_client *client;
	askcred_status rc;

	/* Checked here rather than at open(): an unused argument is not an
	 * error, and the message should name what is missing. */
	if (cfg->broker_url == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "broker_url",
			       "source=broker needs broker_url=https://...");
	rc = remote_get(sc->net, &ops, &client, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = ops->broker_fetch(
		client,
		&(struct net_broker){.struct_size = sizeof(struct net_broker),
				     .url = cfg->broker_url,
				     .bearer_file = cfg->broker_token_file,
				     .client_cert = cfg->broker_cert,
				     .client_key = cfg->broker_key},
		out, err);
	if (rc != ASKCRED_OK)
		return rc;
	return source_accept(req, out, "broker_url", err);
}

static askcred_status
broker_source_revoke(const struct source_ctx *sc,
		     const struct askcred_credential *cred,
		     struct askcred_error *err)
{
	char fp[FINGERPRINT_LEN];

	fingerprint(cred->token, cred->token_len, fp);
	plog(sc->log, ASKCRED_LOG_NOTICE,
	     "broker source does not revoke token %s: the broker owns it", fp);
	return err_set(err, ASKCRED_IGNORE, "source",
		       "tokens from a broker are revoked by the broker, not "
		       "by askcred");
}

const struct source_ops source_broker = {
	.name = "broker",
	.disk_cache = 1,
	.fetch = broker_source_fetch,
	.validate = source_validate,
	.revoke = broker_source_revoke,
};
