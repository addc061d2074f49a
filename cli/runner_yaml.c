/* Filling queue.credentials.access_token into a YAML runner config.
 *
 * No YAML library is allowed in askcred, and a real parser would rewrite
 * the user's file anyway. So YAML is edited as text, one splice: the
 * access_token line is replaced, or the missing keys are inserted right under
 * their parent with the document's own indentation. That is only safe on plain
 * block-style mappings, so anything that could make the text mean something
 * else than it looks (tabs in indentation, flow style on the path, anchors,
 * aliases, merge keys, tags, several documents) is refused with file:line
 * instead of guessed at. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "runner_config.h"

struct line {
	size_t start;	/* offset of the line */
	size_t content; /* offset of the first non-blank byte */
	size_t end;	/* offset of the end, before any "\r\n" or "\n" */
	size_t next;	/* offset of the next line */
	size_t indent;	/* content - start */
	int skip;	/* blank, comment, directive or "---": not a node */
};

struct doc {
	const char *file;
	const char *text;
	size_t len;
	struct line *lines;
	size_t n;
	const char *eol;
	size_t step; /* the document's indentation step, for inserted keys */
	size_t end;  /* where to append at top level: before a final "..." */
};

/* A "key: value" line: the key's bytes and where the value starts. */
struct key {
	const char *name;
	size_t name_len;
	size_t value; /* offset of the value (or of the end of the line) */
};

static const char *const path_keys[] = {"queue", "credentials", "access_token"};

/* Line numbers as editors show them. */
#define line_no(d, i) ((unsigned)(i) + 1)

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parse "key: value" at content offset c of line l. 0 when the line is
 * not a mapping entry (a list item, a bare scalar, a complex key). */
static int parse_key(const struct doc *d, const struct line *l, struct key *k)
{
	const char *t = d->text;
	size_t p = l->content, e = l->end;

	if (t[p] == '"' || t[p] == '\'') {
		char q = t[p];

		k->name = t + p + 1;
		for (p++; p < e && t[p] != q; p++)
			if (q == '"' && t[p] == '\\' && p + 1 < e)
				p++;
		if (p >= e)
			return 0;
		k->name_len = (size_t)(t + p - k->name);
		for (p++; p < e && is_blank(t[p]); p++)
			;
		if (p >= e || t[p] != ':')
			return 0;
	} else {
		if (strchr("-?:,[]{}#&*!|>%@`", t[p]) != NULL &&
		    !(t[p] == '-' && p + 1 < e && !is_blank(t[p + 1])))
			return 0;
		k->name = t + p;
		for (; p < e; p++) {
			if (t[p] == ':' && (p + 1 == e || is_blank(t[p + 1])))
				break;
			if (t[p] == '#' && is_blank(t[p - 1]))
				return 0;
		}
		if (p >= e)
			return 0;
		k->name_len = (size_t)(t + p - k->name);
		while (k->name_len > 0 && is_blank(k->name[k->name_len - 1]))
			k->name_len--;
	}
	for (p++; p < e && is_blank(t[p]); p++)
		;
	k->value = p;
	return 1;
}

static int key_is(const struct key *k, const char *name)
{
	return k->name_len == strlen(name) &&
	       memcmp(k->name, name, k->name_len) == 0;
}

/* The value is empty: nothing but maybe a comment follows the colon. */
static int value_empty(const struct doc *d, const struct line *l, size_t v)
{
	return v >= l->end || d->text[v] == '#';
}

/* Split into lines and refuse what the line edit cannot handle safely
 * anywhere in the document: tabs in indentation, several documents,
 * anchors, aliases and merge keys (an alias could make queue mean a
 * mapping written elsewhere). Text blocks (| and >) are skipped over, so
 * their contents are never taken for YAML. */
static askcred_status scan(struct doc *d, struct askcred_error *err)
{
	const char *t = d->text;
	size_t p = 0, block_col = 0, prev_indent = 0;
	int in_block = 0, seen = 0, ended = 0, have_prev = 0;

	if (d->len >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0)
		p = 3; /* a BOM: not part of line 1's indentation */
	d->eol = "\n";
	for (size_t i = 0; p < d->len || i == 0; i++) {
		struct line *l = &d->lines[i];
		const char *nl = memchr(t + p, '\n', d->len - p);
		struct key k;
		size_t c;

		l->start = p;
		l->next = nl != NULL ? (size_t)(nl - t) + 1 : d->len;
		l->end = nl != NULL ? (size_t)(nl - t) : d->len;
		if (l->end > l->start && t[l->end - 1] == '\r') {
			l->end--;
			if (i == 0)
				d->eol = "\r\n";
		}
		for (c = p; c < l->end && is_blank(t[c]); c++)
			if (t[c] == '\t' && !in_block)
				return err_set_line(
					err, ASKCRED_CONFIG_ERROR, d->file,
					line_no(d, i),
					"a tab in the indentation; YAML "
					"indents with spaces only");
		l->content = c;
		l->indent = c - p;
		d->n = i + 1;
		p = l->next;
		l->skip = c == l->end || t[c] == '#';
		if (in_block && (l->skip || l->indent > block_col))
			continue; /* inside a | or > text block */
		in_block = 0;
		if (!l->skip && t[c] == '%' && !seen) {
			l->skip = 1; /* a directive, before the document */
			continue;
		}
		if (!l->skip && l->end - c >= 3 &&
		    (memcmp(t + c, "---", 3) == 0 ||
		     memcmp(t + c, "...", 3) == 0) &&
		    (l->end - c == 3 || is_blank(t[c + 3]))) {
			if (seen && t[c] == '-')
				return err_set_line(
					err, ASKCRED_CONFIG_ERROR, d->file,
					line_no(d, i),
					"a second YAML document; give "
					"askcred a file with one document");
			if (t[c] == '.') {
				ended = 1;
				d->end = l->start;
			}
			l->skip = 1;
			continue;
		}
		if (l->skip)
			continue;
		if (ended)
			return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
					    line_no(d, i),
					    "content after the end of the YAML "
					    "document (...)");
		seen = 1;
		if (have_prev && l->indent > prev_indent && d->step == 0)
			d->step = l->indent - prev_indent;
		have_prev = 1;
		prev_indent = l->indent;
		/* The nodes of this line: after any "- ", and the value. */
		while (c + 1 < l->end && t[c] == '-' && is_blank(t[c + 1]))
			for (c += 2; c < l->end && is_blank(t[c]); c++)
				;
		if (t[c] == '&' || t[c] == '*')
			return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
					    line_no(d, i),
					    "YAML anchors and aliases are not "
					    "supported; write the value out");
		{
			struct line sub = *l;

			sub.content = c;
			if (!parse_key(d, &sub, &k))
				continue;
		}
		if (key_is(&k, "<<"))
			return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
					    line_no(d, i),
					    "YAML merge keys (<<) are not "
					    "supported; write the keys out");
		if (k.value < l->end &&
		    (t[k.value] == '&' || t[k.value] == '*'))
			return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
					    line_no(d, i),
					    "YAML anchors and aliases are not "
					    "supported; write the value out");
		if (k.value < l->end &&
		    (t[k.value] == '|' || t[k.value] == '>')) {
			in_block = 1;
			block_col = (size_t)(k.name - t) - l->start;
			if (k.name > t &&
			    (k.name[-1] == '"' || k.name[-1] == '\''))
				block_col--;
		}
	}
	if (!ended)
		d->end = d->len;
	if (d->step == 0)
		d->step = 2;
	return ASKCRED_OK;
}

/* The first line after i that is a node, or d->n. */
static size_t next_node(const struct doc *d, size_t i)
{
	for (i++; i < d->n && d->lines[i].skip; i++)
		;
	return i;
}

/* Where the mapping under line parent (d->n: the root) ends, and the
 * indentation of its keys (0 when it has none). Refuses a parent whose
 * value is not a block mapping. */
static askcred_status children(const struct doc *d, size_t parent, size_t *end,
			       size_t *indent, struct askcred_error *err)
{
	int root = parent == d->n;
	size_t first = root ? next_node(d, (size_t)-1) : next_node(d, parent);
	size_t pind = root ? 0 : d->lines[parent].indent;
	const char *t = d->text;

	*indent = 0;
	*end = first;
	if (first < d->n && (root || d->lines[first].indent > pind)) {
		const struct line *l = &d->lines[first];

		if (t[l->content] == '{' || t[l->content] == '[')
			return err_set_line(
				err, ASKCRED_CONFIG_ERROR, d->file,
				line_no(d, first),
				"YAML flow style ({...} or [...]) cannot be "
				"edited safely; write the runner config in "
				"block style or as JSON");
		if (t[l->content] == '-')
			return err_set_line(
				err, ASKCRED_CONFIG_ERROR, d->file,
				line_no(d, first),
				"a list where the runner config needs a "
				"mapping (queue: credentials: access_token:)");
		*indent = l->indent;
		for (*end = first; *end < d->n; *end = next_node(d, *end))
			if (!root && d->lines[*end].indent <= pind)
				break;
	}
	return ASKCRED_OK;
}

/* Find the key named in the mapping [from, end) whose keys sit at indent.
 * *at is d->n when it is absent. */
static askcred_status find_key(const struct doc *d, size_t from, size_t end,
			       size_t indent, const char *name, size_t *at,
			       struct askcred_error *err)
{
	struct key k;

	*at = d->n;
	for (size_t i = from; i < end; i = next_node(d, i)) {
		const struct line *l = &d->lines[i];

		if (l->indent > indent)
			continue; /* deeper: some other key's value */
		if (l->indent < indent)
			return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
					    line_no(d, i),
					    "indentation does not line up "
					    "with the keys above it");
		if (!parse_key(d, l, &k))
			return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
					    line_no(d, i),
					    "cannot read this line as a "
					    "'key: value' entry");
		if (!key_is(&k, name))
			continue;
		if (*at != d->n)
			return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
					    line_no(d, i),
					    "key '%s' appears twice", name);
		*at = i;
	}
	return ASKCRED_OK;
}

/* A key on the path must hold a block mapping: its value is empty. */
static askcred_status check_parent(const struct doc *d, size_t i,
				   const char *name, struct askcred_error *err)
{
	const struct line *l = &d->lines[i];
	struct key k;
	char c;

	parse_key(d, l, &k);
	if (value_empty(d, l, k.value))
		return ASKCRED_OK;
	c = d->text[k.value];
	return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file, line_no(d, i),
			    "'%s' %s", name,
			    c == '{' || c == '['
				    ? "is in YAML flow style ({...}), which "
				      "cannot be edited safely; write it in "
				      "block style or as JSON"
			    : c == '!' ? "carries a YAML tag; remove it"
				       : "must be a mapping, not a value");
}

/* The splice: replace text [from, to) by head, the quoted token, tail. */
struct splice {
	size_t from, to;
	char head[256];
	const char *tail;
};

static void add_spaces(char *buf, size_t size, size_t n)
{
	size_t used = strlen(buf);

	while (n-- > 0 && used + 1 < size)
		buf[used++] = ' ';
	buf[used] = '\0';
}

static void add_str(char *buf, size_t size, const char *s)
{
	size_t used = strlen(buf);

	snprintf(buf + used, size - used, "%s", s);
}

/* The missing keys from depth on, each under the last, at indent. */
static void insert_keys(const struct doc *d, size_t at, int depth,
			size_t indent, struct splice *s)
{
	s->from = s->to = at;
	s->head[0] = '\0';
	if (at == d->len && at > 0 && d->text[at - 1] != '\n')
		add_str(s->head, sizeof(s->head), d->eol);
	for (int k = depth; k < 3; k++) {
		add_spaces(s->head, sizeof(s->head),
			   indent + (size_t)(k - depth) * d->step);
		add_str(s->head, sizeof(s->head), path_keys[k]);
		add_str(s->head, sizeof(s->head), k < 2 ? ":" : ": ");
		if (k < 2)
			add_str(s->head, sizeof(s->head), d->eol);
	}
	s->tail = d->eol;
}

/* Replace access_token's value on line i, with any continuation lines of
 * a multi-line or | > value (lines indented deeper than the key). */
static askcred_status replace_value(const struct doc *d, size_t i,
				    struct splice *s, struct askcred_error *err)
{
	const struct line *l = &d->lines[i];
	const char *t = d->text;
	size_t last = i, n;
	struct key k;

	parse_key(d, l, &k);
	if (k.value < l->end && (t[k.value] == '"' || t[k.value] == '\'')) {
		size_t p = k.value + 1;

		while (p < l->end && t[p] != t[k.value])
			p += t[k.value] == '"' && t[p] == '\\' ? 2 : 1;
		if (p >= l->end)
			return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
					    line_no(d, i),
					    "the quoted access_token runs "
					    "over several lines; put it on "
					    "one line");
	}
	for (size_t j = i + 1; j < d->n; j++)
		if (!d->lines[j].skip) {
			if (d->lines[j].indent <= l->indent)
				break;
			last = j;
		}
	n = k.value - l->start;
	if (n + 2 > sizeof(s->head))
		return err_set_line(err, ASKCRED_CONFIG_ERROR, d->file,
				    line_no(d, i), "line too long to edit");
	memcpy(s->head, t + l->start, n);
	s->head[n] = '\0';
	if (k.value == l->end || !is_blank(t[k.value - 1]))
		add_str(s->head, sizeof(s->head), " ");
	s->from = l->start;
	s->to = d->lines[last].end;
	s->tail = "";
	return ASKCRED_OK;
}

static askcred_status plan_yaml(struct doc *d, struct splice *s,
				struct askcred_error *err)
{
	size_t parent, end, indent, at;
	askcred_status rc;

	rc = scan(d, err);
	parent = d->n; /* the root */
	for (int depth = 0; rc == ASKCRED_OK && depth < 3; depth++) {
		rc = children(d, parent, &end, &indent, err);
		if (rc != ASKCRED_OK)
			break;
		if (end == (parent == d->n ? next_node(d, (size_t)-1)
					   : next_node(d, parent))) {
			/* No keys under the parent: add them all. */
			if (parent == d->n)
				insert_keys(d, d->end, depth, indent, s);
			else
				insert_keys(d, d->lines[parent].next, depth,
					    d->lines[parent].indent + d->step,
					    s);
			return ASKCRED_OK;
		}
		rc = find_key(d,
			      parent == d->n ? next_node(d, (size_t)-1)
					     : next_node(d, parent),
			      end, indent, path_keys[depth], &at, err);
		if (rc != ASKCRED_OK)
			break;
		if (at == d->n) {
			insert_keys(d,
				    parent == d->n ? d->end
						   : d->lines[parent].next,
				    depth, indent, s);
			return ASKCRED_OK;
		}
		if (depth == 2)
			return replace_value(d, at, s, err);
		rc = check_parent(d, at, path_keys[depth], err);
		parent = at;
	}
	return rc;
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

askcred_status runner_yaml_edit(const char *file, const char *text, size_t len,
				const char *token, size_t token_len,
				struct secret *out, struct askcred_error *err)
{
	struct doc d = {.file = file, .text = text, .len = len};
	struct splice s;
	size_t lines = 1, qlen, total, head_len, tail_len;
	askcred_status rc;
	char *buf = NULL, *p;

	for (const char *q = text;
	     (q = memchr(q, '\n', len - (size_t)(q - text))) != NULL; q++)
		lines++;
	d.lines = calloc(lines, sizeof(*d.lines));
	if (d.lines == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, file,
			       "cannot hold the runner config in memory");
	rc = plan_yaml(&d, &s, err);
	if (rc != ASKCRED_OK)
		goto out;
	qlen = yaml_quote(token, token_len, NULL);
	head_len = strlen(s.head);
	tail_len = strlen(s.tail);
	total = len - (s.to - s.from) + head_len + qlen + 2 + tail_len;
	buf = malloc(total + 1);
	if (buf == NULL) {
		rc = err_set(err, ASKCRED_NO_MEMORY, file,
			     "cannot hold the runner config in memory");
		goto out;
	}
	p = buf;
	memcpy(p, text, s.from), p += s.from;
	memcpy(p, s.head, head_len), p += head_len;
	*p++ = '"';
	p += yaml_quote(token, token_len, p);
	*p++ = '"';
	memcpy(p, s.tail, tail_len), p += tail_len;
	memcpy(p, text + s.to, len - s.to), p += len - s.to;
	*p = '\0';
	secret_adopt(out, buf, total);
out:
	free(d.lines);
	return rc;
}
