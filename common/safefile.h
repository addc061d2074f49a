/* Opening files that hold secrets or configuration, the OpenSSH way: never
 * through a symlink, never inherited by children, and refused unless the
 * open descriptor (fstat, not the path) shows a regular file with one link,
 * owned by us or root, and not open to others. */
#ifndef ASKCRED_COMMON_SAFEFILE_H
#define ASKCRED_COMMON_SAFEFILE_H

#include <stddef.h>
#include <sys/types.h>

#include <askcred/provider.h>

/* What a file must satisfy. */
struct file_rules {
	const char *what; /* for messages: "credentials file", "stack file" */
	mode_t forbidden; /* mode bits that must be clear, e.g. 077 or 022 */
	int allow_root;	  /* root-owned is acceptable besides our euid */
	size_t max_size;  /* refuse larger files (0: no limit) */
};

/* Open path for reading under rules. *fd_out is the caller's to close. */
askcred_status safe_open_read(const char *path, const struct file_rules *rules,
			      int *fd_out, struct askcred_error *err);

/* Check an already open descriptor against rules. */
askcred_status safe_check_fd(int fd, const char *path,
			     const struct file_rules *rules,
			     struct askcred_error *err);

/* Read the whole file. *buf (len bytes + NUL) is the caller's; since it may
 * hold a secret, free it with free_wiped(buf, len + 1). */
askcred_status safe_read_file(const char *path, const struct file_rules *rules,
			      char **buf, size_t *len,
			      struct askcred_error *err);

/* Read one of askcred's own state files: a text of whole lines. A file
 * that does not exist yet is ASKCRED_OK with *buf NULL; a file cut short
 * (no final newline, or a NUL byte) is ASKCRED_CACHE_ERROR naming line 1;
 * other failures are ASKCRED_NO_MEMORY or ASKCRED_CACHE_ERROR. Free *buf
 * as for safe_read_file. */
askcred_status safe_read_state(const char *path, const struct file_rules *rules,
			       char **buf, size_t *len,
			       struct askcred_error *err);

/* Read all of fd (up to max bytes) into a NUL-terminated buffer, as above. */
askcred_status read_fd_all(int fd, const char *path, size_t max, char **buf,
			   size_t *len, struct askcred_error *err);

/* Write all len bytes of buf to fd, retrying short writes and EINTR.
 * 0, or -1 with errno set (EIO when write() made no progress). */
int write_fd_all(int fd, const void *buf, size_t len);

/* A directory must be ours (or root's), a real directory, and not writable
 * by group or others. */
askcred_status safe_check_dir(const char *path, const char *what,
			      struct askcred_error *err);

#endif
