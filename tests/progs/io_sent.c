/* A SIGSEGV sent (kill, raise, pthread_kill) while the program has it blocked stays
 * pending, as without the shim: sigpending() shows it, sigwaitinfo() takes it, and it is
 * delivered once, with its siginfo, when the program unblocks it - by sigprocmask, by
 * returning from a handler, by siglongjmp, in sigsuspend - to the disposition it has
 * then; standard signals do not queue.  Port I/O keeps working meanwhile.  Each case
 * passes without iotrap too (with its port I/O left out), which is the point: the shim,
 * which never blocks SIGSEGV in the kernel, must look the same.
 *
 * The board must have RAM latches at 0x300-0x33f.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* gettid() */
#endif
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "progs.h"

static volatile int hits;
static siginfo_t seen;
static volatile pid_t seen_tid;
static sigset_t mask_in_handler;

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    seen = *si;
    seen_tid = gettid();
    sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
}

static void install(void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
}

static void segv_mask(int how)
{
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGSEGV);
    sigprocmask(how, &one, NULL);
}

static int segv_pending(void)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, SIGSEGV);
}

static uint8_t latch(uint16_t port, uint8_t v)
{
    if (getenv("IO_SENT_NATIVE"))
        return v;
    uint8_t got;
    __asm__ volatile("outb %0, %1" : : "a"(v), "d"(port));
    __asm__ volatile("inb %1, %0" : "=a"(got) : "d"(port));
    return got;
}

/* raise(): held while blocked, delivered once on unblocking, with SI_TKILL. */
static void case_raise(void)
{
    install(record, 0);
    segv_mask(SIG_BLOCK);
    raise(SIGSEGV);
    CHECK_EQ("not delivered while blocked", hits, 0);
    CHECK_EQ("sigpending shows it", segv_pending(), 1);
    CHECK_EQ("port I/O while it is pending", latch(0x301, 0x31), 0x31);
    raise(SIGSEGV);
    segv_mask(SIG_UNBLOCK);
    CHECK_EQ("delivered once on unblocking (standard signals do not queue)", hits, 1);
    CHECK_EQ("si_code SI_TKILL", seen.si_code, SI_TKILL);
    CHECK_EQ("si_pid is ours", seen.si_pid, getpid());
    CHECK_EQ("no longer pending", segv_pending(), 0);
}

/* kill() from another process: its siginfo arrives intact. */
static void case_kill(void)
{
    install(record, 0);
    segv_mask(SIG_BLOCK);
    pid_t child = fork();
    if (child == 0)
        _exit(kill(getppid(), SIGSEGV) == 0 ? 0 : 1);
    int st;
    waitpid(child, &st, 0);
    CHECK_EQ("the sender succeeded", WIFEXITED(st) && WEXITSTATUS(st) == 0, 1);
    CHECK_EQ("not delivered while blocked", hits, 0);
    CHECK_EQ("sigpending shows it", segv_pending(), 1);
    segv_mask(SIG_UNBLOCK);
    CHECK_EQ("delivered on unblocking", hits, 1);
    CHECK_EQ("si_code SI_USER", seen.si_code, SI_USER);
    CHECK_EQ("si_pid is the sender's", seen.si_pid, child);
}

/* The disposition at delivery counts, not the one at sending. */
static volatile int second_hits;
static void second(int sig)
{
    (void)sig;
    second_hits++;
}

static void case_handler_changed(void)
{
    install(record, 0);
    segv_mask(SIG_BLOCK);
    raise(SIGSEGV);
    signal(SIGSEGV, second);
    segv_mask(SIG_UNBLOCK);
    CHECK_EQ("the first handler not called", hits, 0);
    CHECK_EQ("the handler installed meanwhile called", second_hits, 1);
}

/* Ignored when it is unblocked: discarded then, though it was pending while blocked. */
static void case_ignored(void)
{
    signal(SIGSEGV, SIG_IGN);
    segv_mask(SIG_BLOCK);
    raise(SIGSEGV);
    CHECK_EQ("a blocked ignored signal is pending", segv_pending(), 1);
    segv_mask(SIG_UNBLOCK);
    CHECK_EQ("discarded on unblocking", segv_pending(), 0);
    CHECK_EQ("still alive", 1, 1);
}

/* The default action at unblocking: the process dies then, not before. */
static void case_default_fatal(void)
{
    segv_mask(SIG_BLOCK);
    raise(SIGSEGV);
    CHECK_EQ("alive while it is blocked", segv_pending(), 1);
    segv_mask(SIG_UNBLOCK);
    puts("FAIL: still alive after unblocking");
}

/* Sent inside a handler that has SIGSEGV blocked: delivered when the handler returns. */
static volatile int nested_pending = -1;
static void raise_inside(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    if (hits++ == 0) {
        raise(SIGSEGV);
        nested_pending = segv_pending();
    }
}

static void case_in_handler(void)
{
    install(raise_inside, 0);
    raise(SIGSEGV);
    CHECK_EQ("pending inside the handler", nested_pending, 1);
    CHECK_EQ("delivered again after the handler returned", hits, 2);
}

/* Sent inside a handler left by siglongjmp: delivered as the jump restores the mask. */
static sigjmp_buf back;
static void raise_and_jump(int sig, siginfo_t *si, void *uc)
{
    if (hits++ == 0) {
        raise(SIGSEGV);
        siglongjmp(back, 1);
    }
    (void)sig, (void)si, (void)uc;
}

static void case_longjmp(void)
{
    install(raise_and_jump, 0);
    if (!sigsetjmp(back, 1))
        raise(SIGSEGV);
    CHECK_EQ("delivered by the jump's mask restore", hits, 2);
    CHECK_EQ("nothing left pending", segv_pending(), 0);
}

/* sigsuspend() with SIGSEGV unblocked takes the pending one and returns EINTR. */
static void case_sigsuspend(void)
{
    install(record, 0);
    segv_mask(SIG_BLOCK);
    raise(SIGSEGV);
    sigset_t none;
    sigemptyset(&none);
    errno = 0;
    int rc = sigsuspend(&none);
    CHECK_EQ("sigsuspend returned -1", rc, -1);
    CHECK_EQ("with EINTR", errno, EINTR);
    CHECK_EQ("the handler ran", hits, 1);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK_EQ("blocked again afterwards", sigismember(&now, SIGSEGV), 1);
    CHECK_EQ("nothing left pending", segv_pending(), 0);
}

/* sigwaitinfo() and sigtimedwait() take a pending one without a handler running. */
static void case_sigwait(void)
{
    install(record, 0);
    segv_mask(SIG_BLOCK);
    sigset_t segv;
    sigemptyset(&segv);
    sigaddset(&segv, SIGSEGV);
    raise(SIGSEGV);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK_EQ("sigwaitinfo returns it", sigwaitinfo(&segv, &si), SIGSEGV);
    /* glibc's sigwaitinfo reports raise()'s SI_TKILL as SI_USER. */
    CHECK_EQ("with raise()'s si_code", si.si_code, SI_USER);
    CHECK_EQ("and our pid", si.si_pid, getpid());
    CHECK_EQ("no handler ran", hits, 0);
    CHECK_EQ("no longer pending", segv_pending(), 0);
    struct timespec zero = {0, 0};
    errno = 0;
    CHECK_EQ("sigtimedwait finds none", sigtimedwait(&segv, &si, &zero), -1);
    CHECK_EQ("with EAGAIN", errno, EAGAIN);
    raise(SIGSEGV);
    int sig = 0;
    CHECK_EQ("sigwait returns 0", sigwait(&segv, &sig), 0);
    CHECK_EQ("and names it", sig, SIGSEGV);
    segv_mask(SIG_UNBLOCK);
    CHECK_EQ("no handler ran after unblocking", hits, 0);
}

/* pthread_kill() to a thread that has it blocked: pending on that thread only; the
 * sender, which has it unblocked, does not get it. */
static pthread_t main_thread;
static void *send_to_main(void *arg)
{
    (void)arg;
    pthread_kill(main_thread, SIGSEGV);
    return NULL;
}

static void case_thread(void)
{
    install(record, 0);
    segv_mask(SIG_BLOCK);
    main_thread = pthread_self();
    pthread_t t;
    pthread_create(&t, NULL, send_to_main, NULL);
    pthread_join(t, NULL);
    CHECK_EQ("not delivered to any thread", hits, 0);
    CHECK_EQ("pending on the blocked thread", segv_pending(), 1);
    segv_mask(SIG_UNBLOCK);
    CHECK_EQ("delivered on unblocking", hits, 1);
    CHECK_EQ("to the thread it was sent to", seen_tid, gettid());
}

/* Pending and blocked across exec, as the kernel keeps both. */
static void case_exec(void)
{
    segv_mask(SIG_BLOCK);
    raise(SIGSEGV);
    char self[64];
    snprintf(self, sizeof self, "/proc/%ld/exe", (long)getpid());
    execl(self, self, "exec-after", (char *)NULL);
    puts("FAIL: exec failed");
}

static void case_exec_after(void)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK_EQ("blocked after exec", sigismember(&now, SIGSEGV), 1);
    CHECK_EQ("pending after exec", segv_pending(), 1);
    CHECK_EQ("port I/O with it blocked and pending", latch(0x302, 0x32), 0x32);
    install(record, 0);
    segv_mask(SIG_UNBLOCK);
    CHECK_EQ("delivered on unblocking", hits, 1);
    CHECK_EQ("si_code SI_TKILL", seen.si_code, SI_TKILL);
}

/* A child does not inherit its parent's pending signal. */
static void case_fork(void)
{
    install(record, 0);
    segv_mask(SIG_BLOCK);
    raise(SIGSEGV);
    pid_t child = fork();
    if (child == 0) {
        int pend = segv_pending();
        segv_mask(SIG_UNBLOCK);
        _exit(pend == 0 && hits == 0 ? 0 : 1);
    }
    int st;
    waitpid(child, &st, 0);
    CHECK_EQ("the child had nothing pending", WIFEXITED(st) && WEXITSTATUS(st) == 0, 1);
    segv_mask(SIG_UNBLOCK);
    CHECK_EQ("the parent's delivered on unblocking", hits, 1);
}

static const struct progs_case cases[] = {
    {"raise", case_raise},
    {"kill", case_kill},
    {"handler-changed", case_handler_changed},
    {"ignored", case_ignored},
    {"default-fatal", case_default_fatal},
    {"in-handler", case_in_handler},
    {"longjmp", case_longjmp},
    {"sigsuspend", case_sigsuspend},
    {"sigwait", case_sigwait},
    {"thread", case_thread},
    {"exec", case_exec},
    {"exec-after", case_exec_after},
    {"fork", case_fork},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return progs_main(argc, argv, cases);
}
