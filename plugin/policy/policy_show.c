/* Human text for "askcred policy show" and "askcred policy explain". */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy_list.h"
#include "policy_store.h"
#include "policy_table.h"

/* An append-only text buffer that cuts at its end and stays terminated. */
struct text {
	char *buf;
	size_t size, used;
};

static void put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->used + 1 >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->size - t->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += (size_t)n < t->size - t->used
				   ? (size_t)n
				   : t->size - t->used - 1;
}

/* One rule as "  name    value". */
static void put_rule(struct text *t, const struct policy_rules *r,
		     const struct rule_info *f)
{
	const struct policy_list *l;
	char d[24];

	put(t, "  %-18s", f->key);
	if (f->kind == RULE_BOOL) {
		put(t, " %s\n",
		    (r->set & f->bit) && *RULE_CFIELD(r, f, int) ? "yes"
								 : "no");
		return;
	}
	if (!(r->set & f->bit)) {
		put(t, " %s\n", f->kind == RULE_DURATION ? "not set" : "any");
		return;
	}
	if (f->kind == RULE_DURATION) {
		policy_format_duration(*RULE_CFIELD(r, f, int64_t), d,
				       sizeof(d));
		put(t, " %s\n", d);
		return;
	}
	l = RULE_CFIELD(r, f, struct policy_list);
	if (l->n == 0)
		put(t, " none (everything refused)");
	for (size_t i = 0; i < l->n; i++)
		put(t, "%s %s", i ? "," : "", l->items[i]);
	put(t, "\n");
}

static void put_rules(struct text *t, const struct policy *p,
		      const char *labels)
{
	struct policy_rules_scratch scratch;
	struct policy_rules r;
	char when[32];
	int any = 0;

	put(t, "labels: %s\n", labels && labels[0] ? labels : "(none)");
	put(t, "overrides applied:");
	for (size_t i = 0; i < p->n_overrides; i++)
		if (policy_labels_have(labels, p->overrides[i].label)) {
			put(t, " %s", p->overrides[i].label);
			any = 1;
		}
	put(t, "%s\n", any ? " (strictest value wins)" : " none");
	if (policy_effective_rules(p, labels, &r, &scratch, NULL) !=
	    ASKCRED_OK) {
		put(t, "rules: out of memory\n");
		return;
	}
	put(t, "rules in force:\n");
	for (size_t i = 0; i < rule_count; i++)
		put_rule(t, &r, &rule_table[i]);
	put(t, "  %-18s %zu\n", "denied_token_ids", p->denied_token_ids.n);
	policy_format_time(p->revocation_epoch, when, sizeof(when));
	put(t, "  %-18s %s\n", "revocation_epoch",
	    p->revocation_epoch ? when : "none");
	policy_rules_scratch_free(&scratch);
}

/* The header lines: which document, from where, how old, signed or not.
 * Returns the policy in force or NULL (and says why). */
static const struct policy *put_header(struct text *t, struct policy_store *s,
				       int64_t now)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct policy *p = NULL;
	char when[32], age[24];

	if (policy_store_current(s, now, &p, &err) != ASKCRED_OK) {
		put(t, "no policy in force (fail closed): %s\n", err.message);
		return NULL;
	}
	put(t, "policy serial %" PRIu64 " (schema %d)\n", p->serial,
	    p->schema_version);
	if (p->comment != NULL)
		put(t, "comment: %s\n", p->comment);
	put(t, "origin: %s\n", policy_store_origin(s));
	policy_format_time(policy_store_fetched_at(s), when, sizeof(when));
	put(t, "fetched: %s\n", when);
	if (p->issued_at != 0) {
		policy_format_time(p->issued_at, when, sizeof(when));
		put(t, "issued: %s\n", when);
	}
	policy_format_duration(p->max_age, age, sizeof(age));
	put(t, "max_age: %s (counted from %s)\n", age,
	    p->issued_at ? "issued" : "fetched");
	if (policy_store_key_count(s) > 0)
		put(t, "signature: verified (%zu key(s) configured)\n",
		    policy_store_key_count(s));
	else
		put(t, "signature: not checked (no keys configured)\n");
	if (policy_store_last_error(s)[0] != '\0')
		put(t, "last source failure: %s\n", policy_store_last_error(s));
	return p;
}

void policy_describe(struct policy_store *s, const char *labels, int64_t now,
		     char *buf, size_t size)
{
	struct text t = {buf, size, 0};
	const struct policy *p;

	if (size == 0)
		return;
	buf[0] = '\0';
	p = put_header(&t, s, now);
	if (p != NULL)
		put_rules(&t, p, labels);
}

void policy_explain(struct policy_store *s, const struct policy_context *ctx,
		    const struct token_view *rec, char *buf, size_t size)
{
	struct text t = {buf, size, 0};
	struct policy_decision d;
	const struct policy *p;
	char when[32], left[24];

	if (size == 0)
		return;
	buf[0] = '\0';
	p = put_header(&t, s, ctx->now);
	if (p == NULL) {
		put(&t, "decision: deny (%s)\n",
		    policy_reason_code(POLICY_R_NONE_VALID));
		return;
	}
	if (policy_check(p, ctx, rec, &d, NULL) != ASKCRED_OK) {
		put(&t, "decision: unknown (out of memory)\n");
		return;
	}
	put(&t, "decision: %s (%s) for %s: %s\n", d.allowed ? "allow" : "deny",
	    d.reason_code, policy_op_name(ctx->op), d.sentence);
	if (rec != NULL) {
		put(&t, "credential: workspace %s, token id %s, source %s\n",
		    rec->workspace_id,
		    rec->token_id[0] ? rec->token_id : "unknown", rec->source);
		policy_format_time(rec->issued_at, when, sizeof(when));
		put(&t, "  issued %s, ", when);
		if (rec->expires_at == 0) {
			put(&t, "never expires\n");
		} else {
			policy_format_duration(rec->expires_at - ctx->now, left,
					       sizeof(left));
			put(&t, "expires in %s\n", left);
		}
	}
	put_rules(&t, p, ctx->labels);
}
