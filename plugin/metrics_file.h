/* The file node_exporter's textfile collector reads: the totals in the
 * Prometheus text exposition format, written atomically (a synced temp
 * file in the same directory, renamed over the old one), so a scrape sees
 * the old file or the new one, never half of one. */
#ifndef ASKCRED_PLUGIN_METRICS_FILE_H
#define ASKCRED_PLUGIN_METRICS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <askcred/provider.h>

#include "metrics_state.h"

/* The exposition of t at time now, with pending revocations as given,
 * into buf. The length, or 0 when buf is too small. */
size_t metrics_render(const struct metrics_totals *t, int pending, int64_t now,
		      char *buf, size_t size);

/* Replace path with text: its directory must be a real directory of ours
 * or root's that group and others cannot write; a symbolic link or any
 * other non-regular file at path is refused and left as it is. The file
 * gets mode 0644 (it holds no secret; the collector reads it). */
askcred_status metrics_publish(const char *path, const char *text, size_t len,
			       struct askcred_error *err);

#endif
