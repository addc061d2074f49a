/* The refresh lock of one entry: an in-process mutex (so threads of one
 * host process queue cheaply) in front of flock(2) on "<entry>.lock".
 * flock, not classic fcntl locks: those belong to the process and vanish
 * when the host closes *any* descriptor of the file. */
#ifndef ASKCRED_PLUGIN_CACHE_LOCK_H
#define ASKCRED_PLUGIN_CACHE_LOCK_H

#include <pthread.h>
#include <stdint.h>

#include <askcred/provider.h>

#define LOCK_STRIPES 16

/* Mutexes striped by entry name; one table per cache handle. */
struct lock_table {
	pthread_mutex_t mu[LOCK_STRIPES];
};

struct cache_lock {
	pthread_mutex_t *mu; /* held when non-NULL */
	int fd;		     /* flock held when >= 0 */
};
#define CACHE_LOCK_INIT                                                        \
	{                                                                      \
		NULL, -1                                                       \
	}

int lock_table_init(struct lock_table *t);
void lock_table_destroy(struct lock_table *t);

/* Called between attempts while waiting; return non-zero to stop waiting
 * (e.g. another process's result is now on disk). */
typedef int (*lock_wait_fn)(void *ctx);

/* Take the lock of path. wait_ms 0: one attempt. Otherwise retry (with
 * short sleeps, calling give_up between tries if not NULL) for at most
 * wait_ms. ASKCRED_UNAVAILABLE: busy or timed out (err says which);
 * ASKCRED_IGNORE: give_up said stop. Other codes: the lock file is unsafe
 * or cannot be created. */
askcred_status lock_acquire(struct lock_table *t, const char *path,
			    uint32_t wait_ms, lock_wait_fn give_up, void *ctx,
			    struct cache_lock *out, struct askcred_error *err);
void lock_release(struct cache_lock *l);

#endif
