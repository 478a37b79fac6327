/* Eight threads trapping at once, each on its own RAM latches, every result checked:
 * the trap path must be reentrant (decode cache, scratch buffers, board lock).
 * The board must have RAM latches at 0x320-0x33f. */
#include <pthread.h>
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

static const struct progs_case cases[] = {
    {"eight", case_eight},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return progs_main(argc, argv, cases);
}
