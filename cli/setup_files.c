/* Judging and writing askcred setup's files. Paths are opened with
 * O_NOFOLLOW: a symlink planted where a credential goes is refused, not
 * followed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "safefile.h"
#include "secret.h"
#include "setup_files.h"

void setup_file_free(struct setup_file *f)
{
	if (f->content != NULL)
		free_wiped(f->content, f->len + 1);
	f->content = NULL;
}

int setup_judge(struct setup_file *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct file_rules rules = {
		.what = f->what,
		.forbidden = (mode_t)(~f->mode & 077),
		.allow_root = 1,
		.max_size = 1024 * 1024,
	};
	struct stat sb;
	char *old = NULL;
	size_t len = 0;

	if (lstat(f->path, &sb) != 0 && errno == ENOENT) {
		f->state = SETUP_MISSING;
		return 0;
	}
	if (safe_read_file(f->path, &rules, &old, &len, &err) != ASKCRED_OK) {
		fprintf(stderr,
			"askcred: setup: cannot read the %s %s: %s; fix or "
			"remove it\n",
			f->what, f->path, err.message);
		return -1;
	}
	f->state = len == f->len && CRYPTO_memcmp(old, f->content, len) == 0
			   ? SETUP_SAME
			   : SETUP_DIFFERS;
	free_wiped(old, len + 1);
	return 0;
}

int setup_write(const struct setup_file *f)
{
	char tmp[4096 + 16];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.new", f->path) >= (int)sizeof(tmp))
		return -1;
	(void)unlink(tmp); /* a leftover of a killed run */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  f->mode);
	if (fd < 0 || fchmod(fd, f->mode) != 0 ||
	    write_fd_all(fd, f->content, f->len) != 0 || fsync(fd) != 0) {
		fprintf(stderr, "askcred: setup: cannot write %s: %s\n", tmp,
			strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, f->path) != 0) {
		fprintf(stderr, "askcred: setup: cannot put %s in place: %s\n",
			f->path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int setup_mkdirs(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			/* askcred runs with umask 077: a host directory
			 * others must read gets its mode explicitly. */
			if (mkdir(buf, mode) == 0 ? chmod(buf, mode) != 0
						  : errno != EEXIST) {
				fprintf(stderr,
					"askcred: setup: cannot create the "
					"directory %s: %s\n",
					buf, strerror(errno));
				return -1;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}
