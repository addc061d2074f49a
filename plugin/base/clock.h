/* The one clock for deadlines, backoff and rate limits: CLOCK_MONOTONIC in
 * milliseconds. It does not jump when the wall clock is set, and glibc
 * reads it from the vDSO, without a system call. */
#ifndef ASKCRED_PLUGIN_CLOCK_H
#define ASKCRED_PLUGIN_CLOCK_H

#include <stdint.h>

int64_t monotonic_ms(void);

#endif
