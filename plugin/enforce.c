#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "enforce.h"
#include "log.h"
#include "policy/policy_audit.h"
#include "policy/policy_store.h"
#include "remote.h"

#define MAX_POLICY_KEYS 8

/* The module's labels= and the host's runner labels, merged at open. */
static const char *labels_of(const struct enforce *e)
{
	return e->env.labels != NULL && e->env.labels[0] ? e->env.labels : NULL;
}
#define SIG_URL_MAX 2100

/* Split the comma-separated key list in place into paths[]. */
static askcred_status split_keys(char *list, const char **paths, size_t *n,
				 struct askcred_error *err)
{
	char *save = NULL;

	*n = 0;
	for (char *p = strtok_r(list, ",", &save); p != NULL;
	     p = strtok_r(NULL, ",", &save)) {
		if (*n == MAX_POLICY_KEYS)
			return err_set(err, ASKCRED_CONFIG_ERROR, "policy_keys",
				       "at most %d policy keys",
				       MAX_POLICY_KEYS);
		paths[(*n)++] = p;
	}
	return ASKCRED_OK;
}

/* Ask the URL (and URL.sig) for a newer document. The store keeps what it
 * has on any failure and remembers why; the next try is after
 * policy_refresh either way, so an outage costs one request per interval. */
static void refresh_url(struct enforce *e, int64_t now)
{
	const struct net_ops *ops = NULL;
	struct net_client *client = NULL;
	struct net_doc doc, sig;
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char sig_url[SIG_URL_MAX];
	askcred_status rc;

	memset(&doc, 0, sizeof(doc));
	memset(&sig, 0, sizeof(sig));
	e->next_url_check = now + e->env.cfg->policy_refresh;
	rc = remote_get(e->env.net, &ops, &client, &err);
	if (rc == ASKCRED_OK)
		rc = ops->get_document(client, e->env.cfg->policy_url,
				       policy_store_etag(e->store), &doc, &err);
	if (rc == ASKCRED_OK && doc.status == 304) {
		rc = policy_store_not_modified(e->store, now, &err);
		goto out;
	}
	if (rc == ASKCRED_OK && policy_store_key_count(e->store) > 0) {
		snprintf(sig_url, sizeof(sig_url), "%s.sig",
			 e->env.cfg->policy_url);
		rc = ops->get_document(client, sig_url, NULL, &sig, &err);
	}
	if (rc == ASKCRED_OK)
		rc = policy_store_update_from_bytes(
			e->store, doc.body, doc.len,
			(const unsigned char *)sig.body, sig.len,
			doc.etag[0] ? doc.etag : NULL, now, &err);
out:
	if (rc != ASKCRED_OK) {
		policy_store_source_failed(e->store, &err);
		plog(e->env.log, ASKCRED_LOG_WARNING, "policy from %s: %s",
		     e->env.cfg->policy_url, err.message);
	}
	if (doc.body != NULL)
		ops->doc_free(&doc);
	if (sig.body != NULL)
		ops->doc_free(&sig);
}

static askcred_status open_store(struct enforce *e, const char *state_dir,
				 struct askcred_error *err)
{
	struct policy_store_config sc;
	const char *paths[MAX_POLICY_KEYS];
	char *keys = NULL;
	askcred_status rc;

	memset(&sc, 0, sizeof(sc));
	sc.file = e->env.cfg->policy;
	sc.state_dir = state_dir;
	if (e->env.cfg->policy_keys != NULL) {
		keys = strdup(e->env.cfg->policy_keys);
		if (keys == NULL)
			return err_set(err, ASKCRED_NO_MEMORY, NULL,
				       "out of memory");
		rc = split_keys(keys, paths, &sc.n_keys, err);
		if (rc != ASKCRED_OK)
			goto out;
		sc.keys = paths;
	}
	rc = policy_store_open(&sc, &e->store, err);
	if (rc != ASKCRED_OK)
		goto out;
	/* A bad local file is not fatal here: the store fails closed and
	 * every hand-out says why, which is what an operator can act on. */
	if (sc.file != NULL &&
	    policy_store_load_file(e->store, (int64_t)time(NULL), err) !=
		    ASKCRED_OK)
		plog(e->env.log, ASKCRED_LOG_ERR, "policy %s: %s", sc.file,
		     err->message);
	err_clear(err);
out:
	free(keys);
	return rc;
}

askcred_status enforce_open(struct enforce *e, const struct enforce_env *env,
			    const char *state_dir, struct askcred_error *err)
{
	struct policy_audit_config ac;
	char host[256];
	askcred_status rc;

	memset(e, 0, sizeof(*e));
	e->env = *env;
	if (pthread_mutex_init(&e->lock, NULL) != 0)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	memset(&ac, 0, sizeof(ac));
	ac.log = env->log->log;
	ac.log_ctx = env->log->log_ctx;
	ac.file = e->env.cfg->audit_file;
	ac.syslog = e->env.cfg->audit_syslog;
	/* The audit says which machine decided; the host program's name
	 * (askcred_host.host_name) says nothing a fleet can tell apart. */
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	ac.host = host;
	rc = policy_audit_open(&ac, &e->audit, err);
	if (rc == ASKCRED_OK &&
	    (e->env.cfg->policy != NULL || e->env.cfg->policy_url != NULL))
		rc = open_store(e, state_dir, err);
	if (rc != ASKCRED_OK)
		enforce_close(e);
	return rc;
}

void enforce_close(struct enforce *e)
{
	policy_store_free(e->store);
	policy_audit_close(e->audit);
	pthread_mutex_destroy(&e->lock);
	memset(e, 0, sizeof(*e));
}

/* Called with the lock held: fetch a URL-fed policy when it is due, and
 * look at a local file at most once per ENFORCE_FILE_CHECK_MS. A host
 * that keeps its stack open then holds the policy a newly started process
 * would: a file replaced by the fleet's configuration management is read
 * again, and a failed reading keeps the policy in force. */
static void maybe_refresh(struct enforce *e, int64_t now)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	int64_t ms;

	if (e->store == NULL)
		return;
	if (e->env.cfg->policy_url != NULL && now >= e->next_url_check)
		refresh_url(e, now);
	if (e->env.cfg->policy == NULL)
		return;
	ms = monotonic_ms();
	if (ms < e->next_file_check_ms)
		return;
	e->next_file_check_ms = ms + ENFORCE_FILE_CHECK_MS;
	if (policy_store_recheck_file(e->store, now, &err) != ASKCRED_OK)
		plog(e->env.log, ASKCRED_LOG_ERR,
		     "policy %s changed and cannot be used (%s: %s); the "
		     "policy in force stays",
		     e->env.cfg->policy, err.where, err.message);
}

/* Every sink gets the line; a failed file write is logged, and is the
 * caller's to act on under audit_required=on. */
static askcred_status audit(struct enforce *e, enum policy_op op,
			    const struct token_view *rec, const char *workspace,
			    const char *purpose, uint64_t serial,
			    const struct policy_decision *d, int64_t now,
			    struct askcred_error *err)
{
	struct policy_audit_event ev;
	askcred_status rc;

	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.op = op;
	ev.rec = rec;
	ev.workspace = workspace;
	ev.source = e->env.source;
	ev.policy_serial = serial;
	ev.decision = d;
	ev.labels = labels_of(e);
	ev.purpose = purpose;
	rc = policy_audit_record(e->audit, &ev, err);
	if (rc != ASKCRED_OK)
		plog(e->env.log, ASKCRED_LOG_ERR, "audit: %s", err->message);
	return rc;
}

/* Still fail closed; but when no policy is valid because the local file
 * is missing or broken, that is the operator's to fix (exit 66 or 65),
 * not a refusal of this credential. A failed download, a bad signature
 * or a rule stay denials. */
static askcred_status refusal_status(struct enforce *e,
				     const struct policy_decision *d)
{
	askcred_status last;

	if (d->reason != POLICY_R_NONE_VALID || e->store == NULL)
		return ASKCRED_DENIED;
	pthread_mutex_lock(&e->lock);
	last = policy_store_last_status(e->store);
	pthread_mutex_unlock(&e->lock);
	return last == ASKCRED_CONFIG_ERROR || last == ASKCRED_NOT_FOUND
		       ? last
		       : ASKCRED_DENIED;
}

askcred_status enforce_judge(struct enforce *e, enum policy_op op,
			     struct token_view *rec, const char *workspace,
			     const char *purpose, unsigned flags,
			     struct askcred_error *err)
{
	struct askcred_error aerr = ASKCRED_ERROR_INIT;
	struct policy_context ctx;
	struct policy_decision d;
	uint64_t serial = 0;
	int64_t now = (int64_t)time(NULL);
	askcred_status rc, arc = ASKCRED_OK;

	memset(&ctx, 0, sizeof(ctx));
	ctx.op = op;
	ctx.labels = labels_of(e);
	ctx.now = now;
	ctx.source = e->env.source;
	ctx.workspace = workspace;
	ctx.is_cached = (flags & ENFORCE_CACHED) != 0;
	ctx.cached_at = ctx.is_cached && rec != NULL ? rec->cached_at : 0;
	pthread_mutex_lock(&e->lock);
	maybe_refresh(e, now);
	rc = policy_store_check(e->store, &ctx, rec, &d, &serial, err);
	pthread_mutex_unlock(&e->lock);
	if (rc != ASKCRED_OK)
		return rc;
	if (rec != NULL)
		rec->policy_serial = serial;
	if (!d.allowed || (flags & ENFORCE_QUIET) == 0)
		arc = audit(e, op, rec, workspace, purpose, serial, &d, now,
			    &aerr);
	if (!d.allowed)
		return err_set(err, refusal_status(e, &d), d.reason_code,
			       "policy: %s", d.sentence);
	if (arc != ASKCRED_OK && e->env.cfg->audit_required)
		return err_set(err, ASKCRED_CONFIG_ERROR, "audit_required",
			       "audit_required=on and the audit line was not "
			       "written (%s: %s): nothing is handed out",
			       aerr.where, aerr.message);
	return ASKCRED_OK;
}

askcred_status enforce_check(struct enforce *e, enum policy_op op,
			     struct token_record *rec, const char *workspace,
			     const char *purpose, unsigned flags,
			     struct askcred_error *err)
{
	struct token_view v;
	askcred_status rc;

	if (rec == NULL)
		return enforce_judge(e, op, NULL, workspace, purpose, flags,
				     err);
	record_view(rec, &v);
	rc = enforce_judge(e, op, &v, workspace, purpose, flags, err);
	rec->policy_serial = v.policy_serial;
	return rc;
}

askcred_status enforce_refuse(struct enforce *e, enum policy_op op,
			      const char *workspace, const char *purpose,
			      enum policy_reason reason,
			      struct askcred_error *err, const char *fmt, ...)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct policy_decision d;
	uint64_t serial = 0;
	const struct policy *p = NULL;
	int64_t now = (int64_t)time(NULL);
	va_list ap;

	memset(&d, 0, sizeof(d));
	d.reason = reason;
	snprintf(d.reason_code, sizeof(d.reason_code), "%s",
		 policy_reason_code(reason));
	va_start(ap, fmt);
	vsnprintf(d.sentence, sizeof(d.sentence), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&e->lock);
	if (e->store != NULL &&
	    policy_store_current(e->store, now, &p, &ignored) == ASKCRED_OK)
		serial = p->serial;
	pthread_mutex_unlock(&e->lock);
	(void)audit(e, op, NULL, workspace, purpose, serial, &d, now, &ignored);
	return err_set(err, ASKCRED_DENIED, d.reason_code, "policy: %s",
		       d.sentence);
}

askcred_status enforce_peek(struct enforce *e, const struct token_view *rec,
			    struct policy_decision *d,
			    struct askcred_error *err)
{
	struct policy_context ctx;
	int64_t now = (int64_t)time(NULL);
	askcred_status rc;

	if (e->store == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "policy",
			       "no policy configured (policy=FILE or "
			       "policy_url=URL): there is nothing to enforce");
	memset(&ctx, 0, sizeof(ctx));
	ctx.op = POLICY_OP_VALIDATE;
	ctx.labels = labels_of(e);
	ctx.now = now;
	ctx.source = e->env.source;
	ctx.workspace = rec->workspace_id;
	pthread_mutex_lock(&e->lock);
	maybe_refresh(e, now);
	rc = policy_store_check(e->store, &ctx, rec, d, NULL, err);
	pthread_mutex_unlock(&e->lock);
	return rc;
}

void enforce_audit(struct enforce *e, enum policy_op op,
		   const struct token_view *rec, const char *workspace,
		   int succeeded, const char *sentence)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct policy_decision d;

	memset(&d, 0, sizeof(d));
	d.allowed = succeeded;
	d.reason = POLICY_R_OK;
	snprintf(d.reason_code, sizeof(d.reason_code), "%s",
		 succeeded ? "ok" : "failed");
	snprintf(d.sentence, sizeof(d.sentence), "%s", sentence);
	(void)audit(e, op, rec, workspace, NULL, rec ? rec->policy_serial : 0,
		    &d, (int64_t)time(NULL), &ignored);
}

void enforce_limits(struct enforce *e, struct enforce_limits *out)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	const struct policy *p = NULL;
	const char *labels = labels_of(e);
	int64_t now = (int64_t)time(NULL);

	pthread_mutex_lock(&e->lock);
	maybe_refresh(e, now);
	if (e->store != NULL)
		(void)policy_store_current(e->store, now, &p, &ignored);
	policy_refresh_windows(p, labels, &out->windows);
	out->grace_budget = policy_grace_budget(p, labels);
	out->max_lifetime = policy_max_lifetime(p, labels);
	out->min_validity = policy_min_validity(p, labels);
	pthread_mutex_unlock(&e->lock);
}

void enforce_describe(struct enforce *e, char *buf, size_t size)
{
	int64_t now = (int64_t)time(NULL);

	if (e->store == NULL) {
		snprintf(buf, size, "no policy configured");
		return;
	}
	pthread_mutex_lock(&e->lock);
	maybe_refresh(e, now);
	policy_describe(e->store, labels_of(e), now, buf, size);
	pthread_mutex_unlock(&e->lock);
}

int enforce_summary(struct enforce *e, char *buf, size_t size, uint64_t *serial)
{
	struct askcred_error why = ASKCRED_ERROR_INIT;
	const struct policy *p = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t keys;
	const char *origin, *last;

	*serial = 0;
	buf[0] = '\0';
	if (e->store == NULL)
		return 0;
	pthread_mutex_lock(&e->lock);
	maybe_refresh(e, now);
	keys = policy_store_key_count(e->store);
	origin = policy_store_origin(e->store);
	last = policy_store_last_error(e->store);
	if (policy_store_current(e->store, now, &p, &why) == ASKCRED_OK) {
		*serial = p->serial;
		snprintf(buf, size, "policy serial %llu from %s, %s%s%s",
			 (unsigned long long)p->serial, origin ? origin : "?",
			 keys ? "signature verified" : "unsigned (no keys)",
			 last && *last ? "; last update failed: " : "",
			 last && *last ? last : "");
	} else {
		snprintf(buf, size,
			 "no valid policy, nothing is handed out: %s",
			 why.message);
	}
	pthread_mutex_unlock(&e->lock);
	return 1;
}
