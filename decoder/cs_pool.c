/* Capstone inside a SIGSEGV handler.
 *
 * Capstone allocates (cs_open, the first decode per handle, a few strdup/free pairs in the
 * printer) and formats its text with vsnprintf; neither is async-signal-safe.  Capstone
 * routes both through one global table set with cs_option(0, CS_OPT_MEM).  We install that
 * table once, at load time, with functions that look at a per-thread "arena" pointer:
 *  - while we are inside Capstone on behalf of iotrap_decode() it points at the arena of
 *    the handle we hold: allocations come from that handle's private slice of one mmap'd
 *    region, and vsnprintf produces nothing (we never read Capstone's text);
 *  - otherwise (a host program using Capstone itself) everything goes to the C library's
 *    malloc/calloc/realloc/free/vsnprintf, and free/realloc recognise our arena pointers
 *    by address.
 * The quiet vsnprintf cannot change what we read from Capstone: ids come from the decoded
 * opcode and sizes from the byte reader, never from the text (test_decode checks every
 * systematic case both ways).
 *
 * One handle must never be used by two decodes at once (Capstone keeps per-handle state),
 * and a signal may interrupt a thread in the middle of a decode, so handles live in a pool
 * of slots claimed with compare-and-swap: a nested decode simply takes another slot.  Slots
 * are opened on demand (from the signal handler too: cs_open then allocates from the slot's
 * arena) up to POOL_SLOTS.  Each slot's arena is used by one thread at a time, so it needs
 * no synchronisation of its own.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <capstone/capstone.h>
#include <iotrap/status.h>
#include "decoder/cs_pool.h"

#define POOL_SLOTS 32
/* A handle needs ~20 KiB (the cs_struct, the id table of the first decode, the register
 * info); the rest is headroom.  Untouched pages of the region cost nothing. */
#define ARENA_SIZE (128u * 1024u)
#define ALIGN 16u

enum { SLOT_EMPTY = 0, SLOT_FREE, SLOT_BUSY, SLOT_DEAD };

typedef struct arena {
    size_t used;     /* bump offset from the arena start */
    void *free_list; /* freed blocks, first fit */
} arena;

/* Header in front of every arena block; 16 bytes keep the payload aligned. */
typedef struct block {
    size_t size;
    size_t pad;
} block;

typedef struct slot {
    _Atomic int state;
    int mode; /* the CS_MODE the handle is set to */
    csh handle;
    cs_insn *insn;
    cs_insn *detailed; /* allocated with details on, by the first examine */
} slot;

static slot pool[POOL_SLOTS];
static unsigned char *region; /* POOL_SLOTS arenas of ARENA_SIZE bytes */
static _Atomic unsigned handles_open;

static __thread arena *cur_arena __attribute__((tls_model("initial-exec")));

static arena *arena_of(unsigned i)
{
    return (arena *)(region + (size_t)i * ARENA_SIZE);
}

static int in_region(const void *p)
{
    const unsigned char *c = p;
    return region && c >= region && c < region + (size_t)POOL_SLOTS * ARENA_SIZE;
}

static void *arena_alloc(arena *a, size_t n)
{
    if (!a->used)
        a->used = (sizeof(arena) + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    for (void **link = &a->free_list; *link; link = (void **)*link) {
        block *b = (block *)*link - 1;
        if (b->size >= n) {
            void *p = *link;
            *link = *(void **)p;
            return p;
        }
    }
    if (n > ARENA_SIZE - a->used - sizeof(block))
        return NULL;
    block *b = (block *)((unsigned char *)a + a->used);
    b->size = n;
    a->used += sizeof(block) + n;
    return b + 1;
}

static void arena_free(void *p)
{
    /* Each block was carved from the arena that begins at the ARENA_SIZE boundary below it. */
    size_t off = (size_t)((unsigned char *)p - region);
    arena *a = arena_of((unsigned)(off / ARENA_SIZE));
    *(void **)p = a->free_list;
    a->free_list = p;
}

static void *mem_malloc(size_t n)
{
    return cur_arena ? arena_alloc(cur_arena, n) : malloc(n);
}

static void *mem_calloc(size_t n, size_t m)
{
    if (!cur_arena)
        return calloc(n, m);
    if (m && n > SIZE_MAX / m)
        return NULL;
    void *p = arena_alloc(cur_arena, n * m);
    if (p)
        memset(p, 0, n * m);
    return p;
}

static void mem_free(void *p)
{
    if (in_region(p))
        arena_free(p);
    else
        free(p);
}

static void *mem_realloc(void *p, size_t n)
{
    if (!in_region(p))
        return cur_arena ? (p ? NULL : arena_alloc(cur_arena, n)) : realloc(p, n);
    block *b = (block *)p - 1;
    if (b->size >= n)
        return p;
    /* Our pointer is only ever in the hands of a decode holding its slot, so cur_arena is
     * that slot's arena. */
    void *q = cur_arena ? arena_alloc(cur_arena, n) : NULL;
    if (q) {
        memcpy(q, p, b->size);
        arena_free(p);
    }
    return q;
}

static int mem_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
    if (!cur_arena)
        return vsnprintf(buf, len, fmt, ap);
    if (len)
        buf[0] = '\0';
    return 0;
}

static int open_slot(slot *s)
{
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &s->handle) != CS_ERR_OK)
        return -1;
    s->mode = CS_MODE_64;
    s->insn = cs_malloc(s->handle);
    if (!s->insn) {
        cs_close(&s->handle);
        return -1;
    }
    atomic_fetch_add_explicit(&handles_open, 1, memory_order_relaxed);
    return 0;
}

/* Claim a slot: a free opened one, else open an empty one.  NULL when all are busy. */
static slot *claim(arena **saved)
{
    for (unsigned i = 0; i < POOL_SLOTS; i++) {
        int want = SLOT_FREE;
        if (atomic_compare_exchange_strong_explicit(&pool[i].state, &want, SLOT_BUSY,
                                                    memory_order_acquire, memory_order_relaxed)) {
            *saved = cur_arena;
            cur_arena = arena_of(i);
            return &pool[i];
        }
    }
    if (!region)
        return NULL;
    for (unsigned i = 0; i < POOL_SLOTS; i++) {
        int want = SLOT_EMPTY;
        if (atomic_compare_exchange_strong_explicit(&pool[i].state, &want, SLOT_BUSY,
                                                    memory_order_acquire, memory_order_relaxed)) {
            *saved = cur_arena;
            cur_arena = arena_of(i);
            if (open_slot(&pool[i]) == 0)
                return &pool[i];
            cur_arena = *saved;
            /* An arena too small for a handle will not grow: never try this slot again. */
            atomic_store_explicit(&pool[i].state, SLOT_DEAD, memory_order_release);
        }
    }
    return NULL;
}

static void release(slot *s, arena *saved)
{
    cur_arena = saved;
    atomic_store_explicit(&s->state, SLOT_FREE, memory_order_release);
}

static int run(slot *s, const uint8_t *code, size_t len, int mode, unsigned *id, size_t *size)
{
    int csmode = mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32 : CS_MODE_64;
    if (s->mode != csmode) {
        cs_option(s->handle, CS_OPT_MODE, (size_t)csmode);
        s->mode = csmode;
    }
    const uint8_t *p = code;
    size_t n = len;
    uint64_t addr = 0;
    if (!cs_disasm_iter(s->handle, &p, &n, &addr, s->insn))
        return IOTRAP_E_INVALID;
    *id = s->insn->id;
    *size = s->insn->size;
    return IOTRAP_OK;
}

int iotrap__cs_identify(const uint8_t *code, size_t len, int mode, unsigned *id, size_t *size)
{
    arena *saved;
    slot *s = claim(&saved);
    if (!s)
        return IOTRAP_E_BUSY;
    int rc = run(s, code, len, mode, id, size);
    release(s, saved);
    return rc;
}

/* Details are switched on only for the one decode: the IN/OUT path never pays for them. */
static int examine(slot *s, const uint8_t *code, size_t len, int mode, uint64_t addr,
                   iotrap__cs_facts *f)
{
    int csmode = mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32 : CS_MODE_64;
    if (s->mode != csmode) {
        cs_option(s->handle, CS_OPT_MODE, (size_t)csmode);
        s->mode = csmode;
    }
    cs_option(s->handle, CS_OPT_DETAIL, CS_OPT_ON);
    if (!s->detailed)
        s->detailed = cs_malloc(s->handle);
    int rc = IOTRAP_E_NOMEM;
    const uint8_t *p = code;
    size_t n = len;
    if (s->detailed && s->detailed->detail) {
        rc = IOTRAP_E_INVALID;
        if (cs_disasm_iter(s->handle, &p, &n, &addr, s->detailed))
            rc = IOTRAP_OK;
    }
    cs_option(s->handle, CS_OPT_DETAIL, CS_OPT_OFF);
    if (rc != IOTRAP_OK)
        return rc;
    const cs_insn *in = s->detailed;
    const cs_x86 *x = &in->detail->x86;
    memset(f, 0, sizeof *f);
    f->id = in->id;
    f->size = in->size;
    for (unsigned i = 0; i < in->detail->groups_count; i++) {
        unsigned g = in->detail->groups[i];
        if (g < 32)
            f->groups |= 1u << g;
        else if (g != X86_GRP_CMOV && g != X86_GRP_MODE32 && g != X86_GRP_MODE64 &&
                 g != X86_GRP_NOT64BITMODE && g != X86_GRP_16BITMODE && g != X86_GRP_BMI &&
                 g != X86_GRP_BMI2 && g != X86_GRP_ADX)
            f->extension = 1;
    }
    memcpy(f->prefix, x->prefix, sizeof f->prefix);
    for (unsigned i = 0; i < x->op_count; i++) {
        if (x->operands[i].type == X86_OP_MEM && x->operands[i].mem.base == X86_REG_RIP) {
            f->rip_relative = 1;
            f->disp = x->operands[i].mem.disp;
        }
        if (x->operands[i].type == X86_OP_IMM && (f->groups & (1u << CS_GRP_BRANCH_RELATIVE)))
            f->target = (uint64_t)x->operands[i].imm;
    }
    return IOTRAP_OK;
}

int iotrap__cs_examine(const uint8_t *code, size_t len, int mode, uint64_t addr,
                       iotrap__cs_facts *facts)
{
    arena *saved;
    slot *s = claim(&saved);
    if (!s)
        return IOTRAP_E_BUSY;
    int rc = examine(s, code, len, mode, addr, facts);
    release(s, saved);
    return rc;
}

int iotrap__cs_identify_plain(const uint8_t *code, size_t len, int mode, unsigned *id,
                              size_t *size)
{
    csh h;
    if (cs_open(CS_ARCH_X86, mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32 : CS_MODE_64,
                &h) != CS_ERR_OK)
        return IOTRAP_E_NOMEM;
    cs_insn *insn = NULL;
    const uint8_t *p = code;
    size_t n = len;
    uint64_t addr = 0;
    int rc = IOTRAP_E_INVALID;
    insn = cs_malloc(h);
    if (insn && cs_disasm_iter(h, &p, &n, &addr, insn)) {
        *id = insn->id;
        *size = insn->size;
        rc = IOTRAP_OK;
    }
    if (insn)
        cs_free(insn, 1);
    cs_close(&h);
    return rc;
}

unsigned iotrap__cs_handles_open(void)
{
    return atomic_load_explicit(&handles_open, memory_order_relaxed);
}

size_t iotrap__cs_arena_used(unsigned index)
{
    return region && index < POOL_SLOTS ? arena_of(index)->used : 0;
}

/* Install the allocator and warm up before main() and so before any thread of the program
 * exists: the X86 module sorts a table on its first decode without synchronisation, and the
 * first slot's first decode per mode does its one-time allocations here rather than in a
 * signal handler. */
__attribute__((constructor)) static void cs_pool_init(void)
{
    cs_opt_mem mem = {
        .malloc = mem_malloc,
        .calloc = mem_calloc,
        .realloc = mem_realloc,
        .free = mem_free,
        .vsnprintf = mem_vsnprintf,
    };
    if (cs_option(0, CS_OPT_MEM, (size_t)&mem) != CS_ERR_OK)
        return;
    void *r = mmap(NULL, (size_t)POOL_SLOTS * ARENA_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED)
        return;
    region = r;
    static const uint8_t warm[] = { 0xf3, 0x6e };
    unsigned id;
    size_t size;
    for (int mode = 16; mode <= 64; mode *= 2)
        iotrap__cs_identify(warm, sizeof warm, mode, &id, &size);
}
