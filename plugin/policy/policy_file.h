/* Files the policy keeps in its state directory: written whole or not at
 * all, and guarded by one lock shared by every process on the host. */
#ifndef ASKCRED_PLUGIN_POLICY_FILE_H
#define ASKCRED_PLUGIN_POLICY_FILE_H

#include <stddef.h>

#include <askcred/provider.h>

/* dir/name, or an error naming the too-long path. */
askcred_status policy_path(char *buf, size_t size, const char *dir,
			   const char *name, struct askcred_error *err);

/* Replace dir/name with data atomically (temporary file, fsync, rename),
 * mode 0600. Never follows a symlink. */
askcred_status policy_write_file(const char *dir, const char *name,
				 const void *data, size_t len,
				 struct askcred_error *err);

/* Read dir/name (ours or root's, not writable by others) up to max bytes.
 * ASKCRED_NOT_FOUND when it does not exist. *buf as safe_read_file(). */
askcred_status policy_read_file(const char *dir, const char *name, size_t max,
				char **buf, size_t *len,
				struct askcred_error *err);

/* Take the state directory's exclusive lock (dir/policy.lock, flock);
 * *fd is released with policy_unlock(). Blocks while another process
 * holds it: holders only read and write small files. */
askcred_status policy_lock(const char *dir, int *fd, struct askcred_error *err);
void policy_unlock(int fd);

#endif
