/*
 * An LD_PRELOAD allocator shim for curl-style "torture" runs: after the
 * program arms it with k, the k-th allocation (malloc, calloc, realloc,
 * strdup's and fopen's inside libc included) returns NULL, once; every
 * allocation made while armed is remembered with a short backtrace until
 * it is freed, so the program can list what it leaked.
 *
 * While armed, a block allocated while armed is not given back to libc
 * when it is freed but kept ("quarantined") until disarming, marked freed
 * with the backtrace of that free: so its address is not handed out
 * again, and freeing it a second time is caught every time, with both
 * backtraces and the allocation's, instead of only when glibc happens to
 * still hold the block in a tcache bin. FAILMALLOC_QUARANTINE=0 turns
 * that off.
 *
 * FAILMALLOC_ONLY=A<B counts (and fails) only the allocations asked for
 * by code in a loaded object whose path contains A when called from one
 * whose path contains B: "libcurl<libssl" is libcurl's code run by
 * OpenSSL's callbacks (the new-session callback), so that a sweep over a
 * handful of k reaches what a full sweep meets at one k in thousands.
 *
 * The real allocator is glibc's __libc_* entry points: dlsym(RTLD_NEXT)
 * would itself allocate. The shim never allocates. The test program finds
 * the control functions with dlsym(RTLD_DEFAULT, "failmalloc_arm"), so it
 * also runs (untortured) without the shim.
 */
#include "config.h"

#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failmalloc.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

#define EXPORT __attribute__((visibility("default")))
#define SLOTS (1u << 17) /* live allocations tracked at once */
#define TOMB ((void *)1)
#define FREE_FRAMES 10

struct slot {
	void *p;
	size_t size;
	int freed; /* quarantined: freed while armed, not yet given back */
	void *frames[FAILMALLOC_FRAMES];
	void *free_frames[FREE_FRAMES]; /* the free, innermost first */
};

static struct slot table[SLOTS];
/* The slots ever taken since arming, so that arming, disarming and the
 * leak report visit those few thousand and not all of the 20 MB table:
 * each test_alloc child arms once, and touching every page of the table
 * there cost it more than the fetch under test. */
static uint32_t used[SLOTS];
static size_t n_used;
/* Recursive: backtrace() may allocate while a slot is being filled. */
static pthread_mutex_t mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static int armed, quarantine;

/* FAILMALLOC_ONLY: the text ranges of the callee's and the caller's
 * objects, found at arming. */
#define RANGES 8
struct ranges {
	char name[64];
	size_t n;
	uintptr_t lo[RANGES], hi[RANGES];
};
static int only;
static struct ranges callee, caller;
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
	if (table[i].p == NULL)
		used[n_used++] = (uint32_t)i;
	memset(&table[i], 0, sizeof(table[i]));
	table[i].p = p;
	table[i].size = size;
	/* Skip track() and the allocator function itself. */
	if (depth > 2)
		memcpy(table[i].frames, frames + 2,
		       (size_t)(depth - 2) * sizeof(void *));
	live++;
}

static struct slot *find(const void *p)
{
	size_t i = hash(p), n;

	for (n = 0; n < SLOTS && table[i].p != NULL;
	     n++, i = (i + 1) & (SLOTS - 1))
		if (table[i].p == p)
			return &table[i];
	return NULL;
}

static void untrack(void *p)
{
	struct slot *s = find(p);

	if (s != NULL && !s->freed) {
		s->p = TOMB;
		live--;
	}
}

static void say(const char *text)
{
	ssize_t n = write(2, text, strlen(text));

	(void)n;
}

/* A block allocated while armed is freed again: say where, and abort
 * (the test program reports the signal). */
__attribute__((noreturn)) static void double_free(const struct slot *s)
{
	void *now[FREE_FRAMES + 1];
	int depth, n;

	inside = 1;
	depth = backtrace(now, FREE_FRAMES + 1);
	say("failmalloc: double free of a block allocated while armed\n"
	    "failmalloc: freed again at:\n");
	if (depth > 1)
		backtrace_symbols_fd(now + 1, depth - 1, 2);
	say("failmalloc: first freed at:\n");
	for (n = 0; n < FREE_FRAMES && s->free_frames[n] != NULL; n++)
		;
	backtrace_symbols_fd(s->free_frames, n, 2);
	say("failmalloc: allocated at:\n");
	for (n = 0; n < FAILMALLOC_FRAMES && s->frames[n] != NULL; n++)
		;
	backtrace_symbols_fd(s->frames, n, 2);
	abort();
}

/* Free p while armed: keep the block if we allocated it, and catch a
 * second free. 1: done (quarantined); 0: the caller gives it to libc. */
static int quarantined(void *p)
{
	void *frames[FREE_FRAMES + 2];
	struct slot *s;
	int depth = 0;

	if (!armed || !quarantine || inside || (s = find(p)) == NULL)
		return 0;
	if (s->freed)
		double_free(s);
	inside = 1;
	depth = backtrace(frames, FREE_FRAMES + 2);
	inside = 0;
	/* Skip quarantined() and free() or realloc(). */
	if (depth > 2)
		memcpy(s->free_frames, frames + 2,
		       (size_t)(depth - 2) * sizeof(void *));
	s->freed = 1;
	live--;
	return 1;
}

static int in_ranges(const struct ranges *r, const void *p)
{
	for (size_t i = 0; i < r->n; i++)
		if ((uintptr_t)p >= r->lo[i] && (uintptr_t)p < r->hi[i])
			return 1;
	return 0;
}

/* FAILMALLOC_ONLY: was this allocation asked for by the callee's code
 * called from the caller's? */
static int only_matches(void)
{
	void *frames[32];
	int depth;

	inside = 1;
	depth = backtrace(frames, 32);
	inside = 0;
	for (int i = 1; i + 1 < depth; i++)
		if (in_ranges(&callee, frames[i]) &&
		    in_ranges(&caller, frames[i + 1]))
			return 1;
	return 0;
}

static int add_ranges(struct dl_phdr_info *info, size_t size, void *ud)
{
	struct ranges *all[2] = {&callee, &caller};

	(void)size;
	(void)ud;
	for (size_t w = 0; w < 2; w++) {
		struct ranges *r = all[w];

		if (info->dlpi_name == NULL ||
		    strstr(info->dlpi_name, r->name) == NULL)
			continue;
		for (int i = 0; i < info->dlpi_phnum && r->n < RANGES; i++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

			if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
				continue;
			r->lo[r->n] = info->dlpi_addr + ph->p_vaddr;
			r->hi[r->n] = r->lo[r->n] + ph->p_memsz;
			r->n++;
		}
	}
	return 0;
}

/* "A<B" from FAILMALLOC_ONLY; nothing (count every allocation) if unset
 * or malformed. */
static void set_only(void)
{
	const char *v = getenv("FAILMALLOC_ONLY"), *lt;

	only = 0;
	memset(&callee, 0, sizeof(callee));
	memset(&caller, 0, sizeof(caller));
	if (v == NULL || (lt = strchr(v, '<')) == NULL || lt == v ||
	    lt[1] == '\0' || (size_t)(lt - v) >= sizeof(callee.name) ||
	    strlen(lt + 1) >= sizeof(caller.name))
		return;
	memcpy(callee.name, v, (size_t)(lt - v));
	strcpy(caller.name, lt + 1);
	dl_iterate_phdr(add_ranges, NULL);
	only = 1;
}

/* 1: this allocation must fail. Counts it either way. */
__attribute__((noinline)) static int count_one(void)
{
	if (!armed || inside)
		return 0;
	if (only && !only_matches())
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
	if (armed && quarantine && !inside) {
		struct slot *s = find(old);

		if (s != NULL && s->freed)
			double_free(s);
		if (s != NULL) {
			/* Move it, so the old block can stay quarantined. */
			size_t size = s->size;

			p = n != 0 ? __libc_malloc(n) : NULL;
			if (n != 0 && p == NULL) {
				pthread_mutex_unlock(&mu);
				return NULL;
			}
			if (p != NULL)
				memcpy(p, old, size < n ? size : n);
			quarantined(old);
			if (p != NULL)
				track(p, n);
			pthread_mutex_unlock(&mu);
			return p;
		}
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
	if (!quarantined(p)) {
		if (live > 0)
			untrack(p);
		__libc_free(p);
	}
	pthread_mutex_unlock(&mu);
}

EXPORT void failmalloc_arm(unsigned long k)
{
	void *warm[2];

	/* backtrace() loads libgcc_s on first use: do it untracked. */
	inside = 1;
	backtrace(warm, 2);
	inside = 0;
	set_only();
	pthread_mutex_lock(&mu);
	/* Only taken slots can be other than zero (the table is in .bss). */
	for (size_t u = 0; u < n_used; u++)
		memset(&table[used[u]], 0, sizeof(table[used[u]]));
	n_used = 0;
	quarantine = getenv("FAILMALLOC_QUARANTINE") == NULL ||
		     strcmp(getenv("FAILMALLOC_QUARANTINE"), "0") != 0;
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
	/* Give the quarantined blocks back. */
	for (size_t u = 0; u < n_used; u++) {
		struct slot *s = &table[used[u]];

		if (s->p != TOMB && s->freed) {
			__libc_free(s->p);
			s->p = TOMB;
		}
	}
	r->allocations = seen;
	r->injected = injected;
	r->live = live;
	r->overflow = overflow;
	memcpy(r->failed, failed_frames, sizeof(r->failed));
	r->only_loaded = !only ? -1 : callee.n > 0 && caller.n > 0;
	pthread_mutex_unlock(&mu);
}

EXPORT size_t failmalloc_leaks(struct failmalloc_leak *out, size_t max)
{
	size_t u, n = 0;

	pthread_mutex_lock(&mu);
	for (u = 0; u < n_used && n < max; u++) {
		const struct slot *s = &table[used[u]];

		if (s->p != TOMB && !s->freed) {
			out[n].size = s->size;
			memcpy(out[n].frames, s->frames, sizeof(out[n].frames));
			n++;
		}
	}
	pthread_mutex_unlock(&mu);
	return n;
}
