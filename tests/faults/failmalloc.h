/* The control interface of the failmalloc.so allocator shim (see
 * failmalloc.c). A program looks these up with dlsym(RTLD_DEFAULT, ...)
 * so that it also runs without the shim preloaded. */
#ifndef ASKCRED_TESTS_FAULTS_FAILMALLOC_H
#define ASKCRED_TESTS_FAULTS_FAILMALLOC_H

#include <stddef.h>

#define FAILMALLOC_FRAMES 6

struct failmalloc_result {
	unsigned long allocations; /* made while armed (the failed one too) */
	int injected;		   /* the k-th allocation happened and failed */
	unsigned long live;	   /* allocated while armed, not yet freed */
	unsigned long overflow;	   /* not tracked: the table was full */
	/* where the failed allocation was asked for, innermost first */
	void *failed[FAILMALLOC_FRAMES];
	/* FAILMALLOC_ONLY: 1 both objects were loaded when armed, 0 not
	 * (nothing could be counted), -1 not set */
	int only_loaded;
};

struct failmalloc_leak {
	size_t size;
	void *frames[FAILMALLOC_FRAMES]; /* innermost first, from the caller */
};

/* Count allocations from now on; the k-th fails (k = 0: none fails).
 * Forgets what an earlier arming tracked. */
typedef void (*failmalloc_arm_fn)(unsigned long k);
/* Stop counting and failing; frees still untrack. */
typedef void (*failmalloc_disarm_fn)(struct failmalloc_result *r);
/* Up to max allocations still live; returns how many were copied. */
typedef size_t (*failmalloc_leaks_fn)(struct failmalloc_leak *out, size_t max);

/* The same, as the shim defines them. */
void failmalloc_arm(unsigned long k);
void failmalloc_disarm(struct failmalloc_result *r);
size_t failmalloc_leaks(struct failmalloc_leak *out, size_t max);

#endif
