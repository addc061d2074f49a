/* A token record: one credential as the plugin's sources, cache and policy
 * pass it between them. It owns its token (a struct secret); everything
 * else is non-secret. */
#ifndef ASKCRED_PLUGIN_RECORD_H
#define ASKCRED_PLUGIN_RECORD_H

#include <stdint.h>

#include <askcred/provider.h>

#include "secret.h"

struct token_record {
	char workspace_id[ASKCRED_UUID_LEN + 1];
	char token_id[ASKCRED_UUID_LEN + 1]; /* "" when not known */
	char source[ASKCRED_SOURCE_MAX];     /* "static", "mint", ... */
	struct secret token;
	int64_t issued_at;	/* Unix seconds; 0: unknown */
	int64_t expires_at;	/* Unix seconds; 0: never */
	int64_t cached_at;	/* Unix seconds it was stored in the disk cache;
				 * 0: never stored */
	uint64_t policy_serial; /* 0: no policy */
	uint32_t flags;		/* ASKCRED_CRED_* */
};

/* Wipe the token and zero the record. */
void record_clear(struct token_record *r);
/* Deep copy (the token too). 0, or -1 when out of memory (dst cleared). */
int record_copy(struct token_record *dst, const struct token_record *src);

#endif
