/*
 * Allocation failure, curl "torture" style, through the real module as a
 * host loads it (dlopen of plugin/.libs/askcred_askui.so). For each path,
 * and for k = 1, 2, ... until a run makes fewer than k allocations, a
 * forked child arms failmalloc.so with k, opens an instance, fetches,
 * releases and closes; the parent checks that the child
 *   - was not killed by a signal (no crash, no abort, no hang),
 *   - returned a status of the closed set, and which one,
 *   - left no allocation made after arming still live after close.
 * Paths:
 *   warm  a fetch served from a warm encrypted disk cache (a new instance,
 *         so the memory cache is empty);
 *   mint  a fetch on an empty cache entry: mint through the AskUI
 *         emulator (TLS, HTTP, JSON), seal and write the cache.
 * The parent runs each path twice unarmed first, so that what libraries
 * set up once per process (OpenSSL's tables, curl_global_init, the
 * network module) is there before any child starts counting.
 *
 * Run by test_alloc.sh with the emulator up and LD_PRELOAD=failmalloc.so.
 * FAULTS_ALLOC_STRIDE=n: between the first 200 and the last 400
 * allocations, only every n-th k (1: all; see next_k()).
 * FAULTS_ALLOC_ONE=warm:k or mint:k: that one run, in this process (for
 * a debugger), after the unarmed warm-up.
 * FAULTS_ALLOC_RANGE=warm:a-b or mint:a-b: only that path, every k from a
 * to b, each in a forked child judged as in a full sweep (to go back to a
 * finding of a strided or torture run, or to repeat a stretch of it).
 * FAILMALLOC_ONLY (see failmalloc.c) narrows what k counts.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include <askcred/provider.h>

#include "failmalloc.h"
#include "leakcheck.h"
#include "tap.h"

#define MAX_LEAKS 256
#define CHILD_SECONDS 60
#define ALL_FIRST 200
#define TAIL 400
#define SHOWN 4

struct outcome {
	int status; /* askcred_status of open, else of fetch */
	char where[64];
	char message[160];
	struct failmalloc_result fm;
	int no_expiry;	 /* OK, but the credential never expires */
	int from_source; /* OK, but not from the cache: a new token */
	unsigned long owned[OWN_N]; /* live allocations by owner */
	char example[OWN_N][400];   /* one of each, symbolised */
	int errors_queued;	    /* left in OpenSSL's error queue */
	enum owner failed_in;	    /* whose allocation was made to fail */
	char failed_at[400];
};

struct path {
	const char *name;
	const char *entry;
	int empty_first; /* remove the entry's files before each run */
	/* what the sweep found */
	unsigned long runs, clean_allocs, bad_status, no_expiry, errq;
	/* a status other than OK and NO_MEMORY, by whose allocation failed:
	 * ours (or a library's not listed below), json-c's, OpenSSL's */
	unsigned long other, other_jsonc, other_ssl;
	unsigned long from_source; /* OK runs that asked the source */
	unsigned long crash_key, crash_other;
	unsigned long leaky[OWN_N], shown[OWN_N];
	/* runs leaving json-c objects live although no json-c allocation
	 * failed: an object our code never put */
	unsigned long jsonc_ours;
	unsigned long by_status[ASKCRED_INTERNAL + 1];
	int clean_ok;
	int ranged; /* FAULTS_ALLOC_RANGE: every run had a k to fail */
	/* distinct (status, message) of the failing runs, for the report */
	struct {
		int status;
		char message[96];
		unsigned long count, first_k;
	} kinds[24];
	size_t nkinds;
};

static const struct askcred_provider *ops;
static failmalloc_arm_fn fm_arm;
static failmalloc_disarm_fn fm_disarm;
static failmalloc_leaks_fn fm_leaks;
static const struct askcred_host host = {
	sizeof(host), ASKCRED_ABI_VERSION, NULL, NULL, "test_alloc", "faults",
	NULL};
static char cache_dir[PATH_MAX], parent_file[PATH_MAX], crash_file[PATH_MAX];
static int crash_fd = -1;
static const char *ws, *url, *ca;

static void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static const char *need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		tap_bail("%s is not set (run through test_alloc.sh)", name);
	return v;
}

static void load(void)
{
	char path[PATH_MAX];
	askcred_provider_entry_fn entry;
	void *dl, *sym;

	snprintf(path, sizeof(path), "%s/plugin/.libs/askcred_askui.so",
		 need_env("top_builddir"));
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL)
		tap_bail("dlopen %s: %s", path, dlerror());
	sym = dlsym(dl, ASKCRED_PROVIDER_ENTRY_SYMBOL);
	if (sym == NULL)
		tap_bail("no entry point");
	memcpy(&entry, &sym, sizeof(entry));
	ops = entry(ASKCRED_ABI_VERSION);
	if (ops == NULL)
		tap_bail("no ops table");
}

/* The parent credential file the mint source reads. */
static void setup_files(void)
{
	char token[256];
	const char *dir = need_env("ASKCRED_TEST_DIR");
	FILE *f;
	size_t n;

	ws = need_env("ASKCRED_TEST_WS");
	url = need_env("ASKCRED_TEST_URL");
	ca = need_env("ASKCRED_TEST_CA");
	f = fopen(need_env("ASKCRED_TEST_PARENT_FILE"), "re");
	if (f == NULL || fgets(token, sizeof(token), f) == NULL)
		tap_bail("cannot read the parent token");
	fclose(f);
	n = strcspn(token, "\r\n");
	token[n] = '\0';
	snprintf(cache_dir, sizeof(cache_dir), "%s/alloc-cache", dir);
	snprintf(parent_file, sizeof(parent_file), "%s/alloc-parent.json", dir);
	snprintf(crash_file, sizeof(crash_file), "%s/alloc-crash.txt", dir);
	umask(077);
	f = fopen(parent_file, "we");
	if (f == NULL)
		tap_bail("cannot write %s", parent_file);
	fprintf(f, "{\"workspace_id\": \"%s\", \"token\": \"%s\"}\n", ws,
		token);
	fclose(f);
	explicit_bzero(token, sizeof(token));
}

static void remove_entry(const struct path *p)
{
	static const char *const ext[] = {"cache", "state"};
	char path[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s@%s.%s", cache_dir, ws,
			 p->entry, ext[i]);
		unlink(path);
	}
}

/* One open, fetch, release, close: what a host does for one credential. */
static void scenario(const struct path *p, struct outcome *o)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_request req = {sizeof(req), 0, ws, NULL, 0, 0};
	struct askcred_credential *cred = NULL;
	char a_parent[PATH_MAX + 32], a_url[512], a_ca[PATH_MAX + 16],
		a_dir[PATH_MAX + 16], a_entry[96];
	const char *argv[] = {"source=mint", a_parent,	   a_url,
			      a_ca,	     a_dir,	   a_entry,
			      "lifetime=1h", "timeout=20s"};
	void *h = NULL;

	snprintf(a_parent, sizeof(a_parent), "parent_credentials=%s",
		 parent_file);
	snprintf(a_url, sizeof(a_url), "api_url=%s", url);
	snprintf(a_ca, sizeof(a_ca), "ca_file=%s", ca);
	snprintf(a_dir, sizeof(a_dir), "cache_dir=%s", cache_dir);
	snprintf(a_entry, sizeof(a_entry), "entry=%s", p->entry);
	o->status = ops->open(&host, sizeof(argv) / sizeof(argv[0]), argv, &h,
			      &err);
	if (o->status == ASKCRED_OK) {
		o->status = ops->fetch(h, &req, &cred, &err);
		if (o->status == ASKCRED_OK &&
		    (cred == NULL || cred->token_len == 0 ||
		     strcmp(cred->workspace_id, ws)))
			o->status = -1; /* OK without a credential */
		/* Every configuration here asks for a one-hour lifetime. */
		if (o->status == ASKCRED_OK && cred->expires_at == 0)
			o->no_expiry = 1;
		if (o->status == ASKCRED_OK &&
		    !(cred->flags & ASKCRED_CRED_FROM_CACHE))
			o->from_source = 1;
		ops->release(h, cred);
		ops->close(h);
	}
	snprintf(o->where, sizeof(o->where), "%s", err.where);
	snprintf(o->message, sizeof(o->message), "%s", err.message);
}

/* In a crashed child: where it was, for the report (no allocation). */
static void on_crash(int sig)
{
	void *frames[32];
	int n = backtrace(frames, 32);

	backtrace_symbols_fd(frames, n, crash_fd);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Was the crash json-c 0.16's tokener adding a key whose strdup() failed
 * (jsonc-strdup-key in tests/known-findings)? Shows the backtrace if
 * asked. */
static int crash_is_key(const struct path *p, unsigned long k, int show)
{
	char line[512];
	int add = 0, parse = 0;
	FILE *f = fopen(crash_file, "re");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		add |= strstr(line, "json_object_object_add_ex") != NULL;
		parse |= strstr(line, "json_tokener_parse_ex") != NULL;
		if (show)
			tap_diag("%s: k=%lu:   %s", p->name, k, line);
	}
	fclose(f);
	return add && parse;
}

/* Run the scenario in a child armed with k; 0 and *o filled, or the
 * signal that ended the child. */
static int run_child(const struct path *p, unsigned long k, struct outcome *o)
{
	static struct failmalloc_leak leaks[MAX_LEAKS];
	int fds[2], st = 0;
	ssize_t got = 0, n;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (p->empty_first)
		remove_entry(p);
	if (pipe(fds) != 0)
		tap_bail("pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		crash_fd = open(crash_file,
				O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		signal(SIGSEGV, on_crash);
		signal(SIGBUS, on_crash);
		signal(SIGABRT, on_crash);
		alarm(CHILD_SECONDS);
		fm_arm(k);
		scenario(p, o);
		fm_disarm(&o->fm);
		while (ERR_get_error() != 0)
			o->errors_queued++;
		if (o->fm.injected) {
			struct failmalloc_leak f = {0, {0}};

			memcpy(f.frames, o->fm.failed, sizeof(f.frames));
			o->failed_in = leak_describe(&f, o->failed_at,
						     sizeof(o->failed_at));
		}
		n = (ssize_t)fm_leaks(leaks, MAX_LEAKS);
		for (ssize_t i = 0; i < n; i++) {
			char text[sizeof(o->example[0])];
			enum owner w =
				leak_describe(&leaks[i], text, sizeof(text));

			if (o->owned[w]++ == 0)
				memcpy(o->example[w], text, sizeof(text));
		}
		if (write(fds[1], o, sizeof(*o)) != (ssize_t)sizeof(*o))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof(*o) &&
	       (n = read(fds[0], (char *)o + got, sizeof(*o) - (size_t)got)) >
		       0)
		got += n;
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		return WTERMSIG(st);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    got != (ssize_t)sizeof(*o))
		return -1;
	return 0;
}

static void count_kind(struct path *p, unsigned long k, const struct outcome *o)
{
	size_t i;

	for (i = 0; i < p->nkinds; i++)
		if (p->kinds[i].status == o->status &&
		    strncmp(p->kinds[i].message, o->message,
			    sizeof(p->kinds[i].message) - 1) == 0)
			break;
	if (i == p->nkinds) {
		if (p->nkinds == sizeof(p->kinds) / sizeof(p->kinds[0]))
			return;
		p->nkinds++;
		p->kinds[i].status = o->status;
		snprintf(p->kinds[i].message, sizeof(p->kinds[i].message), "%s",
			 o->message);
		p->kinds[i].first_k = k;
	}
	p->kinds[i].count++;
}

static void judge(struct path *p, unsigned long k, const struct outcome *o)
{
	if (o->fm.injected && o->from_source)
		p->from_source++;
	if (o->no_expiry && p->no_expiry++ < SHOWN)
		tap_diag("%s: k=%lu: handed out a token that never expires",
			 p->name, k);
	if (o->status < 0 || o->status > ASKCRED_INTERNAL) {
		p->bad_status++;
		tap_diag("%s: k=%lu: status %d is not an askcred_status",
			 p->name, k, o->status);
	} else {
		p->by_status[o->status]++;
		if (o->status != ASKCRED_OK && o->status != ASKCRED_NO_MEMORY &&
		    o->fm.injected) {
			count_kind(p, k, o);
			unsigned long *count = &p->other;

			if (o->failed_in == OWN_JSONC)
				count = &p->other_jsonc;
			else if (o->failed_in == OWN_CRYPTO ||
				 o->failed_in == OWN_ERRQ)
				count = &p->other_ssl;
			/* The first few of each kind: ours first of all. */
			if ((*count)++ < SHOWN)
				tap_diag("%s: k=%lu: status %d (%s: %s); the "
					 "failed allocation (%s): %s",
					 p->name, k, o->status, o->where,
					 o->message, owner_name[o->failed_in],
					 o->failed_at);
		}
	}
	if (o->errors_queued && p->errq++ < SHOWN)
		tap_diag("%s: k=%lu: %d errors left in OpenSSL's error queue",
			 p->name, k, o->errors_queued);
	/* json-c's memory is ours to free unless json-c's own allocation
	 * failed (json-c 0.16 may then drop what it had built): a json-c
	 * object live after close is an object our code never put. */
	if (o->owned[OWN_JSONC] != 0 &&
	    (!o->fm.injected || o->failed_in != OWN_JSONC) &&
	    p->jsonc_ours++ < SHOWN)
		tap_diag("%s: k=%lu: %lu json-c allocations live after close, "
			 "no json-c allocation failed (ours: %s): e.g. %s",
			 p->name, k, o->owned[OWN_JSONC],
			 o->fm.injected ? o->failed_at : "none failed",
			 o->example[OWN_JSONC]);
	for (int w = 0; w < OWN_N; w++) {
		if (o->owned[w] == 0)
			continue;
		p->leaky[w]++;
		if (p->shown[w]++ < SHOWN)
			tap_diag(
				"%s: k=%lu: %lu live after close, owned by %s, "
				"e.g. %s",
				p->name, k, o->owned[w], owner_name[w],
				o->example[w]);
	}
}

/* The next k: every k at the start (opening, config, cache read) and in
 * the last TAIL allocations (the answer, the cache write, close), every
 * stride-th in between (mostly TLS, where a failed handshake is retried
 * with a backoff of seconds). */
static unsigned long next_k(unsigned long k, unsigned long n,
			    unsigned long stride)
{
	unsigned long tail = n > TAIL ? n - TAIL : 0;

	if (k < ALL_FIRST || k >= tail)
		return k + 1;
	return k + stride < tail ? k + stride : tail;
}

/* Every k in [first, last] (stride 1), or the whole sweep (first 1,
 * last 0). */
static void sweep(struct path *p, unsigned long stride, unsigned long first,
		  unsigned long last)
{
	struct outcome o;
	unsigned long k, n;
	time_t t0 = time(NULL);
	int sig;

	/* k = 0 fails nothing: how many allocations a whole run makes. */
	if (run_child(p, 0, &o) != 0)
		tap_bail("%s: the run without failure died", p->name);
	n = o.fm.allocations;
	if (o.fm.only_loaded == 0)
		tap_bail("%s: FAILMALLOC_ONLY names objects that are not "
			 "loaded when the child arms",
			 p->name);
	if (last != 0) {
		/* The run without failure stands for the whole path. */
		p->clean_allocs = n;
		p->clean_ok = o.status == ASKCRED_OK;
		p->ranged = 1;
		stride = 1;
		n = ULONG_MAX;
	}
	for (k = first; last == 0 || k <= last; k = next_k(k, n, stride)) {
		sig = run_child(p, k, &o);
		p->runs++;
		if (sig != 0) {
			int key = crash_is_key(p, k, 0);

			tap_diag("%s: k=%lu: the child died (%s)%s", p->name, k,
				 sig > 0 ? strsignal(sig) : "bad exit",
				 key ? " in json-c's tokener adding a key"
				     : "");
			if (key ? p->crash_key++ == 0
				: p->crash_other++ < SHOWN)
				crash_is_key(p, k, 1);
			continue;
		}
		judge(p, k, &o);
		if (!o.fm.injected) {
			/* Fewer than k allocations: the sweep is complete. */
			p->clean_allocs = o.fm.allocations;
			p->clean_ok = o.status == ASKCRED_OK;
			break;
		}
	}
	if (last != 0)
		tap_diag("%s: %lu runs in %ld s (every k from %lu to %lu); a "
			 "run without failure makes %lu allocations",
			 p->name, p->runs, (long)(time(NULL) - t0), first, last,
			 p->clean_allocs);
	else
		tap_diag("%s: %lu runs in %ld s (every k up to %d and in the "
			 "last %d, every %lu-th between); a run without "
			 "failure makes %lu allocations",
			 p->name, p->runs, (long)(time(NULL) - t0), ALL_FIRST,
			 TAIL, stride, p->clean_allocs);
}

/* tap_known(), but a range (FAULTS_ALLOC_RANGE) that does not meet a
 * known finding passes: it says nothing of the k outside it. */
static void known(const struct path *p, const char *id, const char *where,
		  int cond, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void known(const struct path *p, const char *id, const char *where,
		  int cond, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (p->ranged && cond)
		ok(1, "%s", text);
	else
		tap_known(id, where, cond, "%s", text);
}

/* Findings are shown by tap_diag above. The only expected failures are
 * the upstream findings listed in tests/known-findings for "alloc.NAME";
 * everything else fails. */
static void report(const struct path *p)
{
	const char *n = p->name;
	char where[32];

	snprintf(where, sizeof(where), "alloc.%s", n);
	ok(p->clean_ok, "%s: the run with no failure fetches a credential", n);
	ok(p->runs > (p->ranged ? 0u : 1u),
	   "%s: %lu runs with the k-th allocation failing", n,
	   p->runs - (p->ranged ? 0u : 1u));
	is_int(p->crash_other, 0,
	       "%s: no run dies of a signal or hangs (but for the known "
	       "json-c crash)",
	       n);
	known(p, "jsonc-strdup-key", where, p->crash_key == 0,
	      "%s: no run dies in json-c's tokener adding a key (%lu "
	      "runs do)",
	      n, p->crash_key);
	is_int(p->bad_status, 0, "%s: every run returns an askcred_status", n);
	is_int(p->no_expiry, 0,
	       "%s: no run hands out a token without the configured expiry", n);
	tap_diag("%s: statuses: OK %lu (%lu of them with a new token from "
		 "the source), NO_MEMORY %lu, others %lu",
		 n, p->by_status[ASKCRED_OK], p->from_source,
		 p->by_status[ASKCRED_NO_MEMORY],
		 p->other + p->other_jsonc + p->other_ssl);
	for (size_t i = 0; i < p->nkinds; i++)
		tap_diag("%s:   status %d in %lu runs (first k=%lu): %s", n,
			 p->kinds[i].status, p->kinds[i].count,
			 p->kinds[i].first_k, p->kinds[i].message);
	is_int(p->other, 0,
	       "%s: a failed allocation of ours says ASKCRED_NO_MEMORY", n);
	known(p, "jsonc-unchecked-alloc", where, p->other_jsonc == 0,
	      "%s: a failed allocation in json-c says ASKCRED_NO_MEMORY "
	      "(%lu runs do not)",
	      n, p->other_jsonc);
	known(p, "openssl-enomem-unreported", where, p->other_ssl == 0,
	      "%s: a failed allocation in OpenSSL says ASKCRED_NO_MEMORY "
	      "(%lu runs do not)",
	      n, p->other_ssl);
	is_int(p->leaky[OWN_ASKCRED], 0,
	       "%s: nothing askcred allocates outlives close", n);
	is_int(p->jsonc_ours, 0,
	       "%s: every json-c object is put, unless json-c's own "
	       "allocation failed",
	       n);
	is_int(p->errq, 0, "%s: OpenSSL's error queue is left empty", n);
	tap_diag("%s: runs leaving library-owned memory: json-c %lu, OpenSSL "
		 "tables %lu, OpenSSL error buffers kept for reuse %lu, "
		 "others %lu",
		 n, p->leaky[OWN_JSONC], p->leaky[OWN_CRYPTO],
		 p->leaky[OWN_ERRQ], p->leaky[OWN_OTHER]);
}

int main(void)
{
	struct path paths[] = {
		{.name = "warm", .entry = "warm", .empty_first = 0},
		{.name = "mint", .entry = "mint", .empty_first = 1},
	};
	const char *s = getenv("FAULTS_ALLOC_STRIDE");
	const char *range = getenv("FAULTS_ALLOC_RANGE");
	unsigned long stride = s ? strtoul(s, NULL, 10) : 1;
	unsigned long first = 1, last = 0;
	size_t from = 0, to = 2;
	struct outcome warm;

	if (dlsym(RTLD_DEFAULT, "__asan_init") != NULL)
		skip_all("ASan replaces malloc: no allocation torture");
	*(void **)&fm_arm = dlsym(RTLD_DEFAULT, "failmalloc_arm");
	*(void **)&fm_disarm = dlsym(RTLD_DEFAULT, "failmalloc_disarm");
	*(void **)&fm_leaks = dlsym(RTLD_DEFAULT, "failmalloc_leaks");
	if (fm_arm == NULL || fm_disarm == NULL || fm_leaks == NULL)
		skip_all("failmalloc.so is not preloaded");
	if (stride == 0)
		stride = 1;
	if (range != NULL && *range != '\0') {
		/* "path:first-last": that path only. */
		char *end;

		from = strncmp(range, "mint:", 5) == 0;
		to = from + 1;
		if (strchr(range, ':') == NULL)
			tap_bail("FAULTS_ALLOC_RANGE is path:first-last");
		first = strtoul(strchr(range, ':') + 1, &end, 10);
		last = *end == '-' ? strtoul(end + 1, NULL, 10) : 0;
		if (first == 0 || last < first)
			tap_bail("FAULTS_ALLOC_RANGE is path:first-last, with "
				 "0 < first <= last");
	}
	load();
	setup_files();
	for (size_t i = 0; i < 2; i++) {
		/* Twice: the first mints and fills the cache. */
		for (int round = 0; round < 2; round++) {
			memset(&warm, 0, sizeof(warm));
			scenario(&paths[i], &warm);
			if (warm.status != ASKCRED_OK)
				tap_bail("%s: unarmed run fails: %s: %s",
					 paths[i].name, warm.where,
					 warm.message);
		}
	}
	if (getenv("FAULTS_ALLOC_ONE") != NULL) {
		/* Debugging one finding: "path:k", in this process. */
		const char *one = getenv("FAULTS_ALLOC_ONE");
		size_t i = strncmp(one, "mint:", 5) == 0;
		unsigned long k = strtoul(strchr(one, ':') + 1, NULL, 10);

		if (paths[i].empty_first)
			remove_entry(&paths[i]);
		fm_arm(k);
		scenario(&paths[i], &warm);
		fm_disarm(&warm.fm);
		printf("# %s k=%lu: status %d (%s: %s)%s\n", paths[i].name, k,
		       warm.status, warm.where, warm.message,
		       warm.no_expiry ? ", a token that never expires" : "");
		if (warm.fm.injected) {
			struct failmalloc_leak f = {0, {0}};
			char at[400];

			memcpy(f.frames, warm.fm.failed, sizeof(f.frames));
			printf("# the failed allocation (%s): ",
			       owner_name[leak_describe(&f, at, sizeof(at))]);
			printf("%s\n", at);
		}
		ERR_print_errors_fp(stdout);
		return 0;
	}
	for (size_t i = from; i < to; i++) {
		sweep(&paths[i], stride, first, last);
		report(&paths[i]);
	}
	return tap_done();
}
