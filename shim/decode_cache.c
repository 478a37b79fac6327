/* A decode cache keyed by the instruction's linear address, so that a hot IN or OUT meets
 * the decoder (Capstone underneath) once.
 *
 * Code can change under the same address (JIT compilers, Wine's thunks, a dlclose and a
 * new mapping), so every hit is checked against the instruction's bytes just read.  The
 * table is global rather than per thread (thread-local storage in a preloaded library may
 * allocate on first use, which a signal handler must not do); each entry is a seqlock
 * that a writer claims with a compare-and-swap, so concurrent traps never wait: a reader
 * that races with a writer simply decodes again.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "decoder/uncached.h"
#include "shim/shim.h"

#define CACHE_SIZE 1024 /* entries, a power of two: more I/O sites than a driver has */

struct entry {
    unsigned seq;     /* odd while being written */
    uint8_t mode;
    uint8_t len;
    uint8_t bytes[IOTRAP_MAX_INSN_LEN];
    uint64_t pc;
    iotrap_insn insn;
};

static struct entry cache[CACHE_SIZE];

static unsigned slot(uint64_t pc)
{
    return (unsigned)((pc ^ (pc >> 8) ^ (pc >> 17)) & (CACHE_SIZE - 1));
}

/* A consistent copy of the entry, or false while a writer is at it. */
static bool snapshot(const struct entry *e, struct entry *copy)
{
    unsigned s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
    if (s1 & 1)
        return false;
    memcpy(copy, e, sizeof *copy);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(&e->seq, __ATOMIC_RELAXED) == s1;
}

static void store(struct entry *e, uint64_t pc, const uint8_t *code, int mode,
                  const iotrap_insn *insn)
{
    unsigned s = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
    if ((s & 1) || !__atomic_compare_exchange_n(&e->seq, &s, s + 1, false, __ATOMIC_ACQUIRE,
                                                __ATOMIC_RELAXED))
        return; /* another thread is writing it: leave it to them */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    e->pc = pc;
    e->mode = (uint8_t)mode;
    e->len = insn->length;
    memcpy(e->bytes, code, insn->length);
    e->insn = *insn;
    __atomic_store_n(&e->seq, s + 2, __ATOMIC_RELEASE);
}

int iotrap__decode_at(uint64_t pc, int mode, iotrap_insn *insn)
{
    struct entry *e = &cache[slot(pc)];
    struct entry hit;
    uint8_t code[IOTRAP_MAX_INSN_LEN];
    /* A hit reads only the cached instruction's own bytes (usually one or two). */
    if (snapshot(e, &hit) && hit.len && hit.pc == pc && hit.mode == mode &&
        iotrap__safe_copy(code, (const void *)(uintptr_t)pc, hit.len, NULL) == hit.len &&
        memcmp(code, hit.bytes, hit.len) == 0) {
        *insn = hit.insn;
        return IOTRAP_OK;
    }
    /* The code may end early (an unmapped page next): decode what could be read. */
    size_t avail = iotrap__safe_copy(code, (const void *)(uintptr_t)pc, sizeof code, NULL);
    if (avail == 0)
        return IOTRAP_E_TRUNCATED;
    /* The decoder's own cache is keyed by bytes; this one replaces it here. */
    int st = iotrap__decode_uncached(code, avail, mode, insn);
    if (st == IOTRAP_OK)
        store(e, pc, code, mode, insn);
    return st;
}
