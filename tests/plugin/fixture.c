#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <askcred/provider.h>

#include "fixture.h"
#include "tap.h"

static char tmpdir[PATH_MAX];
static char logbuf[65536];
static size_t logused;
static pthread_mutex_t loglock = PTHREAD_MUTEX_INITIALIZER;

const char *fixture_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "%s/askcred-plugin-XXXXXX",
		 base && *base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		tap_bail("mkdtemp: %s", strerror(errno));
	return tmpdir;
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	return remove(path);
}

void fixture_cleanup(void)
{
	if (tmpdir[0] == '\0')
		return;
	nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

char *fixture_path(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", fixture_tmpdir(), name);
	return buf;
}

char *fixture_write(char *buf, const char *name, const char *content,
		    mode_t mode)
{
	size_t len = strlen(content);
	int fd;

	fixture_path(buf, name);
	unlink(buf);
	fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len ||
	    fchmod(fd, mode) != 0 || close(fd) != 0)
		tap_bail("writing %s: %s", buf, strerror(errno));
	return buf;
}

void fixture_log(void *ctx, int level, const char *message)
{
	pthread_mutex_lock(&loglock);
	logused += (size_t)snprintf(
		logbuf + logused,
		logused < sizeof(logbuf) ? sizeof(logbuf) - logused : 0,
		"%d %s\n", level, message);
	if (logused >= sizeof(logbuf))
		logused = sizeof(logbuf) - 1;
	pthread_mutex_unlock(&loglock);
}

const char *fixture_logged(void)
{
	return logbuf;
}

void fixture_log_reset(void)
{
	pthread_mutex_lock(&loglock);
	logused = 0;
	logbuf[0] = '\0';
	pthread_mutex_unlock(&loglock);
}

void fixture_expand(char *out, size_t size, const char *tmpl, long delta)
{
	time_t t = time(NULL) + delta;
	struct tm tm;
	char when[32];
	size_t used = 0;
	const char *p = tmpl, *hit;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	out[0] = '\0';
	while ((hit = strstr(p, "{EXP}")) != NULL && used < size) {
		used += (size_t)snprintf(out + used, size - used, "%.*s%s",
					 (int)(hit - p), p, when);
		p = hit + 5;
	}
	if (used < size)
		snprintf(out + used, size - used, "%s", p);
}

const struct askcred_provider *fixture_provider(void **dl_out)
{
	char path[PATH_MAX], exe[PATH_MAX];
	const char *top = getenv("top_builddir");
	const struct askcred_provider *ops;
	askcred_provider_entry_fn entry;
	void *dl, *sym;
	ssize_t n;

	if (top != NULL && *top != '\0') {
		snprintf(path, sizeof(path), "%s/plugin/.libs/askcred_askui.so",
			 top);
	} else {
		/* Run by hand: the build tree is two levels above us. */
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			tap_bail("top_builddir is not set");
		exe[n] = '\0';
		snprintf(path, sizeof(path),
			 "%s/../../plugin/.libs/askcred_askui.so",
			 dirname(exe));
	}
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL)
		tap_bail("dlopen %s: %s", path, dlerror());
	sym = dlsym(dl, ASKCRED_PROVIDER_ENTRY_SYMBOL);
	if (sym == NULL)
		tap_bail("%s: no entry point", path);
	memcpy(&entry, &sym, sizeof(entry));
	ops = entry(ASKCRED_ABI_VERSION);
	if (ops == NULL)
		tap_bail("%s: no ops table", path);
	if (dl_out != NULL)
		*dl_out = dl;
	return ops;
}
