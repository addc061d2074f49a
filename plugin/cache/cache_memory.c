#include "config.h"

#include <string.h>
#include <time.h>

#include "cache_memory.h"

static uint64_t coarse_ms(void)
{
	struct timespec ts;

	/* The coarse clock is read from the vDSO page without a syscall. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u +
	       1; /* never 0, which marks an empty slot */
}

int memory_init(struct memory_cache *m, uint32_t ttl_ms)
{
	memset(m, 0, sizeof(*m));
	m->ttl_ms = ttl_ms;
	return pthread_rwlock_init(&m->lock, NULL) == 0 ? 0 : -1;
}

void memory_destroy(struct memory_cache *m)
{
	int i;

	for (i = 0; i < MEMORY_SLOTS; i++)
		record_clear(&m->slot[i].rec);
	pthread_rwlock_destroy(&m->lock);
}

static struct memory_slot *find(struct memory_cache *m, const char *ws,
				const char *entry)
{
	int i;

	for (i = 0; i < MEMORY_SLOTS; i++) {
		struct memory_slot *s = &m->slot[i];

		if (s->loaded_ms != 0 && strcmp(s->entry, entry) == 0 &&
		    strcmp(s->workspace, ws) == 0)
			return s;
	}
	return NULL;
}

int memory_get(struct memory_cache *m, const char *ws, const char *entry,
	       struct token_record *out)
{
	struct memory_slot *s;
	int hit = 0;

	if (m->ttl_ms == 0)
		return 0;
	pthread_rwlock_rdlock(&m->lock);
	s = find(m, ws, entry);
	if (s != NULL && coarse_ms() - s->loaded_ms < m->ttl_ms)
		hit = record_copy(out, &s->rec) == 0;
	pthread_rwlock_unlock(&m->lock);
	return hit;
}

void memory_put(struct memory_cache *m, const char *ws, const char *entry,
		const struct token_record *rec)
{
	struct memory_slot *s, *victim;
	int i;

	if (m->ttl_ms == 0 || strlen(entry) >= MEMORY_ENTRY_MAX ||
	    strlen(ws) > ASKCRED_UUID_LEN)
		return;
	pthread_rwlock_wrlock(&m->lock);
	s = find(m, ws, entry);
	if (s == NULL && rec != NULL) {
		victim = &m->slot[0];
		for (i = 0; i < MEMORY_SLOTS; i++) {
			if (m->slot[i].loaded_ms == 0) {
				victim = &m->slot[i];
				break;
			}
			if (m->slot[i].used < victim->used)
				victim = &m->slot[i];
		}
		s = victim;
	}
	if (s != NULL) {
		record_clear(&s->rec);
		s->loaded_ms = 0;
		if (rec != NULL && record_copy(&s->rec, rec) == 0) {
			strcpy(s->workspace, ws);
			strcpy(s->entry, entry);
			s->rec.flags &= ~(uint32_t)ASKCRED_CRED_STALE;
			s->loaded_ms = coarse_ms();
			s->used = ++m->tick;
		}
	}
	pthread_rwlock_unlock(&m->lock);
}
