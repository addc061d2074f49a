/*
 * The client object and the safe defaults: every libcurl option that
 * matters for safety is set in apply_defaults() and nowhere else.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "error.h"
#include "http_int.h"
#include "text.h"

/*
 * curl_global_init() once per process. We are a library inside someone
 * else's process: with CURL_VERSION_THREADSAFE (libcurl >= 7.84) the call
 * is safe against the host's own, otherwise pthread_once at least keeps our
 * threads from racing. We never call curl_global_cleanup() (the module is
 * never unloaded, and the host may still use libcurl) nor OPENSSL_cleanup()
 * (it would break every later OpenSSL user in the process).
 */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;
static int curl_threadsafe;

static void curl_init_once(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	curl_threadsafe = v != NULL && (v->features & CURL_VERSION_THREADSAFE);
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void client_log(const struct net_client *c, int level, const char *fmt, ...)
{
	char line[ASKCRED_ERROR_MESSAGE_MAX];
	va_list ap;

	if (c->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->log(c->log_ctx, level, line);
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v != 0 ? v : def;
}

askcred_status http_client_new(const struct net_config *cfg,
			       struct net_client **out,
			       struct askcred_error *err)
{
	struct net_client *c = NULL;
	const char *base;
	const char *keylog = getenv("SSLKEYLOGFILE");
	struct stat st;
	askcred_status rc;
	int oom = 0;
	size_t n;

	*out = NULL;
	if (cfg == NULL || cfg->struct_size < sizeof(*cfg))
		return err_set(err, ASKCRED_INTERNAL, "net_config",
			       "network settings from an incompatible caller");
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK)
		return err_set(err, ASKCRED_INTERNAL, "libcurl",
			       "curl_global_init failed: %s",
			       curl_easy_strerror(curl_init_rc));
	/* libcurl would write the TLS session keys there, which lets anyone
	 * who reads the file decrypt the traffic, tokens included. */
	if (keylog != NULL && *keylog != '\0')
		return err_set(err, ASKCRED_CONFIG_ERROR, "SSLKEYLOGFILE",
			       "SSLKEYLOGFILE is set; it would record TLS "
			       "session keys, so askcred refuses to connect "
			       "(unset it)");
	base = cfg->base_url != NULL ? cfg->base_url : NET_DEFAULT_BASE_URL;
	rc = http_check_url(base, "base_url", err);
	if (rc != ASKCRED_OK)
		return rc;
	if (cfg->ca_file != NULL &&
	    (stat(cfg->ca_file, &st) != 0 || !S_ISREG(st.st_mode)))
		return err_set(err, ASKCRED_CONFIG_ERROR, cfg->ca_file,
			       "CA file is not a readable regular file");
	for (const char *p = cfg->proxy; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return err_set(err, ASKCRED_CONFIG_ERROR, "proxy",
				       "proxy URL contains white space or a "
				       "control character");
	if (cfg->max_attempts > NET_MAX_ATTEMPTS_LIMIT)
		return err_set(err, ASKCRED_CONFIG_ERROR, "max_attempts",
			       "at most %u attempts are allowed",
			       NET_MAX_ATTEMPTS_LIMIT);
	if (cfg->timeout_ms > 600000u)
		return err_set(err, ASKCRED_CONFIG_ERROR, "timeout",
			       "a call may take at most 10 minutes");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return err_set(err, ASKCRED_INTERNAL, NULL,
			       "cannot create a mutex");
	}
	c->owner_pid = getpid();
	c->base_url = dup_or_null(base, &oom);
	c->ca_file = dup_or_null(cfg->ca_file, &oom);
	c->proxy = dup_or_null(cfg->proxy, &oom);
	if (oom) {
		http_client_free(c);
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	}
	n = strlen(c->base_url);
	while (n > 0 && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	c->connect_timeout_ms = or_default(cfg->connect_timeout_ms,
					   NET_DEFAULT_CONNECT_TIMEOUT_MS);
	c->timeout_ms = or_default(cfg->timeout_ms, NET_DEFAULT_TIMEOUT_MS);
	c->low_speed_limit =
		or_default(cfg->low_speed_limit, NET_DEFAULT_LOW_SPEED_LIMIT);
	c->low_speed_time =
		or_default(cfg->low_speed_time, NET_DEFAULT_LOW_SPEED_TIME);
	c->max_response = cfg->max_response != 0 ? cfg->max_response
						 : NET_DEFAULT_MAX_RESPONSE;
	c->max_attempts =
		or_default(cfg->max_attempts, NET_DEFAULT_MAX_ATTEMPTS);
	c->retry_base_ms =
		or_default(cfg->retry_base_ms, NET_DEFAULT_RETRY_BASE_MS);
	c->log = cfg->log;
	c->log_ctx = cfg->log_ctx;
	if (!curl_threadsafe)
		client_log(
			c, ASKCRED_LOG_DEBUG,
			"libcurl is not built thread-safe; initialised once");
	*out = c;
	return ASKCRED_OK;
}

void http_client_free(struct net_client *c)
{
	if (c == NULL)
		return;
	/* A child must not close its parent's TLS connections (that would
	 * send close_notify on a socket the parent still uses), nor touch a
	 * mutex a parent thread may have held at fork(): it leaks both. */
	if (c->owner_pid == getpid()) {
		if (c->easy != NULL)
			curl_easy_cleanup(c->easy);
		pthread_mutex_destroy(&c->lock);
	}
	free(c->base_url);
	free(c->ca_file);
	free(c->proxy);
	free(c);
}

const char *http_base_url(const struct net_client *c)
{
	return c->base_url;
}

#define SET(opt, val)                                                          \
	do {                                                                   \
		if ((cc = curl_easy_setopt(h, opt, val)) != CURLE_OK)          \
			return cc;                                             \
	} while (0)

/* The safe defaults, in one place. Called before every attempt, after
 * curl_easy_reset() (which keeps the connection cache). */
CURLcode apply_defaults(CURL *h, const struct net_client *c, int64_t budget_ms,
			char *errbuf)
{
	CURLcode cc;
	int64_t connect_ms = c->connect_timeout_ms;

	if (connect_ms > budget_ms)
		connect_ms = budget_ms;
	SET(CURLOPT_ERRORBUFFER, errbuf);
	/* Never on: libcurl would print the Authorization header. */
	SET(CURLOPT_VERBOSE, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_MAXREDIRS, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_PROXY_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	/* No TLS session cache. libcurl 7.88 (Debian 12) frees a session's
	 * host name copy but leaves the cache slot pointing at it when
	 * copying the SSL settings runs out of memory in
	 * Curl_ssl_addsessionid() (lib/vtls/vtls.c); the next session ticket
	 * stored in that slot frees it again (tests/faults/
	 * test_alloc_tls_session.sh). Kept connections are reused all the
	 * same; only a new connection pays a full handshake. */
	SET(CURLOPT_SSL_SESSIONID_CACHE, 0L);
	if (c->ca_file != NULL) {
		/* Only this bundle: libcurl would otherwise also trust the
		 * compiled-in CA directory (/etc/ssl/certs on Debian). */
		SET(CURLOPT_CAINFO, c->ca_file);
		SET(CURLOPT_CAPATH, NULL);
	}
	if (c->proxy != NULL)
		SET(CURLOPT_PROXY, c->proxy);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms);
	SET(CURLOPT_TIMEOUT_MS, (long)budget_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, (long)c->low_speed_limit);
	SET(CURLOPT_LOW_SPEED_TIME, (long)c->low_speed_time);
	/* Refuses early when Content-Length is announced; on_body enforces
	 * the same cap when it is not. */
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response);
	SET(CURLOPT_USERAGENT, "askcred/" PACKAGE_VERSION);
	return CURLE_OK;
}

#undef SET
