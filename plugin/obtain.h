/* Where a credential comes from once the in-memory hit has missed: the
 * encrypted disk cache, shared with every other process of the user, or
 * the source. Refresh windows, the minimum validity and the outage grace
 * come from the module arguments, tightened by the policy.
 *
 * Threads: safe (the cache and the sources are). */
#ifndef ASKCRED_PLUGIN_OBTAIN_H
#define ASKCRED_PLUGIN_OBTAIN_H

#include <askcred/provider.h>

#include "record.h"

struct source_ctx;

/* Open the disk cache when the module arguments and the source want one
 * (sc->cache stays NULL otherwise). */
askcred_status obtain_open_cache(struct source_ctx *sc,
				 struct askcred_error *err);

/* Fill rec for the normalised request. rec->flags says FROM_CACHE when
 * the source was not asked just now, STALE when served during an outage.
 * ASKCRED_REQ_NO_CACHE bypasses the disk cache entirely (a job's own
 * token is never shared); ASKCRED_REQ_FORCE_REFRESH asks the source and
 * stores what it gives for everybody. */
askcred_status obtain(const struct source_ctx *sc,
		      const struct askcred_request *req,
		      struct token_record *rec, struct askcred_error *err);

/* The host saw cred refused: drop it from the disk cache too (when the
 * entry still holds it), so that no process is handed it again. */
void obtain_forget(const struct source_ctx *sc,
		   const struct askcred_credential *cred);

#endif
