/* The IOTRAP_* environment as a session configuration: how `iotrap run` hands its options
 * to every process of a run, read in one place by the launcher, the preload library and
 * the Wine builtins alike. */
#ifndef IOTRAP_SESSION_ENV_H
#define IOTRAP_SESSION_ENV_H

#include <stddef.h>
#include <iotrap/ports.h>

/* A list variable split into its items. */
struct iotrap__env_list {
    char *copy;         /* the items point into it */
    const char **items; /* NULL-terminated */
};

typedef struct iotrap__env_config {
    iotrap_ports_config cfg;
    struct iotrap__env_list devices, plugins, routes, remaps;
    const char *run; /* IOTRAP_RUN: the run state of the `iotrap run` this process is in */
    int summary;     /* IOTRAP_SUMMARY: `iotrap run` prints the ports touched at exit */
} iotrap__env_config;

/* Fills ec from IOTRAP_BACKEND, IOTRAP_ROUTES, IOTRAP_REMAP, IOTRAP_ALLOW, IOTRAP_DEVICES,
 * IOTRAP_DEVICE_PLUGINS, IOTRAP_BOARD, IOTRAP_TRACE, IOTRAP_TRACE_FORMAT,
 * IOTRAP_TRACE_PORTS, IOTRAP_TRACE_MAX (a size, common/parse.h), IOTRAP_QUIET, IOTRAP_RUN
 * and IOTRAP_SUMMARY.  The lists are split at their separator (';', or ':' for plug-ins)
 * and each item is trimmed of spaces; empty items are ignored, and a list that is set but
 * holds no item at all is an error naming the variable.  On success the caller releases
 * ec with iotrap__env_config_free().
 *
 * The variables are read with `get`, or getenv() if it is NULL.  The preload library
 * reads its copy of the environment as the program started with it (shim/start_env.c), so
 * that the string settings stay valid after the program has changed its environment
 * (unless memory ran out at start, and a setting is the environment's own string). */
typedef const char *iotrap__env_get_fn(const char *name);
int iotrap__env_config_read(iotrap__env_config *ec, iotrap__env_get_fn *get, char *err,
                            size_t errlen);
void iotrap__env_config_free(iotrap__env_config *ec);

/* Opens the session ec describes, in its run (the preload library, the Wine builtins and
 * iotrap_ports_open_env() all open theirs this way). */
int iotrap__env_session_open(const iotrap__env_config *ec, iotrap_ports **out, char *err,
                             size_t errlen);

#endif
