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

/* What the policy and the audit see of a credential: the record without
 * its secret. The token is there only as its fingerprint (secret.h), so a
 * judge cannot leak, keep or change it. */
struct token_view {
	char workspace_id[ASKCRED_UUID_LEN + 1];
	char token_id[ASKCRED_UUID_LEN + 1]; /* "" when not known */
	char source[ASKCRED_SOURCE_MAX];
	char fingerprint[FINGERPRINT_LEN]; /* "" when there is no token */
	int64_t issued_at;
	int64_t expires_at;
	int64_t cached_at;
	uint64_t policy_serial;
	uint32_t flags;
};

/* The view of r (r->token fingerprinted, never copied). */
void record_view(const struct token_record *r, struct token_view *v);
/* The view of a credential handed out through the ABI (ours or another
 * module's); cred->token is read only to fingerprint it. */
void credential_view(const struct askcred_credential *cred,
		     struct token_view *v);

/* Wipe the token and zero the record. */
void record_clear(struct token_record *r);
/* Deep copy (the token too). 0, or -1 when out of memory (dst cleared). */
int record_copy(struct token_record *dst, const struct token_record *src);

#endif
