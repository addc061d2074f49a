/* The AskUI token calls against the emulator: each endpoint's happy path,
 * what the server says after a deletion or to a token without rights, the
 * broker, the conditional GET, connection reuse and fork safety. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "askui_api.h"
#include "broker.h"
#include "credcheck.h"
#include "document.h"
#include "emutest.h"
#include "error.h"
#include "http.h"
#include "tap.h"

#define OTHER_WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"

static struct net_client *client;
static struct secret parent = SECRET_INIT;
static const char *ws;

static int in_list(const char *id, struct net_token_info *out)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct net_token_info *l = NULL;
	size_t n = 0;
	int found = 0;

	if (api_token_list(client, ws, &parent, &l, &n, &err) != ASKCRED_OK)
		tap_bail("list: %s", err.message);
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].id, id) == 0) {
			found = 1;
			if (out != NULL)
				*out = l[i];
		}
	api_token_list_free(l);
	return found;
}

static void lifecycle(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r, r2;
	struct net_token_info info;
	char id[ASKCRED_UUID_LEN + 1];
	int64_t want_exp = (int64_t)time(NULL) + 3600;

	memset(&r, 0, sizeof(r));
	memset(&r2, 0, sizeof(r2));
	is_int(api_token_create(client, ws, &parent, "askcred-test-ci",
				want_exp, &r, &err),
	       ASKCRED_OK, "create mints a token: %s", err.message);
	is_str(r.workspace_id, ws, "the minted record names the workspace");
	ok(is_uuid4(r.token_id), "the minted token has a UUID4 id");
	is_int((long long)r.token.len, 22,
	       "the token string is 22 characters, as AskUI's are");
	is_int(r.expires_at, want_exp, "expiresAt is what was asked");
	ok(r.issued_at > 0 && r.issued_at <= (int64_t)time(NULL) + 1,
	   "createdAt is now");
	is_str(r.source, "mint", "the record's source is mint");

	ok(in_list(r.token_id, &info), "list shows the new token");
	is_str(info.name, "askcred-test-ci", "list gives its name");
	is_int(info.expires_at, want_exp, "list gives its expiry");

	is_int(api_token_lookup(client, ws, &parent, &r.token, id, &err),
	       ASKCRED_OK, "lookup with the parent credential finds it");
	is_str(id, r.token_id, "lookup yields the token's id");
	is_int(api_token_lookup(client, ws, &r.token, &r.token, id, &err),
	       ASKCRED_OK, "the token can look itself up");

	is_int(api_token_create(client, ws, &r.token, "child", 0, &r2, &err),
	       ASKCRED_INVALID,
	       "a minted token may not mint: the credential is not valid");
	is_str(err.where, "HTTP 403", "the refusal is HTTP 403");

	is_int(api_token_delete(client, ws, &parent, r.token_id, &err),
	       ASKCRED_OK, "delete removes the token");
	ok(!in_list(r.token_id, NULL), "list no longer shows it");
	is_int(api_token_lookup(client, ws, &r.token, &r.token, id, &err),
	       ASKCRED_INVALID, "a deleted token is refused at once");
	is_str(err.where, "HTTP 401", "the refusal after deletion is 401");
	is_int(api_token_lookup(client, ws, &parent, &r.token, id, &err),
	       ASKCRED_NOT_FOUND, "lookup of a deleted token: not found");
	has_str(err.message, "Access token not found",
		"the message carries AskUI's detail");
	is_int(api_token_delete(client, ws, &parent, r.token_id, &err),
	       ASKCRED_NOT_FOUND, "deleting it again: not found");
	is_str(err.where, "HTTP 404", "a second delete is HTTP 404");
	secret_clear(&r.token);
	secret_clear(&r2.token);
}

static void no_expiry_and_refusals(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct secret stranger = SECRET_INIT;
	struct token_record r;
	char id[ASKCRED_UUID_LEN + 1];
	long before;

	memset(&r, 0, sizeof(r));
	is_int(api_token_create(client, ws, &parent, "never", 0, &r, &err),
	       ASKCRED_OK, "create without expiry");
	is_int(r.expires_at, 0, "a token without expiry has expires_at 0");
	is_int(api_token_delete(client, ws, &parent, r.token_id, &err),
	       ASKCRED_OK, "and it can be deleted");
	secret_clear(&r.token);

	is_int(api_token_create(client, ws, &parent, "late",
				(int64_t)time(NULL) - 60, &r, &err),
	       ASKCRED_CONFIG_ERROR, "an expiry in the past is refused");
	is_str(err.where, "HTTP 422", "by the server, with HTTP 422");
	has_str(err.message, "body.expiresAt", "naming the field");

	before = emu_count("create");
	is_int(api_token_create(client, ws, &parent,
				"this-name-is-far-too-long-xxxxxxxxxxxxxxxxxxxx"
				"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
				0, &r, &err),
	       ASKCRED_CONFIG_ERROR, "a 129-character name is refused");
	is_int(emu_count("create"), before, "without asking the server");

	is_int(api_token_create(client, OTHER_WS, &parent, "x", 0, &r, &err),
	       ASKCRED_NOT_FOUND, "another workspace: not found");
	has_str(err.message, "Workspace membership not found",
		"with AskUI's message");

	secret_set(&stranger, "NotAToken0000000000000", 22);
	is_int(api_token_lookup(client, ws, &stranger, &stranger, id, &err),
	       ASKCRED_INVALID, "an unknown credential is not valid");
	is_str(err.where, "HTTP 401", "an unknown credential gets 401");
	ok(strstr(err.message, "NotAToken") == NULL,
	   "the error does not quote the credential");
	secret_clear(&stranger);

	is_int(api_token_delete(client, ws, &parent, "not-a-uuid", &err),
	       ASKCRED_INVALID, "delete refuses an id that is not a UUID4");
	is_int(api_token_create(client, "not-a-ws", &parent, "x", 0, &r, &err),
	       ASKCRED_INVALID, "create refuses a workspace id not a UUID4");
}

static void broker(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char url[256], loose[512];
	struct net_broker b = {sizeof(b)};
	struct token_record r;
	FILE *f;

	snprintf(url, sizeof(url), "https://127.0.0.1:%s/broker/credential",
		 emu_env("ASKCRED_TEST_PORT"));
	b.url = url;
	b.bearer_file = emu_env("ASKCRED_TEST_BROKER_TOKEN_FILE");
	memset(&r, 0, sizeof(r));
	is_int(broker_fetch(client, &b, &r, &err), ASKCRED_OK,
	       "broker with a bearer token answers: %s", err.message);
	is_str(r.workspace_id, ws, "the broker names the workspace");
	ok(is_uuid4(r.token_id), "the broker gives the token id");
	ok(r.expires_at > (int64_t)time(NULL), "and a future expiry");
	is_str(r.source, "broker", "the record's source is broker");
	secret_clear(&r.token);

	b.bearer_file = NULL;
	b.client_cert = emu_env("ASKCRED_TEST_CLIENT_CERT");
	b.client_key = emu_env("ASKCRED_TEST_CLIENT_KEY");
	is_int(broker_fetch(client, &b, &r, &err), ASKCRED_OK,
	       "broker with a TLS client certificate answers: %s", err.message);
	secret_clear(&r.token);

	b.client_cert = b.client_key = NULL;
	snprintf(loose, sizeof(loose), "%s/loose.token",
		 emu_env("ASKCRED_TEST_DIR"));
	f = fopen(loose, "w");
	fputs("some-bearer-token\n", f);
	fclose(f);
	chmod(loose, 0644);
	b.bearer_file = loose;
	is_int(broker_fetch(client, &b, &r, &err), ASKCRED_CONFIG_ERROR,
	       "a bearer file readable by others is refused");
	is_str(err.where, loose, "naming the file");
	chmod(loose, 0600);
	is_int(broker_fetch(client, &b, &r, &err), ASKCRED_INVALID,
	       "a wrong bearer token: the credential is not valid");
	is_str(err.where, "HTTP 401", "the broker says 401");
	b.bearer_file = NULL;
	is_int(broker_fetch(client, &b, &r, &err), ASKCRED_CONFIG_ERROR,
	       "a broker without any client credential is refused");
}

static void document(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct net_doc d, d2;
	char url[256], etag[NET_ETAG_MAX];

	snprintf(url, sizeof(url), "https://127.0.0.1:%s/doc/policy",
		 emu_env("ASKCRED_TEST_PORT"));
	is_int(doc_get(client, url, NULL, &d, &err), ASKCRED_OK,
	       "a document is fetched");
	is_int(d.status, 200, "first fetch: 200");
	ok(d.etag[0] == '"', "with its ETag");
	has_str(d.body, "\"rules\"", "and its body");
	snprintf(etag, sizeof(etag), "%s", d.etag);
	doc_free(&d);
	is_int(doc_get(client, url, etag, &d2, &err), ASKCRED_OK,
	       "a conditional fetch succeeds");
	is_int(d2.status, 304, "an unchanged document is 304");
	ok(d2.body == NULL, "without a body");
	is_str(d2.etag, etag, "keeping the ETag");
	doc_free(&d2);
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/doc/policy",
		 emu_env("ASKCRED_TEST_PORT"));
	is_int(doc_get(client, url, NULL, &d, &err), ASKCRED_CONFIG_ERROR,
	       "a document URL with http:// is refused");
}

static void reuse_and_fork(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct net_token_info *l = NULL;
	size_t n = 0;
	long c0, c1, c2;
	pid_t pid;
	int status = -1;

	c0 = emu_count("connections");
	for (int i = 0; i < 5; i++) {
		api_token_list(client, ws, &parent, &l, &n, &err);
		api_token_list_free(l);
	}
	c1 = emu_count("connections");
	/* Each control call opens one connection of its own. */
	ok(c1 - c0 - 1 <= 1,
	   "five calls on one client use one connection "
	   "(%ld new)",
	   c1 - c0 - 1);
	pid = fork();
	if (pid == 0) {
		askcred_status rc =
			api_token_list(client, ws, &parent, &l, &n, &err);

		api_token_list_free(l);
		/* Freeing must leave the parent's connection alone. */
		http_client_free(client);
		_exit(rc == ASKCRED_OK ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a forked child can call the API through the parent's client");
	c2 = emu_count("connections");
	is_int(c2 - c1 - 1, 1, "the child opened its own connection");
	is_int(api_token_list(client, ws, &parent, &l, &n, &err), ASKCRED_OK,
	       "the parent's client still works after the fork");
	api_token_list_free(l);
	is_int(emu_count("connections") - c2 - 1, 0,
	       "on its own, still open connection");
}

static void *list_many(void *arg)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct net_token_info *l = NULL;
	size_t n = 0;
	int *failures = arg;

	for (int i = 0; i < 5; i++) {
		if (api_token_list(client, ws, &parent, &l, &n, &err) !=
		    ASKCRED_OK)
			(*failures)++;
		api_token_list_free(l);
	}
	return NULL;
}

static void threads(void)
{
	pthread_t th[4];
	int failures[4] = {0};

	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, list_many, &failures[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++)
		is_int(failures[i], 0,
		       "thread %d: five calls on the shared client succeed", i);
}

int main(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct net_config cfg;

	emu_config(&cfg);
	ws = emu_env("ASKCRED_TEST_WS");
	emu_parent(&parent);
	if (http_client_new(&cfg, &client, &err) != ASKCRED_OK)
		tap_bail("client: %s", err.message);
	lifecycle();
	no_expiry_and_refusals();
	broker();
	document();
	reuse_and_fork();
	threads();
	http_client_free(client);
	secret_clear(&parent);
	return tap_done();
}
