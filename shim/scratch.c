/* Scratch buffers for string transfers and LDT reads inside the SIGSEGV handler.
 *
 * A REP INS/OUTS moves its whole string through one buffer in one backend call, so the
 * buffers are large; they are mapped once by the constructor (only touched pages cost
 * memory) and claimed with a compare-and-swap, so threads trapping at once never wait
 * and a signal handler never takes a lock.  When all are busy the caller falls back to a
 * small buffer on its stack and makes more, smaller calls.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "shim/shim.h"

#define POOL_COUNT 8

static void *pool[POOL_COUNT];
static int busy[POOL_COUNT];

void iotrap__scratch_init(void)
{
    void *p = mmap(NULL, (size_t)POOL_COUNT * IOTRAP__SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return; /* every claim then fails and callers use their stack buffers */
    for (int i = 0; i < POOL_COUNT; i++)
        pool[i] = (uint8_t *)p + (size_t)i * IOTRAP__SCRATCH_SIZE;
}

void *iotrap__scratch_claim(void)
{
    for (int i = 0; i < POOL_COUNT; i++) {
        int expected = 0;
        if (pool[i] && __atomic_compare_exchange_n(&busy[i], &expected, 1, false,
                                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return pool[i];
    }
    return NULL;
}

void iotrap__scratch_release(void *buf)
{
    for (int i = 0; i < POOL_COUNT; i++) {
        if (pool[i] == buf) {
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
