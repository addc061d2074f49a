/* File-system primitives of the cache: private directories checked the way
 * OpenSSH checks them, and temp files that become visible atomically. */
#ifndef ASKCRED_PLUGIN_CACHE_FS_H
#define ASKCRED_PLUGIN_CACHE_FS_H

#include <stddef.h>

#include <askcred/provider.h>

/* Temp files are "<final name>~<16 hex>.tmp" in the same directory;
 * '~' is never in an entry name, so the sweep cannot mistake another
 * entry's temp file for one of ours. */
#define FS_TMP_MARK '~'
#define FS_PATH_MAX 4096

/* Create dir (mode 0700) if it is missing; its parent must exist, except
 * when make_parents is set (the per-user default location). Then check it:
 * a real directory owned by us (or root), not writable by group or others,
 * and every ancestor owned by us or root and not writable by others
 * unless sticky (like /tmp). */
askcred_status fs_private_dir(const char *dir, int make_parents,
			      struct askcred_error *err);

/* Write len bytes to a new temp file beside final_path, created with
 * O_EXCL|O_NOFOLLOW|O_CLOEXEC and mode 0600, and fsync it. The temp path is
 * written to tmp (FS_PATH_MAX); the caller renames or links it. */
askcred_status fs_write_temp(const char *final_path, const void *buf,
			     size_t len, char *tmp, struct askcred_error *err);

/* fsync the directory holding path, so a rename in it survives a crash. */
askcred_status fs_sync_parent(const char *path, struct askcred_error *err);

/* Remove the temp files of the given final names (basenames in dir) left
 * by killed writers. Only call with the lock that serialises writers of
 * those files held. Returns how many were removed. */
int fs_sweep_temps(const char *dir, const char *const *finals, size_t nfinals);

/* snprintf into a FS_PATH_MAX buffer; ASKCRED_CONFIG_ERROR if too long. */
askcred_status fs_path(char *out, struct askcred_error *err, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

#endif
