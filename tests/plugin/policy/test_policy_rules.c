/*
 * Every rule, allowing and refusing at its boundary (one second below, at,
 * one above), with label overrides: one table, one runner.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "tap.h"

#define NOW ((int64_t)1800000000)
#define NEVER INT64_MIN	  /* expires: never (0 in the record) */
#define UNKNOWN INT64_MIN /* issued: unknown (0 in the record) */
#define WS1 "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define WS2 "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
#define TID "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f"
#define R(x) POLICY_R_##x

static const struct row {
	const char *name;
	const char *rules; /* the inside of "rules": {...} */
	const char
		*extra; /* more top-level fields, each with a leading comma */
	const char *labels;
	enum policy_op op;
	const char *source;
	int64_t issued;	 /* relative to NOW, or UNKNOWN */
	int64_t expires; /* relative to NOW, or NEVER */
	int cached;
	int64_t cache_age;  /* seconds before NOW it was cached; 0: unknown */
	int64_t outage_for; /* seconds the source has been down; 0: no outage */
	unsigned flags;
	const char *workspace;
	const char *token_id;
	enum policy_reason want;
	const char *sentence; /* substring of the sentence, or NULL */
} rows[] = {
	/* The baseline: an expired token is never handed out. */
	{"expired one second ago is refused", "", "", NULL, POLICY_OP_FETCH,
	 "static", -3600, -1, 0, 0, 0, 0, WS1, "", R(EXPIRED),
	 "expired 1s ago"},
	{"expiring exactly now is refused", "", "", NULL, POLICY_OP_FETCH,
	 "static", -3600, 0, 0, 0, 0, 0, WS1, "", R(EXPIRED), NULL},
	{"one second left is allowed without min_validity", "", "", NULL,
	 POLICY_OP_FETCH, "static", -3600, 1, 0, 0, 0, 0, WS1, "", R(OK), NULL},

	{"require_expiry refuses a token that never expires",
	 "\"require_expiry\": true", "", NULL, POLICY_OP_FETCH, "static", -3600,
	 NEVER, 0, 0, 0, 0, WS1, "", R(NO_EXPIRY), "never expires"},
	{"require_expiry allows a token with an expiry",
	 "\"require_expiry\": true", "", NULL, POLICY_OP_FETCH, "static", -3600,
	 86400, 0, 0, 0, 0, WS1, "", R(OK), NULL},
	{"require_expiry false allows a token that never expires",
	 "\"require_expiry\": false", "", NULL, POLICY_OP_FETCH, "static",
	 -3600, NEVER, 0, 0, 0, 0, WS1, "", R(OK), NULL},

	{"min_validity refuses one second short", "\"min_validity\": \"30m\"",
	 "", NULL, POLICY_OP_FETCH, "static", -3600, 1799, 0, 0, 0, 0, WS1, "",
	 R(MIN_VALIDITY), "token expires in 29m59s, policy wants at least 30m"},
	{"min_validity allows exactly enough", "\"min_validity\": \"30m\"", "",
	 NULL, POLICY_OP_FETCH, "static", -3600, 1800, 0, 0, 0, 0, WS1, "",
	 R(OK), NULL},
	{"min_validity allows one second more", "\"min_validity\": 1800", "",
	 NULL, POLICY_OP_CACHE_READ, "static", -3600, 1801, 0, 0, 0, 0, WS1, "",
	 R(OK), NULL},
	{"min_validity does not apply to validate", "\"min_validity\": \"30m\"",
	 "", NULL, POLICY_OP_VALIDATE, "static", -3600, 1799, 0, 0, 0, 0, WS1,
	 "", R(OK), NULL},
	{"min_validity applies to refresh", "\"min_validity\": \"30m\"", "",
	 NULL, POLICY_OP_REFRESH, "static", -3600, 1799, 0, 0, 0, 0, WS1, "",
	 R(MIN_VALIDITY), NULL},

	{"max_lifetime allows one second under", "\"max_lifetime\": \"1h\"", "",
	 NULL, POLICY_OP_FETCH, "mint", 0, 3599, 0, 0, 0, 0, WS1, "", R(OK),
	 NULL},
	{"max_lifetime allows exactly the limit", "\"max_lifetime\": \"1h\"",
	 "", NULL, POLICY_OP_FETCH, "mint", 0, 3600, 0, 0, 0, 0, WS1, "", R(OK),
	 NULL},
	{"max_lifetime refuses one second over", "\"max_lifetime\": \"1h\"", "",
	 NULL, POLICY_OP_FETCH, "mint", 0, 3601, 0, 0, 0, 0, WS1, "",
	 R(LIFETIME), "minted token lives 1h1s, policy allows at most 1h"},
	{"max_lifetime counts from issue time", "\"max_lifetime\": \"1h\"", "",
	 NULL, POLICY_OP_FETCH, "mint", -1800, 1801, 0, 0, 0, 0, WS1, "",
	 R(LIFETIME), NULL},
	{"max_lifetime ignores tokens not minted", "\"max_lifetime\": \"1h\"",
	 "", NULL, POLICY_OP_FETCH, "static", 0, 86400, 0, 0, 0, 0, WS1, "",
	 R(OK), NULL},
	{"max_lifetime applies to the minted flag whatever the source",
	 "\"max_lifetime\": \"1h\"", "", NULL, POLICY_OP_FETCH, "cache", 0,
	 3601, 0, 0, 0, ASKCRED_CRED_MINTED, WS1, "", R(LIFETIME), NULL},
	{"max_lifetime refuses a minted token that never expires",
	 "\"max_lifetime\": \"1h\"", "", NULL, POLICY_OP_FETCH, "mint", 0,
	 NEVER, 0, 0, 0, 0, WS1, "", R(LIFETIME), "never expires"},
	{"max_lifetime judges a mint request from now when issue time unknown",
	 "\"max_lifetime\": \"1h\"", "", NULL, POLICY_OP_MINT, "mint", UNKNOWN,
	 3601, 0, 0, 0, 0, WS1, "", R(LIFETIME), NULL},

	{"workspaces allows a listed workspace",
	 "\"workspaces\": [\"" WS1 "\"]", "", NULL, POLICY_OP_FETCH, "static",
	 -3600, 7200, 0, 0, 0, 0, WS1, "", R(OK), NULL},
	{"workspaces allows a listed workspace in upper case",
	 "\"workspaces\": [\"" WS1 "\"]", "", NULL, POLICY_OP_FETCH, "static",
	 -3600, 7200, 0, 0, 0, 0, "9CF30C31-EA1E-4FF5-994A-C4A0DC70882F", "",
	 R(OK), NULL},
	{"workspaces refuses another workspace",
	 "\"workspaces\": [\"" WS1 "\"]", "", NULL, POLICY_OP_FETCH, "static",
	 -3600, 7200, 0, 0, 0, 0, WS2, "", R(WORKSPACE), WS2},

	{"denied_token_ids refuses a listed token", "",
	 ", \"denied_token_ids\": [\"" TID "\"]", NULL, POLICY_OP_FETCH,
	 "static", -3600, 7200, 0, 0, 0, 0, WS1, TID, R(TOKEN_DENIED),
	 "deny list"},
	{"denied_token_ids allows another token", "",
	 ", \"denied_token_ids\": [\"" TID "\"]", NULL, POLICY_OP_FETCH,
	 "static", -3600, 7200, 0, 0, 0, 0, WS1,
	 "2f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f", R(OK), NULL},
	{"denied_token_ids cannot match an unknown token id", "",
	 ", \"denied_token_ids\": [\"" TID "\"]", NULL, POLICY_OP_FETCH,
	 "static", -3600, 7200, 0, 0, 0, 0, WS1, "", R(OK), NULL},

	{"revocation_epoch refuses one second before", "",
	 ", \"revocation_epoch\": 1799999900", NULL, POLICY_OP_FETCH, "static",
	 -101, 7200, 0, 0, 0, 0, WS1, "", R(REVOKED_EPOCH),
	 "before the revocation epoch 2027-01-15T07:58:20Z"},
	{"revocation_epoch allows exactly at the epoch", "",
	 ", \"revocation_epoch\": 1799999900", NULL, POLICY_OP_FETCH, "static",
	 -100, 7200, 0, 0, 0, 0, WS1, "", R(OK), NULL},
	{"revocation_epoch allows one second after", "",
	 ", \"revocation_epoch\": \"2027-01-15T07:58:20Z\"", NULL,
	 POLICY_OP_FETCH, "static", -99, 7200, 0, 0, 0, 0, WS1, "", R(OK),
	 NULL},
	{"revocation_epoch refuses an unknown issue time", "",
	 ", \"revocation_epoch\": 1799999900", NULL, POLICY_OP_FETCH, "static",
	 UNKNOWN, 7200, 0, 0, 0, 0, WS1, "", R(ISSUED_UNKNOWN), "unknown"},

	{"max_cache_age allows one second under", "\"max_cache_age\": \"12h\"",
	 "", NULL, POLICY_OP_CACHE_READ, "static", -50000, 7200, 1, 43199, 0, 0,
	 WS1, "", R(OK), NULL},
	{"max_cache_age allows exactly the limit", "\"max_cache_age\": \"12h\"",
	 "", NULL, POLICY_OP_CACHE_READ, "static", -50000, 7200, 1, 43200, 0, 0,
	 WS1, "", R(OK), NULL},
	{"max_cache_age refuses one second over", "\"max_cache_age\": \"12h\"",
	 "", NULL, POLICY_OP_CACHE_READ, "static", -50000, 7200, 1, 43201, 0, 0,
	 WS1, "", R(CACHE_AGE), "cached token is 12h1s old"},
	{"max_cache_age refuses an unknown cache time",
	 "\"max_cache_age\": \"12h\"", "", NULL, POLICY_OP_CACHE_READ, "static",
	 -50000, 7200, 1, 0, 0, 0, WS1, "", R(CACHE_AGE), "unknown"},
	{"max_cache_age ignores a token not from the cache",
	 "\"max_cache_age\": \"12h\"", "", NULL, POLICY_OP_FETCH, "static",
	 -50000, 7200, 0, 99999, 0, 0, WS1, "", R(OK), NULL},

	{"grace_budget allows one second under", "\"grace_budget\": \"4h\"", "",
	 NULL, POLICY_OP_CACHE_READ, "static", -3600, 7200, 1, 60, 14399, 0,
	 WS1, "", R(OK), NULL},
	{"grace_budget allows exactly the budget", "\"grace_budget\": \"4h\"",
	 "", NULL, POLICY_OP_CACHE_READ, "static", -3600, 7200, 1, 60, 14400, 0,
	 WS1, "", R(OK), NULL},
	{"grace_budget refuses one second over", "\"grace_budget\": \"4h\"", "",
	 NULL, POLICY_OP_CACHE_READ, "static", -3600, 7200, 1, 60, 14401, 0,
	 WS1, "", R(GRACE_EXHAUSTED),
	 "unreachable for 4h1s, policy grace budget is 4h"},

	{"sources allows a listed source", "\"sources\": [\"mint\", \"env\"]",
	 "", NULL, POLICY_OP_FETCH, "env", -3600, 7200, 0, 0, 0, 0, WS1, "",
	 R(OK), NULL},
	{"sources refuses another source", "\"sources\": [\"mint\", \"env\"]",
	 "", NULL, POLICY_OP_FETCH, "static", -3600, 7200, 0, 0, 0, 0, WS1, "",
	 R(SOURCE),
	 "source \"static\" is not allowed, policy allows: mint, env"},

	/* Label overrides: the strictest value wins, so they only tighten. */
	{"override tightens min_validity for its label",
	 "\"min_validity\": \"30m\"",
	 ", \"overrides\": [{\"label\": \"gpu\", \"rules\": "
	 "{\"min_validity\": \"1h\"}}]",
	 "gpu", POLICY_OP_FETCH, "static", -3600, 3599, 0, 0, 0, 0, WS1, "",
	 R(MIN_VALIDITY), "at least 1h"},
	{"override allows exactly its own limit", "\"min_validity\": \"30m\"",
	 ", \"overrides\": [{\"label\": \"gpu\", \"rules\": "
	 "{\"min_validity\": \"1h\"}}]",
	 "gpu", POLICY_OP_FETCH, "static", -3600, 3600, 0, 0, 0, 0, WS1, "",
	 R(OK), NULL},
	{"override does not apply without its label",
	 "\"min_validity\": \"30m\"",
	 ", \"overrides\": [{\"label\": \"gpu\", \"rules\": "
	 "{\"min_validity\": \"1h\"}}]",
	 "cpu,linux", POLICY_OP_FETCH, "static", -3600, 1800, 0, 0, 0, 0, WS1,
	 "", R(OK), NULL},
	{"override label found among spaced labels",
	 "\"min_validity\": \"30m\"",
	 ", \"overrides\": [{\"label\": \"gpu\", \"rules\": "
	 "{\"min_validity\": \"1h\"}}]",
	 " ci , gpu ", POLICY_OP_FETCH, "static", -3600, 3599, 0, 0, 0, 0, WS1,
	 "", R(MIN_VALIDITY), NULL},
	{"override labels match case-sensitively", "\"min_validity\": \"30m\"",
	 ", \"overrides\": [{\"label\": \"gpu\", \"rules\": "
	 "{\"min_validity\": \"1h\"}}]",
	 "GPU", POLICY_OP_FETCH, "static", -3600, 1800, 0, 0, 0, 0, WS1, "",
	 R(OK), NULL},
	{"override cannot loosen max_lifetime", "\"max_lifetime\": \"1h\"",
	 ", \"overrides\": [{\"label\": \"long\", \"rules\": "
	 "{\"max_lifetime\": \"1d\"}}]",
	 "long", POLICY_OP_FETCH, "mint", 0, 3601, 0, 0, 0, 0, WS1, "",
	 R(LIFETIME), NULL},
	{"override cannot drop require_expiry", "\"require_expiry\": true",
	 ", \"overrides\": [{\"label\": \"lax\", \"rules\": "
	 "{\"require_expiry\": false}}]",
	 "lax", POLICY_OP_FETCH, "static", -3600, NEVER, 0, 0, 0, 0, WS1, "",
	 R(NO_EXPIRY), NULL},
	{"two matching overrides: the stricter one refuses below it", "",
	 ", \"overrides\": [{\"label\": \"a\", \"rules\": "
	 "{\"min_validity\": \"1h\"}}, {\"label\": \"b\", \"rules\": "
	 "{\"min_validity\": \"2h\"}}]",
	 "b,a", POLICY_OP_FETCH, "static", -3600, 7199, 0, 0, 0, 0, WS1, "",
	 R(MIN_VALIDITY), "at least 2h"},
	{"two matching overrides: the stricter one allows at it", "",
	 ", \"overrides\": [{\"label\": \"a\", \"rules\": "
	 "{\"min_validity\": \"1h\"}}, {\"label\": \"b\", \"rules\": "
	 "{\"min_validity\": \"2h\"}}]",
	 "a,b", POLICY_OP_FETCH, "static", -3600, 7200, 0, 0, 0, 0, WS1, "",
	 R(OK), NULL},
	{"override narrows workspaces to the intersection",
	 "\"workspaces\": [\"" WS1 "\", \"" WS2 "\"]",
	 ", \"overrides\": [{\"label\": \"prod\", \"rules\": "
	 "{\"workspaces\": [\"" WS1 "\"]}}]",
	 "prod", POLICY_OP_FETCH, "static", -3600, 7200, 0, 0, 0, 0, WS2, "",
	 R(WORKSPACE), NULL},
	{"defaults keep both workspaces without the label",
	 "\"workspaces\": [\"" WS1 "\", \"" WS2 "\"]",
	 ", \"overrides\": [{\"label\": \"prod\", \"rules\": "
	 "{\"workspaces\": [\"" WS1 "\"]}}]",
	 NULL, POLICY_OP_FETCH, "static", -3600, 7200, 0, 0, 0, 0, WS2, "",
	 R(OK), NULL},
	{"override adds grace_budget the defaults lack", "",
	 ", \"overrides\": [{\"label\": \"edge\", \"rules\": "
	 "{\"grace_budget\": \"10m\"}}]",
	 "edge", POLICY_OP_CACHE_READ, "static", -3600, 7200, 1, 60, 601, 0,
	 WS1, "", R(GRACE_EXHAUSTED), NULL},

	{"revoke is allowed even for an expired, denied token", "",
	 ", \"denied_token_ids\": [\"" TID "\"]", NULL, POLICY_OP_REVOKE,
	 "mint", -3600, -60, 0, 0, 0, 0, WS1, TID, R(OK), NULL},
};

static struct policy *parse_row(const struct row *r)
{
	char doc[2048];
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy *p = NULL;

	snprintf(doc, sizeof(doc),
		 "{\"schema_version\": 1, \"serial\": 1, \"max_age\": \"30d\", "
		 "\"rules\": {%s}%s}",
		 r->rules, r->extra);
	if (policy_parse(doc, strlen(doc), "row", &p, &err) != ASKCRED_OK)
		tap_bail("row \"%s\": %s: %s", r->name, err.where, err.message);
	return p;
}

static void run_row(const struct row *r)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_view rec;
	struct policy_context ctx;
	struct policy_decision d;
	struct policy *p = parse_row(r);

	memset(&rec, 0, sizeof(rec));
	snprintf(rec.workspace_id, sizeof(rec.workspace_id), "%s",
		 r->workspace);
	snprintf(rec.token_id, sizeof(rec.token_id), "%s", r->token_id);
	snprintf(rec.source, sizeof(rec.source), "%s", r->source);
	rec.issued_at = r->issued == UNKNOWN ? 0 : NOW + r->issued;
	rec.expires_at = r->expires == NEVER ? 0 : NOW + r->expires;
	rec.flags = r->flags;
	memset(&ctx, 0, sizeof(ctx));
	ctx.op = r->op;
	ctx.labels = r->labels;
	ctx.now = NOW;
	ctx.is_cached = r->cached;
	ctx.cached_at = r->cache_age ? NOW - r->cache_age : 0;
	ctx.outage_since = r->outage_for ? NOW - r->outage_for : 0;

	is_int(policy_check(p, &ctx, &rec, &d, &err), ASKCRED_OK,
	       "%s: check runs", r->name);
	is_str(d.reason_code, policy_reason_code(r->want), "%s", r->name);
	is_int(d.allowed, r->want == POLICY_R_OK, "%s: allowed flag matches",
	       r->name);
	if (r->sentence != NULL)
		has_str(d.sentence, r->sentence, "%s: sentence says why",
			r->name);
	policy_free(p);
}

/* Before a fetch there is no record: source and workspace still count. */
static void check_without_record(void)
{
	static const struct row r = {"x",
				     "\"sources\": [\"mint\"], "
				     "\"workspaces\": [\"" WS1 "\"]",
				     ""};
	struct policy *p = parse_row(&r);
	struct policy_context ctx = {POLICY_OP_FETCH, NULL, NOW, "static", WS1};
	struct policy_decision d;

	policy_check(p, &ctx, NULL, &d, NULL);
	is_str(d.reason_code, "source",
	       "a source is refused before anything is fetched");
	ctx.source = "mint";
	ctx.workspace = WS2;
	policy_check(p, &ctx, NULL, &d, NULL);
	is_str(d.reason_code, "workspace",
	       "a workspace is refused before anything is fetched");
	ctx.workspace = WS1;
	policy_check(p, &ctx, NULL, &d, NULL);
	ok(d.allowed, "an allowed source and workspace pass before a fetch");
	policy_free(p);

	policy_check(NULL, &ctx, NULL, &d, NULL);
	ok(d.allowed && d.reason == POLICY_R_NO_POLICY,
	   "without a policy everything is allowed as no_policy");
}

/* The cache reads its windows from the policy; merged windows stay
 * nested (mandatory <= advisory, jitter fits between). */
static void check_accessors(void)
{
	static const struct row r = {
		"x",
		"\"refresh_advisory\": \"2h\", \"refresh_mandatory\": \"30m\", "
		"\"refresh_jitter\": \"10m\", \"grace_budget\": \"4h\", "
		"\"max_lifetime\": \"1d\"",
		", \"overrides\": [{\"label\": \"slow\", \"rules\": "
		"{\"refresh_mandatory\": \"3h\", \"grace_budget\": \"1h\"}}]"};
	struct policy *p = parse_row(&r);
	struct policy_windows w;

	policy_refresh_windows(p, NULL, &w);
	ok(w.advisory == 7200 && w.mandatory == 1800 && w.jitter == 600,
	   "refresh windows come from the policy (%lld/%lld/%lld)",
	   (long long)w.advisory, (long long)w.mandatory, (long long)w.jitter);
	policy_refresh_windows(p, "slow", &w);
	ok(w.advisory == 10800 && w.mandatory == 10800 && w.jitter == 0,
	   "a raised mandatory window widens advisory and squeezes jitter "
	   "(%lld/%lld/%lld)",
	   (long long)w.advisory, (long long)w.mandatory, (long long)w.jitter);
	is_int(policy_grace_budget(p, NULL), 14400, "grace budget by default");
	is_int(policy_grace_budget(p, "slow"), 3600,
	       "grace budget tightened by label");
	is_int(policy_max_lifetime(p, NULL), 86400, "max lifetime accessor");
	is_int(policy_min_validity(p, NULL), -1, "an unset rule reads as -1");
	is_int(policy_grace_budget(NULL, NULL), -1, "no policy reads as -1");
	policy_free(p);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	check_without_record();
	check_accessors();
	return tap_done();
}
