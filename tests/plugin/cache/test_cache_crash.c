/* Crash safety at chosen points. This program is linked with callhook.c
 * and -Wl,--wrap for open, write, fsync, rename, unlink and unlinkat (see
 * callhook.h), so every call the cache code makes to them goes through
 * the hook; the installed plugin is linked without it.
 *
 * A first write is watched without harm: it lists each call that changes
 * the disk (a census). Then, for each listed call, a writer is forked and
 * killed with SIGKILL right before that call and, in another writer, right
 * after it. Every point must be hit (the writer dies by our SIGKILL, not by
 * finishing), the entry must then read back as the last completed
 * generation, or as the new one once the cache file was renamed into
 * place, and the next writer must leave no temp file behind. A crash can
 * only change what is on disk at these calls, so this covers every state a
 * kill can leave. The census is also checked for the durable order: temp
 * written, fsynced, renamed, then the directory fsynced.
 *
 * A random-time kill loop follows as an extra; it asserts only what each
 * read sees, never the harness's own timing. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cache_test.h"
#include "callhook.h"
#include "error.h"
#include "tap.h"

#define RANDOM_ROUNDS 100
#define ENTRY "crash"
#define HIT_EXIT 3 /* a writer whose kill point never came */

enum when { BEFORE = CALLHOOK_BEFORE, AFTER = CALLHOOK_AFTER };

/* ---- helpers ---- */

/* The token names the writer, so the reader can tell which generation it
 * sees: "round-<n>-" padded to a realistic length. */
static void token_for(unsigned round, char *buf, size_t size)
{
	snprintf(buf, size, "round-%06u-pR1k0dYhA7bW9mN3qL5xZt", round);
}

static int count_temps(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strstr(de->d_name, ".tmp") != NULL;
	closedir(d);
	return n;
}

/* Fork a writer of tok that is killed at (at, when). Returns 1 if it died
 * by that SIGKILL, i.e. the point was hit. */
static int kill_writer_at(const struct cache_config *cfg, const char *tok,
			  unsigned at, enum when when)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct cache *c = open_or_bail(cfg);

		callhook_arm(CALLHOOK_KILL, at, (enum callhook_when)when, 0);
		(void)write_token(c, ENTRY, tok, &err);
		_exit(HIT_EXIT);
	}
	if (waitpid(pid, &status, 0) != pid)
		tap_bail("waitpid: %s", strerror(errno));
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* ---- the checks ---- */

/* The census: the calls of one write, and their durable order. */
static unsigned census(struct cache *c, char *prev, size_t size)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	unsigned n, create, fsync_temp, rename_file, fsync_dir;
	char tok[64];

	token_for(1, tok, sizeof(tok));
	callhook_arm(CALLHOOK_COUNT, 0, CALLHOOK_BEFORE, 0);
	if (write_token(c, ENTRY, tok, &err) != ASKCRED_OK)
		tap_bail("census write: %s", err.message);
	n = callhook_disarm();
	if (n == 0 || n > CALLHOOK_MAX)
		tap_bail("census: %u calls (at most %d listed)", n,
			 CALLHOOK_MAX);
	for (unsigned i = 0; i < n; i++)
		tap_diag("call %u: %s", i + 1, callhook.what[i]);
	snprintf(prev, size, "%s", tok);

	create = callhook_find(0, "open (create) cache temp", 0);
	fsync_temp = callhook_find(0, "fsync cache temp", 0);
	rename_file = callhook_find(0, "rename cache temp -> cache file", 0);
	fsync_dir = callhook_find(0, "fsync directory", 1);
	ok(create != 0 && callhook_find(create, "write cache temp", 0) != 0,
	   "a write creates a cache temp file and writes to it");
	ok(fsync_temp != 0 && rename_file != 0 && fsync_temp < rename_file,
	   "the cache temp is fsynced before it is renamed into place "
	   "(fsync #%u, rename #%u)",
	   fsync_temp, rename_file);
	ok(callhook_find(0, "rename state temp -> state file", 0) != 0 &&
		   callhook_find(0, "fsync state temp", 0) != 0 &&
		   callhook_find(0, "fsync state temp", 0) <
			   callhook_find(0, "rename state temp -> state file",
					 0),
	   "the state temp is fsynced before it is renamed into place");
	ok(fsync_dir != 0 && fsync_dir > callhook_find(0, "rename ", 1),
	   "the directory is fsynced after the last rename (fsync #%u)",
	   fsync_dir);
	return n;
}

static void kill_at_each_point(struct test_env *env, struct cache *c,
			       unsigned ncalls, char *prev, size_t size)
{
	unsigned commit =
		callhook_find(0, "rename cache temp -> cache file", 0);
	unsigned round = 100, missed = 0;
	static const char *const when_name[] = {"before", "after"};

	for (unsigned at = 1; at <= ncalls; at++)
		for (int w = BEFORE; w <= AFTER; w++) {
			struct askcred_error err = ASKCRED_ERROR_INIT;
			char tok[64], got[256], next[64];
			/* The rename of the cache file is the commit. */
			int is_new =
				at > commit || (at == commit && w == AFTER);
			const char *want;
			int hit, left, temps;

			token_for(round++, tok, sizeof(tok));
			hit = kill_writer_at(&env->cfg, tok, at, (enum when)w);
			missed += !hit;
			left = count_temps(env->dir);
			read_token(c, ENTRY, got, sizeof(got));
			want = is_new ? tok : prev;
			ok(hit && strcmp(got, want) == 0,
			   "killed %s %s (call %u): the entry reads back as "
			   "the %s generation",
			   when_name[w], callhook.what[at - 1], at,
			   is_new ? "new" : "last completed");
			if (!hit || strcmp(got, want) != 0)
				tap_diag("point hit: %s; read: %s; want: %s",
					 hit ? "yes" : "NO", got, want);

			token_for(round++, next, sizeof(next));
			if (write_token(c, ENTRY, next, &err) != ASKCRED_OK)
				tap_diag("next writer: %s", err.message);
			temps = count_temps(env->dir);
			read_token(c, ENTRY, got, sizeof(got));
			ok(temps == 0 && strcmp(got, next) == 0,
			   "  then the next writer removes the %d temp file(s) "
			   "left, leaves none (%d) and is read back",
			   left, temps);
			snprintf(prev, size, "%s", next);
		}
	is_int(missed, 0, "every one of the %u kill points was hit",
	       ncalls * 2);
}

/* The extra: kills at random times. Only what each read sees is
 * asserted; whether a kill landed mid-write depends on the machine's
 * speed and is not checked. */
static void random_kills(struct test_env *env, struct cache *c)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < RANDOM_ROUNDS; i++) {
		unsigned short delay = 0;
		char got[256];
		pid_t pid;

		(void)RAND_bytes((unsigned char *)&delay, sizeof(delay));
		pid = fork();
		if (pid < 0)
			tap_bail("fork");
		if (pid == 0) {
			struct askcred_error err = ASKCRED_ERROR_INIT;
			struct cache *wc = open_or_bail(&env->cfg);
			char tok[64];

			for (unsigned r = 1 + i * 100000u;; r++) {
				token_for(r, tok, sizeof(tok));
				(void)write_token(wc, ENTRY, tok, &err);
			}
		}
		usleep(delay % 8000u);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		read_token(c, ENTRY, got, sizeof(got));
		if (strncmp(got, "round-", 6) != 0) {
			bad++;
			tap_diag("random round %u: %s", i, got);
		}
	}
	is_int(bad, 0,
	       "%u writers killed at random times: every read decrypts to a "
	       "whole token",
	       RANDOM_ROUNDS);
}

int main(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct test_env env;
	struct cache *c;
	char tok[64], prev[64], got[256];
	unsigned ncalls;

	env_init(&env);
	c = open_or_bail(&env.cfg);
	token_for(0, tok, sizeof(tok));
	if (write_token(c, ENTRY, tok, &err) != ASKCRED_OK)
		tap_bail("first write: %s", err.message);

	ncalls = census(c, prev, sizeof(prev));
	kill_at_each_point(&env, c, ncalls, prev, sizeof(prev));
	random_kills(&env, c);

	/* One writer that runs to its end cleans up what the killed ones
	 * left behind. */
	token_for(999999u, tok, sizeof(tok));
	ok(write_token(c, ENTRY, tok, &err) == ASKCRED_OK,
	   "a writer that is not killed succeeds");
	is_int(count_temps(env.dir), 0, "no temp file is left once it has run");
	read_token(c, ENTRY, got, sizeof(got));
	is_str(got, tok, "and its generation is the one read back");
	cache_close(c);
	env_done(&env);
	return tap_done();
}
