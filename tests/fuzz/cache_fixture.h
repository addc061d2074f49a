/* The fixed key and binding the cache fuzz target opens files with, shared
 * with mkseed_cache (which seals the seeds), so the seeds authenticate. */
#ifndef ASKCRED_TESTS_FUZZ_CACHE_FIXTURE_H
#define ASKCRED_TESTS_FUZZ_CACHE_FIXTURE_H

#include <stdint.h>

#include "cache_format.h"

struct cache_fixture {
	struct cache_key key;
	struct cache_keyring ring; /* just key */
	uint8_t ctx[CACHE_CTX_LEN];
	uint8_t other_ctx[CACHE_CTX_LEN]; /* FUZZ_OTHER_WS, same entry */
};

/* Fill f (a test key: not secret, committed on purpose). Aborts when
 * OpenSSL cannot: without the key there is nothing to fuzz. */
void cache_fixture_init(struct cache_fixture *f);

#endif
