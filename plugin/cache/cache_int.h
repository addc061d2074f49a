/* What the cache's files share behind cache.h. Not for the plugin core. */
#ifndef ASKCRED_PLUGIN_CACHE_INT_H
#define ASKCRED_PLUGIN_CACHE_INT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "cache.h"
#include "cache_context.h"
#include "cache_format.h"
#include "cache_fs.h"
#include "cache_lock.h"
#include "cache_state.h"

struct cache {
	char dir[FS_PATH_MAX];
	char key_path[FS_PATH_MAX]; /* "" unless keys come from a key file */
	struct cache_keyring ring;
	pthread_rwlock_t ring_lock; /* rotation against use */
	uint8_t host_id[CACHE_HOST_ID_LEN];
	uid_t uid;
	int64_t (*clock)(void *clock_ctx);
	void *clock_ctx;
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
	struct lock_table locks;
};

/* The files of one entry; name is "<workspace>@<entry>". */
struct entry_paths {
	char name[FS_PATH_MAX];
	char file[FS_PATH_MAX];	 /* <dir>/<name>.cache */
	char state[FS_PATH_MAX]; /* <dir>/<name>.state */
	char lock[FS_PATH_MAX];	 /* <dir>/<name>.lock */
};

int64_t cache_now(struct cache *c);

/* Check workspace (a UUID) and entry name, and build the paths. */
askcred_status store_paths(const struct cache *c, const char *workspace,
			   const char *entry, struct entry_paths *p,
			   struct askcred_error *err);

/* What every read of an entry starts with: out emptied, then the paths
 * as store_paths() builds them. */
askcred_status store_read_paths(const struct cache *c, const char *workspace,
				const char *entry, struct token_record *out,
				struct entry_paths *p,
				struct askcred_error *err);

/* cache_read() with the paths already built. */
askcred_status cache_read_at(struct cache *c, const char *workspace,
			     const char *entry, const struct entry_paths *p,
			     struct token_record *out,
			     struct askcred_error *err);

/* Read and open the entry from disk, refusing a replayed generation. No
 * lock needed. Codes as cache_read(). */
askcred_status store_load(struct cache *c, const char *workspace,
			  const char *entry, const struct entry_paths *p,
			  struct token_record *out, struct askcred_error *err);

/* With the entry lock held: the state as it stands, with generation set to
 * the floor the next write must exceed: the state's and the current file's,
 * whichever is higher. 1 when the state was readable (outage fields as
 * stored); 0 when it was damaged, or deleted beside a file: the floor is
 * unknown, st holds no outage, and generation jumps above any generation
 * written before now. */
int store_floor_locked(struct cache *c, const char *workspace,
		       const char *entry, const struct entry_paths *p,
		       struct cache_state *st);

/* With the entry lock held: stamp rec->cached_at with now, seal rec as the
 * next generation, replace the file and the state (outage fields from st)
 * durably, sweep orphans. */
askcred_status store_save_locked(struct cache *c, const char *workspace,
				 const char *entry, const struct entry_paths *p,
				 struct token_record *rec,
				 const struct cache_state *st,
				 struct askcred_error *err);

/* With the entry lock held: replace only the state file. */
askcred_status store_save_state_locked(const struct entry_paths *p,
				       const struct cache_state *st,
				       struct askcred_error *err);

#endif
