/* The start-up figures of `iotrap bench`: what the preload library and `iotrap run` add
 * to starting a program that never traps, in time and in memory. */
#ifndef IOTRAP_TOOLS_BENCH_START_H
#define IOTRAP_TOOLS_BENCH_START_H

/* The programs and environments one round runs (complete environments, NULL-ended). */
struct iotrap__start_setup {
    const char *helper;  /* bench/iotrap-bench-start: the minimal launcher, the rss program */
    const char *iotrap;  /* this `iotrap`, for `iotrap run` */
    const char *program; /* the program that never traps: /bin/true */
    char **bare_env;     /* no preload library */
    char **preload_env;  /* the preload library on a private simulated board */
    char **run_env;      /* what `iotrap run` needs to find the preload library */
};

/* One round: ns per start of the program (median of a few), and resident memory. */
struct iotrap__start_round {
    double bare;     /* the program */
    double preload;  /* the program under the preload library */
    double run;      /* `iotrap run -- program` */
    double launcher; /* `iotrap-bench-start spawn program` */
    double rss_extra_kb; /* VmRSS of the rss program preloaded minus bare */
};

/* Measures one round; -1 with a message on stderr if a program failed. */
int iotrap__bench_start_round(const struct iotrap__start_setup *s, struct iotrap__start_round *r);

#endif
