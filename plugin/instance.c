#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache_fs.h"
#include "clock.h"
#include "credcheck.h"
#include "error.h"
#include "gc.h"
#include "host_config.h"
#include "instance.h"
#include "log.h"
#include "metrics.h"
#include "obtain.h"
#include "pending.h"
#include "secret.h"
#include "stack_policy.h"
#include "timefmt.h"
#include "tokens.h"

/* Copy what the host declared of its struct; fields it does not know stay
 * zero, which means "not given". */
static askcred_status copy_host(struct instance *inst,
				const struct askcred_host *host,
				struct askcred_error *err)
{
	size_t n;

	memset(&inst->host, 0, sizeof(inst->host));
	if (host == NULL)
		return ASKCRED_OK;
	n = host->struct_size < sizeof(inst->host) ? host->struct_size
						   : sizeof(inst->host);
	if (n < offsetof(struct askcred_host, abi_version) + sizeof(uint32_t))
		return err_set(err, ASKCRED_ABI_MISMATCH, "host",
			       "host struct of %u bytes is too small",
			       (unsigned)host->struct_size);
	memcpy(&inst->host, host, n);
	if (ASKCRED_ABI_MAJOR_OF(inst->host.abi_version) != ASKCRED_ABI_MAJOR)
		return err_set(err, ASKCRED_ABI_MISMATCH, "host",
			       "host speaks provider ABI %u.%u, this module "
			       "%u.%u",
			       ASKCRED_ABI_MAJOR_OF(inst->host.abi_version),
			       ASKCRED_ABI_MINOR_OF(inst->host.abi_version),
			       ASKCRED_ABI_MAJOR, ASKCRED_ABI_MINOR);
	return ASKCRED_OK;
}

static askcred_status pick_source(struct instance *inst,
				  struct askcred_error *err)
{
	char names[128];

	inst->ctx.source = source_find(inst->cfg.source);
	if (inst->ctx.source != NULL)
		return ASKCRED_OK;
	source_names(names, sizeof(names));
	return err_set(err, ASKCRED_CONFIG_ERROR, "source",
		       "unknown source '%s' (this module knows: %s)",
		       inst->cfg.source, names);
}

static void merge_labels(struct instance *inst)
{
	const char *mine = inst->cfg.gate.labels, *host = inst->host.labels;

	if (host == NULL)
		host = "";
	snprintf(inst->labels, sizeof(inst->labels), "%s%s%s", mine,
		 mine[0] && host[0] ? "," : "", host);
}

/* The disk cache is keyed by workspace. A mint instance configured
 * without workspace= mints for its parent credential's workspace, so that
 * is the one its requests mean. */
static askcred_status learn_workspace(struct instance *inst,
				      struct askcred_error *err)
{
	struct token_record parent = {0};
	askcred_status rc;

	if (inst->cfg.workspace[0] != '\0' ||
	    inst->cfg.parent_credentials == NULL ||
	    inst->ctx.source != &source_mint)
		return ASKCRED_OK;
	rc = credentials_file_read(inst->cfg.parent_credentials, &parent, err);
	if (rc == ASKCRED_OK)
		memcpy(inst->cfg.workspace, parent.workspace_id,
		       sizeof(inst->cfg.workspace));
	record_clear(&parent);
	return rc;
}

/* The policy's state (last good copy, rollback guard) lives in
 * policy_state_dir, else <cache dir>/policy: the cache_dir argument or the
 * cache's default, whether the cache is on or not. Without a lasting
 * rollback guard, a validly signed older serial would be accepted again by
 * the next process (cache=off and source=static keep no cache), so a
 * policy with nowhere to keep its state is refused, never run unguarded. */
static askcred_status policy_state(struct instance *inst, char *dir,
				   int *make_parents, struct askcred_error *err)
{
	char base[FS_PATH_MAX];
	askcred_status rc;

	*make_parents = 0;
	if (inst->cfg.gate.policy_state_dir != NULL)
		return fs_path(dir, err, "%s", inst->cfg.gate.policy_state_dir);
	if (inst->cfg.cache_dir != NULL) {
		rc = fs_path(base, err, "%s", inst->cfg.cache_dir);
	} else {
		rc = cache_default_dir(base, err);
		*make_parents = 1;
	}
	if (rc == ASKCRED_OK)
		rc = fs_path(dir, err, "%s/policy", base);
	if (rc != ASKCRED_OK)
		err_prefix(err, "no place to keep the policy's rollback "
				"guard (set policy_state_dir=)");
	return rc;
}

static askcred_status open_policy(struct instance *inst,
				  struct askcred_error *err)
{
	struct enforce_env env;
	char dir[FS_PATH_MAX];
	const char *state = NULL;
	int make_parents;
	askcred_status rc;

	if (inst->cfg.gate.policy != NULL ||
	    inst->cfg.gate.policy_url != NULL) {
		rc = policy_state(inst, dir, &make_parents, err);
		if (rc != ASKCRED_OK)
			return rc;
		/* Made like the cache directory: 0700, ours, checked. */
		rc = fs_private_dir(dir, make_parents, err);
		if (rc != ASKCRED_OK) {
			err_prefix(err, "policy state directory (the rollback "
					"guard)");
			return rc;
		}
		state = dir;
	}
	env.cfg = &inst->cfg.gate;
	env.log = &inst->log;
	env.net = &inst->remote;
	env.labels = inst->labels;
	env.source = inst->ctx.source->name;
	rc = enforce_open(&inst->enforce, &env, state, err);
	inst->have_enforce = rc == ASKCRED_OK;
	return rc;
}

askcred_status instance_open(const struct askcred_host *host, int argc,
			     const char *const *argv, struct instance **out,
			     struct askcred_error *err)
{
	struct instance *inst = NULL;
	struct host_config hc;
	int have_pool = 0, have_lock = 0, have_remote = 0;
	askcred_status rc;

	*out = NULL;
	inst = calloc(1, sizeof(*inst));
	if (inst == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	rc = copy_host(inst, host, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = host_config_load(&hc, err);
	if (rc == ASKCRED_OK)
		rc = config_parse_with(&hc, argc, argv, &inst->cfg, err);
	host_config_free(&hc);
	if (rc != ASKCRED_OK)
		goto out;
	inst->log.log = inst->host.log;
	inst->log.log_ctx = inst->host.log_ctx;
	inst->ctx.cfg = &inst->cfg;
	inst->ctx.log = &inst->log;
	inst->ctx.net = &inst->remote;
	inst->ctx.gate = &inst->enforce;
	inst->ctx.pending = &inst->pending;
	rc = stack_policy_join(inst->host.stack_name, &inst->cfg,
			       &inst->stack_policy, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = pick_source(inst, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	if (cred_pool_init(&inst->pool) != 0)
		goto out;
	have_pool = 1;
	if (pthread_mutex_init(&inst->fill_lock, NULL) != 0)
		goto out;
	have_lock = 1;
	if (remote_init(&inst->remote, &inst->cfg.net, &inst->log) != 0)
		goto out;
	have_remote = 1;
	inst->mem = memcache_new();
	if (inst->mem == NULL)
		goto out;
	err_clear(err);
	merge_labels(inst);
	rc = learn_workspace(inst, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = obtain_open_cache(&inst->ctx, err);
	if (rc != ASKCRED_OK)
		goto out;
	inst->ctx.metrics = metrics_open(
		&inst->cfg,
		inst->ctx.cache ? cache_dir_path(inst->ctx.cache) : NULL,
		&inst->log);
	/* The disk cache is keyed by workspace: without one, every fetch
	 * goes to the source. Say so instead of silently never caching. */
	if (inst->ctx.source->disk_cache && inst->cfg.cache &&
	    inst->cfg.workspace[0] == '\0')
		plog(&inst->log, ASKCRED_LOG_WARNING,
		     "source=%s without workspace=: tokens are not kept in "
		     "the disk cache; add workspace=UUID to this line",
		     inst->ctx.source->name);
	rc = open_policy(inst, err);
	if (rc != ASKCRED_OK)
		goto out;
	plog(&inst->log, ASKCRED_LOG_DEBUG, "source=%s entry=%s%s%s",
	     inst->ctx.source->name, inst->cfg.entry,
	     inst->cfg.workspace[0] ? " workspace=" : "", inst->cfg.workspace);
	*out = inst;
	inst = NULL;
out:
	if (inst != NULL) {
		stack_policy_leave(&inst->stack_policy);
		metrics_close(inst->ctx.metrics, NULL);
		cache_close(inst->ctx.cache);
		memcache_free(inst->mem);
		if (have_remote)
			remote_destroy(&inst->remote);
		if (have_lock)
			pthread_mutex_destroy(&inst->fill_lock);
		if (have_pool)
			cred_pool_destroy(&inst->pool);
		config_free(&inst->cfg);
		free(inst);
	}
	return rc;
}

void instance_close(struct instance *inst)
{
	size_t leaked;

	if (inst == NULL)
		return;
	memcache_free(inst->mem);
	if (inst->have_enforce)
		enforce_close(&inst->enforce);
	metrics_close(inst->ctx.metrics, &inst->ctx);
	cache_close(inst->ctx.cache);
	leaked = cred_pool_destroy(&inst->pool);
	if (leaked != 0)
		plog(&inst->log, ASKCRED_LOG_WARNING,
		     "%zu credential(s) were not released before "
		     "close; wiped them",
		     leaked);
	remote_destroy(&inst->remote);
	pthread_mutex_destroy(&inst->fill_lock);
	stack_policy_leave(&inst->stack_policy);
	config_free(&inst->cfg);
	free(inst);
}

/* As much of the caller's request as it declared; the rest zero, which
 * means "default". */
static void copy_request(const struct askcred_request *in,
			 struct askcred_request *req)
{
	memset(req, 0, sizeof(*req));
	if (in != NULL)
		memcpy(req, in,
		       in->struct_size < sizeof(*req) ? in->struct_size
						      : sizeof(*req));
	req->struct_size = sizeof(*req);
}

/* A full ABI 1.0 request with the instance's defaults filled in. */
static askcred_status normalise_request(const struct instance *inst,
					const struct askcred_request *in,
					struct askcred_request *req,
					struct askcred_error *err)
{
	copy_request(in, req);
	if (req->workspace_id == NULL && inst->cfg.workspace[0] != '\0')
		req->workspace_id = inst->cfg.workspace;
	/* The configured one was checked when the instance was opened. */
	if (req->workspace_id != NULL &&
	    req->workspace_id != inst->cfg.workspace &&
	    !is_uuid4(req->workspace_id))
		return err_set(err, ASKCRED_INVALID, "workspace_id",
			       "requested workspace id is not a UUID version "
			       "4");
	if (req->min_validity == 0)
		req->min_validity = inst->cfg.min_validity;
	return ASKCRED_OK;
}

/* A cached credential is served only while it has more than this left:
 * the request's need, and never inside the advisory refresh window. */
static uint32_t hit_margin(const struct instance *inst,
			   const struct askcred_request *req)
{
	return req->min_validity > inst->cfg.advisory_window
		       ? req->min_validity
		       : inst->cfg.advisory_window;
}

/* Last look before a record becomes a credential: a source bug must not
 * reach the host. (The policy has judged it in obtain().) */
static askcred_status admit(const struct instance *inst,
			    const struct token_record *rec,
			    struct askcred_error *err)
{
	if (rec->token.buf == NULL || rec->token.len == 0 ||
	    !is_uuid4(rec->workspace_id) ||
	    strcmp(rec->source, inst->ctx.source->name) != 0)
		return err_set(err, ASKCRED_INTERNAL, inst->ctx.source->name,
			       "source returned an incomplete credential");
	return ASKCRED_OK;
}

/* A memory hit is a credential already audited when it was handed out
 * first; with a policy in force it is judged again (the policy may have
 * changed, or time passed), quietly unless refused. */
static askcred_status recheck(struct instance *inst, const struct cred *c,
			      const struct askcred_request *req, int *reissue,
			      struct askcred_error *err)
{
	struct token_view v;
	askcred_status rc;

	*reissue = 0;
	if (inst->enforce.store == NULL)
		return ASKCRED_OK;
	credential_view(&c->pub, &v);
	rc = enforce_judge(&inst->enforce, POLICY_OP_CACHE_READ, &v,
			   v.workspace_id, req->purpose,
			   ENFORCE_CACHED | ENFORCE_QUIET, err);
	/* Allowed by another policy than the one it was handed out under:
	 * the object (immutable) names the old serial, and that hand-out
	 * was audited under it. Hand it out again, audited. */
	*reissue = rc == ASKCRED_OK && v.policy_serial != c->pub.policy_serial;
	return rc;
}

/* Does rec stand for something another process can change, that we can
 * read again without asking the source (memcache.h)? A static source's own
 * file, or the disk cache entry it was read from or stored in (cached_at
 * is set only then). Otherwise only the source could give it again. */
static int rereadable(const struct instance *inst,
		      const struct token_record *rec)
{
	return !inst->ctx.source->disk_cache ||
	       (inst->ctx.cache != NULL && rec->cached_at != 0);
}

/* Does what c stands for still hold c? Read without the policy and
 * without an audit line: c was judged when it was first handed out, and
 * recheck() judges it again on the hit. Anything else (another token,
 * none, an error) is a no, and the caller takes the miss path, which
 * obtains, judges and audits as usual. */
static int still_current(struct instance *inst,
			 const struct askcred_request *req,
			 const struct cred *c)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct token_record rec;
	askcred_status rc;
	int same;

	memset(&rec, 0, sizeof(rec));
	if (inst->ctx.source->disk_cache)
		rc = cache_read(inst->ctx.cache, c->pub.workspace_id,
				inst->cfg.entry, &rec, &ignored);
	else
		rc = inst->ctx.source->fetch(&inst->ctx, req, &rec, &ignored);
	same = rc == ASKCRED_OK &&
	       secret_equals(&rec.token, c->pub.token, c->pub.token_len) &&
	       rec.expires_at == c->pub.expires_at;
	record_clear(&rec);
	return same;
}

/* Turn rec into the caller's credential, and keep a twin flagged
 * FROM_CACHE in the memory cache (objects are immutable, so the caller's
 * own copy cannot carry that flag later). */
static askcred_status publish(struct instance *inst, const char *key_ws,
			      const struct token_record *rec, struct cred **out,
			      struct askcred_error *err)
{
	struct cred *fresh = NULL, *twin = NULL;
	askcred_status rc;

	rc = cred_new(&inst->pool, rec, rec->flags, &fresh, err);
	if (rc != ASKCRED_OK)
		return rc;
	/* Without a twin the caller is still served; only caching fails. */
	if (cred_clone(fresh, fresh->pub.flags | ASKCRED_CRED_FROM_CACHE, &twin,
		       NULL) == ASKCRED_OK) {
		memcache_put(inst->mem, key_ws, inst->cfg.entry, twin,
			     rereadable(inst, rec));
		cred_unref(twin);
	}
	*out = fresh;
	return ASKCRED_OK;
}

/* Revocation must always be possible, also of a token the policy refuses
 * now: the credential held now (memory, disk cache, or a static source's
 * own file) is handed out for revoke() only, unjudged, and a new one is
 * never obtained for it. The revocation is audited by instance_revoke(). */
static askcred_status held_for_revoke(struct instance *inst,
				      const struct askcred_request *req,
				      struct cred **out,
				      struct askcred_error *err)
{
	struct token_record rec;
	const char *ws = req->workspace_id;
	askcred_status rc = ASKCRED_NOT_FOUND;

	memset(&rec, 0, sizeof(rec));
	*out = memcache_get(inst->mem, ws ? ws : "", inst->cfg.entry,
			    (int64_t)time(NULL), 0, NULL);
	if (*out != NULL)
		return ASKCRED_OK;
	if (inst->ctx.cache != NULL && ws != NULL)
		rc = cache_read(inst->ctx.cache, ws, inst->cfg.entry, &rec,
				err);
	else if (!inst->ctx.source->disk_cache)
		rc = inst->ctx.source->fetch(&inst->ctx, req, &rec, err);
	if (rc == ASKCRED_NOT_FOUND)
		rc = err_set(err, ASKCRED_NOT_FOUND, "revoke",
			     "no %s credential is held for entry %s: nothing "
			     "to revoke",
			     inst->ctx.source->name, inst->cfg.entry);
	if (rc == ASKCRED_OK)
		rc = admit(inst, &rec, err);
	if (rc == ASKCRED_OK)
		rc = cred_new(&inst->pool, &rec, rec.flags, out, err);
	record_clear(&rec);
	return rc;
}

askcred_status instance_fetch(struct instance *inst,
			      const struct askcred_request *req_in,
			      struct askcred_credential **out,
			      struct askcred_error *err)
{
	struct askcred_request req;
	struct token_record rec;
	struct cred *c = NULL;
	const char *key_ws;
	int due = 0, reissue = 0;
	int use_cache, locked = 0;
	askcred_status rc;
	char fp[FINGERPRINT_LEN], when[RFC3339_BUFSZ] = "never";

	memset(&rec, 0, sizeof(rec));
	if (out == NULL)
		return err_set(err, ASKCRED_INTERNAL, "fetch",
			       "no place to return the credential");
	*out = NULL;
	rc = normalise_request(inst, req_in, &req, err);
	if (rc != ASKCRED_OK)
		return rc;
	key_ws = req.workspace_id != NULL ? req.workspace_id : "";
	if (req.flags & ASKCRED_REQ_REVOKE) {
		rc = held_for_revoke(inst, &req, &c, err);
		if (rc == ASKCRED_OK)
			*out = &c->pub;
		return rc;
	}
	use_cache = (req.flags &
		     (ASKCRED_REQ_NO_CACHE | ASKCRED_REQ_FORCE_REFRESH)) == 0;
	if (use_cache) {
		c = memcache_get(inst->mem, key_ws, inst->cfg.entry,
				 (int64_t)time(NULL), hit_margin(inst, &req),
				 &due);
		if (c != NULL && !due)
			goto hit;
		cred_unref(c);
		/* Wait for a thread already asking, then look again. */
		pthread_mutex_lock(&inst->fill_lock);
		locked = 1;
		c = memcache_get(inst->mem, key_ws, inst->cfg.entry,
				 (int64_t)time(NULL), hit_margin(inst, &req),
				 &due);
		if (c != NULL && due) {
			if (still_current(inst, &req, c)) {
				memcache_touch(inst->mem, key_ws,
					       inst->cfg.entry, c);
			} else {
				cred_unref(c);
				c = NULL;
			}
		}
		if (c != NULL)
			goto hit;
	}
miss:
	rc = obtain(&inst->ctx, &req, &rec, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = admit(inst, &rec, err);
	if (rc != ASKCRED_OK)
		goto out;
	if (inst->ctx.source == &source_mint &&
	    (rec.flags & ASKCRED_CRED_FROM_CACHE) == 0)
		metrics_askui_success(inst->ctx.metrics);
	rc = publish(inst, key_ws, &rec, &c, err);
	if (rc != ASKCRED_OK)
		goto out;
	fingerprint(c->pub.token, c->pub.token_len, fp);
	if (c->pub.expires_at != 0)
		rfc3339_format(c->pub.expires_at, when);
	plog(&inst->log, ASKCRED_LOG_INFO,
	     "%s credential for workspace %s, token %s, expires %s%s",
	     inst->ctx.source->name, c->pub.workspace_id, fp, when,
	     (c->pub.flags & ASKCRED_CRED_STALE) ? " (stale: source down)"
						 : "");
	goto done;
hit:
	rc = recheck(inst, c, &req, &reissue, err);
	if (rc != ASKCRED_OK) {
		cred_unref(c);
		goto out;
	}
	if (reissue) {
		cred_unref(c);
		c = NULL;
		if (!locked) {
			pthread_mutex_lock(&inst->fill_lock);
			locked = 1;
		}
		goto miss;
	}
	metrics_count(inst->ctx.metrics, METRICS_HIT);
done:
	/* The token the disk cache holds now for this entry. */
	if (inst->ctx.cache != NULL && req.workspace_id != NULL &&
	    (req.flags & ASKCRED_REQ_NO_CACHE) == 0)
		metrics_expiry(inst->ctx.metrics, c->pub.workspace_id,
			       inst->cfg.entry, c->pub.expires_at);
	*out = &c->pub;
	rc = ASKCRED_OK;
out:
	if (locked)
		pthread_mutex_unlock(&inst->fill_lock);
	if (rc == ASKCRED_DENIED)
		metrics_refusal(inst->ctx.metrics, err->where);
	metrics_flush(inst->ctx.metrics, &inst->ctx);
	record_clear(&rec);
	/* Rotation's deferred deletes do not wait for `askcred gc`. */
	gc_deliver_due(&inst->ctx);
	return rc;
}

askcred_status instance_refresh(struct instance *inst,
				const struct askcred_request *req_in,
				struct askcred_credential **out,
				struct askcred_error *err)
{
	struct askcred_request req;

	copy_request(req_in, &req);
	req.flags |= ASKCRED_REQ_FORCE_REFRESH;
	return instance_fetch(inst, &req, out, err);
}

/* Another module's credential may come from an older minor: it must at
 * least hold every ABI 1.0 field we read. */
static askcred_status usable(const struct askcred_credential *cred,
			     struct askcred_error *err)
{
	if (cred == NULL ||
	    cred->struct_size <
		    offsetof(struct askcred_credential, host_private) ||
	    cred->token == NULL)
		return err_set(err, ASKCRED_INVALID, "credential",
			       "not a usable credential");
	return ASKCRED_OK;
}

/* validate and revoke: a source without the operation has nothing to
 * say about the credential. */
static askcred_status
run_source_op(struct instance *inst,
	      askcred_status (*op)(const struct source_ctx *,
				   const struct askcred_credential *,
				   struct askcred_error *),
	      const struct askcred_credential *cred, struct askcred_error *err)
{
	askcred_status rc = usable(cred, err);

	if (rc != ASKCRED_OK)
		return rc;
	return op != NULL ? op(&inst->ctx, cred, err) : ASKCRED_IGNORE;
}

askcred_status instance_validate(struct instance *inst,
				 const struct askcred_credential *cred,
				 struct askcred_error *err)
{
	struct token_view v;
	askcred_status rc =
		run_source_op(inst, inst->ctx.source->validate, cred, err);

	if (rc != ASKCRED_OK)
		return rc;
	/* online_validate=on: AskUI answered that the token lives. */
	if (inst->cfg.online_validate)
		metrics_askui_success(inst->ctx.metrics);
	credential_view(cred, &v);
	rc = enforce_judge(&inst->enforce, POLICY_OP_VALIDATE, &v,
			   v.workspace_id, NULL, 0, err);
	if (rc == ASKCRED_DENIED)
		metrics_refusal(inst->ctx.metrics, err->where);
	metrics_flush(inst->ctx.metrics, &inst->ctx);
	return rc;
}

askcred_status instance_invalidate(struct instance *inst,
				   const struct askcred_credential *cred,
				   const char *reason,
				   struct askcred_error *err)
{
	askcred_status rc = usable(cred, err);
	char fp[FINGERPRINT_LEN];
	size_t n;

	if (rc != ASKCRED_OK)
		return rc;
	/* Match by token, not pointer: the caller's object and the cached
	 * twin are different objects holding the same token. */
	/* The disk first: a thread missing in memory meanwhile must not
	 * find the token on disk and put it back. */
	obtain_forget(&inst->ctx, cred);
	n = memcache_drop_token(inst->mem, cred->token, cred->token_len);
	fingerprint(cred->token, cred->token_len, fp);
	plog(&inst->log, ASKCRED_LOG_NOTICE,
	     "token %s invalidated (%s); dropped %zu cached entr%s", fp,
	     reason ? reason : "no reason given", n, n == 1 ? "y" : "ies");
	metrics_flush(inst->ctx.metrics, &inst->ctx);
	return n > 0 ? ASKCRED_OK : ASKCRED_IGNORE;
}

askcred_status instance_revoke(struct instance *inst,
			       const struct askcred_credential *cred,
			       struct askcred_error *err)
{
	askcred_status rc =
		run_source_op(inst, inst->ctx.source->revoke, cred, err);

	struct token_view v;

	/* A revoked token (or one whose revocation is pending) must not be
	 * served again, from memory or from the shared disk cache. */
	if (rc == ASKCRED_OK || rc == ASKCRED_UNAVAILABLE) {
		obtain_forget(&inst->ctx, cred);
		memcache_drop_token(inst->mem, cred->token, cred->token_len);
	}
	if (rc == ASKCRED_OK || rc == ASKCRED_UNAVAILABLE) {
		credential_view(cred, &v);
		enforce_audit(&inst->enforce, POLICY_OP_REVOKE, &v,
			      v.workspace_id, rc == ASKCRED_OK,
			      rc == ASKCRED_OK ? "revoked" : err->message);
	}
	if (rc == ASKCRED_OK && inst->ctx.source == &source_mint)
		metrics_askui_success(inst->ctx.metrics);
	metrics_flush(inst->ctx.metrics, &inst->ctx);
	return rc;
}

void instance_release(struct instance *inst, struct askcred_credential *cred)
{
	struct cred *c;

	if (cred == NULL)
		return;
	c = cred_of(&inst->pool, cred);
	if (c == NULL) {
		plog(&inst->log, ASKCRED_LOG_ERR,
		     "release() of a credential this instance did not "
		     "hand out; ignored");
		return;
	}
	cred_unref(c);
}

struct status_ctx {
	askcred_entry_cb cb;
	void *cb_ctx;
};

static void report_entry(void *ctx, const char *entry, const struct cred *c)
{
	struct status_ctx *sc = ctx;
	struct askcred_entry_info info;

	memset(&info, 0, sizeof(info));
	info.struct_size = sizeof(info);
	info.flags = c->pub.flags;
	info.name = entry;
	info.workspace_id = c->pub.workspace_id;
	info.token_id = c->pub.token_id[0] ? c->pub.token_id : NULL;
	info.source = c->pub.source;
	info.issued_at = c->pub.issued_at;
	info.expires_at = c->pub.expires_at;
	info.policy_serial = c->pub.policy_serial;
	info.note = "in memory";
	sc->cb(sc->cb_ctx, &info);
}

static void report_disk(void *ctx, const char *entry,
			const struct token_record *rec)
{
	struct status_ctx *sc = ctx;
	struct askcred_entry_info info;

	memset(&info, 0, sizeof(info));
	info.struct_size = sizeof(info);
	info.flags = rec->flags | ASKCRED_CRED_FROM_CACHE;
	info.name = entry;
	info.workspace_id = rec->workspace_id;
	info.token_id = rec->token_id[0] ? rec->token_id : NULL;
	info.source = rec->source;
	info.issued_at = rec->issued_at;
	info.expires_at = rec->expires_at;
	info.policy_serial = rec->policy_serial;
	info.note = "disk cache";
	sc->cb(sc->cb_ctx, &info);
}

/* The policy in force, as one entry (`askcred status`, `policy show`). */
static void report_policy(struct instance *inst, askcred_entry_cb cb,
			  void *cb_ctx)
{
	struct askcred_entry_info info;
	char note[512];
	uint64_t serial;

	if (!enforce_summary(&inst->enforce, note, sizeof(note), &serial))
		return;
	memset(&info, 0, sizeof(info));
	info.struct_size = sizeof(info);
	info.flags = ASKCRED_ENTRY_POLICY;
	info.name = "policy";
	info.workspace_id = inst->cfg.workspace[0] ? inst->cfg.workspace : NULL;
	info.source = inst->ctx.source->name;
	info.policy_serial = serial;
	info.note = note;
	cb(cb_ctx, &info);
}

askcred_status instance_gc(struct instance *inst, askcred_entry_cb cb,
			   void *cb_ctx, struct askcred_error *err)
{
	return gc_collect(&inst->ctx, cb, cb_ctx, err);
}

askcred_status instance_tokens(struct instance *inst,
			       const struct askcred_tokens_query *query,
			       askcred_token_cb cb, void *cb_ctx,
			       struct askcred_error *err)
{
	return tokens_run(&inst->ctx, query, cb, cb_ctx, err);
}

askcred_status instance_status(struct instance *inst, askcred_entry_cb cb,
			       void *cb_ctx, struct askcred_error *err)
{
	struct status_ctx sc = {cb, cb_ctx};

	if (cb == NULL)
		return err_set(err, ASKCRED_INTERNAL, "status",
			       "no callback given");
	memcache_each(inst->mem, report_entry, &sc);
	if (inst->ctx.cache != NULL &&
	    cache_list(inst->ctx.cache, report_disk, &sc, err) != ASKCRED_OK)
		plog(&inst->log, ASKCRED_LOG_WARNING, "cache: %s",
		     err->message);
	err_clear(err);
	pending_report(&inst->ctx, cb, cb_ctx);
	report_policy(inst, cb, cb_ctx);
	return ASKCRED_OK;
}
