/* The HTTPS client's rules that need no server: which URLs and settings are
 * refused, how the Authorization header is built, what each HTTP status
 * means and how AskUI's error detail is reported. Table-driven. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "http.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *url;
	askcred_status want;
	const char *why;
} urls[] = {
	{"https://workspaces.askui.com/api/v1", ASKCRED_OK, "https URL"},
	{"HTTPS://127.0.0.1:8443/api/v1", ASKCRED_OK, "upper-case scheme"},
	{"http://workspaces.askui.com/api/v1", ASKCRED_CONFIG_ERROR,
	 "plain http"},
	{"HTTP://workspaces.askui.com/", ASKCRED_CONFIG_ERROR,
	 "plain http, upper case"},
	{"ftp://example.com/", ASKCRED_CONFIG_ERROR, "ftp"},
	{"file:///etc/passwd", ASKCRED_CONFIG_ERROR, "file"},
	{"workspaces.askui.com/api/v1", ASKCRED_CONFIG_ERROR, "no scheme"},
	{"", ASKCRED_CONFIG_ERROR, "empty"},
	{"https://user:pw@example.com/", ASKCRED_CONFIG_ERROR,
	 "user and password in the URL"},
	{"https://tok@example.com/", ASKCRED_CONFIG_ERROR,
	 "user name in the URL"},
	{"https://exa mple.com/", ASKCRED_CONFIG_ERROR, "white space"},
	{"https://example.com/\r\nX: y", ASKCRED_CONFIG_ERROR,
	 "header injection"},
};

static const struct {
	enum http_auth auth;
	const char *secret;
	const char *want;
} headers[] = {
	{HTTP_AUTH_BASIC, "a", "Authorization: Basic YQ=="},
	{HTTP_AUTH_BASIC, "ab", "Authorization: Basic YWI="},
	{HTTP_AUTH_BASIC, "abc", "Authorization: Basic YWJj"},
	{HTTP_AUTH_BASIC, "U4IiJRhZscdBA4VFOLCpWw",
	 "Authorization: Basic VTRJaUpSaFpzY2RCQTRWRk9MQ3BXdw=="},
	{HTTP_AUTH_BEARER, "broker-secret_1",
	 "Authorization: Bearer broker-secret_1"},
};

static const struct {
	long status;
	long want;
	askcred_status code;
	const char *msg;
} statuses[] = {
	{201, 201, ASKCRED_OK, ""},
	{200, 201, ASKCRED_UNAVAILABLE, "expected HTTP 201"},
	{401, 200, ASKCRED_INVALID, "the credential is not valid"},
	{403, 200, ASKCRED_INVALID, "the credential is not valid"},
	{404, 204, ASKCRED_NOT_FOUND, "not found"},
	{302, 200, ASKCRED_CONFIG_ERROR, "never follows redirects"},
	{400, 200, ASKCRED_CONFIG_ERROR, "request refused"},
	{422, 201, ASKCRED_CONFIG_ERROR, "request refused"},
	{408, 200, ASKCRED_UNAVAILABLE, "server unavailable"},
	{429, 200, ASKCRED_UNAVAILABLE, "server unavailable"},
	{500, 200, ASKCRED_UNAVAILABLE, "server unavailable"},
	{503, 200, ASKCRED_UNAVAILABLE, "server unavailable"},
};

static const struct {
	const char *body;
	const char *want;
	const char *why;
} details[] = {
	{"{\"detail\":\"Access token not found\"}", "Access token not found",
	 "string detail"},
	{"{\"detail\":[{\"msg\":\"Workspace membership not found\"}]}",
	 "Workspace membership not found", "list detail without loc"},
	{"{\"detail\":[{\"loc\":[\"body\",\"name\"],\"msg\":\"too long\","
	 "\"type\":\"x\"},{\"loc\":[\"body\",\"expiresAt\"],\"msg\":\"bad\"}]}",
	 "body.name: too long; body.expiresAt: bad", "validation errors"},
	{"{\"detail\":[{\"loc\":[\"body\",\"accessToken\"],\"msg\":\"bad\","
	 "\"input\":\"SECRET-TOKEN-123\"}]}",
	 "body.accessToken: bad", "validation input never used"},
	{"{\"detail\":\"your token SECRET-TOKEN-123 is bad\"}",
	 "(withheld: it quotes the credential)",
	 "detail quoting the token withheld"},
	{"{\"detail\":\"bad header Basic U0VDUkVULVRPS0VOLTEyMw==\"}",
	 "(withheld: it quotes the credential)",
	 "detail echoing the Authorization header withheld"},
	{"{\"detail\":\"line\\nbreak\\u0007\"}", "line?break?",
	 "control characters replaced"},
	{"<html>502 Bad Gateway</html>", "", "not JSON: no detail"},
	{"{\"message\":\"other shape\"}", "", "no detail member"},
	{"", "", "empty body"},
};

static void check_urls(void)
{
	for (size_t i = 0; i < N(urls); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;

		is_int(http_check_url(urls[i].url, "base_url", &err),
		       urls[i].want, "url check %s: %s",
		       urls[i].want == ASKCRED_OK ? "accepts" : "refuses",
		       urls[i].why);
		if (urls[i].want != ASKCRED_OK)
			ok(strstr(err.message, "@") == NULL &&
				   strstr(err.message, "pw") == NULL,
			   "url check message does not quote the URL: %s",
			   urls[i].why);
	}
}

static void check_client_settings(void)
{
	static const struct {
		const char *base, *ca, *proxy;
		uint32_t attempts, timeout_ms;
		const char *where;
	} bad[] = {
		{"http://127.0.0.1:1/api/v1", NULL, NULL, 0, 0, "base_url"},
		{"https://127.0.0.1:1/api/v1", "/nonexistent/ca.pem", NULL, 0,
		 0, "/nonexistent/ca.pem"},
		{"https://127.0.0.1:1/api/v1", NULL, NULL, 11, 0,
		 "max_attempts"},
		{"https://127.0.0.1:1/api/v1", NULL, NULL, 0, 3600000,
		 "timeout"},
		{"https://127.0.0.1:1/api/v1", NULL,
		 "http://proxy:3128\r\nX:", 0, 0, "proxy"},
	};
	struct net_config cfg = {sizeof(cfg)};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct net_client *c = NULL;

	for (size_t i = 0; i < N(bad); i++) {
		cfg.base_url = bad[i].base;
		cfg.ca_file = bad[i].ca;
		cfg.proxy = bad[i].proxy;
		cfg.max_attempts = bad[i].attempts;
		cfg.timeout_ms = bad[i].timeout_ms;
		c = NULL;
		is_int(http_client_new(&cfg, &c, &err), ASKCRED_CONFIG_ERROR,
		       "client refuses a bad setting at configuration: %s",
		       bad[i].where);
		is_str(err.where, bad[i].where, "the error names %s",
		       bad[i].where);
		ok(c == NULL, "no client is made from a bad setting");
	}
	cfg = (struct net_config){sizeof(cfg)};
	is_int(http_client_new(&cfg, &c, &err), ASKCRED_OK,
	       "client with all defaults is made");
	is_str(http_base_url(c), NET_DEFAULT_BASE_URL,
	       "default base URL is AskUI's Workspaces API");
	http_client_free(c);
	cfg.base_url = "https://127.0.0.1:8443/api/v1///";
	is_int(http_client_new(&cfg, &c, &err), ASKCRED_OK,
	       "client with trailing slashes is made");
	is_str(http_base_url(c), "https://127.0.0.1:8443/api/v1",
	       "trailing slashes are dropped from the base URL");
	http_client_free(c);
	setenv("SSLKEYLOGFILE", "/tmp/keys.log", 1);
	c = NULL;
	is_int(http_client_new(&cfg, &c, &err), ASKCRED_CONFIG_ERROR,
	       "client refuses to run with SSLKEYLOGFILE set");
	is_str(err.where, "SSLKEYLOGFILE", "the error names SSLKEYLOGFILE");
	unsetenv("SSLKEYLOGFILE");
	cfg.struct_size = 8;
	is_int(http_client_new(&cfg, &c, &err), ASKCRED_INTERNAL,
	       "client refuses settings from a smaller struct");
}

static void check_auth_headers(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct secret s = SECRET_INIT;
	char *h = NULL;
	size_t len = 0;

	for (size_t i = 0; i < N(headers); i++) {
		secret_set(&s, headers[i].secret, strlen(headers[i].secret));
		is_int(http_auth_header(headers[i].auth, &s, &h, &len, &err),
		       ASKCRED_OK, "auth header %zu is built", i);
		is_str(h, headers[i].want,
		       "auth header %zu is %s of the raw token", i,
		       headers[i].auth == HTTP_AUTH_BASIC ? "Basic base64"
							  : "Bearer");
		is_int((long long)len, (long long)strlen(headers[i].want),
		       "auth header %zu length is reported", i);
		free_wiped(h, len + 1);
	}
	secret_clear(&s);
	is_int(http_auth_header(HTTP_AUTH_BASIC, &s, &h, &len, &err),
	       ASKCRED_INTERNAL, "auth header refuses an empty credential");
	secret_set(&s, "ab\r\nX-Injected: 1", 18);
	is_int(http_auth_header(HTTP_AUTH_BEARER, &s, &h, &len, &err),
	       ASKCRED_INVALID,
	       "auth header refuses a credential with a line break");
	ok(h == NULL, "no header is returned for a refused credential");
	secret_clear(&s);
}

static void check_statuses(void)
{
	for (size_t i = 0; i < N(statuses); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct http_response r = {.status = statuses[i].status,
					  .attempts = 3};
		char where[32];

		snprintf(r.detail, sizeof(r.detail), "some detail");
		snprintf(where, sizeof(where), "HTTP %ld", statuses[i].status);
		is_int(http_check_status(&r, statuses[i].want, "calling", &err),
		       statuses[i].code, "HTTP %ld (wanted %ld) is %s",
		       statuses[i].status, statuses[i].want,
		       status_name(statuses[i].code));
		if (statuses[i].code == ASKCRED_OK)
			continue;
		is_str(err.where, where, "HTTP %ld: where names the status",
		       statuses[i].status);
		has_str(err.message, statuses[i].msg,
			"HTTP %ld: message says why", statuses[i].status);
		if (statuses[i].status != 302 && statuses[i].status != 200)
			has_str(err.message, "some detail",
				"HTTP %ld: message carries the detail",
				statuses[i].status);
	}
}

static void check_details(void)
{
	struct secret tok = SECRET_INIT;
	const struct secret *secrets[] = {NULL, &tok};
	char out[HTTP_DETAIL_MAX];

	secret_set(&tok, "SECRET-TOKEN-123", 16);
	for (size_t i = 0; i < N(details); i++) {
		http_error_detail(details[i].body, strlen(details[i].body),
				  secrets, N(secrets), out);
		is_str(out, details[i].want, "error detail: %s",
		       details[i].why);
		ok(strstr(out, "SECRET-TOKEN-123") == NULL,
		   "error detail never quotes the token: %s", details[i].why);
	}
	snprintf(out, sizeof(out),
		 "https://evil.example/?t=U0VDUkVULVRPS0VOLTEyMw==");
	ok(http_withhold(out, sizeof(out), secrets, N(secrets)),
	   "a redirect Location quoting the token is withheld");
	is_str(out, "(withheld: it quotes the credential)",
	       "and replaced by a notice");
	snprintf(out, sizeof(out), "https://workspaces.askui.com/api/v1");
	ok(!http_withhold(out, sizeof(out), secrets, N(secrets)),
	   "a Location without the token is kept");
	secret_clear(&tok);
}

int main(void)
{
	check_urls();
	check_client_settings();
	check_auth_headers();
	check_statuses();
	check_details();
	return tap_done();
}
