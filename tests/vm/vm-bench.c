/* Timing of port writes for the guest benchmark (docs/performance.md, "Real ports"):
 *
 *   vm-bench [--ioperm] outb N        N x OUTB to the UART scratch register 0x3ff
 *   vm-bench [--ioperm] outsb N SIZE  N x REP OUTSB of SIZE bytes to 0x3ff
 *   vm-bench [--ioperm] string N M SIZE
 *       rounds of N x OUTB and M x REP OUTSB of SIZE bytes, alternating, so that both
 *       see the same disturbances; prints the median over the rounds of the per-round
 *       ratio (one string / one OUTB) as "ratio VALUE", then both medians as ns/op
 *
 * outb and outsb print "ns/op VALUE": the best of 11 rounds (the least disturbed by the
 * host), in nanoseconds per instruction.  With --ioperm it runs natively; under
 * `iotrap run` each instruction either runs natively (direct backend) or traps into the
 * backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <time.h>
#include "vm_safe.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per instruction of n OUTBs (size 0) or n REP OUTSBs of size bytes. */
static double run(long n, const uint8_t *buf, size_t size)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        if (size) {
            const void *s = buf;
            size_t c = size;
            __asm__ volatile("rep outsb" : "+S"(s), "+c"(c) : "d"((uint16_t)VM_SCRATCH) : "memory");
        } else {
            vm_out(VM_SCRATCH, 1, (uint32_t)i);
        }
    }
    return (now_ns() - t0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    int a = 1;
    if (a < argc && !strcmp(argv[a], "--ioperm")) {
        if (ioperm(VM_SCRATCH, 1, 1) != 0) {
            fprintf(stderr, "ioperm: %s\n", strerror(errno));
            return 2;
        }
        a++;
    }
    if (a + 4 == argc && !strcmp(argv[a], "string")) {
        long n = atol(argv[a + 1]), m = atol(argv[a + 2]);
        size_t size = (size_t)atol(argv[a + 3]);
        uint8_t *buf = calloc(size ? size : 1, 1);
        if (n <= 0 || m <= 0 || size == 0 || !buf)
            return 2;
        double one[11], str[11], ratio[11];
        for (int r = 0; r < 11; r++) {
            one[r] = run(n, buf, 0);
            str[r] = run(m, buf, size);
            ratio[r] = str[r] / one[r];
        }
        printf("ratio %.3f\n", median(ratio, 11));
        printf("ns/op outb %.1f\n", median(one, 11));
        printf("ns/op outsb %.1f\n", median(str, 11));
        return 0;
    }
    int outsb = a < argc && !strcmp(argv[a], "outsb");
    if (a + (outsb ? 3 : 2) != argc || (!outsb && strcmp(argv[a], "outb"))) {
        fprintf(stderr, "usage: vm-bench [--ioperm] outb N | outsb N SIZE | string N M SIZE\n");
        return 2;
    }
    long n = atol(argv[a + 1]);
    size_t size = outsb ? (size_t)atol(argv[a + 2]) : 0;
    uint8_t *buf = calloc(size ? size : 1, 1);
    if (n <= 0 || !buf || (outsb && size == 0))
        return 2;
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)i;
    double best = 0;
    for (int round = 0; round < 11; round++) {
        double per = run(n, buf, size);
        if (round == 0 || per < best)
            best = per;
    }
    printf("ns/op %.1f\n", best);
    return 0;
}
