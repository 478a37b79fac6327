/* pit_delay CASE: the ways PC programs measure time with the 8254 and port 0x61, as
 * legacy code and Linux's own calibration do, checked against the host clock read around
 * them.  The bounds use the gaps this program itself measured between its polls, so they
 * hold however slowly a busy machine runs it.
 *   calibrate  counter 2 in mode 0 with a 50 ms count, gated by port 0x61, polled until
 *              OUT (port 0x61 bit 5) rises (Linux's pit_calibrate_tsc);
 *   latch      counter 0 as a rate generator, latched twice around a pause: the counts
 *              differ by the clocks between the latches;
 *   refresh    1000 changes of port 0x61's refresh toggle take at least 1000 x 15.085 us. */
#include <stdint.h>
#include <sys/io.h>
#include <time.h>
#include "progs.h"

#define HZ 1193182LL

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void case_calibrate(void)
{
    const unsigned latch = (unsigned)(HZ / 20); /* 50 ms */
    outb((inb(0x61) & ~0x02) | 0x01, 0x61);      /* gate high, speaker off */
    outb(0xb0, 0x43);                            /* counter 2, LSB/MSB, mode 0, binary */
    outb(latch & 0xff, 0x42);
    int64_t before = now_ns();
    outb(latch >> 8, 0x42); /* counting starts here */
    int64_t after = now_ns(), last = after, max_gap = 0;
    long polls = 0;
    while (!(inb(0x61) & 0x20)) {
        int64_t t = now_ns();
        if (t - last > max_gap)
            max_gap = t - last;
        last = t;
        polls++;
    }
    int64_t end = now_ns();
    if (end - last > max_gap)
        max_gap = end - last;
    int64_t want = latch * 1000000000LL / HZ;
    printf("OUT rose after %lld ns (%ld polls, longest gap %lld ns); the count is %lld ns\n",
           (long long)(end - before), polls, (long long)max_gap, (long long)want);
    CHECK_EQ("not before the count ran out", end - before >= want, 1);
    CHECK_EQ("by the first poll after it did", end - before <= want + (after - before) + 2 * max_gap,
             1);
}

static unsigned latch0(int64_t *before, int64_t *after)
{
    *before = now_ns();
    outb(0x00, 0x43); /* latch counter 0 */
    *after = now_ns();
    unsigned lo = inb(0x40);
    return lo | (unsigned)inb(0x40) << 8;
}

static void case_latch(void)
{
    outb(0x34, 0x43); /* counter 0, LSB/MSB, mode 2 */
    outb(0x00, 0x40);
    outb(0x00, 0x40); /* 65536: 54.9 ms a period */
    for (int attempt = 0; attempt < 100; attempt++) {
        int64_t b1, a1, b2, a2;
        unsigned c1 = latch0(&b1, &a1);
        struct timespec nap = { 0, 10000000 };
        nanosleep(&nap, NULL);
        unsigned c2 = latch0(&b2, &a2);
        int64_t least = (b2 - a1) / 1000 * HZ / 1000000, most = (a2 - b1) / 1000 * HZ / 1000000 + 1;
        if (most >= 65536)
            continue; /* a pause longer than a period says nothing: try again */
        long counted = (long)((c1 - c2 + 65536) % 65536);
        printf("counts %u then %u: %ld clocks, the host clock allows %lld to %lld\n", c1, c2,
               counted, (long long)least, (long long)most);
        CHECK_EQ("clocks between the latches within the host clock's bounds",
                 counted + 1 >= least && counted <= most + 1, 1);
        return;
    }
    CHECK_EQ("a pause shorter than a period", 0, 1);
}

static void case_refresh(void)
{
    int changes = 0;
    unsigned last = inb(0x61) & 0x10;
    int64_t start = now_ns();
    while (changes < 1000) {
        unsigned b = inb(0x61) & 0x10;
        changes += b != last;
        last = b;
    }
    int64_t took = now_ns() - start;
    printf("1000 toggles in %lld ns\n", (long long)took);
    CHECK_EQ("no faster than every 15.085 us", took >= 999 * 15085LL, 1);
}

static const struct progs_case cases[] = {
    {"calibrate", case_calibrate}, {"latch", case_latch}, {"refresh", case_refresh}, {NULL, NULL},
};

int main(int argc, char **argv)
{
    if (iopl(3) != 0) {
        perror("iopl");
        return 1;
    }
    return progs_main(argc, argv, cases);
}
