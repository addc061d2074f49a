/* Durations as text: one or more "<digits><unit>" groups with units d,
 * h, m, s in that order ("1h30m"), or bare digits meaning seconds. The
 * one parser for module arguments, policy documents and the command's
 * options. */
#ifndef ASKCRED_COMMON_DURATION_H
#define ASKCRED_COMMON_DURATION_H

#include <stdint.h>

/* Parse s. Returns 0 and sets *out (seconds); -1 when s is not a
 * duration; -2 when it is one but larger than max (*out untouched). */
int duration_parse(const char *s, uint64_t max, uint64_t *out);

#endif
