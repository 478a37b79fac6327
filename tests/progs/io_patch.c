/* Hot-site patching (shim/patch.h) seen from the program: results and registers the same
 * as trapped, the site rewritten unless IOTRAP_PATCH=off (under auto, the default, only
 * while the program has no signal handler), jumps into the patched region,
 * faults of moved instructions reported at their original address, many threads.
 * The sites are in patch_sites.S.  Port 0x379 is the simulated LPT's status register;
 * port 0x80 is claimed by no device of the default board, so the bus answers it (the
 * "-bus" cases: the trampoline's path without a device model, shim/patch_fast.c). */
#include <cpuid.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <ucontext.h>
#include <unistd.h>

#include "progs.h"

#define STATUS 0x379
#define BUS 0x80
/* More than the traps at one site after which the trap engine patches it. */
#define CALLS 300

extern uint32_t ps_sum(uint16_t port, uint32_t n);
extern uint32_t ps_into(uint16_t port, int skip);
extern void ps_store(uint8_t *dst, uint16_t port);
extern void ps_regs(void *snap, uint16_t port);
extern const uint8_t ps_sum_site[], ps_into_site[], ps_into_after[], ps_store_site[],
    ps_store_fault[], ps_regs_site[], ps_pattern[];

/* The first byte of a site, read afresh: the code there changes under the compiler. */
static unsigned code_byte(const uint8_t *at)
{
    return *(const volatile uint8_t *)at;
}

static int patching(void)
{
    const char *v = getenv("IOTRAP_PATCH");
    return !v || strcmp(v, "off") != 0;
}

/* The first byte of a site: a JMP once patched, else the IN itself. */
static unsigned want_site_byte(void)
{
    return patching() ? 0xe9 : 0xec;
}

static uint8_t status(void)
{
    return (uint8_t)ps_sum(STATUS, 1);
}

static void case_sum(void)
{
    uint32_t v = status();
    uint32_t sum = 0;
    for (int i = 0; i < 10; i++)
        sum += ps_sum(STATUS, 1000);
    CHECK_EQ("sum of 10000 reads", sum, 10000 * v);
    CHECK_EQ("site's first byte", code_byte(ps_sum_site), want_site_byte());
}

extern uint32_t ps_loop(uint16_t port, uint32_t n);
extern const uint8_t ps_loop_site[];

static void case_branch(void)
{
    uint32_t v = status();
    uint32_t sum = 0;
    for (int i = 0; i < 10; i++)
        sum += ps_loop(STATUS, 1000);
    CHECK_EQ("sum of 10000 reads through a moved JNZ", sum, 10000 * v);
    CHECK_EQ("site's first byte", code_byte(ps_loop_site), want_site_byte());
}

#if defined(__x86_64__)
extern uint32_t ps_rip(uint16_t port);
extern uint8_t ps_flag, ps_cell;
extern const uint8_t ps_rip_site[];

static void case_rip(void)
{
    uint32_t v = status();
    int wrong = 0;
    for (int i = 0; i < CALLS; i++) {
        ps_flag = 0;
        wrong += ps_rip(STATUS) != v || ps_flag != 0x42;
    }
    CHECK_EQ("calls with a wrong value or flag", wrong, 0);
    CHECK_EQ("site's first byte", code_byte(ps_rip_site), want_site_byte());
}
#endif

static int is_trap_opcode(uint8_t b)
{
    return b == 0xf4 || (b >= 0xe4 && b <= 0xe7) || (b >= 0xec && b <= 0xef) ||
           (b >= 0x6c && b <= 0x6f);
}

static void case_into(void)
{
    uint32_t v = status();
    int wrong = 0;
    for (int i = 0; i < CALLS; i++)
        wrong += ps_into(STATUS, 0) != v + 3;
    CHECK_EQ("calls through the site with a wrong result", wrong, 0);
    CHECK_EQ("site's first byte", code_byte(ps_into_site), want_site_byte());
    if (patching())
        CHECK_EQ("instruction after the IN now a trapping byte",
                 is_trap_opcode((uint8_t)code_byte(ps_into_after)), 1);
    /* A jump to the instruction after the IN: through the patch's trapping byte. */
    for (int i = 0; i < 3; i++)
        CHECK_EQ("jump past the IN", ps_into(STATUS, 1), 3);
    CHECK_EQ("through the site again", ps_into(STATUS, 0), v + 3);
}

static sigjmp_buf jump;
static volatile uintptr_t fault_pc, fault_addr;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
#if defined(__x86_64__)
    fault_pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#else
    fault_pc = (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
#endif
    fault_addr = (uintptr_t)si->si_addr;
    siglongjmp(jump, 1);
}

static void case_fault(void)
{
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *mem = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    uint8_t *bad = mem + page;
    mprotect(bad, (size_t)page, PROT_NONE);
    uint8_t v = status();
    for (int i = 0; i < CALLS; i++)
        ps_store(mem, STATUS);
    CHECK_EQ("stored value", mem[0], v);
    CHECK_EQ("site's first byte", code_byte(ps_store_site), want_site_byte());

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(jump, 1) == 0) {
        ps_store(bad, STATUS);
        printf("FAIL: no fault\n");
        progs_failures++;
    }
    CHECK_EQ("fault address", fault_addr, (uintptr_t)bad);
    CHECK_EQ("fault pc is the store after the IN", fault_pc, (uintptr_t)ps_store_fault);
    /* The fault undid the patch: the site is a trap again, and still works. */
    CHECK_EQ("site's first byte after the fault", code_byte(ps_store_site), 0xec);
    mem[0] = 0;
    ps_store(mem, STATUS);
    CHECK_EQ("stored value after the fault", mem[0], v);
}

#if defined(__x86_64__)
struct snap {
    uint64_t rax, rbx, flags, rcx, rdx, rsi, rbp, r[8], pad[2], redzone;
    uint8_t xmm[16][16];
};
#else
struct snap {
    uint32_t eax, ebx, flags, ecx, edx, esi, ebp, pad;
    uint8_t xmm[8][16];
};
#endif

static void regs_at(uint16_t port)
{
    struct snap first, s;
    memset(&first, 0, sizeof first);
    ps_regs(&first, port);
    uint8_t v = (uint8_t)ps_sum(port, 1);
    int differ = 0;
    for (int i = 0; i < CALLS; i++) {
        memset(&s, 0, sizeof s);
        ps_regs(&s, port);
        differ += memcmp(&s, &first, sizeof s) != 0;
    }
    CHECK_EQ("calls leaving other registers than the first", differ, 0);
    CHECK_EQ("site's first byte", code_byte(ps_regs_site), want_site_byte());
#if defined(__x86_64__)
    CHECK_EQ("rax: AL read, bits 8-63 kept", s.rax, 0x8877665544332200ull | v);
    CHECK_EQ("rbx", s.rbx, 0x1111111111111111ull);
    CHECK_EQ("r15", s.r[7], 0x1616161616161616ull);
    CHECK_EQ("red zone", s.redzone, 0x5a5a5a5a5a5a5a5aull);
#else
    CHECK_EQ("eax: AL read, bits 8-31 kept", s.eax, 0x88776600u | v);
    CHECK_EQ("ebx", s.ebx, 0x11111111u);
#endif
    CHECK_EQ("status flags as CMP and STC left them (CF PF ZF)", s.flags & 0x8d5, 0x45);
    CHECK_EQ("DF kept", (s.flags >> 10) & 1, 1);
    CHECK_EQ("xmm registers kept", memcmp(s.xmm, ps_pattern, sizeof s.xmm), 0);
}

static void case_regs(void)
{
    regs_at(STATUS);
}

static void case_regs_bus(void)
{
    regs_at(BUS);
}

extern uint32_t ps_xstate(const void *in, void *before, void *after, uint32_t port,
                          uint32_t mask);
extern const uint8_t ps_xstate_site[];

/* An XSAVE area (standard form) with every component of `mask` in use and filled with a
 * pattern: x87 with all eight registers valid, MXCSR with a sticky flag, the xmm, ymm,
 * opmask and zmm registers. */
static void fill_xstate(uint8_t *a, uint32_t size, uint32_t mask)
{
    for (uint32_t i = 0; i < size; i++)
        a[i] = (uint8_t)(i * 13 + 5);
    memset(a, 0, 32);
    a[0] = 0x7f; /* FCW 0x037f */
    a[1] = 0x03;
    a[4] = 0xff; /* every x87 register valid (abridged tag word) */
    uint32_t mxcsr = 0x1f81;
    memcpy(a + 24, &mxcsr, 4);
    for (int r = 0; r < 8; r++)
        memset(a + 32 + 16 * r + 10, 0, 6); /* st(r) is 10 bytes of its 16 */
    memset(a + 416, 0, 576 - 416);          /* reserved, then the XSAVE header */
    uint64_t bv = mask;
    memcpy(a + 512, &bv, 8);
}

extern void ps_xstate_out(const void *in, void *before, void *after, uint32_t port_value,
                          uint32_t mask);
extern const uint8_t ps_xstate_out_site[];

/* The areas of an xstate check: the components the processor and kernel enable, `in`
 * filled with their pattern.  0 when there is no XSAVE (said) or no memory (failed). */
struct xareas {
    uint32_t mask, size;
    uint8_t *in, *before, *after;
};

static int xareas_get(struct xareas *x)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) {
        printf("this processor or kernel has no XSAVE: nothing to check\n");
        return 0;
    }
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    x->mask = lo & 0xe7u; /* x87, SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM */
    __cpuid_count(0xd, 0, a, b, c, d);
    x->size = (b + 63u) & ~63u;
    x->in = aligned_alloc(64, x->size);
    x->before = aligned_alloc(64, x->size);
    x->after = aligned_alloc(64, x->size);
    if (!x->in || !x->before || !x->after) {
        CHECK_EQ("areas allocated", 0, 1);
        return 0;
    }
    fill_xstate(x->in, x->size, x->mask);
    return 1;
}

static void xareas_free(struct xareas *x)
{
    free(x->in);
    free(x->before);
    free(x->after);
}

/* Every component of the extended state the processor and kernel enable is the same
 * after the IN at `port` as before it, through the trap and then through the patched
 * site; the value read is the same each time where the register is `stable`. */
static void xstate_at(uint16_t port, int stable)
{
    struct xareas x;
    if (!xareas_get(&x))
        return;
    uint8_t v = (uint8_t)ps_sum(port, 1);
    int differ = 0, wrong = 0;
    for (int i = 0; i < CALLS; i++) {
        memset(x.before, 0, x.size);
        memset(x.after, 0, x.size);
        wrong += (uint8_t)ps_xstate(x.in, x.before, x.after, port, x.mask) != v;
        differ += memcmp(x.before, x.after, x.size) != 0;
    }
    printf("in 0x%x: components 0x%x, %u bytes\n", port, x.mask, x.size);
    CHECK_EQ("the pattern loaded (x87 and xmm registers)", memcmp(x.before + 32, x.in + 32, 256),
             0);
    CHECK_EQ("calls changing the extended state", differ, 0);
    if (stable)
        CHECK_EQ("calls reading a wrong value", wrong, 0);
    CHECK_EQ("site's first byte", code_byte(ps_xstate_site), want_site_byte());
    xareas_free(&x);
}

/* The same for OUT DX, AL of `value` at `port`. */
static void xstate_out_at(uint16_t port, uint8_t value)
{
    struct xareas x;
    if (!xareas_get(&x))
        return;
    int differ = 0;
    for (int i = 0; i < CALLS; i++) {
        memset(x.before, 0, x.size);
        memset(x.after, 0, x.size);
        ps_xstate_out(x.in, x.before, x.after, port | (uint32_t)value << 16, x.mask);
        differ += memcmp(x.before, x.after, x.size) != 0;
    }
    printf("out 0x%x: components 0x%x, %u bytes\n", port, x.mask, x.size);
    CHECK_EQ("calls changing the extended state", differ, 0);
    CHECK_EQ("site's first byte", code_byte(ps_xstate_out_site), want_site_byte());
    xareas_free(&x);
}

static void case_xstate(void)
{
    xstate_at(STATUS, 1);
}

static void case_xstate_bus(void)
{
    xstate_at(BUS, 1);
}

/* Every device model of the default board, which the patched path calls without saving
 * the extended state (IOTRAP_DEVICE_GENERAL_REGS): a register of each, read and written
 * through one site each, the sites patched by the first. */
static void case_xstate_devices(void)
{
    static const struct {
        uint16_t port;
        int stable;
    } reads[] = {
        {0x40, 0},   /* the 8254's counter 0, which counts down with the clock */
        {0x61, 0},   /* port B, whose refresh bit toggles with the clock */
        {0x71, 0},   /* the CMOS register 0x70 selects: the RTC's seconds by default */
        {STATUS, 1}, /* the LPT status register */
        {0x3fd, 1},  /* the UART line status register */
        {0xcfc, 1},  /* PCI configuration data */
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        xstate_at(reads[i].port, reads[i].stable);
    static const struct {
        uint16_t port;
        uint8_t value;
    } writes[] = {
        {0x43, 0x34}, /* the 8254's control word: counter 0, mode 2 */
        {0x40, 0x00}, /* its count, low then high byte */
        {0x70, 0x0a}, /* the CMOS index: status register A */
        {0x378, 0x5a}, /* the LPT data latch */
        {0x3f8, 0x41}, /* the UART transmitter */
        {BUS, 0x01},
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
        xstate_out_at(writes[i].port, writes[i].value);
}

extern uintptr_t ps_inl(uint32_t port, uintptr_t ax);
extern uintptr_t ps_inw(uint32_t port, uintptr_t ax);
extern void ps_outl(uint32_t port, uint32_t value);
extern const uint8_t ps_inl_site[], ps_inw_site[], ps_outl_site[];

/* 2- and 4-byte accesses to a device through patched sites: PCI's CONFIG_ADDRESS, which
 * takes a whole dword (the model's write_wide and read_wide), and the 440FX host bridge's
 * IDs at CONFIG_DATA.  AX replaced with the rest of the register kept, EAX zero-extended
 * into RAX, every call alike, trapped (the first 64) or patched. */
static void case_wide_devices(void)
{
    const uintptr_t fill = (uintptr_t)0x1122334455667788ull;
    int wrong_addr = 0, wrong_l = 0, wrong_w = 0;
    for (int i = 0; i < CALLS; i++) {
        ps_outl(0xcf8, 0x80000000u); /* bus 0, device 0, function 0, register 0 */
        wrong_addr += ps_inl(0xcf8, fill) != 0x80000000u;
        wrong_l += ps_inl(0xcfc, fill) != 0x12378086u;
        wrong_w += ps_inw(0xcfc, fill) != ((fill & ~(uintptr_t)0xffff) | 0x8086u);
    }
    CHECK_EQ("CONFIG_ADDRESS read back wrong, calls", wrong_addr, 0);
    CHECK_EQ("in eax of the host bridge's IDs wrong, calls", wrong_l, 0);
    CHECK_EQ("in ax of its vendor wrong, calls", wrong_w, 0);
    /* A JMP once patched, else OUT DX, EAX; IN EAX, DX; the operand-size prefix of IN AX. */
    CHECK_EQ("out site's first byte", code_byte(ps_outl_site), patching() ? 0xe9 : 0xef);
    CHECK_EQ("in eax site's first byte", code_byte(ps_inl_site), patching() ? 0xe9 : 0xed);
    CHECK_EQ("in ax site's first byte", code_byte(ps_inw_site), patching() ? 0xe9 : 0x66);
}

extern uintptr_t ps_pair(uint32_t port, uint32_t value);
extern uintptr_t ps_pair_in_only(uint32_t port);
extern const uint8_t ps_pair_out[], ps_pair_in[];

/* An OUT right before an IN, the IN patched first: the OUT's region would take the IN's
 * patch for an instruction to move and be written over it, so the OUT stays a trap, and
 * every value written reads back. */
static void case_pair(void)
{
    for (int i = 0; i < CALLS; i++)
        ps_pair_in_only(0x378);
    int wrong = 0;
    for (int i = 0; i < CALLS; i++)
        wrong += (uint8_t)ps_pair(0x378, (uint32_t)i) != (uint8_t)i;
    CHECK_EQ("values read back wrong, calls", wrong, 0);
    CHECK_EQ("in site's first byte", code_byte(ps_pair_in), patching() ? 0xe9 : 0xec);
    CHECK_EQ("out site's first byte, never patched over it", code_byte(ps_pair_out), 0xee);
}

#if defined(__x86_64__)
extern void ps_ymm(uint8_t *out, uint16_t port);
extern const uint8_t ps_ymm_site[];

static void case_ymm(void)
{
    if (!__builtin_cpu_supports("avx")) {
        printf("this processor has no AVX: nothing to check\n");
        return;
    }
    uint8_t out[520];
    int differ = 0;
    for (int i = 0; i < CALLS; i++) {
        memset(out, 0, sizeof out);
        ps_ymm(out, STATUS);
        differ += memcmp(out, ps_pattern, 512) != 0;
    }
    CHECK_EQ("calls changing a ymm register", differ, 0);
    CHECK_EQ("value read", out[512], status());
    CHECK_EQ("site's first byte", code_byte(ps_ymm_site), want_site_byte());
}
#endif

static void on_usr1(int sig)
{
    (void)sig;
}

/* Under auto: a site patched while the program had no handler is undone when it installs
 * one, and stays a trap. */
static void case_handler_later(void)
{
    uint32_t v = status();
    CHECK_EQ("sum of 1000 reads", ps_sum(STATUS, 1000), 1000 * v);
    CHECK_EQ("site's first byte", code_byte(ps_sum_site), 0xe9);
    signal(SIGUSR1, on_usr1);
    CHECK_EQ("site's first byte once the program has a handler", code_byte(ps_sum_site), 0xec);
    CHECK_EQ("sum of 1000 reads", ps_sum(STATUS, 1000), 1000 * v);
    CHECK_EQ("site's first byte after them", code_byte(ps_sum_site), 0xec);
}

/* Under auto: a program with a handler before its site is hot is not patched. */
static void case_handler_first(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    uint32_t v = status();
    CHECK_EQ("sum of 1000 reads", ps_sum(STATUS, 1000), 1000 * v);
    CHECK_EQ("site's first byte", code_byte(ps_sum_site), 0xec);
}

#define THREADS 4
static uint32_t thread_sums[THREADS];

static void *thread_main(void *arg)
{
    uintptr_t i = (uintptr_t)arg;
    for (int k = 0; k < 20; k++)
        thread_sums[i] += ps_sum(STATUS, 500) + ps_into(STATUS, (int)(k & 1));
    return NULL;
}

static void case_threads(void)
{
    uint32_t v = status();
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, thread_main, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    uint32_t want = 20 * 500 * v + 10 * (v + 3) + 10 * 3;
    for (int i = 0; i < THREADS; i++)
        CHECK_EQ("a thread's sum", thread_sums[i], want);
    CHECK_EQ("site's first byte", code_byte(ps_sum_site), want_site_byte());
}

/* Whether the process is registered for membarrier's SYNC_CORE, which the patcher
 * registers when it first asks whether the machine can take patches: printed, not
 * checked, because the answer depends on IOTRAP_PATCH (the suite checks it). */
static void case_registered(void)
{
    long r = syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
    printf("registered for SYNC_CORE: %s\n", r == 0 ? "yes" : "no");
}

int main(int argc, char **argv)
{
    static const struct progs_case cases[] = {
        {"registered", case_registered},
        {"sum", case_sum},       {"into", case_into},       {"fault", case_fault},
        {"regs", case_regs},     {"threads", case_threads}, {"branch", case_branch},
        {"regs-bus", case_regs_bus}, {"xstate", case_xstate}, {"xstate-bus", case_xstate_bus},
        {"xstate-devices", case_xstate_devices}, {"wide-devices", case_wide_devices},
        {"pair", case_pair},
        {"handler-later", case_handler_later}, {"handler-first", case_handler_first},
#if defined(__x86_64__)
        {"ymm", case_ymm},       {"rip", case_rip},
#endif
        {NULL, NULL},
    };
    return progs_main(argc, argv, cases);
}
