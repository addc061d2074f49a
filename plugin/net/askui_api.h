/*
 * AskUI Workspaces API: the four access-token calls (see net.h for what
 * each does and who owns what). The parsers are separate so tests can feed
 * them answers directly.
 */
#ifndef ASKCRED_PLUGIN_NET_ASKUI_API_H
#define ASKCRED_PLUGIN_NET_ASKUI_API_H

#include "net.h"

askcred_status api_token_create(struct net_client *client,
				const char *workspace_id,
				const struct secret *auth, const char *name,
				int64_t expires_at, struct token_record *out,
				struct askcred_error *err);
askcred_status api_token_list(struct net_client *client,
			      const char *workspace_id,
			      const struct secret *auth,
			      struct net_token_info **out, size_t *n,
			      struct askcred_error *err);
void api_token_list_free(struct net_token_info *list);
askcred_status api_token_delete(struct net_client *client,
				const char *workspace_id,
				const struct secret *auth, const char *token_id,
				struct askcred_error *err);
askcred_status
api_token_lookup(struct net_client *client, const char *workspace_id,
		 const struct secret *auth, const struct secret *token,
		 char id_out[ASKCRED_UUID_LEN + 1], struct askcred_error *err);

/* A token name: 1..128 characters of valid UTF-8, no control characters. */
askcred_status api_check_name(const char *name, struct askcred_error *err);

/* Parse a 201 answer to the create call into out (source "mint"). */
askcred_status api_parse_created(const char *body, size_t len,
				 const char *workspace_id,
				 struct token_record *out,
				 struct askcred_error *err);
/* Parse a 200 answer to the list call. */
askcred_status api_parse_list(const char *body, size_t len,
			      struct net_token_info **out, size_t *n,
			      struct askcred_error *err);
/* Parse a 200 answer to the lookup call. */
askcred_status api_parse_lookup(const char *body, size_t len,
				char id_out[ASKCRED_UUID_LEN + 1],
				struct askcred_error *err);

/* The most list entries we accept (a workspace with more is refused). */
#define API_LIST_MAX 10000

#endif
