#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cache_format.h"
#include "cache_payload.h"
#include "credcheck.h"
#include "error.h"
#include "secret.h"

/*
 * json-c copies strings into its own buffers and frees them without wiping.
 * Two of those buffers grow by realloc, and a realloc that moves leaves an
 * unwiped copy of whatever was in them on the heap:
 *   - the printbuf an object serialises into (encode), and
 *   - the tokener's printbuf that accumulates each string while parsing.
 * So before the secret goes through either, we make the buffer big enough
 * with a non-secret string of at least the same size, and afterwards we
 * overwrite what is left (in place, or by parsing the same filler again).
 * The string objects themselves are wiped in place before they are freed.
 */

/* '"' then 'x' * CACHE_PAYLOAD_MAX, built by the compiler: read-only data
 * costs no page faults to fill, where a memset of 8 KiB of .bss at the
 * first read after each load of the module did (two zero-page faults of
 * a cold fetch's five). */
#define FILLER_MAX (CACHE_PAYLOAD_MAX + 1)
#define X4 "xxxx"
#define X64 X4 X4 X4 X4 X4 X4 X4 X4 X4 X4 X4 X4 X4 X4 X4 X4
#define X1K X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64
_Static_assert(CACHE_PAYLOAD_MAX == 8192, "the filler below is 8192 'x'");
static const char filler[FILLER_MAX + 1] = "\"" X1K X1K X1K X1K X1K X1K X1K X1K;

static void wipe_string_object(struct json_object *o)
{
	if (o != NULL && json_object_is_type(o, json_type_string))
		OPENSSL_cleanse((char *)json_object_get_string(o),
				(size_t)json_object_get_string_len(o));
}

static int add(struct json_object *root, const char *key, struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(root, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

askcred_status payload_encode(const char *entry, const struct token_record *rec,
			      char **out, size_t *out_len,
			      struct askcred_error *err)
{
	struct json_object *root = NULL, *tok = NULL;
	const char *s;
	size_t n = 0, fill_len;
	char *copy = NULL;
	askcred_status rc = ASKCRED_NO_MEMORY;
	const int fl = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

	if (rec->token.buf == NULL || rec->token.len == 0 ||
	    rec->token.len > TOKEN_MAX_LEN)
		return err_set(err, ASKCRED_INVALID, "token",
			       "refusing to cache an empty or over-long token");
	root = json_object_new_object();
	if (root == NULL ||
	    add(root, "v", json_object_new_int(PAYLOAD_VERSION)) != 0 ||
	    add(root, "workspace_id",
		json_object_new_string(rec->workspace_id)) != 0 ||
	    add(root, "entry", json_object_new_string(entry)) != 0 ||
	    add(root, "token_id", json_object_new_string(rec->token_id)) != 0 ||
	    add(root, "source", json_object_new_string(rec->source)) != 0 ||
	    add(root, "issued_at", json_object_new_int64(rec->issued_at)) !=
		    0 ||
	    add(root, "expires_at", json_object_new_int64(rec->expires_at)) !=
		    0 ||
	    add(root, "cached_at", json_object_new_int64(rec->cached_at)) !=
		    0 ||
	    add(root, "policy_serial",
		json_object_new_uint64(rec->policy_serial)) != 0 ||
	    add(root, "flags",
		json_object_new_int64(rec->flags & ASKCRED_CRED_MINTED)) != 0)
		goto nomem;
	/* Warm the object's printbuf with a filler as long as the worst-case
	 * escaping of the token (\u00XX: 6 bytes per byte). */
	fill_len = rec->token.len * 6;
	if (add(root, "token",
		json_object_new_string_len(filler + 1, (int)fill_len)) != 0 ||
	    json_object_to_json_string_length(root, fl, &n) == NULL)
		goto nomem;
	tok = json_object_new_string_len(rec->token.buf, (int)rec->token.len);
	if (add(root, "token", tok) != 0) {
		tok = NULL;
		goto nomem;
	}
	s = json_object_to_json_string_length(root, fl, &n);
	if (s == NULL)
		goto nomem;
	copy = malloc(n + 1);
	if (copy != NULL)
		memcpy(copy, s, n + 1);
	OPENSSL_cleanse((char *)s, n);
	if (copy == NULL)
		goto nomem;
	*out = copy;
	*out_len = n;
	rc = ASKCRED_OK;
	goto out;
nomem:
	err_set(err, ASKCRED_NO_MEMORY, "cache payload", "out of memory");
out:
	wipe_string_object(tok);
	json_object_put(root);
	return rc;
}

/* Parse len filler bytes as a string through tok: grows (before) or
 * overwrites (after) the tokener's string buffer with non-secret bytes. */
static void tokener_fill(struct json_tokener *tok, size_t len)
{
	struct json_object *o;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, filler, (int)len + 1);
	if (o == NULL)
		o = json_tokener_parse_ex(tok, "\"", 1);
	json_object_put(o);
	json_tokener_reset(tok);
}

static struct json_object *parse_wiped(const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = NULL;

	if (tok == NULL)
		return NULL;
	tokener_fill(tok, len);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
			  json_tokener_get_parse_end(tok) != len)) {
		json_object_put(o);
		o = NULL;
	}
	tokener_fill(tok, len);
	json_tokener_free(tok);
	return o;
}

enum field_type { F_STR, F_INT };
struct field {
	const char *key;
	enum field_type type;
	int seen;
};

static askcred_status copy_str(struct json_object *o, const char *key,
			       char *dst, size_t max, struct askcred_error *err)
{
	size_t n = (size_t)json_object_get_string_len(o);

	if (n >= max || strlen(json_object_get_string(o)) != n)
		return err_set(err, ASKCRED_CACHE_ERROR, key,
			       "payload field is too long or holds a NUL");
	memcpy(dst, json_object_get_string(o), n + 1);
	return ASKCRED_OK;
}

static askcred_status take_field(struct json_object *v, const char *key,
				 struct token_record *out, char *entry_out,
				 size_t entry_max, struct askcred_error *err)
{
	if (strcmp(key, "v") == 0)
		return json_object_get_int64(v) == PAYLOAD_VERSION
			       ? ASKCRED_OK
			       : err_set(err, ASKCRED_CACHE_ERROR, "v",
					 "unknown payload version");
	if (strcmp(key, "workspace_id") == 0)
		return copy_str(v, key, out->workspace_id,
				sizeof(out->workspace_id), err);
	if (strcmp(key, "entry") == 0)
		return copy_str(v, key, entry_out, entry_max, err);
	if (strcmp(key, "token_id") == 0)
		return copy_str(v, key, out->token_id, sizeof(out->token_id),
				err);
	if (strcmp(key, "source") == 0)
		return copy_str(v, key, out->source, sizeof(out->source), err);
	if (strcmp(key, "issued_at") == 0)
		out->issued_at = json_object_get_int64(v);
	else if (strcmp(key, "expires_at") == 0)
		out->expires_at = json_object_get_int64(v);
	else if (strcmp(key, "cached_at") == 0)
		out->cached_at = json_object_get_int64(v);
	else if (strcmp(key, "policy_serial") == 0)
		out->policy_serial = json_object_get_uint64(v);
	else if (strcmp(key, "flags") == 0)
		out->flags = (uint32_t)json_object_get_int64(v);
	else if (strcmp(key, "token") == 0) {
		size_t n = (size_t)json_object_get_string_len(v);

		if (n == 0 || n > TOKEN_MAX_LEN ||
		    strlen(json_object_get_string(v)) != n)
			return err_set(err, ASKCRED_CACHE_ERROR, "token",
				       "payload token is empty, too long or "
				       "holds a NUL");
		if (secret_set(&out->token, json_object_get_string(v), n) != 0)
			return err_set(err, ASKCRED_NO_MEMORY, "token",
				       "out of memory");
	}
	return ASKCRED_OK;
}

askcred_status payload_decode(const char *buf, size_t len,
			      struct token_record *out, char *entry_out,
			      size_t entry_max, struct askcred_error *err)
{
	struct field fields[] = {
		{"v", F_INT, 0},	 {"workspace_id", F_STR, 0},
		{"entry", F_STR, 0},	 {"token", F_STR, 0},
		{"token_id", F_STR, 0},	 {"source", F_STR, 0},
		{"issued_at", F_INT, 0}, {"expires_at", F_INT, 0},
		{"cached_at", F_INT, 0}, {"policy_serial", F_INT, 0},
		{"flags", F_INT, 0},
	};
	const size_t nfields = sizeof(fields) / sizeof(fields[0]);
	struct json_object *root = NULL, *token_obj = NULL;
	askcred_status rc = ASKCRED_OK;
	size_t i;

	record_clear(out);
	root = parse_wiped(buf, len);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, "cache payload",
			     "payload is not a JSON object");
		goto out;
	}
	json_object_object_get_ex(root, "token", &token_obj);
	json_object_object_foreach(root, key, val)
	{
		struct field *f = NULL;
		json_type want;

		for (i = 0; i < nfields; i++)
			if (strcmp(fields[i].key, key) == 0)
				f = &fields[i];
		if (f == NULL) {
			rc = err_set(err, ASKCRED_CACHE_ERROR, "cache payload",
				     "unknown payload field");
			goto out;
		}
		want = f->type == F_STR ? json_type_string : json_type_int;
		if (!json_object_is_type(val, want)) {
			rc = err_set(err, ASKCRED_CACHE_ERROR, f->key,
				     "payload field has the wrong type");
			goto out;
		}
		f->seen = 1;
		rc = take_field(val, key, out, entry_out, entry_max, err);
		if (rc != ASKCRED_OK)
			goto out;
	}
	for (i = 0; i < nfields; i++)
		if (!fields[i].seen) {
			rc = err_set(err, ASKCRED_CACHE_ERROR, fields[i].key,
				     "payload field is missing");
			goto out;
		}
	if (out->issued_at < 0 || out->expires_at < 0 || out->cached_at < 0 ||
	    (out->flags & ~(uint32_t)ASKCRED_CRED_MINTED) != 0)
		rc = err_set(err, ASKCRED_CACHE_ERROR, "cache payload",
			     "payload times or flags out of range");
out:
	wipe_string_object(token_obj);
	json_object_put(root);
	if (rc != ASKCRED_OK)
		record_clear(out);
	return rc;
}
