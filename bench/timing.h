/* Clock and ordering helpers shared by `iotrap bench` and its trap-timing helper. */
#ifndef IOTRAP_BENCH_TIMING_H
#define IOTRAP_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double iotrap__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* For qsort() of doubles. */
static inline int iotrap__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n), which it sorts. */
static inline double iotrap__median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, iotrap__cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
