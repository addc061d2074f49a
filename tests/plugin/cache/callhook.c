/* See callhook.h. Paths are named by the cache's own file names. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "callhook.h"

struct callhook callhook;

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

void callhook_arm(enum callhook_action action, unsigned at,
		  enum callhook_when when, int fail_errno)
{
	callhook.calls = 0;
	callhook.at = at;
	callhook.when = when;
	callhook.action = action;
	callhook.fail_errno = fail_errno;
	callhook.armed = 1;
}

unsigned callhook_disarm(void)
{
	callhook.armed = 0;
	return callhook.calls;
}

unsigned callhook_find(unsigned from, const char *prefix, int last)
{
	unsigned n = callhook.calls < CALLHOOK_MAX ? callhook.calls
						   : CALLHOOK_MAX,
		 found = 0;

	for (unsigned i = from; i < n; i++)
		if (strncmp(callhook.what[i], prefix, strlen(prefix)) == 0) {
			found = i + 1;
			if (!last)
				break;
		}
	return found;
}

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

/* Around each watched call: count and name it, and act if it is the
 * chosen one. Returns 1 when the call must fail instead of running. */
static int point(enum callhook_when when, const char *fmt, ...)
{
	va_list ap;

	if (!callhook.armed)
		return 0;
	if (when == CALLHOOK_BEFORE) {
		callhook.calls++;
		if (callhook.calls <= CALLHOOK_MAX) {
			va_start(ap, fmt);
			vsnprintf(callhook.what[callhook.calls - 1],
				  sizeof(callhook.what[0]), fmt, ap);
			va_end(ap);
		}
	}
	if (callhook.at != callhook.calls)
		return 0;
	if (callhook.action == CALLHOOK_KILL && callhook.when == when)
		kill(getpid(), SIGKILL);
	if (callhook.action == CALLHOOK_FAIL && when == CALLHOOK_BEFORE) {
		errno = callhook.fail_errno;
		return 1;
	}
	return 0;
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
	if (watched && point(CALLHOOK_BEFORE, "open %s%s",
			     flags & O_CREAT ? "(create) " : "", kind_of(path)))
		return -1;
	fd = __real_open(path, flags, mode);
	if (watched)
		point(CALLHOOK_AFTER, NULL);
	return fd;
}

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	ssize_t n;

	if (point(CALLHOOK_BEFORE, "write %s", kind_of_fd(fd)))
		return -1;
	n = __real_write(fd, buf, len);
	point(CALLHOOK_AFTER, NULL);
	return n;
}

int __wrap_fsync(int fd)
{
	int rc;

	if (point(CALLHOOK_BEFORE, "fsync %s", kind_of_fd(fd)))
		return -1;
	rc = __real_fsync(fd);
	point(CALLHOOK_AFTER, NULL);
	return rc;
}

int __wrap_rename(const char *from, const char *to)
{
	int rc;

	if (point(CALLHOOK_BEFORE, "rename %s -> %s", kind_of(from),
		  kind_of(to)))
		return -1;
	rc = __real_rename(from, to);
	point(CALLHOOK_AFTER, NULL);
	return rc;
}

int __wrap_unlink(const char *path)
{
	int rc;

	if (point(CALLHOOK_BEFORE, "unlink %s", kind_of(path)))
		return -1;
	rc = __real_unlink(path);
	point(CALLHOOK_AFTER, NULL);
	return rc;
}

int __wrap_unlinkat(int dirfd, const char *path, int flags)
{
	int rc;

	if (point(CALLHOOK_BEFORE, "unlink %s", kind_of(path)))
		return -1;
	rc = __real_unlinkat(dirfd, path, flags);
	point(CALLHOOK_AFTER, NULL);
	return rc;
}
