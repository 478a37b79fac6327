/* Fork and exec keep the shim: a fork child traps on the same board as its parent, and
 * a program it executes - of either bitness - is trapped too, also when the parent hands
 * it a sanitised environment.  The board must have RAM latches at 0x300-0x33f. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fork_io.h"
#include "progs.h"

extern char **environ;

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

/* fork() before the process ever trapped: the decoder and the scratch buffers are set up
 * by the first trap, here in the child and then again in the parent, on one board. */
static void case_fork_first(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        static const uint8_t msg[] = {0x51, 0x52, 0x53};
        const void *p = msg;
        unsigned long n = sizeof msg;
        __asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(0x325) : "memory");
        _exit(inb(0x325) == 0x53 ? 0 : 1);
    }
    CHECK_EQ("child's first trap worked and it exited 0", wait_status(pid), 0);
    CHECK_EQ("parent's first trap sees the child's string", inb(0x325), 0x53);
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

/* The same by the execve system call, past the preload library's exec functions: the
 * environment the program hands on must serve a program of either class. */
static void case_exec_raw(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_execve, exec_argv[0], exec_argv, environ);
        _exit(127);
    }
    CHECK_EQ("program exec'd by the system call exited 0", wait_status(pid), 0);
}

/* execve() of a FIFO fails with EACCES, as without the library, and at once: the
 * library's look at the header of the program it is about to execute must not wait for
 * a writer. */
static void case_fifo(void)
{
    char dir[] = "/tmp/io_fork-XXXXXX";
    CHECK_EQ("made a directory", mkdtemp(dir) != NULL, 1);
    char path[64];
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK_EQ("made a FIFO", mkfifo(path, 0700), 0);
    char *argv[] = {path, NULL};
    int r = execve(path, argv, environ);
    int e = errno;
    unlink(path);
    rmdir(dir);
    CHECK_EQ("execve of the FIFO failed", r, -1);
    CHECK_EQ("with EACCES", e, EACCES);
}

/* LD_PRELOAD as the loader had it (/proc/self/environ) and as the program sees it. */
static void case_preload(void)
{
    static char buf[1 << 16];
    int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    CHECK_EQ("/proc/self/environ read", n > 0, 1);
    buf[n > 0 ? n : 0] = '\0';
    for (char *v = buf; v < buf + n; v += strlen(v) + 1)
        if (strncmp(v, "LD_PRELOAD=", 11) == 0)
            printf("exec'd with %s\n", v);
    printf("environ has LD_PRELOAD=%s\n", getenv("LD_PRELOAD"));
}

/* fork() while another thread is inside sigaction(SIGSEGV): the child, where that
 * thread does not exist, must still be able to install its handler and trap. */
static volatile int stop_swapping;

static void ignore_segv(int sig)
{
    (void)sig;
}

static void *swap_handlers(void *arg)
{
    (void)arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ignore_segv;
    while (!stop_swapping)
        sigaction(SIGSEGV, &sa, NULL);
    return NULL;
}

static void case_fork_during_sigaction(void)
{
    enum { FORKS = 50 };
    pthread_t t;
    pthread_create(&t, NULL, swap_handlers, NULL);
    int hung = 0, failed = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = SIG_DFL;
            sigaction(SIGSEGV, &sa, NULL);
            outb(0x324, (uint8_t)i);
            _exit(inb(0x324) == (uint8_t)i ? 0 : 1);
        }
        int st = 0, waited = 0;
        while (waitpid(pid, &st, WNOHANG) == 0) {
            if (++waited > 500) { /* 0.5 s */
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                hung++;
                break;
            }
            usleep(1000);
        }
        if (waited <= 500 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
            failed++;
    }
    stop_swapping = 1;
    pthread_join(t, NULL);
    printf("%d forks\n", FORKS);
    CHECK_EQ("children that hung", hung, 0);
    CHECK_EQ("children that failed", failed, 0);
}

static const struct progs_case cases[] = {
    {"fork", case_fork},
    {"fork-during-sigaction", case_fork_during_sigaction},
    {"fork-first", case_fork_first},
    {"exec", case_exec},
    {"exec-clean-env", case_exec_clean_env},
    {"exec-raw", case_exec_raw},
    {"preload", case_preload},
    {"fifo", case_fifo},
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
