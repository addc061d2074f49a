/* The sidecar "<entry>.state": what must survive outside the sealed file.
 *   - generation: the last generation written; an older file is a replay.
 *   - outage_since / next_attempt / failures: the outage-grace state, so
 *     that a hundred processes serve the stale token until next_attempt
 *     instead of all hammering a failing server.
 *   - last_where / last_error: why the last refresh failed, so that a
 *     process held back by the backoff can say so. Error texts never hold
 *     a secret (see docs/HACKING.md); they are made printable here.
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
	char last_where[ASKCRED_ERROR_WHERE_MAX]; /* "": none */
	char last_error[ASKCRED_ERROR_MESSAGE_MAX];
};

/* Record why a refresh failed: where and message of err, control bytes
 * replaced, cut to fit. */
void state_set_failure(struct cache_state *st, const struct askcred_error *err);

/* Absent: all zero and ASKCRED_OK. Malformed or unsafe: ASKCRED_CACHE_ERROR
 * with the line, and st zeroed. Reads format 2 and the older format 1
 * (without the two text lines). */
askcred_status state_read(const char *path, struct cache_state *st,
			  struct askcred_error *err);

/* Write to a synced temp file (its path in tmp, FS_PATH_MAX) for the
 * caller to rename. */
askcred_status state_write_temp(const char *path, const struct cache_state *st,
				char *tmp, struct askcred_error *err);

#endif
