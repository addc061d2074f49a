/* The credential object handed to the host. It embeds the public struct
 * askcred_credential as its first member, owns the token, and is
 * reference counted: the in-memory cache keeps one reference and hands the
 * very same, immutable object to every caller on a hit, so a warm fetch is
 * an atomic increment (no malloc, no copy of the token).
 *
 * Each object is its own anonymous mapping marked MADV_DONTDUMP, with the
 * token stored inline, so the one long-lived copy of a token never lands
 * in a core dump; it is wiped whole before munmap. Objects are made only
 * on a miss, so the page per object costs nothing on the hot path.
 *
 * Every object belongs to a pool (one per instance). The pool lists live
 * objects so that close() can still wipe credentials a host forgot to
 * release, and so release() can refuse a pointer that is not ours. */
#ifndef ASKCRED_PLUGIN_CRED_H
#define ASKCRED_PLUGIN_CRED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <askcred/provider.h>

#include "record.h"

struct cred_pool;

struct cred {
	struct askcred_credential pub; /* first: what the host sees */
	uint32_t magic;
	atomic_uint refs;
	size_t map_len; /* the whole mapping */
	struct cred_pool *pool;
	struct cred *prev, *next; /* in pool, under pool->lock */
	char token[];		  /* pub.token: token_len bytes + NUL */
};

struct cred_pool {
	pthread_mutex_t lock;
	struct cred *head;
};

/* Set up / tear down a pool. cred_pool_destroy() wipes and frees every
 * object still alive and returns how many there were (a host bug if not
 * 0). Not thread-safe: only at open / close. */
int cred_pool_init(struct cred_pool *pool);
size_t cred_pool_destroy(struct cred_pool *pool);

/* A new object with one reference, a copy of rec (the caller still clears
 * rec). flags replace rec->flags. Thread-safe. */
askcred_status cred_new(struct cred_pool *pool, const struct token_record *rec,
			uint32_t flags, struct cred **out,
			struct askcred_error *err);
/* A second, independent object with the same contents and other flags.
 * Thread-safe. */
askcred_status cred_clone(const struct cred *c, uint32_t flags,
			  struct cred **out, struct askcred_error *err);

/* Take one more reference. Lock-free. */
static inline struct cred *cred_ref(struct cred *c)
{
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}
/* Drop one reference; at zero the token is wiped and the object freed.
 * NULL is a no-op. Thread-safe. */
void cred_unref(struct cred *c);

/* Our object behind a public pointer, or NULL when it is not one made by
 * this pool (another module's credential, or garbage). */
struct cred *cred_of(struct cred_pool *pool,
		     const struct askcred_credential *pub);

#endif
