/* Command-line options of `iotrap run`, and the environment variables they become.
 *
 * Parsing is kept apart from running the program so that every accepted form and every
 * error message can be tested without starting anything (tests/unit/test_options.c).
 */
#ifndef IOTRAP_TOOLS_RUN_OPTIONS_H
#define IOTRAP_TOOLS_RUN_OPTIONS_H

#include <stddef.h>

typedef struct iotrap__run_options {
    const char *backend;      /* --backend NAME[:ARGS] */
    const char **routes;      /* --route PORTS=NAME[:ARGS], in order, NULL-terminated */
    size_t nroutes;
    const char **remaps;      /* --remap PORTS=TARGET, in order, NULL-terminated */
    size_t nremaps;
    const char *allow;        /* --allow PORTS */
    const char **devices;     /* --device SPEC, in order, NULL-terminated */
    size_t ndevices;
    const char **plugins;     /* --device-plugin FILE, in order, NULL-terminated */
    size_t nplugins;
    const char *trace;        /* --trace FILE|- */
    const char *trace_format; /* --trace-format text|jsonl|vcd */
    const char *trace_ports;  /* --trace-ports PORTS */
    const char *trace_max;    /* --trace-max SIZE */
    int summary;              /* --summary */
    const char *patch;        /* --patch auto|on|off */
    int quiet;                /* --quiet */
    int help;                 /* --help: nothing else is required */
    char **program;           /* PROGRAM [ARGS], NULL-terminated (points into argv) */
} iotrap__run_options;

/* One environment variable for the program and its preload library.  `value` is owned
 * by the array filled by iotrap__run_env() and released by iotrap__run_env_free(). */
typedef struct iotrap__env_var {
    const char *name;
    char *value;
} iotrap__env_var;

/* The most variables iotrap__run_env() produces. */
#define IOTRAP__RUN_ENV_MAX 14

/* Parses the arguments of `iotrap run` (argv[0] is "run").  Options come first; the
 * program starts at the first argument that is not an option, or after "--"; without
 * need_program (`iotrap doctor`) there may be none.
 * Returns 0, or -1 with a message naming the bad argument in err (the caller exits 2).
 * On success the caller releases the lists with iotrap__run_options_free(). */
int iotrap__run_parse(int argc, char **argv, int need_program, iotrap__run_options *opts,
                      char *err, size_t errlen);
void iotrap__run_options_free(iotrap__run_options *opts);

/* 1 if `value` is a value of --patch (and IOTRAP_PATCH): auto, on or off. */
int iotrap__run_patch_valid(const char *value);

/* Maps the options that were given to the variables the preload library reads
 * (IOTRAP_BACKEND, IOTRAP_ROUTES and IOTRAP_REMAP joined with ';', IOTRAP_ALLOW,
 * IOTRAP_DEVICES joined with ';', IOTRAP_DEVICE_PLUGINS
 * joined with ':' and made absolute, IOTRAP_TRACE made absolute, IOTRAP_TRACE_FORMAT,
 * IOTRAP_TRACE_PORTS, IOTRAP_TRACE_MAX, IOTRAP_SUMMARY=1, IOTRAP_PATCH, IOTRAP_QUIET=1).  Options not given produce no variable: the program then inherits
 * whatever the environment already says.  Returns the number of variables, or -1 with a
 * message in err (a spec or path that cannot be carried in its list). */
int iotrap__run_env(const iotrap__run_options *opts, iotrap__env_var vars[IOTRAP__RUN_ENV_MAX],
                    char *err, size_t errlen);
void iotrap__run_env_free(iotrap__env_var *vars, int n);

#endif
