/* Credential output formats: "env" (KEY=value lines for systemd
 * EnvironmentFile= and docker --env-file), "shell" (export lines for
 * eval in POSIX sh) and "json" (one object, built with json-c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "credcheck.h"
#include "error.h"
#include "output.h"
#include "secret.h"

static void outbuf_reserve(struct outbuf *ob, size_t extra)
{
	size_t cap;
	char *p;

	if (ob->failed)
		return;
	if (extra > SIZE_MAX / 2 - ob->len) {
		ob->failed = 1;
		return;
	}
	if (ob->len + extra + 1 <= ob->cap)
		return;
	for (cap = ob->cap ? ob->cap : 256; cap < ob->len + extra + 1;)
		cap *= 2;
	/* Not realloc: it may leave a copy of the token in freed memory. */
	p = malloc(cap);
	if (p == NULL) {
		ob->failed = 1;
		return;
	}
	if (ob->buf != NULL)
		memcpy(p, ob->buf, ob->len + 1);
	else
		p[0] = '\0';
	free_wiped(ob->buf, ob->cap);
	ob->buf = p;
	ob->cap = cap;
}

void outbuf_add(struct outbuf *ob, const char *p, size_t n)
{
	outbuf_reserve(ob, n);
	if (ob->failed)
		return;
	memcpy(ob->buf + ob->len, p, n);
	ob->len += n;
	ob->buf[ob->len] = '\0';
}

void outbuf_addstr(struct outbuf *ob, const char *s)
{
	outbuf_add(ob, s, strlen(s));
}

void outbuf_add_shell_quoted(struct outbuf *ob, const char *p, size_t n)
{
	/* Inside single quotes nothing is special but the quote itself,
	 * which has to close the quotes, be escaped, and reopen them. */
	outbuf_add(ob, "'", 1);
	for (const char *q; n > 0 && (q = memchr(p, '\'', n)) != NULL;) {
		outbuf_add(ob, p, (size_t)(q - p));
		outbuf_add(ob, "'\\''", 4);
		n -= (size_t)(q - p) + 1;
		p = q + 1;
	}
	outbuf_add(ob, p, n);
	outbuf_add(ob, "'", 1);
}

void outbuf_free(struct outbuf *ob)
{
	free_wiped(ob->buf, ob->cap);
	ob->buf = NULL;
	ob->len = ob->cap = 0;
	ob->failed = 0;
}

int outbuf_write(int fd, const struct outbuf *ob)
{
	size_t done = 0;

	if (ob->failed) {
		errno = ENOMEM;
		return -1;
	}
	while (done < ob->len) {
		ssize_t n = write(fd, ob->buf + done, ob->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int parse_format(const char *s, enum out_format *out)
{
	static const struct {
		const char *name;
		enum out_format format;
	} formats[] = {
		{"env", FORMAT_ENV},
		{"shell", FORMAT_SHELL},
		{"json", FORMAT_JSON},
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(s, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -1;
}

int format_rfc3339(int64_t t, char buf[RFC3339_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		strcpy(buf, "?");
		return -1;
	}
	return 0;
}

/* The fixed-size fields come from a provider: never trust a NUL. */
static size_t field_len(const char *field, size_t size)
{
	return strnlen(field, size - 1);
}

/* A token is printed raw in "env" format, so anything a reader could
 * split or trim (control characters, surrounding blanks) is refused
 * rather than mangled. */
askcred_status check_credential_printable(const struct askcred_credential *cred,
					  struct askcred_error *err)
{
	char ws[ASKCRED_UUID_LEN + 1];
	const char *p = cred->token;
	size_t len = cred->token_len;

	memcpy(ws, cred->workspace_id, sizeof(ws) - 1);
	ws[sizeof(ws) - 1] = '\0';
	if (!is_uuid4(ws))
		return err_set(err, ASKCRED_INVALID, "workspace_id",
			       "the credential's workspace id is not a UUID "
			       "version 4");
	if (p == NULL || memchr(p, '\0', len) != NULL ||
	    check_token(&p, &len, "token", err) != ASKCRED_OK ||
	    len != cred->token_len)
		return err_set(err, ASKCRED_INVALID, "token",
			       "the credential's token is empty or has control "
			       "characters or surrounding blanks; refusing to "
			       "print it");
	return ASKCRED_OK;
}

static void format_lines(const struct askcred_credential *cred, int shell,
			 struct outbuf *ob)
{
	size_t ws_len =
		field_len(cred->workspace_id, sizeof(cred->workspace_id));

	if (shell) {
		outbuf_addstr(ob, "export ASKUI_WORKSPACE_ID=");
		outbuf_add_shell_quoted(ob, cred->workspace_id, ws_len);
		outbuf_addstr(ob, "\nexport ASKUI_TOKEN=");
		outbuf_add_shell_quoted(ob, cred->token, cred->token_len);
	} else {
		outbuf_addstr(ob, "ASKUI_WORKSPACE_ID=");
		outbuf_add(ob, cred->workspace_id, ws_len);
		outbuf_addstr(ob, "\nASKUI_TOKEN=");
		outbuf_add(ob, cred->token, cred->token_len);
	}
	outbuf_add(ob, "\n", 1);
}

int json_add(json_object *obj, const char *key, json_object *v)
{
	if (json_object_object_add(obj, key, v) == 0)
		return 0;
	json_object_put(v);
	return -1;
}

int json_add_bool(json_object *obj, const char *key, int value)
{
	json_object *v = json_object_new_boolean(value != 0);

	return v == NULL ? -1 : json_add(obj, key, v);
}

int json_add_string(json_object *obj, const char *key, const char *s,
		    size_t len)
{
	json_object *v = NULL;

	if (s != NULL && len > 0 &&
	    (v = json_object_new_string_len(s, (int)len)) == NULL)
		return -1;
	return json_add(obj, key, v);
}

int json_add_time(json_object *obj, const char *key, int64_t t)
{
	char buf[RFC3339_LEN];

	if (t == 0 || format_rfc3339(t, buf) != 0)
		return json_add(obj, key, NULL);
	return json_add_string(obj, key, buf, strlen(buf));
}

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static askcred_status format_json(const struct askcred_credential *cred,
				  struct outbuf *ob, struct askcred_error *err)
{
	json_object *root = NULL, *tok = NULL;
	char *placeholder = NULL;
	const char *text;
	size_t text_len = 0;
	askcred_status rc = ASKCRED_NO_MEMORY;

	/* json-c grows its print buffer with realloc, which would scatter
	 * copies of the token over freed memory. So print once with a
	 * placeholder of the same length made of control characters (each
	 * escapes to 6 bytes, more than any byte of a token), which grows
	 * the buffer to its final size; then put the token in place and
	 * print again into the same buffer, and wipe both. */
	placeholder = malloc(cred->token_len + 1);
	root = json_object_new_object();
	if (placeholder == NULL || root == NULL)
		goto out;
	memset(placeholder, '\1', cred->token_len);
	placeholder[cred->token_len] = '\0';
	tok = json_object_new_string_len(placeholder, (int)cred->token_len);
	if (tok == NULL)
		goto out;
	if (json_add_string(root, "workspace_id", cred->workspace_id,
			    field_len(cred->workspace_id,
				      sizeof(cred->workspace_id))) ||
	    json_add(root, "token", json_object_get(tok)) ||
	    json_add_string(
		    root, "token_id", cred->token_id,
		    field_len(cred->token_id, sizeof(cred->token_id))) ||
	    json_add_time(root, "issued_at", cred->issued_at) ||
	    json_add_time(root, "expires_at", cred->expires_at) ||
	    json_add_string(root, "source", cred->source,
			    field_len(cred->source, sizeof(cred->source))) ||
	    json_add_bool(root, "stale", cred->flags & ASKCRED_CRED_STALE) ||
	    json_add_bool(root, "from_cache",
			  cred->flags & ASKCRED_CRED_FROM_CACHE) ||
	    json_add_bool(root, "minted", cred->flags & ASKCRED_CRED_MINTED))
		goto out;
	if (json_object_to_json_string_ext(root, JSON_FLAGS) == NULL ||
	    !json_object_set_string_len(tok, cred->token, (int)cred->token_len))
		goto out;
	text = json_object_to_json_string_length(root, JSON_FLAGS, &text_len);
	if (text == NULL)
		goto out;
	outbuf_add(ob, text, text_len);
	outbuf_add(ob, "\n", 1);
	OPENSSL_cleanse((char *)text, text_len);
	rc = ASKCRED_OK;
out:
	if (tok != NULL) {
		OPENSSL_cleanse((char *)json_object_get_string(tok),
				(size_t)json_object_get_string_len(tok));
		json_object_put(tok);
	}
	json_object_put(root);
	free(placeholder);
	if (rc != ASKCRED_OK)
		return err_set(err, rc, "json", "cannot build the JSON output");
	return ASKCRED_OK;
}

askcred_status format_credential(const struct askcred_credential *cred,
				 enum out_format format, struct outbuf *ob,
				 struct askcred_error *err)
{
	askcred_status rc = check_credential_printable(cred, err);

	if (rc != ASKCRED_OK)
		return rc;
	if (format == FORMAT_JSON)
		rc = format_json(cred, ob, err);
	else
		format_lines(cred, format == FORMAT_SHELL, ob);
	if (rc == ASKCRED_OK && ob->failed)
		rc = err_set(err, ASKCRED_NO_MEMORY, NULL,
			     "cannot hold the output in memory");
	return rc;
}

void json_print(json_object *obj)
{
	printf("%s\n", json_object_to_json_string_ext(
			       obj, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}

int json_print_line(json_object *obj, int bad)
{
	if (!bad)
		json_print(obj);
	json_object_put(obj);
	if (bad)
		fprintf(stderr, "askcred: out of memory\n");
	return bad ? -1 : 0;
}
