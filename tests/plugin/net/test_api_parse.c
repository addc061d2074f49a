/* Strict parsing of every answer the network module reads: a malformed
 * answer is refused with a message naming the field. Table-driven: each row
 * is an answer and what must come of it. */
#include "config.h"

#include <string.h>

#include "askui_api.h"
#include "broker.h"
#include "error.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define ID "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
#define ID2 "1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
#define TOK "U4IiJRhZscdBA4VFOLCpWw"

static const struct {
	const char *body;
	askcred_status want;
	const char *msg; /* expected in the message, or the token on success */
	const char *why;
} created[] = {
	{"{\"privateToken\":{\"id\":\"" ID "\",\"name\":\"n\",\"createdAt\":"
	 "\"2026-11-28T17:00:00.123456Z\",\"expiresAt\":"
	 "\"2026-11-28T18:00:00Z\"},\"tokenString\":\"" TOK "\"}",
	 ASKCRED_OK, TOK, "a well-formed answer"},
	{"{\"privateToken\":{\"id\":\"" ID "\",\"name\":\"n\",\"createdAt\":"
	 "\"2026-11-28T17:00:00+01:00\",\"expiresAt\":null},"
	 "\"tokenString\":\"" TOK "\"}\n",
	 ASKCRED_OK, TOK, "no expiry, zone offset, trailing newline"},
	{"{\"privateToken\":{\"id\":\"", ASKCRED_UNAVAILABLE, "malformed JSON",
	 "truncated"},
	{"<html>bad gateway</html>", ASKCRED_UNAVAILABLE, "malformed JSON",
	 "not JSON"},
	{"", ASKCRED_UNAVAILABLE, "empty answer", "empty"},
	{"{\"privateToken\":{}} x", ASKCRED_UNAVAILABLE, "malformed JSON",
	 "trailing garbage"},
	{"[]", ASKCRED_UNAVAILABLE, "privateToken", "an array"},
	{"{\"tokenString\":\"" TOK "\"}", ASKCRED_UNAVAILABLE,
	 "privateToken is missing", "no privateToken"},
	{"{\"privateToken\":\"x\",\"tokenString\":\"" TOK "\"}",
	 ASKCRED_UNAVAILABLE, "privateToken is not an object",
	 "privateToken a string"},
	{"{\"privateToken\":{\"id\":12345,\"name\":\"n\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null},\"tokenString\":\"" TOK
	 "\"}",
	 ASKCRED_UNAVAILABLE, "privateToken.id is not a string", "id a number"},
	{"{\"privateToken\":{\"id\":\"not-a-uuid\",\"name\":\"n\","
	 "\"createdAt\":\"2026-11-28T17:00:00Z\",\"expiresAt\":null},"
	 "\"tokenString\":\"" TOK "\"}",
	 ASKCRED_UNAVAILABLE, "privateToken.id is not a UUID", "id not a UUID"},
	{"{\"privateToken\":{\"id\":\"" ID "\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null},\"tokenString\":\"" TOK
	 "\"}",
	 ASKCRED_UNAVAILABLE, "privateToken.name is missing", "no name"},
	{"{\"privateToken\":{\"id\":\"" ID "\",\"name\":\"n\",\"createdAt\":"
	 "\"yesterday\",\"expiresAt\":null},\"tokenString\":\"" TOK "\"}",
	 ASKCRED_UNAVAILABLE, "privateToken.createdAt is not an RFC 3339",
	 "createdAt not a date"},
	{"{\"privateToken\":{\"id\":\"" ID "\",\"name\":\"n\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":17},\"tokenString\":\"" TOK
	 "\"}",
	 ASKCRED_UNAVAILABLE, "privateToken.expiresAt is not a string",
	 "expiresAt a number"},
	{"{\"privateToken\":{\"id\":\"" ID "\",\"name\":\"n\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null},\"tokenString\":null}",
	 ASKCRED_UNAVAILABLE, "tokenString is not a string",
	 "tokenString null"},
	{"{\"privateToken\":{\"id\":\"" ID "\",\"name\":\"n\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null},\"tokenString\":\"\"}",
	 ASKCRED_UNAVAILABLE, "tokenString is 0 bytes", "tokenString empty"},
	{"{\"privateToken\":{\"id\":\"" ID "\",\"name\":\"n\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null},\"tokenString\":"
	 "\"ab\\u0001cd\"}",
	 ASKCRED_UNAVAILABLE, "tokenString contains a control character",
	 "tokenString with a control character"},
	{"{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}",
	 ASKCRED_UNAVAILABLE, "malformed JSON", "nested too deep"},
};

static const struct {
	const char *body;
	askcred_status want;
	size_t count;
	const char *msg;
	const char *why;
} lists[] = {
	{"[]", ASKCRED_OK, 0, "", "empty list"},
	{"[{\"id\":\"" ID "\",\"name\":\"askcred-host-ci\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":\"2026-11-29T17:00:00Z\"},"
	 "{\"id\":\"" ID2 "\",\"name\":\"x\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null}]",
	 ASKCRED_OK, 2, "", "two tokens"},
	{"[{\"id\":\"" ID "\",\"name\":\"x\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null},"
	 "{\"id\":\"" ID2 "\",\"name\":\"y\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null},"
	 "{\"id\":\"0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D\",\"name\":\"z\","
	 "\"createdAt\":\"2026-11-28T17:00:00Z\",\"expiresAt\":null}]",
	 ASKCRED_UNAVAILABLE, 0, "[2].id repeats [0].id",
	 "one id twice (in another case)"},
	{"[{\"id\":\"" ID "\",\"name\":\"\\u001b[2J\\nx\\u009b\","
	 "\"createdAt\":\"2026-11-28T17:00:00Z\",\"expiresAt\":null}]",
	 ASKCRED_OK, 1, "", "a name with control characters (shown masked)"},
	{"[{\"id\":\"" ID "\",\"name\":\"a\xff\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null}]",
	 ASKCRED_UNAVAILABLE, 0, "[0].name is not UTF-8", "a name not UTF-8"},
	{"[{\"id\":\"" ID "\",\"name\":\"a\\u0000b\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null}]",
	 ASKCRED_UNAVAILABLE, 0, "[0].name contains a NUL",
	 "a name with a NUL"},
	{"{}", ASKCRED_UNAVAILABLE, 0, "expected a JSON array", "an object"},
	{"[{\"id\":\"" ID "\",\"name\":\"x\",\"createdAt\":"
	 "\"2026-11-28T17:00:00Z\",\"expiresAt\":null},{\"id\":\"" ID "\","
	 "\"name\":5,\"createdAt\":\"2026-11-28T17:00:00Z\",\"expiresAt\":"
	 "null}]",
	 ASKCRED_UNAVAILABLE, 0, "[1].name is not a string",
	 "second entry's name a number"},
	{"[1]", ASKCRED_UNAVAILABLE, 0, "expected an object holding [0].id",
	 "entry a number"},
};

static const struct {
	const char *body;
	askcred_status want;
	const char *msg;
	const char *why;
} brokers[] = {
	{"{\"workspace_id\":\"" WS "\",\"token\":\"" TOK "\",\"token_id\":\"" ID
	 "\",\"expires_at\":\"2099-01-01T00:00:00Z\",\"extra\":1}",
	 ASKCRED_OK, "", "a full answer (unknown members ignored)"},
	{"{\"workspace_id\":\"" WS "\",\"token\":\"" TOK "\",\"token_id\":null,"
	 "\"expires_at\":null}",
	 ASKCRED_OK, "", "no token id, no expiry"},
	{"{\"workspace_id\":\"" WS "\",\"token\":\"" TOK "\",\"token_id\":\"" ID
	 "\",\"expires_at\":\"2001-01-01T00:00:00Z\"}",
	 ASKCRED_EXPIRED, "already expired", "an expired token"},
	{"{\"token\":\"" TOK "\",\"token_id\":null,\"expires_at\":null}",
	 ASKCRED_UNAVAILABLE, "workspace_id is missing", "no workspace id"},
	{"{\"workspace_id\":\"" WS "\",\"token_id\":null,\"expires_at\":null}",
	 ASKCRED_UNAVAILABLE, "token is missing", "no token"},
	{"{\"workspace_id\":\"" WS "\",\"token\":\"  \",\"token_id\":null,"
	 "\"expires_at\":null}",
	 ASKCRED_UNAVAILABLE, "token is empty", "a blank token"},
	{"{\"workspace_id\":\"" WS "\",\"token\":\"" TOK
	 "\",\"token_id\":\"x\","
	 "\"expires_at\":null}",
	 ASKCRED_UNAVAILABLE, "token_id is not a UUID", "a bad token id"},
};

static const struct {
	const char *name;
	askcred_status want;
	const char *why;
} names[] = {
	{"askcred-host1-ci", ASKCRED_OK, "ASCII"},
	{"askcred-h\xc3\xb6st", ASKCRED_OK, "UTF-8"},
	{"", ASKCRED_CONFIG_ERROR, "empty"},
	{"bad\nname", ASKCRED_CONFIG_ERROR, "line break"},
	{"bad\xc3", ASKCRED_CONFIG_ERROR, "cut UTF-8"},
	{"bad\xff", ASKCRED_CONFIG_ERROR, "not UTF-8"},
};

static void check_created(void)
{
	for (size_t i = 0; i < N(created); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct token_record r;
		askcred_status rc;

		memset(&r, 0, sizeof(r));
		rc = api_parse_created(created[i].body, strlen(created[i].body),
				       WS, &r, &err);
		is_int(rc, created[i].want, "create answer: %s",
		       created[i].why);
		if (rc == ASKCRED_OK) {
			is_str(r.token.buf, created[i].msg,
			       "create answer gives the token: %s",
			       created[i].why);
			is_str(r.token_id, ID, "create answer gives the id");
			is_str(r.workspace_id, WS, "create record has the ws");
			is_str(r.source, "mint", "create record source mint");
			ok(r.issued_at > 1700000000, "createdAt is read");
			ok(r.flags & ASKCRED_CRED_MINTED, "record is minted");
		} else {
			has_str(err.message, created[i].msg,
				"create answer error names the problem: %s",
				created[i].why);
			ok(strstr(err.message, TOK) == NULL,
			   "create answer error never quotes the token");
			ok(r.token.buf == NULL, "no token is kept on error");
		}
		secret_clear(&r.token);
	}
}

static void check_lists(void)
{
	for (size_t i = 0; i < N(lists); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct net_token_info *l = NULL;
		size_t n = 99;

		is_int(api_parse_list(lists[i].body, strlen(lists[i].body), &l,
				      &n, &err),
		       lists[i].want, "list answer: %s", lists[i].why);
		is_int((long long)n, (long long)lists[i].count,
		       "list answer count: %s", lists[i].why);
		if (lists[i].want != ASKCRED_OK)
			has_str(err.message, lists[i].msg,
				"list answer error names the field: %s",
				lists[i].why);
		if (lists[i].count == 2) {
			is_str(l[0].name, "askcred-host-ci", "name is read");
			is_int(l[0].expires_at, 1795971600,
			       "expiresAt is read as Unix seconds");
			is_int(l[1].expires_at, 0, "null expiry is 0: never");
		}
		api_token_list_free(l);
	}
}

static void check_lookup(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char id[ASKCRED_UUID_LEN + 1];
	const char *good = "{\"accessTokenId\":\"" ID "\"}";
	const char *bad = "{\"accessTokenId\":null}";

	is_int(api_parse_lookup(good, strlen(good), id, &err), ASKCRED_OK,
	       "lookup answer is read");
	is_str(id, ID, "lookup answer gives the id");
	is_int(api_parse_lookup(bad, strlen(bad), id, &err),
	       ASKCRED_UNAVAILABLE, "lookup answer with a null id refused");
	has_str(err.message, "accessTokenId", "the error names accessTokenId");
}

static void check_broker(void)
{
	for (size_t i = 0; i < N(brokers); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct token_record r;
		askcred_status rc;

		memset(&r, 0, sizeof(r));
		rc = broker_parse(brokers[i].body, strlen(brokers[i].body),
				  1795971600, &r, &err);
		is_int(rc, brokers[i].want, "broker answer: %s",
		       brokers[i].why);
		if (rc == ASKCRED_OK) {
			is_str(r.token.buf, TOK, "broker token is read");
			is_str(r.workspace_id, WS, "broker workspace is read");
			is_str(r.source, "broker", "broker record source");
		} else {
			has_str(err.message, brokers[i].msg,
				"broker answer error names the problem: %s",
				brokers[i].why);
		}
		secret_clear(&r.token);
	}
}

static void check_names(void)
{
	char longest[NET_NAME_MAX_CHARS + 2];
	struct askcred_error err = ASKCRED_ERROR_INIT;

	for (size_t i = 0; i < N(names); i++)
		is_int(api_check_name(names[i].name, &err), names[i].want,
		       "token name: %s", names[i].why);
	memset(longest, 'n', NET_NAME_MAX_CHARS);
	longest[NET_NAME_MAX_CHARS] = '\0';
	is_int(api_check_name(longest, &err), ASKCRED_OK,
	       "token name of 128 characters accepted");
	longest[NET_NAME_MAX_CHARS] = 'n';
	longest[NET_NAME_MAX_CHARS + 1] = '\0';
	is_int(api_check_name(longest, &err), ASKCRED_CONFIG_ERROR,
	       "token name of 129 characters refused");
	has_str(err.message, "129 characters", "the error says how long");
}

int main(void)
{
	check_created();
	check_lists();
	check_lookup();
	check_broker();
	check_names();
	return tap_done();
}
