/* The mint source: short-lived tokens created through AskUI's access-token
 * API (POST /workspaces/{ws}/access-tokens) with a parent credential that
 * never leaves this host. Each minted token is named
 *
 *   askcred/<host>/<entry>                       shared, rotated by the cache
 *   askcred/<host>/<entry>/job/<pid>.<start>/<purpose>   one job (NO_CACHE)
 *
 * so that `askcred gc` can tell its own tokens apart and find those whose
 * job (process <pid> started at <start>) is gone. Lifetimes are bounded by
 * the policy's max_lifetime; the policy is asked before the server is. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "credcheck.h"
#include "enforce.h"
#include "error.h"
#include "expiry.h"
#include "instance.h"
#include "jobid.h"
#include "log.h"
#include "pending.h"
#include "remote.h"
#include "source.h"
#include "timefmt.h"

static askcred_status load_parent(struct instance *inst, const char *workspace,
				  struct token_record *parent,
				  struct askcred_error *err)
{
	const char *path = inst->cfg.parent_credentials;
	askcred_status rc;

	if (path == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "parent_credentials",
			       "source=mint needs parent_credentials=FILE, "
			       "the credential that mints tokens");
	rc = credentials_file_read(path, parent, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (workspace != NULL &&
	    strcasecmp(workspace, parent->workspace_id) != 0)
		return err_set(err, ASKCRED_NOT_FOUND, path,
			       "parent credential is for workspace %s, not "
			       "the requested %s",
			       parent->workspace_id, workspace);
	rc = expiry_check(parent->expires_at, (int64_t)time(NULL), 0, path,
			  err);
	if (rc != ASKCRED_OK)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "parent credential: %s; replace it",
			       err->message);
	return ASKCRED_OK;
}

/* The lifetime to ask for: the request's, else the module's, cut to the
 * policy's maximum; it must outlast the validity the caller needs. */
static askcred_status pick_lifetime(struct instance *inst,
				    const struct askcred_request *req,
				    int64_t *lifetime,
				    struct askcred_error *err)
{
	struct enforce_limits lim;
	int64_t l = req->lifetime != 0 ? req->lifetime : inst->cfg.lifetime;
	char have[DURATION_BUFSZ], want[DURATION_BUFSZ];

	enforce_limits(inst, &lim);
	if (lim.max_lifetime >= 0 && l > lim.max_lifetime) {
		duration_format((uint64_t)l, have);
		duration_format((uint64_t)lim.max_lifetime, want);
		plog(inst, ASKCRED_LOG_NOTICE,
		     "lifetime %s cut to the policy's max_lifetime %s", have,
		     want);
		l = lim.max_lifetime;
	}
	if (l <= (int64_t)req->min_validity && l == lim.max_lifetime) {
		duration_format((uint64_t)l, have);
		duration_format(req->min_validity, want);
		return enforce_refuse(inst, POLICY_OP_MINT, req->workspace_id,
				      req->purpose, POLICY_R_LIFETIME, err,
				      "the policy's max_lifetime %s cannot "
				      "give the %s of validity wanted; ask for "
				      "less validity",
				      have, want);
	}
	if (l <= (int64_t)req->min_validity) {
		duration_format((uint64_t)l, have);
		duration_format(req->min_validity, want);
		return err_set(err, ASKCRED_DENIED, "lifetime",
			       "a token living %s cannot stay valid for the "
			       "%s wanted; ask for less validity or a longer "
			       "lifetime",
			       have, want);
	}
	*lifetime = l;
	return ASKCRED_OK;
}

/* The server must have made what was asked: a token that expires when we
 * said (a little clock skew aside). A token that never expires, or lives
 * longer, is exactly what askcred exists to prevent: delete it at once and
 * refuse it. */
#define MINT_EXPIRY_SLACK 300
static askcred_status
check_minted(struct instance *inst, const struct net_ops *ops,
	     struct net_client *client, const struct token_record *parent,
	     int64_t asked, struct token_record *got, struct askcred_error *err)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	char id[ASKCRED_UUID_LEN + 1];
	int never = got->expires_at == 0;

	if (!never && got->expires_at <= asked + MINT_EXPIRY_SLACK)
		return ASKCRED_OK;
	snprintf(id, sizeof(id), "%s", got->token_id);
	record_clear(got);
	if (id[0] != '\0' &&
	    ops->token_delete(client, parent->workspace_id, &parent->token, id,
			      &ignored) != ASKCRED_OK)
		plog(inst, ASKCRED_LOG_ERR,
		     "could not delete token %s, minted with the wrong expiry: "
		     "%s; delete it in AskUI Hub",
		     id, ignored.message);
	return err_set(err, ASKCRED_UNAVAILABLE, "expiresAt",
		       "AskUI minted token %s with another expiry than asked "
		       "(%s); it was deleted",
		       id[0] ? id : "(no id)", never ? "never" : "later");
}

/* The token the shared cache entry holds now: the one a new mint rotates
 * out. Read without the lock (the cache calls us with it held). */
static void predecessor(struct instance *inst, const char *workspace,
			struct token_record *old)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;

	if (inst->cache == NULL ||
	    cache_read(inst->cache, workspace, inst->cfg.entry, old,
		       &ignored) != ASKCRED_OK ||
	    strcmp(old->source, source_mint.name) != 0)
		record_clear(old);
}

/* Rotation: processes that hold the predecessor keep using it for
 * rotation_overlap; then it is deleted (at the next mint or gc), unless
 * it expires before that anyway. */
static void retire(struct instance *inst, const struct token_record *old,
		   const struct token_record *fresh, int64_t now)
{
	int64_t at = now + inst->cfg.rotation_overlap;

	if (old->token_id[0] == '\0' ||
	    strcmp(old->token_id, fresh->token_id) == 0 ||
	    (old->expires_at != 0 && old->expires_at <= at))
		return;
	if (pending_retire(inst, old->workspace_id, old->token_id,
			   old->expires_at, at) == 0)
		plog(inst, ASKCRED_LOG_INFO,
		     "token %s rotated out; deleted in AskUI after %us",
		     old->token_id, inst->cfg.rotation_overlap);
}

static askcred_status mint_fetch(struct instance *inst,
				 const struct askcred_request *req,
				 struct token_record *out,
				 struct askcred_error *err)
{
	struct token_record parent = {0}, draft = {0}, old = {0};
	const struct net_ops *ops;
	struct net_client *client;
	char name[JOBID_NAME_MAX];
	int64_t now = (int64_t)time(NULL), lifetime = 0;
	askcred_status rc;

	rc = load_parent(inst, req->workspace_id, &parent, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = pick_lifetime(inst, req, &lifetime, err);
	if (rc != ASKCRED_OK)
		goto out;
	/* The policy judges what would be minted before the server is
	 * asked: a refused lifetime or workspace costs no token. */
	memcpy(draft.workspace_id, parent.workspace_id,
	       sizeof(draft.workspace_id));
	snprintf(draft.source, sizeof(draft.source), "%s", source_mint.name);
	draft.issued_at = now;
	draft.expires_at = now + lifetime;
	rc = enforce_check(inst, POLICY_OP_MINT, &draft, parent.workspace_id,
			   req->purpose, 0, err);
	if (rc != ASKCRED_OK)
		goto out;
	jobid_token_name(inst->cfg.entry, req, name, sizeof(name));
	if ((req->flags & ASKCRED_REQ_NO_CACHE) == 0)
		predecessor(inst, parent.workspace_id, &old);
	rc = remote_get(inst, &ops, &client, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = ops->token_create(client, parent.workspace_id, &parent.token, name,
			       now + lifetime, out, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = check_minted(inst, ops, client, &parent, now + lifetime, out, err);
	if (rc != ASKCRED_OK)
		goto out;
	out->flags |= ASKCRED_CRED_MINTED;
	retire(inst, &old, out, now);
	snprintf(out->source, sizeof(out->source), "%s", source_mint.name);
	/* The server is reachable now: a good moment for revocations that
	 * failed earlier. */
	pending_retry(inst, ops, client, &parent);
out:
	record_clear(&parent);
	record_clear(&draft);
	record_clear(&old);
	return rc;
}

static askcred_status mint_revoke(struct instance *inst,
				  const struct askcred_credential *cred,
				  struct askcred_error *err)
{
	struct token_record parent = {0};
	const struct net_ops *ops;
	struct net_client *client;
	char id[ASKCRED_UUID_LEN + 1];
	askcred_status rc;

	snprintf(id, sizeof(id), "%s", cred->token_id);
	rc = load_parent(inst, cred->workspace_id, &parent, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = remote_get(inst, &ops, &client, err);
	if (rc != ASKCRED_OK)
		goto out;
	if (id[0] == '\0') {
		struct secret tok = {(char *)cred->token, cred->token_len};

		rc = ops->token_lookup(client, cred->workspace_id,
				       &parent.token, &tok, id, err);
		if (rc == ASKCRED_NOT_FOUND)
			rc = ASKCRED_OK; /* already gone */
		if (rc != ASKCRED_OK || id[0] == '\0')
			goto out;
	}
	rc = ops->token_delete(client, cred->workspace_id, &parent.token, id,
			       err);
	if (rc == ASKCRED_NOT_FOUND)
		rc = ASKCRED_OK; /* deleted already, or expired and swept */
out:
	if (rc == ASKCRED_UNAVAILABLE && id[0] != '\0')
		pending_add(inst, cred->workspace_id, id, cred->expires_at,
			    err);
	record_clear(&parent);
	return rc;
}

const struct source_ops source_mint = {
	.name = "mint",
	.disk_cache = 1,
	.fetch = mint_fetch,
	.validate = source_validate,
	.revoke = mint_revoke,
};
