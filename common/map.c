/* Memory the library maps for itself, see map.h. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common/map.h"
#include "common/startup.h"

/* The reservation, [start, end), and the next free address in it: space is handed out
 * once and never reused, since the mappings it holds are few and live long. */
static uintptr_t start, end, next;

static size_t page_round(size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (len + page - 1) & ~(page - 1);
}

IOTRAP__STARTUP void iotrap__map_reserve(size_t len)
{
    void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return;
    next = start = (uintptr_t)p;
    __atomic_store_n(&end, start + len, __ATOMIC_RELEASE);
}

static int reserved(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;
    return a >= start && a < __atomic_load_n(&end, __ATOMIC_ACQUIRE) && a + len <= end;
}

void *iotrap__map(size_t len, int prot, int flags, int fd, off_t off)
{
    size_t size = page_round(len);
    if (__atomic_load_n(&end, __ATOMIC_ACQUIRE)) {
        uintptr_t at = __atomic_fetch_add(&next, size, __ATOMIC_RELAXED);
        if (at + size <= end && at + size > at) {
            /* MAP_FIXED replaces the reservation's own pages, nothing of the program's. */
            void *p = mmap((void *)at, len, prot, flags | MAP_FIXED, fd, off);
            if (p != MAP_FAILED)
                return p;
            iotrap__unmap((void *)at, size); /* the range stays reserved */
        }
    }
    return mmap(NULL, len, prot, flags, fd, off);
}

void iotrap__unmap(void *p, size_t len)
{
    if (!p)
        return;
    size_t size = page_round(len);
    if (reserved(p, size))
        mmap(p, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    else
        munmap(p, len);
}
