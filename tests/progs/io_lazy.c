/* The session of the simulated board opens at the first thing that needs it, not at
 * start (shim/session_open.c): its board is not mapped before then, and a process that
 * forks or installs a signal handler first still gets what an open at start gave.
 * Run on the default board (the parallel port's data latch at 0x378), under `iotrap run`
 * or loaded directly with LD_PRELOAD and no other setting.
 *
 * The board shows in /proc/self/maps as the run's board file ($IOTRAP_BOARD) under
 * `iotrap run`, and as a shared anonymous mapping ("/dev/zero (deleted)") otherwise. */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fork_io.h"
#include "progs.h"

/* Whether the board is mapped into this process. */
static int board_mapped(void)
{
    const char *board = getenv("IOTRAP_BOARD");
    const char *needle = board && *board ? board : "/dev/zero (deleted)";
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f))
        found |= strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static void case_first_access(void)
{
    CHECK_EQ("board mapped before the first access", board_mapped(), 0);
    outb(0x378, 0x5a);
    CHECK_EQ("board mapped after it", board_mapped(), 1);
    CHECK_EQ("the latch holds the write", inb(0x378), 0x5a);
}

static void on_usr1(int sig)
{
    (void)sig;
}

/* A handler of the program's could interrupt the C library and reach a port: the session
 * is opened when the handler is installed, outside any handler. */
static void case_handler(void)
{
    CHECK_EQ("board mapped before the handler", board_mapped(), 0);
    signal(SIGUSR1, on_usr1);
    CHECK_EQ("board mapped once it is installed", board_mapped(), 1);
    outb(0x378, 0x3c);
    CHECK_EQ("the latch holds the write", inb(0x378), 0x3c);
}

/* Parent and child of a fork before either touched a port share one board. */
static void case_fork_first(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        outb(0x378, 0xa5);
        _exit(inb(0x378) == 0xa5 ? 0 : 1);
    }
    CHECK_EQ("the child wrote the latch and exited 0", wait_status(pid), 0);
    CHECK_EQ("the parent reads the child's write", inb(0x378), 0xa5);
}

static void *small_stack_thread(void *arg)
{
    (void)arg;
    outb(0x378, 0x69);
    return (void *)(uintptr_t)inb(0x378);
}

/* The first access on a thread with the smallest stack the C library allows: opening
 * takes more than that, and must not take it from the thread. */
static void case_small_stack(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
    pthread_t t;
    void *got = NULL;
    CHECK_EQ("thread started", pthread_create(&t, &attr, small_stack_thread, NULL), 0);
    pthread_join(t, &got);
    CHECK_EQ("its read of its write", (uintptr_t)got, 0x69);
}

extern char **environ;

/* A program that overwrites its environment strings (to show another name in ps) before
 * its first access: the session opens with the settings it started with. */
static void case_env_overwritten(void)
{
    for (char **e = environ; *e; e++)
        memset(*e, 'X', strlen(*e));
    outb(0x378, 0x96);
    CHECK_EQ("the latch holds the write", inb(0x378), 0x96);
}

int main(int argc, char **argv)
{
    static const struct progs_case cases[] = {
        {"first-access", case_first_access},
        {"handler", case_handler},
        {"fork-first", case_fork_first},
        {"small-stack", case_small_stack},
        {"env-overwritten", case_env_overwritten},
        {NULL, NULL},
    };
    return progs_main(argc, argv, cases);
}
