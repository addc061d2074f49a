/*
 * RFC 8259 to the letter, for the policy document. json-c 0.16 is lenient
 * even with JSON_TOKENER_STRICT: it reads single quotes, NaN and Infinity,
 * raw control characters in strings, overlong UTF-8 and lone surrogates,
 * and of two equal keys keeps the last, so "rules":{...},"rules":{} would
 * erase every restriction. A policy is a security document: what two
 * readers could see differently is refused here, before json-c builds the
 * tree, with the JSON path of the offending value.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "policy.h"

#define PATH_LEN 96

struct scan {
	const char *doc, *p, *end;
	const char *name;
	char path[PATH_LEN]; /* of the value being read; "" is the document */
	struct askcred_error *err;
};

/* A decoded object key, to find repeats once the object is read. */
struct key {
	char *s;
	size_t len;
	const char *at; /* in the document, for the line and column */
};

static askcred_status fail(struct scan *sc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static askcred_status fail(struct scan *sc, const char *fmt, ...)
{
	char where[ASKCRED_ERROR_WHERE_MAX], msg[ASKCRED_ERROR_MESSAGE_MAX];
	const char *path = sc->path[0] ? sc->path : "(document)";
	unsigned line = 1, col = 1;
	va_list ap;

	for (const char *q = sc->doc; q < sc->p; q++) {
		line += *q == '\n';
		col = *q == '\n' ? 1 : col + 1;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(where, sizeof(where), "%s: %s", sc->name, path);
	return err_set(sc->err, ASKCRED_CONFIG_ERROR, where,
		       "%s (line %u, column %u): %s; a policy must be strict "
		       "JSON",
		       path, line, col, msg);
}

static void skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
				   *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
	*out = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16u;
		if (d == 16)
			return -1;
		*out = *out * 16 + d;
	}
	return 0;
}

static size_t put_utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One \u escape (p after the 'u'), a surrogate pair taken whole. */
static askcred_status unicode_escape(struct scan *sc, unsigned *cp)
{
	unsigned lo;

	if (hex4(sc->p, sc->end, cp) != 0)
		return fail(sc, "\\u must be followed by 4 hex digits");
	sc->p += 4;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(sc, "\\u%04x is a lone surrogate, not a character",
			    *cp);
	if (*cp < 0xd800 || *cp > 0xdbff)
		return *cp == 0 ? fail(sc, "\\u0000 is not allowed")
				: ASKCRED_OK;
	if (sc->end - sc->p < 6 || sc->p[0] != '\\' || sc->p[1] != 'u' ||
	    hex4(sc->p + 2, sc->end, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
		return fail(sc, "\\u%04x is a lone surrogate, not a character",
			    *cp);
	sc->p += 6;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return ASKCRED_OK;
}

/* A string (sc->p on its opening quote). With out, also its decoded bytes
 * (malloc'd, never longer than the source). */
static askcred_status string(struct scan *sc, struct key *out)
{
	const char *start = sc->p + 1;
	char *buf = NULL;
	size_t n = 0, step;
	unsigned cp;
	askcred_status rc = ASKCRED_OK;

	if (sc->p >= sc->end || *sc->p != '"')
		return fail(sc, sc->p < sc->end && *sc->p == '\''
					? "single quotes are not JSON; use "
					  "double quotes"
					: "expected a string in double quotes");
	if (out != NULL) {
		buf = malloc((size_t)(sc->end - start) + 1);
		if (buf == NULL)
			return err_set(sc->err, ASKCRED_NO_MEMORY, sc->name,
				       "out of memory");
	}
	for (sc->p = start;; sc->p += step) {
		unsigned char c;

		if (sc->p >= sc->end) {
			rc = fail(sc, "the string is not closed");
			goto out;
		}
		c = (unsigned char)*sc->p;
		step = 1;
		if (c == '"')
			break;
		if (c < 0x20) {
			rc = fail(sc,
				  "control character 0x%02x inside a "
				  "string; escape it",
				  c);
			goto out;
		}
		if (c == '\\') {
			const char *esc = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			const char *hit;

			sc->p++;
			if (sc->p < sc->end && *sc->p == 'u') {
				sc->p++;
				rc = unicode_escape(sc, &cp);
				if (rc != ASKCRED_OK)
					goto out;
				if (buf != NULL)
					n += put_utf8(cp, buf + n);
				step = 0;
				continue;
			}
			hit = sc->p < sc->end && *sc->p != '\0'
				      ? strchr(esc, *sc->p)
				      : NULL;
			if (hit == NULL) {
				rc = fail(sc, "unknown escape in a string");
				goto out;
			}
			if (buf != NULL)
				buf[n++] = to[hit - esc];
			continue;
		}
		step = utf8_len((const unsigned char *)sc->p,
				(const unsigned char *)sc->end);
		if (step == 0) {
			rc = fail(sc, "a string is not valid UTF-8");
			goto out;
		}
		if (buf != NULL) {
			memcpy(buf + n, sc->p, step);
			n += step;
		}
	}
	sc->p++;
	if (out != NULL) {
		buf[n] = '\0';
		out->s = buf;
		out->len = n;
		out->at = start - 1;
		buf = NULL;
	}
out:
	free(buf);
	return rc;
}

static int digits(struct scan *sc)
{
	const char *from = sc->p;

	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
		sc->p++;
	return sc->p > from;
}

static askcred_status number(struct scan *sc)
{
	if (*sc->p == '-')
		sc->p++;
	if (sc->p < sc->end && (*sc->p == 'I' || *sc->p == 'N'))
		return fail(sc, "NaN and Infinity are not JSON numbers");
	if (sc->p < sc->end && *sc->p == '0')
		sc->p++;
	else if (!digits(sc))
		return fail(sc, "expected a number");
	if (sc->p < sc->end && *sc->p == '.') {
		sc->p++;
		if (!digits(sc))
			return fail(sc, "expected digits after the point");
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		sc->p++;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (!digits(sc))
			return fail(sc, "expected digits in the exponent");
	}
	return ASKCRED_OK;
}

static askcred_status value(struct scan *sc, int depth);

/* Append ".key" or "[i]" to the path for messages; shown printable only. */
static size_t path_push(struct scan *sc, const char *key, size_t i)
{
	size_t had = strlen(sc->path), n = had;

	if (key == NULL) {
		snprintf(sc->path + n, sizeof(sc->path) - n, "[%zu]", i);
		return had;
	}
	if (n > 0 && n + 1 < sizeof(sc->path))
		sc->path[n++] = '.';
	for (; *key != '\0' && n + 1 < sizeof(sc->path); key++)
		sc->path[n++] =
			(unsigned char)*key < 0x20 || *key == 0x7f ? '?' : *key;
	sc->path[n] = '\0';
	return had;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Sorted, so a hostile object of many keys costs n log n. The error
 * points at the later of the two. */
static askcred_status no_repeats(struct scan *sc, struct key *keys, size_t n)
{
	askcred_status rc;
	size_t had;

	qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 1; i < n; i++) {
		if (key_cmp(&keys[i - 1], &keys[i]) != 0)
			continue;
		had = path_push(sc, keys[i].s, 0);
		sc->p = keys[i].at > keys[i - 1].at ? keys[i].at
						    : keys[i - 1].at;
		rc = fail(sc, "is a duplicate key: each key may appear once "
			      "in an object");
		sc->path[had] = '\0';
		return rc;
	}
	return ASKCRED_OK;
}

static askcred_status object(struct scan *sc, int depth)
{
	struct key *keys = NULL, *grown;
	size_t n = 0, cap = 0, had;
	askcred_status rc = ASKCRED_OK;

	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return ASKCRED_OK;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(keys, cap * sizeof(*keys));
			if (grown == NULL) {
				rc = err_set(sc->err, ASKCRED_NO_MEMORY,
					     sc->name, "out of memory");
				goto out;
			}
			keys = grown;
		}
		skip_ws(sc);
		rc = string(sc, &keys[n]);
		if (rc != ASKCRED_OK)
			goto out;
		n++;
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':') {
			rc = fail(sc, "expected ':' after a key");
			goto out;
		}
		sc->p++;
		had = path_push(sc, keys[n - 1].s, 0);
		rc = value(sc, depth + 1);
		sc->path[had] = '\0';
		if (rc != ASKCRED_OK)
			goto out;
		skip_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			continue;
		}
		if (sc->p < sc->end && *sc->p == '}') {
			sc->p++;
			break;
		}
		rc = fail(sc, "expected ',' or '}' in an object");
		goto out;
	}
	rc = no_repeats(sc, keys, n);
out:
	for (size_t i = 0; i < n; i++)
		free(keys[i].s);
	free(keys);
	return rc;
}

static askcred_status array(struct scan *sc, int depth)
{
	askcred_status rc;
	size_t had;

	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == ']') {
		sc->p++;
		return ASKCRED_OK;
	}
	for (size_t i = 0;; i++) {
		had = path_push(sc, NULL, i);
		rc = value(sc, depth + 1);
		sc->path[had] = '\0';
		if (rc != ASKCRED_OK)
			return rc;
		skip_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			continue;
		}
		if (sc->p < sc->end && *sc->p == ']') {
			sc->p++;
			return ASKCRED_OK;
		}
		return fail(sc, "expected ',' or ']' in an array");
	}
}

static askcred_status literal(struct scan *sc)
{
	static const char *const words[] = {"true", "false", "null"};

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(sc->end - sc->p) >= n &&
		    memcmp(sc->p, words[i], n) == 0) {
			sc->p += n;
			return ASKCRED_OK;
		}
	}
	if (*sc->p == 'N' || *sc->p == 'I')
		return fail(sc, "NaN and Infinity are not JSON numbers");
	if (*sc->p == '\'')
		return fail(sc, "single quotes are not JSON; use double "
				"quotes");
	return fail(sc, "expected a JSON value");
}

static askcred_status value(struct scan *sc, int depth)
{
	skip_ws(sc);
	if (sc->p >= sc->end)
		return fail(sc, "the document ends too early");
	if ((*sc->p == '{' || *sc->p == '[') && depth > POLICY_DEPTH_MAX)
		return fail(sc,
			    "nesting deeper than the policy format allows "
			    "(%d levels)",
			    POLICY_DEPTH_MAX);
	if (*sc->p == '{')
		return object(sc, depth);
	if (*sc->p == '[')
		return array(sc, depth);
	if (*sc->p == '"')
		return string(sc, NULL);
	if (*sc->p == '-' || (*sc->p >= '0' && *sc->p <= '9'))
		return number(sc);
	return literal(sc);
}

askcred_status policy_json_strict(const char *doc, size_t len, const char *name,
				  struct askcred_error *err)
{
	struct scan sc = {doc, doc, doc + len, name, "", err};
	askcred_status rc = value(&sc, 1);

	if (rc != ASKCRED_OK)
		return rc;
	skip_ws(&sc);
	if (sc.p != sc.end)
		return fail(&sc, "unexpected data after the document");
	return ASKCRED_OK;
}
