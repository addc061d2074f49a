/* Stack file grammar: comments, continuations, words, bracketed words.
 * Mirrors Linux-PAM's config reader so an administrator's habits carry
 * over; anything it cannot read fails the whole stack (fail closed). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "stack_parse.h"

static const char *const op_words[ASKCRED_OP_COUNT] = {
	[ASKCRED_OP_FETCH] = "fetch",
	[ASKCRED_OP_VALIDATE] = "validate",
	[ASKCRED_OP_REFRESH] = "refresh",
	[ASKCRED_OP_REVOKE] = "revoke",
};

const char *op_name(enum askcred_op op)
{
	return (unsigned)op < ASKCRED_OP_COUNT ? op_words[op] : "?";
}

int op_parse(const char *word)
{
	for (int i = 0; i < ASKCRED_OP_COUNT; i++)
		if (strcmp(word, op_words[i]) == 0)
			return i;
	return -1;
}

/* A cursor over one logical line, which it edits in place: words are
 * NUL-terminated where they end and bracket escapes are undone. */
struct cursor {
	char *p;
	const char *file;
	unsigned line;
	struct askcred_error *err;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Next plain word, or NULL at the end of the line. */
static char *next_word(struct cursor *c)
{
	char *start;

	while (is_blank(*c->p))
		c->p++;
	if (*c->p == '\0')
		return NULL;
	start = c->p;
	while (*c->p != '\0' && !is_blank(*c->p))
		c->p++;
	if (*c->p != '\0')
		*c->p++ = '\0';
	return start;
}

/* The control word: a keyword, or "[...]" kept whole (brackets included)
 * since it may contain blanks. *bad is 1 for an unterminated '[', 2 when
 * no blank follows the ']'. */
static char *next_control(struct cursor *c, int *bad)
{
	char *start, *close;

	*bad = 0;
	while (is_blank(*c->p))
		c->p++;
	if (*c->p != '[')
		return next_word(c);
	start = c->p;
	close = strchr(start, ']');
	if (close == NULL) {
		*bad = 1;
		return NULL;
	}
	c->p = close + 1;
	if (*c->p != '\0' && !is_blank(*c->p)) {
		*bad = 2; /* "[...]module": the blank after ']' is missing */
		return NULL;
	}
	if (*c->p != '\0')
		c->p++;
	close[1] = '\0';
	return start;
}

/* A module argument: a word, or "[...]" holding blanks, with "\]" for a
 * literal ']' (the brackets are dropped). *bad set when unterminated. */
static char *next_arg(struct cursor *c, int *bad)
{
	char *start, *w;

	*bad = 0;
	while (is_blank(*c->p))
		c->p++;
	if (*c->p != '[')
		return next_word(c);
	start = w = ++c->p;
	for (;;) {
		if (*c->p == '\0') {
			*bad = 1;
			return NULL;
		}
		if (c->p[0] == '\\' && c->p[1] == ']') {
			*w++ = ']';
			c->p += 2;
			continue;
		}
		if (*c->p == ']')
			break;
		*w++ = *c->p++;
	}
	c->p++; /* past ']' */
	*w = '\0';
	return start;
}

static void line_free(struct parsed_line *pl)
{
	free(pl->module);
	for (int i = 0; i < pl->argc; i++)
		free(pl->argv[i]);
	free(pl->argv);
	memset(pl, 0, sizeof(*pl));
}

void parsed_stack_free(struct parsed_stack *ps)
{
	for (size_t i = 0; i < ps->count; i++)
		line_free(&ps->lines[i]);
	free(ps->lines);
	ps->lines = NULL;
	ps->count = 0;
}

static askcred_status fail(struct cursor *c, const char *what)
{
	return err_set_line(c->err, ASKCRED_CONFIG_ERROR, c->file, c->line,
			    "%s", what);
}

/* Parse one logical line (blank lines never get here). */
static askcred_status parse_line(struct cursor *c, struct parsed_line *pl)
{
	char *word, *args[STACK_ARGS_MAX];
	int op, bad, n = 0;
	askcred_status rc;

	memset(pl, 0, sizeof(*pl));
	pl->line = c->line;
	word = next_word(c);
	if (word[0] == '-') {
		pl->may_be_missing = 1;
		word++;
	}
	op = op_parse(word);
	if (op < 0)
		return err_set_line(c->err, ASKCRED_CONFIG_ERROR, c->file,
				    c->line,
				    "unknown operation \"%.40s\"; use fetch, "
				    "validate, refresh or revoke",
				    word);
	pl->op = (enum askcred_op)op;
	word = next_control(c, &bad);
	if (bad == 2)
		return fail(c, "no blank after ']' in the control; put a "
			       "blank between the control's ']' and the "
			       "module");
	if (bad)
		return fail(c, "unterminated '[' in the control; close it "
			       "with ']' and a blank before the module");
	if (word == NULL)
		return fail(c, "missing control and module after the "
			       "operation");
	if (strcmp(word, "include") == 0 || strcmp(word, "substack") == 0) {
		pl->kind = word[0] == 'i' ? LINE_INCLUDE : LINE_SUBSTACK;
		if (pl->may_be_missing)
			return fail(c, "a '-' line must name a module; "
				       "include and substack take none");
		word = next_word(c);
		if (word == NULL)
			return fail(c, "missing stack name after include or "
				       "substack");
		if (next_word(c) != NULL)
			return fail(c, "include and substack take one stack "
				       "name or path and no arguments");
		/* No arguments, but the same shape as a module line: an
		 * argv holding only its NULL, for whoever walks it. */
		pl->module = strdup(word);
		pl->argv = calloc(1, sizeof(*pl->argv));
		if (pl->module == NULL || pl->argv == NULL)
			goto nomem;
		return ASKCRED_OK;
	}
	rc = control_parse(word, &pl->control, c->file, c->line, c->err);
	if (rc != ASKCRED_OK)
		return rc;
	word = next_word(c);
	if (word == NULL)
		return fail(c, "missing module after the control");
	for (;;) {
		char *arg = next_arg(c, &bad);

		if (bad)
			return fail(c, "unterminated '[' in a module "
				       "argument; close it with ']' (write "
				       "\\] for a literal bracket)");
		if (arg == NULL)
			break;
		if (n == STACK_ARGS_MAX)
			return err_set_line(c->err, ASKCRED_CONFIG_ERROR,
					    c->file, c->line,
					    "more than %d module arguments",
					    STACK_ARGS_MAX);
		args[n++] = arg;
	}
	pl->module = strdup(word);
	pl->argv = calloc((size_t)n + 1, sizeof(*pl->argv));
	if (pl->module == NULL || pl->argv == NULL)
		goto nomem;
	for (pl->argc = 0; pl->argc < n; pl->argc++)
		if ((pl->argv[pl->argc] = strdup(args[pl->argc])) == NULL)
			goto nomem;
	return ASKCRED_OK;
nomem:
	line_free(pl);
	return err_set(c->err, ASKCRED_NO_MEMORY, c->file, "out of memory");
}

/* Append one physical line (comment cut, trailing blanks dropped) to the
 * logical line in buf. Returns 1 when it ends in a continuation. */
static int join_physical(const char *s, size_t n, char *buf, size_t *used,
			 int *too_long)
{
	const char *hash = memchr(s, '#', n);
	int cont = 0;

	if (hash != NULL)
		n = (size_t)(hash - s);
	while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	if (n > 0 && s[n - 1] == '\\') {
		cont = 1;
		n--;
	}
	/* Keep one byte for the joining blank and one for the NUL. */
	if (*used + n + 2 > STACK_LINE_MAX) {
		*too_long = 1;
		return cont;
	}
	memcpy(buf + *used, s, n);
	*used += n;
	if (cont)
		buf[(*used)++] = ' ';
	buf[*used] = '\0';
	return cont;
}

static askcred_status add_line(struct parsed_stack *ps, struct parsed_line *pl,
			       const char *file, struct askcred_error *err)
{
	struct parsed_line *grown;

	grown = realloc(ps->lines, (ps->count + 1) * sizeof(*grown));
	if (grown == NULL) {
		line_free(pl);
		return err_set(err, ASKCRED_NO_MEMORY, file, "out of memory");
	}
	ps->lines = grown;
	ps->lines[ps->count++] = *pl;
	return ASKCRED_OK;
}

static int has_control_char(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

askcred_status stack_parse(const char *file, const char *text, size_t len,
			   struct parsed_stack *out, struct askcred_error *err)
{
	struct parsed_stack ps = {NULL, 0};
	askcred_status rc = ASKCRED_OK;
	char *buf = malloc(STACK_LINE_MAX);
	size_t pos = 0;
	unsigned lineno = 1;

	if (buf == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, file, "out of memory");
	while (pos < len) {
		struct cursor c = {buf, file, lineno, err};
		struct parsed_line pl;
		size_t used = 0;
		int cont, too_long = 0, nul = 0;

		buf[0] = '\0';
		do {
			const char *s = text + pos;
			const char *nl = memchr(s, '\n', len - pos);
			size_t n = nl ? (size_t)(nl - s) : len - pos;

			if (memchr(s, '\0', n) != NULL)
				nul = 1;
			cont = join_physical(s, n, buf, &used, &too_long);
			pos += n + (nl != NULL);
			lineno++;
		} while (cont && pos < len);
		if (nul) {
			rc = fail(&c, "the line contains a NUL byte");
			goto out;
		}
		if (too_long) {
			rc = err_set_line(err, ASKCRED_CONFIG_ERROR, file,
					  c.line,
					  "line is longer than %d bytes",
					  STACK_LINE_MAX - 2);
			goto out;
		}
		if (has_control_char(buf)) {
			rc = fail(&c, "the line contains a control character");
			goto out;
		}
		if (buf[strspn(buf, " \t")] == '\0')
			continue;
		rc = parse_line(&c, &pl);
		if (rc != ASKCRED_OK)
			goto out;
		rc = add_line(&ps, &pl, file, err);
		if (rc != ASKCRED_OK)
			goto out;
	}
	*out = ps;
	ps.lines = NULL;
	ps.count = 0;
out:
	parsed_stack_free(&ps);
	free(buf);
	return rc;
}
