/* The broker source through the built provider module (dlopen'd as a host
 * does, so that it finds its network module next to it), against the
 * AskUI emulator's GET /broker/credential. Run by test_broker.sh, which
 * starts the emulator and checks every log for the tokens it issued. */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <askcred/provider.h>

#include "emutest.h"
#include "fixture.h"
#include "tap.h"

#define OTHER_WS "0b7c2f5e-3d1a-4c8e-9f00-112233445566"

static const struct askcred_provider *ops;
static const struct askcred_host host = {
	sizeof(host), ASKCRED_ABI_VERSION, fixture_log, NULL,
	"test",	      "test-stack",	   NULL};

static void load_module(void)
{
	ops = fixture_provider(NULL);
}

/* An instance with source=broker against the emulator; auth is one or two
 * more arguments ("broker_token_file=..."), or NULL for none. */
static void *open_broker(const char *auth1, const char *auth2, int with_url,
			 int online)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char url[256], ca[PATH_MAX + 16], api[300];
	const char *argv[10];
	void *h = NULL;
	int argc = 0;

	snprintf(url, sizeof(url),
		 "broker_url=https://127.0.0.1:%s/broker/credential",
		 emu_env("ASKCRED_TEST_PORT"));
	snprintf(ca, sizeof(ca), "ca_file=%s", emu_env("ASKCRED_TEST_CA"));
	snprintf(api, sizeof(api), "api_url=%s", emu_env("ASKCRED_TEST_URL"));
	argv[argc++] = "source=broker";
	argv[argc++] = "cache=off";
	argv[argc++] = "proxy=none";
	argv[argc++] = "timeout=8s";
	argv[argc++] = ca;
	argv[argc++] = api;
	if (with_url)
		argv[argc++] = url;
	if (online)
		argv[argc++] = "online_validate=on";
	if (auth1 != NULL)
		argv[argc++] = auth1;
	if (auth2 != NULL)
		argv[argc++] = auth2;
	if (ops->open(&host, argc, argv, &h, &err) != ASKCRED_OK)
		tap_bail("open: %s: %s", err.where, err.message);
	return h;
}

static const char *bearer_arg(void)
{
	static char arg[PATH_MAX + 32];

	snprintf(arg, sizeof(arg), "broker_token_file=%s",
		 emu_env("ASKCRED_TEST_BROKER_TOKEN_FILE"));
	return arg;
}

static void broker_bearer_token_is_served(void)
{
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 60, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	void *h = open_broker(bearer_arg(), NULL, 1, 1);
	int64_t now = (int64_t)time(NULL);

	emu_reset();
	is_int(ops->fetch(h, &req, &cred, &err), ASKCRED_OK,
	       "broker_bearer_token_is_served");
	if (cred == NULL)
		tap_diag("%s: %s", err.where, err.message);
	ok(cred != NULL &&
		   strcmp(cred->workspace_id, emu_env("ASKCRED_TEST_WS")) ==
			   0 &&
		   strcmp(cred->source, "broker") == 0 &&
		   cred->token_id[0] != '\0' && cred->token_len > 0 &&
		   cred->expires_at > now + 3500 &&
		   cred->expires_at < now + 3700,
	   "broker_answer_gives_workspace_id_token_and_expiry");
	is_int(emu_count("broker"), 1, "broker_asked_once");
	is_int(ops->validate(h, cred, &err), ASKCRED_OK,
	       "broker_token_validates_online");
	is_int(ops->revoke(h, cred, &err), ASKCRED_IGNORE,
	       "broker_token_is_not_revoked_by_askcred");
	has_str(err.message, "broker", "broker_revoke_says_the_broker_owns_it");
	ops->release(h, cred);
	ops->close(h);
}

static void broker_client_certificate_is_accepted(void)
{
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 60, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	char cert[PATH_MAX + 16], key[PATH_MAX + 16];
	void *h;

	snprintf(cert, sizeof(cert), "broker_cert=%s",
		 emu_env("ASKCRED_TEST_CLIENT_CERT"));
	snprintf(key, sizeof(key), "broker_key=%s",
		 emu_env("ASKCRED_TEST_CLIENT_KEY"));
	h = open_broker(cert, key, 1, 0);
	is_int(ops->fetch(h, &req, &cred, &err), ASKCRED_OK,
	       "broker_client_certificate_is_accepted");
	if (cred == NULL)
		tap_diag("%s: %s", err.where, err.message);
	ops->release(h, cred);
	ops->close(h);
}

/* One failing fetch: status and the substring its message must hold. */
static void fetch_fails(void *h, const char *workspace, askcred_status want,
			const char *where, const char *message,
			const char *name)
{
	struct askcred_request req = {sizeof(req), 0, workspace, NULL, 60, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;

	is_int(ops->fetch(h, &req, &cred, &err), want, "%s", name);
	ok(cred == NULL, "%s: no credential", name);
	has_str(err.where, where, "%s: where names %s", name, where);
	has_str(err.message, message, "%s: message says why", name);
	ops->release(h, cred);
}

static void broker_refused_bearer_is_invalid(void)
{
	char path[PATH_MAX], arg[PATH_MAX + 32];
	void *h;

	fixture_write(path, "wrong.token", "not-the-broker-token\n", 0600);
	snprintf(arg, sizeof(arg), "broker_token_file=%s", path);
	h = open_broker(arg, NULL, 1, 0);
	emu_reset();
	fetch_fails(h, NULL, ASKCRED_INVALID, "", "not valid",
		    "broker_401_is_invalid_credential");
	is_int(emu_count("broker"), 1, "broker_401_is_not_retried");
	ops->close(h);
}

static void broker_503_is_retried(void)
{
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 60, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	void *h = open_broker(bearer_arg(), NULL, 1, 0);

	emu_reset();
	emu_fault("{\"mode\":\"status\",\"status\":503,\"count\":2}");
	is_int(ops->fetch(h, &req, &cred, &err), ASKCRED_OK,
	       "broker_503_twice_then_served");
	is_int(emu_count("broker"), 3, "broker_503_was_retried_twice");
	ops->release(h, cred);
	ops->close(h);

	/* A new instance: the last one would answer from memory. */
	h = open_broker(bearer_arg(), NULL, 1, 0);
	emu_reset();
	emu_fault("{\"mode\":\"status\",\"status\":503}");
	fetch_fails(h, NULL, ASKCRED_UNAVAILABLE, "", "unavailable after",
		    "broker_503_always_is_unavailable");
	ok(emu_count("broker") > 1, "broker_503_always_was_retried (%ld)",
	   emu_count("broker"));
	emu_reset();
	ops->close(h);
}

static void broker_configuration_and_workspace(void)
{
	void *h = open_broker(bearer_arg(), NULL, 0, 0);

	emu_reset();
	fetch_fails(h, NULL, ASKCRED_CONFIG_ERROR, "broker_url", "broker_url",
		    "broker_without_url_is_config_error");
	is_int(emu_count("broker"), 0, "broker_without_url_asks_nobody");
	ops->close(h);

	h = open_broker(bearer_arg(), NULL, 1, 0);
	fetch_fails(h, OTHER_WS, ASKCRED_NOT_FOUND, "broker_url", OTHER_WS,
		    "broker_other_workspace_is_not_found");
	ops->close(h);
}

int main(void)
{
	load_module();
	broker_bearer_token_is_served();
	broker_client_certificate_is_accepted();
	broker_refused_bearer_is_invalid();
	broker_503_is_retried();
	broker_configuration_and_workspace();
	/* The module's own log went through fixture_log: print it, so the
	 * wrapper's leak check reads it too. */
	printf("# module log:\n");
	for (const char *p = fixture_logged(); *p != '\0';) {
		size_t n = strcspn(p, "\n");

		printf("# %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	fixture_cleanup();
	return tap_done();
}
