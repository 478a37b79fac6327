/* The board lock's look at an owner that does not let go (iotrap__tid_dead) is reached from
 * the preload library's patched fast path, which saves the general registers only: it must
 * make its system calls itself, through no function of the C library that may use vector
 * registers or that a preloaded library interposes (the preload library's own open and
 * read check paths with the C library's string functions).  This program defines those
 * functions to abort; under a load that made threads wait for the lock, io_threads eight
 * got a vector register clobbered in about one run in three before. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backends/lock.h"
#include "tests/unit/harness.h"

int open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    abort();
}

ssize_t read(int fd, void *buf, size_t n)
{
    (void)fd;
    (void)buf;
    (void)n;
    abort();
}

int close(int fd)
{
    (void)fd;
    abort();
}

int kill(pid_t pid, int sig)
{
    (void)pid;
    (void)sig;
    abort();
}

static void t_tid_dead_system_calls_only(void **state)
{
    (void)state;
    assert_false(iotrap__tid_dead((uint32_t)syscall(SYS_gettid)));

    /* A zombie is dead (its /proc stat says Z), and so is a reaped process. */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    siginfo_t si;
    assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
    assert_true(iotrap__tid_dead((uint32_t)child));
    assert_int_equal(waitpid(child, NULL, 0), child);
    assert_true(iotrap__tid_dead((uint32_t)child));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_tid_dead_system_calls_only),
};

IOTRAP_TEST_MAIN(tests)
