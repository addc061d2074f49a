/* Conditional GET of a document (net_ops.get_document / doc_free). */
#ifndef ASKCRED_PLUGIN_NET_DOCUMENT_H
#define ASKCRED_PLUGIN_NET_DOCUMENT_H

#include "net.h"

askcred_status doc_get(struct net_client *client, const char *url,
		       const char *etag, struct net_doc *out,
		       struct askcred_error *err);
void doc_free(struct net_doc *doc);

#endif
