/* The preload library's port session: opened at start, or at the first port access.
 *
 * Opening a session is most of what a preloaded start costs (the board's devices parsed,
 * configured and reset, its pages mapped, the port sets built), and most processes of a
 * run never touch a port: the shells, make and compilers around the one program that does.
 * So a session of the simulated board alone is opened by the first thing that needs it:
 * a trapped port instruction (in the SIGSEGV handler), ioperm() or iopl(), /dev/port, or
 * a fork (below).  Everything else opens at start, as before, where a failure can still
 * stop the program cleanly before it runs: another backend (real hardware, the daemon),
 * routes, plug-in devices (loaded with dlopen, which a signal handler must not call), a
 * trace file, and, outside `iotrap run`, any setting that names devices, ports or a board
 * file, which only opening can check (`iotrap run` has opened the same settings already).
 *
 * Opening from the SIGSEGV handler allocates and takes locks.  The signal is synchronous,
 * at a port instruction of the program, so this is as safe as the code at that
 * instruction, unless the instruction is in a handler of the program's that interrupted
 * the C library.  That cannot happen before the program installs a handler, and before it
 * installs one the session is opened, outside any handler (shim/sigchain.c calls
 * iotrap__shim_session() before the kernel gets the handler).  Opening needs some 14 KiB
 * of stack, more than a thread made with a small one may have left, so it runs on a stack
 * of its own (run_on_stack).  The settings are read from the copy of the environment
 * taken at start (shim/start_env.c): a program may overwrite its environment strings
 * before its first access (to show another name in ps).
 *
 * The memory it maps then is kept out of holes the program has made since (common/map.h).
 *
 * A fork before the first access opens the session first, in the parent, so that parent
 * and child share one simulated board as they would have with the session opened at start.
 * Within `iotrap run` the board is the run's, which every process attaches to anyway.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/fmt.h"
#include "common/map.h"
#include "common/startup.h"
#include "session/env.h"
#include "session/session.h"
#include "shim/shim.h"

enum { UNREAD, DEFERRED, OPENING, SETTLED };

static int state = UNREAD;
static long opener;                 /* the thread opening it, while OPENING */
static iotrap__env_config deferred; /* the settings read at start, until opened */
static bool in_run;                 /* IOTRAP_RUN: the board is the run's */

typedef pid_t (*fork_fn)(void);
static fork_fn real_fork;

/* An ioperm() or a handler installed before the constructor asked for the session: it
 * opens at start then. */
static bool asked_early;

/* Whether the settings can wait for the first access, see the top. */
IOTRAP__STARTUP static bool can_wait(const iotrap__env_config *ec)
{
    const iotrap_ports_config *c = &ec->cfg;
    if ((c->backend && strcmp(c->backend, "sim") != 0) || c->routes || c->plugins || c->trace)
        return false;
    if (ec->run)
        return true;
    return !c->devices && !c->remaps && !c->allow && !c->board && !c->trace_ports &&
           !c->trace_format;
}

void iotrap__fork_resolve(void)
{
    real_fork = (fork_fn)dlsym(RTLD_NEXT, "fork");
}

IOTRAP__STARTUP int iotrap__shim_session_start(bool *native, char *err, size_t errlen)
{
    *native = false;
    iotrap__env_config ec;
    int st = iotrap__env_config_read(&ec, iotrap__start_getenv, err, errlen);
    if (st < 0)
        return -1;
    /* The session would report denials itself; here the trap engine does, with the
     * module, offset and backtrace only it knows, so the session is opened quiet. */
    ec.cfg.quiet = 1;
    if (!asked_early && can_wait(&ec)) {
        deferred = ec;
        in_run = deferred.run != NULL;
        __atomic_store_n(&state, DEFERRED, __ATOMIC_RELEASE);
        return 0;
    }
    iotrap_ports *ports = NULL;
    st = iotrap__env_session_open(&ec, &ports, err, errlen);
    iotrap__env_config_free(&ec);
    if (st < 0) {
        if (!*err)
            snprintf(err, errlen, "%s", iotrap_strerror(st));
        return -1;
    }
    *native = iotrap__session_native(ports);
    __atomic_store_n(&iotrap__shim.ports, ports, __ATOMIC_RELEASE);
    __atomic_store_n(&state, SETTLED, __ATOMIC_RELEASE);
    return 0;
}

static long futex(int *word, int op, int value, const struct timespec *timeout)
{
    return syscall(SYS_futex, word, op, value, timeout, NULL, 0);
}

/* A failure is told once, by the one thread that opened; the access then faults as it
 * would have without the shim. */
static void report_failure(int st, const char *err)
{
    char line[640];
    iotrap__fmt f;
    iotrap__fmt_init(&f, line, sizeof line);
    iotrap__fmt_str(&f, "iotrap: cannot open the port session: ");
    iotrap__fmt_str(&f, *err ? err : iotrap_strerror(st));
    iotrap__fmt_str(&f, "; port accesses fault as without iotrap\n");
    while (write(STDERR_FILENO, line, f.len) < 0 && errno == EINTR)
        ;
}

/* The settings are released only once SETTLED: a fork child made while OPENING opens
 * again with them. */
static void open_deferred(void)
{
    char err[512] = "";
    iotrap_ports *ports = NULL;
    int st = iotrap__env_session_open(&deferred, &ports, err, sizeof err);
    if (st < 0)
        report_failure(st, err);
    else
        __atomic_store_n(&iotrap__shim.ports, ports, __ATOMIC_RELEASE);
}

/* Calls fn on the stack whose top is `top` (16-byte aligned) and comes back to this one.
 * Every general register the ABI lets fn clobber is declared clobbered; the library is
 * built without vector registers, so none of its values live in them across the call. */
static void run_on_stack(void (*fn)(void), void *top)
{
#if defined(__x86_64__)
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "mov %0, %%rsp\n\t"
                     "call *%1\n\t"
                     "mov %%rbx, %%rsp"
                     :
                     : "r"(top), "r"(fn)
                     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
                       "memory", "cc");
#else
    __asm__ volatile("mov %%esp, %%esi\n\t"
                     "mov %0, %%esp\n\t"
                     "call *%1\n\t"
                     "mov %%esi, %%esp"
                     :
                     : "r"(top), "r"(fn)
                     : "eax", "ecx", "edx", "esi", "memory", "cc");
#endif
}

/* Opens on a stack of its own, with an inaccessible page below it; on the thread's own
 * stack if that cannot be mapped. */
#define OPEN_STACK (256u * 1024u)
#define OPEN_GUARD 4096u

static void open_on_own_stack(void)
{
    uint8_t *s = iotrap__map(OPEN_STACK + OPEN_GUARD, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (s == MAP_FAILED || mprotect(s, OPEN_GUARD, PROT_NONE) != 0) {
        if (s != MAP_FAILED)
            iotrap__unmap(s, OPEN_STACK + OPEN_GUARD);
        open_deferred();
        return;
    }
    run_on_stack(open_deferred, s + OPEN_STACK + OPEN_GUARD);
    iotrap__unmap(s, OPEN_STACK + OPEN_GUARD);
}

/* Whether thread `tid` is one of this process's: a child made without the fork handlers
 * (a raw clone) keeps the parent's OPENING, and must not wait for a thread it lacks.  Not
 * iotrap__tid_dead(), which asks whether the thread exists anywhere; and the thread ids
 * here are the kernel's, not iotrap__tid()'s cache, which such a child inherits. */
static bool alive_here(long tid)
{
    return syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH;
}

iotrap_ports *iotrap__shim_session(void)
{
    iotrap_ports *p = __atomic_load_n(&iotrap__shim.ports, __ATOMIC_ACQUIRE);
    if (p)
        return p;
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s == UNREAD)
        asked_early = true;
    if (s == UNREAD)
        return NULL;
    /* Settled since the first look: the opener published the session before the state. */
    if (s == SETTLED)
        return __atomic_load_n(&iotrap__shim.ports, __ATOMIC_ACQUIRE);
    int saved_errno = errno;
    long self = syscall(SYS_gettid);
    /* Asynchronous signals wait: a handler of the program's that reached a port here
     * would find the session half open. */
    sigset_t quiet, old;
    iotrap__sigset_asynchronous(&quiet);
    iotrap__sigmask_kernel(SIG_BLOCK, &quiet, &old);
    for (;;) {
        s = DEFERRED;
        if (__atomic_compare_exchange_n(&state, &s, OPENING, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&opener, self, __ATOMIC_RELAXED);
            open_on_own_stack();
            __atomic_store_n(&state, SETTLED, __ATOMIC_RELEASE);
            futex(&state, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL);
            iotrap__env_config_free(&deferred);
            break;
        }
        long by = __atomic_load_n(&opener, __ATOMIC_RELAXED);
        if (s != OPENING || by == self)
            break; /* settled, or this thread is opening it and asked again: not yet */
        /* A one-second timeout lets a child that lost the opener find out. */
        struct timespec second = {1, 0};
        futex(&state, FUTEX_WAIT_PRIVATE, OPENING, &second);
        if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == OPENING && by && !alive_here(by)) {
            s = OPENING;
            __atomic_compare_exchange_n(&state, &s, DEFERRED, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE);
        }
    }
    iotrap__sigmask_kernel(SIG_SETMASK, &old, NULL);
    errno = saved_errno;
    return __atomic_load_n(&iotrap__shim.ports, __ATOMIC_ACQUIRE);
}

void iotrap__shim_session_atfork_child(void)
{
    /* The thread that was opening did not come along; the child opens its own. */
    int s = OPENING;
    __atomic_compare_exchange_n(&state, &s, DEFERRED, false, __ATOMIC_RELAXED,
                                __ATOMIC_RELAXED);
}

IOTRAP__EXPORT pid_t fork(void)
{
    /* Never in the middle of another thread's opening, which the child would lack. */
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s == OPENING || (s == DEFERRED && !in_run))
        iotrap__shim_session();
    if (!real_fork)
        iotrap__fork_resolve();
    return real_fork();
}
