/* The built module, loaded the way a host loads it: dlopen(RTLD_NOW |
 * RTLD_LOCAL), dlsym of the one entry point, then only the ops table. */
#include "config.h"

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <askcred/provider.h>

#include "fixture.h"
#include "tap.h"

#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define TOKEN "Qk9HVVMtdGVzdC10b2tlbg"
#define THREADS 8
#define PER_THREAD 50000

static const struct askcred_provider *ops;
static const struct askcred_host host = {
	sizeof(host), ASKCRED_ABI_VERSION, fixture_log, NULL,
	"test",	      "test-stack",	   NULL};

static void *load_module(void)
{
	void *dl = NULL;

	(void)fixture_provider(&dl);
	return dl;
}

static void entry_point(void *dl)
{
	askcred_provider_entry_fn entry;
	void *sym = dlsym(dl, ASKCRED_PROVIDER_ENTRY_SYMBOL);

	ok(sym != NULL, "entry: the module exports %s",
	   ASKCRED_PROVIDER_ENTRY_SYMBOL);
	if (sym == NULL)
		tap_bail("no entry point");
	memcpy(&entry, &sym, sizeof(entry));
	ok(entry((ASKCRED_ABI_MAJOR + 1) << 16) == NULL,
	   "entry: a host of another major gets NULL");
	ok(entry(0) == NULL, "entry: a host of major 0 gets NULL");
	ok(entry(ASKCRED_ABI_VERSION + 1) != NULL,
	   "entry: a newer minor of our major is served");
	ops = entry(ASKCRED_ABI_VERSION);
	ok(ops != NULL && ops == entry(ASKCRED_ABI_VERSION),
	   "entry: returns one static table every time");
	if (ops == NULL)
		tap_bail("no ops table");
	is_int(ops->struct_size, sizeof(struct askcred_provider),
	       "entry: table declares its size");
	is_int(ASKCRED_ABI_MAJOR_OF(ops->abi_version), ASKCRED_ABI_MAJOR,
	       "entry: table declares our major");
	is_str(ops->name, "askui", "entry: provider name");
	ok(ops->open && ops->close && ops->fetch && ops->validate &&
		   ops->refresh && ops->invalidate && ops->revoke &&
		   ops->release && ops->status,
	   "entry: every operation is implemented");
	ok(dlsym(dl, "instance_open") == NULL && dlsym(dl, "plog") == NULL &&
		   dlsym(dl, "err_set") == NULL,
	   "entry: internal symbols are not visible");
}

static void *open_instance(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char path[PATH_MAX], arg[PATH_MAX + 16];
	const char *argv[] = {arg, "entry=ci"};
	void *h = NULL;

	snprintf(arg, sizeof(arg), "credentials=%s",
		 fixture_write(path, "creds.json",
			       "{\"workspace_id\": \"" WS
			       "\", \"token\": \"" TOKEN
			       "\", \"expires_at\": null}",
			       0600));
	if (ops->open(&host, 2, argv, &h, &err) != ASKCRED_OK)
		tap_bail("open: %s", err.message);
	return h;
}

static void round_trip(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 60, 0};
	struct askcred_credential *a = NULL, *b = NULL, *c = NULL;
	const char *bad[] = {"frobnicate=1"};
	void *h = NULL;

	is_int(ops->open(&host, 1, bad, &h, &err), ASKCRED_CONFIG_ERROR,
	       "open: an unknown argument fails through the module");
	is_str(err.where, "frobnicate", "open: error names the argument");

	h = open_instance();
	fixture_log_reset();
	is_int(ops->fetch(h, &req, &a, &err), ASKCRED_OK, "fetch: succeeds");
	ok(a != NULL && a->struct_size == sizeof(*a) &&
		   strcmp(a->workspace_id, WS) == 0 &&
		   a->token_len == strlen(TOKEN) &&
		   strcmp(a->token, TOKEN) == 0 && a->host_private == NULL,
	   "fetch: the credential from the file");
	is_int(ops->fetch(h, &req, &b, &err), ASKCRED_OK,
	       "fetch: second succeeds");
	is_int(ops->fetch(h, &req, &c, &err), ASKCRED_OK,
	       "fetch: third succeeds");
	ok(b == c && (b->flags & ASKCRED_CRED_FROM_CACHE),
	   "fetch: memory cache hands out one shared object");
	is_int(ops->validate(h, b, &err), ASKCRED_OK, "validate: succeeds");
	ops->release(h, a);
	ops->release(h, b);
	ops->release(h, c);
	ops->release(h, NULL);
	ok(strstr(fixture_logged(), TOKEN) == NULL,
	   "log: never holds the token");
	has_str(fixture_logged(), "static credential for workspace " WS,
		"log: a fetch from the source is logged");
	fixture_log_reset();
	ops->close(h);
	ok(strstr(fixture_logged(), "not released") == NULL,
	   "close: every reference was given back by release");
}

struct worker {
	void *h;
	pthread_barrier_t *start;
	atomic_int *bad, *from_source;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 0, 0};

	pthread_barrier_wait(w->start);
	for (int i = 0; i < PER_THREAD; i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct askcred_credential *c = NULL;

		if (ops->fetch(w->h, &req, &c, &err) != ASKCRED_OK ||
		    c == NULL || c->token_len != strlen(TOKEN) ||
		    memcmp(c->token, TOKEN, c->token_len) != 0) {
			atomic_fetch_add(w->bad, 1);
		} else if ((c->flags & ASKCRED_CRED_FROM_CACHE) == 0) {
			atomic_fetch_add(w->from_source, 1);
		}
		ops->release(w->h, c);
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void concurrent_fetch(void)
{
	pthread_t tids[THREADS];
	struct worker w[THREADS];
	pthread_barrier_t start;
	atomic_int bad = 0, from_source = 0;
	void *h = open_instance();
	double t0;

	pthread_barrier_init(&start, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){h, &start, &bad, &from_source};
		if (pthread_create(&tids[i], NULL, worker_run, &w[i]) != 0)
			tap_bail("pthread_create failed");
	}
	t0 = now_s();
	for (int i = 0; i < THREADS; i++)
		pthread_join(tids[i], NULL);
	tap_diag("%d threads: %.0f fetch+release per second in all", THREADS,
		 THREADS * (double)PER_THREAD / (now_s() - t0));
	pthread_barrier_destroy(&start);
	is_int(atomic_load(&bad), 0,
	       "threads: %d x %d concurrent fetches all correct", THREADS,
	       PER_THREAD);
	is_int(atomic_load(&from_source), 1,
	       "threads: a cold start reads the source once, not per thread");
	fixture_log_reset();
	ops->close(h);
	ok(strstr(fixture_logged(), "not released") == NULL,
	   "threads: every reference was released");
}

static void warm_hit_rate(void)
{
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *c = NULL;
	const int n = 1000000;
	int failures = 0;
	void *h = open_instance();
	double t0;

	ops->fetch(h, &req, &c, &err); /* warm the cache */
	ops->release(h, c);
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		failures += ops->fetch(h, &req, &c, &err) != ASKCRED_OK;
		ops->release(h, c);
	}
	tap_diag("one thread: %.0f warm fetch+release per second (%.0f ns "
		 "each)",
		 n / (now_s() - t0), (now_s() - t0) * 1e9 / n);
	is_int(failures, 0, "warm: a million warm fetches all succeed");
	ops->close(h);
}

int main(void)
{
	void *dl = load_module();

	entry_point(dl);
	round_trip();
	concurrent_fetch();
	warm_hit_rate();
	dlclose(dl);
	fixture_cleanup();
	return tap_done();
}
