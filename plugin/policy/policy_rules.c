/*
 * Label overrides merged into the rules in force. The merge is "strictest
 * wins, per rule": labels come from the host's own configuration, so a
 * label must never be a way to get more than the defaults give. An override
 * can only tighten; the result does not depend on the order of overrides
 * or labels.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "policy.h"
#include "policy_list.h"
#include "policy_table.h"

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Keep in *acc only the items also in *with. acc->items is scratch storage;
 * the strings stay borrowed from the policy. */
static askcred_status intersect(struct policy_list *acc, int acc_set,
				const struct policy_list *with,
				struct askcred_error *err)
{
	size_t kept = 0;

	if (!acc_set) {
		acc->items = malloc((with->n ? with->n : 1) * sizeof(char *));
		if (acc->items == NULL)
			return err_set(err, ASKCRED_NO_MEMORY, "policy",
				       "out of memory");
		if (with->n > 0)
			memcpy(acc->items, with->items,
			       with->n * sizeof(char *));
		acc->n = with->n;
		return ASKCRED_OK;
	}
	for (size_t i = 0; i < acc->n; i++)
		if (policy_list_find(with->items, with->n, acc->items[i]))
			acc->items[kept++] = acc->items[i];
	acc->n = kept;
	return ASKCRED_OK;
}

#define RULE(key, kind, strict, bit, field, min)                               \
	{                                                                      \
		key, kind, strict, bit, offsetof(struct policy_rules, field),  \
			min                                                    \
	}
const struct rule_info rule_table[] = {
	RULE("require_expiry", RULE_BOOL, STRICT_ANY_TRUE,
	     POLICY_RULE_REQUIRE_EXPIRY, require_expiry, 0),
	/* A lifetime under a minute cannot be meant. */
	RULE("max_lifetime", RULE_DURATION, STRICT_SMALLER,
	     POLICY_RULE_MAX_LIFETIME, max_lifetime, 60),
	RULE("min_validity", RULE_DURATION, STRICT_LARGER,
	     POLICY_RULE_MIN_VALIDITY, min_validity, 0),
	RULE("refresh_advisory", RULE_DURATION, STRICT_LARGER,
	     POLICY_RULE_REFRESH_ADVISORY, refresh_advisory, 0),
	RULE("refresh_mandatory", RULE_DURATION, STRICT_LARGER,
	     POLICY_RULE_REFRESH_MANDATORY, refresh_mandatory, 0),
	RULE("refresh_jitter", RULE_DURATION, STRICT_LARGER,
	     POLICY_RULE_REFRESH_JITTER, refresh_jitter, 0),
	RULE("max_cache_age", RULE_DURATION, STRICT_SMALLER,
	     POLICY_RULE_MAX_CACHE_AGE, max_cache_age, 0),
	RULE("grace_budget", RULE_DURATION, STRICT_SMALLER,
	     POLICY_RULE_GRACE_BUDGET, grace_budget, 0),
	RULE("workspaces", RULE_UUID_LIST, STRICT_INTERSECT,
	     POLICY_RULE_WORKSPACES, workspaces, 0),
	RULE("sources", RULE_NAME_LIST, STRICT_INTERSECT, POLICY_RULE_SOURCES,
	     sources, 0),
};
const size_t rule_count = sizeof(rule_table) / sizeof(rule_table[0]);

/* Merge one rule into the accumulated ones, the stricter value winning. */
static askcred_status merge_one(struct policy_rules *acc,
				struct policy_rules_scratch *s,
				const struct policy_rules *r,
				const struct rule_info *f,
				struct askcred_error *err)
{
	int had = (acc->set & f->bit) != 0;
	struct policy_list *scratch;

	acc->set |= f->bit;
	switch (f->strict) {
	case STRICT_ANY_TRUE:
		*RULE_FIELD(acc, f, int) |= *RULE_CFIELD(r, f, int);
		return ASKCRED_OK;
	case STRICT_SMALLER:
	case STRICT_LARGER: {
		int64_t *a = RULE_FIELD(acc, f, int64_t);
		int64_t v = *RULE_CFIELD(r, f, int64_t);

		if (!had)
			*a = v;
		else
			*a = f->strict == STRICT_LARGER ? max64(*a, v)
							: min64(*a, v);
		return ASKCRED_OK;
	}
	case STRICT_INTERSECT:
		/* The accumulated list lives in scratch until the end. */
		scratch = f->bit == POLICY_RULE_WORKSPACES ? &s->workspaces
							   : &s->sources;
		return intersect(scratch, had,
				 RULE_CFIELD(r, f, struct policy_list), err);
	}
	return err_set(err, ASKCRED_INTERNAL, f->key, "bad merge rule");
}

static askcred_status merge(struct policy_rules *acc,
			    struct policy_rules_scratch *s,
			    const struct policy_rules *r,
			    struct askcred_error *err)
{
	askcred_status rc;

	for (size_t i = 0; i < rule_count; i++) {
		if (!(r->set & rule_table[i].bit))
			continue;
		rc = merge_one(acc, s, r, &rule_table[i], err);
		if (rc != ASKCRED_OK)
			return rc;
	}
	return ASKCRED_OK;
}

/* Raising one window may break the nesting the parser checked per rule
 * set: widen advisory to cover mandatory, and fit jitter between them. */
static void renest_windows(struct policy_rules *r)
{
	if ((r->set & POLICY_RULE_REFRESH_MANDATORY) &&
	    (r->set & POLICY_RULE_REFRESH_ADVISORY))
		r->refresh_advisory =
			max64(r->refresh_advisory, r->refresh_mandatory);
	if ((r->set & POLICY_RULE_REFRESH_JITTER) &&
	    (r->set & POLICY_RULE_REFRESH_ADVISORY))
		r->refresh_jitter =
			min64(r->refresh_jitter,
			      r->refresh_advisory - r->refresh_mandatory);
}

askcred_status policy_effective_rules(const struct policy *p,
				      const char *labels,
				      struct policy_rules *out,
				      struct policy_rules_scratch *scratch,
				      struct askcred_error *err)
{
	askcred_status rc;

	memset(out, 0, sizeof(*out));
	memset(scratch, 0, sizeof(*scratch));
	if (p == NULL)
		return ASKCRED_OK;
	rc = merge(out, scratch, &p->rules, err);
	for (size_t i = 0; rc == ASKCRED_OK && i < p->n_overrides; i++)
		if (policy_labels_have(labels, p->overrides[i].label))
			rc = merge(out, scratch, &p->overrides[i].rules, err);
	if (rc != ASKCRED_OK) {
		policy_rules_scratch_free(scratch);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	renest_windows(out);
	out->workspaces = scratch->workspaces;
	out->sources = scratch->sources;
	return ASKCRED_OK;
}

void policy_rules_scratch_free(struct policy_rules_scratch *s)
{
	/* Only the arrays are ours; the strings belong to the policy. */
	free(s->workspaces.items);
	free(s->sources.items);
	memset(s, 0, sizeof(*s));
}

/* The accessors never fail: should memory run out while merging, every
 * duration reads as 0, the strictest answer (no grace, no lifetime). */
static void effective(const struct policy *p, const char *labels,
		      struct policy_rules *r)
{
	struct policy_rules_scratch s;

	if (policy_effective_rules(p, labels, r, &s, NULL) == ASKCRED_OK) {
		policy_rules_scratch_free(&s);
	} else {
		memset(r, 0, sizeof(*r));
		r->set = ~0u;
	}
	r->workspaces.items = r->sources.items = NULL;
	r->workspaces.n = r->sources.n = 0;
}

static int64_t value_or_unset(const struct policy_rules *r, unsigned bit,
			      int64_t v)
{
	return (r->set & bit) ? v : -1;
}

void policy_refresh_windows(const struct policy *p, const char *labels,
			    struct policy_windows *out)
{
	struct policy_rules r;

	effective(p, labels, &r);
	out->advisory = value_or_unset(&r, POLICY_RULE_REFRESH_ADVISORY,
				       r.refresh_advisory);
	out->mandatory = value_or_unset(&r, POLICY_RULE_REFRESH_MANDATORY,
					r.refresh_mandatory);
	out->jitter = value_or_unset(&r, POLICY_RULE_REFRESH_JITTER,
				     r.refresh_jitter);
}

int64_t policy_grace_budget(const struct policy *p, const char *labels)
{
	struct policy_rules r;

	effective(p, labels, &r);
	return value_or_unset(&r, POLICY_RULE_GRACE_BUDGET, r.grace_budget);
}

int64_t policy_max_lifetime(const struct policy *p, const char *labels)
{
	struct policy_rules r;

	effective(p, labels, &r);
	return value_or_unset(&r, POLICY_RULE_MAX_LIFETIME, r.max_lifetime);
}

int64_t policy_min_validity(const struct policy *p, const char *labels)
{
	struct policy_rules r;

	effective(p, labels, &r);
	return value_or_unset(&r, POLICY_RULE_MIN_VALIDITY, r.min_validity);
}
