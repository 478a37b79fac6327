/* Capstone handles for iotrap_decode(): a bounded pool, claimed without locks, of handles of
 * the core's private Capstone, which allocates from per-slot arenas (internal). */
#ifndef IOTRAP_DECODER_CS_POOL_H
#define IOTRAP_DECODER_CS_POOL_H

#include <stddef.h>
#include <stdint.h>

/* Ask Capstone what the `len` bytes at `code` are in `mode`: its instruction id and size.
 * Returns 0, IOTRAP_E_BAD_INSN when Capstone cannot decode them, or IOTRAP_E_BUSY when
 * Capstone cannot be used now: every handle is in use (the pool is full), no memory for a
 * new one, or this thread interrupted the process's first decode (the warm-up).  Sets
 * Capstone up on first use; async-signal-safe; reads only `len` bytes. */
int iotrap__cs_identify(const uint8_t *code, size_t len, int mode, unsigned *id, size_t *size);

/* What moving an instruction to another address needs to know (shim/patch_code.c). */
typedef struct iotrap__cs_facts {
    unsigned id;
    size_t size;
    uint32_t groups;   /* bit (1u << g) for each generic Capstone group g (CS_GRP_*) */
    int rip_relative;  /* it has a memory operand based on RIP */
    int64_t disp;      /* that operand's displacement */
    uint64_t target;   /* the destination of a relative branch, as an address */
    uint8_t prefix[4]; /* Capstone's prefix slots: rep/lock, segment, 66, 67 */
    int extension;     /* x87, MMX, SSE, AVX or a system extension (VT-x, SGX, RTM...) */
} iotrap__cs_facts;

/* Decodes the instruction at `code`, which lives at address `addr`, with Capstone's
 * operand details.  Same returns and the same async-signal safety as above. */
int iotrap__cs_examine(const uint8_t *code, size_t len, int mode, uint64_t addr,
                       iotrap__cs_facts *facts);

/* Statistics for tests: handles opened so far, the bytes a slot's arena has carved (freed
 * blocks are reused, so this stops growing once a handle has warmed up; 0 before the slot
 * is opened), and the sorts Capstone has asked for (its Intel printer's one table). */
unsigned iotrap__cs_handles_open(void);
size_t iotrap__cs_arena_used(unsigned index);
unsigned iotrap__cs_sorts(void);

#endif
