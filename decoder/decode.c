/* iotrap_decode(): the scan says what the CPU executes, Capstone confirms it, and a small
 * per-thread cache lets a hot instruction meet Capstone only once.
 *
 * Capstone 4.0.2 gets several fields wrong for some prefix orders (docs/decoder.md lists
 * them), so from Capstone we take only the instruction id (reduced to IN/OUT/INS/OUTS) and
 * the size, with detail off.  Everything else comes from scan.c.  When the two disagree on
 * the operation or the length, one of them is wrong and we refuse (IOTRAP_E_INVALID) rather
 * than emulate a guess; the fuzz target and the systematic tests look for such cases.
 */
#include <stdatomic.h>
#include <string.h>
#include <capstone/capstone.h>
#include <iotrap/decode.h>
#include "decoder/cs_pool.h"
#include "decoder/scan.h"

/* A cache entry: the exact instruction bytes zero-padded to 15, then one byte that is the
 * mode (16/32/64, never 0) and so marks the entry valid. */
#define CACHE_WAYS 8

typedef struct cache_entry {
    uint64_t key[2];
    iotrap_insn insn;
} cache_entry;

typedef struct decode_cache {
    cache_entry e[CACHE_WAYS];
    unsigned next; /* round-robin victim */
    unsigned last; /* the entry that hit last: a hot loop finds it first */
} decode_cache;

static __thread decode_cache cache __attribute__((tls_model("initial-exec")));

static void make_key(uint64_t key[2], const uint8_t *code, size_t len, int mode)
{
    uint8_t k[16] = { 0 };
    memcpy(k, code, len);
    k[15] = (uint8_t)mode;
    memcpy(key, k, sizeof k);
}

static const iotrap_insn *cache_find(const uint64_t key[2])
{
    const cache_entry *e = &cache.e[cache.last % CACHE_WAYS];
    if (e->key[0] == key[0] && e->key[1] == key[1])
        return &e->insn;
    for (unsigned i = 0; i < CACHE_WAYS; i++)
        if (cache.e[i].key[0] == key[0] && cache.e[i].key[1] == key[1]) {
            cache.last = i;
            return &cache.e[i].insn;
        }
    return NULL;
}

static void cache_put(const uint64_t key[2], const iotrap_insn *insn)
{
    cache_entry *e = &cache.e[cache.next++ % CACHE_WAYS];
    /* A signal handler on this thread may look up the cache between any two of these
     * stores: make the entry invalid while it is inconsistent. */
    e->key[1] = 0;
    atomic_signal_fence(memory_order_seq_cst);
    e->key[0] = key[0];
    e->insn = *insn;
    atomic_signal_fence(memory_order_seq_cst);
    e->key[1] = key[1];
}

static int op_of_id(unsigned id)
{
    switch (id) {
    case X86_INS_IN: return IOTRAP_OP_IN;
    case X86_INS_OUT: return IOTRAP_OP_OUT;
    case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD: return IOTRAP_OP_INS;
    case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD: return IOTRAP_OP_OUTS;
    default: return -1;
    }
}

int iotrap_decode_ex(const void *code, size_t avail, int mode, unsigned flags, iotrap_insn *insn)
{
    if (mode != 16 && mode != 32 && mode != 64)
        return IOTRAP_E_BAD_MODE;
    if (!insn || (!code && avail))
        return IOTRAP_E_INVAL;
    /* The length pass is enough to find a cached instruction: an entry exists only for
     * a valid instruction with exactly these bytes. */
    int len = iotrap__scan_length(code, avail, mode);
    if (len < 0)
        return len;
    uint64_t key[2] = { 0, 0 };
    int use_cache = !(flags & IOTRAP_DECODE_NO_CACHE);
    if (use_cache) {
        make_key(key, code, (size_t)len, mode);
        const iotrap_insn *hit = cache_find(key);
        if (hit) {
            *insn = *hit;
            return IOTRAP_OK;
        }
    }
    iotrap_insn x;
    int rc = iotrap__scan(code, avail, mode, &x);
    if (rc != IOTRAP_OK)
        return rc;

    unsigned id;
    size_t size;
    rc = iotrap__cs_identify(code, x.length, mode, &id, &size);
    if (rc == IOTRAP_OK && (op_of_id(id) != x.op || size != x.length))
        return IOTRAP_E_INVALID;
    /* With every handle of the pool busy (more concurrent decodes than slots) the scan's
     * answer stands alone; it is the one the tests hold to the reference model anyway. */
    if (rc != IOTRAP_OK && rc != IOTRAP_E_BUSY)
        return rc;
    if (use_cache && rc == IOTRAP_OK)
        cache_put(key, &x);
    *insn = x;
    return IOTRAP_OK;
}

int iotrap_decode(const void *code, size_t avail, int mode, iotrap_insn *insn)
{
    return iotrap_decode_ex(code, avail, mode, 0, insn);
}
