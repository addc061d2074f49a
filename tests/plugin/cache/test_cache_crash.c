/* Crash safety at chosen points. This program is linked with
 * -Wl,--wrap for open, write, fsync, rename, unlink and unlinkat (see
 * Makefile.inc), so every call the cache code makes to them goes through
 * the wrappers below; the installed plugin is linked without them.
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
#include "error.h"
#include "tap.h"

#define RANDOM_ROUNDS 100
#define ENTRY "crash"
#define MAX_CALLS 64
#define HIT_EXIT 3 /* a writer whose kill point never came */

/* ---- the wrappers ---- */

int __real_open(const char *path, int flags, ...);
ssize_t __real_write(int fd, const void *buf, size_t len);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __real_unlink(const char *path);
int __real_unlinkat(int dirfd, const char *path, int flags);

int __wrap_open(const char *path, int flags, ...);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);
int __wrap_unlink(const char *path);
int __wrap_unlinkat(int dirfd, const char *path, int flags);

enum when { BEFORE, AFTER };

static struct {
	int armed;	/* count calls only inside the watched write */
	unsigned calls; /* calls counted so far */
	unsigned kill_at;
	enum when kill_when;
	/* census: one line per call, for names and the order checks */
	char what[MAX_CALLS][160];
} hook;

/* What a path is, from its name: the names are the cache's own. */
static const char *kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".tmp") == 0)
		return strstr(base, ".cache~") ? "cache temp" : "state temp";
	if (n > 6 && strcmp(base + n - 6, ".cache") == 0)
		return "cache file";
	if (n > 6 && strcmp(base + n - 6, ".state") == 0)
		return "state file";
	if (n > 5 && strcmp(base + n - 5, ".lock") == 0)
		return "lock file";
	return "directory";
}

static const char *kind_of_fd(int fd)
{
	char link[64], path[512];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return "?";
	path[n] = '\0';
	return kind_of(path);
}

/* Called around each watched call: counts it, names it in the census and
 * kills this process when it is the chosen point. */
static void point(enum when when, const char *fmt, ...)
{
	va_list ap;

	if (!hook.armed)
		return;
	if (when == BEFORE) {
		hook.calls++;
		if (hook.calls <= MAX_CALLS) {
			va_start(ap, fmt);
			vsnprintf(hook.what[hook.calls - 1],
				  sizeof(hook.what[0]), fmt, ap);
			va_end(ap);
		}
	}
	if (hook.kill_at == hook.calls && hook.kill_when == when)
		kill(getpid(), SIGKILL);
}

int __wrap_open(const char *path, int flags, ...)
{
	int watched = (flags & (O_CREAT | O_WRONLY | O_RDWR)) != 0;
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (watched)
		point(BEFORE, "open %s%s", flags & O_CREAT ? "(create) " : "",
		      kind_of(path));
	fd = __real_open(path, flags, mode);
	if (watched)
		point(AFTER, NULL);
	return fd;
}

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	ssize_t n;

	point(BEFORE, "write %s", kind_of_fd(fd));
	n = __real_write(fd, buf, len);
	point(AFTER, NULL);
	return n;
}

int __wrap_fsync(int fd)
{
	int rc;

	point(BEFORE, "fsync %s", kind_of_fd(fd));
	rc = __real_fsync(fd);
	point(AFTER, NULL);
	return rc;
}

int __wrap_rename(const char *from, const char *to)
{
	int rc;

	point(BEFORE, "rename %s -> %s", kind_of(from), kind_of(to));
	rc = __real_rename(from, to);
	point(AFTER, NULL);
	return rc;
}

int __wrap_unlink(const char *path)
{
	int rc;

	point(BEFORE, "unlink %s", kind_of(path));
	rc = __real_unlink(path);
	point(AFTER, NULL);
	return rc;
}

int __wrap_unlinkat(int dirfd, const char *path, int flags)
{
	int rc;

	point(BEFORE, "unlink %s", kind_of(path));
	rc = __real_unlinkat(dirfd, path, flags);
	point(AFTER, NULL);
	return rc;
}

/* ---- helpers ---- */

/* The token names the writer, so the reader can tell which generation it
 * sees: "round-<n>-" padded to a realistic length. */
static void token_for(unsigned round, char *buf, size_t size)
{
	snprintf(buf, size, "round-%06u-pR1k0dYhA7bW9mN3qL5xZt", round);
}

static askcred_status write_token(struct cache *c, const char *tok,
				  struct askcred_error *err)
{
	struct token_record r;
	askcred_status rc;

	make_record(&r, WS_A, tok, time(NULL) + 3600);
	rc = cache_write(c, WS_A, ENTRY, &r, err);
	record_clear(&r);
	return rc;
}

/* The token read back, or a status name in brackets. */
static void read_token(struct cache *c, char *out, size_t size)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record got;
	askcred_status rc;

	memset(&got, 0, sizeof(got));
	rc = cache_read(c, WS_A, ENTRY, &got, &err);
	if (rc == ASKCRED_OK && got.token.buf != NULL)
		snprintf(out, size, "%s", got.token.buf);
	else
		snprintf(out, size, "[%s: %s]", status_name(rc), err.message);
	record_clear(&got);
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

/* First census index (1-based) whose line starts with prefix, after
 * index from; 0 if none. */
static unsigned find_call(unsigned ncalls, unsigned from, const char *prefix)
{
	for (unsigned i = from; i < ncalls; i++)
		if (strncmp(hook.what[i], prefix, strlen(prefix)) == 0)
			return i + 1;
	return 0;
}

static unsigned find_last(unsigned ncalls, const char *prefix)
{
	unsigned last = 0;

	for (unsigned i = 0; i < ncalls; i++)
		if (strncmp(hook.what[i], prefix, strlen(prefix)) == 0)
			last = i + 1;
	return last;
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

		hook.calls = 0;
		hook.kill_at = at;
		hook.kill_when = when;
		hook.armed = 1;
		(void)write_token(c, tok, &err);
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
	hook.calls = 0;
	hook.kill_at = 0;
	hook.armed = 1;
	if (write_token(c, tok, &err) != ASKCRED_OK)
		tap_bail("census write: %s", err.message);
	hook.armed = 0;
	n = hook.calls;
	if (n == 0 || n > MAX_CALLS)
		tap_bail("census: %u calls (at most %d listed)", n, MAX_CALLS);
	for (unsigned i = 0; i < n; i++)
		tap_diag("call %u: %s", i + 1, hook.what[i]);
	snprintf(prev, size, "%s", tok);

	create = find_call(n, 0, "open (create) cache temp");
	fsync_temp = find_call(n, 0, "fsync cache temp");
	rename_file = find_call(n, 0, "rename cache temp -> cache file");
	fsync_dir = find_last(n, "fsync directory");
	ok(create != 0 && find_call(n, create, "write cache temp") != 0,
	   "a write creates a cache temp file and writes to it");
	ok(fsync_temp != 0 && rename_file != 0 && fsync_temp < rename_file,
	   "the cache temp is fsynced before it is renamed into place "
	   "(fsync #%u, rename #%u)",
	   fsync_temp, rename_file);
	ok(find_call(n, 0, "rename state temp -> state file") != 0 &&
		   find_call(n, 0, "fsync state temp") != 0 &&
		   find_call(n, 0, "fsync state temp") <
			   find_call(n, 0, "rename state temp -> state file"),
	   "the state temp is fsynced before it is renamed into place");
	ok(fsync_dir != 0 && fsync_dir > find_last(n, "rename "),
	   "the directory is fsynced after the last rename (fsync #%u)",
	   fsync_dir);
	return n;
}

static void kill_at_each_point(struct test_env *env, struct cache *c,
			       unsigned ncalls, char *prev, size_t size)
{
	unsigned commit =
		find_call(ncalls, 0, "rename cache temp -> cache file");
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
			read_token(c, got, sizeof(got));
			want = is_new ? tok : prev;
			ok(hit && strcmp(got, want) == 0,
			   "killed %s %s (call %u): the entry reads back as "
			   "the %s generation",
			   when_name[w], hook.what[at - 1], at,
			   is_new ? "new" : "last completed");
			if (!hit || strcmp(got, want) != 0)
				tap_diag("point hit: %s; read: %s; want: %s",
					 hit ? "yes" : "NO", got, want);

			token_for(round++, next, sizeof(next));
			if (write_token(c, next, &err) != ASKCRED_OK)
				tap_diag("next writer: %s", err.message);
			temps = count_temps(env->dir);
			read_token(c, got, sizeof(got));
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
				(void)write_token(wc, tok, &err);
			}
		}
		usleep(delay % 8000u);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		read_token(c, got, sizeof(got));
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
	if (write_token(c, tok, &err) != ASKCRED_OK)
		tap_bail("first write: %s", err.message);

	ncalls = census(c, prev, sizeof(prev));
	kill_at_each_point(&env, c, ncalls, prev, sizeof(prev));
	random_kills(&env, c);

	/* One writer that runs to its end cleans up what the killed ones
	 * left behind. */
	token_for(999999u, tok, sizeof(tok));
	ok(write_token(c, tok, &err) == ASKCRED_OK,
	   "a writer that is not killed succeeds");
	is_int(count_temps(env.dir), 0, "no temp file is left once it has run");
	read_token(c, got, sizeof(got));
	is_str(got, tok, "and its generation is the one read back");
	cache_close(c);
	env_done(&env);
	return tap_done();
}
