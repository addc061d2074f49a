/*
 * The entry point of askcred_askui_net.so: its only exported symbol. The
 * table is static and const, so loading the module allocates nothing and
 * the entry may be called any number of times.
 */
#include "config.h"

#include "askui_api.h"
#include "broker.h"
#include "document.h"
#include "http.h"
#include "net.h"

static const struct net_ops ops = {
	.struct_size = sizeof(struct net_ops),
	.version = NET_OPS_VERSION,
	.record_size = sizeof(struct token_record),
	.token_info_size = sizeof(struct net_token_info),
	.client_new = http_client_new,
	.client_free = http_client_free,
	.token_create = api_token_create,
	.token_list = api_token_list,
	.token_list_free = api_token_list_free,
	.token_delete = api_token_delete,
	.token_lookup = api_token_lookup,
	.broker_fetch = broker_fetch,
	.get_document = doc_get,
	.doc_free = doc_free,
	.retry_not_before = http_retry_not_before,
};

ASKCRED_PROVIDER_EXPORT const struct net_ops *
askcred_net_entry(uint32_t caller_version)
{
	if ((caller_version >> 16) != NET_OPS_MAJOR)
		return NULL;
	return &ops;
}
