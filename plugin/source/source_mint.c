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
#include "jobid.h"
#include "log.h"
#include "pending.h"
#include "plugin_config.h"
#include "remote.h"
#include "source.h"
#include "timefmt.h"

static askcred_status load_parent(const struct source_ctx *sc,
				  const char *workspace,
				  struct token_record *parent,
				  struct askcred_error *err)
{
	const char *path = sc->cfg->parent_credentials;
	askcred_status rc;

	if (path == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "parent_credentials",
			       "source=mint needs parent_credentials=FILE, "
			       "the credential that mints tokens (on the "
			       "line or in askcred.conf; 'askcred setup' "
			       "writes both)");
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

int64_t mint_lifetime(const struct source_ctx *sc,
		      const struct askcred_request *req)
{
	struct enforce_limits lim;
	int64_t l = req->lifetime != 0 ? req->lifetime : sc->cfg->lifetime;

	enforce_limits(sc->gate, &lim);
	if (lim.max_lifetime >= 0 && l > lim.max_lifetime)
		l = lim.max_lifetime;
	return l;
}

/* The lifetime to ask for: mint_lifetime(); it must outlast the validity
 * the caller needs. */
static askcred_status pick_lifetime(const struct source_ctx *sc,
				    const struct askcred_request *req,
				    int64_t *lifetime,
				    struct askcred_error *err)
{
	struct enforce_limits lim;
	int64_t want_l = req->lifetime != 0 ? req->lifetime : sc->cfg->lifetime;
	int64_t l = mint_lifetime(sc, req);
	char have[DURATION_BUFSZ], want[DURATION_BUFSZ];

	if (l < want_l) {
		duration_format((uint64_t)want_l, have);
		duration_format((uint64_t)l, want);
		plog(sc->log, ASKCRED_LOG_NOTICE,
		     "lifetime %s cut to the policy's max_lifetime %s", have,
		     want);
	}
	/* No lifetime the policy allows could give the validity wanted: the
	 * refusal is the policy's and is audited as such. */
	enforce_limits(sc->gate, &lim);
	if (l <= (int64_t)req->min_validity && lim.max_lifetime >= 0 &&
	    lim.max_lifetime <= (int64_t)req->min_validity) {
		duration_format((uint64_t)lim.max_lifetime, have);
		duration_format(req->min_validity, want);
		return enforce_refuse(sc->gate, POLICY_OP_MINT,
				      req->workspace_id, req->purpose,
				      POLICY_R_LIFETIME, err,
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
 * said (a little clock skew aside) and that the caller can use. One that
 * never expires, or lives longer, is exactly what askcred exists to
 * prevent; one already dead, or dying within min_validity, is useless and
 * would be minted again by every later call. All are refused (and then
 * deleted by the caller). now is taken after the answer came. */
#define MINT_EXPIRY_SLACK 300
static askcred_status check_minted(int64_t asked, uint32_t min_validity,
				   const struct token_record *got,
				   struct askcred_error *err)
{
	int64_t now = (int64_t)time(NULL);
	char at[RFC3339_BUFSZ], want[RFC3339_BUFSZ], left[DURATION_BUFSZ];
	char need[DURATION_BUFSZ];

	if (got->expires_at == 0)
		return err_set(err, ASKCRED_UNAVAILABLE, "expiresAt",
			       "AskUI minted token %s with expiresAt null (it "
			       "never expires), not the expiry asked",
			       got->token_id);
	if (rfc3339_format(got->expires_at, at) != 0)
		snprintf(at, sizeof(at), "(out of range)");
	if (got->expires_at > asked + MINT_EXPIRY_SLACK) {
		if (rfc3339_format(asked, want) != 0)
			snprintf(want, sizeof(want), "(out of range)");
		return err_set(err, ASKCRED_UNAVAILABLE, "expiresAt",
			       "AskUI minted token %s with expiresAt %s, later "
			       "than the %s asked",
			       got->token_id, at, want);
	}
	if (got->expires_at <= now) {
		duration_format((uint64_t)(now - got->expires_at), left);
		return err_set(err, ASKCRED_UNAVAILABLE, "expiresAt",
			       "AskUI minted token %s with expiresAt %s, %s in "
			       "the past: it is dead on arrival",
			       got->token_id, at, left);
	}
	if (got->expires_at - now <= (int64_t)min_validity) {
		duration_format((uint64_t)(got->expires_at - now), left);
		duration_format(min_validity, need);
		return err_set(err, ASKCRED_UNAVAILABLE, "expiresAt",
			       "AskUI minted token %s with expiresAt %s: valid "
			       "for %s, less than the min_validity %s",
			       got->token_id, at, left, need);
	}
	return ASKCRED_OK;
}

/* Delete every token of the workspace named name (unique: it ends in a
 * random nonce); id gets the last one deleted. ASKCRED_NOT_FOUND when
 * there is none. */
static askcred_status
delete_named(const struct net_ops *ops, struct net_client *client,
	     const struct token_record *parent, const char *name,
	     char id[ASKCRED_UUID_LEN + 1], struct askcred_error *err)
{
	struct net_token_info *list = NULL;
	size_t n = 0;
	askcred_status rc;

	rc = ops->token_list(client, parent->workspace_id, &parent->token,
			     &list, &n, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = err_set(err, ASKCRED_NOT_FOUND, "name",
		     "no token named %s in the workspace", name);
	for (size_t i = 0; i < n; i++) {
		askcred_status st;

		if (strcmp(list[i].name, name) != 0)
			continue;
		st = ops->token_delete(client, parent->workspace_id,
				       &parent->token, list[i].id, err);
		if (st != ASKCRED_OK && st != ASKCRED_NOT_FOUND) {
			rc = st;
			break;
		}
		snprintf(id, ASKCRED_UUID_LEN + 1, "%s", list[i].id);
		rc = ASKCRED_OK;
		err_clear(err);
	}
	ops->token_list_free(list);
	return rc;
}

/* A token askcred made but will not hand out must not live on in AskUI:
 * delete it by id, or, when the answer gave no readable id, by its unique
 * name. err holds why it is refused; what became of the token is added,
 * so the caller reads one sentence. A delete AskUI cannot take now is
 * kept pending (when the id is known) like a failed revocation. */
static void discard(const struct source_ctx *sc, const struct net_ops *ops,
		    struct net_client *client,
		    const struct token_record *parent, const char *name,
		    const struct token_record *got, struct askcred_error *err)
{
	struct askcred_error why = ASKCRED_ERROR_INIT;
	char id[ASKCRED_UUID_LEN + 1], first[ASKCRED_ERROR_MESSAGE_MAX];
	askcred_status st;

	snprintf(id, sizeof(id), "%s", got->token_id);
	snprintf(first, sizeof(first), "%s", err->message);
	if (id[0] != '\0') {
		st = ops->token_delete(client, parent->workspace_id,
				       &parent->token, id, &why);
		if (st == ASKCRED_NOT_FOUND)
			st = ASKCRED_OK;
	} else {
		st = delete_named(ops, client, parent, name, id, &why);
	}
	if (st == ASKCRED_OK) {
		snprintf(err->message, sizeof(err->message),
			 "%.300s; token %s was deleted in AskUI", first, id);
		return;
	}
	if (id[0] != '\0') {
		snprintf(err->message, sizeof(err->message),
			 "%.200s; deleting token %s failed: %.100s", first, id,
			 why.message);
		pending_add(sc, parent->workspace_id, id, got->expires_at, err);
		return;
	}
	plog(sc->log, ASKCRED_LOG_ERR,
	     "a token askcred created, named %s, could not be deleted: %s; "
	     "delete it in AskUI Hub",
	     name, why.message);
	snprintf(err->message, sizeof(err->message),
		 "%.200s; the token created, named %s, could not be deleted "
		 "(%.80s): delete it in AskUI Hub",
		 first, name, why.message);
}

/* The token the shared cache entry holds now: the one a new mint rotates
 * out. Read without the lock (the cache calls us with it held). */
static void predecessor(const struct source_ctx *sc, const char *workspace,
			struct token_record *old)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;

	if (sc->cache == NULL ||
	    cache_read(sc->cache, workspace, sc->cfg->entry, old, &ignored) !=
		    ASKCRED_OK ||
	    strcmp(old->source, source_mint.name) != 0)
		record_clear(old);
}

/* Rotation: processes that hold the predecessor keep using it for
 * rotation_overlap; then it is deleted (at the next mint or gc), unless
 * it expires before that anyway. */
static void retire(const struct source_ctx *sc, const struct token_record *old,
		   const struct token_record *fresh, int64_t now)
{
	int64_t at = now + sc->cfg->rotation_overlap;

	if (old->token_id[0] == '\0' ||
	    strcmp(old->token_id, fresh->token_id) == 0 ||
	    (old->expires_at != 0 && old->expires_at <= at))
		return;
	if (pending_retire(sc, old->workspace_id, old->token_id,
			   old->expires_at, at) == 0)
		plog(sc->log, ASKCRED_LOG_INFO,
		     "token %s rotated out; deleted in AskUI after %us",
		     old->token_id, sc->cfg->rotation_overlap);
}

static askcred_status mint_fetch(const struct source_ctx *sc,
				 const struct askcred_request *req,
				 struct token_record *out,
				 struct askcred_error *err)
{
	struct token_record parent = {0}, draft = {0}, old = {0}, got = {0};
	const struct net_ops *ops;
	struct net_client *client;
	char name[JOBID_NAME_MAX];
	int64_t now = (int64_t)time(NULL), lifetime = 0;
	askcred_status rc;

	rc = load_parent(sc, req->workspace_id, &parent, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = pick_lifetime(sc, req, &lifetime, err);
	if (rc != ASKCRED_OK)
		goto out;
	/* The policy judges what would be minted before the server is
	 * asked: a refused lifetime or workspace costs no token. */
	memcpy(draft.workspace_id, parent.workspace_id,
	       sizeof(draft.workspace_id));
	snprintf(draft.source, sizeof(draft.source), "%s", source_mint.name);
	draft.issued_at = now;
	draft.expires_at = now + lifetime;
	rc = enforce_check(sc->gate, POLICY_OP_MINT, &draft,
			   parent.workspace_id, req->purpose, 0, err);
	if (rc != ASKCRED_OK)
		goto out;
	if (jobid_token_name(sc->cfg->entry, req, name, sizeof(name)) != 0) {
		rc = err_set(err, ASKCRED_INTERNAL, "name",
			     "no random bytes for the token's name");
		goto out;
	}
	if ((req->flags & ASKCRED_REQ_NO_CACHE) == 0)
		predecessor(sc, parent.workspace_id, &old);
	rc = remote_get(sc->net, &ops, &client, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = ops->token_create(client, parent.workspace_id, &parent.token, name,
			       now + lifetime, &got, err);
	if (rc == ASKCRED_OK)
		rc = check_minted(now + lifetime, req->min_validity, &got, err);
	if (rc != ASKCRED_OK) {
		if (got.token.buf != NULL || (got.flags & NET_REC_CREATED))
			discard(sc, ops, client, &parent, name, &got, err);
		goto out;
	}
	*out = got;
	memset(&got, 0, sizeof(got));
	out->flags |= ASKCRED_CRED_MINTED;
	retire(sc, &old, out, now);
	snprintf(out->source, sizeof(out->source), "%s", source_mint.name);
	/* The server is reachable now: a good moment for revocations that
	 * failed earlier. */
	pending_retry(sc, ops, client, &parent);
out:
	record_clear(&parent);
	record_clear(&draft);
	record_clear(&old);
	record_clear(&got);
	return rc;
}

static askcred_status mint_revoke(const struct source_ctx *sc,
				  const struct askcred_credential *cred,
				  struct askcred_error *err)
{
	struct token_record parent = {0};
	const struct net_ops *ops;
	struct net_client *client;
	char id[ASKCRED_UUID_LEN + 1];
	askcred_status rc;

	snprintf(id, sizeof(id), "%s", cred->token_id);
	rc = load_parent(sc, cred->workspace_id, &parent, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = remote_get(sc->net, &ops, &client, err);
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
		pending_add(sc, cred->workspace_id, id, cred->expires_at, err);
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
