# bench: the helper `iotrap bench` runs to time trapped instructions in a process of
# their own (one bare, one under the preload library).
pkglibexec_PROGRAMS = bench/iotrap-bench-trap
bench_iotrap_bench_trap_SOURCES = bench/trap_bench.c bench/timing.h
