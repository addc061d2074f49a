/* The askcred command's pure parts, table-driven: shell quoting, output
 * formats, durations, exit codes, and the refusal to print a credential
 * that a reader could misparse. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "output.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"

static const struct {
	const char *in;
	const char *want;
	const char *why;
} quotes[] = {
	{"abc", "'abc'", "plain word is single-quoted"},
	{"", "''", "empty string stays an argument"},
	{"a'b", "'a'\\''b'", "embedded quote closes, escapes, reopens"},
	{"'", "''\\'''", "lone quote"},
	{"''", "''\\'''\\'''", "two quotes in a row"},
	{"a b", "'a b'", "space is kept inside quotes"},
	{"$HOME`id`\"\\", "'$HOME`id`\"\\'",
	 "dollar, backtick, double quote, backslash are inert"},
	{"x'", "'x'\\'''", "trailing quote"},
};

static const struct {
	const char *in;
	int ok; /* 1 accepted; 0 not a duration; -1 too large */
	uint32_t want;
	const char *why;
} durations[] = {
	{"0", 1, 0, "zero seconds"},
	{"90", 1, 90, "plain seconds"},
	{"90s", 1, 90, "seconds suffix"},
	{"30m", 1, 1800, "minutes"},
	{"2h", 1, 7200, "hours"},
	{"1d", 1, 86400, "days"},
	{"4294967295", 1, 4294967295u, "largest 32-bit value"},
	{"4294967296", -1, 0, "one past 32 bits"},
	{"49711d", -1, 0, "days overflowing 32 bits"},
	{"99999d", -1, 0, "days far too many"},
	{"99999999999999999999", -1, 0, "huge number"},
	{"", 0, 0, "empty"},
	{"s", 0, 0, "unit without number"},
	{"-5", 0, 0, "negative"},
	{" 5", 0, 0, "leading blank"},
	{"5 ", 0, 0, "trailing blank"},
	{"5x", 0, 0, "unknown unit"},
	{"5ms", 0, 0, "two-letter unit"},
	{"1h30m", 1, 5400, "compound duration, as in module arguments"},
	{"1d2h3m4s", 1, 93784, "every unit"},
	{"30m1h", 0, 0, "units out of order"},
	{"5H", 0, 0, "upper-case unit"},
};

static const struct {
	int64_t in;
	const char *want;
} shown[] = {
	{0, "0s"},	 {-5, "0s"},	{42, "42s"},	 {60, "1m"},
	{61, "1m1s"},	 {3600, "1h"},	{3661, "1h1m"},	 {86400, "1d"},
	{90000, "1d1h"}, {86459, "1d"}, {864000, "10d"},
};

static const struct {
	askcred_status status;
	int want;
} exits[] = {
	{ASKCRED_OK, 0},
	{ASKCRED_IGNORE, 66},
	{ASKCRED_NOT_FOUND, 66},
	{ASKCRED_DENIED, 67},
	{ASKCRED_INVALID, 68},
	{ASKCRED_EXPIRED, 68},
	{ASKCRED_UNAVAILABLE, 69},
	{ASKCRED_CONFIG_ERROR, 65},
	{ASKCRED_CACHE_ERROR, 70},
	{ASKCRED_NO_MEMORY, 70},
	{ASKCRED_ABI_MISMATCH, 65},
	{ASKCRED_INTERNAL, 70},
	{(askcred_status)99, 70},
};

/* Tokens format_credential must refuse, and why. */
static const struct {
	const char *ws;
	const char *token;
	size_t len; /* 0: strlen(token) */
	const char *why;
} unprintable[] = {
	{WS, "Zq9\nASKUI_X=1", 0, "newline would inject an env line"},
	{WS, "Zq9\x1b[2J", 0, "terminal escape"},
	{WS, " Zq9", 0, "leading blank would be trimmed by readers"},
	{WS, "Zq9 ", 0, "trailing blank would be trimmed by readers"},
	{WS, "", 0, "empty token"},
	{WS, "Zq9\0k", 5, "embedded NUL"},
	{"not-a-uuid", "Zq9", 0, "workspace id not a UUID4"},
};

static void make_cred(struct askcred_credential *c, const char *ws,
		      const char *token, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->struct_size = sizeof(*c);
	snprintf(c->workspace_id, sizeof(c->workspace_id), "%s", ws);
	snprintf(c->source, sizeof(c->source), "static");
	c->token = token;
	c->token_len = len;
}

static void test_shell_quoting(void)
{
	for (size_t i = 0; i < N(quotes); i++) {
		struct outbuf ob = OUTBUF_INIT;

		outbuf_add_shell_quoted(&ob, quotes[i].in,
					strlen(quotes[i].in));
		is_str(ob.buf, quotes[i].want, "shell_quote: %s",
		       quotes[i].why);
		outbuf_free(&ob);
	}
}

static void test_durations(void)
{
	for (size_t i = 0; i < N(durations); i++) {
		uint32_t got = 12345;
		int rc = parse_duration(durations[i].in, &got);

		if (durations[i].ok > 0)
			ok(rc == 0 && got == durations[i].want,
			   "parse_duration accepts %s: %s = %u (got %u)",
			   durations[i].why, durations[i].in, durations[i].want,
			   got);
		else
			ok(rc == (durations[i].ok < 0 ? -2 : -1) &&
				   got == 12345,
			   "parse_duration rejects %s (%s), leaving the "
			   "output alone",
			   durations[i].why,
			   durations[i].ok < 0 ? "too large"
					       : "not a duration");
	}
	for (size_t i = 0; i < N(shown); i++) {
		char buf[32];

		format_duration(shown[i].in, buf, sizeof(buf));
		is_str(buf, shown[i].want,
		       "format_duration shows %lld s with two units at most",
		       (long long)shown[i].in);
	}
}

static void test_exit_codes(void)
{
	for (size_t i = 0; i < N(exits); i++)
		is_int(exit_code_for(exits[i].status), exits[i].want,
		       "exit code for status %d", (int)exits[i].status);
}

static void test_env_and_shell_formats(void)
{
	static const char token[] = "a'b c$d`e\"f\\g";
	struct askcred_credential c;
	struct outbuf ob = OUTBUF_INIT;
	struct askcred_error err = ASKCRED_ERROR_INIT;

	make_cred(&c, WS, token, strlen(token));
	is_int(format_credential(&c, FORMAT_ENV, &ob, &err), ASKCRED_OK,
	       "env format accepts a token with quotes and blanks inside");
	is_str(ob.buf,
	       "ASKUI_WORKSPACE_ID=" WS "\nASKUI_TOKEN=a'b c$d`e\"f\\g\n",
	       "env format prints plain KEY=value lines");
	outbuf_free(&ob);
	is_int(format_credential(&c, FORMAT_SHELL, &ob, &err), ASKCRED_OK,
	       "shell format accepts the same token");
	is_str(ob.buf,
	       "export ASKUI_WORKSPACE_ID='" WS "'\n"
	       "export ASKUI_TOKEN='a'\\''b c$d`e\"f\\g'\n",
	       "shell format prints single-quoted export lines");
	outbuf_free(&ob);
}

static void test_json_format(void)
{
	static const char token[] = "tok/with\"quote\\and'more";
	struct askcred_credential c;
	struct outbuf ob = OUTBUF_INIT;
	struct askcred_error err = ASKCRED_ERROR_INIT;
	json_object *o = NULL, *v;

	make_cred(&c, WS, token, strlen(token));
	snprintf(c.token_id, sizeof(c.token_id),
		 "1cf30c31-ea1e-4ff5-994a-c4a0dc70882f");
	c.expires_at = 1798761600; /* 2027-01-01T00:00:00Z */
	c.flags = ASKCRED_CRED_STALE;
	is_int(format_credential(&c, FORMAT_JSON, &ob, &err), ASKCRED_OK,
	       "json format succeeds");
	ok(ob.len > 0 && ob.buf[ob.len - 1] == '\n' &&
		   memchr(ob.buf, '\n', ob.len) == ob.buf + ob.len - 1,
	   "json output is one line ending in a newline");
	o = json_tokener_parse(ob.buf);
	ok(o != NULL && json_object_is_type(o, json_type_object),
	   "json output parses as an object");
	is_str(json_object_object_get_ex(o, "token", &v)
		       ? json_object_get_string(v)
		       : NULL,
	       token, "json token round-trips through escaping");
	is_str(json_object_object_get_ex(o, "workspace_id", &v)
		       ? json_object_get_string(v)
		       : NULL,
	       WS, "json carries the workspace id");
	is_str(json_object_object_get_ex(o, "expires_at", &v)
		       ? json_object_get_string(v)
		       : NULL,
	       "2027-01-01T00:00:00Z", "json expires_at is RFC 3339 UTC");
	ok(json_object_object_get_ex(o, "issued_at", &v) && v == NULL,
	   "json issued_at is null when unknown");
	ok(json_object_object_get_ex(o, "stale", &v) &&
		   json_object_get_boolean(v) &&
		   json_object_object_get_ex(o, "from_cache", &v) &&
		   !json_object_get_boolean(v),
	   "json stale and from_cache follow the flags");
	json_object_put(o);
	outbuf_free(&ob);

	c.expires_at = 0;
	format_credential(&c, FORMAT_JSON, &ob, &err);
	o = json_tokener_parse(ob.buf);
	ok(o != NULL && json_object_object_get_ex(o, "expires_at", &v) &&
		   v == NULL,
	   "json expires_at is null for a token that never expires");
	json_object_put(o);
	outbuf_free(&ob);
}

static void test_refuses_unprintable(void)
{
	for (size_t i = 0; i < N(unprintable); i++) {
		struct askcred_credential c;
		struct askcred_error err = ASKCRED_ERROR_INIT;
		size_t len = unprintable[i].len ? unprintable[i].len
						: strlen(unprintable[i].token);

		for (int f = FORMAT_ENV; f <= FORMAT_JSON; f++) {
			struct outbuf ob = OUTBUF_INIT;

			make_cred(&c, unprintable[i].ws, unprintable[i].token,
				  len);
			is_int(format_credential(&c, (enum out_format)f, &ob,
						 &err),
			       ASKCRED_INVALID,
			       "format %d refuses a credential: %s", f,
			       unprintable[i].why);
			ok(ob.len == 0, "  and prints nothing");
			ok(strstr(err.message, "Zq9") == NULL &&
				   strstr(err.where, "Zq9") == NULL,
			   "  and its message does not quote the token");
			outbuf_free(&ob);
		}
	}
}

static void test_helpers(void)
{
	struct outbuf ob = OUTBUF_INIT;
	char buf[RFC3339_LEN], clean[16];
	enum out_format f = FORMAT_ENV;
	int intact = 1;

	/* Growth copies and wipes; the content must survive many steps. */
	for (int i = 0; i < 2000; i++)
		outbuf_add(&ob, "0123456789", 10);
	for (size_t i = 0; i < ob.len; i++)
		intact &= ob.buf[i] == (char)('0' + i % 10);
	ok(ob.len == 20000 && intact && ob.buf[ob.len] == '\0',
	   "outbuf keeps its content across growth");
	outbuf_free(&ob);
	ok(ob.buf == NULL && ob.len == 0, "outbuf_free empties the buffer");

	is_int(parse_format("json", &f), 0, "parse_format knows json");
	is_int(f, FORMAT_JSON, "parse_format sets json");
	is_int(parse_format("yaml", &f), -1, "parse_format rejects yaml");
	is_int(parse_format("ENV", &f), -1, "parse_format is case-sensitive");

	format_rfc3339(0, buf);
	is_str(buf, "1970-01-01T00:00:00Z", "format_rfc3339 of the epoch");
	format_rfc3339(1798761599, buf);
	is_str(buf, "2026-12-31T23:59:59Z", "format_rfc3339 is UTC");

	sanitize_text(clean, sizeof(clean), "a\x1b[2Jb\nc");
	is_str(clean, "a?[2Jb?c", "sanitize_text masks control characters");
	sanitize_text(clean, sizeof(clean),
		      "\xc2\x9b"
		      "2J\xc3\xb6\xc2\xa0");
	is_str(clean, "?2J\xc3\xb6\xc2\xa0",
	       "sanitize_text masks C1 controls (U+009B), not other UTF-8");
	sanitize_text(clean, sizeof(clean), "0123456789abcdefghij");
	is_str(clean, "0123456789abcde", "sanitize_text truncates to fit");
}

int main(void)
{
	test_shell_quoting();
	test_durations();
	test_exit_codes();
	test_env_and_shell_formats();
	test_json_format();
	test_refuses_unprintable();
	test_helpers();
	return tap_done();
}
