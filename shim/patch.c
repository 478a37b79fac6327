/* Hot-site patching (patch.h): which sites, how their code changes under running threads,
 * the faults that belong to a patch, and the access a trampoline asks for.
 *
 * Code is changed only while holding `writer`, in three writes with every core
 * serialised after each (membarrier's SYNC_CORE, the user-space form of the kernel's
 * text_poke_bp): first HLT over the region's first byte, then the rest of the region,
 * then its first byte.  A thread that meets the region half-written faults on the HLT or
 * on a displacement byte, and the SIGSEGV handler sends it where the finished patch would
 * have: the trampoline, or the moved copy of the instruction it was about to run.
 *
 * A patch is undone - the same three writes with the original bytes - when the port's
 * access becomes refused (a Wine driver IOCTL revoked it, the backend failed) and when a
 * moved instruction faults: in both cases the program must see the fault at the original
 * address with the original bytes there, exactly as without the project.  An undone site
 * stays a trap for good.
 */
#include "config.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/portset.h"
#include "common/startup.h"
#include "session/session.h"
#include "shim/patch.h"
#include "shim/shim.h"

#define HOT 64 /* traps at one address before it is patched */
#define COUNTERS 1024
#define HLT 0xf4

enum policy { OFF, AUTO, ON };

#if defined(__x86_64__)
#define FRAME_AX(f) ((f)->rax)
#define FRAME_DX(f) ((f)->rdx)
#else
#define FRAME_AX(f) ((f)->eax)
#define FRAME_DX(f) ((f)->edx)
#endif

iotrap__patch_site iotrap__patch_sites[IOTRAP__PATCH_SITES_MAX];
static unsigned nsites;           /* iotrap__patch_sites[0..nsites) are published; only ever grows */
static unsigned counters[COUNTERS]; /* traps per hashed address */
static int writer;                /* 1 while a thread changes code */
static enum policy policy = OFF;
/* Whether this processor and kernel can take patches: 0 not asked yet, 1 yes, -1 no. */
static int capable;
/* 1 once native code may no longer be patched under `auto` (see native_patchable). */
static int native_off;
/* The boundary address a fault was last retried at (see redirect_boundary). */
static __thread uint64_t retried __attribute__((tls_model("initial-exec")));

static void sync_cores(void)
{
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
}

/* Asks the processor and kernel once whether they can take patches; 1 if so, else -1.
 * System calls and CPUID only, so async-signal-safe; called with `writer` held, or by the
 * constructor before any thread can patch, so never twice at once. */
static int probe(void)
{
    if (!capable)
        capable = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
                          0, 0) == 0 && iotrap__patch_code_init() == 0 ? 1 : -1;
    return capable;
}

IOTRAP__STARTUP
int iotrap__patch_init(const char *value, bool native, char *err, size_t errlen)
{
    enum policy want;
    if (!value || !*value || strcmp(value, "auto") == 0)
        want = AUTO;
    else if (strcmp(value, "on") == 0)
        want = ON;
    else if (strcmp(value, "off") == 0)
        want = OFF;
    else {
        snprintf(err, errlen, "IOTRAP_PATCH: '%s' is not auto, on or off", value);
        return -1;
    }
    /* A native backend gives the process real I/O permission, under which the trapping
     * IN/OUT opcodes of a patch's displacement could run instead of fault. */
    if (want == OFF || native)
        return 0;
    /* "on" is refused at start on a machine that cannot take patches, so that the user
     * hears of it; "auto" asks the machine only when a site is first about to be patched
     * (probe(), from the signal handler), so that a process that never patches pays
     * nothing: eight CPUIDs, each an exit to the hypervisor in a virtual machine, and a
     * membarrier registration. */
    if (want == ON && probe() != 1) {
        snprintf(err, errlen, "IOTRAP_PATCH=on: this processor or kernel cannot take "
                              "patches (XSAVE and membarrier SYNC_CORE are needed)");
        return -1;
    }
    policy = want;
    return 0;
}

void iotrap__patch_atfork_child(void)
{
    /* The thread that held it, if any, did not come along. */
    writer = 0;
}

static unsigned counter(uint64_t pc)
{
    return (unsigned)((pc ^ (pc >> 10) ^ (pc >> 20)) & (COUNTERS - 1));
}

static int state(const iotrap__patch_site *s)
{
    return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

static void set_state(iotrap__patch_site *s, int st)
{
    __atomic_store_n(&s->state, st, __ATOMIC_RELEASE);
}

/* Rewrites the region of `s` into `to` (its patched or its original bytes). */
static int rewrite(const iotrap__patch_site *s, const uint8_t *to)
{
    const uint8_t hlt = HLT;
    if (iotrap__patch_poke(s->pc, &hlt, 1) != 0)
        return -1;
    sync_cores();
    if (iotrap__patch_poke(s->pc + 1, to + 1, s->len - 1u) != 0)
        return -1;
    sync_cores();
    if (iotrap__patch_poke(s->pc, to, 1) != 0)
        return -1;
    sync_cores();
    return 0;
}

static int try_writer(void)
{
    return !__atomic_exchange_n(&writer, 1, __ATOMIC_ACQUIRE);
}

static void take_writer(void)
{
    while (!try_writer())
        sched_yield();
}

static void drop_writer(void)
{
    __atomic_store_n(&writer, 0, __ATOMIC_RELEASE);
}

/* Puts the original code back, the writer held (a failed write leaves the site
 * half-written, which the fault redirection keeps working). */
static void undo(iotrap__patch_site *s)
{
    int st = state(s);
    if (st == IOTRAP__SITE_WRITING || st == IOTRAP__SITE_LIVE) {
        set_state(s, IOTRAP__SITE_RESTORING);
        if (rewrite(s, s->orig) == 0)
            set_state(s, IOTRAP__SITE_RESTORED);
    }
}

static void unpatch(iotrap__patch_site *s)
{
    take_writer();
    undo(s);
    drop_writer();
}

static iotrap__patch_site *find(uint64_t pc)
{
    unsigned n = __atomic_load_n(&nsites, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < n; i++)
        if (iotrap__patch_sites[i].pc == pc)
            return &iotrap__patch_sites[i];
    return NULL;
}

/* Whether site `s`'s region shares a byte with the region of one of the first `n` sites
 * that were written.  Two ports a few bytes apart make this: a region built after the
 * other site was patched takes its JMP for an instruction to move, and writing one over
 * the other would leave each region half the other's, where the fault redirection no
 * longer knows the bytes (a thread meeting the first write's HLT there died of it). */
static bool overlaps(const iotrap__patch_site *s, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        const iotrap__patch_site *o = &iotrap__patch_sites[k];
        if (state(o) != IOTRAP__SITE_REFUSED && s->pc < o->pc + o->len &&
            o->pc < s->pc + s->len)
            return true;
    }
    return false;
}

static void patch(uint64_t pc, int mode, const iotrap_insn *insn, bool native)
{
    unsigned id = __atomic_load_n(&nsites, __ATOMIC_RELAXED);
    if (id == IOTRAP__PATCH_SITES_MAX || find(pc))
        return;
    iotrap__patch_site *s = &iotrap__patch_sites[id];
    memset(s, 0, sizeof *s);
    s->pc = pc;
    s->mode = (uint8_t)mode;
    s->insn = *insn;
    s->native = native;
    int built = iotrap__patch_code_build(s, id) == 0 && !overlaps(s, id);
    /* A site that cannot be patched keeps its slot, so it is not tried again. */
    s->state = built ? IOTRAP__SITE_WRITING : IOTRAP__SITE_REFUSED;
    __atomic_store_n(&nsites, id + 1, __ATOMIC_RELEASE);
    if (!built)
        return;
    if (rewrite(s, s->patched) == 0)
        set_state(s, IOTRAP__SITE_LIVE);
    else if (rewrite(s, s->orig) == 0)
        set_state(s, IOTRAP__SITE_RESTORED);
    /* A handler installed while this site was written: iotrap__patch_program_handles()
     * may have looked at the sites before this one was published. */
    if (native && __atomic_load_n(&native_off, __ATOMIC_SEQ_CST))
        undo(s);
}

/* Native code is no longer patched, and its patches are undone. */
static void native_stop(void)
{
    if (__atomic_exchange_n(&native_off, 1, __ATOMIC_SEQ_CST))
        return;
    unsigned n = __atomic_load_n(&nsites, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < n; i++)
        if (iotrap__patch_sites[i].native)
            unpatch(&iotrap__patch_sites[i]);
}

/* Native code is patched under `auto` while the program has no signal handler of its
 * own: a patched access does not block signals as a trap does, and a handler that did
 * port I/O while it interrupted a patched access to a device (which holds the board lock)
 * would have its access refused.  With no handler, no program code can run in the middle of one.
 * The interposed sigaction() and signal() report new handlers; the kernel's dispositions
 * are looked at too, for handlers installed around them. */
static bool native_patchable(void)
{
    if (__atomic_load_n(&native_off, __ATOMIC_SEQ_CST))
        return false;
    if (iotrap__sigchain_program_handles()) {
        native_stop();
        return false;
    }
    return true;
}

void iotrap__patch_program_handles(void)
{
    if (policy == AUTO)
        native_stop();
}

/* The process's own bitness, and on x86-64 also 32-bit code (whose trampolines switch to
 * 64-bit mode for the access, shim/patch_code.c); never 16-bit code. */
static int patchable_mode(int mode)
{
    return mode == (int)sizeof(void *) * 8 || mode == 32;
}

/* Tells the patched path which ports it takes without the extended state, before the
 * first chunk's stub is generated (it calls iotrap__patch_fast() only where there are
 * some).  Worked out when a site is first about to be patched, not at start, because it
 * looks at every port.  None are taken while a grant file is in use, which could refuse
 * an access the sets allow. */
static void fast_setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    iotrap_ports *ports = __atomic_load_n(&iotrap__shim.ports, __ATOMIC_ACQUIRE);
    const iotrap__session_fast *fast =
        ports && !iotrap__wine_grants_used() ? iotrap__session_fast_ports(ports) : NULL;
    if (fast && iotrap__portset_empty(&fast->bus) && iotrap__portset_empty(&fast->direct))
        fast = NULL;
    iotrap__patch_fast_init(ports, fast);
}

void iotrap__patch_note(uint64_t pc, int mode, const iotrap_insn *insn, const ucontext_t *uc)
{
    if (policy == OFF || insn->op > IOTRAP_OP_OUT || !patchable_mode(mode))
        return;
    unsigned *c = &counters[counter(pc)];
    if (__atomic_add_fetch(c, 1, __ATOMIC_RELAXED) % HOT != 0)
        return;
    bool native = policy == AUTO && !iotrap__wine_windows_code(uc);
    if (native && !native_patchable())
        return;
    if (!try_writer())
        return; /* another thread is writing; this site will be hot again */
    fast_setup();
    if (probe() == 1)
        patch(pc, mode, insn, native);
    drop_writer();
}

/* The region holds only bytes of its original, of its patch, or the first write's HLT;
 * anything else means the program has put other code there since. */
static int region_ours(const iotrap__patch_site *s)
{
    uint8_t now[IOTRAP__PATCH_REGION_MAX];
    if (iotrap__safe_copy(now, (const void *)(uintptr_t)s->pc, s->len, NULL) != s->len)
        return 0;
    for (unsigned i = 0; i < s->len; i++)
        if (now[i] != s->orig[i] && now[i] != s->patched[i] && !(i == 0 && now[i] == HLT))
            return 0;
    return 1;
}

/* A #GP at instruction `i` (>= 1) of the region: a jump into the region met a trapping
 * displacement byte, which stands for that instruction. */
static int redirect_boundary(iotrap__patch_site *s, unsigned i, ucontext_t *uc, int st)
{
    uint64_t at = s->pc + s->start[i];
    uint8_t now;
    if (iotrap__safe_copy(&now, (const void *)(uintptr_t)at, 1, NULL) != 1)
        return 0;
    if (st != IOTRAP__SITE_RESTORED && now == s->patched[s->start[i]] && region_ours(s)) {
        iotrap__context_set_pc(uc, s->moved[i]);
        return 1;
    }
    if (st != IOTRAP__SITE_RESTORING && st != IOTRAP__SITE_RESTORED)
        return 0;
    /* The site was being undone: the byte that faulted may have been the patch's, gone
     * since.  Run what is there now, once; a second fault there is the instruction's own. */
    if (retried != at) {
        retried = at;
        return 1;
    }
    retried = 0;
    return 0;
}

int iotrap__patch_redirect(ucontext_t *uc, const siginfo_t *si)
{
    unsigned n = __atomic_load_n(&nsites, __ATOMIC_ACQUIRE);
    if (!n || si->si_code <= 0)
        return 0;
    uint64_t pc = iotrap__context_pc(uc);
    int gp = si->si_code == SI_KERNEL && iotrap__is_gp0(uc);
    for (unsigned k = 0; k < n; k++) {
        iotrap__patch_site *s = &iotrap__patch_sites[k];
        int st = state(s);
        if (st == IOTRAP__SITE_REFUSED)
            continue;
        if (s->count > 1 && pc >= s->moved[1] && pc < s->moved_end) {
            /* A moved instruction faulted: undo the patch and run the original, which
             * faults again where the program expects it. */
            for (unsigned i = 1; i < s->count; i++) {
                if (pc == s->moved[i]) {
                    unpatch(s);
                    iotrap__context_set_pc(uc, s->pc + s->start[i]);
                    return 1;
                }
            }
            return 0;
        }
        if (!gp)
            continue;
        if (pc == s->refault) {
            iotrap__context_set_pc(uc, s->pc);
            return 1;
        }
        if (pc == s->pc) {
            if (st == IOTRAP__SITE_RESTORED || !region_ours(s))
                return 0;
            iotrap__context_set_pc(uc, s->tramp);
            return 1;
        }
        for (unsigned i = 1; i < s->count; i++)
            if (pc == s->pc + s->start[i])
                return redirect_boundary(s, i, uc, st);
    }
    return 0;
}

/* Performs site `s`'s access with the trampoline's AL/AX/EAX (*ax) and DX; 0, or -1 when
 * it is refused (or the backend failed): the site is then undone, and the original
 * instruction runs again where it was, traps, and the program gets the fault from the
 * trap path. */
static int run_site(iotrap__patch_site *s, uint64_t *ax, uint64_t dx)
{
    iotrap_regs r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.rax = *ax;
    r.rdx = dx;
    r.rip = s->pc;
    uint16_t port = s->insn.port_is_dx ? (uint16_t)r.rdx : s->insn.port_imm;
    struct iotrap__exec_ctx ctx = {iotrap__shim.ports, s->pc};
    /* Checked first, so that a refused access is traced once, by the trap it becomes. */
    if (iotrap__wine_raw_granted(NULL, port, s->insn.width) &&
        iotrap_ports_allowed(ctx.ports, port, s->insn.width) &&
        iotrap_execute(&s->insn, &r, &iotrap__exec_ops, &ctx, NULL, 0, NULL) == IOTRAP_OK) {
        *ax = r.rax;
        return 0;
    }
    unpatch(s);
    return -1;
}

void iotrap__patch_run(uintptr_t id, iotrap__patch_frame *f)
{
    iotrap__patch_site *s = &iotrap__patch_sites[id];
    uint64_t ax = FRAME_AX(f);
    if (run_site(s, &ax, FRAME_DX(f)) == 0)
        FRAME_AX(f) = (__typeof__(FRAME_AX(f)))ax;
    else
        f->ret = (uintptr_t)s->refault_entry;
}

#if defined(__x86_64__)
static __attribute__((noinline)) void run_wow64(uintptr_t id, iotrap__patch_frame32 *f)
{
    iotrap__patch_site *s = &iotrap__patch_sites[id];
    uint64_t ax = f->eax;
    if (run_site(s, &ax, f->edx) == 0)
        f->eax = (uint32_t)ax;
    else
        f->ret = (uint32_t)s->refault_entry;
}

/* Entered with FS based on the 32-bit code's segment: every thread-local access (the
 * board lock's thread id, errno) waits until FS is this thread's own again, and the
 * 32-bit code gets its selector back. */
IOTRAP__NO_STACK_PROTECTOR void iotrap__patch_run_wow64(uintptr_t id, iotrap__patch_frame32 *f)
{
    uint16_t fs = iotrap__own_thread_pointer();
    run_wow64(id, f);
    if (fs)
        __asm__ volatile("mov %0, %%fs" : : "r"(fs) : "memory");
}
#endif
