/* Opening and closing a stack, and giving credentials back. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "safefile.h"
#include "secret.h"
#include "stack_parse.h"

#define STACK_NAME_MAX 128

static const struct file_rules stack_rules = {
	.what = "stack file",
	.forbidden = 022,
	.allow_root = 1,
	.max_size = STACK_FILE_MAX,
};

/* Read opts field by field: an older caller's struct may be shorter. */
#define OPT(opts, member, fallback)                                            \
	((opts) != NULL &&                                                     \
			 (opts)->struct_size >=                                \
				 offsetof(struct askcred_options, member) +    \
					 sizeof((opts)->member) &&             \
			 (opts)->member                                        \
		 ? (opts)->member                                              \
		 : (fallback))

/* A bare stack name is one plain word, so it cannot leave stack_dir. */
static int plain_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= STACK_NAME_MAX || s[0] == '.')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+@") == n;
}

static askcred_status locate(const char *name_or_path, const char *stack_dir,
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

static askcred_status stack_new(char *path, const struct askcred_options *o,
				askcred_stack **out, struct askcred_error *err)
{
	const char *base = strrchr(path, '/');
	const char *labels = OPT(o, labels, NULL);
	askcred_stack *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		err_set(err, ASKCRED_NO_MEMORY, path, "out of memory");
		free(path);
		return ASKCRED_NO_MEMORY;
	}
	st->file = path;
	st->name = strdup(base ? base + 1 : path);
	st->labels = labels ? strdup(labels) : NULL;
	st->host_name = "libaskcred " PACKAGE_VERSION;
	st->log = OPT(o, log, NULL);
	st->log_ctx = st->log ? OPT(o, log_ctx, NULL) : NULL;
	st->log_level = OPT(o, log_level, ASKCRED_LOG_NOTICE);
	*out = st;
	if (st->name == NULL || (labels != NULL && st->labels == NULL))
		return err_set(err, ASKCRED_NO_MEMORY, path, "out of memory");
	return ASKCRED_OK;
}

/* Give every parsed line its instance, in file order. */
static askcred_status build_steps(askcred_stack *st,
				  const struct parsed_stack *ps,
				  const char *module_dir,
				  struct askcred_error *err)
{
	askcred_status rc = ASKCRED_OK;
	char *path = NULL;

	for (size_t i = 0; i < ps->count; i++)
		st->nsteps[ps->lines[i].op]++;
	for (int op = 0; op < ASKCRED_OP_COUNT; op++) {
		if (st->nsteps[op] == 0)
			continue;
		st->steps[op] = calloc(st->nsteps[op], sizeof(**st->steps));
		if (st->steps[op] == NULL)
			return err_set(err, ASKCRED_NO_MEMORY, st->file,
				       "out of memory");
		st->nsteps[op] = 0;
	}
	for (size_t i = 0; i < ps->count; i++) {
		const struct parsed_line *pl = &ps->lines[i];
		struct stack_step *step;
		struct module *mod;

		step = &st->steps[pl->op][st->nsteps[pl->op]];
		step->line = pl->line;
		step->control = pl->control;
		rc = module_resolve(pl->module, module_dir, &path, st->file,
				    pl->line, err);
		if (rc == ASKCRED_OK)
			rc = module_load(st, path, &mod, pl->line, err);
		if (rc == ASKCRED_OK)
			rc = instance_get(st, mod, pl->argc, pl->argv, pl->line,
					  &step->inst, err);
		free(path);
		path = NULL;
		if (rc != ASKCRED_OK)
			return rc;
		st->nsteps[pl->op]++;
	}
	return ASKCRED_OK;
}

askcred_status askcred_stack_open(const char *name_or_path,
				  const struct askcred_options *opts,
				  askcred_stack **out,
				  struct askcred_error *err)
{
	struct parsed_stack ps = {NULL, 0};
	askcred_stack *st = NULL;
	askcred_status rc;
	char *path = NULL, *text = NULL;
	size_t len = 0;

	err_clear(err);
	if (out == NULL || name_or_path == NULL)
		return err_set(err, ASKCRED_INTERNAL, "askcred_stack_open",
			       "no stack name or no place for the result");
	*out = NULL;
	rc = locate(name_or_path, OPT(opts, stack_dir, ASKCRED_STACK_DIR),
		    &path, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = safe_read_file(path, &stack_rules, &text, &len, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = stack_parse(path, text, len, &ps, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = stack_new(path, opts, &st, err);
	path = NULL; /* the stack's now, even on failure */
	if (rc != ASKCRED_OK)
		goto out;
	rc = build_steps(st, &ps, OPT(opts, module_dir, ASKCRED_MODULE_DIR),
			 err);
	if (rc != ASKCRED_OK)
		goto out;
	host_log(st, ASKCRED_LOG_DEBUG,
		 "%s: %zu fetch, %zu validate, %zu refresh, %zu revoke lines",
		 st->file, st->nsteps[ASKCRED_OP_FETCH],
		 st->nsteps[ASKCRED_OP_VALIDATE],
		 st->nsteps[ASKCRED_OP_REFRESH], st->nsteps[ASKCRED_OP_REVOKE]);
	*out = st;
	st = NULL;
out:
	askcred_stack_close(st);
	parsed_stack_free(&ps);
	/* A stack file is configuration, not a secret, but the buffer came
	 * from the secret-safe reader and is given back the same way. */
	if (text != NULL)
		free_wiped(text, len + 1);
	free(path);
	return rc;
}

void askcred_stack_close(askcred_stack *st)
{
	if (st == NULL)
		return;
	loader_unload(st);
	for (int op = 0; op < ASKCRED_OP_COUNT; op++)
		free(st->steps[op]);
	free(st->file);
	free(st->name);
	free(st->labels);
	free(st);
}

/* Is in one of this stack's instances? A credential from another stack
 * (or a forged host_private) must never reach a release() call. */
static int owns_instance(const askcred_stack *st, const struct module_open *in)
{
	for (const struct module_open *i = st->instances; i != NULL;
	     i = i->next)
		if (i == in)
			return 1;
	return 0;
}

void askcred_release(askcred_stack *st, const struct askcred_credential *cred)
{
	struct module_open *in;

	if (st == NULL || cred == NULL)
		return;
	in = cred->host_private;
	if (!owns_instance(st, in)) {
		host_log(st, ASKCRED_LOG_ERR,
			 "%s: askcred_release() got a credential this stack "
			 "did not hand out; not released",
			 st->file);
		return;
	}
	/* The credential was the provider's all along; only the host's
	 * const view of it ends here. */
	in->mod->ops->release(in->handle, (struct askcred_credential *)cred);
}
