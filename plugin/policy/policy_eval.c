/*
 * The rules in force + a token record -> a decision with a reason code and
 * a sentence a person can act on. The first rule that refuses decides; the
 * order goes from "this token may never be used" to "not right now".
 *
 * Boundaries, one convention: a value exactly at a limit is allowed
 * (remaining == min_validity, lifetime == max_lifetime, age ==
 * max_cache_age, outage == grace_budget, issued_at == revocation_epoch);
 * one second past it is refused. A token is expired at its expires_at.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "policy.h"
#include "policy_list.h"

static const char *const reason_codes[POLICY_R_COUNT] = {
	[POLICY_R_OK] = "ok",
	[POLICY_R_NO_POLICY] = "no_policy",
	[POLICY_R_NONE_VALID] = "no_valid_policy",
	[POLICY_R_EXPIRED] = "expired",
	[POLICY_R_NO_EXPIRY] = "require_expiry",
	[POLICY_R_LIFETIME] = "max_lifetime",
	[POLICY_R_MIN_VALIDITY] = "min_validity",
	[POLICY_R_WORKSPACE] = "workspace",
	[POLICY_R_TOKEN_DENIED] = "token_denied",
	[POLICY_R_REVOKED_EPOCH] = "revocation_epoch",
	[POLICY_R_ISSUED_UNKNOWN] = "issued_at_unknown",
	[POLICY_R_CACHE_AGE] = "max_cache_age",
	[POLICY_R_GRACE_EXHAUSTED] = "grace_budget",
	[POLICY_R_SOURCE] = "source",
};

static const char *const op_names[POLICY_OP_COUNT] = {
	[POLICY_OP_FETCH] = "fetch",
	[POLICY_OP_REFRESH] = "refresh",
	[POLICY_OP_CACHE_READ] = "cache_read",
	[POLICY_OP_VALIDATE] = "validate",
	[POLICY_OP_MINT] = "mint",
	[POLICY_OP_REVOKE] = "revoke",
};

const char *policy_reason_code(enum policy_reason reason)
{
	if ((unsigned)reason >= POLICY_R_COUNT)
		return "unknown";
	return reason_codes[reason];
}

const char *policy_op_name(enum policy_op op)
{
	if ((unsigned)op >= POLICY_OP_COUNT)
		return "unknown";
	return op_names[op];
}

void policy_decide(struct policy_decision *out, enum policy_reason reason,
		   const char *fmt, ...)
{
	va_list ap;

	out->allowed = reason == POLICY_R_OK || reason == POLICY_R_NO_POLICY;
	out->reason = reason;
	snprintf(out->reason_code, sizeof(out->reason_code), "%s",
		 policy_reason_code(reason));
	va_start(ap, fmt);
	vsnprintf(out->sentence, sizeof(out->sentence), fmt, ap);
	va_end(ap);
}

/* Human durations for sentences, several per call. */
struct durs {
	char a[24], b[24];
};

static void two(struct durs *d, int64_t a, int64_t b)
{
	policy_format_duration(a, d->a, sizeof(d->a));
	policy_format_duration(b, d->b, sizeof(d->b));
}

/* "mint, env" for a sentence, cut to fit. */
static void join(const struct policy_list *l, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	if (l->n == 0)
		snprintf(buf, size, "none");
	for (size_t i = 0; i < l->n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? ", " : "", l->items[i]);
}

/* Rules that need only the source and workspace: usable before a fetch. */
static int check_origin(const struct policy_rules *r, const char *source,
			const char *workspace, struct policy_decision *out)
{
	char list[160];

	if ((r->set & POLICY_RULE_SOURCES) && source != NULL &&
	    !policy_list_find(r->sources.items, r->sources.n, source)) {
		join(&r->sources, list, sizeof(list));
		policy_decide(out, POLICY_R_SOURCE,
			      "source \"%s\" is not allowed, policy allows: %s",
			      source, list);
		return 0;
	}
	if ((r->set & POLICY_RULE_WORKSPACES) && workspace != NULL &&
	    !policy_list_find(r->workspaces.items, r->workspaces.n,
			      workspace)) {
		policy_decide(out, POLICY_R_WORKSPACE,
			      "workspace %s is not among the %zu the policy "
			      "allows",
			      workspace, r->workspaces.n);
		return 0;
	}
	return 1;
}

/* Rules that make a token unusable for good. */
static int check_identity(const struct policy *p, const struct token_view *rec,
			  struct policy_decision *out)
{
	char t1[32], t2[32];

	if (rec->token_id[0] != '\0' &&
	    policy_list_find(p->denied_token_ids.items, p->denied_token_ids.n,
			     rec->token_id)) {
		policy_decide(out, POLICY_R_TOKEN_DENIED,
			      "token %s is on the policy's deny list",
			      rec->token_id);
		return 0;
	}
	if (p->revocation_epoch == 0)
		return 1;
	policy_format_time(p->revocation_epoch, t2, sizeof(t2));
	/* Unknown issue time: it may well be before the epoch, and the whole
	 * point of an epoch is that nothing older survives it. */
	if (rec->issued_at == 0) {
		policy_decide(out, POLICY_R_ISSUED_UNKNOWN,
			      "token issue time is unknown, and the policy "
			      "refuses tokens issued before %s",
			      t2);
		return 0;
	}
	if (rec->issued_at < p->revocation_epoch) {
		policy_format_time(rec->issued_at, t1, sizeof(t1));
		policy_decide(out, POLICY_R_REVOKED_EPOCH,
			      "token issued %s, before the revocation epoch %s",
			      t1, t2);
		return 0;
	}
	return 1;
}

static int is_minted(const struct policy_context *ctx,
		     const struct token_view *rec)
{
	return ctx->op == POLICY_OP_MINT ||
	       (rec->flags & ASKCRED_CRED_MINTED) != 0 ||
	       strcmp(rec->source, "mint") == 0;
}

/* Rules about the token's own validity period. */
static int check_lifetime(const struct policy_rules *r,
			  const struct policy_context *ctx,
			  const struct token_view *rec,
			  struct policy_decision *out)
{
	int64_t left = rec->expires_at - ctx->now, lifetime;
	struct durs d;

	if (rec->expires_at != 0 && left <= 0) {
		policy_format_duration(-left, d.a, sizeof(d.a));
		policy_decide(out, POLICY_R_EXPIRED, "token expired %s ago",
			      d.a);
		return 0;
	}
	if ((r->set & POLICY_RULE_REQUIRE_EXPIRY) && r->require_expiry &&
	    rec->expires_at == 0) {
		policy_decide(out, POLICY_R_NO_EXPIRY,
			      "token never expires, policy requires an expiry");
		return 0;
	}
	if ((r->set & POLICY_RULE_MAX_LIFETIME) && is_minted(ctx, rec)) {
		policy_format_duration(r->max_lifetime, d.b, sizeof(d.b));
		if (rec->expires_at == 0) {
			policy_decide(out, POLICY_R_LIFETIME,
				      "minted token never expires, policy "
				      "allows at most %s",
				      d.b);
			return 0;
		}
		/* Without an issue time, what is left is the best bound. */
		lifetime = rec->expires_at -
			   (rec->issued_at ? rec->issued_at : ctx->now);
		if (lifetime > r->max_lifetime) {
			two(&d, lifetime, r->max_lifetime);
			policy_decide(out, POLICY_R_LIFETIME,
				      "minted token lives %s, policy allows at "
				      "most %s",
				      d.a, d.b);
			return 0;
		}
	}
	/* min_validity guards hand-outs; validate asks "still good?". */
	if ((r->set & POLICY_RULE_MIN_VALIDITY) && rec->expires_at != 0 &&
	    ctx->op != POLICY_OP_VALIDATE && left < r->min_validity) {
		two(&d, left, r->min_validity);
		policy_decide(out, POLICY_R_MIN_VALIDITY,
			      "token expires in %s, policy wants at least %s",
			      d.a, d.b);
		return 0;
	}
	return 1;
}

/* Rules about how the host came to hold the token. */
static int check_freshness(const struct policy_rules *r,
			   const struct policy_context *ctx,
			   struct policy_decision *out)
{
	struct durs d;

	if (ctx->is_cached && (r->set & POLICY_RULE_MAX_CACHE_AGE)) {
		int64_t age = ctx->now - ctx->cached_at;

		if (ctx->cached_at == 0) {
			policy_format_duration(r->max_cache_age, d.b,
					       sizeof(d.b));
			policy_decide(out, POLICY_R_CACHE_AGE,
				      "cached token's age is unknown, policy "
				      "allows at most %s",
				      d.b);
			return 0;
		}
		if (age > r->max_cache_age) {
			two(&d, age, r->max_cache_age);
			policy_decide(out, POLICY_R_CACHE_AGE,
				      "cached token is %s old, policy allows "
				      "at most %s",
				      d.a, d.b);
			return 0;
		}
	}
	if (ctx->outage_since != 0 && (r->set & POLICY_RULE_GRACE_BUDGET) &&
	    ctx->now - ctx->outage_since > r->grace_budget) {
		two(&d, ctx->now - ctx->outage_since, r->grace_budget);
		policy_decide(out, POLICY_R_GRACE_EXHAUSTED,
			      "source unreachable for %s, policy grace budget "
			      "is %s",
			      d.a, d.b);
		return 0;
	}
	return 1;
}

askcred_status policy_check(const struct policy *p,
			    const struct policy_context *ctx,
			    const struct token_view *rec,
			    struct policy_decision *out,
			    struct askcred_error *err)
{
	struct policy_rules_scratch scratch;
	struct policy_rules r;
	askcred_status rc;

	if (p == NULL) {
		policy_decide(out, POLICY_R_NO_POLICY, "no policy configured");
		return ASKCRED_OK;
	}
	if (ctx->op == POLICY_OP_REVOKE) {
		policy_decide(out, POLICY_R_OK,
			      "revocation is always allowed (policy serial "
			      "%llu)",
			      (unsigned long long)p->serial);
		return ASKCRED_OK;
	}
	rc = policy_effective_rules(p, ctx->labels, &r, &scratch, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (rec == NULL) {
		if (check_origin(&r, ctx->source, ctx->workspace, out))
			goto allowed;
		goto out;
	}
	if (check_origin(&r, rec->source, rec->workspace_id, out) &&
	    check_identity(p, rec, out) && check_lifetime(&r, ctx, rec, out) &&
	    check_freshness(&r, ctx, out))
		goto allowed;
	goto out;
allowed:
	policy_decide(out, POLICY_R_OK, "allowed by policy serial %llu",
		      (unsigned long long)p->serial);
out:
	policy_rules_scratch_free(&scratch);
	return ASKCRED_OK;
}
