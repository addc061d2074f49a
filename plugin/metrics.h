/* metrics_file=: what the instance counts, for node_exporter's textfile
 * collector. askcred runs as many short-lived processes, so each process
 * keeps its changes in memory and adds them, under a lock, to the totals
 * in "<cache dir>/metrics/state", then renders the .prom file from the
 * totals (metrics_state.h, metrics_file.h).
 *
 * Metrics never fail or hold up a credential: every failure here is a
 * warning in the log, and a damaged state file restarts the totals from
 * zero (with a warning). Every function takes m == NULL (metrics off) and
 * does nothing then.
 *
 * Threads: safe. */
#ifndef ASKCRED_PLUGIN_METRICS_H
#define ASKCRED_PLUGIN_METRICS_H

#include <stdint.h>

#include "metrics_state.h"

struct log_sink;
struct source_ctx;

struct metrics;

/* NULL when cfg has no metrics_file (or no memory: then a warning). dir
 * is the cache directory in use, NULL when the cache is off (then
 * cache_dir= or the default cache directory holds the state). */
struct metrics *metrics_open(const struct plugin_config *cfg, const char *dir,
			     const struct log_sink *log);
/* Write what is unsaved, then free. */
void metrics_close(struct metrics *m, const struct source_ctx *sc);

void metrics_count(struct metrics *m, enum metrics_event ev);
void metrics_refusal(struct metrics *m, const char *reason);
void metrics_askui_success(struct metrics *m);
/* The token now cached for (workspace, entry) expires at expires_at (0:
 * never, or the entry is gone: not shown). */
void metrics_expiry(struct metrics *m, const char *workspace, const char *entry,
		    int64_t expires_at);

/* Save and render, at the end of an operation. A run of memory-cache
 * hits only (a long-lived host's hot path) is saved at most once a
 * second; everything else at once. */
void metrics_flush(struct metrics *m, const struct source_ctx *sc);

#endif
