/* What every benchmark program needs to time and summarise: the monotonic
 * clock in microseconds, and samples sorted for their median and
 * percentiles. */
#ifndef ASKCRED_BENCH_BENCHTIME_H
#define ASKCRED_BENCH_BENCHTIME_H

#include <stddef.h>

/* CLOCK_MONOTONIC, in microseconds (with fractions). */
double bench_now_us(void);
/* Sort n samples ascending: v[n / 2] is then the median. */
void bench_sort(double *v, size_t n);

#endif
