/* Fork and exec keep the shim: a fork child traps on the same board as its parent, and
 * a program it executes - of either bitness - is trapped too, also when the parent hands
 * it a sanitised environment.  The board must have RAM latches at 0x300-0x33f. */
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#include "progs.h"

extern char **environ;

static uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "d"(port));
    return v;
}

static void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "d"(port));
}

static int wait_status(pid_t pid)
{
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void case_fork(void)
{
    outb(0x321, 0x21);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = inb(0x321) == 0x21;
        outb(0x322, 0x22);
        _exit(ok ? 0 : 1);
    }
    CHECK_EQ("child saw the parent's write and exited 0", wait_status(pid), 0);
    CHECK_EQ("parent sees the child's write", inb(0x322), 0x22);
}

/* argv: io_fork exec PROGRAM ARGS... : runs it from a fork child with execv. */
static char **exec_argv;

static void case_exec(void)
{
    outb(0x323, 0x23);
    pid_t pid = fork();
    if (pid == 0) {
        execv(exec_argv[0], exec_argv);
        _exit(127);
    }
    CHECK_EQ("exec'd program exited 0", wait_status(pid), 0);
}

/* The same with an environment of PATH only, as programs that sanitise it pass. */
static void case_exec_clean_env(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        char *env[] = {"PATH=/usr/bin:/bin", NULL};
        execve(exec_argv[0], exec_argv, env);
        _exit(127);
    }
    CHECK_EQ("exec'd program with a sanitised environment exited 0", wait_status(pid), 0);
}

static const struct progs_case cases[] = {
    {"fork", case_fork},
    {"exec", case_exec},
    {"exec-clean-env", case_exec_clean_env},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    exec_argv = argv + 2;
    if (argc >= 2 && strncmp(argv[1], "exec", 4) == 0 && argc < 3) {
        fprintf(stderr, "usage: %s %s PROGRAM [ARGS...]\n", argv[0], argv[1]);
        return 2;
    }
    return progs_main(argc, argv, cases);
}
