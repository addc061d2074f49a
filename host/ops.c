/* The operations on an open stack. Each walks the lines for its
 * operation and folds the results with the control flags (control.c).
 * Nothing here writes to the stack, so calls may run concurrently. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "log.h"

/* A credential must reach host_private for the host to route it. */
#define CRED_MIN_SIZE                                                          \
	(offsetof(struct askcred_credential, host_private) + sizeof(void *))

static const char *const action_names[] = {
	[ACT_IGNORE] = "ignore", [ACT_OK] = "ok",   [ACT_DONE] = "done",
	[ACT_BAD] = "bad",	 [ACT_DIE] = "die",
};

/* One operation's arguments, whatever the operation. */
struct call {
	enum askcred_op op;
	const struct askcred_request *req;
	const struct askcred_credential *cred;
};

static const char *provider_name(const struct module_open *in)
{
	return in->mod->ops->name ? in->mod->ops->name : "provider";
}

/* Run one instance. *made is set only by fetch and refresh. A missing
 * operation is an instance with nothing to say. */
static askcred_status call_instance(const struct call *c,
				    struct module_open *in,
				    struct askcred_credential **made,
				    struct askcred_error *perr)
{
	const struct askcred_provider *p = in->mod->ops;
	askcred_status rc = ASKCRED_IGNORE;

	switch (c->op) {
	case ASKCRED_OP_FETCH:
		if (PROVIDER_OP(p, fetch))
			rc = p->fetch(in->handle, c->req, made, perr);
		break;
	case ASKCRED_OP_REFRESH:
		if (PROVIDER_OP(p, refresh))
			rc = p->refresh(in->handle, c->req, made, perr);
		break;
	case ASKCRED_OP_VALIDATE:
		if (PROVIDER_OP(p, validate))
			rc = p->validate(in->handle, c->cred, perr);
		break;
	case ASKCRED_OP_REVOKE:
		if (PROVIDER_OP(p, revoke))
			rc = p->revoke(in->handle, c->cred, perr);
		break;
	case ASKCRED_OP_COUNT:
		break;
	}
	/* A provider's text is untrusted: make sure it ends. */
	perr->where[sizeof(perr->where) - 1] = '\0';
	perr->message[sizeof(perr->message) - 1] = '\0';
	if ((unsigned)rc >= ASKCRED_STATUS_COUNT)
		return err_set(perr, ASKCRED_INTERNAL, NULL,
			       "returned unknown status %d", (int)rc);
	if (rc != ASKCRED_OK && *made != NULL) {
		/* A credential with a failure is a provider bug; do not
		 * let it escape or leak. */
		p->release(in->handle, *made);
		*made = NULL;
	}
	if (rc == ASKCRED_OK &&
	    (c->op == ASKCRED_OP_FETCH || c->op == ASKCRED_OP_REFRESH)) {
		if (*made != NULL && (*made)->struct_size >= CRED_MIN_SIZE)
			return ASKCRED_OK;
		p->release(in->handle, *made);
		*made = NULL;
		return err_set(perr, ASKCRED_INTERNAL, NULL,
			       "reported success without a usable "
			       "credential");
	}
	return rc;
}

/* The caller's error for a line's result: the provider's words, the
 * provider's "where" (e.g. "HTTP 503") or else the stack line. */
static void report(const char *file, const struct module_open *in,
		   unsigned line, askcred_status rc,
		   const struct askcred_error *perr, struct askcred_error *err)
{
	char where[ASKCRED_ERROR_WHERE_MAX];

	if (perr->where[0] != '\0')
		snprintf(where, sizeof(where), "%s", perr->where);
	else
		snprintf(where, sizeof(where), "%s:%u", file, line);
	err_set(err, rc, where, "%s (%s:%u): %s", provider_name(in), file, line,
		perr->message[0] ? perr->message : status_name(rc));
}

static askcred_status no_lines(const askcred_stack *st, enum askcred_op op,
			       struct askcred_error *err)
{
	return err_set(err, ASKCRED_NOT_FOUND, st->file,
		       "the stack has no \"%s\" line; add one naming the "
		       "module to use",
		       op_name(op));
}

/* Linux-PAM's _pam_dispatch_aux over the lines for c->op. For fetch and
 * refresh, the credential of the first line that counts as a success is
 * kept; later ones only confirm and are released at once. */
static askcred_status dispatch(askcred_stack *st, const struct call *c,
			       struct askcred_credential **out,
			       struct askcred_error *err)
{
	struct askcred_credential *kept = NULL;
	struct module_open *kept_by = NULL;
	struct verdict v;
	askcred_status rc;

	if (st->nsteps[c->op] == 0)
		return no_lines(st, c->op, err);
	verdict_init(&v);
	for (size_t i = 0; i < st->nsteps[c->op]; i++) {
		const struct stack_step *s = &st->steps[c->op][i];
		struct askcred_error perr = ASKCRED_ERROR_INIT;
		struct askcred_credential *made = NULL;
		enum action a;
		int stop, counted;

		rc = call_instance(c, s->inst, &made, &perr);
		a = verdict_step(&v, &s->control, rc, (int)i, &stop, &counted);
		host_log(st, ASKCRED_LOG_DEBUG, "%s %s:%u %s: %s -> %s",
			 op_name(c->op), s->file, s->line,
			 provider_name(s->inst), status_name(rc),
			 action_names[a]);
		if (counted && v.status != ASKCRED_OK) {
			if (rc == ASKCRED_OK)
				err_set(&perr, v.status, NULL,
					"succeeded, but the control of this "
					"line counts a success as a failure");
			report(s->file, s->inst, s->line, v.status, &perr, err);
		}
		if (made != NULL) {
			if (kept == NULL && v.impression == IMP_SUCCESS &&
			    (a == ACT_OK || a == ACT_DONE)) {
				kept = made;
				kept_by = s->inst;
			} else {
				s->inst->mod->ops->release(s->inst->handle,
							   made);
			}
		}
		if (stop && s->level == 0)
			break;
		/* done or die inside a substack end the substack only. */
		if (stop)
			i = s->end - 1;
	}
	rc = verdict_result(&v);
	if (rc != ASKCRED_OK) {
		if (kept != NULL)
			kept_by->mod->ops->release(kept_by->handle, kept);
		if (v.impression == IMP_UNDEF)
			err_set(err, rc, st->file,
				"no \"%s\" line gave an answer (every module "
				"ignored the request)",
				op_name(c->op));
		return rc;
	}
	if (kept != NULL) {
		kept->host_private = kept_by;
		*out = kept;
	}
	err_clear(err);
	return ASKCRED_OK;
}

static askcred_status obtain(askcred_stack *st, enum askcred_op op,
			     const struct askcred_request *req,
			     const struct askcred_credential **out,
			     struct askcred_error *err)
{
	const struct askcred_request dflt = {.struct_size = sizeof(dflt)};
	struct call c = {op, req ? req : &dflt, NULL};
	struct askcred_credential *cred = NULL;
	askcred_status rc;

	err_clear(err);
	if (st == NULL || out == NULL)
		return err_set(err, ASKCRED_INTERNAL, op_name(op),
			       "no stack or no place for the credential");
	*out = NULL;
	rc = dispatch(st, &c, &cred, err);
	/* Success with only lines that make nothing (e.g. an [ok=ok] line
	 * whose module has no fetch) yields no credential to hand out. */
	if (rc == ASKCRED_OK && cred == NULL)
		return err_set(err, ASKCRED_NOT_FOUND, st->file,
			       "the \"%s\" lines succeeded without producing "
			       "a credential",
			       op_name(op));
	*out = cred;
	return rc;
}

static askcred_status check(askcred_stack *st, enum askcred_op op,
			    const struct askcred_credential *cred,
			    struct askcred_error *err)
{
	struct call c = {op, NULL, cred};

	err_clear(err);
	if (st == NULL || cred == NULL)
		return err_set(err, ASKCRED_INTERNAL, op_name(op),
			       "no stack or no credential given");
	return dispatch(st, &c, NULL, err);
}

askcred_status askcred_fetch(askcred_stack *st,
			     const struct askcred_request *req,
			     const struct askcred_credential **out,
			     struct askcred_error *err)
{
	return obtain(st, ASKCRED_OP_FETCH, req, out, err);
}

askcred_status askcred_refresh(askcred_stack *st,
			       const struct askcred_request *req,
			       const struct askcred_credential **out,
			       struct askcred_error *err)
{
	return obtain(st, ASKCRED_OP_REFRESH, req, out, err);
}

askcred_status askcred_validate(askcred_stack *st,
				const struct askcred_credential *cred,
				struct askcred_error *err)
{
	return check(st, ASKCRED_OP_VALIDATE, cred, err);
}

askcred_status askcred_revoke(askcred_stack *st,
			      const struct askcred_credential *cred,
			      struct askcred_error *err)
{
	return check(st, ASKCRED_OP_REVOKE, cred, err);
}

static int on_op(const askcred_stack *st, enum askcred_op op,
		 const struct module_open *in)
{
	for (size_t i = 0; i < st->nsteps[op]; i++)
		if (st->steps[op][i].inst == in)
			return 1;
	return 0;
}

/* The first real failure among instances that were all asked. */
struct tally {
	int any_ok;
	askcred_status failure; /* ASKCRED_OK: none yet */
};

static void tally_add(struct tally *t, const struct module_open *in,
		      askcred_status rc, struct askcred_error *perr,
		      struct askcred_error *err)
{
	perr->where[sizeof(perr->where) - 1] = '\0';
	perr->message[sizeof(perr->message) - 1] = '\0';
	if ((unsigned)rc >= ASKCRED_STATUS_COUNT)
		rc = err_set(perr, ASKCRED_INTERNAL, NULL,
			     "returned unknown status %d", (int)rc);
	if (rc == ASKCRED_OK)
		t->any_ok = 1;
	else if (rc != ASKCRED_IGNORE && t->failure == ASKCRED_OK) {
		t->failure = rc;
		report(in->file, in, in->line, rc, perr, err);
	}
}

/* An operation asked of every distinct instance rather than of lines. */
struct ask {
	int fetch_refresh_only; /* skip instances on no fetch/refresh line */
	int first_answer_only;	/* stop at the first instance not IGNORE */
	const struct askcred_credential *cred;
	const char *reason;
	askcred_entry_cb cb;
	const struct askcred_tokens_query *query; /* tokens */
	askcred_token_cb token_cb;		  /* tokens */
	void *cb_ctx;
	askcred_status (*call)(const struct ask *a, struct module_open *in,
			       struct askcred_error *perr);
};

/* Every instance is asked even after a failure, so one broken source does
 * not hide the others' entries or keep them from forgetting a token. */
static struct tally ask_all(askcred_stack *st, const struct ask *a,
			    struct askcred_error *err)
{
	struct tally t = {0, ASKCRED_OK};

	for (struct module_open *in = st->instances; in != NULL;
	     in = in->next) {
		struct askcred_error perr = ASKCRED_ERROR_INIT;

		if (a->fetch_refresh_only && !on_op(st, ASKCRED_OP_FETCH, in) &&
		    !on_op(st, ASKCRED_OP_REFRESH, in))
			continue;
		tally_add(&t, in, a->call(a, in, &perr), &perr, err);
		if (a->first_answer_only &&
		    (t.any_ok || t.failure != ASKCRED_OK))
			break;
	}
	return t;
}

static askcred_status call_invalidate(const struct ask *a,
				      struct module_open *in,
				      struct askcred_error *perr)
{
	const struct askcred_provider *p = in->mod->ops;

	if (!PROVIDER_OP(p, invalidate))
		return ASKCRED_IGNORE;
	return p->invalidate(in->handle, a->cred, a->reason, perr);
}

static askcred_status call_status(const struct ask *a, struct module_open *in,
				  struct askcred_error *perr)
{
	const struct askcred_provider *p = in->mod->ops;

	if (!PROVIDER_OP(p, status))
		return ASKCRED_IGNORE;
	return p->status(in->handle, a->cb, a->cb_ctx, perr);
}

static askcred_status call_gc(const struct ask *a, struct module_open *in,
			      struct askcred_error *perr)
{
	const struct askcred_provider *p = in->mod->ops;

	/* A 1.0 provider's table ends before gc: never read past it. */
	if (!PROVIDER_OP(p, gc))
		return ASKCRED_IGNORE;
	return p->gc(in->handle, a->cb, a->cb_ctx, perr);
}

askcred_status askcred_gc(askcred_stack *st, askcred_entry_cb cb, void *cb_ctx,
			  struct askcred_error *err)
{
	struct ask a = {.cb = cb, .cb_ctx = cb_ctx, .call = call_gc};
	struct tally t;

	err_clear(err);
	if (st == NULL || cb == NULL)
		return err_set(err, ASKCRED_INTERNAL, "gc",
			       "no stack or no callback given");
	t = ask_all(st, &a, err);
	if (t.failure != ASKCRED_OK)
		return t.failure;
	if (!t.any_ok)
		return err_set(err, ASKCRED_IGNORE, st->file,
			       "no module in the stack collects garbage");
	return ASKCRED_OK;
}

static askcred_status call_tokens(const struct ask *a, struct module_open *in,
				  struct askcred_error *perr)
{
	const struct askcred_provider *p = in->mod->ops;

	/* A 1.0 or 1.1 provider's table ends before tokens. */
	if (!PROVIDER_OP(p, tokens))
		return ASKCRED_IGNORE;
	return p->tokens(in->handle, a->query, a->token_cb, a->cb_ctx, perr);
}

askcred_status askcred_tokens(askcred_stack *st,
			      const struct askcred_tokens_query *query,
			      askcred_token_cb cb, void *cb_ctx,
			      struct askcred_error *err)
{
	/* A stack hands out one credential, of one workspace: its lines
	 * differ in arguments (lifetime=, online_validate=) far more often
	 * than in parent credential, and asking each such instance would
	 * list (and sweep) the same workspace once per line. */
	struct ask a = {.first_answer_only = 1,
			.query = query,
			.token_cb = cb,
			.cb_ctx = cb_ctx,
			.call = call_tokens};
	struct tally t;

	err_clear(err);
	if (st == NULL || query == NULL || cb == NULL)
		return err_set(err, ASKCRED_INTERNAL, "tokens",
			       "no stack, query or callback given");
	t = ask_all(st, &a, err);
	if (t.failure != ASKCRED_OK)
		return t.failure;
	if (!t.any_ok)
		return err_set(err, ASKCRED_IGNORE, st->file,
			       "no module in the stack manages workspace "
			       "tokens (provider ABI 1.2 with a parent "
			       "credential)");
	return ASKCRED_OK;
}

askcred_status askcred_invalidate(askcred_stack *st,
				  const struct askcred_credential *cred,
				  const char *reason, struct askcred_error *err)
{
	struct ask a = {.fetch_refresh_only = 1,
			.cred = cred,
			.reason = reason,
			.call = call_invalidate};
	struct tally t;

	err_clear(err);
	if (st == NULL || cred == NULL)
		return err_set(err, ASKCRED_INTERNAL, "invalidate",
			       "no stack or no credential given");
	t = ask_all(st, &a, err);
	/* One module forgetting the credential is what the caller wanted. */
	if (t.any_ok) {
		err_clear(err);
		return ASKCRED_OK;
	}
	if (t.failure != ASKCRED_OK)
		return t.failure;
	return err_set(err, ASKCRED_NOT_FOUND, st->file,
		       "no module on the fetch or refresh lines knew the "
		       "credential");
}

askcred_status askcred_status_list(askcred_stack *st, askcred_entry_cb cb,
				   void *cb_ctx, struct askcred_error *err)
{
	struct ask a = {.cb = cb, .cb_ctx = cb_ctx, .call = call_status};

	err_clear(err);
	if (st == NULL || cb == NULL)
		return err_set(err, ASKCRED_INTERNAL, "status",
			       "no stack or no callback given");
	return ask_all(st, &a, err).failure;
}
