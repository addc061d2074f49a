/* The per-instance in-memory cache, the plugin's one memory tier: the
 * current credential object per (workspace, entry). A hit hands out the
 * cached object itself with one more reference, so it costs a mutex and an
 * atomic increment.
 *
 * An object may stand for something another process can change: the
 * shared disk cache entry (rotated or revoked by another process) or a
 * static source's file. The instance stores such an object with a
 * recheck period: once it has passed, a get reports the object as due,
 * and the instance looks again at what it stands for before it hands the
 * object out (instance.c), then marks it current with memcache_touch().
 *
 * All functions are thread-safe. */
#ifndef ASKCRED_PLUGIN_MEMCACHE_H
#define ASKCRED_PLUGIN_MEMCACHE_H

#include <stddef.h>
#include <stdint.h>

#include <askcred/provider.h>

#include "cred.h"

/* Distinct (workspace, entry) pairs one instance keeps; beyond that the
 * oldest is dropped. */
#define MEMCACHE_SLOTS 32

struct memcache;

struct memcache *memcache_new(void);
/* Drops every reference the cache holds. NULL is fine. */
void memcache_free(struct memcache *mc);

/* How long an object that stands for something another process can
 * change is handed out before the instance looks again. */
#define MEMCACHE_RECHECK_MS 1000

/* A new reference to the object cached for (workspace, entry) if it is
 * still good for more than need seconds after now (or never expires);
 * NULL on a miss. *due (may be NULL) is set to 1 when the object's
 * recheck period has passed, else 0. workspace "" stands for "the
 * configured default". */
struct cred *memcache_get(struct memcache *mc, const char *workspace,
			  const char *entry, int64_t now, uint32_t need,
			  int *due);

/* c, got from memcache_get(), was found current: its recheck period
 * starts again. Nothing happens when the entry holds another object by
 * now. */
void memcache_touch(struct memcache *mc, const char *workspace,
		    const char *entry, const struct cred *c);

/* Cache c for (workspace, entry), replacing what was there. Takes its own
 * reference; the caller keeps its own. recheck: 1 when c stands for
 * something another process can change (see above), 0 when only the
 * source could give it again (it stays until it is near expiry). */
void memcache_put(struct memcache *mc, const char *workspace, const char *entry,
		  struct cred *c, int recheck);

/* Forget every entry whose token equals token (compared in constant
 * time). Returns how many were dropped. */
size_t memcache_drop_token(struct memcache *mc, const char *token,
			   size_t token_len);

/* Call fn once per cached entry, outside the lock (fn may call back into
 * the provider), with a reference held for the duration of the call. */
typedef void (*memcache_visit_fn)(void *ctx, const char *entry,
				  const struct cred *c);
void memcache_each(struct memcache *mc, memcache_visit_fn fn, void *ctx);

#endif
