/*
 * The words of HTTP: which URLs we accept, the Authorization header, and
 * what an HTTP status means for askcred, with AskUI's error detail.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "error.h"
#include "http.h"
#include "jsonval.h"

askcred_status http_check_url(const char *url, const char *what,
			      struct askcred_error *err)
{
	CURLU *u = NULL;
	char *scheme = NULL, *user = NULL, *password = NULL;
	askcred_status rc = ASKCRED_OK;
	CURLUcode uc;

	if (url == NULL || *url == '\0')
		return err_set(err, ASKCRED_CONFIG_ERROR, what, "URL is empty");
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return err_set(err, ASKCRED_CONFIG_ERROR, what,
				       "URL contains white space or a "
				       "control character");
	u = curl_url();
	if (u == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, what, "out of memory");
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (uc == CURLUE_OUT_OF_MEMORY) {
		rc = err_set(err, ASKCRED_NO_MEMORY, what, "out of memory");
		goto out;
	}
	if (uc != CURLUE_OK) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, what,
			     "not an absolute URL");
		goto out;
	}
	if (strcasecmp(scheme, "https") != 0) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, what,
			     "URL scheme %s refused: askcred only talks "
			     "https://, so credentials never travel "
			     "unencrypted",
			     scheme);
		goto out;
	}
	/* Credentials in a URL end up in logs and process listings. */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, what,
			     "URL must not contain a user name or password");
		goto out;
	}
out:
	curl_free(scheme);
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	return rc;
}

askcred_status http_auth_header(enum http_auth auth,
				const struct secret *secret, char **out,
				size_t *out_len, struct askcred_error *err)
{
	const char *prefix = auth == HTTP_AUTH_BASIC ? "Authorization: Basic "
						     : "Authorization: Bearer ";
	size_t plen = strlen(prefix), vlen, total;
	char *buf;

	*out = NULL;
	*out_len = 0;
	if (secret == NULL || secret->buf == NULL || secret->len == 0)
		return err_set(err, ASKCRED_INTERNAL, "Authorization",
			       "no credential to authenticate with");
	if (secret->len > 4096)
		return err_set(err, ASKCRED_INVALID, "Authorization",
			       "credential is %zu bytes, more than 4096",
			       secret->len);
	for (size_t i = 0; i < secret->len; i++)
		if ((unsigned char)secret->buf[i] < 0x20 ||
		    secret->buf[i] == 0x7f)
			return err_set(err, ASKCRED_INVALID, "Authorization",
				       "credential contains a control "
				       "character at offset %zu",
				       i);
	/* Basic: standard base64 with padding of the raw token and no
	 * "user:" part, exactly as AskUI's SDKs build it. */
	vlen = auth == HTTP_AUTH_BASIC ? 4 * ((secret->len + 2) / 3)
				       : secret->len;
	total = plen + vlen;
	buf = malloc(total + 1);
	if (buf == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	memcpy(buf, prefix, plen);
	if (auth == HTTP_AUTH_BASIC)
		EVP_EncodeBlock((unsigned char *)buf + plen,
				(const unsigned char *)secret->buf,
				(int)secret->len);
	else
		memcpy(buf + plen, secret->buf, secret->len);
	buf[total] = '\0';
	*out = buf;
	*out_len = total;
	return ASKCRED_OK;
}

/* Append text to a bounded buffer; the buffer stays NUL-terminated. */
static void append(char *buf, size_t size, const char *text)
{
	size_t used = strlen(buf);

	if (used + 1 < size)
		snprintf(buf + used, size - used, "%s", text);
}

static void append_loc(char *buf, size_t size, struct json_object *loc)
{
	size_t n = json_object_is_type(loc, json_type_array)
			   ? json_object_array_length(loc)
			   : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *part = json_object_array_get_idx(loc, i);

		if (i > 0)
			append(buf, size, ".");
		append(buf, size, json_object_get_string(part));
	}
}

/* {"detail": "text"} or {"detail": [{"loc": [...], "msg": "..."}]}. The
 * "input" member of validation errors is never used: FastAPI puts the
 * submitted value there, which may be a token. */
static void detail_text(struct json_object *root, char *raw, size_t size)
{
	struct json_object *detail = NULL;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "detail", &detail))
		return;
	if (json_object_is_type(detail, json_type_string)) {
		append(raw, size, json_object_get_string(detail));
		return;
	}
	if (!json_object_is_type(detail, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(detail) && i < 3; i++) {
		struct json_object *item = json_object_array_get_idx(detail, i);
		struct json_object *loc = NULL, *msg = NULL;

		if (!json_object_is_type(item, json_type_object))
			continue;
		if (i > 0)
			append(raw, size, "; ");
		if (json_object_object_get_ex(item, "loc", &loc)) {
			append_loc(raw, size, loc);
			append(raw, size, ": ");
		}
		if (json_object_object_get_ex(item, "msg", &msg) &&
		    json_object_is_type(msg, json_type_string))
			append(raw, size, json_object_get_string(msg));
	}
}

/* Does text quote s, as is or base64-encoded (an echoed Authorization
 * header)? */
static int quotes(const char *text, const struct secret *s)
{
	unsigned char b64[4 * ((4096 + 2) / 3) + 1];
	size_t tlen = strlen(text);
	int found;

	if (s == NULL || s->buf == NULL || s->len == 0)
		return 0;
	if (memmem(text, tlen, s->buf, s->len) != NULL)
		return 1;
	if (s->len > 4096)
		return 0;
	EVP_EncodeBlock(b64, (const unsigned char *)s->buf, (int)s->len);
	found = memmem(text, tlen, b64, strlen((char *)b64)) != NULL;
	OPENSSL_cleanse(b64, sizeof(b64));
	return found;
}

int http_withhold(char *text, size_t size, const struct secret *const *secrets,
		  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (quotes(text, secrets[i])) {
			OPENSSL_cleanse(text, size);
			snprintf(text, size,
				 "(withheld: it quotes the credential)");
			return 1;
		}
	}
	return 0;
}

void http_error_detail(const char *body, size_t len,
		       const struct secret *const *secrets, size_t n,
		       char out[HTTP_DETAIL_MAX])
{
	struct json_object *root = NULL;
	char raw[1024] = "";
	size_t o = 0;

	out[0] = '\0';
	if (body == NULL || len == 0 ||
	    json_parse_strict(body, len, "detail", &root, NULL) != ASKCRED_OK)
		return;
	detail_text(root, raw, sizeof(raw));
	json_put_wiped(root);
	/* Checked before cleaning, which could break up a quoted token. */
	if (http_withhold(raw, sizeof(raw), secrets, n)) {
		snprintf(out, HTTP_DETAIL_MAX, "%s", raw);
		return;
	}
	for (size_t i = 0; raw[i] != '\0' && o + 1 < HTTP_DETAIL_MAX; i++)
		out[o++] = ((unsigned char)raw[i] >= 0x20 &&
			    (unsigned char)raw[i] < 0x7f)
				   ? raw[i]
				   : '?';
	out[o] = '\0';
}

askcred_status http_check_status(const struct http_response *resp, long want,
				 const char *what, struct askcred_error *err)
{
	long st = resp->status;
	const char *d = resp->detail, *sep = resp->detail[0] ? ": " : "";
	char where[32];

	if (st == want)
		return ASKCRED_OK;
	snprintf(where, sizeof(where), "HTTP %ld", st);
	if (st == 401 || st == 403)
		return err_set(err, ASKCRED_INVALID, where,
			       "%s: the credential is not valid%s%s", what, sep,
			       d);
	if (st == 404)
		return err_set(err, ASKCRED_NOT_FOUND, where,
			       "%s: not found%s%s", what, sep, d);
	if (st >= 300 && st <= 399)
		return err_set(err, ASKCRED_CONFIG_ERROR, where,
			       "%s: the server redirects (to %s); askcred "
			       "never follows redirects, fix the URL",
			       what,
			       resp->location[0] ? resp->location : "nowhere");
	if (st == 408 || st == 429 || st >= 500)
		return err_set(err, ASKCRED_UNAVAILABLE, where,
			       "%s: server unavailable after %u attempt%s%s%s",
			       what, resp->attempts,
			       resp->attempts == 1 ? "" : "s", sep, d);
	if (st >= 400)
		return err_set(err, ASKCRED_CONFIG_ERROR, where,
			       "%s: request refused%s%s", what, sep, d);
	return err_set(err, ASKCRED_UNAVAILABLE, where,
		       "%s: unexpected answer, expected HTTP %ld", what, want);
}
