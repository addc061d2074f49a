/*
 * The broker source: an HTTPS endpoint of the organisation hands out a
 * workspace credential. We authenticate with a bearer token from a file or
 * a TLS client certificate; the protocol is in docs/broker-protocol.md.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "broker.h"
#include "credcheck.h"
#include "error.h"
#include "http.h"
#include "safefile.h"

static const struct file_rules bearer_rules = {"broker token file", 077, 1,
					       8192};
static const struct file_rules key_rules = {"broker client key", 077, 1, 65536};
static const struct file_rules cert_rules = {"broker client certificate", 022,
					     1, 65536};

askcred_status broker_parse(const char *body, size_t len, int64_t now,
			    struct token_record *out, struct askcred_error *err)
{
	return answer_parse(body, len, "answer of the broker", "broker", now,
			    out, err);
}

/* The key is read by libcurl (OpenSSL) by path; check first that it is
 * ours and private, as OpenSSH does for identity files. */
static askcred_status check_file(const char *path,
				 const struct file_rules *rules,
				 struct askcred_error *err)
{
	askcred_status rc;
	int fd = -1;

	rc = safe_open_read(path, rules, &fd, err);
	if (rc == ASKCRED_NOT_FOUND)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path, "%s is missing",
			     rules->what);
	if (fd >= 0)
		close(fd);
	return rc;
}

static askcred_status read_bearer(const char *path, struct secret *out,
				  struct askcred_error *err)
{
	char *buf = NULL;
	size_t len = 0, n;
	const char *p;
	askcred_status rc;

	rc = safe_read_file(path, &bearer_rules, &buf, &len, err);
	if (rc == ASKCRED_NOT_FOUND)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path, "%s is missing",
			     bearer_rules.what);
	if (rc != ASKCRED_OK)
		return rc;
	p = buf;
	n = len;
	rc = check_token(&p, &n, path, err);
	if (rc == ASKCRED_OK && secret_set(out, p, n) != 0)
		rc = err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	free_wiped(buf, len + 1);
	return rc;
}

askcred_status broker_fetch(struct net_client *c, const struct net_broker *b,
			    struct token_record *out, struct askcred_error *err)
{
	struct secret bearer = SECRET_INIT;
	struct http_response resp = {0};
	askcred_status rc;

	if (b == NULL || b->struct_size < sizeof(*b))
		return err_set(err, ASKCRED_INTERNAL, "net_broker",
			       "broker settings from an incompatible caller");
	if ((rc = http_check_url(b->url, "broker_url", err)) != ASKCRED_OK)
		return rc;
	if (b->bearer_file == NULL && b->client_cert == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "broker_url",
			       "the broker needs a bearer token file or a TLS "
			       "client certificate");
	if ((b->client_cert == NULL) != (b->client_key == NULL))
		return err_set(err, ASKCRED_CONFIG_ERROR, "client_key",
			       "a client certificate and its key go together");
	if (b->client_cert != NULL &&
	    ((rc = check_file(b->client_cert, &cert_rules, err)) !=
		     ASKCRED_OK ||
	     (rc = check_file(b->client_key, &key_rules, err)) != ASKCRED_OK))
		return rc;
	if (b->bearer_file != NULL &&
	    (rc = read_bearer(b->bearer_file, &bearer, err)) != ASKCRED_OK)
		return rc;
	rc = http_perform(c,
			  &(struct http_request){
				  .method = "GET",
				  .url = b->url,
				  .auth = bearer.buf != NULL ? HTTP_AUTH_BEARER
							     : HTTP_AUTH_NONE,
				  .secret = bearer.buf != NULL ? &bearer : NULL,
				  .client_cert = b->client_cert,
				  .client_key = b->client_key},
			  &resp, err);
	if (rc == ASKCRED_OK)
		rc = http_check_status(&resp, 200, "fetching from the broker",
				       err);
	if (rc == ASKCRED_OK)
		rc = broker_parse(resp.body, resp.len, (int64_t)time(NULL), out,
				  err);
	http_response_clear(&resp);
	secret_clear(&bearer);
	return rc;
}
