/* `iotrap wine [OPTIONS] [--] APP.EXE [ARGS]`: run a Windows program under Wine with its
 * port I/O trapped and emulated, the iotrap builtin DLLs and drivers in place, and one
 * board shared by the program, winedevice.exe and every child process.
 *
 * It prepares the prefix (cmd_wine_prefix.c), makes sure no Wine session of the prefix
 * is running (its winedevice.exe would not see this run's board), creates the grant
 * file through which the drivers give processes raw port access (wine-dll/wine_grants.h),
 * and then runs `wine APP.EXE ARGS` exactly as `iotrap run` runs a program: same options,
 * same checks, same board, same preload library, which every Wine process inherits. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iotrap/status.h>
#include "tools/cmd_wine.h"
#include "tools/commands.h"
#include "tools/run_options.h"
#include "session/grants.h"

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
        "--backend", "--allow", "--device", "--device-plugin", "--trace", "--trace-format",
        "--patch",
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

    if (iotrap__wine_setup(env, 0) < 0)
        return 1;
    if (wait_server_gone(env, 15) < 0) {
        fprintf(stderr, "iotrap wine: Wine is already running in %s; its winedevice.exe would "
                        "not share this run's board: end it (WINEPREFIX=%s wineserver -k) "
                        "and try again\n", env->prefix, env->prefix);
        return 1;
    }

    char dir[PATH_MAX], grants[PATH_MAX + 16];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/iotrap-wine-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "iotrap wine: cannot create a directory in %s: %s\n",
                tmp && *tmp ? tmp : "/tmp", strerror(errno));
        return 1;
    }
    snprintf(grants, sizeof(grants), "%s/grants", dir);
    int status = 1;
    char *dllpath = NULL;
    char **rargv = NULL;
    int st = iotrap__wine_grants_create(grants);
    if (st < 0) {
        fprintf(stderr, "iotrap wine: cannot create %s: %s\n", grants, iotrap_strerror(st));
        goto out;
    }
    const char *old = getenv("WINEDLLPATH");
    size_t n = strlen(env->dlldir) + (old ? strlen(old) : 0) + 2;
    dllpath = malloc(n);
    rargv = calloc((size_t)argc + 8, sizeof(*rargv));
    if (!dllpath || !rargv) {
        fprintf(stderr, "iotrap wine: out of memory\n");
        goto out;
    }
    snprintf(dllpath, n, "%s%s%s", env->dlldir, old && *old ? ":" : "", old && *old ? old : "");
    if (setenv("WINEDLLPATH", dllpath, 1) < 0 || setenv(IOTRAP__GRANT_ENV, grants, 1) < 0 ||
        setenv("WINEPREFIX", env->prefix, 1) < 0) {
        fprintf(stderr, "iotrap wine: setenv: %s\n", strerror(errno));
        goto out;
    }

    /* A wineserver that ends as soon as the program's last process does, taking
     * winedevice.exe with it, so that nothing of this run outlives its board. */
    char *server_argv[] = { (char *)env->wineserver, "-p0", NULL };
    if (iotrap__wine_spawn(server_argv, 0) != 0) {
        fprintf(stderr, "iotrap wine: cannot start %s\n", env->wineserver);
        goto out;
    }

    /* iotrap run [OPTIONS] -- sh -c 'wine APP.EXE [ARGS]; wait for the wineserver'.
     * The board lives as long as `iotrap run`'s program: the wait inside it keeps the
     * board until winedevice.exe and every other process of the session are gone. */
    int k = 0;
    rargv[k++] = "run";
    for (int i = 1; i < prog; i++)
        if (strcmp(argv[i], "--") != 0)
            rargv[k++] = argv[i];
    rargv[k++] = "--";
    rargv[k++] = "/bin/sh";
    rargv[k++] = "-c";
    rargv[k++] = "\"$0\" \"$@\"; s=$?; \"$IOTRAP__WINESERVER\" -w; exit $s";
    rargv[k++] = (char *)env->wine;
    for (int i = prog; i < argc; i++)
        rargv[k++] = argv[i];
    rargv[k] = NULL;
    if (setenv("IOTRAP__WINESERVER", env->wineserver, 1) < 0) {
        fprintf(stderr, "iotrap wine: setenv: %s\n", strerror(errno));
        goto out;
    }
    status = iotrap__cmd_run(k, rargv);

out:
    unlink(grants);
    rmdir(dir);
    free(dllpath);
    free(rargv);
    return status;
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
