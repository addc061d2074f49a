/*
 * An LD_PRELOAD allocator shim for curl-style "torture" runs: after the
 * program arms it with k, the k-th allocation (malloc, calloc, realloc,
 * strdup's and fopen's inside libc included) returns NULL, once; every
 * allocation made while armed is remembered with a short backtrace until
 * it is freed, so the program can list what it leaked.
 *
 * The real allocator is glibc's __libc_* entry points: dlsym(RTLD_NEXT)
 * would itself allocate. The shim never allocates. The test program finds
 * the control functions with dlsym(RTLD_DEFAULT, "failmalloc_arm"), so it
 * also runs (untortured) without the shim.
 */
#include "config.h"

#include <execinfo.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "failmalloc.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

#define EXPORT __attribute__((visibility("default")))
#define SLOTS (1u << 17) /* live allocations tracked at once */
#define TOMB ((void *)1)

struct slot {
	void *p;
	size_t size;
	void *frames[FAILMALLOC_FRAMES];
};

static struct slot table[SLOTS];
/* Recursive: backtrace() may allocate while a slot is being filled. */
static pthread_mutex_t mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static int armed;
static unsigned long fail_at, seen, live, overflow;
static int injected;
static void *failed_frames[FAILMALLOC_FRAMES];
static __thread int inside; /* backtrace() must not be tracked */

static size_t hash(const void *p)
{
	uintptr_t x = (uintptr_t)p >> 4;

	x ^= x >> 17;
	x *= 0xed5ad4bbu;
	x ^= x >> 11;
	return (size_t)x & (SLOTS - 1);
}

static void track(void *p, size_t size)
{
	void *frames[FAILMALLOC_FRAMES + 2];
	size_t i = hash(p), n;
	int depth = 0;

	if (!inside) {
		inside = 1;
		depth = backtrace(frames, FAILMALLOC_FRAMES + 2);
		inside = 0;
	}
	for (n = 0; n < SLOTS; n++, i = (i + 1) & (SLOTS - 1))
		if (table[i].p == NULL || table[i].p == TOMB)
			break;
	if (n == SLOTS) {
		overflow++;
		return;
	}
	memset(&table[i], 0, sizeof(table[i]));
	table[i].p = p;
	table[i].size = size;
	/* Skip track() and the allocator function itself. */
	if (depth > 2)
		memcpy(table[i].frames, frames + 2,
		       (size_t)(depth - 2) * sizeof(void *));
	live++;
}

static void untrack(void *p)
{
	size_t i = hash(p), n;

	for (n = 0; n < SLOTS && table[i].p != NULL;
	     n++, i = (i + 1) & (SLOTS - 1))
		if (table[i].p == p) {
			table[i].p = TOMB;
			live--;
			return;
		}
}

/* 1: this allocation must fail. Counts it either way. */
__attribute__((noinline)) static int count_one(void)
{
	if (!armed || inside)
		return 0;
	seen++;
	if (fail_at != 0 && seen == fail_at) {
		void *frames[FAILMALLOC_FRAMES + 2];
		int depth;

		injected = 1;
		/* Who asked: skip count_one() and the allocator function. */
		inside = 1;
		depth = backtrace(frames, FAILMALLOC_FRAMES + 2);
		inside = 0;
		if (depth > 2)
			memcpy(failed_frames, frames + 2,
			       (size_t)(depth - 2) * sizeof(void *));
		return 1;
	}
	return 0;
}

EXPORT void *malloc(size_t n)
{
	void *p;

	pthread_mutex_lock(&mu);
	if (count_one()) {
		pthread_mutex_unlock(&mu);
		return NULL;
	}
	p = __libc_malloc(n);
	if (p != NULL && armed && !inside)
		track(p, n);
	pthread_mutex_unlock(&mu);
	return p;
}

EXPORT void *calloc(size_t n, size_t size)
{
	void *p;

	pthread_mutex_lock(&mu);
	if (count_one()) {
		pthread_mutex_unlock(&mu);
		return NULL;
	}
	p = __libc_calloc(n, size);
	if (p != NULL && armed && !inside)
		track(p, n * size);
	pthread_mutex_unlock(&mu);
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	void *p;

	if (old == NULL)
		return malloc(n);
	pthread_mutex_lock(&mu);
	if (n != 0 && count_one()) {
		pthread_mutex_unlock(&mu);
		return NULL;
	}
	p = __libc_realloc(old, n);
	if (p != NULL || n == 0) {
		/* Moved, or freed by a zero size: old is gone. A block
		 * allocated before arming stays untracked when it grows. */
		size_t i = hash(old), k;
		int was = 0;

		for (k = 0; k < SLOTS && table[i].p != NULL;
		     k++, i = (i + 1) & (SLOTS - 1))
			if (table[i].p == old) {
				table[i].p = TOMB;
				live--;
				was = 1;
				break;
			}
		if (p != NULL && was && armed)
			track(p, n);
	}
	pthread_mutex_unlock(&mu);
	return p;
}

EXPORT void free(void *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&mu);
	if (live > 0)
		untrack(p);
	__libc_free(p);
	pthread_mutex_unlock(&mu);
}

EXPORT void failmalloc_arm(unsigned long k)
{
	void *warm[2];

	/* backtrace() loads libgcc_s on first use: do it untracked. */
	inside = 1;
	backtrace(warm, 2);
	inside = 0;
	pthread_mutex_lock(&mu);
	memset(table, 0, sizeof(table));
	fail_at = k;
	seen = live = overflow = 0;
	injected = 0;
	memset(failed_frames, 0, sizeof(failed_frames));
	armed = 1;
	pthread_mutex_unlock(&mu);
}

EXPORT void failmalloc_disarm(struct failmalloc_result *r)
{
	pthread_mutex_lock(&mu);
	armed = 0;
	r->allocations = seen;
	r->injected = injected;
	r->live = live;
	r->overflow = overflow;
	memcpy(r->failed, failed_frames, sizeof(r->failed));
	pthread_mutex_unlock(&mu);
}

EXPORT size_t failmalloc_leaks(struct failmalloc_leak *out, size_t max)
{
	size_t i, n = 0;

	pthread_mutex_lock(&mu);
	for (i = 0; i < SLOTS && n < max; i++)
		if (table[i].p != NULL && table[i].p != TOMB) {
			out[n].size = table[i].size;
			memcpy(out[n].frames, table[i].frames,
			       sizeof(out[n].frames));
			n++;
		}
	pthread_mutex_unlock(&mu);
	return n;
}
