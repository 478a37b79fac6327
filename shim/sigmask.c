/* Whether the program has SIGSEGV blocked, kept by the shim instead of the kernel.
 *
 * A #GP raised while SIGSEGV is blocked kills the process whatever its handler, so port
 * I/O in a critical section with every signal blocked, in a handler installed with a full
 * sa_mask, in one run by sigsuspend() with a full mask, or in the program's own SIGSEGV
 * handler (a crash handler switching the hardware off) - all fine natively, where the
 * instructions do not trap - would be fatal under the shim.  So SIGSEGV is taken out of
 * every mask the program hands to the kernel, and whether the program has it blocked is
 * kept per thread in iotrap__segv_blocked instead: sigprocmask() and pthread_sigmask()
 * report it, a fault while it is set kills the process as the kernel would
 * (iotrap__sigchain_deliver), the longjmp family, which restores a saved mask without
 * asking us, updates it, and a new thread inherits it from its creator.
 *
 * A SIGSEGV sent (kill, raise, sigqueue, pthread_kill) while the program has it blocked
 * reaches the shim's handler all the same, since the kernel does not know it is blocked.
 * The handler holds it as the kernel would keep it pending: one per thread (sent with
 * tgkill: raise, pthread_kill) and one for the process (anything else), since standard
 * signals do not queue.  sigpending() shows it, the sigwait family takes it, and when
 * the program unblocks SIGSEGV it is sent again, with its siginfo, to the unblocking
 * thread, which then gets it through the disposition of that moment.  Around an exec the
 * kernel gets SIGSEGV blocked and the held signals back, so that the new program starts
 * with them as without the shim.  The shim's handler has SA_RESTART, so that a system
 * call the held signal interrupted is restarted.  Differences remain: a signal for the
 * process that finds its thread blocking SIGSEGV waits for a thread to unblock it, where
 * the kernel would have given it at once to another thread that has it unblocked; and a
 * call that the kernel never restarts after a handler (sigsuspend, ppoll, pselect,
 * nanosleep, epoll_wait) fails with EINTR when a signal arrives to be held.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/startup.h"
#include "shim/shim.h"

__thread int iotrap__segv_blocked __attribute__((tls_model("initial-exec")));

typedef int (*sigmask_fn)(int, const sigset_t *, sigset_t *);
typedef int (*sigsuspend_fn)(const sigset_t *);
typedef int (*sigpending_fn)(sigset_t *);
typedef int (*ppoll_fn)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
typedef int (*pselect_fn)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
                          const sigset_t *);
typedef int (*sigtimedwait_fn)(const sigset_t *, siginfo_t *, const struct timespec *);
typedef int (*sigwait_fn)(const sigset_t *, int *);
typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                                 void *);
typedef void (*longjmp_fn)(struct __jmp_buf_tag *, int);

static sigmask_fn real_sigprocmask_p, real_pthread_sigmask_p;
static sigsuspend_fn real_sigsuspend_p;
static sigpending_fn real_sigpending_p;
static ppoll_fn real_ppoll_p;
static pselect_fn real_pselect_p;
static sigtimedwait_fn real_sigtimedwait_p;
static sigwait_fn real_sigwait_p;
static pthread_create_fn real_pthread_create_p;
static longjmp_fn real_longjmp_p, real__longjmp_p, real_siglongjmp_p, real_longjmp_chk_p;

/* Stored without a look first, as in iotrap__sigchain_resolve(). */
#define RESOLVE(var, name) ((var) = (__typeof__(var))dlsym(RTLD_NEXT, name))

void iotrap__sigmask_resolve(void)
{
    RESOLVE(real_sigprocmask_p, "sigprocmask");
    RESOLVE(real_pthread_sigmask_p, "pthread_sigmask");
    RESOLVE(real_sigsuspend_p, "sigsuspend");
    RESOLVE(real_sigpending_p, "sigpending");
    RESOLVE(real_ppoll_p, "ppoll");
    RESOLVE(real_pselect_p, "pselect");
    RESOLVE(real_sigtimedwait_p, "sigtimedwait");
    RESOLVE(real_sigwait_p, "sigwait");
    RESOLVE(real_pthread_create_p, "pthread_create");
    RESOLVE(real_longjmp_p, "longjmp");
    RESOLVE(real__longjmp_p, "_longjmp");
    RESOLVE(real_siglongjmp_p, "siglongjmp");
    RESOLVE(real_longjmp_chk_p, "__longjmp_chk");
}

IOTRAP__STARTUP int iotrap__sigmask_kernel(int how, const sigset_t *set, sigset_t *old)
{
    if (!real_pthread_sigmask_p)
        RESOLVE(real_pthread_sigmask_p, "pthread_sigmask");
    return real_pthread_sigmask_p(how, set, old);
}

IOTRAP__STARTUP static const sigset_t *segv_only(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGSEGV);
    return set;
}

/* ---- Held signals ------------------------------------------------------------------ */

struct held {
    int set;
    pid_t owner; /* the process that holds it; a vfork child shares the memory */
    siginfo_t info;
};
static __thread struct held held_here __attribute__((tls_model("initial-exec")));
static struct held held_process;
static int held_lock; /* for held_process; taken with every signal blocked */

static void lock_all(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    iotrap__sigmask_kernel(SIG_SETMASK, &all, old);
    while (__atomic_exchange_n(&held_lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void unlock_all(const sigset_t *old)
{
    __atomic_store_n(&held_lock, 0, __ATOMIC_RELEASE);
    iotrap__sigmask_kernel(SIG_SETMASK, old, NULL);
}

void iotrap__sigmask_hold(const siginfo_t *si)
{
    struct held *h = si->si_code == SI_TKILL ? &held_here : &held_process;
    sigset_t old;
    lock_all(&old);
    if (!h->set) {
        h->info = *si;
        h->owner = getpid();
        h->set = 1;
    }
    unlock_all(&old);
}

static bool anything_held(void)
{
    return held_here.set || __atomic_load_n(&held_process.set, __ATOMIC_ACQUIRE);
}

/* Takes one held signal of this process into *out (the thread's first, as the kernel
 * dequeues); `keep` leaves it held. */
static bool take_held(siginfo_t *out, bool keep)
{
    if (!anything_held())
        return false;
    bool got = false;
    pid_t me = getpid();
    sigset_t old;
    lock_all(&old);
    for (struct held *h = &held_here; h; h = h == &held_here ? &held_process : NULL) {
        if (h->set && h->owner == me) {
            *out = h->info;
            h->set = keep;
            got = true;
            break;
        }
    }
    unlock_all(&old);
    return got;
}

/* Sends a held signal again, as it came: to this thread, or (`process`) to the process. */
static void resend(const siginfo_t *info, bool process)
{
    siginfo_t copy = *info;
    if (process)
        syscall(SYS_rt_sigqueueinfo, getpid(), SIGSEGV, &copy);
    else
        syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGSEGV, &copy);
}

void iotrap__sigmask_release(void)
{
    siginfo_t info;
    while (!iotrap__segv_blocked && take_held(&info, false))
        resend(&info, false);
}

void iotrap__sigmask_forget_held(void)
{
    held_here.set = 0;
    held_process.set = 0;
    held_lock = 0;
}

/* Hands the held signals back to the kernel, with SIGSEGV blocked there, for a call that
 * must find them kernel-side: an exec, which keeps them pending for the new program, or
 * a wait for them.  `old` receives the mask to restore (kernel_done), after which what
 * the call left pending comes back to the handler, which holds it again.  With `keep`
 * they stay held too, for an exec that fails in a vfork child. */
static void kernel_takes_over(sigset_t *old, bool keep)
{
    sigset_t segv;
    iotrap__sigmask_kernel(SIG_BLOCK, segv_only(&segv), old);
    if (!anything_held())
        return;
    struct held got[2];
    pid_t me = getpid();
    sigset_t prev;
    lock_all(&prev);
    got[0] = held_here;
    got[1] = held_process;
    for (int i = 0; i < 2; i++) {
        struct held *h = i == 0 ? &held_here : &held_process;
        got[i].set = h->set && h->owner == me;
        if (got[i].set && !keep)
            h->set = 0;
    }
    unlock_all(&prev);
    /* The process's own goes to this thread too unless the thread has one already (the
     * kernel keeps one per queue): another thread, which the kernel never has blocking
     * SIGSEGV, would take it. */
    for (int i = 0; i < 2; i++)
        if (got[i].set)
            resend(&got[i].info, i == 1 && got[0].set);
}

static void kernel_done(const sigset_t *old)
{
    int e = errno;
    iotrap__sigmask_kernel(SIG_SETMASK, old, NULL);
    errno = e;
}

bool iotrap__sigmask_exec_begin(sigset_t *old, bool pending)
{
    if (!iotrap__sigchain_installed() || !iotrap__segv_blocked)
        return false;
    /* An exec that fails must leave the held signals as they were; one that succeeds
     * takes them along, as the kernel's pending signals. */
    if (pending) {
        kernel_takes_over(old, true);
    } else {
        sigset_t segv;
        iotrap__sigmask_kernel(SIG_BLOCK, segv_only(&segv), old);
    }
    return true;
}

void iotrap__sigmask_exec_end(const sigset_t *old)
{
    kernel_done(old);
}

/* ---- The interposed functions ------------------------------------------------------ */

static const sigset_t *without_segv(const sigset_t *set, sigset_t *copy)
{
    if (!set || !iotrap__sigchain_installed() || sigismember(set, SIGSEGV) != 1)
        return set;
    *copy = *set;
    sigdelset(copy, SIGSEGV);
    return copy;
}

/* The common part of sigprocmask and pthread_sigmask (which return errors differently:
 * -1 with errno, or the error number). */
static int set_mask(sigmask_fn real, int how, const sigset_t *set, sigset_t *old)
{
    if (!iotrap__sigchain_installed())
        return real(how, set, old);
    int was = iotrap__segv_blocked;
    int in = set && sigismember(set, SIGSEGV) == 1; /* before `old`, which may be `set` */
    sigset_t copy;
    int rc = real(how, how == SIG_UNBLOCK ? set : without_segv(set, &copy), old);
    if (rc != 0)
        return rc;
    if (set && how == SIG_SETMASK)
        iotrap__segv_blocked = in;
    else if (set && in)
        iotrap__segv_blocked = how == SIG_BLOCK;
    if (old && was)
        sigaddset(old, SIGSEGV);
    iotrap__sigmask_release();
    return 0;
}

IOTRAP__EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    if (!real_sigprocmask_p)
        iotrap__sigmask_resolve();
    return set_mask(real_sigprocmask_p, how, set, old);
}

IOTRAP__EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    if (!real_pthread_sigmask_p)
        iotrap__sigmask_resolve();
    return set_mask(real_pthread_sigmask_p, how, set, old);
}

IOTRAP__EXPORT int sigpending(sigset_t *set)
{
    if (!real_sigpending_p)
        iotrap__sigmask_resolve();
    int rc = real_sigpending_p(set);
    siginfo_t info;
    if (rc == 0 && take_held(&info, true))
        sigaddset(set, SIGSEGV);
    return rc;
}

/* A jump that restores a saved mask (sigsetjmp's, saved from the kernel's mask, which
 * never holds SIGSEGV) leaves SIGSEGV unblocked; one that does not restore it keeps
 * whatever the thread had, as natively (a jump out of a SIGSEGV handler without the mask
 * leaves SIGSEGV blocked).  A held signal is delivered here, before the jump, where
 * siglongjmp's own restore of the mask would deliver it. */
static void jumping(struct __jmp_buf_tag *env)
{
    if (env->__mask_was_saved) {
        iotrap__segv_blocked = sigismember(&env->__saved_mask, SIGSEGV) == 1;
        iotrap__sigmask_release();
    }
}

void __longjmp_chk(struct __jmp_buf_tag env[1], int val);

#define LONGJMP(name, real)                                                            \
    IOTRAP__EXPORT void name(struct __jmp_buf_tag env[1], int val)                     \
    {                                                                                  \
        jumping(env);                                                                  \
        if (!real)                                                                     \
            iotrap__sigmask_resolve();                                                 \
        real(env, val);                                                                \
        __builtin_unreachable();                                                       \
    }
LONGJMP(longjmp, real_longjmp_p)
LONGJMP(_longjmp, real__longjmp_p)
LONGJMP(siglongjmp, real_siglongjmp_p)
LONGJMP(__longjmp_chk, real_longjmp_chk_p)

/* sigsuspend, ppoll and pselect with a mask: SIGSEGV counts as blocked as that mask says
 * while they wait.  A mask that unblocks a held signal delivers it at once, and they
 * return EINTR without waiting, as natively. */
static bool waiting_begins(const sigset_t *mask, int *was)
{
    *was = iotrap__segv_blocked;
    if (!mask || !iotrap__sigchain_installed())
        return true;
    iotrap__segv_blocked = sigismember(mask, SIGSEGV) == 1;
    if (!iotrap__segv_blocked && anything_held()) {
        iotrap__sigmask_release();
        iotrap__segv_blocked = *was;
        errno = EINTR;
        return false;
    }
    return true;
}

static void waiting_ends(int was)
{
    int e = errno;
    iotrap__segv_blocked = was;
    iotrap__sigmask_release();
    errno = e;
}

IOTRAP__EXPORT int sigsuspend(const sigset_t *mask)
{
    if (!real_sigsuspend_p)
        iotrap__sigmask_resolve();
    int was;
    if (!waiting_begins(mask, &was))
        return -1;
    sigset_t copy;
    int rc = real_sigsuspend_p(without_segv(mask, &copy));
    waiting_ends(was);
    return rc;
}

IOTRAP__EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
                         const sigset_t *mask)
{
    if (!real_ppoll_p)
        iotrap__sigmask_resolve();
    int was;
    if (!waiting_begins(mask, &was))
        return -1;
    sigset_t copy;
    int rc = real_ppoll_p(fds, n, timeout, without_segv(mask, &copy));
    waiting_ends(was);
    return rc;
}

IOTRAP__EXPORT int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e,
                           const struct timespec *timeout, const sigset_t *mask)
{
    if (!real_pselect_p)
        iotrap__sigmask_resolve();
    int was;
    if (!waiting_begins(mask, &was))
        return -1;
    sigset_t copy;
    int rc = real_pselect_p(nfds, r, w, e, timeout, without_segv(mask, &copy));
    waiting_ends(was);
    return rc;
}

/* The sigwait family, for a set with SIGSEGV: the kernel gets the held signals back for
 * the wait, with SIGSEGV blocked there meanwhile.  No fault can happen inside the wait;
 * a handler of another signal that ran in it and did port I/O would die, the one thing
 * this costs a program that waits for SIGSEGV. */
static bool waits_for_segv(const sigset_t *set)
{
    return set && iotrap__sigchain_installed() && sigismember(set, SIGSEGV) == 1;
}

IOTRAP__EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info,
                                const struct timespec *timeout)
{
    if (!real_sigtimedwait_p)
        iotrap__sigmask_resolve();
    if (!waits_for_segv(set))
        return real_sigtimedwait_p(set, info, timeout);
    sigset_t old;
    kernel_takes_over(&old, false);
    int rc = real_sigtimedwait_p(set, info, timeout);
    kernel_done(&old);
    return rc;
}

/* sigwaitinfo() is sigtimedwait() without a timeout (as the C library defines it). */
IOTRAP__EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
    return sigtimedwait(set, info, NULL);
}

IOTRAP__EXPORT int sigwait(const sigset_t *set, int *sig)
{
    if (!real_sigwait_p)
        iotrap__sigmask_resolve();
    if (!waits_for_segv(set))
        return real_sigwait_p(set, sig);
    sigset_t old;
    kernel_takes_over(&old, false);
    int rc = real_sigwait_p(set, sig);
    kernel_done(&old);
    return rc;
}

/* ---- Threads ----------------------------------------------------------------------- */

/* A new thread starts with its creator's mask, SIGSEGV included, or with the one its
 * attributes give (pthread_attr_setsigmask_np), which reaches the kernel unfiltered. */
struct start {
    void *(*fn)(void *);
    void *arg;
    int blocked;
};

static void *start_thread(void *p)
{
    struct start s = *(struct start *)p;
    free(p);
    iotrap__segv_blocked = s.blocked;
    sigset_t segv;
    iotrap__sigmask_kernel(SIG_UNBLOCK, segv_only(&segv), NULL);
    return s.fn(s.arg);
}

IOTRAP__EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                                  void *(*fn)(void *), void *arg)
{
    if (!real_pthread_create_p)
        iotrap__sigmask_resolve();
    int blocked = iotrap__segv_blocked;
#if defined(__GLIBC_PREREQ) && __GLIBC_PREREQ(2, 32)
    sigset_t given;
    if (attr && pthread_attr_getsigmask_np(attr, &given) == 0)
        blocked = sigismember(&given, SIGSEGV) == 1;
#endif
    if (!blocked || !iotrap__sigchain_installed())
        return real_pthread_create_p(thread, attr, fn, arg);
    struct start *s = malloc(sizeof *s);
    if (!s)
        return EAGAIN;
    s->fn = fn;
    s->arg = arg;
    s->blocked = blocked;
    int rc = real_pthread_create_p(thread, attr, start_thread, s);
    if (rc != 0)
        free(s);
    return rc;
}

/* ---- Start ------------------------------------------------------------------------- */

IOTRAP__STARTUP void iotrap__sigmask_install(void)
{
    /* A parent may have exec'd us with SIGSEGV blocked (posix_spawnattr_setsigmask, a
     * shell's mask, our own exec above): the program has it blocked, but the first trap
     * would kill it if the kernel had.  What was pending for it comes to the handler on
     * the unblocking, which holds it. */
    sigset_t now, segv;
    iotrap__sigmask_kernel(SIG_BLOCK, NULL, &now);
    iotrap__segv_blocked = sigismember(&now, SIGSEGV) == 1;
    iotrap__sigmask_kernel(SIG_UNBLOCK, segv_only(&segv), NULL);
}
