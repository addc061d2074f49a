#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "safefile.h"
#include "secret.h"

static int owner_ok(uid_t uid, int allow_root)
{
	return uid == geteuid() || (allow_root && uid == 0);
}

/* Say which of the forbidden bits are set, in words ("writable by group,
 * readable by others"), so the user sees what is wrong, not only a number. */
static void describe_open_bits(mode_t bits, char *out, size_t size)
{
	static const struct {
		mode_t bit;
		const char *text;
	} names[] = {
		{S_IRGRP, "readable by group"},
		{S_IWGRP, "writable by group"},
		{S_IXGRP, "executable by group"},
		{S_IROTH, "readable by others"},
		{S_IWOTH, "writable by others"},
		{S_IXOTH, "executable by others"},
	};
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((bits & names[i].bit) != 0 && used < size)
			used += (size_t)snprintf(out + used, size - used,
						 "%s%s", used ? ", " : "",
						 names[i].text);
}

askcred_status safe_check_fd(int fd, const char *path,
			     const struct file_rules *rules,
			     struct askcred_error *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "cannot stat %s: %s", rules->what,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "%s is not a regular file", rules->what);
	if (!owner_ok(st.st_uid, rules->allow_root))
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "bad ownership on %s: owned by uid %u, "
			       "expected uid %u%s",
			       rules->what, (unsigned)st.st_uid,
			       (unsigned)geteuid(),
			       rules->allow_root ? " or root" : "");
	/* More than one name: it may be changed through another. None: a
	 * writer renamed a new version over the name after we opened it;
	 * what we hold is the complete old file, which is fine to read. */
	if (st.st_nlink > 1)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "%s has %lu hard links; refusing a file that "
			       "may be changed through another name",
			       rules->what, (unsigned long)st.st_nlink);
	if ((st.st_mode & rules->forbidden) != 0) {
		char why[128];

		describe_open_bits(st.st_mode & rules->forbidden, why,
				   sizeof(why));
		return err_set(
			err, ASKCRED_CONFIG_ERROR, path,
			"permissions %04o for %s are too open: it is %s; "
			"run chmod %04o on it",
			(unsigned)(st.st_mode & 07777), rules->what, why,
			(unsigned)(st.st_mode & 07777 & ~rules->forbidden));
	}
	if (rules->max_size != 0 && (size_t)st.st_size > rules->max_size)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "%s is %lld bytes, more than the %zu allowed",
			       rules->what, (long long)st.st_size,
			       rules->max_size);
	return ASKCRED_OK;
}

askcred_status safe_open_read(const char *path, const struct file_rules *rules,
			      int *fd_out, struct askcred_error *err)
{
	askcred_status rc;
	int fd;

	/* O_NONBLOCK: a FIFO planted at the path must not hang us; it is
	 * refused by the regular-file check right after. */
	fd = open(path,
		  O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			return err_set(err, ASKCRED_CONFIG_ERROR, path,
				       "%s is a symbolic link; refusing to "
				       "follow it",
				       rules->what);
		return err_set(err,
			       errno == ENOENT ? ASKCRED_NOT_FOUND
					       : ASKCRED_CONFIG_ERROR,
			       path, "cannot open %s: %s", rules->what,
			       strerror(errno));
	}
	rc = safe_check_fd(fd, path, rules, err);
	if (rc != ASKCRED_OK) {
		close(fd);
		return rc;
	}
	*fd_out = fd;
	return ASKCRED_OK;
}

askcred_status read_fd_all(int fd, const char *path, size_t max, char **buf,
			   size_t *len, struct askcred_error *err)
{
	size_t cap = 4096, used = 0;
	char *data = malloc(cap);
	askcred_status rc = ASKCRED_OK;

	if (data == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, path, "out of memory");
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap) {
			char *bigger;

			if (cap >= max + 1) {
				rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
					     "file is larger than %zu bytes",
					     max);
				goto out;
			}
			/* Grow by copying so the old buffer can be wiped. */
			bigger = malloc(cap * 2);
			if (bigger == NULL) {
				rc = err_set(err, ASKCRED_NO_MEMORY, path,
					     "out of memory");
				goto out;
			}
			memcpy(bigger, data, used);
			free_wiped(data, cap);
			data = bigger;
			cap *= 2;
		}
		n = read(fd, data + used, cap - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
				     "read failed: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
				     "file is larger than %zu bytes", max);
			goto out;
		}
	}
	data[used] = '\0';
	*buf = data;
	*len = used;
	data = NULL;
out:
	free_wiped(data, cap);
	return rc;
}

askcred_status safe_read_file(const char *path, const struct file_rules *rules,
			      char **buf, size_t *len,
			      struct askcred_error *err)
{
	askcred_status rc;
	int fd = -1;

	rc = safe_open_read(path, rules, &fd, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = read_fd_all(fd, path,
			 rules->max_size ? rules->max_size : (size_t)1 << 20,
			 buf, len, err);
	close(fd);
	return rc;
}

askcred_status safe_read_state(const char *path, const struct file_rules *rules,
			       char **buf, size_t *len,
			       struct askcred_error *err)
{
	askcred_status rc;

	*buf = NULL;
	*len = 0;
	rc = safe_read_file(path, rules, buf, len, err);
	if (rc == ASKCRED_NOT_FOUND) {
		err_clear(err);
		return ASKCRED_OK;
	}
	/* Out of memory is not a broken state file: say which it is. */
	if (rc != ASKCRED_OK)
		return rc == ASKCRED_NO_MEMORY ? rc : ASKCRED_CACHE_ERROR;
	/* A file cut short (a full disk, a crash before the rename was
	 * durable) ends without its newline: damaged, not merely short. */
	if (*len == 0 || (*buf)[*len - 1] != '\n' || strlen(*buf) != *len) {
		free_wiped(*buf, *len + 1);
		*buf = NULL;
		return err_set_line(err, ASKCRED_CACHE_ERROR, path, 1,
				    "malformed %s", rules->what);
	}
	return ASKCRED_OK;
}

askcred_status safe_check_dir(const char *path, const char *what,
			      struct askcred_error *err)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return err_set(err,
			       errno == ENOENT ? ASKCRED_NOT_FOUND
					       : ASKCRED_CONFIG_ERROR,
			       path, "cannot stat %s: %s", what,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "%s is not a directory%s", what,
			       S_ISLNK(st.st_mode) ? " (it is a symbolic link)"
						   : "");
	if (!owner_ok(st.st_uid, 1))
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "bad ownership on %s: owned by uid %u", what,
			       (unsigned)st.st_uid);
	if ((st.st_mode & 022) != 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "bad permissions %04o on %s: writable by group "
			       "or others",
			       (unsigned)(st.st_mode & 07777), what);
	return ASKCRED_OK;
}

int write_fd_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
