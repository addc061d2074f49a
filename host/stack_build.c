/* Building an open stack's steps from its file: reading and parsing each
 * file once, expanding include and substack lines (pam.conf(5)), skipping
 * '-' lines whose module is not installed, and loading the modules. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "safefile.h"
#include "secret.h"
#include "stack_build.h"
#include "stack_parse.h"

#define STACK_NAME_MAX 128

static const struct file_rules stack_rules = {
	.what = "stack file",
	.forbidden = 022,
	.allow_root = 1,
	.max_size = STACK_FILE_MAX,
};

/* A bare stack name is one plain word, so it cannot leave stack_dir. */
static int plain_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= STACK_NAME_MAX || s[0] == '.')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+@") == n;
}

askcred_status stack_locate(const char *name_or_path, const char *stack_dir,
			    char **path, struct askcred_error *err)
{
	size_t n;

	if (strchr(name_or_path, '/') != NULL) {
		*path = strdup(name_or_path);
	} else {
		if (!plain_name(name_or_path))
			return err_set(err, ASKCRED_CONFIG_ERROR, "stack name",
				       "stack name \"%.40s\" is not a plain "
				       "word (letters, digits, . _ - + @, "
				       "not starting with '.'); give a path "
				       "with a '/' to open another file",
				       name_or_path);
		n = strlen(stack_dir) + strlen(name_or_path) + 2;
		if ((*path = malloc(n)) != NULL)
			snprintf(*path, n, "%s/%s", stack_dir, name_or_path);
	}
	if (*path == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	return ASKCRED_OK;
}

/* Nesting of include and substack: deep enough for any layout an admin
 * writes, shallow enough that a loop ends in a clear error. */
#define INCLUDE_DEPTH_MAX 8

/* One file read while opening: parsed once, walked once per operation. */
struct loaded {
	char *path;
	struct parsed_stack ps;
};

/* The state of expanding a stack into steps. */
struct expand {
	askcred_stack *st;
	const struct askcred_options *opts;
	struct loaded *files;
	size_t nfiles;
	size_t cap[ASKCRED_OP_COUNT];
	const char *chain[INCLUDE_DEPTH_MAX + 1]; /* files being expanded */
	int depth;
	struct askcred_error *err;
};

/* The parsed lines of path, read on first use: *out indexes x->files
 * (which a later load may move; the lines and path it holds do not). */
static askcred_status load(struct expand *x, char *path, size_t *out)
{
	struct loaded *grown;
	char *text = NULL;
	size_t len = 0;
	askcred_status rc;

	for (size_t i = 0; i < x->nfiles; i++) {
		if (strcmp(x->files[i].path, path) == 0) {
			free(path);
			*out = i;
			return ASKCRED_OK;
		}
	}
	grown = realloc(x->files, (x->nfiles + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(path);
		return err_set(x->err, ASKCRED_NO_MEMORY, NULL,
			       "out of memory");
	}
	x->files = grown;
	*out = x->nfiles;
	x->files[x->nfiles].path = path;
	x->files[x->nfiles].ps.lines = NULL;
	x->files[x->nfiles].ps.count = 0;
	x->nfiles++;
	rc = safe_read_file(path, &stack_rules, &text, &len, x->err);
	if (rc == ASKCRED_OK)
		rc = stack_parse(path, text, len, &x->files[*out].ps, x->err);
	if (text != NULL)
		free_wiped(text, len + 1);
	return rc;
}

static askcred_status add_step(struct expand *x, const struct parsed_line *pl,
			       const char *file, unsigned level)
{
	askcred_stack *st = x->st;
	struct stack_step *step;
	struct module *mod;
	askcred_status rc;
	char *path = NULL;
	size_t *n = &st->nsteps[pl->op];

	st->where_file = file;
	rc = module_resolve(pl->module,
			    OPT(x->opts, module_dir, ASKCRED_MODULE_DIR), &path,
			    file, pl->line, x->err);
	if (rc != ASKCRED_OK)
		return rc;
	if (pl->may_be_missing && access(path, F_OK) != 0 && errno == ENOENT) {
		host_log(st, ASKCRED_LOG_DEBUG,
			 "%s:%u: module %s is not installed; the '-' line is "
			 "skipped",
			 file, pl->line, path);
		free(path);
		return ASKCRED_OK;
	}
	if (*n == x->cap[pl->op]) {
		size_t cap = x->cap[pl->op] ? 2 * x->cap[pl->op] : 8;
		struct stack_step *grown =
			realloc(st->steps[pl->op], cap * sizeof(*grown));

		if (grown == NULL) {
			free(path);
			return err_set(x->err, ASKCRED_NO_MEMORY, file,
				       "out of memory");
		}
		st->steps[pl->op] = grown;
		x->cap[pl->op] = cap;
	}
	step = &st->steps[pl->op][*n];
	memset(step, 0, sizeof(*step));
	step->file = file;
	step->line = pl->line;
	step->control = pl->control;
	step->level = level;
	rc = module_load(st, path, &mod, pl->line, x->err);
	if (rc == ASKCRED_OK)
		rc = instance_get(st, mod, pl->argc, pl->argv, pl->line,
				  &step->inst, x->err);
	free(path);
	if (rc == ASKCRED_OK)
		(*n)++;
	return rc;
}

static askcred_status expand_file(struct expand *x, size_t f,
				  enum askcred_op op, unsigned level);

/* An include or substack line: the other stack's lines for op, in its
 * file order, where this line stands. */
static askcred_status expand_include(struct expand *x, const char *file,
				     const struct parsed_line *pl,
				     unsigned level)
{
	size_t f;
	char *path = NULL;
	size_t first = x->st->nsteps[pl->op];
	unsigned sub = level + (pl->kind == LINE_SUBSTACK);
	askcred_status rc;

	rc = stack_locate(pl->module,
			  OPT(x->opts, stack_dir, ASKCRED_STACK_DIR), &path,
			  x->err);
	if (rc != ASKCRED_OK) {
		if (x->err != NULL)
			snprintf(x->err->where, sizeof(x->err->where), "%s:%u",
				 file, pl->line);
		return rc;
	}
	for (int i = 0; i < x->depth; i++)
		if (strcmp(x->chain[i], path) == 0) {
			rc = err_set_line(x->err, ASKCRED_CONFIG_ERROR, file,
					  pl->line,
					  "include loop: %s includes %s, "
					  "which is already being included; "
					  "remove one of the include or "
					  "substack lines",
					  file, path);
			free(path);
			return rc;
		}
	if (x->depth >= INCLUDE_DEPTH_MAX) {
		free(path);
		return err_set_line(x->err, ASKCRED_CONFIG_ERROR, file,
				    pl->line,
				    "include and substack nest deeper than %d "
				    "files; flatten the stacks",
				    INCLUDE_DEPTH_MAX);
	}
	rc = load(x, path, &f);
	if (rc != ASKCRED_OK) {
		if (rc == ASKCRED_NOT_FOUND)
			err_prefix(x->err, "%s:%u: %s %s", file, pl->line,
				   pl->kind == LINE_SUBSTACK ? "substack"
							     : "include",
				   pl->module);
		return rc;
	}
	rc = expand_file(x, f, pl->op, sub);
	if (rc != ASKCRED_OK || pl->kind != LINE_SUBSTACK)
		return rc;
	/* done and die inside end here; nested substacks set theirs. */
	for (size_t i = first; i < x->st->nsteps[pl->op]; i++)
		if (x->st->steps[pl->op][i].end == 0)
			x->st->steps[pl->op][i].end = x->st->nsteps[pl->op];
	return ASKCRED_OK;
}

static askcred_status expand_file(struct expand *x, size_t f,
				  enum askcred_op op, unsigned level)
{
	/* Copied out: expanding an include may move x->files. */
	const struct parsed_line *lines = x->files[f].ps.lines;
	const char *file = x->files[f].path;
	size_t count = x->files[f].ps.count;
	askcred_status rc = ASKCRED_OK;

	x->chain[x->depth++] = file;
	for (size_t i = 0; i < count && rc == ASKCRED_OK; i++) {
		const struct parsed_line *pl = &lines[i];

		if (pl->op != op)
			continue;
		if (pl->kind == LINE_MODULE)
			rc = add_step(x, pl, file, level);
		else
			rc = expand_include(x, file, pl, level);
	}
	x->depth--;
	return rc;
}

/* Give every line its instance, operation by operation, in file order
 * with include and substack lines replaced by the lines they name. The
 * files read stay with the stack: steps name them in messages. */
askcred_status stack_build(askcred_stack *st, char *path,
			   const struct askcred_options *opts,
			   struct askcred_error *err)
{
	struct expand x = {.st = st, .opts = opts, .err = err};
	size_t top = 0;
	askcred_status rc;

	rc = load(&x, path, &top);
	for (int op = 0; op < ASKCRED_OP_COUNT && rc == ASKCRED_OK; op++)
		rc = expand_file(&x, top, (enum askcred_op)op, 0);
	st->where_file = st->file;
	st->files = calloc(x.nfiles ? x.nfiles : 1, sizeof(*st->files));
	for (size_t i = 0; i < x.nfiles; i++) {
		parsed_stack_free(&x.files[i].ps);
		if (st->files != NULL)
			st->files[st->nfiles++] = x.files[i].path;
		else
			free(x.files[i].path);
	}
	free(x.files);
	if (rc == ASKCRED_OK && st->files == NULL)
		rc = err_set(err, ASKCRED_NO_MEMORY, st->file, "out of memory");
	return rc;
}
