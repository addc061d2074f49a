/* Who owns an allocation that failmalloc.so still sees live at the end of
 * a tortured run: askcred itself, or a library's own state. Shared by the
 * allocation-failure programs (test_alloc, cache_tool). */
#ifndef ASKCRED_TESTS_FAULTS_LEAKCHECK_H
#define ASKCRED_TESTS_FAULTS_LEAKCHECK_H

#include <stddef.h>

#include "failmalloc.h"

/* By the innermost frame outside libc and the loader. */
enum owner {
	OWN_ASKCRED, /* the module, the cache, the test program: ours */
	OWN_ERRQ,    /* an entry of OpenSSL's per-thread error queue */
	OWN_JSONC,   /* json-c, inside a parse that failed */
	OWN_CRYPTO,  /* libcrypto/libssl tables (fetch caches, ...) */
	OWN_OTHER,   /* libcurl and friends, the loader */
	OWN_N
};
extern const char *const owner_name[OWN_N];

/* Write "size: lib(sym+off) lib+off ..." to out (never allocates: dladdr
 * does not) and say who owns the allocation. */
enum owner leak_describe(const struct failmalloc_leak *l, char *out,
			 size_t max);

#endif
