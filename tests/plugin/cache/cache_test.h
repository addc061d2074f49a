/* Helpers shared by the cache tests: a private temp directory with a fake
 * machine id, a config pointing at it, and records to cache. */
#ifndef ASKCRED_TESTS_CACHE_TEST_H
#define ASKCRED_TESTS_CACHE_TEST_H

#include <stdint.h>

#include "cache.h"

#define WS_A "3f2c4a1e-8b9d-4c6e-9f0a-1b2c3d4e5f60"
#define WS_B "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define MACHINE_A "0123456789abcdef0123456789abcdef"
#define MACHINE_B "fedcba9876543210fedcba9876543210"

struct test_env {
	char root[512];		 /* mktemp -d style, removed by env_done */
	char dir[600];		 /* root/cache */
	char machine_a[600];	 /* root/machine-a */
	char machine_b[600];	 /* root/machine-b */
	struct cache_config cfg; /* dir + machine_a, memory cache off */
};

/* Create the temp tree; bails out of the test on failure. */
void env_init(struct test_env *e);
/* Remove the whole temp tree. */
void env_done(struct test_env *e);
/* Write text to path with mode (creating or truncating). 0 or -1. */
int write_file(const char *path, const char *text, int mode);
/* Write len bytes to path with mode (creating or truncating). 0 or -1. */
int write_bytes(const char *path, const void *buf, size_t len, int mode);
/* Read a whole file into buf (max bytes); returns length or -1. */
long read_file(const char *path, void *buf, size_t max);
/* Fill r with a token for ws expiring at expires_at. */
void make_record(struct token_record *r, const char *ws, const char *token,
		 int64_t expires_at);
/* Open e->cfg or bail out. */
struct cache *open_or_bail(const struct cache_config *cfg);
/* Cache token for WS_A under entry, valid for an hour. */
askcred_status write_token(struct cache *c, const char *entry,
			   const char *token, struct askcred_error *err);
/* The token cached for WS_A under entry, or "[STATUS: message]". */
void read_token(struct cache *c, const char *entry, char *out, size_t size);

#endif
