/* `iotrap wine [OPTIONS] [--] APP.EXE [ARGS]`: run a Windows program under Wine with its
 * port I/O trapped and emulated, the iotrap builtin DLLs and drivers in place, and one
 * board shared by the program, winedevice.exe and every child process.
 *
 * It prepares the prefix (cmd_wine_prefix.c) and runs `wine APP.EXE ARGS` in the
 * prefix's session (cmd_wine_session.c): a new one is set up by `iotrap run` with the
 * same options, checks, board and preload library, which every Wine process inherits,
 * and with the grant file through which the drivers give processes raw port access
 * (session/grants.h); a running one of the same options is joined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/cmd_wine.h"
#include "tools/commands.h"
#include "tools/run_options.h"

static const char wine_usage[] =
    "Usage: iotrap wine [OPTIONS] [--] APP.EXE [ARGS...]\n"
    "       iotrap wine --setup | --remove\n"
    "Run a Windows program under Wine with its port I/O trapped and emulated, and with\n"
    "builtin replacements for inpout32/inpoutx64, dlportio, WinIo, io.dll and the port\n"
    "drivers giveio, PortTalk, ioperm, inpout32/x64, hwinterface, WinIo and dlportio.\n"
    "\n"
    "  --setup        only prepare the prefix (WINEPREFIX, default ~/.wine)\n"
    "  --remove       undo --setup\n"
    "  -h, --help     this text\n"
    "\n"
    "The other options are those of 'iotrap run' (--backend, --allow, --device,\n"
    "--device-plugin, --trace, --trace-format, --patch, --quiet); see 'iotrap run --help'.\n"
    "The prefix is prepared on every run if needed.  Environment: WINEPREFIX, WINE (the\n"
    "wine launcher), WINESERVER, IOTRAP_WINE_DIR (the builtins, default the installed).\n"
    "Exit status: the program's, or that of 'iotrap run' for a bad option.\n";

/* Options of `iotrap run` that take a separate value: needed to find where the program
 * starts without taking an argument of the program for one of ours. */
static int takes_value(const char *a)
{
    static const char *const with_value[] = {
        "--backend", "--route", "--remap", "--allow", "--device", "--device-plugin", "--trace",
        "--trace-format", "--patch",
    };
    for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
        if (strcmp(a, with_value[i]) == 0)
            return 1;
    return 0;
}

/* Waits up to `seconds` for a wineserver of the prefix (say, of the previous run, which
 * lingers a few seconds) to go away. */
static int wait_server_gone(const iotrap__wine_env *env, int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        if (!iotrap__wine_server_running(env))
            return 0;
        usleep(100000);
    }
    return -1;
}

static int run_program(const iotrap__wine_env *env, int argc, char **argv)
{
    char err[1024];
    iotrap__run_options opts;
    if (iotrap__run_parse(argc, argv, 1, &opts, err, sizeof(err)) < 0) {
        fprintf(stderr, "iotrap wine: %s\n", err);
        return 2;
    }
    int prog = (int)(opts.program - argv);
    iotrap__run_options_free(&opts);
    return iotrap__wine_session_run(env, argc, argv, prog);
}

int iotrap__cmd_wine(int argc, char **argv)
{
    int setup = 0, remove_ = 0, help = 0;
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    if (!rest) {
        fprintf(stderr, "iotrap wine: out of memory\n");
        return 1;
    }
    int n = 0, i = 1;
    rest[n++] = argv[0];
    /* Our own options are taken only before the program and its arguments. */
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--setup") == 0)
            setup = 1;
        else if (strcmp(a, "--remove") == 0)
            remove_ = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            help = 1;
        else if (strcmp(a, "--session-keeper") == 0 && i + 1 < argc) {
            /* Internal: the program `iotrap wine` runs under `iotrap run` to keep a
             * prefix session's board (cmd_wine_session.c). */
            free(rest);
            return iotrap__wine_session_keeper(argv[i + 1]);
        }
        else if (strcmp(a, "--") == 0 || a[0] != '-')
            break;
        else {
            rest[n++] = argv[i];
            if (takes_value(a) && i + 1 < argc)
                rest[n++] = argv[++i];
        }
    }
    int first_arg = i;
    for (; i < argc; i++)
        rest[n++] = argv[i];
    rest[n] = NULL;

    int status;
    iotrap__wine_env env;
    if (help) {
        fputs(wine_usage, stdout);
        status = 0;
    } else if (setup && remove_) {
        fprintf(stderr, "iotrap wine: --setup and --remove exclude each other\n");
        status = 2;
    } else if ((setup || remove_) && first_arg < argc) {
        fprintf(stderr, "iotrap wine: --%s takes no program (got '%s')\n",
                setup ? "setup" : "remove", argv[first_arg]);
        status = 2;
    } else if (!setup && !remove_ && first_arg >= argc) {
        fprintf(stderr, "iotrap wine: no program given: iotrap wine [OPTIONS] [--] APP.EXE "
                        "[ARGS...] (or --setup, --remove)\n");
        status = 2;
    } else if (iotrap__wine_env_init(&env) < 0) {
        status = 1;
    } else if (setup) {
        status = iotrap__wine_setup(&env, 0) < 0 ? 1 : 0;
    } else if (remove_) {
        if (wait_server_gone(&env, 15) < 0) {
            fprintf(stderr, "iotrap wine: Wine is running in %s: end it first\n", env.prefix);
            status = 1;
        } else {
            status = iotrap__wine_remove(&env, 0) < 0 ? 1 : 0;
        }
    } else {
        status = run_program(&env, n, rest);
    }
    free(rest);
    return status;
}
