/* The numbers behind metrics_file= (metrics.h): counters, refusals by
 * reason code, the last successful AskUI call and each cached token's
 * expiry. One struct serves twice: a process's unsaved changes, and the
 * cumulative totals kept for every process in the state file
 * "<cache dir>/metrics/state" (plain text, no secret; format below).
 *
 *   askcred-metrics-state 1
 *   event NAME COUNT            one per event, in enum order
 *   refusal REASON COUNT        any number, up to METRICS_REASONS
 *   last_askui_success UNIX
 *   expiry WORKSPACE ENTRY UNIX any number, up to METRICS_ENTRIES */
#ifndef ASKCRED_PLUGIN_METRICS_STATE_H
#define ASKCRED_PLUGIN_METRICS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <askcred/provider.h>

#include "plugin_config.h"

enum metrics_event {
	METRICS_MINT,	 /* a new token from the source, none was cached */
	METRICS_REFRESH, /* a new token from the source in place of one */
	METRICS_HIT,	 /* served from a cache, the source not asked */
	METRICS_MISS,	 /* the cache could not answer: the source asked */
	METRICS_STALE,	 /* a cached token served during an outage */
	METRICS_EVENTS
};

/* Reason codes are policy_reason_code() words; longer or odd ones are
 * counted as "other", and so is a reason beyond the table. */
#define METRICS_REASON_MAX 32
#define METRICS_REASONS 24
/* Entries beyond this are not shown (a host has a handful). */
#define METRICS_ENTRIES 32

struct metrics_reason {
	char code[METRICS_REASON_MAX];
	uint64_t count;
};

struct metrics_expiry {
	char workspace[ASKCRED_UUID_LEN + 1];
	char entry[ENTRY_NAME_MAX + 1];
	int64_t expires_at; /* 0 in a change: the entry is gone */
};

struct metrics_totals {
	uint64_t events[METRICS_EVENTS];
	struct metrics_reason reasons[METRICS_REASONS];
	size_t n_reasons;
	int64_t last_askui_success; /* Unix seconds; 0: never */
	struct metrics_expiry expiry[METRICS_ENTRIES];
	size_t n_expiry;
};

/* The event's name in the state file and in the metric name. */
const char *metrics_event_name(enum metrics_event ev);

/* Count one refusal with reason code (sanitised as said above). */
void metrics_add_refusal(struct metrics_totals *t, const char *reason,
			 uint64_t n);
/* Record an entry's expiry; expires_at 0 removes the entry. */
void metrics_set_expiry(struct metrics_totals *t, const char *workspace,
			const char *entry, int64_t expires_at);
/* Add the changes in delta to into (counters add, times move forward,
 * expiries replace). */
void metrics_merge(struct metrics_totals *into,
		   const struct metrics_totals *delta);

/* Absent: all zero and ASKCRED_OK. Damaged (or unsafe): t zeroed and
 * ASKCRED_CACHE_ERROR naming path:line. */
askcred_status metrics_state_read(const char *path, struct metrics_totals *t,
				  struct askcred_error *err);
/* Replace the file atomically (synced temp file, rename). */
askcred_status metrics_state_write(const char *path,
				   const struct metrics_totals *t,
				   struct askcred_error *err);

#endif
