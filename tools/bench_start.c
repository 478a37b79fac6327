/* The start-up figures of `iotrap bench` (tools/bench_start.h).
 *
 * Each figure is the median of a few starts taken in turns with the others, so that the
 * bare program, the preloaded one, `iotrap run` and the minimal launcher see the same
 * moment of the machine.  Processes are started with posix_spawn, which does not copy
 * this process's page tables, so the launching costs the same for all four. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/timing.h"
#include "tools/bench_start.h"

#define STARTS 5

/* Runs argv with env, its standard output into out_fd if >= 0; the child's wall time in
 * ns, or -1 with a message if it could not run or did not exit with status 0. */
static double timed_run(char **argv, char **env, int out_fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    pid_t pid;
    double t0 = iotrap__now_ns();
    int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) {
        fprintf(stderr, "iotrap bench: cannot run %s: %s\n", argv[0], strerror(err));
        return -1;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    double t = iotrap__now_ns() - t0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "iotrap bench: %s%s%s failed (%s %d)\n", argv[0], argv[1] ? " " : "",
                argv[1] ? argv[1] : "", WIFEXITED(st) ? "status" : "signal",
                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        return -1;
    }
    return t;
}

/* The rss program's resident set in kB, or -1. */
static long rss_kb(const struct iotrap__start_setup *s, char **env)
{
    char *argv[] = { (char *)s->helper, "rss", NULL };
    int pfd[2];
    if (pipe(pfd) < 0)
        return -1;
    double t = timed_run(argv, env, pfd[1]);
    close(pfd[1]);
    char buf[64];
    ssize_t n = t < 0 ? -1 : read(pfd[0], buf, sizeof buf - 1);
    close(pfd[0]);
    long kb;
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    if (sscanf(buf, "rss %ld", &kb) != 1) {
        fprintf(stderr, "iotrap bench: %s rss printed no size\n", s->helper);
        return -1;
    }
    return kb;
}

int iotrap__bench_start_round(const struct iotrap__start_setup *s, struct iotrap__start_round *r)
{
    char *bare[] = { (char *)s->program, NULL };
    char *run[] = { (char *)s->iotrap, "run", "--", (char *)s->program, NULL };
    char *launcher[] = { (char *)s->helper, "spawn", (char *)s->program, NULL };
    double t[4][STARTS];
    for (int i = 0; i < STARTS; i++) {
        t[0][i] = timed_run(bare, s->bare_env, -1);
        t[1][i] = timed_run(bare, s->preload_env, -1);
        t[2][i] = timed_run(run, s->run_env, -1);
        t[3][i] = timed_run(launcher, s->bare_env, -1);
        for (int k = 0; k < 4; k++)
            if (t[k][i] < 0)
                return -1;
    }
    r->bare = iotrap__median(t[0], STARTS);
    r->preload = iotrap__median(t[1], STARTS);
    r->run = iotrap__median(t[2], STARTS);
    r->launcher = iotrap__median(t[3], STARTS);
    long plain = rss_kb(s, s->bare_env), preloaded = rss_kb(s, s->preload_env);
    if (plain < 0 || preloaded < 0)
        return -1;
    r->rss_extra_kb = (double)(preloaded - plain);
    return 0;
}
