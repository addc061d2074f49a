/* The per-instance in-memory cache: the current credential object per
 * (workspace, entry). A hit hands out the cached object itself with one
 * more reference, so it costs a mutex and an atomic increment.
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

/* A new reference to the object cached for (workspace, entry) if it is
 * still good for more than need seconds after now (or never expires);
 * NULL on a miss. workspace "" stands for "the configured default". */
struct cred *memcache_get(struct memcache *mc, const char *workspace,
			  const char *entry, int64_t now, uint32_t need);

/* Cache c for (workspace, entry), replacing what was there. Takes its own
 * reference; the caller keeps its own. */
void memcache_put(struct memcache *mc, const char *workspace, const char *entry,
		  struct cred *c);

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
