/* iotrap_decode(): the scan says what the CPU executes, Capstone confirms it, and a small
 * per-thread cache lets a hot instruction meet Capstone only once.
 *
 * Capstone 4.0.2 gets several fields wrong for some prefix orders (docs/decoder.md lists
 * them), so from Capstone we take only the instruction id (reduced to IN/OUT/INS/OUTS) and
 * the size, with detail off.  Everything else comes from scan.c.  When the two disagree on
 * the operation or the length, one of them is wrong and we refuse (IOTRAP_E_BAD_INSN) rather
 * than emulate a guess; the fuzz target and the systematic tests look for such cases.
 */
#include <stdatomic.h>
#include <string.h>
#include "decoder/capstone_x86.h"
#include <iotrap/decode.h>
#include "decoder/cs_pool.h"
#include "decoder/hot_path.h"
#include "decoder/scan.h"
#include "decoder/uncached.h"

/* A cache entry holds a valid instruction's exact bytes.  An instruction is decoded from
 * its own bytes and the mode alone, so an entry whose bytes start the input decodes it:
 * a hit needs no prefix scan at all, only a compare of at most 15 bytes. */
#define CACHE_WAYS 8

typedef struct cache_entry {
    uint8_t bytes[IOTRAP_MAX_INSN_LEN];
    uint8_t len; /* 0: empty */
    uint8_t mode;
    iotrap_insn insn;
} cache_entry;

typedef struct decode_cache {
    cache_entry e[CACHE_WAYS];
    unsigned next; /* round-robin victim */
    unsigned last; /* the entry that hit last: a hot loop finds it first */
} decode_cache;

static __thread decode_cache cache __attribute__((tls_model("initial-exec")));

static int entry_matches(const cache_entry *e, const uint8_t *code, size_t avail, int mode)
{
    unsigned len = e->len;
    if (len == 0 || len > avail || e->mode != mode)
        return 0;
    for (unsigned i = 0; i < len; i++)
        if (e->bytes[i] != code[i])
            return 0;
    return 1;
}

/* Copies entry i's instruction if it decodes `code`.  A signal handler on this thread may
 * run between the match and the copy and store another instruction over the entry
 * (cache_put), so the entry is matched again after the copy: a handler that ran in
 * between either changed it, or stored this very instruction again. */
static int cache_copy(unsigned i, const uint8_t *code, size_t avail, int mode,
                      iotrap_insn *out)
{
    const cache_entry *e = &cache.e[i];
    if (!entry_matches(e, code, avail, mode))
        return 0;
    iotrap_insn copy = e->insn;
    atomic_signal_fence(memory_order_seq_cst);
    if (!entry_matches(e, code, avail, mode))
        return 0;
    *out = copy;
    return 1;
}

static int cache_find(const uint8_t *code, size_t avail, int mode, iotrap_insn *out)
{
    if (cache_copy(cache.last % CACHE_WAYS, code, avail, mode, out))
        return 1;
    for (unsigned i = 0; i < CACHE_WAYS; i++)
        if (cache_copy(i, code, avail, mode, out)) {
            cache.last = i;
            return 1;
        }
    return 0;
}

static void cache_put(const uint8_t *code, int mode, const iotrap_insn *insn)
{
    cache_entry *e = &cache.e[cache.next++ % CACHE_WAYS];
    /* A signal handler on this thread may look up the cache between any two of these
     * stores: the entry is empty while it is inconsistent. */
    e->len = 0;
    atomic_signal_fence(memory_order_seq_cst);
    memcpy(e->bytes, code, insn->length);
    e->mode = (uint8_t)mode;
    e->insn = *insn;
    atomic_signal_fence(memory_order_seq_cst);
    e->len = insn->length;
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

IOTRAP__DECODE_PATH
static int decode(const void *code, size_t avail, int mode, int use_cache, iotrap_insn *insn)
{
    if (mode != 16 && mode != 32 && mode != 64)
        return IOTRAP_E_BAD_MODE;
    if (!insn || (!code && avail))
        return IOTRAP_E_INVAL;
    if (use_cache && cache_find(code, avail, mode, insn))
        return IOTRAP_OK;
    iotrap_insn x;
    int rc = iotrap__scan(code, avail, mode, &x);
    if (rc != IOTRAP_OK)
        return rc;

    unsigned id;
    size_t size;
    rc = iotrap__cs_identify(code, x.length, mode, &id, &size);
    if (rc == IOTRAP_OK && (op_of_id(id) != x.op || size != x.length))
        return IOTRAP_E_BAD_INSN;
    /* When Capstone cannot be used now (every handle of the pool busy, or a signal handler
     * interrupting the process's first decode) the scan's answer stands alone; it is the
     * one the tests hold to the reference model anyway. */
    if (rc != IOTRAP_OK && rc != IOTRAP_E_BUSY)
        return rc;
    if (use_cache && rc == IOTRAP_OK)
        cache_put(code, mode, &x);
    *insn = x;
    return IOTRAP_OK;
}

IOTRAP__DECODE_PATH
int iotrap_decode(const void *code, size_t avail, int mode, iotrap_insn *insn)
{
    return decode(code, avail, mode, 1, insn);
}

IOTRAP__DECODE_PATH
int iotrap__decode_uncached(const void *code, size_t avail, int mode, iotrap_insn *insn)
{
    return decode(code, avail, mode, 0, insn);
}
