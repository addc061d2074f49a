/*
 * One cache operation per process, for the fault-injection scripts: they
 * run it inside a full file system, under strace's syscall injection, or
 * kill it while it holds a lock, and then look at what it printed and what
 * it left on disk. It always runs to its end unless killed, printing
 * "key=value" lines; the exit status is 0 when the operation succeeded and
 * 1 when it failed cleanly, so a crash (signal, abort) stands out.
 *
 *   cache_tool write   DIR MACHINE_ID ENTRY TOKEN SECONDS  seal TOKEN
 *   cache_tool read    DIR MACHINE_ID ENTRY
 *   cache_tool refresh DIR MACHINE_ID ENTRY TOKEN          fetch path
 *   cache_tool hold    DIR MACHINE_ID ENTRY                refresh blocks
 *
 * "hold" enters the refresh callback (entry lock held), prints "locked",
 * and blocks reading stdin; "refresh" prints the wall-clock millisecond at
 * which its own callback ran, so a script can time a takeover. The tokens
 * are made up by the scripts, so printing them is harmless.
 *
 * With failmalloc.so preloaded and FAULTS_FAIL_AT=k, the operation runs
 * once unarmed (a read, to warm up the libraries), then for real with the
 * k-th allocation failing; "injected=" and "live_ours=", "live_errq=",
 * "live_libs=" (what the armed part left live after cache_close(), by
 * owner: see leakcheck.h) are printed too.
 */
#include "config.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "cache.h"
#include "error.h"
#include "failmalloc.h"
#include "leakcheck.h"

#define WS "5d0f6a2e-3c1b-4e7a-9b8c-0a1b2c3d4e5f"

struct tool {
	const char *token;
	int64_t lifetime;
	int refreshed;
};

/* Descriptors open now: /proc may be missing (a chroot), fcntl is not. */
static int count_fds(void)
{
	int fd, n = 0, max = (int)sysconf(_SC_OPEN_MAX);

	for (fd = 0; fd < max && fd < 65536; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static askcred_status fill(struct tool *t, struct token_record *out,
			   struct askcred_error *err)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->workspace_id, sizeof(out->workspace_id), "%s", WS);
	snprintf(out->source, sizeof(out->source), "faults");
	out->issued_at = (int64_t)time(NULL);
	out->expires_at = out->issued_at + t->lifetime;
	if (secret_set(&out->token, t->token, strlen(t->token)) != 0)
		return err_set(err, ASKCRED_NO_MEMORY, "token", "no memory");
	return ASKCRED_OK;
}

static askcred_status refresh_now(void *ctx, struct token_record *out,
				  int64_t *not_before,
				  struct askcred_error *err)
{
	struct tool *t = ctx;

	t->refreshed++;
	printf("refresh_at_ms=%lld\n", wall_ms());
	return fill(t, out, err);
}

/* Stands for a source that hangs while the entry lock is held. */
static askcred_status refresh_blocks(void *ctx, struct token_record *out,
				     int64_t *not_before,
				     struct askcred_error *err)
{
	char buf[64];

	(void)ctx;
	(void)out;
	printf("locked\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return err_set(err, ASKCRED_UNAVAILABLE, "hold", "released");
}

/* Where a tortured run crashed, on stderr, for the script to classify. */
static void on_crash(int sig)
{
	void *frames[32];

	backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Arm failmalloc.so when asked to and preloaded; 1 if armed. */
static int arm_from_env(void)
{
	const char *at = getenv("FAULTS_FAIL_AT");
	failmalloc_arm_fn arm;

	if (at == NULL)
		return 0;
	*(void **)&arm = dlsym(RTLD_DEFAULT, "failmalloc_arm");
	if (arm == NULL)
		return 0;
	signal(SIGSEGV, on_crash);
	signal(SIGABRT, on_crash);
	arm(strtoul(at, NULL, 10));
	return 1;
}

/* Errors left in this thread's OpenSSL error queue (an entry's buffer
 * that OpenSSL keeps for reuse after the queue is emptied is not one). */
static int errors_queued(void)
{
	char text[256];
	unsigned long e;
	int n = 0;

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, text, sizeof(text));
		printf("queued=%s\n", text);
		n++;
	}
	return n;
}

/* After cache_close(): what the armed part left live, by owner. */
static void disarm_report(void)
{
	static struct failmalloc_leak leaks[256];
	unsigned long owned[OWN_N] = {0};
	struct failmalloc_result r;
	failmalloc_disarm_fn disarm;
	failmalloc_leaks_fn list;
	char text[400], example[400] = "", jsonc_example[400] = "";
	size_t i, n;

	*(void **)&disarm = dlsym(RTLD_DEFAULT, "failmalloc_disarm");
	*(void **)&list = dlsym(RTLD_DEFAULT, "failmalloc_leaks");
	disarm(&r);
	n = list(leaks, sizeof(leaks) / sizeof(leaks[0]));
	for (i = 0; i < n; i++) {
		enum owner w = leak_describe(&leaks[i], text, sizeof(text));

		if (owned[w]++ == 0 && w == OWN_ASKCRED)
			memcpy(example, text, sizeof(text));
		if (owned[w] == 1 && w == OWN_JSONC)
			memcpy(jsonc_example, text, sizeof(text));
	}
	printf("injected=%d\nallocations=%lu\nlive=%lu\nlive_ours=%lu\n"
	       "live_errq=%lu\nlive_jsonc=%lu\nlive_libs=%lu\n"
	       "errors_queued=%d\n",
	       r.injected, r.allocations, r.live, owned[OWN_ASKCRED],
	       owned[OWN_ERRQ], owned[OWN_JSONC],
	       owned[OWN_CRYPTO] + owned[OWN_OTHER], errors_queued());
	if (example[0] != '\0')
		printf("leak=%s\n", example);
	if (jsonc_example[0] != '\0')
		printf("jsonc_leak=%s\n", jsonc_example);
	/* Whose allocation was made to fail: a library's or ours. */
	if (r.injected) {
		struct failmalloc_leak f = {0, {0}};

		memcpy(f.frames, r.failed, sizeof(f.frames));
		printf("failed_in=%s\n",
		       owner_name[leak_describe(&f, text, sizeof(text))]);
		printf("failed_at=%s\n", text);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: cache_tool write|read|refresh|hold DIR "
			"MACHINE_ID ENTRY [TOKEN [SECONDS]]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg;
	struct token_record rec = {0};
	struct tool t = {NULL, 3600, 0};
	struct cache *c = NULL;
	const char *cmd;
	askcred_status rc;
	int fds_before, armed = 0;

	if (argc < 5)
		return usage();
	cmd = argv[1];
	if (argc > 5)
		t.token = argv[5];
	if (argc > 6)
		t.lifetime = strtoll(argv[6], NULL, 10);
	if ((strcmp(cmd, "write") == 0 || strcmp(cmd, "refresh") == 0) &&
	    t.token == NULL)
		return usage();
	memset(&cfg, 0, sizeof(cfg));
	cfg.dir = argv[2];
	cfg.machine_id_path = argv[3];
	setvbuf(stdout, NULL, _IOLBF, 0);
	fds_before = count_fds();
	rc = cache_open(&cfg, &c, &err);
	if (rc != ASKCRED_OK)
		goto out;
	if (getenv("FAULTS_FAIL_AT") != NULL) {
		unsigned char rnd[16];

		/* What OpenSSL and json-c set up once per process (digests,
		 * ciphers, the DRBG) is set up before counting starts. */
		cache_read(c, WS, argv[4], &rec, &err);
		record_clear(&rec);
		RAND_bytes(rnd, sizeof(rnd));
		err_clear(&err);
		armed = arm_from_env();
	}
	if (strcmp(cmd, "write") == 0) {
		rc = fill(&t, &rec, &err);
		if (rc == ASKCRED_OK)
			rc = cache_write(c, WS, argv[4], &rec, &err);
	} else if (strcmp(cmd, "read") == 0) {
		rc = cache_read(c, WS, argv[4], &rec, &err);
	} else if (strcmp(cmd, "refresh") == 0) {
		rc = cache_get_or_refresh(c, WS, argv[4], NULL, refresh_now, &t,
					  &rec, &err);
		printf("refreshed=%d\n", t.refreshed);
	} else if (strcmp(cmd, "hold") == 0) {
		rc = cache_get_or_refresh(c, WS, argv[4], NULL, refresh_blocks,
					  &t, &rec, &err);
	} else {
		rc = ASKCRED_INVALID;
		err_set(&err, rc, cmd, "unknown command");
	}
	if (rc == ASKCRED_OK && strcmp(cmd, "write") != 0) {
		printf("token=%.*s\n", (int)rec.token.len, rec.token.buf);
		/* cached_at: the record is in the disk cache (record.h). */
		printf("stored=%d\n", rec.cached_at != 0);
	}
out:
	record_clear(&rec);
	cache_close(c);
	if (armed)
		disarm_report();
	printf("status=%d\n", (int)rc);
	if (rc != ASKCRED_OK)
		printf("message=%s: %s\n", err.where, err.message);
	printf("fds_leaked=%d\n", count_fds() - fds_before);
	return rc == ASKCRED_OK ? 0 : 1;
}
