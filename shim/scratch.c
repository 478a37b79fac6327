/* Scratch buffers for string transfers and LDT reads inside the SIGSEGV handler.
 *
 * A REP INS/OUTS moves its whole string through one buffer in one backend call, so the
 * buffers are large; they are mapped by the first claim of the process (only touched
 * pages cost memory, and a process that never moves a string maps nothing) and claimed
 * with a compare-and-swap, so threads trapping at once never wait and a signal handler
 * never takes a lock.  When all are busy the caller falls back to a
 * small buffer on its stack and makes more, smaller calls.
 */
#include "common/map.h"
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "shim/shim.h"

#define POOL_COUNT 8

static uint8_t *base; /* the POOL_COUNT buffers, one after the other; NULL until mapped */
static int busy[POOL_COUNT];

/* The buffers, mapped on first use (mmap is async-signal-safe); NULL if that failed, and
 * the next claim tries again.  Threads that race here each map; one mapping wins, the
 * others are unmapped. */
static uint8_t *buffers(void)
{
    uint8_t *b = __atomic_load_n(&base, __ATOMIC_ACQUIRE);
    if (b)
        return b;
    const size_t len = (size_t)POOL_COUNT * IOTRAP__SCRATCH_SIZE;
    void *p = iotrap__map(len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL; /* the claim fails and the caller uses its stack buffer */
    if (__atomic_compare_exchange_n(&base, &b, (uint8_t *)p, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return p;
    iotrap__unmap(p, len);
    return b;
}

void *iotrap__scratch_claim(void)
{
    uint8_t *b = buffers();
    if (!b)
        return NULL;
    for (int i = 0; i < POOL_COUNT; i++) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&busy[i], &expected, 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return b + (size_t)i * IOTRAP__SCRATCH_SIZE;
    }
    return NULL;
}

void iotrap__scratch_release(void *buf)
{
    uint8_t *b = __atomic_load_n(&base, __ATOMIC_ACQUIRE);
    for (int i = 0; b && i < POOL_COUNT; i++) {
        if (b + (size_t)i * IOTRAP__SCRATCH_SIZE == buf) {
            __atomic_store_n(&busy[i], 0, __ATOMIC_RELEASE);
            return;
        }
    }
}

void iotrap__scratch_reset(void)
{
    /* In a fork child only the forking thread exists, and it was not inside the handler:
     * buffers other threads held at the fork are free. */
    for (int i = 0; i < POOL_COUNT; i++)
        __atomic_store_n(&busy[i], 0, __ATOMIC_RELAXED);
}
