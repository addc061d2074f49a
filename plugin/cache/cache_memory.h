/* The in-process memory cache in front of the disk: repeated fetches in
 * one host process cost a lookup and a copy, well under a microsecond.
 * An entry is trusted for ttl_ms without looking at the disk; our own
 * writes and removes replace or drop it at once. */
#ifndef ASKCRED_PLUGIN_CACHE_MEMORY_H
#define ASKCRED_PLUGIN_CACHE_MEMORY_H

#include <pthread.h>
#include <stdint.h>

#include "record.h"

#define MEMORY_SLOTS 32
#define MEMORY_ENTRY_MAX 65

struct memory_slot {
	char workspace[ASKCRED_UUID_LEN + 1];
	char entry[MEMORY_ENTRY_MAX];
	struct token_record rec;
	uint64_t loaded_ms; /* CLOCK_MONOTONIC_COARSE; 0: empty */
	uint64_t used;	    /* for eviction, least recently stored */
};

struct memory_cache {
	pthread_rwlock_t lock;
	struct memory_slot slot[MEMORY_SLOTS];
	uint64_t tick;
	uint32_t ttl_ms; /* 0: disabled */
};

int memory_init(struct memory_cache *m, uint32_t ttl_ms);
void memory_destroy(struct memory_cache *m);
/* 1 and a copy in out (caller's) on a fresh hit; 0 otherwise. */
int memory_get(struct memory_cache *m, const char *ws, const char *entry,
	       struct token_record *out);
/* Remember a copy of rec (NULL: forget the entry). */
void memory_put(struct memory_cache *m, const char *ws, const char *entry,
		const struct token_record *rec);

#endif
