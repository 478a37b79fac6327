/* The SIGSEGV handler: recognise a port-I/O #GP, emulate it, resume.
 *
 * The hot path (a trapped IN or OUT) makes no system call: the code bytes are read with
 * the fault-safe copy routine, decoded through the PC-keyed cache, executed against the
 * port session, and only the registers the instruction writes go back into the context.
 * Everything else - a real bad pointer, a denied port, HLT, CLI, an undecodable byte -
 * goes to the program's own disposition with the siginfo and context the kernel gave.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

#include "shim/shim.h"

extern const char iotrap__safe_copy_load[], iotrap__safe_copy_store[],
    iotrap__safe_copy_fault[], iotrap__safe_bulk_insn[], iotrap__safe_bulk_fault[],
    iotrap__safe_probe_insn[], iotrap__safe_probe_fault[];

/* A fault inside one of the routines of shim/safecopy.S: resume at its fault label (with
 * the si_code in the register iotrap__safe_copy expects).  Returns 0 for any other
 * fault. */
static int fixup(ucontext_t *uc, const siginfo_t *si)
{
    uint64_t pc = iotrap__context_pc(uc);
    const char *resume;
    if (pc == (uintptr_t)iotrap__safe_copy_load || pc == (uintptr_t)iotrap__safe_copy_store)
        resume = iotrap__safe_copy_fault;
    else if (pc == (uintptr_t)iotrap__safe_bulk_insn)
        resume = iotrap__safe_bulk_fault;
    else if (pc == (uintptr_t)iotrap__safe_probe_insn)
        resume = iotrap__safe_probe_fault;
    else
        return 0;
    /* A SIGSEGV sent by kill() that happens to arrive there is not the copy's fault. */
    if (si->si_code <= 0)
        return 0;
    iotrap__context_set_pc(uc, (uintptr_t)resume);
    if (resume == iotrap__safe_copy_fault) {
#if defined(__x86_64__)
        uc->uc_mcontext.gregs[REG_R8] = si->si_code;
#else
        uc->uc_mcontext.gregs[REG_ECX] = si->si_code;
#endif
    }
    return 1;
}

/* ---- Callbacks of iotrap_execute ---------------------------------------------------- */

static int cb_in(void *c, uint16_t port, unsigned width, uint32_t *value)
{
    struct iotrap__exec_ctx *x = c;
    return iotrap_ports_in(x->ports, port, width, value, x->pc);
}

static int cb_out(void *c, uint16_t port, unsigned width, uint32_t value)
{
    struct iotrap__exec_ctx *x = c;
    return iotrap_ports_out(x->ports, port, width, value, x->pc);
}

static int cb_in_string(void *c, uint16_t port, unsigned width, void *buf, size_t count)
{
    struct iotrap__exec_ctx *x = c;
    return iotrap_ports_in_string(x->ports, port, width, buf, count, x->pc);
}

static int cb_out_string(void *c, uint16_t port, unsigned width, const void *buf,
                         size_t count)
{
    struct iotrap__exec_ctx *x = c;
    return iotrap_ports_out_string(x->ports, port, width, buf, count, x->pc);
}

/* String memory is the program's own, in this address space: it is moved with the CPU's
 * loads and stores, which fault exactly where the program's would have (a protection key,
 * a guard page; and device memory mapped from /dev/mem or a frame buffer, which the
 * kernel's process_vm_readv refuses, moves as it does for the program), and at no system
 * call per string.  A bulk copy finds the bad page; the byte copy from where it stopped
 * finds the first bad byte. */
static size_t guest_copy(void *dst, const void *src, size_t len)
{
    size_t done = iotrap__safe_bulk(dst, src, len);
    if (done < len)
        done += iotrap__safe_copy((char *)dst + done, (const char *)src + done, len - done,
                                  NULL);
    return done;
}

static size_t cb_mem_read(void *c, uint64_t addr, void *buf, size_t len)
{
    (void)c;
    return guest_copy(buf, (const void *)(uintptr_t)addr, len);
}

static size_t cb_mem_write(void *c, uint64_t addr, const void *buf, size_t len)
{
    (void)c;
    return guest_copy((void *)(uintptr_t)addr, buf, len);
}

/* INS asks this before it reads the port.  Write permission is per page, so one byte per
 * page takes a store that changes nothing: the pages that took it are the writable
 * prefix. */
static size_t cb_mem_writable(void *c, uint64_t addr, size_t len)
{
    const uint64_t page = 4096;
    size_t total = 0;
    (void)c;
    while (total < len) {
        uint64_t at = addr + total;
        size_t chunk = (size_t)(page - (at & (page - 1)));
        if (chunk > len - total)
            chunk = len - total;
        if (!iotrap__safe_probe_store((void *)(uintptr_t)at))
            break;
        total += chunk;
    }
    return total;
}

const iotrap_exec_ops iotrap__exec_ops = {
    .size = sizeof(iotrap_exec_ops),
    .in = cb_in,
    .out = cb_out,
    .in_string = cb_in_string,
    .out_string = cb_out_string,
    .mem_read = cb_mem_read,
    .mem_write = cb_mem_write,
    .mem_writable = cb_mem_writable,
};

/* ---- The trap ----------------------------------------------------------------------- */

enum outcome { PASS, HANDLED, DELIVERED };

/* The si_code the kernel gives for a bad access at addr: touch it with the safe copy
 * (a read, or a read and write back of the same byte) and see how it faults. */
static int probe_fault(uint64_t addr, int write)
{
    uint8_t b;
    int code = SEGV_MAPERR;
    void *p = (void *)(uintptr_t)addr;
    if (write)
        iotrap__safe_copy(p, p, 1, &code);
    else
        iotrap__safe_copy(&b, p, 1, &code);
    return code;
}

/* A string element's memory was bad: the elements before it are done and the registers
 * say so; now the program gets the page fault the CPU would have raised. */
static void deliver_memory_fault(ucontext_t *uc, const iotrap_exec_fault *f)
{
    siginfo_t fsi;
    memset(&fsi, 0, sizeof fsi);
    fsi.si_signo = SIGSEGV;
    fsi.si_code = probe_fault(f->addr, f->write);
    if (fsi.si_code == SI_KERNEL) {
        /* A non-canonical address: the CPU raises #GP(0) and the kernel reports no
         * address. */
        fsi.si_addr = NULL;
    } else {
        fsi.si_addr = (void *)(uintptr_t)f->addr;
        iotrap__context_page_fault(uc, f->addr, f->write, fsi.si_code == SEGV_ACCERR);
    }
    iotrap__sigchain_deliver(SIGSEGV, &fsi, uc, 1);
}

static enum outcome emulate(ucontext_t *uc, int saved_errno)
{
    int mode;
    uint64_t cs_base;
    if (iotrap__code_segment(uc, &mode, &cs_base) < 0)
        return PASS;

    iotrap_regs regs;
    iotrap__regs_from_context(uc, &regs);
    uint64_t pc = cs_base + regs.rip;
    if (mode != 64)
        pc = (uint32_t)pc;

    iotrap_insn insn;
    if (iotrap__decode_at(pc, mode, &insn) != IOTRAP_OK)
        return PASS;
    iotrap_ports *ports = iotrap__shim_session();
    if (!ports)
        return PASS;

    struct iotrap__exec_ctx ctx = {ports, pc};
    uint16_t port = insn.port_is_dx ? (uint16_t)regs.rdx : insn.port_imm;
    /* A Windows driver IOCTL may have revoked raw access for this Wine process: Wine
     * then gets the #GP untouched and raises EXCEPTION_PRIV_INSTRUCTION, which is what
     * such applications probe for with SEH, so no denial message either. */
    if (!iotrap__wine_raw_granted(uc, port, insn.width))
        return PASS;
    iotrap_regs before = regs;
    iotrap_exec_fault fault = {0, 0};
    int st;
    if (insn.op == IOTRAP_OP_IN || insn.op == IOTRAP_OP_OUT) {
        st = iotrap_execute(&insn, &regs, &iotrap__exec_ops, &ctx, NULL, 0, &fault);
    } else {
        memset(regs.seg_base, 0, sizeof regs.seg_base);
        regs.seg_base[insn.seg] = iotrap__segment_base(uc, mode, insn.seg);
        uint8_t small[512];
        void *scratch = iotrap__scratch_claim();
        st = iotrap_execute(&insn, &regs, &iotrap__exec_ops, &ctx, scratch ? scratch : small,
                            scratch ? IOTRAP__SCRATCH_SIZE : sizeof small, &fault);
        if (scratch)
            iotrap__scratch_release(scratch);
    }

    switch (st) {
    case IOTRAP_OK:
        iotrap__regs_to_context(uc, &insn, &regs);
        if (cs_base == 0)
            iotrap__patch_note(pc, mode, &insn, uc);
        return HANDLED;
    case IOTRAP_E_FAULT:
        iotrap__regs_to_context(uc, &insn, &regs);
        /* The program's handler sees errno as its code left it, not our copies'. */
        errno = saved_errno;
        deliver_memory_fault(uc, &fault);
        return DELIVERED;
    case IOTRAP_E_DENIED:
    case IOTRAP_E_IO:
        /* A denial happens before any element, so nothing changed; a backend failure may
         * come after some string chunks, which the registers then show.  Either way the
         * program sees the #GP at the instruction. */
        iotrap__regs_to_context(uc, &insn, &regs);
        if (!iotrap__shim.quiet)
            iotrap__report_denied(&insn, &before, port, pc, uc, st);
        return PASS;
    default:
        return PASS;
    }
}

/* Everything but the thread-pointer switch below; not inlined, so that no access to
 * thread-local storage (errno's address above all) can move before that switch. */
static __attribute__((noinline)) void handle(int sig, siginfo_t *si, ucontext_t *uc)
{
    int saved_errno = errno;
    if (iotrap__patch_redirect(uc, si)) {
        errno = saved_errno;
        return;
    }
    if (si->si_code == SI_KERNEL && iotrap__is_gp0(uc)) {
        enum outcome o = emulate(uc, saved_errno);
        if (o != PASS) {
            errno = saved_errno;
            return;
        }
    }
    errno = saved_errno;
    iotrap__sigchain_deliver(sig, si, uc, si->si_code > 0);
}

#if defined(__x86_64__)
/* 32-bit code in a 64-bit process may have loaded FS with a segment of its own (Wine's
 * WoW64 does, for the 32-bit TEB); the kernel enters this 64-bit handler with that FS,
 * and every access to thread-local storage - errno, the decoder's caches, the board
 * lock's thread id, the program's own handler - would go through it.  The thread's own
 * thread pointer is found from its robust-list head (both live in glibc's struct pthread,
 * a fixed distance apart, measured by the constructor) and checked by its self-pointer
 * before FS is based on it; on the way out the program's selector is loaded again, which
 * restores its base from the descriptor.  Raw system calls only: no errno. */
IOTRAP__NO_STACK_PROTECTOR uint16_t iotrap__own_thread_pointer(void)
{
    uint16_t sel;
    if (!iotrap__shim.robust_to_tp)
        return 0;
    __asm__ volatile("mov %%fs, %0" : "=r"(sel));
    if (!sel)
        return 0; /* a null selector keeps the base 64-bit code gave FS */
    void *head = NULL;
    size_t len;
    if (iotrap__raw_syscall3(SYS_get_robust_list, 0, (long)&head, (long)&len) != 0 || !head)
        return 0;
    uint64_t tp = (uint64_t)(uintptr_t)head + (uint64_t)iotrap__shim.robust_to_tp, self = 0;
    if (iotrap__safe_copy(&self, (const void *)(uintptr_t)tp, sizeof self, NULL) != sizeof self ||
        self != tp)
        return 0;
    if (iotrap__shim.fsgsbase)
        __asm__ volatile("wrfsbase %0" : : "r"(tp) : "memory");
    else if (iotrap__raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)tp) != 0)
        return 0;
    return sel;
}

/* Returns the FS selector to load again on the way out, or 0 if FS was left alone. */
IOTRAP__NO_STACK_PROTECTOR static uint16_t own_thread_pointer(const ucontext_t *uc)
{
    if ((uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff) == 0x33)
        return 0;
    return iotrap__own_thread_pointer();
}
#endif

void iotrap__sigsegv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    /* First, and touching no thread-local storage: a fault of the safe copy, which may
     * be own_thread_pointer's own. */
    if (fixup(uc, si))
        return;
#if defined(__x86_64__)
    uint16_t fs_sel = own_thread_pointer(uc);
    handle(sig, si, uc);
    /* Back to 32-bit code (a handler may have sent it to 64-bit code instead): its FS. */
    if (fs_sel && (uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff) != 0x33)
        __asm__ volatile("mov %0, %%fs" : : "r"(fs_sel) : "memory");
#else
    handle(sig, si, uc);
#endif
}
