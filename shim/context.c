/* The interrupted code's machine state: registers in and out of the signal's ucontext,
 * the code segment's mode and base, and the bases of the data segments.
 *
 * x86-64 processes run 64-bit code with CS 0x33 and 32-bit code with CS 0x23; i386
 * processes run 32-bit code with the kernel's flat CS.  Anything else (an LDT code
 * segment of Wine or DOSEMU, 16-bit code) is examined with LAR, and its base read from
 * the LDT.  Only the string forms need data segment bases, so the system calls that
 * find them never run for IN and OUT.
 */
#include "config.h"

#include <asm/ldt.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

#include "shim/shim.h"

#define G(uc, r) ((uc)->uc_mcontext.gregs[REG_##r])
#if defined(__x86_64__)
#define CS_FLAT64 0x33
#define CS_FLAT32 0x23
#endif

/* LAR: the access rights of a selector, or -1 if it is not a valid, visible segment. */
static int64_t selector_rights(uint32_t sel)
{
    uint32_t ar;
    uint8_t ok;
    __asm__("lar %2, %0\n\tsetz %1" : "=r"(ar), "=q"(ok) : "r"(sel) : "cc");
    return ok ? (int64_t)ar : -1;
}

static uint64_t descriptor_base(const uint8_t d[8])
{
    return (uint64_t)d[2] | (uint64_t)d[3] << 8 | (uint64_t)d[4] << 16 | (uint64_t)d[7] << 24;
}

/* The base of a segment selector, from the LDT or (thread-local entries) the GDT.
 * The kernel's own user segments are flat. */
static uint64_t selector_base(uint32_t sel)
{
    unsigned index = (sel & 0xffff) >> 3;
    if (index == 0 && !(sel & 4))
        return 0; /* the null selector */
    if (sel & 4) {
        /* modify_ldt(0) copies the LDT from its start, so reading entry N needs N+1
         * entries of room: a pool buffer holds the whole LDT (8192 entries). */
        uint8_t small[64 * 8];
        void *pool = NULL;
        uint8_t *buf = small;
        size_t need = ((size_t)index + 1) * 8;
        if (need > sizeof small) {
            pool = iotrap__scratch_claim();
            if (!pool)
                return 0;
            buf = pool;
        }
        long got = syscall(SYS_modify_ldt, 0, buf, need);
        uint64_t base = got >= (long)need ? descriptor_base(buf + need - 8) : 0;
        if (pool)
            iotrap__scratch_release(pool);
        return base;
    }
    /* Only the thread-local GDT entries (6-8 on i386 kernels, 12-14 on x86-64 ones)
     * have a base; the rest are the kernel's flat segments. */
    if (!((index >= 6 && index <= 8) || (index >= 12 && index <= 14)))
        return 0;
    struct user_desc u;
    memset(&u, 0, sizeof u);
    u.entry_number = index;
    if (syscall(SYS_get_thread_area, &u) == 0)
        return u.base_addr;
    return 0;
}

uint64_t iotrap__context_pc(const ucontext_t *uc)
{
#if defined(__x86_64__)
    return (uint64_t)G(uc, RIP);
#else
    return (uint32_t)G(uc, EIP);
#endif
}

void iotrap__context_set_pc(ucontext_t *uc, uint64_t pc)
{
#if defined(__x86_64__)
    G(uc, RIP) = (greg_t)pc;
#else
    G(uc, EIP) = (greg_t)(uint32_t)pc;
#endif
}

int iotrap__is_gp0(const ucontext_t *uc)
{
    return G(uc, TRAPNO) == 13 && G(uc, ERR) == 0;
}

static uint32_t code_selector(const ucontext_t *uc)
{
#if defined(__x86_64__)
    return (uint32_t)(G(uc, CSGSFS) & 0xffff);
#else
    return (uint32_t)(G(uc, CS) & 0xffff);
#endif
}

int iotrap__code_segment(const ucontext_t *uc, int *mode, uint64_t *base)
{
    uint32_t cs = code_selector(uc);
#if defined(__x86_64__)
    if (cs == CS_FLAT64) {
        *mode = 64;
        *base = 0;
        return 0;
    }
    if (cs == CS_FLAT32) {
        *mode = 32;
        *base = 0;
        return 0;
    }
#endif
    int64_t ar = selector_rights(cs);
    if (ar < 0)
        return -1;
#if defined(__x86_64__)
    if (ar & (1u << 21)) { /* L: 64-bit code, flat */
        *mode = 64;
        *base = 0;
        return 0;
    }
#endif
    *mode = (ar & (1u << 22)) ? 32 : 16; /* D */
    *base = (cs & 4) ? selector_base(cs) : 0;
    return 0;
}

#if defined(__x86_64__)
static uint64_t fs_gs_base(int seg)
{
    uint64_t v = 0;
    if (iotrap__shim.fsgsbase) {
        if (seg == IOTRAP_SEG_FS)
            __asm__ volatile("rdfsbase %0" : "=r"(v));
        else
            __asm__ volatile("rdgsbase %0" : "=r"(v));
        return v;
    }
    syscall(SYS_arch_prctl, seg == IOTRAP_SEG_FS ? ARCH_GET_FS : ARCH_GET_GS, &v);
    return v;
}
#endif

uint64_t iotrap__segment_base(const ucontext_t *uc, int mode, int seg)
{
    uint32_t sel;
#if defined(__x86_64__)
    /* The kernel leaves the segment registers as the interrupted code had them, and in
     * every mode the FS and GS bases are the hidden base registers. */
    if (seg == IOTRAP_SEG_FS || seg == IOTRAP_SEG_GS)
        return fs_gs_base(seg);
    if (mode == 64)
        return 0;
    switch (seg) {
    case IOTRAP_SEG_ES: __asm__("mov %%es, %0" : "=r"(sel)); break;
    case IOTRAP_SEG_SS: __asm__("mov %%ss, %0" : "=r"(sel)); break;
    case IOTRAP_SEG_CS: sel = code_selector(uc); break;
    default:            __asm__("mov %%ds, %0" : "=r"(sel)); break;
    }
#else
    (void)mode;
    switch (seg) {
    case IOTRAP_SEG_ES: sel = G(uc, ES); break;
    case IOTRAP_SEG_CS: sel = G(uc, CS); break;
    case IOTRAP_SEG_SS: sel = G(uc, SS); break;
    case IOTRAP_SEG_FS: sel = G(uc, FS); break;
    case IOTRAP_SEG_GS: sel = G(uc, GS); break;
    default:            sel = G(uc, DS); break;
    }
#endif
    return selector_base(sel & 0xffff);
}

void iotrap__regs_from_context(const ucontext_t *uc, iotrap_regs *r)
{
    r->size = sizeof(*r);
#if defined(__x86_64__)
    r->rax = (uint64_t)G(uc, RAX);
    r->rcx = (uint64_t)G(uc, RCX);
    r->rdx = (uint64_t)G(uc, RDX);
    r->rsi = (uint64_t)G(uc, RSI);
    r->rdi = (uint64_t)G(uc, RDI);
    r->rip = (uint64_t)G(uc, RIP);
    r->rflags = (uint64_t)G(uc, EFL);
#else
    r->rax = (uint32_t)G(uc, EAX);
    r->rcx = (uint32_t)G(uc, ECX);
    r->rdx = (uint32_t)G(uc, EDX);
    r->rsi = (uint32_t)G(uc, ESI);
    r->rdi = (uint32_t)G(uc, EDI);
    r->rip = (uint32_t)G(uc, EIP);
    r->rflags = (uint32_t)G(uc, EFL);
#endif
}

#if defined(__x86_64__)
#define PUT(uc, R, v) (G(uc, R) = (greg_t)(v))
#else
#define PUT(uc, R, v) (G(uc, R) = (greg_t)(uint32_t)(v))
#endif

void iotrap__regs_to_context(ucontext_t *uc, const iotrap_insn *insn, const iotrap_regs *r)
{
#if defined(__x86_64__)
#define RAXN RAX
#define RCXN RCX
#define RSIN RSI
#define RDIN RDI
#define RIPN RIP
#else
#define RAXN EAX
#define RCXN ECX
#define RSIN ESI
#define RDIN EDI
#define RIPN EIP
#endif
    switch (insn->op) {
    case IOTRAP_OP_IN:
        PUT(uc, RAXN, r->rax);
        break;
    case IOTRAP_OP_INS:
        PUT(uc, RDIN, r->rdi);
        if (insn->rep)
            PUT(uc, RCXN, r->rcx);
        break;
    case IOTRAP_OP_OUTS:
        PUT(uc, RSIN, r->rsi);
        if (insn->rep)
            PUT(uc, RCXN, r->rcx);
        break;
    default:
        break;
    }
    PUT(uc, RIPN, r->rip);
}

void iotrap__context_page_fault(ucontext_t *uc, uint64_t addr, int write, int accerr)
{
    /* The page-fault error code: bit 0 protection violation, 1 write, 2 user mode. */
    G(uc, TRAPNO) = 14;
    G(uc, ERR) = 4 | (write ? 2 : 0) | (accerr ? 1 : 0);
#if defined(__x86_64__)
    G(uc, CR2) = (greg_t)addr;
#else
    uc->uc_mcontext.cr2 = (unsigned long)addr;
#endif
}
