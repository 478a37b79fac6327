/* The board lock, see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <iotrap/status.h>
#include "backends/lock.h"
#include "common/fmt.h"

#define WAITERS 0x80000000u
#define TID_MASK 0x7fffffffu
/* How long a waiter sleeps before it looks at the owner again. */
#define WAIT_SLICE_NS 10000000L
#define SPINS 200

/* initial-exec: a signal handler must not reach __tls_get_addr, which may allocate. */
static __thread uint32_t cached_tid __attribute__((tls_model("initial-exec")));
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_tid(void)
{
    cached_tid = 0;
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, forget_tid);
}

uint32_t iotrap__tid(void)
{
    uint32_t t = cached_tid;
    if (__builtin_expect(t == 0, 0)) {
        /* First use in this thread.  pthread_once is not async-signal-safe in theory,
         * but the sessions register it in iotrap_ports_open(), before any access through
         * them; the preload library may open its own in its SIGSEGV handler, at the first
         * trap, which is as safe as the instruction that trapped (shim/session_open.c). */
        pthread_once(&atfork_once, register_atfork);
        t = (uint32_t)syscall(SYS_gettid);
        cached_tid = t;
    }
    return t;
}

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
    return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

int iotrap__tid_dead(uint32_t tid)
{
    int saved = errno;
    int dead = 0;
    if (syscall(SYS_kill, (pid_t)tid, 0) != 0) {
        dead = errno == ESRCH;
    } else {
        /* A killed process stays a zombie until its parent reaps it; kill() still
         * finds it, /proc says 'Z'.  /proc/<tid> works for any thread id. */
        char path[40], buf[512];
        iotrap__fmt f;
        iotrap__fmt_init(&f, path, sizeof(path) - 1);
        iotrap__fmt_str(&f, "/proc/");
        iotrap__fmt_udec(&f, tid);
        iotrap__fmt_str(&f, "/stat");
        path[f.len] = '\0';
        int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
            syscall(SYS_close, fd);
            if (n > 0) {
                /* "pid (comm) S ...": comm may hold ')' itself, so use the last one. */
                ssize_t i = n - 1;
                while (i > 0 && buf[i] != ')')
                    i--;
                if (i > 0 && i + 2 < n) {
                    char st = buf[i + 2];
                    dead = st == 'Z' || st == 'X' || st == 'x';
                }
            } else {
                dead = 1;
            }
        } else if (errno == ENOENT) {
            dead = 1;
        }
    }
    errno = saved;
    return dead;
}

int iotrap__lock_take(uint32_t *word)
{
    uint32_t me = iotrap__tid();
    uint32_t expected = 0;
    if (__builtin_expect(__atomic_compare_exchange_n(word, &expected, me, 0, __ATOMIC_ACQUIRE,
                                                     __ATOMIC_RELAXED), 1))
        return IOTRAP_OK;
    if ((expected & TID_MASK) == me)
        return IOTRAP_E_BUSY;

    for (int i = 0; i < SPINS; i++) {
        __builtin_ia32_pause();
        expected = 0;
        if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(word, &expected, me, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return IOTRAP_OK;
    }

    int saved = errno;
    /* From here on this thread takes the lock with the waiters bit set: it cannot know
     * whether others still sleep, and a spurious wake costs little. */
    for (;;) {
        uint32_t cur = __atomic_load_n(word, __ATOMIC_RELAXED);
        if (cur == 0) {
            if (__atomic_compare_exchange_n(word, &cur, me | WAITERS, 0, __ATOMIC_ACQUIRE,
                                            __ATOMIC_RELAXED))
                break;
            continue;
        }
        if (!(cur & WAITERS) &&
            !__atomic_compare_exchange_n(word, &cur, cur | WAITERS, 0, __ATOMIC_RELAXED,
                                         __ATOMIC_RELAXED))
            continue;
        struct timespec ts = { 0, WAIT_SLICE_NS };
        long rc = futex(word, FUTEX_WAIT, cur | WAITERS, &ts);
        if (rc != 0 && errno == ETIMEDOUT) {
            uint32_t owner = cur & TID_MASK;
            uint32_t seen = cur | WAITERS;
            if (iotrap__tid_dead(owner) &&
                __atomic_compare_exchange_n(word, &seen, me | WAITERS, 0, __ATOMIC_ACQUIRE,
                                            __ATOMIC_RELAXED))
                break;
        }
    }
    errno = saved;
    return IOTRAP_OK;
}

void iotrap__lock_release(uint32_t *word)
{
    uint32_t old = __atomic_exchange_n(word, 0, __ATOMIC_RELEASE);
    if (__builtin_expect(old & WAITERS, 0)) {
        int saved = errno;
        futex(word, FUTEX_WAKE, 1, NULL);
        errno = saved;
    }
}
