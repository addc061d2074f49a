/* The sidecar "<entry>.state": what must survive outside the sealed file.
 *   - generation: the last generation written; an older file is a replay.
 *   - outage_since / next_attempt / failures: the outage-grace state, so
 *     that a hundred processes serve the stale token until next_attempt
 *     instead of all hammering a failing server.
 * Plain text, not secret, replaced atomically; format in
 * docs/cache-format.md. */
#ifndef ASKCRED_PLUGIN_CACHE_STATE_H
#define ASKCRED_PLUGIN_CACHE_STATE_H

#include <stdint.h>

#include <askcred/provider.h>

struct cache_state {
	uint64_t generation;
	int64_t outage_since; /* Unix seconds; 0: no outage */
	int64_t next_attempt; /* Unix seconds; 0: refresh any time */
	uint32_t failures;    /* consecutive UNAVAILABLE refreshes */
};

/* Absent: all zero and ASKCRED_OK. Malformed: ASKCRED_CACHE_ERROR with the
 * line, and st zeroed. */
askcred_status state_read(const char *path, struct cache_state *st,
			  struct askcred_error *err);

/* Write to a synced temp file (its path in tmp, FS_PATH_MAX) for the
 * caller to rename. */
askcred_status state_write_temp(const char *path, const struct cache_state *st,
				char *tmp, struct askcred_error *err);

#endif
