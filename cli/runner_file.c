/* Writing the runner config copy to a private file and removing it; the
 * editing itself is runner_config.c. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "runner_config.h"
#include "safefile.h"

/* The runner picks the format by the name's ending: keep the source's. */
static const char *suffix_of(const char *src, const char *text)
{
	const char *base = strrchr(src, '/'), *dot;

	base = base != NULL ? base + 1 : src;
	dot = strrchr(base, '.');
	if (dot != NULL &&
	    (strcmp(dot, ".json") == 0 || strcmp(dot, ".yaml") == 0 ||
	     strcmp(dot, ".yml") == 0))
		return dot;
	text += strspn(text, " \t\r\n");
	return *text == '{' ? ".json" : ".yaml";
}

/* $XDG_RUNTIME_DIR when it is an absolute path to a directory that is
 * ours and closed to others; else NULL. */
static const char *runtime_dir(void)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (dir == NULL || dir[0] != '/' || lstat(dir, &st) != 0 ||
	    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0)
		return NULL;
	return dir;
}

/* Where the private askcred-XXXXXX directories go: $TMPDIR when it is an
 * absolute path to a directory (as mktemp(1) does), else /tmp. The
 * directory itself is made 0700 by mkdtemp, whatever its parent. */
#define TMP_NAME_MAX 32 /* "/askcred-XXXXXX/" and the copy's name fit */
static const char *tmp_base(void)
{
	const char *dir = getenv("TMPDIR");
	struct stat st;

	if (dir == NULL || dir[0] != '/' ||
	    strlen(dir) + TMP_NAME_MAX + NAME_MAX >= PATH_MAX ||
	    stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return "/tmp";
	return dir;
}

static askcred_status write_all(int fd, const char *path, const char *p,
				size_t len, struct askcred_error *err)
{
	if (write_fd_all(fd, p, len) != 0)
		return err_set(err, ASKCRED_INTERNAL, path,
			       "cannot write the runner config: %s",
			       strerror(errno));
	return ASKCRED_OK;
}

/* Put a fresh name for the copy in dir into rf->path:
 * "askcred-runner-<pid>-<8 random hex><ending>". The random part makes a
 * name left by a killed askcred whose pid came round again no obstacle.
 * 0, or -1 when the name would not fit. */
static int pick_name(struct runner_file *rf, const char *dir,
		     const char *suffix, int tries)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)tries; /* O_EXCL and linkat still refuse */
	if ((size_t)snprintf(rf->path, sizeof(rf->path),
			     "%s/askcred-runner-%ld-%08x%s", dir,
			     (long)getpid(), (unsigned)r,
			     suffix) < sizeof(rf->path))
		return 0;
	rf->path[0] = '\0';
	return -1;
}

/* A new file for the copy in dir, mode 0600 and exclusively locked before
 * any gc can see it: an unnamed O_TMPFILE inode (named by link_copy()
 * once written, so the name never shows a half-written copy), or where
 * the filesystem has no O_TMPFILE, a new name made with O_EXCL (which
 * never writes through anything already there) and locked at once; the
 * pid in its name covers that moment for a gc in our pid namespace. The
 * fd, or -1 with *rc and err set. */
static int create_locked(struct runner_file *rf, const char *dir,
			 const char *suffix, struct askcred_error *err,
			 askcred_status *rc)
{
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);

	for (int tries = 0; fd < 0 && tries < 8; tries++) {
		if (pick_name(rf, dir, suffix, tries) != 0) {
			*rc = err_set(err, ASKCRED_CONFIG_ERROR, dir,
				      "directory name too long");
			return -1;
		}
		fd = open(rf->path,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd >= 0 && flock(fd, LOCK_EX) == 0)
		return fd;
	*rc = err_set(err, ASKCRED_INTERNAL, rf->path[0] ? rf->path : dir,
		      "cannot create the runner config copy: %s",
		      strerror(errno));
	if (fd >= 0) {
		if (rf->path[0] != '\0')
			unlink(rf->path);
		close(fd);
	}
	rf->path[0] = '\0';
	return -1;
}

/* Give the written O_TMPFILE inode fd its name in dir. linkat() refuses
 * a name that exists, as O_EXCL does. Through /proc/self/fd, or where
 * /proc is not mounted, AT_EMPTY_PATH (which needs privilege). */
static askcred_status link_copy(struct runner_file *rf, int fd, const char *dir,
				const char *suffix, struct askcred_error *err)
{
	char self[64];
	int r = -1;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 8; tries++) {
		if (pick_name(rf, dir, suffix, tries) != 0)
			return err_set(err, ASKCRED_CONFIG_ERROR, dir,
				       "directory name too long");
		r = linkat(AT_FDCWD, self, AT_FDCWD, rf->path,
			   AT_SYMLINK_FOLLOW);
		if (r != 0 && errno == ENOENT)
			r = linkat(fd, "", AT_FDCWD, rf->path, AT_EMPTY_PATH);
		if (r == 0 || errno != EEXIST)
			break;
	}
	if (r == 0)
		return ASKCRED_OK;
	rf->path[0] = '\0';
	return err_set(err, ASKCRED_INTERNAL, dir,
		       "cannot name the runner config copy: %s",
		       strerror(errno));
}

/* The runner config src, read safely, with the token put in: *edited
 * (the caller wipes it) and the text it came from (*text, *len). */
static askcred_status read_edited(const char *src, const char *token,
				  size_t token_len, char **text, size_t *len,
				  struct secret *edited,
				  struct askcred_error *err)
{
	/* The source holds no token yet, but it must not be writable by
	 * others: they could redirect the runner's queue. */
	const struct file_rules rules = {"runner config", 022, 1, 1u << 20};
	askcred_status rc = safe_read_file(src, &rules, text, len, err);

	if (rc == ASKCRED_OK)
		rc = runner_config_edit(src, *text, *len, token, token_len,
					edited, err);
	return rc;
}

/* edited in a new file in dir, locked and owner-only, with its name (an
 * unnamed O_TMPFILE inode is linked once it is whole). Its descriptor
 * (the caller closes it), or -1; *rc says how it went either way. */
static int write_locked(struct runner_file *rf, const char *dir,
			const char *suffix, const struct secret *edited,
			struct askcred_error *err, askcred_status *rc)
{
	int fd = create_locked(rf, dir, suffix, err, rc);

	if (fd < 0)
		return -1;
	/* Whatever the umask, the copy holds the token: owner only. */
	if (fchmod(fd, 0600) != 0)
		*rc = err_set(err, ASKCRED_INTERNAL, dir, "chmod: %s",
			      strerror(errno));
	else
		*rc = write_all(fd, dir, edited->buf, edited->len, err);
	if (*rc == ASKCRED_OK && rf->path[0] == '\0')
		*rc = link_copy(rf, fd, dir, suffix, err);
	return fd;
}

askcred_status runner_file_write(struct runner_file *rf, const char *src,
				 const char *token, size_t token_len,
				 struct askcred_error *err)
{
	struct secret edited = SECRET_INIT;
	const char *dir = runtime_dir();
	char *text = NULL;
	size_t len = 0;
	askcred_status rc;

	rf->path[0] = rf->dir[0] = '\0';
	rf->fd = -1;
	rc = read_edited(src, token, token_len, &text, &len, &edited, err);
	if (rc != ASKCRED_OK)
		goto out;
	if (dir == NULL) {
		snprintf(rf->dir, sizeof(rf->dir), "%s/askcred-XXXXXX",
			 tmp_base());
		if (mkdtemp(rf->dir) == NULL) {
			rc = err_set(err, ASKCRED_INTERNAL, tmp_base(),
				     "cannot make a private directory: %s",
				     strerror(errno));
			rf->dir[0] = '\0';
			goto out;
		}
		dir = rf->dir;
	}
	rf->fd = write_locked(rf, dir, suffix_of(src, text), &edited, err, &rc);
out:
	secret_clear(&edited);
	free_wiped(text, len + 1);
	if (rc != ASKCRED_OK)
		runner_file_remove(rf);
	return rc;
}

askcred_status runner_file_rewrite(struct runner_file *rf, const char *src,
				   const char *token, size_t token_len,
				   struct askcred_error *err)
{
	struct runner_file nf = RUNNER_FILE_INIT;
	struct secret edited = SECRET_INIT;
	char dir[PATH_MAX], *slash;
	const char *suffix = strrchr(rf->path, '.');
	char *text = NULL;
	size_t len = 0;
	int fd;
	askcred_status rc;

	snprintf(dir, sizeof(dir), "%s", rf->path);
	slash = strrchr(dir, '/');
	if (rf->fd < 0 || slash == NULL || suffix == NULL)
		return err_set(err, ASKCRED_INTERNAL, "runner config",
			       "no copy to rewrite");
	*slash = '\0';
	rc = read_edited(src, token, token_len, &text, &len, &edited, err);
	if (rc != ASKCRED_OK)
		goto out;
	/* A new locked file beside the copy, named, then renamed over it:
	 * a reader sees the old copy or the new one, never half of one. */
	fd = write_locked(&nf, dir, suffix, &edited, err, &rc);
	if (fd < 0)
		goto out;
	if (rc == ASKCRED_OK && rename(nf.path, rf->path) != 0)
		rc = err_set(err, ASKCRED_INTERNAL, rf->path,
			     "cannot replace the runner config copy: %s",
			     strerror(errno));
	if (rc != ASKCRED_OK) {
		if (nf.path[0] != '\0')
			unlink(nf.path);
		close(fd);
		goto out;
	}
	/* The old inode has no name left: its lock can go. */
	close(rf->fd);
	rf->fd = fd;
out:
	secret_clear(&edited);
	free_wiped(text, len + 1);
	return rc;
}

int runner_file_remove(struct runner_file *rf)
{
	int ret = 0;

	if (rf->path[0] != '\0' && unlink(rf->path) != 0 && errno != ENOENT)
		ret = -1;
	rf->path[0] = '\0';
	/* Only now, with the name gone, is the lock let go. */
	if (rf->fd >= 0)
		close(rf->fd);
	rf->fd = -1;
	if (rf->dir[0] != '\0' && rmdir(rf->dir) != 0 && ret == 0)
		ret = -1;
	rf->dir[0] = '\0';
	return ret;
}

/* "askcred-runner-<pid>-<8 hex>.<ending>": a copy we wrote; its pid. */
static long copy_pid(const char *name)
{
	const char *p = name + strlen("askcred-runner-");
	char *end;
	long pid;

	if (strncmp(name, "askcred-runner-", 15) != 0 || *p < '1' || *p > '9')
		return -1;
	pid = strtol(p, &end, 10);
	if (*end != '-' || strspn(end + 1, "0123456789abcdef") != 8 ||
	    (strcmp(end + 9, ".json") != 0 && strcmp(end + 9, ".yaml") != 0 &&
	     strcmp(end + 9, ".yml") != 0))
		return -1;
	return pid;
}

/* Remove the copy name in dir when no askcred holds it: a regular file
 * of ours whose lock we can take. The lock is held across the unlink, and
 * the name must still be the inode we locked. 1 when removed, else 0. */
static int sweep_one(int dfd, const char *name)
{
	struct stat st, now;
	int fd = openat(dfd, name,
			O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int removed = 0;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    now.st_dev == st.st_dev && now.st_ino == st.st_ino &&
	    unlinkat(dfd, name, 0) == 0)
		removed = 1;
	close(fd);
	return removed;
}

/* Remove the copies in dir left by an askcred that is gone (killed before
 * it could clean up). A pid alive in our view keeps its file without a
 * look at the lock (the moment between an O_EXCL create and its flock);
 * any other file goes only if its lock is free, since its askcred may run
 * in another pid namespace, where its pid means nothing to us. */
static int sweep_dir(int dfd, const char *dir, runner_swept_cb cb, void *ctx)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int n = 0;

	if (d == NULL) {
		close(dfd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		long pid = copy_pid(e->d_name);
		char path[PATH_MAX];

		if (pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		if (!sweep_one(dirfd(d), e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		cb(ctx, path, pid);
		n++;
	}
	closedir(d);
	return n;
}

int runner_file_sweep(runner_swept_cb cb, void *ctx)
{
	const char *run = runtime_dir(), *base;
	DIR *tmp;
	struct dirent *e;
	int n = 0, k, fd;

	if (run != NULL) {
		fd = open(run, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			n += sweep_dir(fd, run, cb, ctx);
	}
	/* The fallback directories: $TMPDIR/askcred-XXXXXX, ours, 0700. */
	base = tmp_base();
	tmp = opendir(base);
	while (tmp != NULL && (e = readdir(tmp)) != NULL) {
		char dir[PATH_MAX];
		struct stat st;

		if (strncmp(e->d_name, "askcred-", 8) != 0 ||
		    strlen(e->d_name) != 14 ||
		    strspn(e->d_name + 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
					  "klmnopqrstuvwxyz0123456789") != 6)
			continue;
		fd = openat(dirfd(tmp), e->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) != 0 || st.st_uid != geteuid() ||
		    (st.st_mode & 077) != 0) {
			close(fd);
			continue;
		}
		snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name);
		k = sweep_dir(fd, dir, cb, ctx);
		if (k > 0) {
			n += k;
			/* Empty now unless something else is in it: then
			 * it stays. */
			unlinkat(dirfd(tmp), e->d_name, AT_REMOVEDIR);
		}
	}
	if (tmp != NULL)
		closedir(tmp);
	return n;
}
