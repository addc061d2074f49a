/* Filling queue.credentials.access_token into a YAML runner config.
 *
 * libyaml parses the document; its events give the exact bytes of every
 * node. The edit is then one splice of the user's own text: the value of
 * access_token is replaced, or the missing keys are inserted under their
 * parent with the document's own indentation. Comments, quoting and the
 * types of every other value stay as the user wrote them, which a rewrite
 * of the whole document (YAML's types do not survive a round trip through
 * JSON) would not keep. Anything that could make the path mean something
 * else than its text (anchors and aliases anywhere, tags, merge keys or
 * flow style on the path, several documents) is refused with file:line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <yaml.h>

#include "error.h"
#include "runner_config.h"

static const char *const path_keys[] = {"queue", "credentials", "access_token"};
#define PATH_LEN 3

/* The splice, planned while walking and built when the document's
 * indentation step is known: replace text [from, to) by the missing keys
 * from depth on (insert) or by the token alone (replace). */
struct plan {
	int done;
	int insert;
	size_t from, to;
	int depth;	   /* insert: the first missing key */
	size_t indent;	   /* insert: the column of that key */
	int under_a_value; /* insert: indent is the parent's, plus the step */
};

struct walk {
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_ev;
	const char *file;
	const char *text;
	size_t len;
	size_t step; /* the document's indentation step; 0 until seen */
	struct plan plan;
	struct askcred_error *err;
};

static unsigned line_of(const yaml_mark_t *m)
{
	return (unsigned)m->line + 1;
}

static askcred_status refuse(struct walk *w, const yaml_mark_t *m,
			     const char *why)
{
	return err_set_line(w->err, ASKCRED_CONFIG_ERROR, w->file, line_of(m),
			    "%s", why);
}

/* The event's anchor, or NULL; aliases are events of their own. */
static const yaml_char_t *anchor_of(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		return e->data.scalar.anchor;
	case YAML_MAPPING_START_EVENT:
		return e->data.mapping_start.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return e->data.sequence_start.anchor;
	default:
		return NULL;
	}
}

static const yaml_char_t *tag_of(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		return e->data.scalar.tag;
	case YAML_MAPPING_START_EVENT:
		return e->data.mapping_start.tag;
	case YAML_SEQUENCE_START_EVENT:
		return e->data.sequence_start.tag;
	default:
		return NULL;
	}
}

/* The old value may be a token too: scalars are wiped before libyaml
 * frees them. */
static void drop_event(struct walk *w)
{
	if (!w->have_ev)
		return;
	if (w->ev.type == YAML_SCALAR_EVENT && w->ev.data.scalar.value != NULL)
		OPENSSL_cleanse(w->ev.data.scalar.value,
				w->ev.data.scalar.length);
	yaml_event_delete(&w->ev);
	w->have_ev = 0;
}

/* The next event. An alias, or an anchor one could alias, is refused
 * wherever it is: through an alias the path, and so the token, could
 * appear in a second place of the document. */
static askcred_status next(struct walk *w)
{
	yaml_parser_t *p = &w->parser;

	drop_event(w);
	if (!yaml_parser_parse(p, &w->ev)) {
		size_t at = p->problem_mark.index;

		if (p->error == YAML_MEMORY_ERROR)
			return err_set(w->err, ASKCRED_NO_MEMORY, w->file,
				       "cannot hold the runner config in "
				       "memory");
		if (at < w->len && w->text[at] == '\t')
			return refuse(w, &p->problem_mark,
				      "a tab where YAML wants spaces: indent "
				      "with spaces only");
		return err_set_line(
			w->err, ASKCRED_CONFIG_ERROR, w->file,
			line_of(&p->problem_mark), "not valid YAML: %s%s%s",
			p->problem ? p->problem : "parse error",
			p->context ? " " : "", p->context ? p->context : "");
	}
	w->have_ev = 1;
	if (w->ev.type == YAML_ALIAS_EVENT || anchor_of(&w->ev) != NULL)
		return refuse(w, &w->ev.start_mark,
			      "anchors and aliases (& and *) are not "
			      "supported in a runner config");
	return ASKCRED_OK;
}

/* Start of the line holding index at, if only blanks precede at on it. */
static int line_start(const struct walk *w, size_t at, size_t column,
		      size_t *out)
{
	if (column > at)
		return 0;
	for (size_t i = at - column; i < at; i++)
		if (w->text[i] != ' ')
			return 0;
	*out = at - column;
	return 1;
}

/* Just after the end of the line holding index at. */
static size_t after_line(const struct walk *w, size_t at)
{
	const char *nl = memchr(w->text + at, '\n', w->len - at);

	return nl ? (size_t)(nl - w->text) + 1 : w->len;
}

/* A scalar whose whole value is s (a "\0" inside does not match). */
static int scalar_is(const yaml_event_t *e, const char *s)
{
	return e->type == YAML_SCALAR_EVENT &&
	       e->data.scalar.length == strlen(s) &&
	       memcmp(e->data.scalar.value, s, e->data.scalar.length) == 0;
}

/* The document's step, from the first block mapping nested under a key:
 * how much deeper its keys sit than that key. */
static void learn_step(struct walk *w, const yaml_event_t *start,
		       size_t first_col, size_t parent_col)
{
	if (w->step == 0 && start->start_mark.line > 0 &&
	    start->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE &&
	    first_col > parent_col)
		w->step = first_col - parent_col;
}

static void plan_insert(struct walk *w, size_t at, int depth, size_t indent,
			int under_a_value)
{
	w->plan = (struct plan){.done = 1,
				.insert = 1,
				.from = at,
				.to = at,
				.depth = depth,
				.indent = indent,
				.under_a_value = under_a_value};
}

static askcred_status walk_node(struct walk *w, int depth, size_t key_col);

/* A value off the path, or a key: walked for its events only. */
static askcred_status walk_off(struct walk *w)
{
	return walk_node(w, -1, 0);
}

/* access_token's value: a scalar, replaced whole. A block scalar (| or >)
 * ends after its last line break; the splice keeps that break. */
static askcred_status plan_replace(struct walk *w)
{
	const yaml_event_t *e = &w->ev;
	size_t from = e->start_mark.index, to = e->end_mark.index;

	if (e->type != YAML_SCALAR_EVENT)
		return refuse(w, &e->start_mark,
			      "queue.credentials.access_token must be a "
			      "single value, not a mapping or a list");
	if (tag_of(e) != NULL)
		return refuse(w, &e->start_mark,
			      "a tag (!) on queue.credentials.access_token is "
			      "not supported");
	if (e->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
	    e->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
		while (to > from && strchr(" \t\r\n", w->text[to - 1]) != NULL)
			to--;
	w->plan = (struct plan){.done = 1, .from = from, .to = to};
	return ASKCRED_OK;
}

/* A mapping on the path at depth: find path_keys[depth] in it. */
static askcred_status walk_path_mapping(struct walk *w, int depth,
					size_t parent_col)
{
	yaml_event_t start_ev = w->ev;
	yaml_mark_t start = w->ev.start_mark;
	size_t first_at = 0, first_col = 0;
	int keys = 0, found = 0;
	askcred_status rc;

	if (w->ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE)
		return refuse(w, &start,
			      depth == 0 ? "a flow style ({...}) document is "
					   "not supported here; use block "
					   "style or JSON"
					 : "flow style ({...}) on the path to "
					   "access_token is not supported; use "
					   "block style");
	for (;;) {
		yaml_mark_t key_mark;
		size_t key_col;
		int is_path_key;

		if ((rc = next(w)) != ASKCRED_OK)
			return rc;
		if (w->ev.type == YAML_MAPPING_END_EVENT)
			break;
		key_mark = w->ev.start_mark;
		key_col = key_mark.column;
		if (keys++ == 0) {
			first_col = key_col;
			if (depth > 0)
				learn_step(w, &start_ev, key_col, parent_col);
			if (depth > 0 &&
			    !line_start(w, key_mark.index, key_col, &first_at))
				return refuse(w, &key_mark,
					      "put the first key under this "
					      "mapping on a line of its own");
		}
		is_path_key = scalar_is(&w->ev, path_keys[depth]);
		if (scalar_is(&w->ev, "<<"))
			return refuse(w, &key_mark,
				      "merge keys (<<) are not supported on "
				      "the path to access_token");
		if (!is_path_key) {
			if ((rc = walk_off(w)) != ASKCRED_OK ||
			    (rc = next(w)) != ASKCRED_OK)
				return rc;
			if ((rc = walk_node(w, -1, key_col)) != ASKCRED_OK)
				return rc;
			continue;
		}
		if (found)
			return err_set_line(w->err, ASKCRED_CONFIG_ERROR,
					    w->file, line_of(&key_mark),
					    "'%s' is there twice",
					    path_keys[depth]);
		found = 1;
		if ((rc = next(w)) != ASKCRED_OK)
			return rc;
		rc = depth == PATH_LEN - 1 ? plan_replace(w)
					   : walk_node(w, depth + 1, key_col);
		if (rc != ASKCRED_OK)
			return rc;
	}
	if (found)
		return ASKCRED_OK;
	/* The key is missing: the root gets it at its end, as a user would
	 * append it; a nested mapping as its first key. */
	if (depth == 0) {
		size_t at = w->ev.start_mark.index;

		plan_insert(w, at, 0, keys ? first_col : 0, 0);
	} else {
		plan_insert(w, first_at, depth, first_col, 0);
	}
	return ASKCRED_OK;
}

/* The node whose first event is current. depth: where it is on the path
 * (0 the root, 1 queue's value, 2 credentials' value), -1 off it. key_col:
 * the column of the key it is the value of. */
static askcred_status walk_node(struct walk *w, int depth, size_t key_col)
{
	yaml_mark_t start = w->ev.start_mark;
	yaml_event_t start_ev;
	askcred_status rc;

	if (depth >= 0 && tag_of(&w->ev) != NULL)
		return err_set_line(
			w->err, ASKCRED_CONFIG_ERROR, w->file, line_of(&start),
			"a tag (!) on %s is not supported",
			depth == 0 ? "the document" : path_keys[depth - 1]);
	switch (w->ev.type) {
	case YAML_SCALAR_EVENT:
		if (depth < 0)
			return ASKCRED_OK;
		/* "queue:" with nothing after it: the keys go under it. */
		if (w->ev.data.scalar.length == 0 &&
		    w->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			plan_insert(w, after_line(w, start.index), depth,
				    key_col, depth > 0);
			return ASKCRED_OK;
		}
		if (depth == 0)
			return refuse(w, &start,
				      "the runner config must be a mapping "
				      "of keys, not a single value");
		return err_set_line(w->err, ASKCRED_CONFIG_ERROR, w->file,
				    line_of(&start),
				    "'%s' must be a mapping (of keys), not a "
				    "value",
				    path_keys[depth - 1]);
	case YAML_SEQUENCE_START_EVENT:
		if (depth == 0)
			return refuse(w, &start,
				      "the runner config is a list; it must "
				      "be a mapping of keys");
		if (depth > 0)
			return err_set_line(w->err, ASKCRED_CONFIG_ERROR,
					    w->file, line_of(&start),
					    "'%s' must be a mapping, not a "
					    "list",
					    path_keys[depth - 1]);
		for (;;) {
			if ((rc = next(w)) != ASKCRED_OK)
				return rc;
			if (w->ev.type == YAML_SEQUENCE_END_EVENT)
				return ASKCRED_OK;
			if ((rc = walk_off(w)) != ASKCRED_OK)
				return rc;
		}
	case YAML_MAPPING_START_EVENT:
		if (depth >= 0)
			return walk_path_mapping(w, depth, key_col);
		start_ev = w->ev;
		for (int first = 1;; first = 0) {
			size_t col;

			if ((rc = next(w)) != ASKCRED_OK)
				return rc;
			if (w->ev.type == YAML_MAPPING_END_EVENT)
				return ASKCRED_OK;
			col = w->ev.start_mark.column;
			if (first)
				learn_step(w, &start_ev, col, key_col);
			if ((rc = walk_off(w)) != ASKCRED_OK ||
			    (rc = next(w)) != ASKCRED_OK ||
			    (rc = walk_node(w, -1, col)) != ASKCRED_OK)
				return rc;
		}
	default:
		return refuse(w, &start, "unexpected YAML event");
	}
}

/* The stream: no document (the keys are appended), or exactly one. */
static askcred_status walk_stream(struct walk *w)
{
	askcred_status rc;

	if ((rc = next(w)) != ASKCRED_OK || (rc = next(w)) != ASKCRED_OK)
		return rc;
	if (w->ev.type == YAML_STREAM_END_EVENT) {
		plan_insert(w, w->len, 0, 0, 0);
		return ASKCRED_OK;
	}
	if ((rc = next(w)) != ASKCRED_OK ||
	    (rc = walk_node(w, 0, 0)) != ASKCRED_OK ||
	    (rc = next(w)) != ASKCRED_OK)
		return rc;
	/* A "..." ending the document: what is appended goes before it. */
	if (w->ev.type == YAML_DOCUMENT_END_EVENT &&
	    w->ev.end_mark.index > w->ev.start_mark.index && w->plan.insert &&
	    w->plan.depth == 0 && w->plan.from > w->ev.start_mark.index)
		w->plan.from = w->plan.to = w->ev.start_mark.index;
	if ((rc = next(w)) != ASKCRED_OK)
		return rc;
	if (w->ev.type != YAML_STREAM_END_EVENT)
		return refuse(w, &w->ev.start_mark,
			      "a second YAML document; the runner config is "
			      "one document");
	return ASKCRED_OK;
}

/* Double-quoted YAML scalar: \" \\ and \xNN for control bytes; bytes of
 * 0x80 and up pass as they are (UTF-8). n is the length without quotes. */
static size_t yaml_quote(const char *s, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			if (out)
				out[n] = '\\', out[n + 1] = (char)c;
			n += 2;
		} else if (c < 0x20 || c == 0x7f) {
			if (out) {
				memcpy(out + n, "\\x", 2);
				out[n + 2] = hex[c >> 4];
				out[n + 3] = hex[c & 15];
			}
			n += 4;
		} else {
			if (out)
				out[n] = (char)c;
			n++;
		}
	}
	return n;
}

static void add(char *buf, size_t size, const char *s, size_t spaces)
{
	size_t used = strlen(buf);

	while (spaces-- > 0 && used + 1 < size)
		buf[used++] = ' ';
	snprintf(buf + used, size - used, "%s", s);
}

/* What goes before the quoted token (the missing keys, or a blank after a
 * bare "access_token:") and after it (a line end for inserted keys). */
static void splice_text(const struct walk *w, char *head, size_t size,
			const char **tail)
{
	const struct plan *pl = &w->plan;
	const char *nl = memchr(w->text, '\n', w->len);
	const char *eol =
		nl != NULL && nl > w->text && nl[-1] == '\r' ? "\r\n" : "\n";
	size_t step = w->step ? w->step : 2;
	size_t indent = pl->indent + (pl->under_a_value ? step : 0);

	head[0] = '\0';
	*tail = "";
	if (!pl->insert) {
		if (pl->from > 0 && w->text[pl->from - 1] == ':')
			add(head, size, " ", 0);
		return;
	}
	if (pl->from == w->len && pl->from > 0 && w->text[pl->from - 1] != '\n')
		add(head, size, eol, 0);
	for (int k = pl->depth; k < PATH_LEN; k++) {
		add(head, size, path_keys[k],
		    indent + (size_t)(k - pl->depth) * step);
		add(head, size, k < PATH_LEN - 1 ? ":" : ": ", 0);
		if (k < PATH_LEN - 1)
			add(head, size, eol, 0);
	}
	*tail = eol;
}

askcred_status runner_yaml_edit(const char *file, const char *text, size_t len,
				const char *token, size_t token_len,
				struct secret *out, struct askcred_error *err)
{
	struct walk w = {.file = file, .text = text, .len = len, .err = err};
	size_t qlen, total, head_len, tail_len;
	const char *tail;
	char head[256], *buf, *p;
	askcred_status rc;

	if (!yaml_parser_initialize(&w.parser))
		return err_set(err, ASKCRED_NO_MEMORY, file,
			       "cannot hold the runner config in memory");
	yaml_parser_set_input_string(&w.parser, (const unsigned char *)text,
				     len);
	rc = walk_stream(&w);
	drop_event(&w);
	/* libyaml keeps a decoded copy of the text, the old token with it. */
	if (w.parser.buffer.start != NULL)
		OPENSSL_cleanse(
			w.parser.buffer.start,
			(size_t)(w.parser.buffer.end - w.parser.buffer.start));
	yaml_parser_delete(&w.parser);
	if (rc != ASKCRED_OK)
		return rc;
	if (!w.plan.done)
		return err_set(err, ASKCRED_INTERNAL, file,
			       "no place found for the access_token");
	splice_text(&w, head, sizeof(head), &tail);
	qlen = yaml_quote(token, token_len, NULL);
	head_len = strlen(head);
	tail_len = strlen(tail);
	total = len - (w.plan.to - w.plan.from) + head_len + qlen + 2 +
		tail_len;
	buf = malloc(total + 1);
	if (buf == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, file,
			       "cannot hold the runner config in memory");
	p = buf;
	memcpy(p, text, w.plan.from), p += w.plan.from;
	memcpy(p, head, head_len), p += head_len;
	*p++ = '"';
	p += yaml_quote(token, token_len, p);
	*p++ = '"';
	memcpy(p, tail, tail_len), p += tail_len;
	memcpy(p, text + w.plan.to, len - w.plan.to), p += len - w.plan.to;
	*p = '\0';
	secret_adopt(out, buf, total);
	return ASKCRED_OK;
}
