/* `iotrap run [OPTIONS] -- PROGRAM [ARGS]`: start a program with the preload library,
 * after checking the whole configuration, and end with the program's exit status. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iotrap/ports.h>
#include "backends/backend.h"
#include "common/userfile.h"
#include "session/env.h"
#include "session/session.h"
#include "tools/child.h"
#include "tools/commands.h"
#include "tools/preload_env.h"
#include "tools/program_check.h"
#include "tools/run_options.h"
#include "tools/run_summary.h"
#include "session/run_state.h"
#include "session/trace.h"

static const char run_usage[] =
    "Usage: iotrap run [OPTIONS] [--] PROGRAM [ARGS...]\n"
    "Run PROGRAM with its port I/O (IN, OUT, INS, OUTS) trapped and emulated.\n"
    "\n"
    "  --backend NAME[:ARGS]   where accesses go when no route says otherwise\n"
    "                          (IOTRAP_BACKEND; default sim)\n"
    "  --route PORTS=NAME[:ARGS]  those ports go to that backend, e.g.\n"
    "                          0x378-0x37f=ppdev:/dev/parport0; repeatable (IOTRAP_ROUTES)\n"
    "  --remap PORTS=TARGET    the program's PORTS reach their backend at TARGET onwards,\n"
    "                          e.g. 0x378-0x37f=0xe050; repeatable (IOTRAP_REMAP)\n"
    "  --allow PORTS           ports the program may use, e.g. 0x378-0x37f,0x3f8\n"
    "                          (IOTRAP_ALLOW; default: each route's ports, and all for\n"
    "                          sim and helper, nothing for other real ports)\n"
    "  --device SPEC           a device on the simulated board, NAME@BASE[,key=value...];\n"
    "                          repeatable (IOTRAP_DEVICES, ';'-separated)\n"
    "  --device-plugin FILE    load device models from a plug-in; repeatable\n"
    "                          (IOTRAP_DEVICE_PLUGINS, ':'-separated)\n"
    "  --trace FILE|-          record every access to FILE, or '-' for stderr (IOTRAP_TRACE)\n"
    "  --trace-format FORMAT   text (default), jsonl, or vcd (signals for GTKWave and\n"
    "                          sigrok) (IOTRAP_TRACE_FORMAT)\n"
    "  --trace-ports PORTS     trace only accesses to these ports (IOTRAP_TRACE_PORTS)\n"
    "  --trace-max SIZE        stop tracing after SIZE bytes (k, M, G), saying what was\n"
    "                          dropped (IOTRAP_TRACE_MAX)\n"
    "  --summary               at exit, print on stderr the reads and writes of each port\n"
    "                          touched, and which reached no device or were denied\n"
    "                          (IOTRAP_SUMMARY=1)\n"
    "  --patch auto|on|off     rewrite IN/OUT sites that trap often into calls (IOTRAP_PATCH;\n"
    "                          default auto: Windows code under Wine only)\n"
    "  -q, --quiet             no messages about denied accesses (IOTRAP_QUIET=1)\n"
    "  -h, --help              this text\n"
    "\n"
    "Options not given are taken from the environment variables named above.\n"
    "Exit status: the program's, 128+N if signal N ended it, 2 for a bad option, range\n"
    "or device spec (the program is not started), 127 if PROGRAM is not found, 126 if it\n"
    "cannot be executed, 1 if iotrap itself failed.\n";

static const char *env_or_null(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int check_trace(const char *t)
{
    if (!t || strcmp(t, "-") == 0)
        return 0;
    char err[512];
    int fd = iotrap__userfile_open("trace file", t, O_WRONLY | O_CREAT | O_APPEND, err,
                                   sizeof err);
    if (fd < 0) {
        fprintf(stderr, "iotrap run: %s\n", err);
        return -1;
    }
    close(fd);
    return 0;
}

/* An inherited IOTRAP_PATCH is checked here too, so that a bad value stops the run before
 * the program starts rather than in its preload library. */
static int check_patch(void)
{
    const char *p = env_or_null("IOTRAP_PATCH");
    if (!p || iotrap__run_patch_valid(p))
        return 0;
    fprintf(stderr, "iotrap run: IOTRAP_PATCH: '%s' is not auto, on or off\n", p);
    return -1;
}

/* Statuses that mean the configuration itself was wrong, not the machine. */
static int usage_status(int st)
{
    return st == IOTRAP_E_SYNTAX || st == IOTRAP_E_RANGE || st == IOTRAP_E_INVAL ||
           st == IOTRAP_E_NODEV;
}

/* Says, before starting it, why the preload library may not reach the program (e and
 * info: what iotrap__inspect_program gave). */
static void warn_about_program(const char *path, int e, const iotrap__program_info *info)
{
    const char *subject = info->script_interp[0] ? info->script_interp : path;
    if (e != 0) {
        if (info->script_interp[0])
            fprintf(stderr, "iotrap run: warning: cannot read the interpreter '%s' of %s: %s\n",
                    info->script_interp, path, strerror(e));
        return;
    }
    if (info->secure)
        fprintf(stderr,
                "iotrap run: warning: %s: %s, so the dynamic loader ignores LD_PRELOAD and "
                "its port I/O will NOT be trapped (run it without the set-ID bit or "
                "capabilities)\n", subject, info->secure_why);
    if (info->elf_class && !info->dynamic)
        fprintf(stderr,
                "iotrap run: warning: %s is statically linked (no program interpreter): the "
                "iotrap preload library cannot be loaded into it and its port I/O will NOT "
                "be trapped\n", subject);
    const char *arch = iotrap__preload_arch(info->elf_class);
    if (info->dynamic && arch) {
        char lib[PATH_MAX];
        snprintf(lib, sizeof(lib), "%s/%s/" IOTRAP__PRELOAD_FILE, iotrap__preload_dir(), arch);
        if (access(lib, R_OK) != 0)
            fprintf(stderr,
                    "iotrap run: warning: %s is a %d-bit program but %s is missing: its "
                    "port I/O will NOT be trapped\n", subject, info->elf_class == 1 ? 32 : 64,
                    lib);
    }
}

/* ---- Starting and waiting -------------------------------------------------------- */

static volatile sig_atomic_t child_pid;
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Passes a signal on to the program.  A signal the terminal sent (si_code SI_KERNEL) has
 * already reached the program too when it shares our process group: sending it again
 * would deliver it twice. */
static void forward(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    pid_t pid = child_pid;
    if (pid <= 0)
        return;
    if (si && si->si_code == SI_KERNEL && getpgid(pid) == getpgrp())
        return;
    kill(pid, sig);
}

static int set_forwarding(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        if (sigaction(forwarded[i], &sa, NULL) < 0)
            return -1;
    return 0;
}

/* The shell's command line for a program without "#!", which execvp() and shells run as
 * a shell script: sh PATH ARGS...  Made before the child exists, since the child shares
 * this process's memory (vfork) and must not allocate.  NULL if out of memory. */
static char **shell_argv(const char *path, char **argv)
{
    int n = 0;
    while (argv[n])
        n++;
    char **sh = calloc((size_t)n + 2, sizeof(*sh));
    if (sh) {
        sh[0] = "sh";
        sh[1] = (char *)path;
        for (int i = 1; i < n; i++)
            sh[i + 1] = argv[i];
    }
    return sh;
}

/* Runs in the child of vfork(), until it execs: exec, or report errno through the pipe.
 * It only makes system calls about itself (its signal dispositions and mask are its own)
 * and writes nothing of the parent's but its own stack. */
static void exec_child(const char *path, char **argv, char **sh, int errfd,
                       const sigset_t *oldmask, pid_t parent)
{
    iotrap__die_with_parent(parent);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaction(forwarded[i], &dfl, NULL);
    sigprocmask(SIG_SETMASK, oldmask, NULL);
    execv(path, argv);
    if (errno == ENOEXEC) {
        /* A file without "#!" is a shell script to execvp() and to the shell. */
        if (sh)
            execv("/bin/sh", sh);
        errno = ENOEXEC;
    }
    int e = errno;
    ssize_t w = write(errfd, &e, sizeof(e));
    (void)w;
    _exit(e == ENOENT ? 127 : 126);
}

static int wait_status(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "iotrap run: waitpid: %s\n", strerror(errno));
            return 1;
        }
    }
    return iotrap__child_status(st);
}

static int start_and_wait(const char *path, char **argv)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        fprintf(stderr, "iotrap run: pipe: %s\n", strerror(errno));
        return 1;
    }
    /* The forwarded signals stay blocked until the child's pid is known, so that one
     * arriving meanwhile is delivered (and forwarded) afterwards, never lost. */
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(&block, forwarded[i]);
    sigprocmask(SIG_BLOCK, &block, &old);
    if (set_forwarding() < 0) {
        fprintf(stderr, "iotrap run: sigaction: %s\n", strerror(errno));
        sigprocmask(SIG_SETMASK, &old, NULL);
        return 1;
    }
    pid_t parent = getpid();
    char **sh = shell_argv(path, argv);
    /* vfork, not fork: the child only execs, so copying the launcher's page tables for it,
     * and the copy-on-write faults the launcher would then take on its own pages, are work
     * for nothing. */
    pid_t pid = vfork();
    if (pid < 0) {
        fprintf(stderr, "iotrap run: fork: %s\n", strerror(errno));
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(pfd[0]);
        close(pfd[1]);
        free(sh);
        return 1;
    }
    if (pid == 0)
        exec_child(path, argv, sh, pfd[1], &old, parent);
    free(sh);
    child_pid = pid;
    close(pfd[1]);
    sigprocmask(SIG_SETMASK, &old, NULL);

    int e = 0;
    ssize_t n;
    while ((n = read(pfd[0], &e, sizeof(e))) < 0 && errno == EINTR)
        ;
    close(pfd[0]);
    int status = wait_status(pid);
    if (n == (ssize_t)sizeof(e)) {
        fprintf(stderr, "iotrap run: cannot execute %s: %s\n", path, strerror(e));
        status = e == ENOENT ? 127 : 126;
    }
    child_pid = 0;
    return status;
}

/* ---- The command ----------------------------------------------------------------- */

static int setenv_or_fail(const char *name, const char *value)
{
    if (setenv(name, value, 1) < 0) {
        fprintf(stderr, "iotrap run: setenv %s: %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes the backends the session opened back into IOTRAP_BACKEND and IOTRAP_ROUTES, so
 * that "auto" means the same choice in every process of the run. */
static int pin_choices(const iotrap_ports *ports)
{
    char spec[4096];
    if (iotrap__session_backend_spec(ports, spec, sizeof spec) >= sizeof spec ||
        setenv_or_fail("IOTRAP_BACKEND", spec) < 0)
        return -1;
    if (!getenv("IOTRAP_ROUTES"))
        return 0;
    size_t n = iotrap__session_routes_spec(ports, NULL, 0) + 1;
    char *routes = malloc(n);
    if (!routes)
        return -1;
    iotrap__session_routes_spec(ports, routes, n);
    int rc = setenv_or_fail("IOTRAP_ROUTES", routes);
    free(routes);
    return rc;
}

int iotrap__cmd_run(int argc, char **argv)
{
    char err[1024];
    iotrap__run_options opts;
    if (iotrap__run_parse(argc, argv, 1, &opts, err, sizeof(err)) < 0) {
        fprintf(stderr, "iotrap run: %s\n", err);
        return 2;
    }
    if (opts.help) {
        fputs(run_usage, stdout);
        iotrap__run_options_free(&opts);
        return 0;
    }

    iotrap__env_var vars[IOTRAP__RUN_ENV_MAX];
    int nvars = iotrap__run_env(&opts, vars, err, sizeof(err));
    if (nvars < 0) {
        fprintf(stderr, "iotrap run: %s\n", err);
        iotrap__run_options_free(&opts);
        return 2;
    }
    int status = 1;
    char board[PATH_MAX] = "", run[PATH_MAX] = "";
    iotrap__run_state rs = { 0 };
    iotrap__env_config eff;
    int have_eff = 0;
    iotrap_ports *ports = NULL;

    for (int i = 0; i < nvars; i++)
        if (setenv_or_fail(vars[i].name, vars[i].value) < 0)
            goto out;
    /* A board and a run state inherited from an enclosing run belong to that run. */
    unsetenv("IOTRAP_BOARD");
    unsetenv("IOTRAP_RUN");

    /* Check everything the preload library will be told, read as it will read it, before
     * the program can run a single instruction.  The trace file is checked on its own
     * (check_trace) so that opening a session here neither truncates nor writes it. */
    err[0] = '\0';
    int st = iotrap__env_config_read(&eff, NULL, err, sizeof(err));
    if (st < 0) {
        fprintf(stderr, "iotrap run: %s\n", err[0] ? err : iotrap_strerror(st));
        status = usage_status(st) ? 2 : 1;
        goto out;
    }
    have_eff = 1;
    const char *trace = eff.cfg.trace;
    eff.cfg.trace = NULL;
    if (check_trace(trace) < 0 || check_patch() < 0) {
        status = 2;
        goto out;
    }
    /* The program and the preload library are looked up before the session opens, since
     * the session makes the run's board, which empties the devices' out= files: a run
     * that cannot start leaves them alone.  A bad setting is still what such a run
     * reports first, checked by a session that makes nothing. */
    char path[PATH_MAX], perr[1024] = "";
    int e = iotrap__find_program(opts.program[0], path, sizeof(path));
    /* Read once, for the warnings and for the class of the process that will load the
     * preload library (a script's interpreter's): LD_PRELOAD names its directory. */
    iotrap__program_info info;
    int ie = e == 0 ? iotrap__inspect_program(path, &info) : e;
    char *preload = e == 0 ? iotrap__preload_env(iotrap__preload_dir(), getenv("LD_PRELOAD"),
                                                 iotrap__preload_class(ie, &info),
                                                 perr, sizeof(perr))
                           : NULL;
    /* A backend whose device state all the processes of the run share (the simulated
     * board: one board, so that a child sees what its parent wrote to a device) makes it
     * here, before the program starts. */
    bool board_failed = false;
    iotrap__session_params sp = { .cfg = &eff.cfg };
    if (preload) {
        sp.shared_path = board;
        sp.shared_pathlen = sizeof board;
        sp.shared_failed = &board_failed;
    }
    err[0] = '\0';
    st = iotrap__session_open(&sp, &ports, err, sizeof(err));
    if (st < 0) {
        fprintf(stderr, "iotrap run: %s%s\n",
                board_failed ? "cannot create the simulated board: " : "",
                err[0] ? err : iotrap_strerror(st));
        /* Whatever the session refuses here is the configuration's doing (a bad value, a
         * file, plug-in or backend that cannot be opened), and the man page gives all of
         * it status 2; only running out of memory, or a board file that cannot be made, is
         * iotrap's own failure. */
        status = st == IOTRAP_E_NOMEM || board_failed ? 1 : 2;
        free(preload);
        goto out;
    }
    if (e != 0) {
        if (e == ENOENT)
            fprintf(stderr, "iotrap run: %s: command not found\n", opts.program[0]);
        else
            fprintf(stderr, "iotrap run: %s: %s\n", opts.program[0], strerror(e));
        status = e == ENOENT ? 127 : 126;
        goto out;
    }
    if (!preload) {
        fprintf(stderr, "iotrap run: %s\n", perr);
        goto out;
    }
    /* Every process of the run uses the backends chosen here, so that they share one
     * device and what "auto" chose is logged once. */
    int ok = pin_choices(ports) == 0 && setenv_or_fail("LD_PRELOAD", preload) == 0 &&
             setenv_or_fail("IOTRAP_PRELOAD_DIR", iotrap__preload_dir()) == 0 &&
             (!board[0] || setenv_or_fail("IOTRAP_BOARD", board) == 0);
    free(preload);
    if (!ok)
        goto out;
    iotrap_ports_close(ports);
    ports = NULL;
    warn_about_program(path, ie, &info);

    /* What the processes of the run share besides the board: the time the trace counts
     * from, its size budget, and the --summary counts. */
    err[0] = '\0';
    st = iotrap__run_state_create(&rs, eff.summary, run, sizeof run, err, sizeof err);
    if (st < 0) {
        fprintf(stderr, "iotrap run: %s\n", err[0] ? err : iotrap_strerror(st));
        run[0] = '\0';
        goto out;
    }
    if (setenv_or_fail("IOTRAP_RUN", run) < 0)
        goto out;
    /* A VCD file holds one run: it starts empty, and the first process writes the header. */
    if (trace && strcmp(trace, "-") != 0 && iotrap__trace_format_vcd(eff.cfg.trace_format) &&
        truncate(trace, 0) != 0) {
        fprintf(stderr, "iotrap run: cannot empty the trace file '%s': %s\n", trace,
                strerror(errno));
        goto out;
    }

    status = start_and_wait(path, opts.program);

    if (trace && iotrap__trace_end(trace, eff.cfg.trace_format, eff.cfg.trace_max, &rs, err,
                                   sizeof err) != IOTRAP_OK)
        fprintf(stderr, "iotrap run: %s\n", err);
    if (eff.summary)
        iotrap__run_summary_print(&rs, stderr);

out:
    iotrap__run_state_detach(&rs);
    if (run[0])
        iotrap__run_state_remove(run);
    iotrap_ports_close(ports);
    if (board[0])
        iotrap_board_remove(board);
    if (have_eff)
        iotrap__env_config_free(&eff);
    iotrap__run_env_free(vars, nvars);
    iotrap__run_options_free(&opts);
    return status;
}
