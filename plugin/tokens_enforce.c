/* `askcred tokens enforce`: which tokens of the workspace break the policy
 * in force. A workspace token is judged as a minted credential would be
 * (so max_lifetime applies to it), by the rules that make a token
 * unusable for good: the deny list, the revocation epoch, require_expiry
 * and max_lifetime. Rules about hand-outs (min_validity, cache age, grace)
 * do not apply to a token nobody is handed, an expired token is gc's, and
 * workspace/source rules judge this host, not the token. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "enforce.h"
#include "error.h"
#include "net/net.h"
#include "tokens.h"

/* The reasons that make enforce delete a token. */
static int breaks_policy(enum policy_reason r)
{
	return r == POLICY_R_TOKEN_DENIED || r == POLICY_R_REVOKED_EPOCH ||
	       r == POLICY_R_ISSUED_UNKNOWN || r == POLICY_R_NO_EXPIRY ||
	       r == POLICY_R_LIFETIME;
}

int tokens_enforce_verdict(struct enforce *e, const struct net_token_info *t,
			   const char *ws, char *why, size_t size,
			   struct askcred_error *err)
{
	struct policy_decision d;
	struct token_view v;

	memset(&v, 0, sizeof(v));
	memset(&d, 0, sizeof(d));
	snprintf(v.workspace_id, sizeof(v.workspace_id), "%s", ws);
	snprintf(v.token_id, sizeof(v.token_id), "%s", t->id);
	snprintf(v.source, sizeof(v.source), "%s", e->env.source);
	v.issued_at = t->created_at;
	v.expires_at = t->expires_at;
	v.flags = ASKCRED_CRED_MINTED;
	if (enforce_peek(e, &v, &d, err) != ASKCRED_OK)
		return -1;
	if (d.reason == POLICY_R_NONE_VALID) {
		(void)err_set(err, ASKCRED_DENIED, "policy",
			      "no valid policy, nothing enforced: %s",
			      d.sentence);
		return -1;
	}
	snprintf(why, size, "%s (%s)", d.sentence, d.reason_code);
	return !d.allowed && breaks_policy(d.reason);
}
