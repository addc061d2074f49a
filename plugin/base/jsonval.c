#include "config.h"

#include <limits.h>
#include <string.h>

#include <json-c/json_tokener.h>
#include <json-c/printbuf.h>
#include <openssl/crypto.h>

#include "credcheck.h"
#include "error.h"
#include "jsonval.h"
#include "timefmt.h"
#include "text.h"

askcred_status json_parse_strict(const char *buf, size_t len, const char *what,
				 struct json_object **out,
				 struct askcred_error *err)
{
	struct json_tokener *tok = NULL;
	struct json_object *obj = NULL;
	askcred_status rc = ASKCRED_OK;
	enum json_tokener_error jerr;

	*out = NULL;
	if (len == 0)
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "empty answer where JSON was expected");
	if (len > INT_MAX)
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "answer too large to parse");
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (tok == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, what, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		rc = err_set(err, ASKCRED_UNAVAILABLE, what,
			     "malformed JSON at byte %zu: %s",
			     json_tokener_get_parse_end(tok),
			     jerr == json_tokener_continue
				     ? "unexpected end of input"
				     : json_tokener_error_desc(jerr));
		goto out;
	}
	/* Trailing white space is fine, anything else is not. */
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
		if (strchr(" \t\r\n", buf[i]) == NULL) {
			rc = err_set(err, ASKCRED_UNAVAILABLE, what,
				     "malformed JSON: trailing data at byte "
				     "%zu",
				     i);
			goto out;
		}
	}
	*out = obj;
	obj = NULL;
out:
	/* The tokener keeps the last string it read (maybe a token) in its
	 * print buffer; wipe it before json-c frees it. */
	if (tok->pb != NULL && tok->pb->buf != NULL)
		OPENSSL_cleanse(tok->pb->buf, (size_t)tok->pb->size);
	json_tokener_free(tok);
	json_put_wiped(obj);
	return rc;
}

static void wipe_tree(struct json_object *obj)
{
	switch (json_object_get_type(obj)) {
	case json_type_string:
		/* json-c hands out its own buffer; wiping it in place is the
		 * only way to keep a token out of freed memory. */
		OPENSSL_cleanse((char *)json_object_get_string(obj),
				(size_t)json_object_get_string_len(obj));
		break;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(obj); i++)
			wipe_tree(json_object_array_get_idx(obj, i));
		break;
	case json_type_object: {
		json_object_object_foreach(obj, key, val)
		{
			(void)key;
			wipe_tree(val);
		}
		break;
	}
	default:
		break;
	}
}

void json_put_wiped(struct json_object *obj)
{
	if (obj == NULL)
		return;
	wipe_tree(obj);
	json_object_put(obj);
}

static askcred_status member(struct json_object *obj, const char *key,
			     const char *what, const char *field,
			     struct json_object **out,
			     struct askcred_error *err)
{
	if (!json_object_is_type(obj, json_type_object))
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: expected an object holding "
			       "%s",
			       field);
	if (!json_object_object_get_ex(obj, key, out))
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s is missing", field);
	return ASKCRED_OK;
}

askcred_status json_get_object(struct json_object *obj, const char *key,
			       const char *what, const char *field,
			       struct json_object **out,
			       struct askcred_error *err)
{
	askcred_status rc = member(obj, key, what, field, out, err);

	if (rc == ASKCRED_OK && !json_object_is_type(*out, json_type_object))
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s is not an object",
			       field);
	return rc;
}

/* A string member of 1..max bytes; control characters are checked by
 * the callers. */
static askcred_status get_text(struct json_object *obj, const char *key,
			       size_t max, const char *what, const char *field,
			       const char **out, size_t *len,
			       struct askcred_error *err)
{
	struct json_object *v = NULL;
	askcred_status rc = member(obj, key, what, field, &v, err);
	const char *s;
	size_t n;

	if (rc != ASKCRED_OK)
		return rc;
	if (!json_object_is_type(v, json_type_string))
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s is not a string",
			       field);
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n > max)
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s is %zu bytes long, "
			       "expected 1 to %zu",
			       field, n, max);
	*out = s;
	*len = n;
	return ASKCRED_OK;
}

askcred_status json_get_string(struct json_object *obj, const char *key,
			       size_t max, const char *what, const char *field,
			       const char **out, size_t *len,
			       struct askcred_error *err)
{
	askcred_status rc = get_text(obj, key, max, what, field, out, len, err);

	if (rc == ASKCRED_OK && text_control_at(*out, *len) < *len)
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s contains "
			       "a control character",
			       field);
	return rc;
}

askcred_status json_get_label(struct json_object *obj, const char *key,
			      size_t max, const char *what, const char *field,
			      const char **out, size_t *len,
			      struct askcred_error *err)
{
	askcred_status rc = get_text(obj, key, max, what, field, out, len, err);
	size_t bad;

	if (rc != ASKCRED_OK)
		return rc;
	/* json-c passes bytes that are not UTF-8 through; they would make
	 * askcred's own JSON output invalid. A NUL (\u0000) would cut the
	 * name short without a trace. */
	bad = text_utf8_invalid_at(*out, *len);
	if (bad < *len)
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s is not UTF-8 "
			       "(byte %zu)",
			       field, bad);
	if (memchr(*out, '\0', *len) != NULL)
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s contains a NUL",
			       field);
	return ASKCRED_OK;
}

static int is_null_member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(obj, key, &v) && v == NULL;
}

askcred_status json_get_uuid(struct json_object *obj, const char *key,
			     int nullable, const char *what, const char *field,
			     char out[ASKCRED_UUID_LEN + 1],
			     struct askcred_error *err)
{
	const char *s = NULL;
	size_t n = 0;
	askcred_status rc;

	out[0] = '\0';
	if (nullable && json_object_is_type(obj, json_type_object) &&
	    is_null_member(obj, key))
		return ASKCRED_OK;
	rc = json_get_string(obj, key, ASKCRED_UUID_LEN, what, field, &s, &n,
			     err);
	if (rc != ASKCRED_OK)
		return rc;
	if (!is_uuid4(s))
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s is not a UUID "
			       "version 4",
			       field);
	memcpy(out, s, n + 1);
	return ASKCRED_OK;
}

askcred_status json_get_time(struct json_object *obj, const char *key,
			     int nullable, const char *what, const char *field,
			     int64_t *out, struct askcred_error *err)
{
	const char *s = NULL;
	size_t n = 0;
	askcred_status rc;

	*out = 0;
	if (nullable && json_object_is_type(obj, json_type_object) &&
	    is_null_member(obj, key))
		return ASKCRED_OK;
	rc = json_get_string(obj, key, 64, what, field, &s, &n, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (rfc3339_parse(s, out) != 0)
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s is not an RFC 3339 "
			       "date-time",
			       field);
	if (*out <= 0)
		return err_set(err, ASKCRED_UNAVAILABLE, what,
			       "malformed answer: field %s is before 1970",
			       field);
	return ASKCRED_OK;
}
