/*
 * A policy is parsed as strict JSON and its field names are exact (issue
 * 11): what json-c alone lets through, and what two readers could read
 * differently, is refused with the JSON path that holds it.
 */
#include "config.h"

#include <string.h>

#include "policy.h"
#include "tap.h"

#define HEAD "\"schema_version\": 1, \"serial\": 3, \"max_age\": \"7d\""

static const struct {
	const char *name;
	const char *doc;
	askcred_status want;
	const char *where;   /* substring of err.where, or NULL */
	const char *message; /* substring of err.message, or NULL */
} docs[] = {
	{"a repeated rules object is refused, not last-one-wins",
	 "{" HEAD ", \"rules\": {\"max_lifetime\": \"1h\"}, \"rules\": {}}",
	 ASKCRED_CONFIG_ERROR, "doc: rules", "duplicate key"},
	{"a repeated rule is refused with its path",
	 "{" HEAD ", \"rules\": {\"max_lifetime\": \"1h\", "
	 "\"max_lifetime\": \"3650d\"}}",
	 ASKCRED_CONFIG_ERROR, "doc: rules.max_lifetime", "duplicate key"},
	{"a key repeated through an escape is still a repeat",
	 "{" HEAD ", \"rules\": {}, \"\\u0072ules\": {}}", ASKCRED_CONFIG_ERROR,
	 "doc: rules", "duplicate key"},
	{"a repeated key inside an override is refused with its path",
	 "{" HEAD ", \"overrides\": [{\"label\": \"a\", \"label\": \"b\"}]}",
	 ASKCRED_CONFIG_ERROR, "doc: overrides[0].label", "duplicate key"},
	{"a repeated schema_version is refused",
	 "{" HEAD ", \"schema_version\": 2}", ASKCRED_CONFIG_ERROR,
	 "doc: schema_version", "line 1"},

	{"a single-quoted key is refused", "{" HEAD ", 'comment': \"x\"}",
	 ASKCRED_CONFIG_ERROR, NULL, "single quotes"},
	/* json-c refuses this one itself, by line and column. */
	{"a single-quoted value is refused", "{" HEAD ", \"comment\": 'x'}",
	 ASKCRED_CONFIG_ERROR, "doc:1", "column"},
	{"NaN is refused with its path",
	 "{" HEAD ", \"optional\": [\"x\"], \"x\": NaN}", ASKCRED_CONFIG_ERROR,
	 "doc: x", "NaN and Infinity"},
	{"Infinity is refused",
	 "{" HEAD ", \"rules\": {\"max_lifetime\": "
	 "Infinity}}",
	 ASKCRED_CONFIG_ERROR, "doc: rules.max_lifetime", "NaN and Infinity"},
	{"-Infinity is refused",
	 "{" HEAD ", \"rules\": {\"max_lifetime\": -Infinity}}",
	 ASKCRED_CONFIG_ERROR, "doc: rules.max_lifetime", "NaN and Infinity"},

	{"a byte that is never UTF-8 is refused with its path",
	 "{" HEAD ", \"comment\": \"bad \xff\"}", ASKCRED_CONFIG_ERROR,
	 "doc: comment", "not valid UTF-8"},
	{"an overlong UTF-8 form is refused",
	 "{" HEAD ", \"comment\": \"\xc0\xaf\"}", ASKCRED_CONFIG_ERROR,
	 "doc: comment", "not valid UTF-8"},
	{"a UTF-8 encoded surrogate is refused",
	 "{" HEAD ", \"comment\": \"\xed\xa0\x80\"}", ASKCRED_CONFIG_ERROR,
	 "doc: comment", "not valid UTF-8"},
	{"a cut UTF-8 sequence is refused",
	 "{" HEAD ", \"comment\": \"caf\xc3\"}", ASKCRED_CONFIG_ERROR,
	 "doc: comment", "not valid UTF-8"},
	{"invalid UTF-8 in a key is refused",
	 "{" HEAD ", \"optional\": [\"x\"], \"\xff\": 1}", ASKCRED_CONFIG_ERROR,
	 NULL, "not valid UTF-8"},
	{"an escaped lone surrogate is refused",
	 "{" HEAD ", \"comment\": \"\\ud800\"}", ASKCRED_CONFIG_ERROR,
	 "doc: comment", "lone surrogate"},
	{"a raw tab inside a string is refused",
	 "{" HEAD ", \"comment\": \"a\tb\"}", ASKCRED_CONFIG_ERROR,
	 "doc: comment", "control character"},

	{"UTF-8 text is accepted",
	 "{" HEAD ", \"comment\": \"caf\xc3\xa9 \xe2\x82\xac "
	 "\xf0\x9f\x94\x91\"}",
	 ASKCRED_OK},
	{"escapes, a surrogate pair included, are accepted",
	 "{" HEAD ", \"comment\": \"\\u00e9 \\ud83d\\udd11 \\\"q\\\" \\/\"}",
	 ASKCRED_OK},
	{"numbers in every legal form are accepted",
	 "{" HEAD ", \"optional\": [\"n\", \"m\", \"k\"], \"n\": -0.5e+3, "
	 "\"m\": 0, \"k\": [1E2, -1]}",
	 ASKCRED_OK},

	{"a rule in another case is not excused by optional",
	 "{" HEAD ", \"optional\": [\"min_validity\"], "
	 "\"rules\": {\"Min_Validity\": \"30m\"}}",
	 ASKCRED_CONFIG_ERROR, "doc: rules.Min_Validity",
	 "not a field this host understands"},
	{"a top-level field in another case is not excused by optional",
	 "{" HEAD ", \"optional\": [\"max_tokens\"], \"MAX_TOKENS\": 3}",
	 ASKCRED_CONFIG_ERROR, "doc: MAX_TOKENS",
	 "not a field this host understands"},
	{"an override field in another case is not excused by optional",
	 "{" HEAD ", \"optional\": [\"note\"], "
	 "\"overrides\": [{\"label\": \"a\", \"Note\": 1}]}",
	 ASKCRED_CONFIG_ERROR, "doc: overrides[0].Note", NULL},
	{"a name listed in optional exactly is ignored",
	 "{" HEAD ", \"optional\": [\"Min_Validity\"], "
	 "\"rules\": {\"Min_Validity\": \"30m\"}}",
	 ASKCRED_OK},
};

/* The rule that a repeat would have erased is not in force either way:
 * the document is refused whole, so nothing of it is used. */
static void check_min_validity_kept(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy *p = NULL;
	const char *doc = "{" HEAD ", \"optional\": [\"Min_Validity\"], "
			  "\"rules\": {\"min_validity\": \"30m\", "
			  "\"Min_Validity\": \"1s\"}}";

	is_int(policy_parse(doc, strlen(doc), "doc", &p, &err), ASKCRED_OK,
	       "exact name and an optional near-namesake side by side parse");
	is_int(p ? policy_min_validity(p, NULL) : -1, 1800,
	       "the exact rule is in force, the optional one ignored");
	policy_free(p);
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
	check_min_validity_kept();
	return tap_done();
}
