/* `iotrap wine`: internal interfaces between its runner (cmd_wine.c) and the prefix
 * preparation (cmd_wine_prefix.c). */
#ifndef IOTRAP_TOOLS_CMD_WINE_H
#define IOTRAP_TOOLS_CMD_WINE_H

#include <stddef.h>

/* Everything `iotrap wine` needs to know about Wine and its own files. */
typedef struct iotrap__wine_env {
    char wine[4096];        /* the wine launcher ($WINE, or wine in $PATH) */
    char wineserver[4096];  /* the wineserver of that Wine ($WINESERVER, or in $PATH) */
    char prefix[4096];      /* $WINEPREFIX, or ~/.wine */
    char dlldir[4096];      /* the builtins: $IOTRAP_WINE_DIR, or $(pkglibdir)/wine */
} iotrap__wine_env;

/* Fills `env`; returns 0, or -1 after printing what is missing. */
int iotrap__wine_env_init(iotrap__wine_env *env);

/* Runs a Wine tool (argv[0] a path) with the current environment, its output thrown
 * away unless `verbose`; returns its exit status, or -1 if it could not be started. */
int iotrap__wine_spawn(char *const argv[], int verbose);

/* Prepares the prefix, idempotently: creates it if needed, places the placeholder
 * files and registers the iotrap driver service.  Returns 0, or -1 after printing why. */
int iotrap__wine_setup(const iotrap__wine_env *env, int verbose);

/* Undoes iotrap__wine_setup(): removes the files it placed (if unchanged) and the
 * service.  Returns 0, or -1 after printing why. */
int iotrap__wine_remove(const iotrap__wine_env *env, int verbose);

/* 1 if a wineserver is running for the prefix, 0 if not; asked without disturbing it
 * (cmd_wine_server.c). */
int iotrap__wine_server_running(const iotrap__wine_env *env);

/* Waits for the prefix's wineserver to exit (wineserver -w). */
void iotrap__wine_server_wait(const iotrap__wine_env *env);

/* Runs `wine argv[prog...]` in the prefix's session (cmd_wine_session.c): joins a running
 * session of the same options (argv[1..prog) are `iotrap run` options), or prepares the
 * prefix and starts one.
 * Returns the program's exit status, or 1/2 after printing why it could not run. */
int iotrap__wine_session_run(const iotrap__wine_env *env, int argc, char **argv, int prog);

/* The internal `iotrap wine --session-keeper FD`: see cmd_wine_session.c. */
int iotrap__wine_session_keeper(const char *fdarg);

#endif
