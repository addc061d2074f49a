/* Test fixture: temp dir, stack files, the mock's trace. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_test.h"
#include "tap.h"

void fixture_init(struct fixture *f)
{
	const char *tmp = getenv("TMPDIR");
	const char *build = getenv("top_builddir");
	char cwd[PATH_MAX];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/askcred-host.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		tap_bail("mkdtemp %s failed", f->dir);
	snprintf(f->trace, sizeof(f->trace), "%s/trace", f->dir);
	/* Run by hand from the build dir, top_builddir may be unset; module
	 * paths must still be absolute. */
	if (build == NULL && (build = getcwd(cwd, sizeof(cwd))) == NULL)
		tap_bail("getcwd failed");
	snprintf(f->modules, sizeof(f->modules), "%s/tests/host/modules/.libs",
		 build);
	if (setenv("MOCK_TRACE", f->trace, 1) != 0)
		tap_bail("setenv failed");
	f->opts.struct_size = sizeof(f->opts);
	f->opts.stack_dir = f->dir;
	f->opts.module_dir = f->modules;
}

void fixture_done(struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[PATH_MAX + 256];

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(f->dir);
}

const char *fixture_stack(struct fixture *f, const char *name, const char *text,
			  size_t len, mode_t mode)
{
	int fd;

	snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);
	unlink(f->path);
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		tap_bail("cannot create %s", f->path);
	if (len == 0)
		len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		tap_bail("short write to %s", f->path);
	/* fchmod, not the umask: the test decides the mode. */
	if (fchmod(fd, mode) != 0)
		tap_bail("fchmod %s failed", f->path);
	close(fd);
	return f->path;
}

static char *slurp_trace(const struct fixture *f)
{
	static char buf[16384];
	FILE *fp = fopen(f->trace, "re");
	size_t n = 0;

	buf[0] = '\0';
	if (fp == NULL)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

const char *fixture_calls(const struct fixture *f, const char *op)
{
	static char out[16384];
	char *text = slurp_trace(f), *save = NULL, *line;
	size_t used = 0;

	out[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64], lop[32];
		const char *show = line;

		if (op != NULL) {
			if (sscanf(line, "%63s %31s", name, lop) != 2 ||
			    strcmp(lop, op) != 0)
				continue;
			show = name;
		}
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s",
					 used ? " " : "", show);
		if (used >= sizeof(out))
			tap_bail("trace too long");
	}
	return out;
}

static int field_matches(const char *want, const char *got)
{
	return want == NULL || strcmp(want, got) == 0;
}

int fixture_count(const struct fixture *f, const char *name, const char *op,
		  const char *extra)
{
	char *text = slurp_trace(f), *save = NULL, *line;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char w[3][64] = {"", "", ""};

		if (sscanf(line, "%63s %63s %63s", w[0], w[1], w[2]) < 2)
			continue;
		n += field_matches(name, w[0]) && field_matches(op, w[1]) &&
		     field_matches(extra, w[2]);
	}
	return n;
}

void fixture_reset(const struct fixture *f)
{
	unlink(f->trace);
}
