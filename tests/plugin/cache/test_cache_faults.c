/* Fault paths of cache_write, one at a time and deterministically: each
 * call that changes the disk (listed by a census, see callhook.h) is made
 * to fail with EIO in a forked writer. For each, the writer must not
 * crash, must report the failure, must free every allocation it made
 * (malloc, calloc, realloc and free of the cache and common code are
 * wrapped and counted here), must close every descriptor and remove its
 * temp files, and the entry must read back as the old generation, or as
 * the new one once the cache file was renamed into place. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache_test.h"
#include "callhook.h"
#include "error.h"
#include "tap.h"

#define ENTRY "faults"
#define LIVE_MAX 4096

/* ---- allocations made by our code while armed ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static struct {
	int armed;
	void *live[LIVE_MAX];
	unsigned overflow; /* more live blocks than the table holds */
} allocs;

static void track(void *p)
{
	if (!allocs.armed || p == NULL)
		return;
	for (unsigned i = 0; i < LIVE_MAX; i++)
		if (allocs.live[i] == NULL) {
			allocs.live[i] = p;
			return;
		}
	allocs.overflow++;
}

static void untrack(void *p)
{
	if (p == NULL)
		return;
	for (unsigned i = 0; i < LIVE_MAX; i++)
		if (allocs.live[i] == p) {
			allocs.live[i] = NULL;
			return;
		}
}

static unsigned live_count(void)
{
	unsigned n = allocs.overflow;

	for (unsigned i = 0; i < LIVE_MAX; i++)
		n += allocs.live[i] != NULL;
	return n;
}

void *__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);

	track(p);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = __real_calloc(n, size);

	track(p);
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	void *q = __real_realloc(p, n);

	if (q != NULL || n == 0)
		untrack(p);
	track(q);
	return q;
}

void __wrap_free(void *p)
{
	untrack(p);
	__real_free(p);
}

/* ---- helpers ---- */

static int count_entries(const char *dir, const char *part)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += part == NULL ? de->d_name[0] != '.'
				  : strstr(de->d_name, part) != NULL;
	closedir(d);
	return n;
}

struct outcome {
	int status;	 /* waitpid status of the writer */
	int rc;		 /* cache_write's status */
	unsigned leaked; /* our allocations left live */
	int fds;	 /* descriptors left open */
	char msg[400];	 /* the error's where: message */
};

/* A writer in a child, with call number at failing with EIO. */
static void failing_writer(struct cache *c, const char *tok, unsigned at,
			   struct outcome *o)
{
	int pfd[2];
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (pipe(pfd) != 0)
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct outcome r;
		int fds_before;

		close(pfd[0]);
		memset(&r, 0, sizeof(r));
		fds_before = count_entries("/proc/self/fd", NULL);
		allocs.armed = 1;
		callhook_arm(CALLHOOK_FAIL, at, CALLHOOK_BEFORE, EIO);
		r.rc = write_token(c, ENTRY, tok, &err);
		callhook_disarm();
		allocs.armed = 0;
		r.leaked = live_count();
		r.fds = count_entries("/proc/self/fd", NULL) - fds_before;
		snprintf(r.msg, sizeof(r.msg), "%s: %s", err.where,
			 err.message);
		if (write(pfd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], o, sizeof(*o)) != (ssize_t)sizeof(*o))
		o->rc = -1;
	close(pfd[0]);
	if (waitpid(pid, &o->status, 0) != pid)
		tap_bail("waitpid: %s", strerror(errno));
}

int main(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct test_env env;
	struct cache *c;
	char prev[64] = "tok-0", tok[64], got[512];
	unsigned ncalls, commit;

	env_init(&env);
	c = open_or_bail(&env.cfg);
	if (write_token(c, ENTRY, prev, &err) != ASKCRED_OK)
		tap_bail("first write: %s", err.message);

	/* The census: the calls of one write, from the same state. */
	snprintf(prev, sizeof(prev), "tok-census");
	callhook_arm(CALLHOOK_COUNT, 0, CALLHOOK_BEFORE, 0);
	if (write_token(c, ENTRY, prev, &err) != ASKCRED_OK)
		tap_bail("census write: %s", err.message);
	ncalls = callhook_disarm();
	if (ncalls == 0 || ncalls > CALLHOOK_MAX)
		tap_bail("census: %u calls", ncalls);
	commit = callhook_find(0, "rename cache temp -> cache file", 0);
	if (commit == 0)
		tap_bail("census: no rename of the cache file");

	for (unsigned at = 1; at <= ncalls; at++) {
		const char *what = callhook.what[at - 1];
		int is_new = at > commit, crashed;
		struct outcome o;
		const char *want;

		snprintf(tok, sizeof(tok), "tok-%u", at);
		failing_writer(c, tok, at, &o);
		crashed = !WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0;
		ok(!crashed, "EIO from %s (call %u): the writer does not crash",
		   what, at);
		if (crashed) {
			tap_diag("writer status %d (signal %d)", o.status,
				 WIFSIGNALED(o.status) ? WTERMSIG(o.status)
						       : 0);
			continue;
		}
		ok(o.rc != ASKCRED_OK,
		   "EIO from %s: the failure is reported (%s: %s)", what,
		   status_name((askcred_status)o.rc), o.msg);
		is_int(o.leaked, 0, "EIO from %s: no allocation is left", what);
		is_int(o.fds, 0, "EIO from %s: no descriptor is left", what);
		is_int(count_entries(env.dir, ".tmp"), 0,
		       "EIO from %s: no temp file is left", what);
		read_token(c, ENTRY, got, sizeof(got));
		want = is_new ? tok : prev;
		is_str(got, want, "EIO from %s: the entry reads back as the %s",
		       what, is_new ? "new generation" : "old generation");
		snprintf(prev, sizeof(prev), "%s", got);
	}

	/* And after all that, a plain write works. */
	ok(write_token(c, ENTRY, "tok-last", &err) == ASKCRED_OK,
	   "after the failures a write succeeds");
	read_token(c, ENTRY, got, sizeof(got));
	is_str(got, "tok-last", "and reads back");
	cache_close(c);
	env_done(&env);
	return tap_done();
}
