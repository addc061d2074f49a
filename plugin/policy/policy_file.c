#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "policy_file.h"
#include "safefile.h"

askcred_status policy_path(char *buf, size_t size, const char *dir,
			   const char *name, struct askcred_error *err)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size)
		return err_set(err, ASKCRED_CONFIG_ERROR, dir,
			       "state directory path is too long");
	return ASKCRED_OK;
}

static askcred_status write_all(int fd, const char *path, const void *data,
				size_t len, struct askcred_error *err)
{
	if (write_fd_all(fd, data, len) != 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "write failed: %s", strerror(errno));
	return ASKCRED_OK;
}

askcred_status policy_write_file(const char *dir, const char *name,
				 const void *data, size_t len,
				 struct askcred_error *err)
{
	char path[4096], tmp[4096 + 32];
	askcred_status rc;
	int fd = -1;

	rc = policy_path(path, sizeof(path), dir, name, err);
	if (rc != ASKCRED_OK)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	/* A stale temporary from a crashed run is ours to replace. */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, tmp,
			       "cannot create: %s", strerror(errno));
	rc = write_all(fd, tmp, data, len, err);
	if (rc == ASKCRED_OK && fsync(fd) != 0)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, tmp, "fsync failed: %s",
			     strerror(errno));
	if (close(fd) != 0 && rc == ASKCRED_OK)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, tmp, "close failed: %s",
			     strerror(errno));
	if (rc == ASKCRED_OK && rename(tmp, path) != 0)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "cannot replace: %s", strerror(errno));
	if (rc != ASKCRED_OK)
		(void)unlink(tmp);
	return rc;
}

askcred_status policy_read_file(const char *dir, const char *name, size_t max,
				char **buf, size_t *len,
				struct askcred_error *err)
{
	const struct file_rules rules = {"policy state file", 022, 1, max};
	char path[4096];
	askcred_status rc;

	rc = policy_path(path, sizeof(path), dir, name, err);
	if (rc != ASKCRED_OK)
		return rc;
	return safe_read_file(path, &rules, buf, len, err);
}

askcred_status policy_lock(const char *dir, int *fd, struct askcred_error *err)
{
	const struct file_rules rules = {"policy lock file", 022, 1, 0};
	char path[4096];
	askcred_status rc;

	*fd = -1;
	rc = safe_check_dir(dir, "policy state directory", err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = policy_path(path, sizeof(path), dir, "policy.lock", err);
	if (rc != ASKCRED_OK)
		return rc;
	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "cannot open lock file: %s", strerror(errno));
	rc = safe_check_fd(*fd, path, &rules, err);
	while (rc == ASKCRED_OK && flock(*fd, LOCK_EX) != 0) {
		if (errno != EINTR)
			rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
				     "cannot lock: %s", strerror(errno));
	}
	if (rc != ASKCRED_OK) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

void policy_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the flock */
}
