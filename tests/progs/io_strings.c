/* REP INS into memory as the CPU does it: every width, both directions, a destination that
 * turns bad (read-only or unmapped) partway, and a writable one of any length, which the
 * shim must fill without a system call per page.
 *
 *   io_strings ins-partial       the fault cases, each checked against what the CPU does:
 *                                the elements before the bad one stored, the bad one and
 *                                the rest not, RDI/RCX showing the elements done, and
 *                                SIGSEGV with the address of the first bad byte.
 *   io_strings ins-syscalls N    one REP INSB of N bytes into a fresh writable mapping,
 *                                after a first one-byte string, between close(-77)
 *                                and close(-78), which mark it for
 *                                strace (tests/integration.test counts the calls in
 *                                between).
 *   io_strings outs-syscalls N   the same for one REP OUTSB of N bytes.
 *
 * The board must have RAM latches at 0x300-0x33f.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* REG_* of ucontext */
#endif
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "progs.h"

#if defined(__x86_64__)
#define UC_DI(uc) ((uc)->uc_mcontext.gregs[REG_RDI])
#define UC_CX(uc) ((uc)->uc_mcontext.gregs[REG_RCX])
#else
#define UC_DI(uc) ((uc)->uc_mcontext.gregs[REG_EDI])
#define UC_CX(uc) ((uc)->uc_mcontext.gregs[REG_ECX])
#endif

#define PORT 0x316
#define LATCHES 0x44332211u /* what PORT and the ports above it hold */

static sigjmp_buf back;
static volatile int hits;
static siginfo_t seen_si;
static unsigned long seen_di, seen_cx;

static void record(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    hits++;
    seen_si = *si;
    seen_di = (unsigned long)UC_DI(uc);
    seen_cx = (unsigned long)UC_CX(uc);
    siglongjmp(back, 1);
}

/* One REP INS of `count` elements of `width` bytes from PORT to `dst`, DF as `down`;
 * returns 1 when it faulted (the handler saw it), 0 when it finished.  DF is set and
 * cleared in the instruction's own asm, so that no compiled code runs with it set; the
 * kernel clears it for the handler, so a fault leaves it clear after the siglongjmp. */
static int rep_ins(unsigned width, int down, void *dst, unsigned long count)
{
    hits = 0;
    volatile unsigned long di = (unsigned long)dst, cx = count;
    if (sigsetjmp(back, 1))
        return 1;
    unsigned long d = di, c = cx;
#define REP_INS(insn)                                                                  \
    do {                                                                               \
        if (down)                                                                      \
            __asm__ volatile("std; rep " insn "; cld" : "+D"(d), "+c"(c) : "d"(PORT) : "memory"); \
        else                                                                           \
            __asm__ volatile("rep " insn : "+D"(d), "+c"(c) : "d"(PORT) : "memory");   \
    } while (0)
    if (width == 1)
        REP_INS("insb");
    else if (width == 2)
        REP_INS("insw");
    else
        REP_INS("insl");
#undef REP_INS
    return 0;
}

/* Two pages, the one the string runs into made bad: the second going up, the first
 * going down. */
static uint8_t *pages(long pg, int down, int unmap)
{
    uint8_t *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0xee, 2 * pg);
    uint8_t *bad = down ? p : p + pg;
    if (unmap)
        munmap(bad, pg);
    else
        mprotect(bad, pg, PROT_READ);
    return p;
}

static void ins_case(long pg, unsigned w, int down, int unmap, int skew)
{
    char what[128];
    uint8_t *p = pages(pg, down, unmap);
    uint8_t *edge = p + pg;
    /* Two whole elements fit before the edge; with `skew` the third straddles it. */
    uint8_t *start = down ? edge + w + (unsigned)skew : edge - 2 * w - (unsigned)skew;
    const unsigned long count = 5;
    int faulted = rep_ins(w, down, start, count);
    snprintf(what, sizeof what, "w%u %s %s%s: faulted", w, down ? "down" : "up",
             unmap ? "unmapped" : "read-only", skew ? " straddling" : "");
    CHECK_EQ(what, faulted && hits == 1, 1);
    /* Going up the fault is at the edge (a straddling element's bytes below it are not
     * stored either: a store that faults stores nothing); going down, the bad element's
     * lowest byte, its address, is below the edge. */
    snprintf(what, sizeof what, "w%u %s: si_addr", w, down ? "down" : "up");
    CHECK_EQ(what, (unsigned long)seen_si.si_addr,
             (unsigned long)(down ? start - 2 * w : edge));
    snprintf(what, sizeof what, "w%u %s: si_code", w, down ? "down" : "up");
    CHECK_EQ(what, seen_si.si_code, unmap ? SEGV_MAPERR : SEGV_ACCERR);
    snprintf(what, sizeof what, "w%u %s: rdi at the bad element", w, down ? "down" : "up");
    CHECK_EQ(what, seen_di, (unsigned long)(down ? start - 2 * w : start + 2 * w));
    snprintf(what, sizeof what, "w%u %s: rcx counts the 3 left", w, down ? "down" : "up");
    CHECK_EQ(what, seen_cx, count - 2);
    for (unsigned e = 0; e < 2; e++) {
        uint8_t *el = down ? start - e * w : start + e * w;
        for (unsigned b = 0; b < w; b++) {
            snprintf(what, sizeof what, "w%u %s: element %u byte %u stored", w,
                     down ? "down" : "up", e, b);
            CHECK_EQ(what, el[b], (LATCHES >> (8 * b)) & 0xff);
        }
    }
    /* Around the elements done, the good page keeps what it had. */
    uint8_t *below = down ? start - w : start - 1;
    uint8_t *above = down ? start + w : start + 2 * w;
    /* The byte before where the string started, and the good page's bytes between the
     * elements done and the bad page. */
    uint8_t *before = down ? above : below;
    uint8_t *from = down ? edge : above, *to = down ? below : edge;
    snprintf(what, sizeof what, "w%u %s: byte %s the string untouched", w,
             down ? "down" : "up", down ? "above" : "below");
    CHECK_EQ(what, *before, 0xee);
    for (uint8_t *q = from; q < to; q++)
        if (*q != 0xee) {
            snprintf(what, sizeof what, down ? "w%u down: good-page byte below element 1"
                                             : "w%u up: good-page byte of the bad element", w);
            CHECK_EQ(what, *q, 0xee);
            break;
        }
    if (!unmap) {
        uint8_t *bad = down ? p : edge;
        int clean = 1;
        for (long i = 0; i < pg; i++)
            clean &= bad[i] == 0xee;
        snprintf(what, sizeof what, "w%u %s: read-only page unchanged", w, down ? "down" : "up");
        CHECK_EQ(what, clean, 1);
    }
    munmap(p, 2 * pg);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = record;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
}

static void set_latches(void)
{
    __asm__ volatile("outl %0, %w1" : : "a"(LATCHES), "d"(PORT));
}

static void case_ins_partial(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    install();
    set_latches();
    for (unsigned w = 1; w <= 4; w *= 2)
        for (int down = 0; down <= 1; down++)
            for (int unmap = 0; unmap <= 1; unmap++)
                ins_case(pg, w, down, unmap, 0);
    /* Going up, a 4-byte element two bytes short of the edge: it is not stored at all. */
    ins_case(pg, 4, 0, 0, 2);
    ins_case(pg, 2, 0, 1, 1);
    /* Going down, the same: the bad element's high bytes in the good page stay. */
    ins_case(pg, 4, 1, 0, 2);
}

static unsigned long size_arg(void);
static char *const *args;

/* A process's first string sets up the library's string buffers (one mmap, paid once);
 * a one-byte string before the marks leaves only what every string costs between them. */
static void first_string(void)
{
    uint8_t b;
    unsigned long d = (unsigned long)&b, c = 1;
    __asm__ volatile("rep insb" : "+D"(d), "+c"(c) : "d"(PORT) : "memory");
}

static void case_ins_syscalls(void)
{
    unsigned long n = size_arg();
    set_latches();
    uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned long d = (unsigned long)p, c = n;
    first_string();
    close(-77);
    __asm__ volatile("rep insb" : "+D"(d), "+c"(c) : "d"(PORT) : "memory");
    close(-78);
    CHECK_EQ("rcx 0", c, 0);
    CHECK_EQ("rdi past the string", d, (unsigned long)p + n);
    unsigned long wrong = 0;
    for (unsigned long i = 0; i < n; i++)
        wrong += p[i] != (LATCHES & 0xff);
    CHECK_EQ("every byte stored", wrong, 0);
}

static void case_outs_syscalls(void)
{
    unsigned long n = size_arg();
    uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0x11, n);
    p[n - 1] = 0x7e;
    unsigned long s = (unsigned long)p, c = n;
    first_string();
    close(-77);
    __asm__ volatile("rep outsb" : "+S"(s), "+c"(c) : "d"(PORT) : "memory");
    close(-78);
    CHECK_EQ("rcx 0", c, 0);
    uint8_t v;
    __asm__ volatile("inb %w1, %b0" : "=a"(v) : "d"(PORT));
    CHECK_EQ("the last byte reached the port", v, 0x7e);
}

static unsigned long size_arg(void)
{
    unsigned long n = args[2] ? strtoul(args[2], NULL, 0) : 0;
    if (!n) {
        puts("FAIL: give the string's length in bytes");
        exit(2);
    }
    return n;
}

static const struct progs_case cases[] = {
    {"ins-partial", case_ins_partial},
    {"ins-syscalls", case_ins_syscalls},
    {"outs-syscalls", case_outs_syscalls},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    args = argv;
    return progs_main(argc, argv, cases);
}
