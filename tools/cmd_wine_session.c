/* Prefix sessions of `iotrap wine`: one board per Wine session of a prefix, shared by
 * the application, winedevice.exe, services.exe and every child, and by each later
 * `iotrap wine` that starts while the session runs.
 *
 * A Wine session outlives its first program: the wineserver and the service processes
 * stay a few seconds for the next program, which then starts in a fraction of the time.
 * So the board must outlive the `iotrap wine` that made it.  It is made by a keeper: an
 * `iotrap run` whose program is `iotrap wine --session-keeper`, started in the
 * background.  The keeper reports the environment `iotrap run` gave it (board, policy,
 * preload library) and then waits until no `iotrap wine` of the prefix is running and the
 * wineserver has exited; `iotrap run` then removes the board.
 *
 * The session is described in PREFIX/.iotrap-session: the keeper's process id, the
 * options it was started with, and the environment to run Wine with.  A later `iotrap
 * wine` with the same options runs its program with that environment (it joins); with
 * other options it waits for the session to end, and says why it cannot run when the
 * session does not end.  Two locks order all this: PREFIX/.iotrap-session.lock (held
 * while a run decides, and while the keeper ends the session) and
 * PREFIX/.iotrap-session.users (held shared by every `iotrap wine` while its program
 * runs, so that the keeper never ends a session under a starting program). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iotrap/status.h>
#include "tools/child.h"
#include "tools/cmd_wine.h"
#include "tools/commands.h"
#include "tools/run_options.h"
#include "session/grants.h"

#define RECORD ".iotrap-session"
#define RECORD_MAGIC "iotrap-wine-session 1"
/* How long a run waits for a session it cannot join: while a program of it runs (or Wine
 * runs without iotrap), and while it only lingers, its last program gone.  A lingering
 * session ends by itself, in a few seconds unless the machine is very busy. */
#define WAIT_BUSY_S 15
#define WAIT_LINGER_S 120

extern char **environ;

/* The variables that make up a run's configuration: a session is joined only by runs
 * that would set them alike. */
static const char *const config_vars[] = {
    "IOTRAP_BACKEND", "IOTRAP_ROUTES", "IOTRAP_REMAP", "IOTRAP_ALLOW", "IOTRAP_DEVICES",
    "IOTRAP_DEVICE_PLUGINS",
    "IOTRAP_TRACE", "IOTRAP_TRACE_FORMAT", "IOTRAP_PATCH", "IOTRAP_QUIET",
};
#define NCONFIG (sizeof(config_vars) / sizeof(config_vars[0]))

static int prefix_path(const iotrap__wine_env *env, const char *name, char *out, size_t len)
{
    int n = snprintf(out, len, "%s/%s", env->prefix, name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int open_lock(const iotrap__wine_env *env, const char *name)
{
    char path[PATH_MAX];
    if (prefix_path(env, name, path, sizeof(path)) < 0)
        return -1;
    return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

static void lock(int fd, int how)
{
    while (flock(fd, how) < 0 && errno == EINTR)
        ;
}

/* Whether an `iotrap wine` runs a program in the session: it holds the users lock
 * shared, which its keeper takes alone only to end the session. */
static int session_busy(int users)
{
    if (flock(users, LOCK_EX | LOCK_NB) < 0)
        return 1;
    flock(users, LOCK_UN);
    return 0;
}

/* "NAME=VALUE\n" for each configuration variable as the run's options and environment
 * set it; NULL (not joinable) when a value holds a newline. */
static char *signature(int argc, char **argv)
{
    char err[256];
    iotrap__run_options opts;
    iotrap__env_var vars[IOTRAP__RUN_ENV_MAX];
    if (iotrap__run_parse(argc, argv, 1, &opts, err, sizeof(err)) < 0)
        return NULL;
    int n = iotrap__run_env(&opts, vars, err, sizeof(err));
    iotrap__run_options_free(&opts);
    if (n < 0)
        return NULL;
    size_t cap = 1;
    const char *val[NCONFIG];
    for (size_t i = 0; i < NCONFIG; i++) {
        val[i] = getenv(config_vars[i]);
        for (int k = 0; k < n; k++)
            if (strcmp(vars[k].name, config_vars[i]) == 0)
                val[i] = vars[k].value;
        if (!val[i])
            val[i] = "";
        cap += strlen(config_vars[i]) + strlen(val[i]) + 2;
    }
    char *sig = malloc(cap);
    if (sig) {
        sig[0] = '\0';
        for (size_t i = 0; i < NCONFIG && sig; i++) {
            if (strchr(val[i], '\n')) {
                free(sig);
                sig = NULL;
                break;
            }
            strcat(strcat(strcat(strcat(sig, config_vars[i]), "="), val[i]), "\n");
        }
    }
    iotrap__run_env_free(vars, n);
    return sig;
}

/* ---- The record ---------------------------------------------------------------------- */

struct record {
    pid_t keeper;
    char *options; /* signature() of the run that started it */
    char *env;     /* "NAME=VALUE\n" lines to run Wine with */
};

static void record_free(struct record *r)
{
    free(r->options);
    free(r->env);
    memset(r, 0, sizeof(*r));
}

static int append(char **s, const char *line, size_t len)
{
    size_t have = *s ? strlen(*s) : 0;
    char *t = realloc(*s, have + len + 2);
    if (!t)
        return -1;
    memcpy(t + have, line, len);
    t[have + len] = '\n';
    t[have + len + 1] = '\0';
    *s = t;
    return 0;
}

/* Reads the record of a live keeper: 0, or -1 when there is none (or it is stale). */
static int record_read(const iotrap__wine_env *env, struct record *r)
{
    memset(r, 0, sizeof(*r));
    char path[PATH_MAX], line[8192];
    if (prefix_path(env, RECORD, path, sizeof(path)) < 0)
        return -1;
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int ok = fgets(line, sizeof(line), f) && strcmp(line, RECORD_MAGIC "\n") == 0;
    while (ok && fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\n");
        if (strncmp(line, "keeper ", 7) == 0)
            r->keeper = (pid_t)atol(line + 7);
        else if (strncmp(line, "option ", 7) == 0)
            ok = append(&r->options, line + 7, len - 7) == 0;
        else if (strncmp(line, "env ", 4) == 0)
            ok = append(&r->env, line + 4, len - 4) == 0;
    }
    fclose(f);
    /* A keeper that was killed leaves its record, and its process id may be reused: the
     * board must still be there too. */
    const char *board = r->env ? strstr(r->env, "IOTRAP_BOARD=") : NULL;
    char bpath[PATH_MAX] = "";
    if (board)
        snprintf(bpath, sizeof(bpath), "%.*s", (int)strcspn(board + 13, "\n"), board + 13);
    if (!ok || r->keeper <= 0 || !r->options || (kill(r->keeper, 0) < 0 && errno == ESRCH) ||
        (board && access(bpath, F_OK) != 0)) {
        record_free(r);
        return -1;
    }
    return 0;
}

static int record_write(const iotrap__wine_env *env, pid_t keeper, const char *options,
                        const char *envlines)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    if (prefix_path(env, RECORD, path, sizeof(path)) < 0)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    FILE *f = fopen(tmp, "we");
    if (!f)
        return -1;
    fprintf(f, "%s\nkeeper %ld\n", RECORD_MAGIC, (long)keeper);
    for (const char *p = options; *p; p += strcspn(p, "\n") + 1)
        fprintf(f, "option %.*s\n", (int)strcspn(p, "\n"), p);
    for (const char *p = envlines; *p; p += strcspn(p, "\n") + 1)
        fprintf(f, "env %.*s\n", (int)strcspn(p, "\n"), p);
    int ok = fclose(f) == 0;
    if (!ok || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Sets every "NAME=VALUE" line of `lines` in this process's environment. */
static int apply_env(const char *lines)
{
    for (const char *p = lines; *p; p += strcspn(p, "\n") + 1) {
        size_t len = strcspn(p, "\n");
        char *kv = strndup(p, len);
        char *eq = kv ? strchr(kv, '=') : NULL;
        if (!eq) {
            free(kv);
            return -1;
        }
        *eq = '\0';
        int rc = setenv(kv, eq + 1, 1);
        free(kv);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- Running the program ------------------------------------------------------------ */

/* `wine PROGRAM ARGS` in this environment; its exit status, or IOTRAP__DIE_BY(N) for
 * signal N (tools/child.h). */
static int run_wine(const iotrap__wine_env *env, char **program)
{
    int n = 0;
    while (program[n])
        n++;
    char **argv = calloc((size_t)n + 2, sizeof(*argv));
    if (!argv) {
        fprintf(stderr, "iotrap wine: out of memory\n");
        return 1;
    }
    argv[0] = (char *)env->wine;
    memcpy(argv + 1, program, (size_t)n * sizeof(*argv));
    /* The terminal's signals reach the program, which shares our process group. */
    struct sigaction ign, old_int, old_quit;
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        iotrap__die_with_parent(parent);
        execv(argv[0], argv);
        fprintf(stderr, "iotrap wine: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    free(argv);
    int st = 0;
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    if (pid < 0) {
        fprintf(stderr, "iotrap wine: fork: %s\n", strerror(errno));
        return 1;
    }
    return iotrap__child_status(st);
}

/* ---- Starting a session -------------------------------------------------------------- */

/* Starts the keeper under `iotrap run OPTIONS` and takes the environment it reports.
 * Returns its process id, or -1 with *status set (iotrap run's status: its message is
 * printed already). */
static pid_t start_keeper(int argc, char **argv, int prog, const int locks[2], char **envlines,
                          int *status)
{
    char self[PATH_MAX];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
    int pfd[2];
    *status = 1;
    if (sl <= 0 || pipe2(pfd, O_CLOEXEC) < 0) {
        fprintf(stderr, "iotrap wine: cannot start the session: %s\n", strerror(errno));
        return -1;
    }
    self[sl] = '\0';
    char fdarg[16];
    snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
    char **rargv = calloc((size_t)argc + 8, sizeof(*rargv));
    if (!rargv) {
        fprintf(stderr, "iotrap wine: out of memory\n");
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    int k = 0;
    rargv[k++] = "run";
    for (int i = 1; i < prog; i++)
        if (strcmp(argv[i], "--") != 0)
            rargv[k++] = argv[i];
    rargv[k++] = "--";
    rargv[k++] = self;
    rargv[k++] = "wine";
    rargv[k++] = "--session-keeper";
    rargv[k++] = fdarg;
    rargv[k] = NULL;

    pid_t pid = fork();
    if (pid == 0) {
        /* The keeper lives as long as the session: it must not hold the caller's
         * standard input or output (a shell reading `$(iotrap wine ...)` would wait for
         * it).  Standard error stays, for iotrap run's messages and `--trace -`. */
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            close(null);
        }
        close(pfd[0]);
        fcntl(pfd[1], F_SETFD, 0);
        /* The locks are this run's, not the session's (a copy would hold them). */
        close(locks[0]);
        close(locks[1]);
        setsid();
        _exit(iotrap__cmd_run(k, rargv));
    }
    free(rargv);
    close(pfd[1]);
    if (pid < 0) {
        fprintf(stderr, "iotrap wine: fork: %s\n", strerror(errno));
        close(pfd[0]);
        return -1;
    }
    char *got = NULL;
    int ready = 0;
    FILE *f = fdopen(pfd[0], "re");
    char line[8192];
    /* Up to "ready": `iotrap run` holds a copy of the pipe, so no end of file comes. */
    while (!ready && f && fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\n");
        if (strcmp(line, "ready\n") == 0)
            ready = 1;
        else if (strncmp(line, "env ", 4) == 0 && append(&got, line + 4, len - 4) < 0)
            break;
    }
    if (f)
        fclose(f);
    else
        close(pfd[0]);
    if (!ready || !got) {
        free(got);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        *status = WIFEXITED(st) && WEXITSTATUS(st) ? WEXITSTATUS(st) : 1;
        return -1;
    }
    *envlines = got;
    return pid;
}

/* A grant file of the new session, in a private directory (session/grants.h). */
static int make_grants(char *dir, size_t dirlen)
{
    const char *tmp = getenv("TMPDIR");
    char grants[PATH_MAX + 16];
    snprintf(dir, dirlen, "%s/iotrap-wine-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "iotrap wine: cannot create a directory in %s: %s\n",
                tmp && *tmp ? tmp : "/tmp", strerror(errno));
        return -1;
    }
    snprintf(grants, sizeof(grants), "%s/grants", dir);
    int st = iotrap__wine_grants_create(grants);
    if (st < 0 || setenv(IOTRAP__GRANT_ENV, grants, 1) < 0) {
        fprintf(stderr, "iotrap wine: cannot create %s: %s\n", grants,
                st < 0 ? iotrap_strerror(st) : strerror(errno));
        rmdir(dir);
        return -1;
    }
    return 0;
}

static void remove_grants(void)
{
    const char *g = getenv(IOTRAP__GRANT_ENV);
    if (!g || !*g)
        return;
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", g);
    unlink(g);
    char *s = strrchr(dir, '/');
    if (s) {
        *s = '\0';
        rmdir(dir);
    }
}

int iotrap__wine_session_run(const iotrap__wine_env *env, int argc, char **argv, int prog)
{
    char *sig = signature(argc, argv);
    /* The locks live in the prefix, which a first run creates (Wine fills it in). */
    if (mkdir(env->prefix, 0755) < 0 && errno != EEXIST)
        fprintf(stderr, "iotrap wine: cannot create %s: %s\n", env->prefix, strerror(errno));
    int lk = open_lock(env, RECORD ".lock"), users = open_lock(env, RECORD ".users");
    if (lk < 0 || users < 0) {
        fprintf(stderr, "iotrap wine: cannot create the session locks in %s: %s\n", env->prefix,
                strerror(errno));
        free(sig);
        return 1;
    }
    lock(lk, LOCK_EX);
    struct record r;
    int joined = 0, status = 1;
    /* A session of other options, or a Wine started without iotrap (whose winedevice.exe
     * has no board), lingers a few seconds after its last program: wait for it. */
    for (int tenths = 0;; tenths++) {
        int have = record_read(env, &r) == 0;
        if (have && sig && strcmp(r.options, sig) == 0) {
            joined = 1;
            break;
        }
        int running = iotrap__wine_server_running(env);
        if (!have && !running)
            break;
        int busy = !have || session_busy(users);
        if (tenths >= (busy ? WAIT_BUSY_S : WAIT_LINGER_S) * 10) {
            if (have && busy)
                fprintf(stderr, "iotrap wine: a session of %s with other options is running "
                        "(started with:\n%s) and did not end within %d s; its board cannot "
                        "take this run's options: run with the same options, or end it "
                        "(WINEPREFIX=%s wineserver -k)\n", env->prefix, r.options,
                        tenths / 10, env->prefix);
            else if (have)
                fprintf(stderr, "iotrap wine: a session of %s with other options is still "
                        "ending %d s after its last program (started with:\n%s); a process "
                        "of it keeps Wine running: end it (WINEPREFIX=%s wineserver -k)\n",
                        env->prefix, tenths / 10, r.options, env->prefix);
            else
                fprintf(stderr, "iotrap wine: Wine is running in %s without iotrap and did "
                        "not end within %d s; its winedevice.exe has no board to share with "
                        "this run: end it (WINEPREFIX=%s wineserver -k) and try again\n",
                        env->prefix, tenths / 10, env->prefix);
            record_free(&r);
            goto out;
        }
        record_free(&r);
        flock(lk, LOCK_UN);
        usleep(100000);
        lock(lk, LOCK_EX);
    }
    lock(users, LOCK_SH);

    char grants_dir[PATH_MAX];
    if (joined) {
        if (apply_env(r.env) < 0) {
            fprintf(stderr, "iotrap wine: cannot take the session's environment\n");
            goto out;
        }
    } else {
        /* A running session's prefix was prepared when it started; a new one's is
         * prepared here, before any process of it can look for the builtins. */
        if (iotrap__wine_setup(env, 0) < 0)
            goto out;
        char *old = getenv("WINEDLLPATH"), *dllpath = NULL;
        size_t n = strlen(env->dlldir) + (old ? strlen(old) : 0) + 2;
        if (make_grants(grants_dir, sizeof(grants_dir)) < 0 || !(dllpath = malloc(n)))
            goto out;
        snprintf(dllpath, n, "%s%s%s", env->dlldir, old && *old ? ":" : "", old && *old ? old : "");
        int ok = setenv("WINEDLLPATH", dllpath, 1) == 0 && setenv("WINEPREFIX", env->prefix, 1) == 0;
        free(dllpath);
        char *envlines = NULL;
        int locks[2] = { lk, users };
        pid_t keeper = ok ? start_keeper(argc, argv, prog, locks, &envlines, &status) : -1;
        if (keeper < 0) {
            remove_grants();
            goto out;
        }
        if (apply_env(envlines) < 0 ||
            (sig && record_write(env, keeper, sig, envlines) < 0))
            fprintf(stderr, "iotrap wine: cannot record the session in %s: later runs will "
                    "wait for it to end\n", env->prefix);
        free(envlines);
    }
    record_free(&r);
    flock(lk, LOCK_UN);
    status = run_wine(env, argv + prog);
out:
    close(lk);
    close(users);
    free(sig);
    return status;
}

/* ---- The keeper ------------------------------------------------------------------------ */

int iotrap__wine_session_keeper(const char *fdarg)
{
    char *end;
    long fd = strtol(fdarg, &end, 10);
    iotrap__wine_env env;
    if (*end || fd < 3 || iotrap__wine_env_init(&env) < 0)
        return 2;
    FILE *out = fdopen((int)fd, "w");
    if (!out)
        return 1;
    for (char **e = environ; *e; e++)
        if ((strncmp(*e, "IOTRAP_", 7) == 0 || strncmp(*e, "LD_PRELOAD=", 11) == 0 ||
             strncmp(*e, "WINEDLLPATH=", 12) == 0) && !strchr(*e, '\n'))
            fprintf(out, "env %s\n", *e);
    fprintf(out, "ready\n");
    fclose(out);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        close(null);
    }

    int lk = open_lock(&env, RECORD ".lock"), users = open_lock(&env, RECORD ".users");
    if (lk < 0 || users < 0)
        return 1;
    for (;;) {
        /* Until no `iotrap wine` of the prefix runs a program... */
        lock(users, LOCK_EX);
        flock(users, LOCK_UN);
        /* ...and the session's last process and its wineserver are gone. */
        iotrap__wine_server_wait(&env);
        lock(lk, LOCK_EX);
        if (!iotrap__wine_server_running(&env) && flock(users, LOCK_EX | LOCK_NB) == 0)
            break;
        flock(lk, LOCK_UN);
    }
    struct record r;
    char path[PATH_MAX];
    if (record_read(&env, &r) == 0 && r.keeper == getppid() &&
        prefix_path(&env, RECORD, path, sizeof(path)) == 0)
        unlink(path);
    record_free(&r);
    remove_grants();
    /* The locks go with this process; `iotrap run` then removes the board. */
    return 0;
}
