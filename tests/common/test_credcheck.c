/* Shape checks for workspace ids and tokens, table-driven. */
#include "config.h"

#include <string.h>

#include "credcheck.h"
#include "error.h"
#include "tap.h"

static const struct {
	const char *id;
	int valid;
	const char *why;
} uuids[] = {
	{"9cf30c31-ea1e-4ff5-994a-c4a0dc70882f", 1, "canonical v4"},
	{"9CF30C31-EA1E-4FF5-994A-C4A0DC70882F", 1, "upper case v4"},
	{"9cf30c31-ea1e-1ff5-994a-c4a0dc70882f", 0, "version 1"},
	{"9cf30c31-ea1e-4ff5-c94a-c4a0dc70882f", 0, "wrong variant"},
	{"9cf30c31ea1e4ff5994ac4a0dc70882f", 0, "no dashes"},
	{"9cf30c31-ea1e-4ff5-994a-c4a0dc70882", 0, "one short"},
	{"9cf30c31-ea1e-4ff5-994a-c4a0dc70882fa", 0, "one long"},
	{"9cf30c31-ea1e-4ff5-994a-c4a0dc70882g", 0, "non-hex"},
	{"", 0, "empty"},
};

static const struct {
	const char *token;
	askcred_status want;
	const char *trimmed;
	const char *why;
} tokens[] = {
	{"abcDEF0123456789_-xyz", ASKCRED_OK, "abcDEF0123456789_-xyz", "plain"},
	{"  tok\n", ASKCRED_OK, "tok", "surrounding white space trimmed"},
	{"", ASKCRED_INVALID, NULL, "empty"},
	{" \t\n", ASKCRED_INVALID, NULL, "only white space"},
	{"ab\x01"
	 "cd",
	 ASKCRED_INVALID, NULL, "control character"},
	{"ab\x7f"
	 "cd",
	 ASKCRED_INVALID, NULL, "DEL character"},
};

int main(void)
{
	char big[TOKEN_MAX_LEN + 2];

	for (size_t i = 0; i < sizeof(uuids) / sizeof(uuids[0]); i++)
		is_int(is_uuid4(uuids[i].id), uuids[i].valid, "is_uuid4 %s: %s",
		       uuids[i].valid ? "accepts" : "rejects", uuids[i].why);

	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		const char *p = tokens[i].token;
		size_t len = strlen(p);
		askcred_status rc = check_token(&p, &len, "test", &err);

		is_int(rc, tokens[i].want, "check_token: %s", tokens[i].why);
		if (tokens[i].trimmed != NULL) {
			ok(len == strlen(tokens[i].trimmed) &&
				   memcmp(p, tokens[i].trimmed, len) == 0,
			   "check_token trims to the bare token: %s",
			   tokens[i].why);
		}
	}

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		struct askcred_error err = ASKCRED_ERROR_INIT;
		const char *p = big;
		size_t len = strlen(big);

		is_int(check_token(&p, &len, "test", &err), ASKCRED_INVALID,
		       "check_token refuses a token over TOKEN_MAX_LEN");
		ok(strstr(err.message, "aaaa") == NULL,
		   "the refusal does not quote the token");
	}
	{
		struct askcred_error err = ASKCRED_ERROR_INIT;

		is_int(check_workspace_id("nope", "ASKUI_WORKSPACE_ID", &err),
		       ASKCRED_INVALID,
		       "check_workspace_id refuses a non-UUID");
		is_str(err.where, "ASKUI_WORKSPACE_ID",
		       "the error names the field");
	}
	return tap_done();
}
