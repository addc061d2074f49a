/*
 * Strict JSON -> struct policy. An old host must never silently ignore a
 * new rule, so every field is known, or listed by name in the document's
 * own "optional" array. Every error names the JSON path.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "credcheck.h"
#include "error.h"
#include "policy.h"
#include "policy_list.h"
#include "policy_table.h"
#include "text.h"

#define PATH_MAX_LEN 96

struct parser {
	const char *name; /* file or URL, for messages */
	const struct policy_list *optional;
	struct askcred_error *err;
};

/* "rules.max_lifetime must be ..." with where "FILE: rules.max_lifetime". */
static askcred_status bad(struct parser *ps, const char *path, const char *fmt,
			  ...) __attribute__((format(printf, 3, 4)));
static askcred_status bad(struct parser *ps, const char *path, const char *fmt,
			  ...)
{
	char where[ASKCRED_ERROR_WHERE_MAX];
	char msg[ASKCRED_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(where, sizeof(where), "%s: %s", ps->name, path);
	return err_set(ps->err, ASKCRED_CONFIG_ERROR, where, "%s %s", path,
		       msg);
}

static askcred_status want_type(struct parser *ps, const char *path,
				json_object *v, json_type type)
{
	if (json_object_is_type(v, type))
		return ASKCRED_OK;
	return bad(ps, path, "must be %s",
		   type == json_type_boolean  ? "true or false"
		   : type == json_type_array  ? "an array"
		   : type == json_type_object ? "an object"
		   : type == json_type_int    ? "an integer"
					      : "a string");
}

/* A duration is an integer of seconds or a string like "30m". */
static askcred_status get_duration(struct parser *ps, const char *path,
				   json_object *v, int64_t min, int64_t *out)
{
	char lo[32];

	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		if (*out > INT64_MAX / 4 || *out < 0)
			*out = -1;
	} else if (!json_object_is_type(v, json_type_string) ||
		   policy_parse_duration(json_object_get_string(v), out) != 0) {
		return bad(ps, path,
			   "must be a duration: seconds, or a string "
			   "like \"90s\", \"30m\", \"12h\", \"7d\" "
			   "(at most 3650d)");
	}
	if (*out < min || *out > (int64_t)3650 * 86400) {
		policy_format_duration(min, lo, sizeof(lo));
		return bad(ps, path, "is out of range (%s..3650d)", lo);
	}
	return ASKCRED_OK;
}

static askcred_status get_time(struct parser *ps, const char *path,
			       json_object *v, int64_t *out)
{
	int ok = 0;

	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		ok = *out > 0 && *out < (int64_t)INT32_MAX * 4;
	} else if (json_object_is_type(v, json_type_string)) {
		ok = policy_parse_time(json_object_get_string(v), out) == 0;
	}
	if (!ok)
		return bad(ps, path,
			   "must be a time: RFC 3339 in UTC like "
			   "\"2026-11-01T00:00:00Z\", or Unix seconds");
	return ASKCRED_OK;
}

static askcred_status get_string(struct parser *ps, const char *path,
				 json_object *v, size_t max, char **out)
{
	const char *s;
	size_t len;

	if (want_type(ps, path, v, json_type_string) != ASKCRED_OK)
		return ASKCRED_CONFIG_ERROR;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0 || len > max || strlen(s) != len)
		return bad(ps, path,
			   "must be a non-empty string without NUL, of at "
			   "most %zu characters",
			   max);
	if (text_control_at(s, len) < len)
		return bad(ps, path,
			   "contains a control "
			   "character");
	*out = strdup(s);
	return *out ? ASKCRED_OK
		    : err_set(ps->err, ASKCRED_NO_MEMORY, path,
			      "out of memory");
}

enum item_kind { ITEM_NAME, ITEM_UUID };

/* An array of unique strings, each a short name or a UUID v4. */
static askcred_status get_list(struct parser *ps, const char *path,
			       json_object *v, enum item_kind kind, size_t max,
			       struct policy_list *out)
{
	char ipath[PATH_MAX_LEN + 16];
	askcred_status rc;
	size_t n;

	if (want_type(ps, path, v, json_type_array) != ASKCRED_OK)
		return ASKCRED_CONFIG_ERROR;
	n = json_object_array_length(v);
	if (n > max)
		return bad(ps, path,
			   "has %zu entries, more than the %zu allowed", n,
			   max);
	policy_list_free(out);
	out->items = calloc(n ? n : 1, sizeof(*out->items));
	if (out->items == NULL)
		return err_set(ps->err, ASKCRED_NO_MEMORY, path,
			       "out of memory");
	for (size_t i = 0; i < n; i++) {
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		rc = get_string(ps, ipath, json_object_array_get_idx(v, i),
				POLICY_NAME_MAX, &out->items[i]);
		if (rc != ASKCRED_OK)
			return rc;
		out->n++;
		if (kind == ITEM_UUID && !is_uuid4(out->items[i]))
			return bad(ps, ipath, "must be a UUID version 4");
		if (policy_list_find(out->items, i, out->items[i]))
			return bad(ps, ipath, "repeats an earlier entry");
	}
	return ASKCRED_OK;
}

/* Exact names only: "Min_Validity" is not "min_validity", and a host that
 * dropped it as optional would silently lose a restriction. */
static int is_optional(const struct parser *ps, const char *key)
{
	return ps->optional != NULL &&
	       policy_list_find_exact(ps->optional->items, ps->optional->n,
				      key);
}

static askcred_status unknown(struct parser *ps, const char *path)
{
	return bad(ps, path,
		   "is not a field this host understands; if older hosts "
		   "may ignore it, list its name in \"optional\"");
}

static askcred_status parse_rule(struct parser *ps, const char *path,
				 const struct rule_info *f, json_object *v,
				 struct policy_rules *r)
{
	askcred_status rc;

	switch (f->kind) {
	case RULE_BOOL:
		rc = want_type(ps, path, v, json_type_boolean);
		if (rc == ASKCRED_OK)
			*RULE_FIELD(r, f, int) = json_object_get_boolean(v);
		break;
	case RULE_DURATION:
		rc = get_duration(ps, path, v, f->min,
				  RULE_FIELD(r, f, int64_t));
		break;
	case RULE_UUID_LIST:
	case RULE_NAME_LIST:
		rc = get_list(ps, path, v,
			      f->kind == RULE_UUID_LIST ? ITEM_UUID : ITEM_NAME,
			      POLICY_LIST_MAX,
			      RULE_FIELD(r, f, struct policy_list));
		break;
	default:
		rc = err_set(ps->err, ASKCRED_INTERNAL, path, "bad rule kind");
	}
	if (rc == ASKCRED_OK)
		r->set |= f->bit;
	return rc;
}

/* Windows nest: jitter <= advisory - mandatory, mandatory <= advisory. */
static askcred_status check_windows(struct parser *ps, const char *path,
				    const struct policy_rules *r)
{
	char where[PATH_MAX_LEN + 32];
	int64_t adv = r->refresh_advisory, mand = r->refresh_mandatory;

	if ((r->set & POLICY_RULE_REFRESH_ADVISORY) &&
	    (r->set & POLICY_RULE_REFRESH_MANDATORY) && mand > adv) {
		snprintf(where, sizeof(where), "%s.refresh_mandatory", path);
		return bad(ps, where,
			   "must not be longer than refresh_advisory");
	}
	if ((r->set & POLICY_RULE_REFRESH_JITTER) &&
	    (r->set & POLICY_RULE_REFRESH_ADVISORY) &&
	    r->refresh_jitter > adv - ((r->set & POLICY_RULE_REFRESH_MANDATORY)
					       ? mand
					       : 0)) {
		snprintf(where, sizeof(where), "%s.refresh_jitter", path);
		return bad(ps, where,
			   "must fit between refresh_advisory and "
			   "refresh_mandatory");
	}
	return ASKCRED_OK;
}

static askcred_status parse_rules(struct parser *ps, const char *path,
				  json_object *obj, struct policy_rules *r)
{
	char kpath[PATH_MAX_LEN];
	askcred_status rc;

	if (want_type(ps, path, obj, json_type_object) != ASKCRED_OK)
		return ASKCRED_CONFIG_ERROR;
	json_object_object_foreach(obj, key, v)
	{
		const struct rule_info *f = NULL;

		snprintf(kpath, sizeof(kpath), "%s.%s", path, key);
		for (size_t i = 0; i < rule_count; i++)
			if (strcmp(key, rule_table[i].key) == 0)
				f = &rule_table[i];
		if (f == NULL) {
			if (is_optional(ps, key))
				continue;
			return unknown(ps, kpath);
		}
		rc = parse_rule(ps, kpath, f, v, r);
		if (rc != ASKCRED_OK)
			return rc;
	}
	return check_windows(ps, path, r);
}

static askcred_status parse_override(struct parser *ps, const char *path,
				     json_object *obj,
				     struct policy_override *o)
{
	char kpath[PATH_MAX_LEN];
	askcred_status rc = ASKCRED_OK;

	if (want_type(ps, path, obj, json_type_object) != ASKCRED_OK)
		return ASKCRED_CONFIG_ERROR;
	json_object_object_foreach(obj, key, v)
	{
		snprintf(kpath, sizeof(kpath), "%s.%s", path, key);
		if (strcmp(key, "label") == 0) {
			rc = get_string(ps, kpath, v, POLICY_NAME_MAX,
					&o->label);
			if (rc == ASKCRED_OK &&
			    strpbrk(o->label, ", \t") != NULL)
				rc = bad(ps, kpath,
					 "must not contain a "
					 "comma or white space");
		} else if (strcmp(key, "rules") == 0) {
			rc = parse_rules(ps, kpath, v, &o->rules);
		} else if (strcmp(key, "comment") != 0 &&
			   !is_optional(ps, key)) {
			rc = unknown(ps, kpath);
		}
		if (rc != ASKCRED_OK)
			return rc;
	}
	if (o->label == NULL) {
		snprintf(kpath, sizeof(kpath), "%s.label", path);
		return bad(ps, kpath, "is required");
	}
	return ASKCRED_OK;
}

static askcred_status parse_overrides(struct parser *ps, json_object *v,
				      struct policy *p)
{
	char path[PATH_MAX_LEN];
	size_t n;
	askcred_status rc;

	if (want_type(ps, "overrides", v, json_type_array) != ASKCRED_OK)
		return ASKCRED_CONFIG_ERROR;
	n = json_object_array_length(v);
	if (n > POLICY_OVERRIDES_MAX)
		return bad(ps, "overrides",
			   "has %zu entries, more than the %d allowed", n,
			   POLICY_OVERRIDES_MAX);
	p->overrides = calloc(n ? n : 1, sizeof(*p->overrides));
	if (p->overrides == NULL)
		return err_set(ps->err, ASKCRED_NO_MEMORY, "overrides",
			       "out of memory");
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "overrides[%zu]", i);
		p->n_overrides++;
		rc = parse_override(ps, path, json_object_array_get_idx(v, i),
				    &p->overrides[i]);
		if (rc != ASKCRED_OK)
			return rc;
	}
	return ASKCRED_OK;
}

static askcred_status parse_top_field(struct parser *ps, const char *key,
				      json_object *v, struct policy *p)
{
	if (strcmp(key, "schema_version") == 0 || strcmp(key, "serial") == 0 ||
	    strcmp(key, "optional") == 0)
		return ASKCRED_OK; /* read first, in parse_head() */
	if (strcmp(key, "issued_at") == 0)
		return get_time(ps, key, v, &p->issued_at);
	if (strcmp(key, "max_age") == 0)
		return get_duration(ps, key, v, 60, &p->max_age);
	if (strcmp(key, "revocation_epoch") == 0)
		return get_time(ps, key, v, &p->revocation_epoch);
	if (strcmp(key, "comment") == 0)
		return get_string(ps, key, v, 512, &p->comment);
	if (strcmp(key, "denied_token_ids") == 0)
		return get_list(ps, key, v, ITEM_UUID, POLICY_DENIED_MAX,
				&p->denied_token_ids);
	if (strcmp(key, "rules") == 0)
		return parse_rules(ps, key, v, &p->rules);
	if (strcmp(key, "overrides") == 0)
		return parse_overrides(ps, v, p);
	if (is_optional(ps, key))
		return ASKCRED_OK;
	return unknown(ps, key);
}

/* The version decides how to read the rest, and "optional" must be known
 * before any unknown field is judged: read those three first. */
static askcred_status parse_head(struct parser *ps, json_object *root,
				 struct policy *p)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(root, "schema_version", &v))
		return bad(ps, "schema_version", "is required");
	if (want_type(ps, "schema_version", v, json_type_int) != ASKCRED_OK)
		return ASKCRED_CONFIG_ERROR;
	n = json_object_get_int64(v);
	if (n != POLICY_SCHEMA_VERSION)
		return bad(ps, "schema_version",
			   "%lld is not a version this host understands (it "
			   "reads version %d); upgrade askcred",
			   (long long)n, POLICY_SCHEMA_VERSION);
	p->schema_version = (int)n;
	if (!json_object_object_get_ex(root, "serial", &v))
		return bad(ps, "serial", "is required");
	if (want_type(ps, "serial", v, json_type_int) != ASKCRED_OK)
		return ASKCRED_CONFIG_ERROR;
	n = json_object_get_int64(v);
	if (n < 1 || n == INT64_MAX)
		return bad(ps, "serial", "must be between 1 and %lld",
			   (long long)INT64_MAX - 1);
	p->serial = (uint64_t)n;
	if (json_object_object_get_ex(root, "optional", &v))
		return get_list(ps, "optional", v, ITEM_NAME, POLICY_LIST_MAX,
				&p->optional);
	return ASKCRED_OK;
}

static askcred_status parse_tree(struct parser *ps, json_object *root,
				 struct policy *p)
{
	askcred_status rc;

	if (want_type(ps, "(document)", root, json_type_object) != ASKCRED_OK)
		return ASKCRED_CONFIG_ERROR;
	rc = parse_head(ps, root, p);
	if (rc != ASKCRED_OK)
		return rc;
	ps->optional = &p->optional;
	json_object_object_foreach(root, key, v)
	{
		rc = parse_top_field(ps, key, v, p);
		if (rc != ASKCRED_OK)
			return rc;
	}
	if (p->max_age == 0)
		return bad(ps, "max_age",
			   "is required: how long a host may "
			   "keep using this policy");
	return check_windows(ps, "rules", &p->rules);
}

/* "line 3, column 7" for the byte offset where the tokenizer stopped. */
static void position(const char *doc, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (doc[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static askcred_status tokenize(const char *doc, size_t len, const char *name,
			       json_object **out, struct askcred_error *err)
{
	struct json_tokener *tok = NULL;
	enum json_tokener_error jerr;
	askcred_status rc = ASKCRED_OK;
	unsigned line, col;
	size_t off;

	if (len > POLICY_DOC_MAX)
		return err_set(err, ASKCRED_CONFIG_ERROR, name,
			       "policy document is %zu bytes, more than the "
			       "%u allowed",
			       len, POLICY_DOC_MAX);
	if (memchr(doc, '\0', len) != NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, name,
			       "policy document contains a NUL byte");
	tok = json_tokener_new_ex(POLICY_DEPTH_MAX);
	if (tok == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, name, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*out = json_tokener_parse_ex(tok, doc, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	if (*out != NULL && jerr == json_tokener_success) {
		/* Nothing but white space may follow the document. */
		while (off < len && strchr(" \t\r\n", doc[off]) != NULL)
			off++;
		if (off == len)
			goto out;
		jerr = json_tokener_error_parse_unexpected;
	} else if (jerr == json_tokener_continue) {
		off = len;
	}
	position(doc, off, &line, &col);
	/* Say it in our words first: the user fixes a JSON document at a
	 * line; json-c's own description only helps to find what. */
	rc = err_set_line(
		err, ASKCRED_CONFIG_ERROR, name, line,
		"not valid JSON at line %u, column %u: %s%s; fix the "
		"document",
		line, col,
		jerr == json_tokener_error_depth
			? "nesting deeper than the policy format "
			  "allows (8 levels)"
		: jerr == json_tokener_continue ? "document ends too early"
		: *out != NULL ? "unexpected data after the document"
			       : "the parser stopped here: ",
		jerr == json_tokener_error_depth ||
				jerr == json_tokener_continue || *out != NULL
			? ""
			: json_tokener_error_desc(jerr));
	json_object_put(*out);
	*out = NULL;
out:
	json_tokener_free(tok);
	return rc;
}

askcred_status policy_parse(const char *doc, size_t len, const char *name,
			    struct policy **out, struct askcred_error *err)
{
	struct parser ps = {name ? name : "policy", NULL, err};
	json_object *root = NULL;
	struct policy *p = NULL;
	askcred_status rc;

	*out = NULL;
	rc = tokenize(doc, len, ps.name, &root, err);
	if (rc == ASKCRED_OK)
		rc = policy_json_strict(doc, len, ps.name, err);
	if (rc != ASKCRED_OK)
		goto out;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		rc = err_set(err, ASKCRED_NO_MEMORY, ps.name, "out of memory");
		goto out;
	}
	rc = parse_tree(&ps, root, p);
	if (rc != ASKCRED_OK)
		goto out;
	*out = p;
	p = NULL;
out:
	policy_free(p);
	json_object_put(root);
	return rc;
}

static void rules_free(struct policy_rules *r)
{
	policy_list_free(&r->workspaces);
	policy_list_free(&r->sources);
}

void policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	free(p->comment);
	policy_list_free(&p->optional);
	policy_list_free(&p->denied_token_ids);
	rules_free(&p->rules);
	for (size_t i = 0; i < p->n_overrides; i++) {
		free(p->overrides[i].label);
		rules_free(&p->overrides[i].rules);
	}
	free(p->overrides);
	free(p);
}
