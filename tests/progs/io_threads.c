/* Eight threads trapping at once, each on its own RAM latches, every result checked:
 * the trap path must be reentrant (decode cache, scratch buffers, board lock).
 * The board must have RAM latches at 0x320-0x33f. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include "progs.h"

enum { THREADS = 8, ROUNDS = 20000 };

static pthread_barrier_t start;

static void *worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    uint16_t port = (uint16_t)(0x320 + 4 * id);
    unsigned long bad = 0;
    uint8_t buf[16], back[16];
    pthread_barrier_wait(&start);
    for (unsigned n = 0; n < ROUNDS; n++) {
        uint16_t v = (uint16_t)(id << 12 | (n & 0xfff)), got;
        __asm__ volatile("outw %0, %1" : : "a"(v), "d"(port));
        __asm__ volatile("inw %1, %0" : "=a"(got) : "d"(port));
        bad += got != v;
        if (n % 64 == 0) {
            for (unsigned i = 0; i < sizeof buf; i++)
                buf[i] = (uint8_t)(id + n + i);
            const uint8_t *s = buf;
            unsigned long c = sizeof buf;
            __asm__ volatile("rep outsb" : "+S"(s), "+c"(c) : "d"(port + 2) : "memory");
            bad += s != buf + sizeof buf || c != 0;
            uint8_t *d = back;
            c = sizeof back;
            __asm__ volatile("rep insb" : "+D"(d), "+c"(c) : "d"(port + 2) : "memory");
            for (unsigned i = 0; i < sizeof back; i++)
                bad += back[i] != buf[sizeof buf - 1];
        }
    }
    return (void *)bad;
}

static void case_eight(void)
{
    pthread_t t[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (unsigned i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
    unsigned long bad = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (unsigned long)(uintptr_t)r;
    }
    printf("%d threads x %d rounds\n", THREADS, ROUNDS);
    CHECK_EQ("wrong results over all threads", bad, 0);
}

/* sigaction(SIGSEGV) from several threads at once, while they trap: every call must
 * swap atomically, as the kernel's does - each handler installed is handed back as the
 * previous one exactly once - and port I/O keeps working throughout.  Each install is
 * told apart by its sa_mask (the record keeps it whole; the kernel never sees it). */
enum { SWAPPERS = 4, SWAPS = 20000 };
static unsigned char seen_as_old[SWAPPERS * SWAPS + 1];

static void never_called(int sig)
{
    (void)sig;
    abort();
}

static void *swapper(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    unsigned long bad = 0;
    pthread_barrier_wait(&start);
    for (unsigned n = 0; n < SWAPS; n++) {
        unsigned tag = 1 + id * SWAPS + n;
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = never_called;
        sigemptyset(&sa.sa_mask);
        for (unsigned bit = 0; bit < 17; bit++)
            if (tag >> bit & 1)
                sigaddset(&sa.sa_mask, SIGRTMIN + (int)bit);
        sigaction(SIGSEGV, &sa, &old);
        unsigned prev = 0;
        for (unsigned bit = 0; bit < 17; bit++)
            if (sigismember(&old.sa_mask, SIGRTMIN + (int)bit) == 1)
                prev |= 1u << bit;
        if (prev <= SWAPPERS * SWAPS)
            __atomic_fetch_add(&seen_as_old[prev], 1, __ATOMIC_RELAXED);
        else
            bad++;
        uint16_t port = (uint16_t)(0x320 + 4 * id), got;
        __asm__ volatile("outw %0, %1" : : "a"((uint16_t)n), "d"(port));
        __asm__ volatile("inw %1, %0" : "=a"(got) : "d"(port));
        bad += got != (uint16_t)n;
    }
    return (void *)bad;
}

static void case_sigaction_race(void)
{
    pthread_t t[SWAPPERS];
    pthread_barrier_init(&start, NULL, SWAPPERS);
    for (unsigned i = 0; i < SWAPPERS; i++)
        pthread_create(&t[i], NULL, swapper, (void *)(uintptr_t)i);
    unsigned long bad = 0;
    for (unsigned i = 0; i < SWAPPERS; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (unsigned long)(uintptr_t)r;
    }
    unsigned twice = 0, never = 0;
    for (unsigned tag = 0; tag <= SWAPPERS * SWAPS; tag++) {
        twice += seen_as_old[tag] > 1;
        never += seen_as_old[tag] == 0;
    }
    CHECK_EQ("bad tags or port results", bad, 0);
    CHECK_EQ("handlers handed back as the old one twice", twice, 0);
    CHECK_EQ("handlers never handed back (only the last one)", never, 1);
}

static const struct progs_case cases[] = {
    {"eight", case_eight},
    {"sigaction-race", case_sigaction_race},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return progs_main(argc, argv, cases);
}
