/* `askcred tokens list|revoke|enforce` in the module: one list call with
 * the parent credential, every token decoded and reported, the picked
 * ones deleted one by one. A delete AskUI answers 404 is a token already
 * gone: counted and reported as deleted, never as alive. A 429 or 5xx is
 * retried by the HTTP layer as Retry-After asks, within its bounds; once
 * AskUI rate-limits a delete beyond them, the tokens left are not tried
 * (reported failed), so a run never hammers a throttling server. After
 * deleting, the workspace is listed again: a token AskUI said it deleted
 * but still lists is reported failed, not deleted. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "credcheck.h"
#include "enforce.h"
#include "error.h"
#include "gc.h"
#include "jobid.h"
#include "log.h"
#include "plugin_config.h"
#include "remote.h"
#include "source/source.h"
#include "tokens.h"

/* One run over the workspace. */
struct run {
	const struct source_ctx *sc;
	struct askcred_tokens_query q; /* the host's, zero past its size */
	askcred_token_cb cb;
	void *cb_ctx;
	const struct net_ops *ops;
	struct net_client *client;
	struct token_record parent;
	char parent_id[ASKCRED_UUID_LEN + 1];
	char host[64];
	int64_t now;
	size_t picked, deleted, failed, refused;
	struct held *held; /* the tokens deleted, reported once checked */
	size_t n_held;
	int throttled;		       /* AskUI asked to wait: delete no more */
	struct askcred_error throttle; /* the answer that asked it */
	askcred_status failure;	       /* the first failed delete's status */
	struct askcred_error first;    /* and its error */
};

/* A token the delete call said is gone, its report held back until the
 * list confirms it. */
struct held {
	size_t idx; /* in the list */
	uint32_t flags;
	char note[640];
};

static const char *const action_names[] = {"list", "revoke", "enforce"};

/* Why the revoke selector picks t, or NULL. minted: the name is
 * askcred's; HOST, OLDER and ORPHANED pick only those. */
static const char *selected(struct run *r, const struct net_token_info *t,
			    const struct jobid_text *jt, int minted, char *buf,
			    size_t size)
{
	char age[24], limit[24];

	switch (r->q.select) {
	case ASKCRED_TOKENS_SEL_HOST:
		if (!minted || r->q.host == NULL ||
		    strcmp(jt->host, r->q.host) != 0)
			return NULL;
		snprintf(buf, size, "minted for host %s", jt->host);
		return buf;
	case ASKCRED_TOKENS_SEL_OLDER:
		if (!minted || t->created_at == 0 ||
		    r->now - t->created_at <= r->q.older_than)
			return NULL;
		policy_format_duration(r->now - t->created_at, age,
				       sizeof(age));
		policy_format_duration(r->q.older_than, limit, sizeof(limit));
		snprintf(buf, size, "created %s ago, more than %s", age, limit);
		return buf;
	case ASKCRED_TOKENS_SEL_ORPHANED:
		return gc_verdict(t, r->host, r->now);
	case ASKCRED_TOKENS_SEL_ID:
		if (r->q.token_id == NULL ||
		    strcasecmp(t->id, r->q.token_id) != 0)
			return NULL;
		return "asked for by id";
	default:
		return NULL;
	}
}

static void audit(struct run *r, const struct net_token_info *t, int succeeded,
		  const char *what, const char *why)
{
	struct token_view v;
	char line[512];

	memset(&v, 0, sizeof(v));
	snprintf(v.workspace_id, sizeof(v.workspace_id), "%s",
		 r->parent.workspace_id);
	snprintf(v.token_id, sizeof(v.token_id), "%s", t->id);
	v.issued_at = t->created_at;
	v.expires_at = t->expires_at;
	snprintf(line, sizeof(line), "tokens %s: %s token %s: %s",
		 action_names[r->q.action], what, t->id, why);
	enforce_audit(r->sc->gate, POLICY_OP_REVOKE, &v, r->parent.workspace_id,
		      succeeded, line);
}

static void failed(struct run *r, struct askcred_token_info *info,
		   askcred_status st, const struct askcred_error *e)
{
	r->failed++;
	info->flags |= ASKCRED_TOKEN_FAILED;
	info->result = st;
	if (r->failure == ASKCRED_OK) {
		r->failure = st;
		r->first = *e;
	}
}

/* Did AskUI, answering the delete that just failed with e, ask not to be
 * called again for now (a 429 past its retries, or a Retry-After the
 * HTTP layer would not wait out)? */
static int throttled(struct run *r, askcred_status st,
		     const struct askcred_error *e)
{
	return st == ASKCRED_UNAVAILABLE &&
	       (strcmp(e->where, "HTTP 429") == 0 ||
		r->ops->retry_not_before(r->client) > (int64_t)time(NULL));
}

/* Delete a picked token (or not: dry run, the parent) and say so. */
static void act(struct run *r, const struct net_token_info *t,
		struct askcred_token_info *info, const char *why, char *note,
		size_t size)
{
	struct askcred_error e = ASKCRED_ERROR_INIT;
	askcred_status st;

	r->picked++;
	info->flags |= ASKCRED_TOKEN_SELECTED;
	if (info->flags & ASKCRED_TOKEN_PARENT) {
		r->refused++;
		info->flags |= ASKCRED_TOKEN_REFUSED;
		info->result = ASKCRED_DENIED;
		snprintf(note, size,
			 "kept: the parent credential askcred mints with is "
			 "never deleted by askcred (%s)",
			 why);
		audit(r, t, 0, "kept the parent credential", why);
		return;
	}
	if (r->q.flags & ASKCRED_TOKENS_DRY_RUN) {
		snprintf(note, size, "would delete: %s", why);
		return;
	}
	if (r->throttled) {
		failed(r, info, r->throttle.code, &r->throttle);
		snprintf(note, size,
			 "not tried: AskUI asked to wait after an earlier "
			 "delete (%s); run it again later",
			 r->throttle.where);
		audit(r, t, 0, "did not try to delete", note);
		return;
	}
	st = r->ops->token_delete(r->client, r->parent.workspace_id,
				  &r->parent.token, t->id, &e);
	if (st == ASKCRED_OK || st == ASKCRED_NOT_FOUND) {
		r->deleted++;
		info->flags |= ASKCRED_TOKEN_DELETED;
		snprintf(note, size, "deleted%s: %s",
			 st == ASKCRED_NOT_FOUND ? " (already gone)" : "", why);
		audit(r, t, 1, "deleted", why);
		return;
	}
	failed(r, info, st, &e);
	snprintf(note, size, "not deleted: %s (%s)", e.message, e.where);
	if (throttled(r, st, &e)) {
		r->throttled = 1;
		r->throttle = e;
	}
	audit(r, t, 0, "could not delete", note);
}

/* What the list says of t, into info (pointing into t and jt). 1 when
 * the name is askcred's. */
static int describe(struct run *r, const struct net_token_info *t,
		    struct askcred_token_info *info, struct jobid_text *jt)
{
	int minted = jobid_fields(t->name, jt);

	memset(info, 0, sizeof(*info));
	info->struct_size = sizeof(*info);
	info->workspace_id = r->parent.workspace_id;
	info->token_id = t->id;
	info->name = t->name;
	info->created_at = t->created_at;
	info->expires_at = t->expires_at;
	info->result = ASKCRED_OK;
	if (minted) {
		info->host = jt->host;
		info->entry = jt->entry;
		info->job = jt->job[0] ? jt->job : NULL;
		info->purpose = jt->job[0] ? jt->purpose : NULL;
		if (jt->job[0])
			info->flags |= ASKCRED_TOKEN_JOB;
	} else {
		info->flags |= ASKCRED_TOKEN_FOREIGN;
	}
	if (t->expires_at == 0)
		info->flags |= ASKCRED_TOKEN_NEVER_EXPIRES;
	else if (t->expires_at <= r->now)
		info->flags |= ASKCRED_TOKEN_EXPIRED;
	if (r->parent_id[0] && strcasecmp(t->id, r->parent_id) == 0)
		info->flags |= ASKCRED_TOKEN_PARENT;
	return minted;
}

static askcred_status one(struct run *r, const struct net_token_info *t,
			  size_t idx, struct askcred_error *err)
{
	struct askcred_token_info info;
	struct jobid_text jt;
	char why_buf[320], note[640];
	const char *why = NULL;
	int minted = describe(r, t, &info, &jt), verdict;

	note[0] = '\0';

	switch (r->q.action) {
	case ASKCRED_TOKENS_REVOKE:
		why = selected(r, t, &jt, minted, why_buf, sizeof(why_buf));
		break;
	case ASKCRED_TOKENS_ENFORCE:
		verdict = tokens_enforce_verdict(r->sc->gate, t,
						 r->parent.workspace_id,
						 why_buf, sizeof(why_buf), err);
		if (verdict < 0)
			return err->code;
		if (verdict)
			why = why_buf;
		else if (info.flags & ASKCRED_TOKEN_PARENT)
			/* Reported either way: what the policy says of the
			 * credential the fleet mints with. */
			snprintf(note, sizeof(note),
				 "parent credential, never deleted by "
				 "askcred; policy: %s",
				 why_buf);
		break;
	default:
		break;
	}
	if (why != NULL)
		act(r, t, &info, why, note, sizeof(note));
	if ((info.flags & ASKCRED_TOKEN_DELETED) && r->held != NULL) {
		struct held *h = &r->held[r->n_held++];

		h->idx = idx;
		h->flags = info.flags;
		memcpy(h->note, note, sizeof(h->note));
		return ASKCRED_OK;
	}
	info.note = note[0] ? note : NULL;
	if (r->q.action == ASKCRED_TOKENS_LIST || why != NULL ||
	    (info.flags & ASKCRED_TOKEN_PARENT &&
	     r->q.action == ASKCRED_TOKENS_ENFORCE))
		r->cb(r->cb_ctx, &info);
	return ASKCRED_OK;
}

/* The query the host gave, read only up to its struct_size, checked. */
static askcred_status take_query(struct run *r,
				 const struct askcred_tokens_query *q,
				 struct askcred_error *err)
{
	size_t n =
		q->struct_size < sizeof(r->q) ? q->struct_size : sizeof(r->q);
	unsigned sel;

	memset(&r->q, 0, sizeof(r->q));
	memcpy(&r->q, q, n);
	if (r->q.action > ASKCRED_TOKENS_ENFORCE)
		return err_set(err, ASKCRED_CONFIG_ERROR, "tokens",
			       "unknown action %u", (unsigned)r->q.action);
	if (r->q.action != ASKCRED_TOKENS_REVOKE)
		return ASKCRED_OK;
	sel = r->q.select;
	if (sel == 0 || (sel & (sel - 1)) != 0 ||
	    (sel == ASKCRED_TOKENS_SEL_HOST && r->q.host == NULL) ||
	    (sel == ASKCRED_TOKENS_SEL_ID && r->q.token_id == NULL) ||
	    (sel == ASKCRED_TOKENS_SEL_OLDER && r->q.older_than < 0))
		return err_set(err, ASKCRED_CONFIG_ERROR, "tokens revoke",
			       "give exactly one selector (host, older "
			       "than, orphaned or id) with its value");
	if (sel == ASKCRED_TOKENS_SEL_ID && !is_uuid4(r->q.token_id))
		return err_set(err, ASKCRED_CONFIG_ERROR, "tokens revoke",
			       "the token id to revoke is not a UUID version "
			       "4");
	return ASKCRED_OK;
}

/* The parent credential's id, so that it is never deleted: from the
 * credentials file, else asked of AskUI. Without it nothing is deleted. */
static askcred_status parent_id(struct run *r, struct askcred_error *err)
{
	if (r->parent.token_id[0]) {
		memcpy(r->parent_id, r->parent.token_id, sizeof(r->parent_id));
		return ASKCRED_OK;
	}
	return r->ops->token_lookup(r->client, r->parent.workspace_id,
				    &r->parent.token, &r->parent.token,
				    r->parent_id, err);
}

static int still_listed(const struct net_token_info *list, size_t n,
			const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i].id, id) == 0)
			return 1;
	return 0;
}

/* List the workspace again and report the held tokens: deleted when the
 * list no longer has them, failed when it does (AskUI answered the
 * delete but kept the token). When the list cannot be had, they are
 * reported deleted as AskUI answered, saying it was not checked. Then
 * the cache forgets the ones gone. */
static void confirm(struct run *r, const struct net_token_info *list)
{
	struct askcred_error e = ASKCRED_ERROR_INIT;
	struct net_token_info *again = NULL;
	const char **gone = NULL;
	size_t n = 0, n_gone = 0;
	askcred_status st;

	if (r->n_held == 0)
		return;
	st = r->ops->token_list(r->client, r->parent.workspace_id,
				&r->parent.token, &again, &n, &e);
	gone = calloc(r->n_held, sizeof(*gone));
	for (size_t i = 0; i < r->n_held; i++) {
		const struct net_token_info *t = &list[r->held[i].idx];
		struct held *h = &r->held[i];
		struct askcred_token_info info;
		struct jobid_text jt;
		size_t len = strlen(h->note);

		describe(r, t, &info, &jt);
		info.flags = h->flags;
		if (st != ASKCRED_OK) {
			snprintf(h->note + len, sizeof(h->note) - len,
				 " (not checked: listing again failed: %s)",
				 e.message);
			if (gone != NULL)
				gone[n_gone++] = t->id;
		} else if (still_listed(again, n, t->id)) {
			struct askcred_error kept = ASKCRED_ERROR_INIT;

			r->deleted--;
			info.flags &= ~ASKCRED_TOKEN_DELETED;
			err_set(&kept, ASKCRED_UNAVAILABLE, "tokens",
				"AskUI answered the delete of token %s but "
				"still lists it",
				t->id);
			failed(r, &info, ASKCRED_UNAVAILABLE, &kept);
			snprintf(h->note, sizeof(h->note),
				 "not deleted: AskUI answered the delete but "
				 "still lists the token");
			audit(r, t, 0, "could not delete", h->note);
		} else if (gone != NULL) {
			gone[n_gone++] = t->id;
		}
		info.note = h->note;
		r->cb(r->cb_ctx, &info);
	}
	/* Without room to remember them, deleted tokens are only not
	 * dropped from the cache; they fail validation there anyway. */
	if (gone != NULL)
		tokens_forget_cached(r->sc, gone, n_gone);
	free(gone);
	if (again != NULL)
		r->ops->token_list_free(again);
}

static askcred_status outcome(struct run *r, size_t listed,
			      struct askcred_error *err)
{
	plog(r->sc->log, ASKCRED_LOG_INFO,
	     "tokens %s: %zu token(s) in workspace %s, %zu picked, %zu "
	     "deleted, %zu failed, %zu kept",
	     action_names[r->q.action], listed, r->parent.workspace_id,
	     r->picked, r->deleted, r->failed, r->refused);
	if (r->failed > 0)
		return err_set(err, r->failure, r->first.where,
			       "%zu of %zu token(s) could not be deleted "
			       "(first: %s); run it again",
			       r->failed, r->picked, r->first.message);
	if (r->q.action == ASKCRED_TOKENS_REVOKE && r->refused > 0)
		return err_set(err, ASKCRED_DENIED, "parent_credentials",
			       "the parent credential askcred mints with is "
			       "never deleted by askcred; delete it in AskUI "
			       "Hub if that is what you want");
	if (r->q.action == ASKCRED_TOKENS_REVOKE && r->picked == 0 &&
	    r->q.select == ASKCRED_TOKENS_SEL_ID)
		return err_set(err, ASKCRED_NOT_FOUND, "tokens revoke",
			       "workspace %s holds no token %s",
			       r->parent.workspace_id, r->q.token_id);
	return ASKCRED_OK;
}

askcred_status tokens_run(const struct source_ctx *sc,
			  const struct askcred_tokens_query *query,
			  askcred_token_cb cb, void *cb_ctx,
			  struct askcred_error *err)
{
	struct net_token_info *list = NULL;
	struct run r;
	size_t n = 0;
	askcred_status rc;

	memset(&r, 0, sizeof(r));
	if (sc->source != &source_mint)
		return err_set(err, ASKCRED_IGNORE, "source",
			       "source=%s mints no tokens; no workspace to "
			       "manage",
			       sc->source->name);
	if (cb == NULL || query == NULL)
		return err_set(err, ASKCRED_INTERNAL, "tokens",
			       "no query or callback");
	if (sc->cfg->parent_credentials == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "parent_credentials",
			       "tokens needs parent_credentials=FILE");
	rc = take_query(&r, query, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (r.q.action == ASKCRED_TOKENS_ENFORCE && sc->gate->store == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "policy",
			       "tokens enforce needs a policy (policy=FILE or "
			       "policy_url=URL)");
	r.sc = sc;
	r.cb = cb;
	r.cb_ctx = cb_ctx;
	r.now = (int64_t)time(NULL);
	jobid_host(r.host, sizeof(r.host));
	rc = credentials_file_read(sc->cfg->parent_credentials, &r.parent, err);
	if (rc == ASKCRED_OK)
		rc = remote_get(sc->net, &r.ops, &r.client, err);
	if (rc == ASKCRED_OK)
		rc = parent_id(&r, err);
	if (rc == ASKCRED_OK)
		rc = r.ops->token_list(r.client, r.parent.workspace_id,
				       &r.parent.token, &list, &n, err);
	if (rc == ASKCRED_OK && n > 0 && r.q.action != ASKCRED_TOKENS_LIST &&
	    !(r.q.flags & ASKCRED_TOKENS_DRY_RUN)) {
		r.held = calloc(n, sizeof(*r.held));
		if (r.held == NULL)
			rc = err_set(err, ASKCRED_NO_MEMORY, NULL,
				     "out of memory");
	}
	for (size_t i = 0; rc == ASKCRED_OK && i < n; i++)
		rc = one(&r, &list[i], i, err);
	/* Even after an error, what was deleted is reported. */
	confirm(&r, list);
	if (rc == ASKCRED_OK)
		rc = outcome(&r, n, err);
	free(r.held);
	if (list != NULL)
		r.ops->token_list_free(list);
	record_clear(&r.parent);
	return rc;
}
