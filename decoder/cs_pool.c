/* Capstone inside a SIGSEGV handler, set up on first use, touching nobody else's Capstone.
 *
 * Capstone allocates (cs_open, a handle's first decode, a few strdup/free pairs in the
 * printer), formats its text with vsnprintf on every decode and (Capstone 4) sorts a table
 * of its Intel printer with qsort on first use; none of that is async-signal-safe.  Capstone 4.0.2 lets
 * a program replace the allocator and vsnprintf only for the whole process
 * (cs_option(0, CS_OPT_MEM, ...)), which would take them from a host program that uses
 * Capstone itself, or lose them to it.  So the core carries a private copy of Capstone's x86
 * disassembler (decoder/capstone_x86.h) whose calls of those functions are bound, when it
 * is linked, to the functions below:
 *  - allocations come from the arena of the slot whose handle the calling thread holds
 *    (cur_arena), one private mmap'd region per slot;
 *  - vsnprintf produces nothing: we never read Capstone's text, and ids and sizes do not
 *    depend on it (test_decode compares them with the system's Capstone, which formats);
 *  - qsort is an insertion sort, which allocates nothing;
 *  - Capstone 5's fwrite to stderr, printf and puts (internal errors) print nothing, and
 *    its failed assert()s are reported with write(2) before abort().
 *
 * One handle must never be used by two decodes at once (Capstone keeps per-handle state),
 * and a signal may interrupt a thread in the middle of a decode, so handles live in a pool
 * of slots claimed with compare-and-swap: a nested decode simply takes another slot.  A slot
 * is opened on the first claim that finds no opened one free, from a signal handler too.
 *
 * Nothing happens at load time.  The first decode of the process warms Capstone up (one
 * decode per mode, which does the printer's one sort) behind a gate, because that sort is
 * not synchronised: other threads wait for it, and a signal handler interrupting the
 * warm-up on the same thread, which cannot wait for itself, is told IOTRAP_E_BUSY.  The gate
 * holds the pid of the process warming up, so that a fork child of a process whose other
 * thread was warming up (and is gone in the child) takes the warm-up over.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <iotrap/status.h>
#include "decoder/capstone_x86.h"
#include "common/map.h"
#include "decoder/cs_pool.h"
#include "decoder/cs_relocs.h"
#include "decoder/hot_path.h"

#define POOL_SLOTS 32
/* A handle needs ~20 KiB (the cs_struct, the id table of the first decode, the register
 * info); the rest is headroom.  Untouched pages of an arena cost nothing. */
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
    arena *owner;
} block;

typedef struct slot {
    _Atomic int state;
    int mode; /* the CS_MODE the handle is set to */
    csh handle;
    cs_insn *insn;
    cs_insn *detailed; /* allocated with details on, by the first examine */
    arena *arena;
} slot;

static slot pool[POOL_SLOTS];
static _Atomic unsigned handles_open;
static _Atomic unsigned sorts;

#define GATE_COLD 0L
#define GATE_WARM (-1L)
static _Atomic long gate; /* GATE_COLD, GATE_WARM, or the pid of the process warming up */

static __thread arena *cur_arena __attribute__((tls_model("initial-exec")));
static __thread int warming __attribute__((tls_model("initial-exec")));

/* ---- What the private Capstone calls instead of the C library -------------------------- */

IOTRAP__DECODE_PATH static void *arena_alloc(arena *a, size_t n)
{
    if (!a)
        return NULL;
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
    b->owner = a;
    a->used += sizeof(block) + n;
    return b + 1;
}

IOTRAP__DECODE_PATH void *iotrap__capstone_libc_malloc(size_t n)
{
    return arena_alloc(cur_arena, n);
}

void *iotrap__capstone_libc_calloc(size_t n, size_t m)
{
    if (m && n > SIZE_MAX / m)
        return NULL;
    void *p = arena_alloc(cur_arena, n * m);
    if (p)
        memset(p, 0, n * m);
    return p;
}

IOTRAP__DECODE_PATH void iotrap__capstone_libc_free(void *p)
{
    if (!p)
        return;
    arena *a = ((block *)p - 1)->owner;
    *(void **)p = a->free_list;
    a->free_list = p;
}

void *iotrap__capstone_libc_realloc(void *p, size_t n)
{
    if (!p)
        return arena_alloc(cur_arena, n);
    block *b = (block *)p - 1;
    if (b->size >= n)
        return p;
    void *q = arena_alloc(cur_arena, n);
    if (q) {
        memcpy(q, p, b->size);
        iotrap__capstone_libc_free(p);
    }
    return q;
}

int iotrap__capstone_libc_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
    (void)fmt;
    (void)ap;
    if (len)
        buf[0] = '\0';
    return 0;
}

void iotrap__capstone_libc_qsort(void *base, size_t n, size_t size,
                                 int (*cmp)(const void *, const void *))
{
    atomic_fetch_add_explicit(&sorts, 1, memory_order_relaxed);
    unsigned char *a = base;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp(a + (j - 1) * size, a + j * size) > 0; j--)
            for (size_t k = 0; k < size; k++) {
                unsigned char t = a[(j - 1) * size + k];
                a[(j - 1) * size + k] = a[j * size + k];
                a[j * size + k] = t;
            }
}

/* Capstone 5 reports a text buffer it would overflow (512 bytes; a port instruction's text
 * is a few dozen, and ours is empty) with fwrite to stderr, and an opcode its mapping tables
 * lack with printf and puts: nothing is printed (the decode's answer is what counts). */
FILE *iotrap__capstone_libc_stderr;

size_t iotrap__capstone_libc_fwrite(const void *ptr, size_t size, size_t n, FILE *stream)
{
    (void)ptr;
    (void)size;
    (void)stream;
    return n;
}

int iotrap__capstone_libc_printf(const char *fmt, ...)
{
    (void)fmt;
    return 0;
}

int iotrap__capstone_libc_puts(const char *s)
{
    (void)s;
    return 0;
}

/* A failed assert() in Capstone 5: the C library's message, written without stdio. */
void iotrap__capstone_libc___assert_fail(const char *assertion, const char *file,
                                         unsigned int line, const char *function)
{
    const char *parts[] = { "iotrap: Capstone: ", file, ": ", function, ": assertion `",
                            assertion, "' failed\n" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
            break;
    (void)line;
    abort();
}

/* ---- The pool -------------------------------------------------------------------------- */

static int cs_mode_of(int mode)
{
    return mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32 : CS_MODE_64;
}

/* Runs with cur_arena already pointing at the slot's new arena. */
static int open_slot(slot *s)
{
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &s->handle) != CS_ERR_OK)
        return -1;
    s->mode = CS_MODE_64;
    s->insn = cs_malloc(s->handle);
    if (!s->insn)
        return -1; /* the slot is given up with its arena, handle and all */
    atomic_fetch_add_explicit(&handles_open, 1, memory_order_relaxed);
    return 0;
}

/* Claim a slot: a free opened one, else open an empty one.  NULL when all are busy. */
IOTRAP__DECODE_PATH static slot *claim(arena **saved)
{
    iotrap__cs_relocate();
    for (unsigned i = 0; i < POOL_SLOTS; i++) {
        int want = SLOT_FREE;
        if (atomic_compare_exchange_strong_explicit(&pool[i].state, &want, SLOT_BUSY,
                                                    memory_order_acquire, memory_order_relaxed)) {
            *saved = cur_arena;
            cur_arena = pool[i].arena;
            return &pool[i];
        }
    }
    for (unsigned i = 0; i < POOL_SLOTS; i++) {
        int want = SLOT_EMPTY;
        if (!atomic_compare_exchange_strong_explicit(&pool[i].state, &want, SLOT_BUSY,
                                                     memory_order_acquire, memory_order_relaxed))
            continue;
        void *r = iotrap__map(ARENA_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (r == MAP_FAILED) {
            /* Memory may come back later: the slot stays openable. */
            atomic_store_explicit(&pool[i].state, SLOT_EMPTY, memory_order_release);
            return NULL;
        }
        pool[i].arena = r;
        *saved = cur_arena;
        cur_arena = r;
        if (open_slot(&pool[i]) == 0)
            return &pool[i];
        cur_arena = *saved;
        /* An arena too small for a handle will not grow: never try this slot again. */
        atomic_store_explicit(&pool[i].state, SLOT_DEAD, memory_order_release);
    }
    return NULL;
}

IOTRAP__DECODE_PATH static void release(slot *s, arena *saved)
{
    cur_arena = saved;
    atomic_store_explicit(&s->state, SLOT_FREE, memory_order_release);
}

static void set_mode(slot *s, int mode)
{
    int csmode = cs_mode_of(mode);
    if (s->mode != csmode) {
        cs_option(s->handle, CS_OPT_MODE, (size_t)csmode);
        s->mode = csmode;
    }
}

IOTRAP__DECODE_PATH
static int run(slot *s, const uint8_t *code, size_t len, int mode, unsigned *id, size_t *size)
{
    set_mode(s, mode);
    const uint8_t *p = code;
    size_t n = len;
    uint64_t addr = 0;
    if (!cs_disasm_iter(s->handle, &p, &n, &addr, s->insn))
        return IOTRAP_E_BAD_INSN;
    *id = s->insn->id;
    *size = s->insn->size;
    return IOTRAP_OK;
}

/* One decode per mode of IN AL, DX: the first one does the Intel printer's sort. */
static int warm_up(void)
{
    static const uint8_t in_al_dx[] = { 0xec };
    arena *saved;
    slot *s = claim(&saved);
    if (!s)
        return 0;
    int ok = 1;
    for (int mode = 16; mode <= 64; mode *= 2) {
        unsigned id;
        size_t size;
        ok &= run(s, in_al_dx, sizeof in_al_dx, mode, &id, &size) == IOTRAP_OK;
    }
    release(s, saved);
    return ok;
}

/* 1 once Capstone is warm; 0 when it cannot be used now (the warm-up failed, or this
 * thread is inside the warm-up). */
static int ensure_warm(void)
{
    long g = atomic_load_explicit(&gate, memory_order_acquire);
    if (g == GATE_WARM)
        return 1;
    if (warming)
        return 0;
    long me = (long)getpid();
    for (;;) {
        if (g == GATE_WARM)
            return 1;
        if (g != me) {
            if (atomic_compare_exchange_weak_explicit(&gate, &g, me, memory_order_acquire,
                                                      memory_order_acquire))
                break;
            continue;
        }
        sched_yield();
        g = atomic_load_explicit(&gate, memory_order_acquire);
    }
    warming = 1;
    int ok = warm_up();
    warming = 0;
    atomic_store_explicit(&gate, ok ? GATE_WARM : GATE_COLD, memory_order_release);
    return ok;
}

IOTRAP__DECODE_PATH
int iotrap__cs_identify(const uint8_t *code, size_t len, int mode, unsigned *id, size_t *size)
{
    arena *saved;
    slot *s;
    if (!ensure_warm() || !(s = claim(&saved)))
        return IOTRAP_E_BUSY;
    int rc = run(s, code, len, mode, id, size);
    release(s, saved);
    return rc;
}

/* Details are switched on only for the one decode: the IN/OUT path never pays for them. */
static int examine(slot *s, const uint8_t *code, size_t len, int mode, uint64_t addr,
                   iotrap__cs_facts *f)
{
    set_mode(s, mode);
    cs_option(s->handle, CS_OPT_DETAIL, CS_OPT_ON);
    if (!s->detailed)
        s->detailed = cs_malloc(s->handle);
    int rc = IOTRAP_E_NOMEM;
    const uint8_t *p = code;
    size_t n = len;
    if (s->detailed && s->detailed->detail) {
        rc = IOTRAP_E_BAD_INSN;
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
    slot *s;
    if (!ensure_warm() || !(s = claim(&saved)))
        return IOTRAP_E_BUSY;
    int rc = examine(s, code, len, mode, addr, facts);
    release(s, saved);
    return rc;
}

unsigned iotrap__cs_handles_open(void)
{
    return atomic_load_explicit(&handles_open, memory_order_relaxed);
}

size_t iotrap__cs_arena_used(unsigned index)
{
    return index < POOL_SLOTS && pool[index].arena ? pool[index].arena->used : 0;
}

unsigned iotrap__cs_sorts(void)
{
    return atomic_load_explicit(&sorts, memory_order_relaxed);
}
