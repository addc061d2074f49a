/* Inside the HTTPS client: the client object, shared by http_client.c
 * (settings, safe defaults) and http.c (requests, retries). */
#ifndef ASKCRED_PLUGIN_NET_HTTP_INT_H
#define ASKCRED_PLUGIN_NET_HTTP_INT_H

#include <pthread.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "http.h"

struct net_client {
	pthread_mutex_t lock; /* guards easy */
	CURL *easy;	      /* kept for connection reuse, by owner_pid only */
	pid_t owner_pid;
	char *base_url;
	char *ca_file;
	char *proxy; /* NULL: libcurl's environment; "": none */
	uint32_t connect_timeout_ms;
	uint32_t timeout_ms;
	uint32_t low_speed_limit;
	uint32_t low_speed_time;
	size_t max_response;
	uint32_t max_attempts;
	uint32_t retry_base_ms;
	int64_t retry_not_before; /* http.c's note_retry_after(), atomic */
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
};

/* Log one line through the caller's callback (never a secret). */
void client_log(const struct net_client *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set the safe defaults on h (after curl_easy_reset, before each
 * attempt): https only, verification on, TLS 1.2+, no redirects, timeouts
 * within budget_ms, the size cap. errbuf has CURL_ERROR_SIZE bytes. */
CURLcode apply_defaults(CURL *h, const struct net_client *c, int64_t budget_ms,
			char *errbuf);

#endif
