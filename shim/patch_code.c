/* The code of hot-site patches (patch.h): trampoline memory, the common stub that saves
 * and restores the interrupted state around iotrap__patch_run(), each site's trampoline
 * and the instructions it displaces.
 *
 * Everything runs inside the SIGSEGV handler (iotrap__patch_code_init() too, or in the
 * constructor): system calls, Capstone through the handle pool, no allocation.  Code is
 * written through /proc/self/mem, as a debugger writes breakpoints, so that no page is
 * ever writable and executable and the program's own page protections are never changed.
 */
#include "config.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <capstone/capstone.h>

#include "decoder/cs_pool.h"
#include "decoder/uncached.h"
#include "shim/patch.h"
#include "shim/shim.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* A chunk: the common stub in its first page, trampolines in the pages after it.  A new
 * trampoline whose address is dictated by its site starts in the second page, so that the
 * stub is always in reach of its CALL. */
#define PAGE 0x1000u
#define CHUNK_SIZE (3 * PAGE)
#define CHUNKS_MAX 64
#define TRAMPOLINE_MAX 192

struct chunk {
    uint64_t base; /* the common stub */
    uint64_t used; /* bytes taken from base on */
    int bits;      /* of the code it serves: 32-bit code in a 64-bit process has its own */
};

static struct chunk chunks[CHUNKS_MAX];
static unsigned nchunks;
static uint32_t xsave_size; /* the save area, a multiple of 64 */
static uint32_t xsave_mask; /* EAX for XSAVE/XRSTOR: x87, SSE, AVX and AVX-512 state */

/* Opcodes that raise #GP at once in user mode when the process has no I/O permission
 * (patching is off when it may have some): HLT, IN, OUT, INS, OUTS.  CLI and STI are
 * left out: with CR4.PVI they only change the virtual interrupt flag. */
static const uint8_t traps[] = {0xf4, 0xec, 0xed, 0xee, 0xef, 0xe4, 0xe5,
                                0xe6, 0xe7, 0x6c, 0x6d, 0x6e, 0x6f};
#define NTRAPS (sizeof traps / sizeof traps[0])

static int is_trap(uint8_t b)
{
    return memchr(traps, b, NTRAPS) != NULL;
}

int iotrap__patch_poke(uint64_t at, const void *bytes, size_t len)
{
    int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n;
    do
        n = pwrite64(fd, bytes, len, (off64_t)at);
    while (n < 0 && errno == EINTR);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

int iotrap__patch_code_init(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
        return -1;
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    /* x87, SSE, AVX, and AVX-512's opmask, ZMM_Hi256 and Hi16_ZMM: what compiled C code
     * and the C library's string functions may touch.  AMX tiles are left out: XRSTOR of
     * a component the kernel keeps disabled (XFD) would fault. */
    xsave_mask = lo & 0xe7u;
    uint32_t end = 576; /* the legacy area and the XSAVE header */
    for (unsigned i = 2; i < 8; i++) {
        if (!(xsave_mask & (1u << i)))
            continue;
        __cpuid_count(0xd, i, a, b, c, d);
        if (b + a > end)
            end = b + a;
    }
    xsave_size = (end + 63u) & ~63u;
    return 0;
}

/* ---- Emitting code ------------------------------------------------------------------ */

struct emit {
    uint8_t *buf;
    size_t n, cap;
    uint64_t at; /* the address buf[0] will have */
    int bad;     /* overflow, or a displacement out of reach */
    int bits;    /* the mode of the code emitted (32-bit displacements wrap around) */
};

static uint64_t here(const struct emit *e)
{
    return e->at + e->n;
}

static void put(struct emit *e, const void *p, size_t n)
{
    /* Compared as room left (n never exceeds cap), a form in which gcc 14's
     * -Wstringop-overflow can follow the bound through the inlined emitters. */
    size_t room = e->cap - e->n;
    if (n > room) {
        e->bad = 1;
        return;
    }
    memcpy(e->buf + e->n, p, n);
    e->n += n;
}

#define PUT(e, ...)                                                                    \
    do {                                                                               \
        static const uint8_t b_[] = {__VA_ARGS__};                                     \
        put((e), b_, sizeof b_);                                                       \
    } while (0)

static void put32(struct emit *e, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(e, b, 4);
}

static int fits_rel32(const struct emit *e, int64_t d)
{
    return e->bits == 32 || (d >= INT32_MIN && d <= INT32_MAX);
}

/* A 32-bit displacement to `to`, relative to the end of the field at the current position
 * (every use here ends its instruction with it). */
static void rel32(struct emit *e, uint64_t to)
{
    int64_t d = (int64_t)(to - (here(e) + 4));
    if (!fits_rel32(e, d))
        e->bad = 1;
    put32(e, (uint32_t)d);
}

static void jmp(struct emit *e, uint64_t to)
{
    PUT(e, 0xe9);
    rel32(e, to);
}

/* The stub every trampoline of a chunk calls.  On entry the stack holds the trampoline's
 * return address and, above it, the site index (and on x86-64 the 128-byte red zone the
 * trampoline stepped over).  It builds an iotrap__patch_frame with the general registers
 * and flags and, with DF clear as the ABI wants, calls iotrap__patch_fast(id, frame)
 * (native code only); when that declines, it saves the extended state on a 64-byte
 * aligned area below the frame, calls iotrap__patch_run(id, frame) and restores it.  It
 * restores the registers and returns to wherever the frame's return slot then points,
 * dropping the index. */
#if defined(__x86_64__)
/* Saves the extended state on the 64-byte aligned area at rsp and clears DF, as the ABI
 * wants for the call that follows. */
static void emit_xsave64(struct emit *e)
{
    PUT(e, 0x31, 0xc0); /* xor eax, eax */
    /* XRSTOR wants the header's reserved bytes zero; XSAVE writes only its first eight. */
    for (uint32_t off = 512; off < 576; off += 8) {
        PUT(e, 0x48, 0x89, 0x84, 0x24); /* mov [rsp + disp32], rax */
        put32(e, off);
    }
    PUT(e, 0xb8); /* mov eax, mask */
    put32(e, xsave_mask);
    PUT(e, 0x31, 0xd2,                   /* xor edx, edx */
        0x48, 0x0f, 0xae, 0x24, 0x24,    /* xsave64 [rsp] */
        0xfc);                           /* cld */
}

/* Calls `fn` (a 64-bit address), then restores the extended state saved at rsp. */
static void emit_call_xrstor64(struct emit *e, uint64_t fn)
{
    PUT(e, 0x48, 0xb8); /* mov rax, imm64 */
    put32(e, (uint32_t)fn);
    put32(e, (uint32_t)(fn >> 32));
    PUT(e, 0xff, 0xd0, 0xb8); /* call rax; mov eax, mask */
    put32(e, xsave_mask);
    PUT(e, 0x31, 0xd2,                    /* xor edx, edx */
        0x48, 0x0f, 0xae, 0x2c, 0x24);    /* xrstor64 [rsp] */
}
#endif

/* A JNZ rel32 whose target is set later by land(). */
static size_t jnz_forward(struct emit *e)
{
    PUT(e, 0x0f, 0x85);
    size_t at = e->n;
    put32(e, 0);
    return at;
}

/* Points the JNZ whose displacement is at offset `at` to the current position. */
static void land(struct emit *e, size_t at)
{
    if (e->bad)
        return;
    uint32_t d = (uint32_t)(here(e) - (e->at + at + 4));
    memcpy(e->buf + at, &d, 4);
}

/* Native code first tries iotrap__patch_fast(), which needs no extended state, when it
 * can answer any port at all (the call is left out otherwise, so that a process where it
 * never can, such as one under `iotrap wine`, pays nothing for it); only when it declines
 * is that state saved around iotrap__patch_run(). */
static void emit_stub_native(struct emit *e)
{
    int fast = iotrap__patch_fast_used();
    size_t done = 0;
#if defined(__x86_64__)
    PUT(e, 0x9c, 0x50, 0x51, 0x52, 0x56, 0x57,         /* pushfq; push rax..rdi */
        0x41, 0x50, 0x41, 0x51, 0x41, 0x52, 0x41, 0x53, /* push r8..r11 */
        0x55,                                           /* push rbp */
        0x48, 0x89, 0xe5,                               /* mov rbp, rsp */
        0x48, 0x83, 0xe4, 0xc0);                        /* and rsp, -64 */
    if (fast) {
        PUT(e, 0xfc,                   /* cld */
            0x48, 0x8b, 0x7d, 0x60,    /* mov rdi, [rbp + 96]: the index */
            0x48, 0x89, 0xee,          /* mov rsi, rbp: the frame */
            0x48, 0xb8);               /* mov rax, imm64 */
        uint64_t fn = (uint64_t)(uintptr_t)iotrap__patch_fast;
        put32(e, (uint32_t)fn);
        put32(e, (uint32_t)(fn >> 32));
        PUT(e, 0xff, 0xd0,   /* call rax */
            0x85, 0xc0);     /* test eax, eax */
        done = jnz_forward(e);
    }
    PUT(e, 0x48, 0x81, 0xec); /* sub rsp, imm32 */
    put32(e, xsave_size);
    emit_xsave64(e);
    PUT(e, 0x48, 0x8b, 0x7d, 0x60, /* mov rdi, [rbp + 96]: the index */
        0x48, 0x89, 0xee);      /* mov rsi, rbp: the frame */
    emit_call_xrstor64(e, (uint64_t)(uintptr_t)iotrap__patch_run);
    if (fast)
        land(e, done);
    PUT(e, 0x48, 0x89, 0xec,                            /* mov rsp, rbp */
        0x5d, 0x41, 0x5b, 0x41, 0x5a, 0x41, 0x59, 0x41, 0x58, /* pop rbp, r11..r8 */
        0x5f, 0x5e, 0x5a, 0x59, 0x58, 0x9d,          /* pop rdi..rax; popfq */
        0xc2, 0x08, 0x00);                           /* ret 8 */
#else
    PUT(e, 0x9c, 0x50, 0x51, 0x52, 0x56, 0x57, 0x55, /* pushfd; push eax..edi, ebp */
        0x89, 0xe5,                                  /* mov ebp, esp */
        0x83, 0xe4, 0xc0,                            /* and esp, -64 */
        0xfc);                                       /* cld */
    if (fast) {
        PUT(e, 0x83, 0xec, 0x08,   /* sub esp, 8: the call 16-byte aligned */
            0x55,                  /* push ebp: the frame */
            0xff, 0x75, 0x20,      /* push dword [ebp + 32]: the index */
            0xe8);                 /* call iotrap__patch_fast */
        rel32(e, (uint64_t)(uintptr_t)iotrap__patch_fast);
        PUT(e, 0x83, 0xc4, 0x10, /* add esp, 16 */
            0x85, 0xc0);         /* test eax, eax */
        done = jnz_forward(e);
    }
    PUT(e, 0x81, 0xec); /* sub esp, imm32 */
    put32(e, xsave_size);
    PUT(e, 0x31, 0xc0);
    for (uint32_t off = 512; off < 576; off += 4) {
        PUT(e, 0x89, 0x84, 0x24); /* mov [esp + disp32], eax */
        put32(e, off);
    }
    PUT(e, 0xb8);
    put32(e, xsave_mask);
    PUT(e, 0x31, 0xd2,             /* xor edx, edx */
        0x0f, 0xae, 0x24, 0x24,    /* xsave [esp] */
        0x83, 0xec, 0x08,          /* sub esp, 8: the call site 16-byte aligned */
        0x55,                      /* push ebp: the frame */
        0xff, 0x75, 0x20,          /* push dword [ebp + 32]: the index */
        0xe8);                     /* call iotrap__patch_run */
    rel32(e, (uint64_t)(uintptr_t)iotrap__patch_run);
    PUT(e, 0x83, 0xc4, 0x10, 0xb8); /* add esp, 16; mov eax, mask */
    put32(e, xsave_mask);
    PUT(e, 0x31, 0xd2,                         /* xor edx, edx */
        0x0f, 0xae, 0x2c, 0x24);               /* xrstor [esp] */
    if (fast)
        land(e, done);
    PUT(e, 0x89, 0xec,                            /* mov esp, ebp */
        0x5d, 0x5f, 0x5e, 0x5a, 0x59, 0x58, 0x9d, /* pop ebp..eax; popfd */
        0xc2, 0x04, 0x00);                     /* ret 4 */
#endif
}

#if defined(__x86_64__)
/* The stub of 32-bit code in a 64-bit process (Wine's new WoW64), the way Wine's own
 * 32-bit code reaches its 64-bit side: the i386 frame is pushed in 32-bit mode, a far
 * jump to code segment 0x33 enters 64-bit mode on the same stack (below 4 GiB, so the
 * 32-bit stack pointer zero-extended is the stack), the extended state is saved as the
 * native stub saves it, iotrap__patch_run_wow64() does the access, and a far return to
 * code segment 0x23 goes back to 32-bit mode to restore the registers. */
static void emit_stub_wow64(struct emit *e)
{
    PUT(e, 0x9c, 0x50, 0x51, 0x52, 0x56, 0x57, 0x55, /* pushfd; push eax..edi, ebp */
        0x89, 0xe5,                                  /* mov ebp, esp */
        0xea);                                       /* jmp far 0x33:next */
    put32(e, (uint32_t)(here(e) + 6));
    PUT(e, 0x33, 0x00);
    /* 64-bit mode from here: the upper halves of the registers are undefined. */
    PUT(e, 0x89, 0xe4,               /* mov esp, esp */
        0x89, 0xed,                  /* mov ebp, ebp */
        0x48, 0x83, 0xe4, 0xc0,      /* and rsp, -64 */
        0x48, 0x81, 0xec);           /* sub rsp, imm32 */
    put32(e, xsave_size);
    emit_xsave64(e);
    PUT(e, 0x8b, 0x7d, 0x20,  /* mov edi, [rbp + 32]: the index */
        0x48, 0x89, 0xee); /* mov rsi, rbp: the frame */
    emit_call_xrstor64(e, (uint64_t)(uintptr_t)iotrap__patch_run_wow64);
    PUT(e, 0x48, 0x89, 0xec,                            /* mov rsp, rbp */
        0x48, 0x83, 0xec, 0x08,                      /* sub rsp, 8 */
        0xc7, 0x44, 0x24, 0x04, 0x23, 0x00, 0x00, 0x00, /* mov dword [rsp + 4], 0x23 */
        0xc7, 0x04, 0x24);                           /* mov dword [rsp], imm32 */
    put32(e, (uint32_t)(here(e) + 5));
    PUT(e, 0xcb); /* far return: 4-byte EIP, then CS */
    /* 32-bit mode again. */
    PUT(e, 0x5d, 0x5f, 0x5e, 0x5a, 0x59, 0x58, 0x9d, /* pop ebp..eax; popfd */
        0xc2, 0x04, 0x00);                           /* ret 4 */
}
#endif

static void emit_stub(struct emit *e)
{
#if defined(__x86_64__)
    if (e->bits == 32) {
        emit_stub_wow64(e);
        return;
    }
#endif
    emit_stub_native(e);
}

/* ---- Displaced instructions --------------------------------------------------------- */

static int unconditional(const iotrap__cs_facts *f)
{
    return f->id == X86_INS_JMP || f->id == X86_INS_RET;
}

/* Whether an instruction can run at another address and fault only with SIGSEGV (the
 * handler maps a fault in a moved copy back to the original, see patch.c; SIGFPE or
 * SIGILL would reach the program from the trampoline). */
static int movable(const uint8_t *code, size_t avail, const iotrap__cs_facts *f, int mode)
{
    const uint32_t refused = (1u << CS_GRP_CALL) | (1u << CS_GRP_INT) |
                             (1u << CS_GRP_IRET) | (1u << CS_GRP_PRIVILEGE);
    if ((f->groups & refused) || f->extension || f->prefix[3])
        return 0;
    switch (f->id) {
    case X86_INS_DIV: case X86_INS_IDIV: case X86_INS_UD2: case X86_INS_BOUND:
    case X86_INS_LJMP: case X86_INS_RETF: case X86_INS_XBEGIN: case X86_INS_INVALID:
        return 0;
    default:
        break;
    }
    /* Port I/O of its own would trap in the trampoline, at an address the trace and a
     * denial would then name. */
    iotrap_insn io;
    if (iotrap__decode_uncached(code, avail, mode, &io) == IOTRAP_OK)
        return 0;
    if (f->groups & (1u << CS_GRP_BRANCH_RELATIVE)) {
        /* JMP and Jcc without prefixes only: LOOP and JCXZ have no 32-bit form, and a
         * 66 prefix would truncate the target. */
        int jcc = (code[0] & 0xf0) == 0x70 || (code[0] == 0x0f && (code[1] & 0xf0) == 0x80);
        return code[0] == 0xeb || code[0] == 0xe9 || (jcc && f->id != X86_INS_JMP);
    }
    return 1;
}

/* Emits the instruction `code` (facts f, at `from`) to run at here(e). */
static void move(struct emit *e, const uint8_t *code, const iotrap__cs_facts *f, uint64_t from)
{
    if (f->groups & (1u << CS_GRP_BRANCH_RELATIVE)) {
        if (f->id == X86_INS_JMP) {
            jmp(e, f->target);
        } else {
            uint8_t cc = code[0] == 0x0f ? (code[1] & 0x0f) : (code[0] & 0x0f);
            uint8_t op[2] = {0x0f, (uint8_t)(0x80 | cc)};
            put(e, op, 2);
            rel32(e, f->target);
        }
        return;
    }
    if (!f->rip_relative) {
        put(e, code, f->size);
        return;
    }
    /* The displacement is followed by an immediate of 0, 1, 2 or 4 bytes; the copy is
     * checked by decoding it again (see verify), so a wrong guess is refused, not run. */
    static const size_t imm_sizes[] = {0, 1, 2, 4};
    for (size_t i = 0; i < sizeof imm_sizes / sizeof imm_sizes[0]; i++) {
        if (f->size < 5 + imm_sizes[i])
            break;
        size_t off = f->size - 4 - imm_sizes[i];
        int32_t disp;
        memcpy(&disp, code + off, 4);
        if (disp != (int32_t)f->disp)
            continue;
        int64_t moved = f->disp + (int64_t)(from - here(e));
        if (!fits_rel32(e, moved))
            break;
        uint8_t copy[IOTRAP_MAX_INSN_LEN];
        memcpy(copy, code, f->size);
        int32_t d = (int32_t)moved;
        memcpy(copy + off, &d, 4);
        put(e, copy, f->size);
        return;
    }
    e->bad = 1;
}

/* The moved copy at `at` does what the original at `from` did. */
static int verify(const uint8_t *copy, size_t avail, uint64_t at, const uint8_t *code,
                  const iotrap__cs_facts *f, uint64_t from, int mode)
{
    iotrap__cs_facts g;
    if (iotrap__cs_examine(copy, avail, mode, at, &g) != IOTRAP_OK || g.id != f->id)
        return 0;
    if (f->groups & (1u << CS_GRP_BRANCH_RELATIVE))
        return g.target == f->target;
    if (g.size != f->size)
        return 0;
    if (f->rip_relative)
        return g.rip_relative && at + g.size + (uint64_t)g.disp == from + f->size + (uint64_t)f->disp;
    return memcmp(copy, code, f->size) == 0;
}

/* ---- A site's trampoline ------------------------------------------------------------ */

struct plan {
    const uint8_t *code;                        /* the region and what follows it */
    iotrap__cs_facts facts[IOTRAP__PATCH_INSNS_MAX]; /* of instructions 1.. */
    int ends;                                   /* the last one never falls through */
};

/* Emits the trampoline of site `s` (index `id`) at e->at, recording its addresses in s:
 *   [x86-64: lea rsp, [rsp-128]]  push id;  call stub
 *   [x86-64: lea rsp, [rsp+128]]  the moved instructions;  jmp back behind the region
 *   refault: [lea rsp, [rsp+128]]  the IN or OUT itself;  jmp to the moved instructions
 * The stub returns to the second line, or to `refault` when iotrap__patch_run says so. */
static void emit_trampoline(struct emit *e, iotrap__patch_site *s, unsigned id,
                            const struct plan *p, uint64_t stub)
{
    /* 64-bit code may keep data below its stack pointer; 32-bit code has no red zone. */
    if (e->bits == 64)
        PUT(e, 0x48, 0x8d, 0x64, 0x24, 0x80); /* lea rsp, [rsp - 128] */
#define RED_ZONE_UP()                                                                  \
    do {                                                                               \
        if (e->bits == 64)                                                             \
            PUT(e, 0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00);                    \
    } while (0)
    PUT(e, 0x68); /* push imm32 */
    put32(e, id);
    PUT(e, 0xe8); /* call stub */
    rel32(e, stub);
    RED_ZONE_UP();
    uint64_t moved = here(e);
    for (unsigned i = 1; i < s->count; i++) {
        s->moved[i] = here(e);
        move(e, p->code + s->start[i], &p->facts[i], s->pc + s->start[i]);
    }
    s->moved_end = here(e);
    if (!p->ends)
        jmp(e, s->pc + s->len);
    s->refault_entry = here(e);
    RED_ZONE_UP();
    s->refault = here(e);
    put(e, p->code, s->insn.length);
    jmp(e, moved);
#undef RED_ZONE_UP
}

/* The site's JMP at pc may reach `to`: in range, and with a trapping opcode in every
 * byte of its displacement where an instruction of the region began. */
static int reaches(const iotrap__patch_site *s, uint64_t to)
{
    int64_t d = (int64_t)(to - (s->pc + IOTRAP__PATCH_JMP_LEN));
    if (s->mode == 64 && (d < INT32_MIN + (int64_t)CHUNK_SIZE || d > INT32_MAX - (int64_t)CHUNK_SIZE))
        return 0;
    for (unsigned i = 1; i < s->count; i++) {
        unsigned k = s->start[i] - 1u; /* the displacement byte at that offset */
        if (s->start[i] < IOTRAP__PATCH_JMP_LEN && !is_trap((uint8_t)((uint64_t)d >> (8 * k))))
            return 0;
    }
    return 1;
}

static int new_chunk(uint64_t base, int bits)
{
    if (nchunks == CHUNKS_MAX || base < 0x10000 ||
        (bits == 32 && base > 0xffffffffull - CHUNK_SIZE))
        return -1;
    void *want = (void *)(uintptr_t)base;
    void *p = mmap(want, CHUNK_SIZE, PROT_READ | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    if (p != want) { /* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
        munmap(p, CHUNK_SIZE);
        return -1;
    }
    uint8_t code[TRAMPOLINE_MAX * 2];
    struct emit e = {code, 0, sizeof code, base, 0, bits};
    emit_stub(&e);
    if (e.bad || iotrap__patch_poke(base, code, e.n) != 0) {
        munmap(p, CHUNK_SIZE);
        return -1;
    }
    chunks[nchunks].base = base;
    chunks[nchunks].used = (e.n + 15u) & ~15u;
    chunks[nchunks].bits = bits;
    return (int)nchunks++;
}

/* Finds room for `need` bytes at an address the site's JMP reaches: in a chunk already
 * mapped, else in a new one mapped where the displacement's constraints put it. */
static int place(const iotrap__patch_site *s, size_t need, uint64_t *at, unsigned *chunk)
{
    for (unsigned c = 0; c < nchunks; c++)
        for (uint64_t t = chunks[c].base + chunks[c].used;
             chunks[c].bits == s->mode &&
             t + need <= chunks[c].base + CHUNK_SIZE; t++)
            if (reaches(s, t)) {
                *at = t;
                *chunk = c;
                return 0;
            }
    /* Displacements near the site first; the constrained bytes take each trap opcode in
     * turn; the rest of the displacement comes from the distance tried. */
    static const int64_t distances[] = {0x1000000,  -0x1000000,  0x4000000,  -0x4000000,
                                        0x10000000, -0x10000000, 0x40000000, -0x40000000,
                                        0x70000000, -0x70000000};
    for (size_t i = 0; i < sizeof distances / sizeof distances[0]; i++) {
        for (unsigned j = 0; j < NTRAPS; j++) {
            uint32_t d = (uint32_t)distances[i];
            for (unsigned k = 1; k < s->count; k++) {
                if (s->start[k] >= IOTRAP__PATCH_JMP_LEN)
                    continue;
                unsigned shift = 8 * (s->start[k] - 1u);
                d = (d & ~(0xffu << shift)) | ((uint32_t)traps[(j + k) % NTRAPS] << shift);
            }
            uint64_t t = s->pc + IOTRAP__PATCH_JMP_LEN + (uint64_t)(int64_t)(int32_t)d;
            if (s->mode == 32)
                t = (uint32_t)t;
            if (!reaches(s, t))
                continue;
            int c = new_chunk((t & ~(uint64_t)(PAGE - 1)) - PAGE, s->mode);
            if (c < 0)
                continue;
            *at = t;
            *chunk = (unsigned)c;
            return 0;
        }
    }
    return -1;
}

int iotrap__patch_code_build(iotrap__patch_site *s, unsigned id)
{
    uint8_t code[IOTRAP__PATCH_REGION_MAX + IOTRAP_MAX_INSN_LEN];
    size_t avail = iotrap__safe_copy(code, (const void *)(uintptr_t)s->pc, sizeof code, NULL);
    struct plan p = {code, {{0}}, 0};
    size_t len = s->insn.length;
    s->count = 1;
    s->start[0] = 0;
    while (len < IOTRAP__PATCH_JMP_LEN) {
        iotrap__cs_facts *f = &p.facts[s->count];
        if (avail <= len ||
            iotrap__cs_examine(code + len, avail - len, s->mode, s->pc + len, f) != IOTRAP_OK ||
            !movable(code + len, avail - len, f, s->mode))
            return -1;
        s->start[s->count++] = (uint8_t)len;
        len += f->size;
        if (unconditional(f)) {
            p.ends = 1;
            break;
        }
    }
    if (len < IOTRAP__PATCH_JMP_LEN || len > IOTRAP__PATCH_REGION_MAX)
        return -1;
    s->len = (uint8_t)len;

    /* Every form emitted has a fixed size, so a trial at the site's own address sizes it. */
    uint8_t tramp[TRAMPOLINE_MAX];
    struct emit trial = {tramp, 0, sizeof tramp, s->pc, 0, s->mode};
    emit_trampoline(&trial, s, id, &p, s->pc);
    uint64_t at;
    unsigned c;
    if (trial.bad || place(s, trial.n, &at, &c) != 0)
        return -1;
    struct emit e = {tramp, 0, sizeof tramp, at, 0, s->mode};
    emit_trampoline(&e, s, id, &p, chunks[c].base);
    if (e.bad || e.n != trial.n)
        return -1;
    for (unsigned i = 1; i < s->count; i++)
        if (!verify(tramp + (s->moved[i] - at), e.n - (size_t)(s->moved[i] - at), s->moved[i],
                    code + s->start[i], &p.facts[i], s->pc + s->start[i], s->mode))
            return -1;
    if (iotrap__patch_poke(at, tramp, e.n) != 0)
        return -1;
    chunks[c].used = at + e.n - chunks[c].base;

    /* The entry the JMP goes to is the trampoline's first byte. */
    uint32_t d = (uint32_t)(at - (s->pc + IOTRAP__PATCH_JMP_LEN));
    memcpy(s->orig, code, len);
    memset(s->patched, 0xf4, len);
    s->patched[0] = 0xe9;
    memcpy(s->patched + 1, &d, 4);
    s->tramp = at;
    return 0;
}
