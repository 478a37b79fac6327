/* Keeping the shim's SIGSEGV handler installed while the program installs its own.
 *
 * The pattern of the JVM's libjsig: sigaction, signal, sysv_signal, bsd_signal and sigset
 * are interposed; for SIGSEGV they record the program's disposition and report it back as
 * the old one, while the kernel keeps the shim's handler.  Whatever the shim does not own
 * is then handed to the recorded disposition exactly as the kernel would have: the
 * handler is called with its own flags and mask, or the default action runs.
 *
 * The record is read by the signal handler of any thread at any time, so it is a seqlock;
 * writers (ordinary code, possibly another signal handler) serialise on a spin lock held
 * with every signal blocked, so no handler can interrupt its holder.  Whether SIGSEGV is
 * blocked, and what was sent while it was, is shim/sigmask.c's.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

#include "common/startup.h"
#include "shim/shim.h"

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);
typedef sighandler_t (*signal_fn)(int, sighandler_t);

static sigaction_fn real_sigaction_p;
static signal_fn real_signal_p, real_sysv_signal_p, real_bsd_signal_p, real_sigset_p;

/* Signals whose handler the program installed with SIGSEGV in sa_mask (see below). */
static unsigned char segv_stripped[_NSIG];

static struct {
    unsigned seq;
    struct sigaction act;
} theirs;
static int writer_lock;
static int installed; /* the shim's handler is in place and `theirs` is authoritative */

/* Stored without a look first: a page whose first touch is a write faults once, not twice
 * (shim.h, iotrap__next_resolve). */
void iotrap__sigchain_resolve(void)
{
    real_sigaction_p = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
    real_signal_p = (signal_fn)dlsym(RTLD_NEXT, "signal");
    real_sysv_signal_p = (signal_fn)dlsym(RTLD_NEXT, "sysv_signal");
    real_bsd_signal_p = (signal_fn)dlsym(RTLD_NEXT, "bsd_signal");
    real_sigset_p = (signal_fn)dlsym(RTLD_NEXT, "sigset");
    iotrap__sigmask_resolve();
}

/* The real sigaction, bypassing the interposition; the constructor needs only this one
 * (shim.h, iotrap__shim_resolve_all). */
IOTRAP__STARTUP
static int real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!real_sigaction_p)
        real_sigaction_p = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
    return real_sigaction_p(sig, act, old);
}

static void read_theirs(struct sigaction *out)
{
    for (;;) {
        unsigned s = __atomic_load_n(&theirs.seq, __ATOMIC_ACQUIRE);
        if (s & 1)
            continue;
        memcpy(out, &theirs.act, sizeof *out);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&theirs.seq, __ATOMIC_RELAXED) == s)
            return;
    }
}

IOTRAP__STARTUP void iotrap__sigset_asynchronous(sigset_t *set)
{
    sigfillset(set);
    static const int synchronous[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof synchronous / sizeof synchronous[0]; i++)
        sigdelset(set, synchronous[i]);
}

/* The shim's own registration.  SA_NODEFER lets a fault inside the handler (the safe
 * copy's) be delivered; asynchronous signals are blocked so that no other handler runs
 * port I/O while a backend may be mid-access; SA_ONSTACK follows the program's wishes,
 * which only the program can judge (an alternate stack for stack overflows).  SA_RESTART
 * is always set: only a sent SIGSEGV can interrupt a system call, and one the shim holds
 * for a thread that has it blocked must not make the call fail with EINTR where natively
 * nothing would have reached the thread.  A handler of theirs without SA_RESTART then
 * sees a call that a sent SIGSEGV interrupted restarted instead of failing, the lesser
 * difference. */
IOTRAP__STARTUP static void install_ours(int their_flags)
{
    struct sigaction ours;
    memset(&ours, 0, sizeof ours);
    ours.sa_sigaction = iotrap__sigsegv;
    ours.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART | (their_flags & SA_ONSTACK);
    iotrap__sigset_asynchronous(&ours.sa_mask);
    real_sigaction(SIGSEGV, &ours, NULL);
}

/* Replaces the record; `prev` (optional) receives what it held, in the same critical
 * section, so that concurrent calls swap like the kernel's sigaction. */
IOTRAP__STARTUP
static void write_theirs(const struct sigaction *given, bool reinstall, struct sigaction *prev)
{
    /* Copied first, so that a bad pointer faults here and not with the record locked. */
    struct sigaction copy = *given;
    const struct sigaction *act = &copy;
    sigset_t all, old;
    sigfillset(&all);
    iotrap__sigmask_kernel(SIG_SETMASK, &all, &old);
    while (__atomic_exchange_n(&writer_lock, 1, __ATOMIC_ACQUIRE))
        ;
    if (prev)
        *prev = theirs.act;
    __atomic_store_n(&theirs.seq, theirs.seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    memcpy(&theirs.act, act, sizeof *act);
    __atomic_store_n(&theirs.seq, theirs.seq + 1, __ATOMIC_RELEASE);
    if (reinstall)
        install_ours(act->sa_flags);
    __atomic_store_n(&writer_lock, 0, __ATOMIC_RELEASE);
    iotrap__sigmask_kernel(SIG_SETMASK, &old, NULL);
}

/* fork() copies the record and its lock as they are: if another thread was writing it,
 * the child (where that thread does not exist) would spin for ever on its first
 * sigaction(SIGSEGV) or fault.  So the forking thread holds the lock across fork(), with
 * every signal blocked as any holder has them. */
static __thread sigset_t fork_mask __attribute__((tls_model("initial-exec")));

void iotrap__sigchain_fork_prepare(void)
{
    sigset_t all;
    sigfillset(&all);
    iotrap__sigmask_kernel(SIG_SETMASK, &all, &fork_mask);
    while (__atomic_exchange_n(&writer_lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void fork_done(void)
{
    __atomic_store_n(&writer_lock, 0, __ATOMIC_RELEASE);
    iotrap__sigmask_kernel(SIG_SETMASK, &fork_mask, NULL);
}

void iotrap__sigchain_fork_parent(void)
{
    fork_done();
}

/* A child has no pending signals. */
void iotrap__sigchain_fork_child(void)
{
    iotrap__sigmask_forget_held();
    fork_done();
}

bool iotrap__sigchain_installed(void)
{
    return __atomic_load_n(&installed, __ATOMIC_ACQUIRE);
}

IOTRAP__STARTUP int iotrap__sigchain_install(void)
{
    /* Looked up without a look first (iotrap__sigchain_resolve). */
    real_sigaction_p = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
    struct sigaction cur;
    if (real_sigaction(SIGSEGV, NULL, &cur) != 0)
        return -1;
    write_theirs(&cur, true, NULL);
    __atomic_store_n(&installed, 1, __ATOMIC_RELEASE);
    iotrap__sigmask_install();
    return 0;
}

/* The kernel's default action for a SIGSEGV: a fault that re-executes is left to fault
 * again with the real disposition at SIG_DFL (so the core shows the faulting
 * instruction); a sent one is sent again. */
static void default_action(int sig, int refaults)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    write_theirs(&dfl, false, NULL);
    real_sigaction(sig, &dfl, NULL);
    if (!refaults)
        syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
}

/* Their handler may return with FS based elsewhere: Wine's, on its way back to 32-bit
 * code under WoW64, loads that code's FS selector, whose base is the 32-bit TEB.  Every
 * thread-local access after it (iotrap__segv_blocked) must go through this thread's own thread
 * pointer, and the kernel must then get FS as their handler left it.  Raw system calls
 * only: errno is thread-local too. */
struct fs_state {
    uint64_t base;
    uint16_t sel;
};

#if defined(__x86_64__)
static struct fs_state fs_state_now(void)
{
    struct fs_state f = {0, 0};
    __asm__ volatile("mov %%fs, %0" : "=r"(f.sel));
    if (iotrap__shim.fsgsbase) {
        __asm__ volatile("rdfsbase %0" : "=r"(f.base));
    } else {
        long ret;
        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(SYS_arch_prctl), "D"(ARCH_GET_FS), "S"(&f.base)
                         : "rcx", "r11", "memory");
    }
    return f;
}

static void fs_state_set(const struct fs_state *f)
{
    struct fs_state now = fs_state_now();
    if (now.base == f->base && now.sel == f->sel)
        return;
    if (f->sel) {
        /* Loading the selector restores its base from the descriptor, as it was. */
        __asm__ volatile("mov %0, %%fs" : : "r"(f->sel) : "memory");
        if (fs_state_now().base == f->base)
            return;
    }
    if (iotrap__shim.fsgsbase) {
        __asm__ volatile("wrfsbase %0" : : "r"(f->base) : "memory");
    } else {
        long ret;
        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(SYS_arch_prctl), "D"(ARCH_SET_FS), "S"(f->base)
                         : "rcx", "r11", "memory");
    }
}
#else
static struct fs_state fs_state_now(void)
{
    struct fs_state f = {0, 0};
    return f;
}

static void fs_state_set(const struct fs_state *f)
{
    (void)f;
}
#endif

void iotrap__sigchain_deliver(int sig, siginfo_t *si, ucontext_t *uc, int refaults)
{
    struct sigaction t;
    int was_blocked = iotrap__segv_blocked;
    if (was_blocked && refaults) {
        /* A fault with SIGSEGV blocked: the kernel kills the process. */
        default_action(sig, refaults);
        return;
    }
    if (was_blocked) {
        /* A sent one stays pending until the program unblocks it (shim/sigmask.c). */
        iotrap__sigmask_hold(si);
        return;
    }
    read_theirs(&t);
    if (t.sa_handler == SIG_IGN) {
        /* The kernel does not let a process ignore a fault it raised. */
        if (refaults)
            default_action(sig, refaults);
        return;
    }
    if (t.sa_handler == SIG_DFL) {
        default_action(sig, refaults);
        return;
    }

    /* The mask the kernel would have set for their handler, except that SIGSEGV stays
     * deliverable so that the handler may do port I/O; whether it counts as blocked is
     * kept in iotrap__segv_blocked (shim/sigmask.c). */
    sigset_t mask = uc->uc_sigmask;
    sigorset(&mask, &mask, &t.sa_mask);
    int blocked = was_blocked || !(t.sa_flags & SA_NODEFER) ||
                  sigismember(&t.sa_mask, sig) == 1;
    sigdelset(&mask, SIGSEGV);
    if (t.sa_flags & SA_RESETHAND) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        write_theirs(&dfl, true, NULL);
    }
    iotrap__sigmask_kernel(SIG_SETMASK, &mask, NULL);
    iotrap__segv_blocked = blocked;
    struct fs_state ours = fs_state_now();
    if (t.sa_flags & SA_SIGINFO)
        t.sa_sigaction(sig, si, uc);
    else
        t.sa_handler(sig);
    struct fs_state left = fs_state_now();
    fs_state_set(&ours);
    /* Returning restores uc_sigmask, as the kernel's sigreturn does for them, and what
     * was sent meanwhile is delivered then. */
    iotrap__segv_blocked = was_blocked;
    iotrap__sigmask_release();
    fs_state_set(&left);
}

/* ---- The program's handlers ------------------------------------------------------------ */

static bool is_handler(sighandler_t h)
{
    return h != SIG_DFL && h != SIG_IGN && h != SIG_ERR && h != SIG_HOLD;
}

bool iotrap__sigchain_program_handles(void)
{
    struct sigaction a;
    read_theirs(&a);
    if (is_handler(a.sa_handler))
        return true;
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGSEGV && sig != SIGKILL && sig != SIGSTOP &&
            real_sigaction(sig, NULL, &a) == 0 && is_handler(a.sa_handler))
            return true;
    return false;
}

/* Every way the program installs a handler comes here before the kernel has it, so that
 * the handler never finds work left undone: the C library's functions not looked up yet
 * are looked up (shim.h, iotrap__shim_resolve_all), and a session left for the first
 * port access opens (shim/session_open.c), both outside any handler. */
static void before_handler(sighandler_t h)
{
    if (is_handler(h)) {
        iotrap__shim_resolve_all();
        iotrap__shim_session();
    }
}

/* And here once it has: native code's patches made under `auto` are undone
 * (shim/patch.c). */
static void installed_handler(sighandler_t h)
{
    if (is_handler(h))
        iotrap__patch_program_handles();
}

/* One of the signal() family for a signal the shim does not chain: the C library's own
 * (*real), with the handler told of before and after. */
static sighandler_t unchained(signal_fn *real, int sig, sighandler_t h)
{
    before_handler(h);
    if (!*real)
        iotrap__sigchain_resolve();
    sighandler_t prev = (*real)(sig, h);
    if (prev != SIG_ERR)
        installed_handler(h);
    return prev;
}

/* ---- The interposed functions --------------------------------------------------------- */

static bool chained(int sig)
{
    return sig == SIGSEGV && __atomic_load_n(&installed, __ATOMIC_ACQUIRE);
}

/* sigaction() of any other signal: the handler's sa_mask goes to the kernel without
 * SIGSEGV, and reads back as the program gave it. */
static int other_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (act)
        before_handler(act->sa_handler);
    if (sig <= 0 || sig >= _NSIG || !__atomic_load_n(&installed, __ATOMIC_ACQUIRE)) {
        int rc = real_sigaction(sig, act, old);
        if (rc == 0 && act)
            installed_handler(act->sa_handler);
        return rc;
    }
    struct sigaction mine;
    int stripped = 0;
    if (act && sigismember(&act->sa_mask, SIGSEGV) == 1) {
        mine = *act;
        sigdelset(&mine.sa_mask, SIGSEGV);
        act = &mine;
        stripped = 1;
    }
    int had = __atomic_load_n(&segv_stripped[sig], __ATOMIC_RELAXED);
    if (real_sigaction(sig, act, old) != 0)
        return -1;
    if (act)
        __atomic_store_n(&segv_stripped[sig], (unsigned char)stripped, __ATOMIC_RELAXED);
    if (old && had)
        sigaddset(&old->sa_mask, SIGSEGV);
    if (act)
        installed_handler(act->sa_handler);
    return 0;
}

IOTRAP__EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!chained(sig))
        return other_sigaction(sig, act, old);
    struct sigaction prev;
    if (act) {
        before_handler(act->sa_handler);
        write_theirs(act, true, &prev);
    }
    else
        read_theirs(&prev);
    if (old)
        *old = prev;
    if (act)
        installed_handler(act->sa_handler);
    return 0;
}

/* glibc's other name for it, exported and used by some libraries. */
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

IOTRAP__EXPORT int __sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return sigaction(sig, act, old);
}

/* signal() and its aliases: glibc's semantics for each, on top of the above.  signal,
 * bsd_signal and ssignal are BSD-style; sysv_signal and __sysv_signal (what signal()
 * becomes in a program built for strict X/Open) reset and do not mask. */
static sighandler_t set_simple(int sig, sighandler_t handler, int flags, bool mask_self)
{
    if (handler == SIG_ERR) {
        errno = EINVAL;
        return SIG_ERR;
    }
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = flags;
    sigemptyset(&act.sa_mask);
    if (mask_self)
        sigaddset(&act.sa_mask, sig);
    if (sigaction(sig, &act, &old) != 0)
        return SIG_ERR;
    return old.sa_handler;
}

IOTRAP__EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
    if (!chained(sig))
        return unchained(&real_signal_p, sig, handler);
    return set_simple(sig, handler, SA_RESTART, true);
}

/* glibc exports bsd_signal but its headers no longer declare it. */
sighandler_t bsd_signal(int sig, sighandler_t handler);

IOTRAP__EXPORT sighandler_t bsd_signal(int sig, sighandler_t handler)
{
    if (!chained(sig))
        return unchained(&real_bsd_signal_p, sig, handler);
    return set_simple(sig, handler, SA_RESTART, true);
}

IOTRAP__EXPORT sighandler_t ssignal(int sig, sighandler_t handler)
{
    return bsd_signal(sig, handler);
}

IOTRAP__EXPORT sighandler_t sysv_signal(int sig, sighandler_t handler)
{
    if (!chained(sig))
        return unchained(&real_sysv_signal_p, sig, handler);
    return set_simple(sig, handler, SA_RESETHAND | SA_NODEFER, false);
}

IOTRAP__EXPORT sighandler_t __sysv_signal(int sig, sighandler_t handler)
{
    return sysv_signal(sig, handler);
}

/* sigset(): SIG_HOLD blocks the signal; anything else unblocks it and installs the
 * handler; the result is SIG_HOLD when the signal was blocked before. */
IOTRAP__EXPORT sighandler_t sigset(int sig, sighandler_t handler)
{
    if (!chained(sig))
        return unchained(&real_sigset_p, sig, handler);
    sigset_t one, old;
    sigemptyset(&one);
    sigaddset(&one, sig);
    if (handler == SIG_HOLD) {
        if (sigprocmask(SIG_BLOCK, &one, &old) != 0)
            return SIG_ERR;
        if (sigismember(&old, sig))
            return SIG_HOLD;
        struct sigaction prev;
        read_theirs(&prev);
        return prev.sa_handler;
    }
    sighandler_t prev = set_simple(sig, handler, 0, false);
    if (prev == SIG_ERR)
        return SIG_ERR;
    if (sigprocmask(SIG_UNBLOCK, &one, &old) != 0)
        return SIG_ERR;
    return sigismember(&old, sig) ? SIG_HOLD : prev;
}
