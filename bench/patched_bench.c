/* `iotrap-bench-trap patched ITER PORT`: the hot-site patched path against the session
 * called from C, and the patched path in two threads.  Run under the preload library
 * with IOTRAP_PATCH=on (`iotrap bench` starts it so); prints ns/op:
 *
 *   patched   one `in al, dx` at a patched site (after enough traps to patch it)
 *   ports_in  iotrap_ports_in() on a session this process opens from the same IOTRAP_*
 *             settings as the preload library's: the same backend and board kind
 *   scale1    one thread reading through patched site A
 *   scale2    two threads at once, one at site A, one at site B: the wall time of the
 *             pair divided by the reads of one thread, so scale1 / scale2 * 2 is the
 *             throughput gained by the second thread
 *   cpu1      the same as scale1 for a loop without I/O that does what a trampoline
 *             and its stub do around the access (on x86-64; elsewhere plain arithmetic)
 *   cpu2      the same as scale2 for it: what the machine gives a second thread at that
 *             moment (a processor busy with other work gives it nothing, and two virtual
 *             processors on one physical core share its execution units)
 *
 * Each figure is the median of batches, so that one descheduling does not count. */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <iotrap/ports.h>
#include "bench/patched_bench.h"
#include "bench/timing.h"

#define BATCHES 9
/* More reads at one site than the trap engine needs before it patches it. */
#define WARM 1000

static volatile uint32_t sink;

/* Two loops whose `in al, dx` are two patch sites.  The instructions after each IN
 * (MOVZX, ADD) fill the five bytes a patch needs with instructions it can move; the asm
 * text differs so that the compiler cannot fold the two functions into one. */
static __attribute__((noinline)) uint32_t loop_a(uint16_t port, uint32_t n)
{
    uint32_t sum = 0, v;
    __asm__ volatile("1: inb %%dx, %%al\n\t"
                     "movzbl %%al, %%eax\n\t"
                     "addl %%eax, %0\n\t"
                     "decl %1\n\t"
                     "jnz 1b /* site a */"
                     : "+r"(sum), "+r"(n), "=&a"(v)
                     : "d"(port)
                     : "cc");
    return sum;
}

static __attribute__((noinline)) uint32_t loop_b(uint16_t port, uint32_t n)
{
    uint32_t sum = 0, v;
    __asm__ volatile("1: inb %%dx, %%al\n\t"
                     "movzbl %%al, %%eax\n\t"
                     "addl %%eax, %0\n\t"
                     "decl %1\n\t"
                     "jnz 1b /* site b */"
                     : "+r"(sum), "+r"(n), "=&a"(v)
                     : "d"(port)
                     : "cc");
    return sum;
}

#if defined(__x86_64__)
/* A trampoline and its stub without the access: step over the red zone, push an index,
 * call code that saves the flags and the general registers and restores them. */
#define SPIN_STEP                                                                      \
    "lea -128(%%rsp), %%rsp\n\tpush $0\n\tcall 1f\n\tjmp 2f\n"                          \
    "1: pushfq\n\tpush %%rax\n\tpush %%rcx\n\tpush %%rdx\n\tpush %%rsi\n\tpush %%rdi\n\t"   \
    "push %%r8\n\tpush %%r9\n\tpush %%r10\n\tpush %%r11\n\tpush %%rbp\n\t"              \
    "pop %%rbp\n\tpop %%r11\n\tpop %%r10\n\tpop %%r9\n\tpop %%r8\n\tpop %%rdi\n\t"        \
    "pop %%rsi\n\tpop %%rdx\n\tpop %%rcx\n\tpop %%rax\n\tpopfq\n\tret $8\n"               \
    "2: lea 128(%%rsp), %%rsp\n\t"
#else
#define SPIN_STEP "imull $1103515245, %0, %0\n\taddl $12345, %0\n\t"
#endif

static __attribute__((noinline)) uint32_t spin_a(uint16_t seed, uint32_t n)
{
    uint32_t x = seed;
    for (uint32_t i = 0; i < n; i++)
        __asm__ volatile(SPIN_STEP "/* a */" : "+r"(x) : : "memory", "cc");
    return x;
}

static __attribute__((noinline)) uint32_t spin_b(uint16_t seed, uint32_t n)
{
    uint32_t x = seed;
    for (uint32_t i = 0; i < n; i++)
        __asm__ volatile(SPIN_STEP "/* b */" : "+r"(x) : : "memory", "cc");
    return x;
}

static double median_of(double *v)
{
    qsort(v, BATCHES, sizeof v[0], iotrap__cmp_double);
    return v[BATCHES / 2];
}

static double time_patched(uint16_t port, uint32_t n)
{
    double per[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = iotrap__now_ns();
        sink += loop_a(port, n);
        per[b] = (iotrap__now_ns() - t0) / n;
    }
    return median_of(per);
}

static double time_ports_in(iotrap_ports *p, uint16_t port, uint32_t n)
{
    double per[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = iotrap__now_ns();
        for (uint32_t i = 0; i < n; i++) {
            uint32_t v = 0;
            if (iotrap_ports_in(p, port, 1, &v, 0) != IOTRAP_OK)
                return -1;
            sink += v;
        }
        per[b] = (iotrap__now_ns() - t0) / n;
    }
    return median_of(per);
}

/* ---- Two threads -------------------------------------------------------------------- */

typedef uint32_t loop_fn(uint16_t port, uint32_t n);

struct pair {
    loop_fn *first, *second;
    uint16_t port;
    uint32_t n;
    int go;    /* the batch the second thread may start, atomic */
    int ready; /* the batch the second thread waits for, atomic */
    int done;  /* the last batch it finished, atomic */
    int stop;
};

static void *second_thread(void *arg)
{
    struct pair *p = arg;
    for (int b = 1;; b++) {
        __atomic_store_n(&p->ready, b, __ATOMIC_RELEASE);
        while (__atomic_load_n(&p->go, __ATOMIC_ACQUIRE) < b) {
            if (__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
                return NULL;
            sched_yield();
        }
        sink += p->second(p->port, p->n);
        __atomic_store_n(&p->done, b, __ATOMIC_RELEASE);
    }
}

/* Batch b of the pair: starts when the second thread waits for it, ends when both are
 * done; the wall time per read of one thread.  A thread that waits yields, so that on a
 * processor shared with other work the one it waits for can run. */
static double pair_batch(struct pair *p, int b)
{
    while (__atomic_load_n(&p->ready, __ATOMIC_ACQUIRE) != b)
        sched_yield();
    double t0 = iotrap__now_ns();
    __atomic_store_n(&p->go, b, __ATOMIC_RELEASE);
    sink += p->first(p->port, p->n);
    while (__atomic_load_n(&p->done, __ATOMIC_ACQUIRE) != b)
        sched_yield();
    return (iotrap__now_ns() - t0) / p->n;
}

static int time_pair(loop_fn *first, loop_fn *second, uint16_t port, uint32_t n, double *one,
                     double *two)
{
    struct pair p = {first, second, port, n, 0, 0, 0, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, second_thread, &p) != 0)
        return -1;
    double s1[BATCHES], s2[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = iotrap__now_ns();
        sink += first(port, n);
        s1[b] = (iotrap__now_ns() - t0) / n;
        s2[b] = pair_batch(&p, b + 1);
    }
    __atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    *one = median_of(s1);
    *two = median_of(s2);
    return 0;
}

int iotrap__bench_patched(long iter, uint16_t port)
{
    iotrap_ports *p;
    char err[512];
    if (iotrap_ports_open_env(&p, err, sizeof err) != IOTRAP_OK) {
        fprintf(stderr, "iotrap-bench-trap: %s\n", err);
        return 1;
    }
    sink += loop_a(port, WARM) + loop_b(port, WARM);
    /* Four times the iterations asked for, per batch: a patched read costs a few
     * nanoseconds, and a batch must outlast the clock's and the scheduler's jitter. */
    uint32_t n = (uint32_t)(4 * iter);
    double patched = time_patched(port, n);
    double ports_in = time_ports_in(p, port, n);
    double one, two, cpu1, cpu2;
    /* The threads read more, so that starting a batch stays a small part of it. */
    if (ports_in < 0 || time_pair(loop_a, loop_b, port, 4 * n, &one, &two) != 0 ||
        time_pair(spin_a, spin_b, port, 4 * n, &cpu1, &cpu2) != 0) {
        fprintf(stderr, "iotrap-bench-trap: the session refused port 0x%x\n", port);
        iotrap_ports_close(p);
        return 1;
    }
    iotrap_ports_close(p);
    printf("patched %.1f\nports_in %.1f\nscale1 %.1f\nscale2 %.1f\ncpu1 %.1f\ncpu2 %.1f\n",
           patched, ports_in, one, two, cpu1, cpu2);
    return 0;
}
