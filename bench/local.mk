# bench: the helper `iotrap bench` runs to time trapped instructions in a process of
# their own (one bare, one under the preload library).
pkglibexec_PROGRAMS = bench/iotrap-bench-trap
bench_iotrap_bench_trap_SOURCES = bench/trap_bench.c bench/timing.h
# The minimal launcher and the trivial program of the start-up figures.
pkglibexec_PROGRAMS += bench/iotrap-bench-start
bench_iotrap_bench_start_SOURCES = bench/start_bench.c
