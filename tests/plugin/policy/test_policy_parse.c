/*
 * The parser accepts exactly the documented format: unknown fields refused
 * unless declared optional, wrong types and out-of-range values named by
 * their JSON path, hostile sizes and nesting refused cheaply.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tap.h"

#define HEAD "\"schema_version\": 1, \"serial\": 3, \"max_age\": \"7d\""
#define WS1 "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"

static const struct {
	const char *name;
	const char *doc;
	askcred_status want;
	const char *where;   /* substring of err.where, or NULL */
	const char *message; /* substring of err.message, or NULL */
} docs[] = {
	{"a minimal document is accepted", "{" HEAD "}", ASKCRED_OK},
	{"every field at once is accepted",
	 "{" HEAD ", \"issued_at\": \"2026-11-28T00:00:00Z\", "
	 "\"comment\": \"fleet policy\", \"revocation_epoch\": 1764000000, "
	 "\"denied_token_ids\": [\"" WS1 "\"], \"rules\": {\"require_expiry\": "
	 "true, \"max_lifetime\": \"1d\", \"min_validity\": \"30m\", "
	 "\"refresh_advisory\": \"2h\", \"refresh_mandatory\": \"30m\", "
	 "\"refresh_jitter\": \"10m\", \"max_cache_age\": \"12h\", "
	 "\"grace_budget\": \"4h\", \"workspaces\": [\"" WS1 "\"], "
	 "\"sources\": [\"mint\"]}, \"overrides\": [{\"label\": \"gpu\", "
	 "\"comment\": \"c\", \"rules\": {\"min_validity\": \"1h\"}}]}",
	 ASKCRED_OK},

	{"an unknown top-level field is refused",
	 "{" HEAD ", \"max_tokens\": 3}", ASKCRED_CONFIG_ERROR, "max_tokens",
	 "not a field this host understands"},
	{"an unknown field declared optional is accepted",
	 "{" HEAD ", \"optional\": [\"max_tokens\"], \"max_tokens\": 3}",
	 ASKCRED_OK},
	{"an unknown rule is refused with its path",
	 "{" HEAD ", \"rules\": {\"require_mfa\": true}}", ASKCRED_CONFIG_ERROR,
	 "rules.require_mfa", "list its name in \"optional\""},
	{"an unknown rule declared optional is accepted",
	 "{" HEAD ", \"optional\": [\"require_mfa\"], "
	 "\"rules\": {\"require_mfa\": true}}",
	 ASKCRED_OK},
	{"an unknown rule in an override is refused with its path",
	 "{" HEAD ", \"overrides\": [{\"label\": \"a\"}, {\"label\": \"b\", "
	 "\"rules\": {\"require_mfa\": 1}}]}",
	 ASKCRED_CONFIG_ERROR, "overrides[1].rules.require_mfa", NULL},
	{"optional does not excuse a known field with a wrong type",
	 "{" HEAD ", \"optional\": [\"max_lifetime\"], "
	 "\"rules\": {\"max_lifetime\": true}}",
	 ASKCRED_CONFIG_ERROR, "rules.max_lifetime", "must be a duration"},

	{"schema_version is required", "{\"serial\": 1, \"max_age\": \"1d\"}",
	 ASKCRED_CONFIG_ERROR, "schema_version", "is required"},
	{"a newer schema_version is refused",
	 "{\"schema_version\": 2, \"serial\": 1, \"max_age\": \"1d\"}",
	 ASKCRED_CONFIG_ERROR, "schema_version", "upgrade askcred"},
	{"schema_version as a string is refused",
	 "{\"schema_version\": \"1\", \"serial\": 1, \"max_age\": \"1d\"}",
	 ASKCRED_CONFIG_ERROR, "schema_version", "must be an integer"},
	{"serial is required", "{\"schema_version\": 1, \"max_age\": \"1d\"}",
	 ASKCRED_CONFIG_ERROR, "serial", "is required"},
	{"serial zero is refused",
	 "{\"schema_version\": 1, \"serial\": 0, \"max_age\": \"1d\"}",
	 ASKCRED_CONFIG_ERROR, "serial", "between 1 and"},
	{"a fractional serial is refused",
	 "{\"schema_version\": 1, \"serial\": 1.5, \"max_age\": \"1d\"}",
	 ASKCRED_CONFIG_ERROR, "serial", "must be an integer"},
	{"a serial past int64 is refused",
	 "{\"schema_version\": 1, \"serial\": 99999999999999999999, "
	 "\"max_age\": \"1d\"}",
	 ASKCRED_CONFIG_ERROR, "serial", NULL},
	{"max_age is required", "{\"schema_version\": 1, \"serial\": 1}",
	 ASKCRED_CONFIG_ERROR, "max_age", "is required"},
	{"max_age under a minute is refused",
	 "{\"schema_version\": 1, \"serial\": 1, \"max_age\": 59}",
	 ASKCRED_CONFIG_ERROR, "max_age", "out of range (1m..3650d)"},

	{"a boolean given as a string is refused",
	 "{" HEAD ", \"rules\": {\"require_expiry\": \"yes\"}}",
	 ASKCRED_CONFIG_ERROR, "rules.require_expiry", "must be true or false"},
	{"a malformed duration is refused",
	 "{" HEAD ", \"rules\": {\"min_validity\": \"30 minutes\"}}",
	 ASKCRED_CONFIG_ERROR, "rules.min_validity", "must be a duration"},
	{"a negative duration is refused",
	 "{" HEAD ", \"rules\": {\"grace_budget\": -5}}", ASKCRED_CONFIG_ERROR,
	 "rules.grace_budget", "out of range"},
	{"a duration over ten years is refused",
	 "{" HEAD ", \"rules\": {\"max_cache_age\": \"3651d\"}}",
	 ASKCRED_CONFIG_ERROR, "rules.max_cache_age", NULL},
	{"max_lifetime under a minute is refused",
	 "{" HEAD ", \"rules\": {\"max_lifetime\": \"59s\"}}",
	 ASKCRED_CONFIG_ERROR, "rules.max_lifetime", "out of range"},
	{"a time with an offset is refused",
	 "{" HEAD ", \"revocation_epoch\": \"2026-11-01T00:00:00+01:00\"}",
	 ASKCRED_CONFIG_ERROR, "revocation_epoch", "RFC 3339 in UTC"},
	{"rules as an array is refused", "{" HEAD ", \"rules\": []}",
	 ASKCRED_CONFIG_ERROR, "rules", "must be an object"},
	{"a workspace that is not a UUID is refused",
	 "{" HEAD ", \"rules\": {\"workspaces\": [\"" WS1 "\", \"prod\"]}}",
	 ASKCRED_CONFIG_ERROR, "rules.workspaces[1]", "UUID version 4"},
	{"a repeated workspace is refused",
	 "{" HEAD ", \"rules\": {\"workspaces\": [\"" WS1 "\", \"" WS1 "\"]}}",
	 ASKCRED_CONFIG_ERROR, "rules.workspaces[1]", "repeats"},
	{"a source that is not a string is refused",
	 "{" HEAD ", \"rules\": {\"sources\": [\"mint\", 7]}}",
	 ASKCRED_CONFIG_ERROR, "rules.sources[1]", "must be a string"},
	{"an empty source is refused",
	 "{" HEAD ", \"rules\": {\"sources\": [\"\"]}}", ASKCRED_CONFIG_ERROR,
	 "rules.sources[0]", "non-empty"},
	{"a control character in a string is refused",
	 "{" HEAD ", \"comment\": \"a\\u0007b\"}", ASKCRED_CONFIG_ERROR,
	 "comment", "control character"},
	{"an override without a label is refused",
	 "{" HEAD ", \"overrides\": [{\"rules\": {}}]}", ASKCRED_CONFIG_ERROR,
	 "overrides[0].label", "is required"},
	{"an override label with a comma is refused",
	 "{" HEAD ", \"overrides\": [{\"label\": \"a,b\"}]}",
	 ASKCRED_CONFIG_ERROR, "overrides[0].label", "comma"},
	{"mandatory refresh longer than advisory is refused",
	 "{" HEAD ", \"rules\": {\"refresh_advisory\": \"1h\", "
	 "\"refresh_mandatory\": \"2h\"}}",
	 ASKCRED_CONFIG_ERROR, "rules.refresh_mandatory", "refresh_advisory"},
	{"jitter wider than the refresh window is refused",
	 "{" HEAD ", \"rules\": {\"refresh_advisory\": \"1h\", "
	 "\"refresh_mandatory\": \"50m\", \"refresh_jitter\": \"11m\"}}",
	 ASKCRED_CONFIG_ERROR, "rules.refresh_jitter", NULL},

	{"a syntax error names line and column",
	 "{\n" HEAD ",\n  \"rules\": }\n", ASKCRED_CONFIG_ERROR, "doc:3",
	 "not valid JSON at line 3, column 12"},
	{"trailing data after the document is refused", "{" HEAD "} {}",
	 ASKCRED_CONFIG_ERROR, "doc:1", NULL},
	{"a truncated document is refused", "{" HEAD ", \"rules\": {",
	 ASKCRED_CONFIG_ERROR, "doc:1", "ends too early"},
	{"a document that is not an object is refused", "[1, 2]",
	 ASKCRED_CONFIG_ERROR, "(document)", "must be an object"},
	{"an empty document is refused", "", ASKCRED_CONFIG_ERROR, "doc", NULL},
	{"deep nesting is refused with a clear error",
	 "{" HEAD ", \"optional\": [\"x\"], \"x\": [[[[[[[[[[1]]]]]]]]]]}",
	 ASKCRED_CONFIG_ERROR, "doc:1", "nesting deeper"},
};

/* A document just over the size bound, padded inside a comment field that
 * the parser would otherwise accept. */
static void check_huge(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy *p = NULL;
	size_t len = POLICY_DOC_MAX + 1;
	char *doc = malloc(len + 1);

	if (doc == NULL)
		tap_bail("out of memory");
	memset(doc, ' ', len);
	memcpy(doc, "{" HEAD "}", strlen("{" HEAD "}"));
	doc[len] = '\0';
	is_int(policy_parse(doc, len, "doc", &p, &err), ASKCRED_CONFIG_ERROR,
	       "a document over 256 KiB is refused");
	has_str(err.message, "more than the 262144 allowed",
		"the size error says the limit");
	ok(p == NULL, "nothing is returned for a refused document");
	free(doc);
}

/* Many entries are refused before they cost anything. */
static void check_long_list(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy *p = NULL;
	size_t cap = 256 + (POLICY_LIST_MAX + 1) * 4, used;
	char *doc = malloc(cap);

	if (doc == NULL)
		tap_bail("out of memory");
	used = (size_t)snprintf(doc, cap, "{" HEAD ", \"optional\": [");
	for (int i = 0; i <= POLICY_LIST_MAX; i++)
		used += (size_t)snprintf(doc + used, cap - used, "%s\"a\"",
					 i ? "," : "");
	used += (size_t)snprintf(doc + used, cap - used, "]}");
	is_int(policy_parse(doc, used, "doc", &p, &err), ASKCRED_CONFIG_ERROR,
	       "a list over 1024 entries is refused");
	has_str(err.message, "optional has 1025 entries, more than the 1024",
		"the list error names the field and the limit");
	free(doc);
}

static void check_values(void)
{
	static const char doc[] =
		"{" HEAD ", \"issued_at\": \"2026-11-28T12:00:00Z\", "
		"\"rules\": {\"max_lifetime\": \"1d2h\", \"min_validity\": "
		"90}, "
		"\"overrides\": [{\"label\": \"gpu\", \"rules\": "
		"{\"sources\": [\"mint\"]}}]}";
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy *p = NULL;

	if (policy_parse(doc, strlen(doc), "doc", &p, &err) != ASKCRED_OK)
		tap_bail("%s: %s", err.where, err.message);
	is_int((long long)p->serial, 3, "serial is read");
	is_int(p->max_age, 7 * 86400, "max_age \"7d\" is 7 days");
	is_int(p->issued_at, 1795867200, "issued_at is read as UTC");
	is_int(p->rules.max_lifetime, 26 * 3600, "\"1d2h\" is 26 hours");
	is_int(p->rules.min_validity, 90, "an integer duration is seconds");
	ok(p->rules.set ==
		   (POLICY_RULE_MAX_LIFETIME | POLICY_RULE_MIN_VALIDITY),
	   "only the rules written are marked set");
	ok(p->n_overrides == 1 && strcmp(p->overrides[0].label, "gpu") == 0 &&
		   p->overrides[0].rules.sources.n == 1,
	   "an override is read with its label and rules");
	policy_free(p);
}

static const struct {
	const char *text;
	int64_t want; /* -1: refused */
} durations[] = {
	{"0", 0},	 {"90", 90},	 {"90s", 90},	  {"30m", 1800},
	{"1h30m", 5400}, {"7d", 604800}, {"1d1s", 86401}, {"", -1},
	{"5x", -1},	 {"m", -1},	 {"30m1h", -1},	  {"1h30", -1},
	{"1h1h", -1},	 {"-5s", -1},	 {"1 h", -1},	  {"3651d", -1},
};

static void check_durations(void)
{
	char buf[32];

	for (size_t i = 0; i < sizeof(durations) / sizeof(*durations); i++) {
		int64_t v = -1;
		int rc = policy_parse_duration(durations[i].text, &v);

		is_int(rc == 0 ? v : -1, durations[i].want,
		       "duration \"%s\" %s", durations[i].text,
		       durations[i].want < 0 ? "is refused" : "is read");
	}
	policy_format_duration(5400, buf, sizeof(buf));
	is_str(buf, "1h30m", "durations are written back compactly");
	policy_format_duration(-61, buf, sizeof(buf));
	is_str(buf, "-1m1s", "negative durations keep their sign");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct policy *p = NULL;
		askcred_status rc;

		rc = policy_parse(docs[i].doc, strlen(docs[i].doc), "doc", &p,
				  &err);
		if (!is_int(rc, docs[i].want, "%s", docs[i].name))
			tap_diag("error: %s: %s", err.where, err.message);
		if (docs[i].where != NULL)
			has_str(err.where, docs[i].where,
				"%s: the error names %s", docs[i].name,
				docs[i].where);
		if (docs[i].message != NULL)
			has_str(err.message, docs[i].message,
				"%s: the message says why", docs[i].name);
		ok((rc == ASKCRED_OK) == (p != NULL),
		   "%s: a policy is returned only on success", docs[i].name);
		policy_free(p);
	}
	check_huge();
	check_long_list();
	check_values();
	check_durations();
	return tap_done();
}
