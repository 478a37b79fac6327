/* Helper of `iotrap bench`: times port-I/O instructions that trap, and prints ns/op.
 *
 *   iotrap-bench-trap bare ITER PORT   `in al, dx` caught by a SIGSEGV handler that only
 *                                      steps over it: the floor of any trap-based design.
 *   iotrap-bench-trap shim ITER PORT   `in al, dx`, `out dx, al` and one `rep outsb` of
 *                                      4096 bytes, run under the iotrap preload library
 *                                      (started so by `iotrap bench`).
 *   iotrap-bench-trap targets ITER NAME=PORT[,NAME=PORT...]
 *                                      `out dx, al` and the 4096-byte `rep outsb` at each
 *                                      port, under the preload library; then the byte an
 *                                      `in al, dx` reads back there, by which `iotrap
 *                                      bench` checks that the port reached the device it
 *                                      meant.
 *   iotrap-bench-trap patched ITER PORT `in al, dx` at patched sites against
 *                                      iotrap_ports_in() (bench/patched_bench.c).
 *
 * Each measurement is split into batches and the median batch is printed, so that one
 * descheduling does not count.  The same instruction bytes are used in both modes. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include "bench/patched_bench.h"
#include "bench/timing.h"

#define BATCHES 9
#define REP_BYTES 4096
/* The last byte of the string, which a latch shows afterwards. */
#define REP_LAST 0xA5

static volatile uint8_t sink;

/* The "d" constraints force the DX forms (EC, EE, F3 6E), never an imm8 port. */
static void in_dx(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %w1, %b0" : "=a"(v) : "d"(port));
    sink = v;
}

static void out_dx(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %b0, %w1" : : "a"(v), "d"(port));
}

static uint8_t rep_buf[REP_BYTES];

static void rep_outsb(uint16_t port)
{
    const void *p = rep_buf;
    unsigned long n = REP_BYTES;
    __asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(port) : "memory");
}

enum what { IN, OUT, REP };

/* ns per instruction for `iter` executions, as the median of BATCHES batches. */
static double measure(enum what w, long iter, uint16_t port)
{
    double per[BATCHES];
    long n = iter / BATCHES > 0 ? iter / BATCHES : 1;
    for (int b = 0; b < BATCHES; b++) {
        double t0 = iotrap__now_ns();
        for (long i = 0; i < n; i++) {
            if (w == IN)
                in_dx(port);
            else if (w == OUT)
                out_dx(port, (uint8_t)i);
            else
                rep_outsb(port);
        }
        per[b] = (iotrap__now_ns() - t0) / (double)n;
    }
    qsort(per, BATCHES, sizeof(per[0]), iotrap__cmp_double);
    return per[BATCHES / 2];
}

/* The bare round trip: the kernel's #GP -> SIGSEGV delivery -> sigreturn, and nothing
 * else.  The handler checks that it is stepping over the instruction it expects. */
static void step_over_in(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)si;
#ifdef __x86_64__
    greg_t *ip = &uc->uc_mcontext.gregs[REG_RIP];
#else
    greg_t *ip = &uc->uc_mcontext.gregs[REG_EIP];
#endif
    if (*(const uint8_t *)(uintptr_t)*ip != 0xEC) {
        signal(sig, SIG_DFL); /* not ours: let the fault kill the process */
        return;
    }
    *ip += 1;
}

/* One "NAME_outb", "NAME_rep" and "NAME_back" line per NAME=PORT item of `list`. */
static int measure_targets(const char *prog, long iter, char *list)
{
    char *save = NULL;
    for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item) {
            fprintf(stderr, "%s: bad target '%s' (NAME=PORT)\n", prog, item);
            return 2;
        }
        *eq = '\0';
        uint16_t port = (uint16_t)strtoul(eq + 1, NULL, 0);
        out_dx(port, 0);
        rep_outsb(port);
        double out = measure(OUT, iter, port);
        double rep = measure(REP, iter / 20 > 0 ? iter / 20 : 1, port);
        uint8_t back;
        __asm__ volatile("inb %w1, %b0" : "=a"(back) : "d"(port));
        printf("%s_outb %.1f\n%s_rep %.1f\n%s_back %u\n", item, out, item, rep, item, back);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s bare|shim|patched|targets ITERATIONS PORT|NAME=PORT,...\n",
                argv[0]);
        return 2;
    }
    long iter = strtol(argv[2], NULL, 0);
    uint16_t port = (uint16_t)strtoul(argv[3], NULL, 0); /* unused by `targets` */
    if (iter <= 0) {
        fprintf(stderr, "%s: bad iteration count '%s'\n", argv[0], argv[2]);
        return 2;
    }
    memset(rep_buf, 0x5A, sizeof(rep_buf));
    rep_buf[REP_BYTES - 1] = REP_LAST;
    if (strcmp(argv[1], "bare") == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = step_over_in;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGSEGV, &sa, NULL);
        in_dx(port); /* warm up: first fault maps the handler's pages */
        printf("bare %.1f\n", measure(IN, iter, port));
    } else if (strcmp(argv[1], "shim") == 0) {
        in_dx(port);
        out_dx(port, 0);
        rep_outsb(port);
        double in = measure(IN, iter, port);
        double out = measure(OUT, iter, port);
        double rep = measure(REP, iter / 20 > 0 ? iter / 20 : 1, port);
        printf("inb %.1f\noutb %.1f\nrep %.1f\n", in, out, rep);
    } else if (strcmp(argv[1], "targets") == 0) {
        return measure_targets(argv[0], iter, argv[3]);
    } else if (strcmp(argv[1], "patched") == 0) {
        return iotrap__bench_patched(iter, port);
    } else {
        fprintf(stderr, "%s: unknown mode '%s' (bare, shim, patched or targets)\n", argv[0],
                argv[1]);
        return 2;
    }
    return 0;
}
