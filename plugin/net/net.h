/*
 * The network half of the AskUI provider, as seen from the provider.
 *
 * Linking libcurl costs every process a few milliseconds at start-up, and a
 * cache hit must not pay that. So everything that talks to a server lives in
 * a separate module, askcred_askui_net.so, installed next to the provider
 * and loaded only when a server must be reached (see netload.h). The module
 * exports one symbol, askcred_net_entry(), returning the table below.
 *
 * Versioning follows provider.h: NET_OPS_VERSION packs (major << 16) |
 * minor, a different major is refused, minors only append members, and
 * struct_size comes first in every struct that crosses the boundary.
 *
 * Ownership: inputs are borrowed for the call. A token_record filled by the
 * module owns its token (struct secret); the caller wipes it with
 * record_clear(). Lists and documents are freed with the matching *_free
 * operation. Errors are text only and never contain a secret.
 *
 * Threads: a client may be shared by several threads. It keeps one
 * libcurl handle (and so its open connections) for reuse; a request that
 * finds it busy uses a private handle instead of waiting. After fork() a
 * child never reuses its parent's connections.
 */
#ifndef ASKCRED_PLUGIN_NET_NET_H
#define ASKCRED_PLUGIN_NET_NET_H

#include <stddef.h>
#include <stdint.h>

#include <askcred/provider.h>

/* By path, so the provider needs no -I for plugin/net/. */
#include "../base/record.h"
#include "secret.h"

#define NET_OPS_MAJOR 1u
#define NET_OPS_MINOR 0u
#define NET_OPS_VERSION ((NET_OPS_MAJOR << 16) | NET_OPS_MINOR)
#define NET_ENTRY_SYMBOL "askcred_net_entry"
#define NET_MODULE_NAME "askcred_askui_net.so"

#define NET_DEFAULT_BASE_URL "https://workspaces.askui.com/api/v1"
#define NET_DEFAULT_CONNECT_TIMEOUT_MS 10000u
#define NET_DEFAULT_TIMEOUT_MS 30000u
#define NET_DEFAULT_LOW_SPEED_LIMIT 64u /* bytes per second ... */
#define NET_DEFAULT_LOW_SPEED_TIME 15u	/* ... sustained this many seconds */
#define NET_DEFAULT_MAX_RESPONSE ((size_t)1 << 20)
#define NET_DEFAULT_MAX_ATTEMPTS 4u
#define NET_DEFAULT_RETRY_BASE_MS 500u
#define NET_MAX_ATTEMPTS_LIMIT 10u

/* Token names: 1..128 characters (UTF-8, so up to 4 bytes each). */
#define NET_NAME_MAX_CHARS 128
#define NET_NAME_MAX_BYTES (4 * NET_NAME_MAX_CHARS)
#define NET_ETAG_MAX 256

/*
 * How to reach servers. Zero / NULL members mean the default above.
 * timeout_ms bounds a whole call, retries and their waits included, so a
 * caller knows the worst case it can be blocked for.
 */
struct net_config {
	uint32_t struct_size;
	const char *base_url; /* Workspaces API base, https:// only */
	const char *ca_file;  /* the only CAs trusted; NULL: system store */
	const char *proxy;    /* NULL: libcurl's environment; "": none */
	uint32_t connect_timeout_ms;
	uint32_t timeout_ms;
	uint32_t low_speed_limit; /* abort below this many bytes/s ... */
	uint32_t low_speed_time;  /* ... for this many seconds */
	size_t max_response;	  /* bytes; larger answers are refused */
	uint32_t max_attempts;	  /* 1: no retry */
	uint32_t retry_base_ms;	  /* first backoff step, doubled each time */
	/* Where the module logs retries (never a secret). May be NULL. */
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
	/* ---- end of net ops 1.0 ---- */
};

/* In token_record.flags after a failed token_create: a token was created
 * (see token_create). Never set on a record that holds a token. */
#define NET_REC_CREATED 0x80000000u

/* One entry of the token list (no secret in it). */
struct net_token_info {
	char id[ASKCRED_UUID_LEN + 1];
	char name[NET_NAME_MAX_BYTES + 1];
	int64_t created_at; /* Unix seconds */
	int64_t expires_at; /* Unix seconds; 0: never */
};

/* An organisation's credential broker (docs/broker-protocol.md). The client
 * authenticates with a bearer token read from bearer_file, or with a TLS
 * client certificate (client_cert + client_key, PEM files), or both. */
struct net_broker {
	uint32_t struct_size;
	const char *url;	 /* https:// only */
	const char *bearer_file; /* mode 0600, owned by us or root; or NULL */
	const char *client_cert; /* or NULL */
	const char *client_key;	 /* mode 0600; required with client_cert */
				 /* ---- end of net ops 1.0 ---- */
};

/* A document fetched with get_document(). */
struct net_doc {
	long status; /* 200, or 304 (not modified: no body) */
	char *body;  /* len bytes + NUL; NULL on 304 */
	size_t len;
	char etag[NET_ETAG_MAX]; /* "" when the server sent none */
};

struct net_client; /* opaque: one connection cache and its settings */

struct net_ops {
	uint32_t struct_size;
	uint32_t version; /* NET_OPS_VERSION the module was built for */
	/* sizeof(struct token_record) and sizeof(struct net_token_info) as
	 * the module sees them: both are plugin-internal structs filled
	 * across the boundary, so a module built from another tree's
	 * record.h is refused instead of corrupting memory. */
	uint32_t record_size;
	uint32_t token_info_size;

	/* Check cfg (https only, no setting that weakens TLS) and make a
	 * client. *out is the caller's, freed with client_free(). */
	askcred_status (*client_new)(const struct net_config *cfg,
				     struct net_client **out,
				     struct askcred_error *err);
	void (*client_free)(struct net_client *client);

	/* POST /workspaces/{ws}/access-tokens, authenticated with auth (the
	 * parent credential). expires_at 0 asks for a token that never
	 * expires. On success out holds the new token, its id and times, and
	 * source "mint". When the server answered 201 with a body that
	 * cannot be used, the token exists all the same: the call fails, and
	 * out holds only NET_REC_CREATED in flags and the token's id when
	 * the answer had a readable one ("" otherwise), so that the caller
	 * can delete it. */
	askcred_status (*token_create)(struct net_client *client,
				       const char *workspace_id,
				       const struct secret *auth,
				       const char *name, int64_t expires_at,
				       struct token_record *out,
				       struct askcred_error *err);
	/* GET /workspaces/{ws}/access-tokens. *out (n entries) is the
	 * caller's, freed with token_list_free(). */
	askcred_status (*token_list)(struct net_client *client,
				     const char *workspace_id,
				     const struct secret *auth,
				     struct net_token_info **out, size_t *n,
				     struct askcred_error *err);
	void (*token_list_free)(struct net_token_info *list);
	/* DELETE /workspaces/{ws}/access-tokens/{id}: ASKCRED_OK, or
	 * ASKCRED_NOT_FOUND when the server does not know the id. */
	askcred_status (*token_delete)(struct net_client *client,
				       const char *workspace_id,
				       const struct secret *auth,
				       const char *token_id,
				       struct askcred_error *err);
	/* POST /workspaces/{ws}/access-tokens/lookup: does token exist in the
	 * workspace? ASKCRED_OK with its id, ASKCRED_NOT_FOUND, or
	 * ASKCRED_INVALID when auth is refused (401/403). auth may be the
	 * token itself. */
	askcred_status (*token_lookup)(struct net_client *client,
				       const char *workspace_id,
				       const struct secret *auth,
				       const struct secret *token,
				       char id_out[ASKCRED_UUID_LEN + 1],
				       struct askcred_error *err);
	/* GET the broker URL; out gets the credential, source "broker". */
	askcred_status (*broker_fetch)(struct net_client *client,
				       const struct net_broker *broker,
				       struct token_record *out,
				       struct askcred_error *err);
	/* GET any https URL (the policy document), sending If-None-Match
	 * when etag is not NULL or empty. out->status tells 200 from 304.
	 * out is the caller's, released with doc_free(). */
	askcred_status (*get_document)(struct net_client *client,
				       const char *url, const char *etag,
				       struct net_doc *out,
				       struct askcred_error *err);
	void (*doc_free)(struct net_doc *doc);
	/* The latest Unix time before which the server asked, with
	 * Retry-After (429, 503 ...), not to be called again by any call of
	 * client; 0 when it never did. For the outage-grace schedule kept in
	 * the cache after a call failed as ASKCRED_UNAVAILABLE. Thread-safe. */
	int64_t (*retry_not_before)(struct net_client *client);
	/* ---- end of net ops 1.0 ---- */
};

/* The module's entry point: the static table, or NULL for a caller of
 * another major. Allocates nothing. */
typedef const struct net_ops *(*net_entry_fn)(uint32_t caller_version);
const struct net_ops *askcred_net_entry(uint32_t caller_version);

#endif
