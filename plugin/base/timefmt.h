/* Time as text: RFC 3339 timestamps (AskUI's API, credential files) and
 * short durations ("90s", "30m", "1h30m") in module arguments and
 * messages. Pure functions: no locale, no TZ, thread-safe. */
#ifndef ASKCRED_PLUGIN_TIMEFMT_H
#define ASKCRED_PLUGIN_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Parse a strict RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS" with optional
 * fractional seconds (dropped) and a zone "Z" or "+HH:MM"/"-HH:MM". A
 * leap second (":60") counts as the next second. Returns 0 and sets *out
 * to Unix seconds, or -1 for anything else (no partial parse). */
int rfc3339_parse(const char *s, int64_t *out);

/* "2026-11-28T17:00:00Z" + NUL. */
#define RFC3339_BUFSZ 21
/* Format t as UTC. Returns 0, or -1 when t is outside years 0000-9999. */
int rfc3339_format(int64_t t, char out[RFC3339_BUFSZ]);

/* duration_parse() lives in common/duration.h: one grammar for the
 * module, the policy and the command. */
#include "duration.h"

/* Format seconds the same way ("4m", "1h30m", "0s"), for messages. */
#define DURATION_BUFSZ 32
void duration_format(uint64_t secs, char out[DURATION_BUFSZ]);

#endif
