/* Helper of `iotrap bench` for the start-up figures:
 *
 *   iotrap-bench-start spawn PROG [ARG...]   The minimal launcher: spawns PROG, waits for
 *                                            it and exits with its status, nothing else.
 *                                            `iotrap run -- PROG` is compared with it,
 *                                            since any launcher pays a second process.
 *   iotrap-bench-start rss                   A trivial program: prints its own resident
 *                                            set (VmRSS, in kB) and exits; run bare and
 *                                            under the preload library, the difference
 *                                            is what the library costs in memory.
 *
 * The rss mode reads /proc/self/status with read(2) into a stack buffer, so that the
 * figure holds no stdio buffer or heap of its own. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int print_rss(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 1;
    buf[n] = '\0';
    const char *p = strstr(buf, "\nVmRSS:");
    if (!p)
        return 1;
    long kb = strtol(p + 7, NULL, 10);
    char out[32];
    int len = snprintf(out, sizeof out, "rss %ld\n", kb);
    return write(1, out, (size_t)len) == len ? 0 : 1;
}

static int spawn_and_wait(char **argv)
{
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return 127;
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return 127;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "rss") == 0)
        return print_rss();
    if (argc >= 3 && strcmp(argv[1], "spawn") == 0)
        return spawn_and_wait(argv + 2);
    fprintf(stderr, "usage: %s spawn PROG [ARG...] | rss\n", argv[0]);
    return 2;
}
