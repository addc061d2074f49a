/* Opening and closing a stack, and giving credentials back. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "stack_build.h"

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
	st->where_file = path;
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

askcred_status askcred_stack_open(const char *name_or_path,
				  const struct askcred_options *opts,
				  askcred_stack **out,
				  struct askcred_error *err)
{
	askcred_stack *st = NULL;
	askcred_status rc;
	char *path = NULL, *copy;

	err_clear(err);
	if (out == NULL || name_or_path == NULL)
		return err_set(err, ASKCRED_INTERNAL, "askcred_stack_open",
			       "no stack name or no place for the result");
	*out = NULL;
	rc = stack_locate(name_or_path, OPT(opts, stack_dir, ASKCRED_STACK_DIR),
			  &path, err);
	if (rc != ASKCRED_OK)
		goto out;
	copy = strdup(path);
	rc = stack_new(path, opts, &st, err);
	path = NULL; /* the stack's now, even on failure */
	if (rc == ASKCRED_OK && copy == NULL)
		rc = err_set(err, ASKCRED_NO_MEMORY, st->file, "out of memory");
	if (rc != ASKCRED_OK) {
		free(copy);
		goto out;
	}
	rc = stack_build(st, copy, opts, err);
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
	for (size_t i = 0; i < st->nfiles; i++)
		free(st->files[i]);
	free(st->files);
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
