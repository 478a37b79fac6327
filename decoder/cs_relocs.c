/* Capstone's pointer tables, relocated at the decoder's first use, see cs_relocs.h. */
#include <link.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "decoder/cs_relocs.h"

/* Filled in the library file by defer-relocs; volatile, so that the compiler does not
 * take the zeros it was compiled with for its contents. */
__attribute__((visibility("hidden"))) const volatile struct iotrap__cs_deferred
    iotrap__cs_deferred = {0};

extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

static int done;
static long holder; /* the thread holding the lock, 0 if none */

static long self(void)
{
    return syscall(SYS_gettid);
}

void iotrap__cs_relocs_lock(void)
{
    long me = self(), free_ = 0;
    while (!__atomic_compare_exchange_n(&holder, &free_, me, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
        free_ = 0;
        sched_yield();
    }
}

void iotrap__cs_relocs_unlock(void)
{
    __atomic_store_n(&holder, 0, __ATOMIC_RELEASE);
}

static void apply(void)
{
    const volatile struct iotrap__cs_deferred *t = &iotrap__cs_deferred;
    if (t->magic != IOTRAP__CS_DEFERRED_MAGIC)
        return;
    uintptr_t bias = (uintptr_t)&__ehdr_start;
    uintptr_t *w = (uintptr_t *)(bias + (uintptr_t)t->start);
    uint32_t n = t->words;
    for (uint32_t i = 0; i < n && i / 8 < sizeof t->map; i++)
        if (t->map[i / 8] & (1u << (i % 8)))
            w[i] += bias;
    /* The tables were read-only after relocation (RELRO); so are their whole pages now. */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t ro = bias + (uintptr_t)t->ro_start;
    uintptr_t lo = (ro + page - 1) & ~(page - 1);
    uintptr_t hi = (ro + (uintptr_t)t->ro_size) & ~(page - 1);
    if (hi > lo)
        mprotect((void *)lo, hi - lo, PROT_READ);
}

void iotrap__cs_relocate(void)
{
    if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
        return;
    /* A fork handler of this very thread may hold the lock already, with the fork not yet
     * made: relocating now is as safe. */
    int mine = __atomic_load_n(&holder, __ATOMIC_RELAXED) == self();
    if (!mine)
        iotrap__cs_relocs_lock();
    if (!__atomic_load_n(&done, __ATOMIC_RELAXED)) {
        apply();
        __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    }
    if (!mine)
        iotrap__cs_relocs_unlock();
}
