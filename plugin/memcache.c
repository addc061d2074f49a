#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "clock.h"
#include "memcache.h"
#include "plugin_config.h"

struct slot {
	char workspace[ASKCRED_UUID_LEN + 1]; /* "" : the default */
	char entry[ENTRY_NAME_MAX + 1];
	struct cred *cred; /* NULL: free slot */
	uint64_t stored;   /* insertion counter, to find the oldest */
	int64_t due_ms;	   /* monotonic_ms() when due for a recheck; 0: never */
};

struct memcache {
	pthread_mutex_t lock;
	uint64_t counter;
	struct slot slots[MEMCACHE_SLOTS];
};

struct memcache *memcache_new(void)
{
	struct memcache *mc = calloc(1, sizeof(*mc));

	if (mc == NULL)
		return NULL;
	if (pthread_mutex_init(&mc->lock, NULL) != 0) {
		free(mc);
		return NULL;
	}
	return mc;
}

void memcache_free(struct memcache *mc)
{
	if (mc == NULL)
		return;
	for (size_t i = 0; i < MEMCACHE_SLOTS; i++)
		cred_unref(mc->slots[i].cred);
	pthread_mutex_destroy(&mc->lock);
	free(mc);
}

/* Under the lock. */
static struct slot *find(struct memcache *mc, const char *workspace,
			 const char *entry)
{
	for (size_t i = 0; i < MEMCACHE_SLOTS; i++) {
		struct slot *s = &mc->slots[i];

		if (s->cred != NULL && strcmp(s->workspace, workspace) == 0 &&
		    strcmp(s->entry, entry) == 0)
			return s;
	}
	return NULL;
}

struct cred *memcache_get(struct memcache *mc, const char *workspace,
			  const char *entry, int64_t now, uint32_t need,
			  int *due)
{
	struct cred *c = NULL;
	struct slot *s;

	pthread_mutex_lock(&mc->lock);
	s = find(mc, workspace, entry);
	if (s != NULL && (s->cred->pub.expires_at == 0 ||
			  now + (int64_t)need < s->cred->pub.expires_at)) {
		c = cred_ref(s->cred);
		if (due != NULL)
			*due = s->due_ms != 0 && monotonic_ms() >= s->due_ms;
	}
	pthread_mutex_unlock(&mc->lock);
	return c;
}

void memcache_touch(struct memcache *mc, const char *workspace,
		    const char *entry, const struct cred *c)
{
	struct slot *s;

	pthread_mutex_lock(&mc->lock);
	s = find(mc, workspace, entry);
	if (s != NULL && s->cred == c && s->due_ms != 0)
		s->due_ms = monotonic_ms() + MEMCACHE_RECHECK_MS;
	pthread_mutex_unlock(&mc->lock);
}

void memcache_put(struct memcache *mc, const char *workspace, const char *entry,
		  struct cred *c, int recheck)
{
	struct cred *old = NULL;
	struct slot *s;

	pthread_mutex_lock(&mc->lock);
	s = find(mc, workspace, entry);
	if (s == NULL) {
		s = &mc->slots[0];
		for (size_t i = 0; i < MEMCACHE_SLOTS; i++) {
			if (mc->slots[i].cred == NULL) {
				s = &mc->slots[i];
				break;
			}
			if (mc->slots[i].stored < s->stored)
				s = &mc->slots[i];
		}
		snprintf(s->workspace, sizeof(s->workspace), "%s", workspace);
		snprintf(s->entry, sizeof(s->entry), "%s", entry);
	}
	old = s->cred;
	s->cred = cred_ref(c);
	s->stored = ++mc->counter;
	s->due_ms = recheck ? monotonic_ms() + MEMCACHE_RECHECK_MS : 0;
	pthread_mutex_unlock(&mc->lock);
	/* The last reference may wipe: do it outside the lock. */
	cred_unref(old);
}

size_t memcache_drop_token(struct memcache *mc, const char *token,
			   size_t token_len)
{
	struct cred *dropped[MEMCACHE_SLOTS];
	size_t n = 0;

	pthread_mutex_lock(&mc->lock);
	for (size_t i = 0; i < MEMCACHE_SLOTS; i++) {
		struct slot *s = &mc->slots[i];

		if (s->cred == NULL || s->cred->pub.token_len != token_len ||
		    CRYPTO_memcmp(s->cred->token, token, token_len) != 0)
			continue;
		dropped[n++] = s->cred;
		memset(s, 0, sizeof(*s));
	}
	pthread_mutex_unlock(&mc->lock);
	for (size_t i = 0; i < n; i++)
		cred_unref(dropped[i]);
	return n;
}

void memcache_each(struct memcache *mc, memcache_visit_fn fn, void *ctx)
{
	struct {
		char entry[ENTRY_NAME_MAX + 1];
		struct cred *cred;
	} snap[MEMCACHE_SLOTS];
	size_t n = 0;

	pthread_mutex_lock(&mc->lock);
	for (size_t i = 0; i < MEMCACHE_SLOTS; i++) {
		if (mc->slots[i].cred == NULL)
			continue;
		memcpy(snap[n].entry, mc->slots[i].entry,
		       sizeof(snap[n].entry));
		snap[n++].cred = cred_ref(mc->slots[i].cred);
	}
	pthread_mutex_unlock(&mc->lock);
	for (size_t i = 0; i < n; i++) {
		fn(ctx, snap[i].entry, snap[i].cred);
		cred_unref(snap[i].cred);
	}
}
