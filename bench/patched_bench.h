/* The `patched` mode of iotrap-bench-trap (bench/patched_bench.c). */
#ifndef IOTRAP_BENCH_PATCHED_BENCH_H
#define IOTRAP_BENCH_PATCHED_BENCH_H

#include <stdint.h>

/* Prints the patched, ports_in, scale1 and scale2 figures; the exit status. */
int iotrap__bench_patched(long iter, uint16_t port);

#endif
