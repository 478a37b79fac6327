# bench: the helper `iotrap bench` runs to time trapped instructions in a process of
# their own (one bare, one under the preload library).
pkglibexec_PROGRAMS = bench/iotrap-bench-trap
bench_iotrap_bench_trap_SOURCES = bench/trap_bench.c bench/timing.h \
	bench/patched_bench.c bench/patched_bench.h
# The patched mode opens a session of its own, with a copy of the core linked in.
bench_iotrap_bench_trap_LDADD = libiotrap_core.la $(CAPSTONE_LIBS) -lpthread
