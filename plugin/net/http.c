/*
 * One request, start to finish: headers (the Authorization header built
 * and wiped here), the response with its size cap, and the retry policy.
 * The options that make it safe come from apply_defaults() (http_client.c).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "clock.h"
#include "error.h"
#include "http_int.h"

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Where the response goes while it arrives. */
struct sink {
	struct http_response *resp;
	size_t max;
	int too_big;
	int no_memory; /* the body could not be stored: not a network fault */
};

/* Grow by copying so a buffer that held part of a token can be wiped. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	struct http_response *r = s->resp;
	size_t add = size * nmemb;

	if (add > s->max - r->len) {
		s->too_big = 1;
		return 0; /* libcurl aborts with CURLE_WRITE_ERROR */
	}
	if (r->len + add + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		char *bigger;

		while (cap < r->len + add + 1)
			cap *= 2;
		if (cap > s->max + 1)
			cap = s->max + 1;
		bigger = malloc(cap);
		if (bigger == NULL) {
			s->no_memory = 1;
			return 0; /* CURLE_WRITE_ERROR, said as NO_MEMORY */
		}
		if (r->body != NULL)
			memcpy(bigger, r->body, r->len);
		free_wiped(r->body, r->cap);
		r->body = bigger;
		r->cap = cap;
	}
	memcpy(r->body + r->len, p, add);
	r->len += add;
	r->body[r->len] = '\0';
	return add;
}

/* Copy a header's value if the line is "name: value", printable ASCII
 * only, cut to fit. */
static void header_value(const char *line, size_t len, const char *name,
			 char *out, size_t size)
{
	size_t nlen = strlen(name), i, o = 0;

	if (len <= nlen || strncasecmp(line, name, nlen) != 0 ||
	    line[nlen] != ':')
		return;
	for (i = nlen + 1; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	while (len > i && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
			   line[len - 1] == ' '))
		len--;
	for (; i < len && o + 1 < size; i++)
		out[o++] = (line[i] >= 0x20 && line[i] < 0x7f) ? line[i] : '?';
	out[o] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_response *r = ud;
	size_t len = size * nmemb;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue, say) starts over. */
		r->etag[0] = '\0';
		r->location[0] = '\0';
		return len;
	}
	header_value(p, len, "ETag", r->etag, sizeof(r->etag));
	header_value(p, len, "Location", r->location, sizeof(r->location));
	return len;
}

#define SET(opt, val)                                                          \
	do {                                                                   \
		if ((cc = curl_easy_setopt(h, opt, val)) != CURLE_OK)          \
			return cc;                                             \
	} while (0)

static CURLcode apply_request(CURL *h, const struct http_request *req,
			      struct curl_slist *headers, struct sink *sink)
{
	CURLcode cc;

	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, sink);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, sink->resp);
	if (req->client_cert != NULL) {
		SET(CURLOPT_SSLCERT, req->client_cert);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
		SET(CURLOPT_SSLKEY, req->client_key);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (strcmp(req->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "POST") == 0) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
	} else {
		SET(CURLOPT_CUSTOMREQUEST, req->method);
	}
	return CURLE_OK;
}
#undef SET

/* libcurl's slist copies strings and frees them unwiped: wipe first. */
static void slist_free_wiped(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p != NULL; p = p->next)
		OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static askcred_status build_headers(const struct http_request *req,
				    struct curl_slist **out,
				    struct askcred_error *err)
{
	struct curl_slist *l = NULL, *n;
	char *auth = NULL, line[NET_ETAG_MAX + 32];
	size_t auth_len = 0;
	askcred_status rc = ASKCRED_OK;

	/* Expect: empty turns off 100-continue round trips. */
	const char *fixed[] = {
		"Accept: application/json", "Expect:",
		req->body != NULL ? "Content-Type: application/json" : NULL};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (fixed[i] == NULL)
			continue;
		if ((n = curl_slist_append(l, fixed[i])) == NULL)
			goto oom;
		l = n;
	}
	if (req->if_none_match != NULL && *req->if_none_match != '\0') {
		if (strpbrk(req->if_none_match, "\r\n") != NULL) {
			rc = err_set(err, ASKCRED_INTERNAL, "If-None-Match",
				     "ETag contains a line break");
			goto out;
		}
		snprintf(line, sizeof(line), "If-None-Match: %s",
			 req->if_none_match);
		if ((n = curl_slist_append(l, line)) == NULL)
			goto oom;
		l = n;
	}
	if (req->auth != HTTP_AUTH_NONE) {
		rc = http_auth_header(req->auth, req->secret, &auth, &auth_len,
				      err);
		if (rc != ASKCRED_OK)
			goto out;
		if ((n = curl_slist_append(l, auth)) == NULL)
			goto oom;
		l = n;
	}
	*out = l;
	l = NULL;
	goto out;
oom:
	rc = err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
out:
	free_wiped(auth, auth_len + 1);
	slist_free_wiped(l);
	return rc;
}

static int retryable_status(long status)
{
	return status == 408 || status == 429 || status == 500 ||
	       status == 502 || status == 503 || status == 504;
}

/* Connection failures and timeouts are worth another try; TLS
 * verification failures, size caps and local errors are not. */
static int retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR: /* a handshake cut short */
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* Exponential backoff with "equal jitter": half fixed, half random, so
 * many clients that failed together do not come back together. */
static int64_t backoff_ms(const struct net_client *c, unsigned attempt)
{
	int64_t d = (int64_t)c->retry_base_ms
		    << (attempt - 1 < 16 ? attempt - 1 : 16);
	uint32_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0;
	return d / 2 + (int64_t)(r % (uint32_t)(d / 2 + 1));
}

static void url_for_messages(const char *url, char *out, size_t size)
{
	size_t n = strcspn(url, "?#");

	snprintf(out, size, "%.*s", (int)n, url);
}

/* Did the server's certificate fail verification (an unknown CA, another
 * host name, a bad chain)? libcurl reports it as a verification error, or,
 * when the handshake ends on it, as a connect error with OpenSSL's verify
 * result set. Either way it is our configuration, not a network blip: the
 * same server fails the same way on every retry. */
static int tls_verify_failed(CURL *h, CURLcode cc)
{
	long result = 0;

	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return 1;
	case CURLE_SSL_CONNECT_ERROR:
		return curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT,
					 &result) == CURLE_OK &&
		       result != 0;
	default:
		return 0;
	}
}

static askcred_status transport_error(CURLcode cc, int tls_bad,
				      const struct sink *sink,
				      const char *errbuf, const char *where,
				      unsigned attempts,
				      struct askcred_error *err)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc);

	if (sink->no_memory)
		return err_set(err, ASKCRED_NO_MEMORY, where,
			       "out of memory storing the answer");
	if (sink->too_big || cc == CURLE_FILESIZE_EXCEEDED)
		return err_set(err, ASKCRED_UNAVAILABLE, where,
			       "answer larger than %zu bytes refused",
			       sink->max);
	if (tls_bad)
		return err_set(err, ASKCRED_CONFIG_ERROR, where,
			       "TLS verification failed (%.160s); set ca_file= "
			       "to the CA that issued the server's "
			       "certificate, or correct the host name; "
			       "credential not sent",
			       why);
	switch (cc) {
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return err_set(err, ASKCRED_CONFIG_ERROR, where, "%s", why);
	case CURLE_OUT_OF_MEMORY:
		return err_set(err, ASKCRED_NO_MEMORY, where, "%s", why);
	default:
		break;
	}
	if (attempts > 1)
		return err_set(err, ASKCRED_UNAVAILABLE, where,
			       "no answer after %u attempts: %s", attempts,
			       why);
	return err_set(err, ASKCRED_UNAVAILABLE, where, "no answer: %s", why);
}

/* Take the shared handle if it is ours and free; otherwise a private one
 * for this request, so callers never wait for each other and a forked
 * child never touches its parent's connections. */
static CURL *take_handle(struct net_client *c, int *shared)
{
	*shared = 0;
	if (c->owner_pid == getpid() && pthread_mutex_trylock(&c->lock) == 0) {
		if (c->easy == NULL)
			c->easy = curl_easy_init();
		if (c->easy != NULL) {
			*shared = 1;
			return c->easy;
		}
		pthread_mutex_unlock(&c->lock);
	}
	return curl_easy_init();
}

static void give_handle(struct net_client *c, CURL *h, int shared)
{
	if (h == NULL)
		return;
	curl_easy_reset(h); /* drop pointers to this request's buffers */
	if (shared)
		pthread_mutex_unlock(&c->lock);
	else
		curl_easy_cleanup(h);
}

/* A server asking for more than a day is treated as asking for a day. */
#define RETRY_AFTER_MAX 86400

/* Retry-After speaks of the server, not of one call: the client keeps
 * the latest time any of its calls was given. It only moves forward, so
 * threads sharing the client never erase each other's, and a time in the
 * past is harmless to the caller. No thread-local storage: this module is
 * dlopen'd and closed again, and TLS in such a module has cost more than
 * it gave (static TLS slots, sanitizers' DTLS bookkeeping). */
static void note_retry_after(struct net_client *c, int64_t at)
{
	int64_t cur = __atomic_load_n(&c->retry_not_before, __ATOMIC_RELAXED);

	while (at > cur &&
	       !__atomic_compare_exchange_n(&c->retry_not_before, &cur, at, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

int64_t http_retry_not_before(struct net_client *c)
{
	return __atomic_load_n(&c->retry_not_before, __ATOMIC_RELAXED);
}

askcred_status http_perform(struct net_client *c,
			    const struct http_request *req,
			    struct http_response *resp,
			    struct askcred_error *err)
{
	struct curl_slist *headers = NULL;
	struct sink sink = {resp, c->max_response, 0, 0};
	char errbuf[CURL_ERROR_SIZE], where[ASKCRED_ERROR_WHERE_MAX];
	int64_t deadline = monotonic_ms() + c->timeout_ms;
	askcred_status rc;
	CURL *h = NULL;
	int shared = 0;

	memset(resp, 0, sizeof(*resp));
	url_for_messages(req->url, where, sizeof(where));
	rc = http_check_url(req->url, "url", err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = build_headers(req, &headers, err);
	if (rc != ASKCRED_OK)
		return rc;
	h = take_handle(c, &shared);
	if (h == NULL) {
		rc = err_set(err, ASKCRED_NO_MEMORY, where,
			     "cannot create a libcurl handle");
		goto out;
	}
	for (unsigned attempt = 1;; attempt++) {
		int64_t started = monotonic_ms(), left = deadline - started,
			delay, now;
		curl_off_t retry_after = 0;
		CURLcode cc;
		long status = 0;
		int tls_bad = 0;

		if (left <= 0) {
			rc = err_set(err, ASKCRED_UNAVAILABLE, where,
				     "no answer within %u ms (%u attempts)",
				     c->timeout_ms, attempt - 1);
			goto out;
		}
		resp->len = 0;
		resp->status = 0;
		resp->attempts = attempt;
		sink.too_big = 0;
		sink.no_memory = 0;
		errbuf[0] = '\0';
		curl_easy_reset(h);
		cc = apply_defaults(h, c, left, errbuf);
		if (cc == CURLE_OK)
			cc = apply_request(h, req, headers, &sink);
		if (cc != CURLE_OK) {
			rc = err_set(err,
				     cc == CURLE_OUT_OF_MEMORY
					     ? ASKCRED_NO_MEMORY
					     : ASKCRED_INTERNAL,
				     where, "libcurl refused an option: %s",
				     curl_easy_strerror(cc));
			goto out;
		}
		cc = curl_easy_perform(h);
		tls_bad = tls_verify_failed(h, cc);
		if (cc == CURLE_OK) {
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
			resp->status = status;
			if (retryable_status(status))
				curl_easy_getinfo(h, CURLINFO_RETRY_AFTER,
						  &retry_after);
			if (retry_after > RETRY_AFTER_MAX)
				retry_after = RETRY_AFTER_MAX;
			resp->retry_after = (long)retry_after;
			if (!retryable_status(status) ||
			    attempt >= c->max_attempts)
				break;
		} else if (!retryable_curl(cc) || sink.too_big ||
			   sink.no_memory || tls_bad ||
			   attempt >= c->max_attempts) {
			rc = transport_error(cc, tls_bad, &sink, errbuf, where,
					     attempt, err);
			goto out;
		}
		delay = retry_after > 0 ? (int64_t)retry_after * 1000
					: backoff_ms(c, attempt);
		/* No retry that the budget would cut off: one started with
		 * less time left than this attempt took would end on the
		 * budget's timeout, and that would become the reported
		 * cause in place of the server's answer. Measured, not
		 * fixed, so it holds on a slow machine. */
		now = monotonic_ms();
		left = deadline - now;
		if (delay + (now - started) >= left) {
			if (cc == CURLE_OK)
				break; /* report the last status */
			rc = transport_error(cc, tls_bad, &sink, errbuf, where,
					     attempt, err);
			goto out;
		}
		if (cc == CURLE_OK)
			client_log(
				c, ASKCRED_LOG_NOTICE,
				"%s: HTTP %ld, attempt %u of %u, retrying in "
				"%lld ms",
				where, status, attempt, c->max_attempts,
				(long long)delay);
		else
			client_log(
				c, ASKCRED_LOG_NOTICE,
				"%s: %s, attempt %u of %u, retrying in %lld ms",
				where,
				errbuf[0] ? errbuf : curl_easy_strerror(cc),
				attempt, c->max_attempts, (long long)delay);
		sleep_ms(delay);
	}
	if (resp->body == NULL) {
		/* Callers may rely on a NUL-terminated body. */
		resp->body = calloc(1, 1);
		resp->cap = 1;
		if (resp->body == NULL) {
			rc = err_set(err, ASKCRED_NO_MEMORY, where,
				     "out of memory");
			goto out;
		}
	}
	if (retryable_status(resp->status) && resp->retry_after > 0)
		note_retry_after(c, (int64_t)time(NULL) + resp->retry_after);
	if (resp->status < 200 || resp->status > 299) {
		const struct secret *secrets[] = {req->secret,
						  req->body_secret};

		http_error_detail(resp->body, resp->len, secrets, 2,
				  resp->detail);
		/* The Location of a redirect goes into the error message. */
		http_withhold(resp->location, sizeof(resp->location), secrets,
			      2);
	}
	rc = ASKCRED_OK;
out:
	give_handle(c, h, shared);
	slist_free_wiped(headers);
	if (rc != ASKCRED_OK)
		http_response_clear(resp);
	return rc;
}

void http_response_clear(struct http_response *resp)
{
	free_wiped(resp->body, resp->cap);
	memset(resp, 0, sizeof(*resp));
}
