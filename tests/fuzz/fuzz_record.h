/* Token records as the fuzz targets compare them, and the fixed values the
 * cache target and its seed helper share. */
#ifndef ASKCRED_TESTS_FUZZ_RECORD_H
#define ASKCRED_TESTS_FUZZ_RECORD_H

#include "record.h"

/* The cache target's fixed binding: a file sealed for this workspace and
 * entry, by this uid on this host, under fuzz_cache_key(). */
#define FUZZ_WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define FUZZ_OTHER_WS "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define FUZZ_ENTRY "default"
#define FUZZ_UID 1000

/* Same credential, field by field (the token's bytes included)? */
int fuzz_record_equal(const struct token_record *a,
		      const struct token_record *b);
/* Every byte zero, as a refused parse must leave it? */
int fuzz_record_cleared(const struct token_record *r);

#endif
