#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cache_fs.h"
#include "error.h"
#include "safefile.h"

askcred_status fs_path(char *out, struct askcred_error *err, const char *fmt,
		       ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, FS_PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= FS_PATH_MAX)
		return err_set(err, ASKCRED_CONFIG_ERROR, "cache path",
			       "path is too long");
	return ASKCRED_OK;
}

static int mkdir_parents(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* OpenSSH's secure_path(): a directory we trust must not be replaceable
 * by someone else through any of its ancestors. */
static askcred_status check_ancestors(const char *dir,
				      struct askcred_error *err)
{
	char buf[PATH_MAX];
	struct stat st;
	char *slash;

	if (realpath(dir, buf) == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, dir,
			       "cannot resolve cache directory: %s",
			       strerror(errno));
	while ((slash = strrchr(buf, '/')) != NULL) {
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(buf, &st) != 0)
			return err_set(err, ASKCRED_CONFIG_ERROR, buf,
				       "cannot stat: %s", strerror(errno));
		if (st.st_uid != 0 && st.st_uid != geteuid())
			return err_set(err, ASKCRED_CONFIG_ERROR, buf,
				       "bad ownership on a parent of the cache "
				       "directory: owned by uid %u",
				       (unsigned)st.st_uid);
		if ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0)
			return err_set(err, ASKCRED_CONFIG_ERROR, buf,
				       "bad permissions %04o on a parent of "
				       "the cache directory",
				       (unsigned)(st.st_mode & 07777));
		if (slash == buf)
			break;
	}
	return ASKCRED_OK;
}

askcred_status fs_private_dir(const char *dir, int make_parents,
			      struct askcred_error *err)
{
	char buf[FS_PATH_MAX];
	askcred_status rc;

	if (dir[0] != '/')
		return err_set(err, ASKCRED_CONFIG_ERROR, dir,
			       "cache directory must be an absolute path");
	if (make_parents) {
		rc = fs_path(buf, err, "%s", dir);
		if (rc != ASKCRED_OK)
			return rc;
		if (mkdir_parents(buf) != 0)
			return err_set(err, ASKCRED_CONFIG_ERROR, dir,
				       "cannot create parents: %s",
				       strerror(errno));
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(err, ASKCRED_CONFIG_ERROR, dir,
			       "cannot create cache directory: %s",
			       strerror(errno));
	rc = safe_check_dir(dir, "cache directory", err);
	if (rc != ASKCRED_OK)
		return rc;
	return check_ancestors(dir, err);
}

askcred_status fs_write_temp(const char *final_path, const void *buf,
			     size_t len, char *tmp, struct askcred_error *err)
{
	unsigned char rnd[8];
	askcred_status rc;
	int fd;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return err_set(err, err_openssl(), "RAND_bytes",
			       "no randomness for a temp name");
	rc = fs_path(tmp, err, "%s%c%02x%02x%02x%02x%02x%02x%02x%02x.tmp",
		     final_path, FS_TMP_MARK, rnd[0], rnd[1], rnd[2], rnd[3],
		     rnd[4], rnd[5], rnd[6], rnd[7]);
	if (rc != ASKCRED_OK)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return err_set(err, ASKCRED_CACHE_ERROR, tmp,
			       "cannot create temp file: %s", strerror(errno));
	if (write_fd_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, tmp,
			     "cannot write temp file: %s", strerror(errno));
		close(fd);
		unlink(tmp);
		return rc;
	}
	if (close(fd) != 0) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, tmp,
			     "cannot write temp file: %s", strerror(errno));
		unlink(tmp);
		return rc;
	}
	return ASKCRED_OK;
}

askcred_status fs_sync_parent(const char *path, struct askcred_error *err)
{
	char dir[FS_PATH_MAX];
	char *slash;
	int fd, rc;

	if (fs_path(dir, err, "%s", path) != ASKCRED_OK)
		return err->code;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		return err_set(err, ASKCRED_INTERNAL, path, "relative path");
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ASKCRED_CACHE_ERROR, dir,
			       "cannot open directory: %s", strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc != 0)
		return err_set(err, ASKCRED_CACHE_ERROR, dir,
			       "cannot sync directory: %s", strerror(errno));
	return ASKCRED_OK;
}

/* Is name exactly "<final>~<16 hex>.tmp"? */
static int is_temp_of(const char *name, const char *final)
{
	size_t n = strlen(final), i;

	if (strncmp(name, final, n) != 0 || name[n] != FS_TMP_MARK)
		return 0;
	name += n + 1;
	for (i = 0; i < 16; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return strcmp(name + 16, ".tmp") == 0;
}

int fs_sweep_temps(const char *dir, const char *const *finals, size_t nfinals)
{
	struct dirent *d;
	size_t i;
	DIR *dp;
	int n = 0;

	dp = opendir(dir);
	if (dp == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL)
		for (i = 0; i < nfinals; i++)
			if (is_temp_of(d->d_name, finals[i]) &&
			    unlinkat(dirfd(dp), d->d_name, 0) == 0)
				n++;
	closedir(dp);
	return n;
}
