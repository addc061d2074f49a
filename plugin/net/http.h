/*
 * The one HTTPS client of the network module: libcurl with safe defaults
 * chosen in one place (http.c), retries with backoff, and the mapping of
 * HTTP statuses to askcred statuses. Internal to the module; askui_api.c,
 * broker.c and the tests build on it.
 */
#ifndef ASKCRED_PLUGIN_NET_HTTP_H
#define ASKCRED_PLUGIN_NET_HTTP_H

#include <stddef.h>

#include "net.h"

enum http_auth {
	HTTP_AUTH_NONE = 0,
	HTTP_AUTH_BASIC,  /* "Basic base64(secret)", as AskUI's clients do */
	HTTP_AUTH_BEARER, /* "Bearer secret" (brokers) */
};

/* One request. Everything is borrowed for the call. body may hold a
 * secret: it is never logged or copied into an error. */
struct http_request {
	const char *method; /* "GET", "POST", "DELETE" */
	const char *url;    /* absolute, https:// */
	enum http_auth auth;
	const struct secret *secret; /* for auth; NULL with HTTP_AUTH_NONE */
	const char *body;	     /* JSON, or NULL */
	size_t body_len;
	const struct secret *body_secret; /* a secret inside body, or NULL */
	const char *if_none_match;	  /* ETag, or NULL */
	const char *client_cert; /* PEM paths for TLS client auth, or NULL */
	const char *client_key;
};

#define HTTP_DETAIL_MAX 200
#define HTTP_LOCATION_MAX 200

/* The final answer. body may hold a token: http_response_clear() wipes
 * it. */
struct http_response {
	long status;
	char *body; /* len bytes + NUL, never NULL after success */
	size_t len;
	size_t cap;
	char etag[NET_ETAG_MAX];
	char location[HTTP_LOCATION_MAX]; /* of a redirect, for the message */
	char detail[HTTP_DETAIL_MAX];	  /* AskUI's "detail", sanitised */
	unsigned attempts;		  /* how many requests it took */
	long retry_after; /* seconds the last answer's Retry-After asked */
};

/* Check cfg and make a client (net_ops.client_new). */
askcred_status http_client_new(const struct net_config *cfg,
			       struct net_client **out,
			       struct askcred_error *err);
void http_client_free(struct net_client *client);

/* The API base URL without a trailing slash (borrowed from the client). */
const char *http_base_url(const struct net_client *client);

/* Refuse anything but an absolute https URL without user:password.
 * what names the setting for the message ("base_url"). */
askcred_status http_check_url(const char *url, const char *what,
			      struct askcred_error *err);

/* Send req, retrying transient failures (408, 429, 500, 502, 503, 504 and
 * connection errors, timeouts included) with jittered exponential backoff
 * or as Retry-After says, within the client's attempt count and time
 * budget. A server certificate that fails verification is never retried:
 * ASKCRED_CONFIG_ERROR naming ca_file=. Returns ASKCRED_OK when an HTTP
 * answer came (whatever its status: see http_check_status) and fills resp,
 * which the caller clears. */
askcred_status http_perform(struct net_client *client,
			    const struct http_request *req,
			    struct http_response *resp,
			    struct askcred_error *err);

/* The latest Unix time before which a server asked, with Retry-After on a
 * 408, 429 or 5xx, not to be called again by any call of client; 0 when
 * none did. Only moves forward; a time in the past means nothing more.
 * Thread-safe (net_ops.retry_not_before). */
int64_t http_retry_not_before(struct net_client *client);

/* ASKCRED_OK when resp->status == want; otherwise the askcred status for
 * that HTTP status, with where = "HTTP nnn" and AskUI's detail in the
 * message: 401/403 INVALID, 404 NOT_FOUND, 408/429/5xx UNAVAILABLE, a
 * redirect or another 4xx CONFIG_ERROR. what names the call. */
askcred_status http_check_status(const struct http_response *resp, long want,
				 const char *what, struct askcred_error *err);

/* Wipe and free the body; resp can be reused. */
void http_response_clear(struct http_response *resp);

/* Extract AskUI's error detail ({"detail": "text"} or {"detail": [{"loc",
 * "msg"}]}) as one printable line. Any part that quotes one of the n
 * secrets is withheld. Exposed for the tests. */
void http_error_detail(const char *body, size_t len,
		       const struct secret *const *secrets, size_t n,
		       char out[HTTP_DETAIL_MAX]);

/* If text quotes one of the n secrets (as is, or base64 as in an echoed
 * Authorization header), replace it with a notice and return 1. */
int http_withhold(char *text, size_t size, const struct secret *const *secrets,
		  size_t n);

/* Build "Authorization: Basic <base64(secret)>" (or Bearer) into a new
 * buffer, *out_len bytes + NUL; free it with free_wiped(*out, *out_len +
 * 1). Exposed for the tests. */
askcred_status http_auth_header(enum http_auth auth,
				const struct secret *secret, char **out,
				size_t *out_len, struct askcred_error *err);

#endif
