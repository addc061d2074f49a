/* The cache fuzz target's fixed key and context (cache_fixture.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_context.h"
#include "cache_fixture.h"
#include "fuzz_record.h"

/* A test key, public in this file: it protects nothing. */
static const char fuzz_key[CACHE_KEY_LEN + 1] =
	"askcred fuzz key: not a secret!!";
/* Stands in for the host id context_host_id() derives from machine-id. */
static const char fuzz_host[CACHE_HOST_ID_LEN + 1] =
	"askcred fuzz host id, 32 bytes..";

void cache_fixture_init(struct cache_fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	memset(f, 0, sizeof(*f));
	memcpy(f->key.key, fuzz_key, CACHE_KEY_LEN);
	f->ring.keys = &f->key;
	f->ring.n = 1;
	if (format_key_id(f->key.key, f->key.id, &err) != ASKCRED_OK ||
	    context_bind(FUZZ_UID, (const uint8_t *)fuzz_host, FUZZ_WS,
			 FUZZ_ENTRY, f->ctx, &err) != ASKCRED_OK ||
	    context_bind(FUZZ_UID, (const uint8_t *)fuzz_host, FUZZ_OTHER_WS,
			 FUZZ_ENTRY, f->other_ctx, &err) != ASKCRED_OK) {
		fprintf(stderr, "cache fixture: %s\n", err.message);
		abort();
	}
}
