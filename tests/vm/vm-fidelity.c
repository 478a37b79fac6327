/* Fidelity of trapped-and-emulated port I/O against the real CPU, on QEMU's devices.
 *
 *   vm-fidelity [--ioperm] [--lpt BASE] [--uart BASE] all|bytes|lpt|lptuart
 *
 * Generates a fixed set of IN/OUT/INS/OUTS encodings with DX ports (every width, operand-
 * size, address-size, REP/REPNE, segment and REX prefixes in several orders, REP counts
 * 0..7, DF clear and set, 64- and 32-bit addressing with garbage in the upper register
 * halves) and runs each on a known register file and memory buffer.  It prints one line
 * per case: the registers, the buffer and the device registers afterwards.  Run with
 * --ioperm as root it executes natively; under `iotrap run` every instruction traps and
 * is emulated through the backend, and the transcripts must be identical.
 *
 * The imm8-port forms (E4-E7) are not generated: every port below 0x100 is a system
 * device.  Control-register values never have STROBE (bit 0) or IRQ enable (bit 4) set:
 * a strobe would print a byte, and ppdev leaves bit 4 to the kernel.
 * "lpt" keeps to 0x378-0x37a (all that ppdev reaches); "lptuart" adds the UART's
 * MSR/scratch registers (for a ppdev LPT beside another backend's UART); "all" adds
 * 4-byte LPT accesses to that; "bytes" is "all" without the 4-byte LPT accesses,
 * for /dev/port: QEMU answers a 4-byte IN on its LPT with 0xffffffff and drops a 4-byte
 * OUT (its LPT registers take byte accesses only, and QEMU splits only 2-byte ones),
 * while /dev/port always does byte accesses at four consecutive ports.
 * With --lpt or --uart the accesses go natively to moved devices (vm_where.h); DX holds
 * the moved port, and is printed as the legacy one so that the transcripts compare.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "vm_where.h"

struct regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rflags;
};

/* Loads every general register and RFLAGS from *r, calls code, stores them back. */
void fid_run(struct regs *r, const void *code);
__asm__(".text\n"
        ".globl fid_run\n"
        "fid_run:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  push %rdi\n"
        "  push %rsi\n"
        "  pushq 120(%rdi)\n popfq\n"
        "  mov 0(%rdi),%rax\n mov 8(%rdi),%rbx\n mov 16(%rdi),%rcx\n mov 24(%rdi),%rdx\n"
        "  mov 32(%rdi),%rsi\n mov 48(%rdi),%rbp\n mov 56(%rdi),%r8\n mov 64(%rdi),%r9\n"
        "  mov 72(%rdi),%r10\n mov 80(%rdi),%r11\n mov 88(%rdi),%r12\n mov 96(%rdi),%r13\n"
        "  mov 104(%rdi),%r14\n mov 112(%rdi),%r15\n mov 40(%rdi),%rdi\n"
        "  call *(%rsp)\n"
        "  pushfq\n"
        "  xchg %rdi,16(%rsp)\n"
        "  mov %rax,0(%rdi)\n mov %rbx,8(%rdi)\n mov %rcx,16(%rdi)\n mov %rdx,24(%rdi)\n"
        "  mov %rsi,32(%rdi)\n mov %rbp,48(%rdi)\n mov %r8,56(%rdi)\n mov %r9,64(%rdi)\n"
        "  mov %r10,72(%rdi)\n mov %r11,80(%rdi)\n mov %r12,88(%rdi)\n mov %r13,96(%rdi)\n"
        "  mov %r14,104(%rdi)\n mov %r15,112(%rdi)\n"
        "  popq 120(%rdi)\n"
        "  add $8,%rsp\n"
        "  pop %rax\n mov %rax,40(%rdi)\n"
        "  cld\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n");

#define MAP_AT ((void *)0x20000000)
#define BUFSZ 64

static uint8_t *code, *buf;
static int lpt_only;
static uint64_t fsbase;
static unsigned ncases;

enum { IN, OUT, INS, OUTS };

/* Makes a control-register-safe byte: never STROBE (bit 0) nor IRQ enable (bit 4). */
static uint8_t safe(unsigned v)
{
    return (uint8_t)(v & 0xee);
}

static void device_state(char *out, size_t len)
{
    unsigned d = vm_in(vm_where(0x378), 1), c = vm_in(vm_where(0x37a), 1);
    if (lpt_only)
        snprintf(out, len, "378:%02x 37a:%02x", d, c);
    else
        snprintf(out, len, "378:%02x 37a:%02x 3ff:%02x", d, c, vm_in(vm_where(0x3ff), 1));
}

static void run_case(const uint8_t *bytes, size_t n, int op, unsigned port, unsigned width,
                     uint64_t count, int df, int a32, int fs)
{
    memcpy(code, bytes, n);
    code[n] = 0xc3; /* ret */
    for (unsigned i = 0; i < BUFSZ; i++)
        buf[i] = safe(i * 0x26 + 0x14 + ncases);
    struct regs r = {
        .rax = 0x1111111100000000ull | safe(ncases * 5 + 0x40) |
               (uint64_t)safe(ncases * 3 + 0x82) << 8 | (uint64_t)safe(ncases * 11 + 0x26) << 16 |
               (uint64_t)safe(ncases + 0xc4) << 24,
        .rbx = 0x2222222222222222ull, .rbp = 0x3333333333333333ull,
        .r8 = 8, .r9 = 9, .r10 = 10, .r11 = 11, .r12 = 12, .r13 = 13, .r14 = 14, .r15 = 15,
    };
    r.rdx = 0xabcd000000000000ull | vm_where(port);
    r.rcx = count | (a32 ? 0xfeed000100000000ull : 0);
    uint64_t start = (uint64_t)(uintptr_t)buf + (df ? 40 : 8);
    r.rsi = start | (a32 ? 0xdead000000000000ull : 0);
    r.rdi = start | (a32 ? 0xbeef000000000000ull : 0);
    if (fs)
        r.rsi = start - fsbase;
    r.rflags = 0x202 | (df ? 0x400 : 0);
    (void)op, (void)width;
    fid_run(&r, code);
    char dev[64];
    device_state(dev, sizeof dev);
    printf("%04u", ncases++);
    for (size_t i = 0; i < n; i++)
        printf("%s%02x", i ? "" : " ", bytes[i]);
    /* Addresses are printed relative to the buffer (FS-relative ones made linear). */
    uint64_t rsi = fs ? r.rsi + fsbase : r.rsi;
    printf(" | ax=%016" PRIx64 " cx=%016" PRIx64 " dx=%016" PRIx64 " si=%016" PRIx64
           " di=%016" PRIx64 " fl=%03" PRIx64,
           r.rax, r.rcx, r.rdx - vm_where(port) + port, rsi - (uint64_t)(uintptr_t)buf,
           r.rdi - (uint64_t)(uintptr_t)buf, r.rflags & 0xcd5);
    if (r.rbx != 0x2222222222222222ull || r.rbp != 0x3333333333333333ull || r.r8 != 8 ||
        r.r15 != 15)
        printf(" CLOBBERED");
    printf(" | ");
    for (unsigned i = 0; i < BUFSZ; i++)
        printf("%02x", buf[i]);
    printf(" | %s\n", dev);
}

struct pw {
    unsigned port, width;
};

int main(int argc, char **argv)
{
    int a = 1;
    setvbuf(stdout, NULL, _IOLBF, 0); /* a crash shows the last case */
    if (vm_where_options(argc, argv, &a) != 0)
        return 2;
    if (a + 1 != argc || (strcmp(argv[a], "all") && strcmp(argv[a], "bytes") &&
                          strcmp(argv[a], "lpt") && strcmp(argv[a], "lptuart"))) {
        fprintf(stderr, "usage: vm-fidelity [--ioperm] [--lpt BASE] [--uart BASE] "
                        "all|bytes|lpt|lptuart\n");
        return 2;
    }
    lpt_only = !strcmp(argv[a], "lpt");
    int bytes = !strcmp(argv[a], "bytes"), lptuart = !strcmp(argv[a], "lptuart");
    void *m = mmap(MAP_AT, 2 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != MAP_AT) {
        fprintf(stderr, "mmap at %p: %s\n", MAP_AT, strerror(errno));
        return 2;
    }
    code = m;
    buf = (uint8_t *)m + 4096;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &fsbase);

    /* The LPT's three SPP registers (all that ppdev reaches), the UART's scratch and MSR,
     * then 4-byte LPT accesses.  0x37c-0x37f: no register in QEMU's LPT (all ones, writes
     * dropped), the one place where a 4-byte access means the same to QEMU and to
     * /dev/port. */
    static const struct pw set[] = {{0x378, 1}, {0x378, 2}, {0x379, 1}, {0x379, 2},
                                    {0x37a, 1}, {0x3ff, 1}, {0x3fe, 2}, {0x37c, 4},
                                    {0x378, 4}};
    size_t nset = lpt_only ? 5 : lptuart ? 7 : bytes ? 8 : 9;
    for (size_t k = 0; k < nset; k++) {
        vm_require_safe(set[k].port, set[k].width);
        vm_require_safe(vm_where(set[k].port), set[k].width);
    }

    for (size_t k = 0; k < nset; k++) {
        unsigned port = set[k].port, w = set[k].width;
        for (int op = IN; op <= OUTS; op++) {
            uint8_t opc = (uint8_t)((op == IN ? 0xec : op == OUT ? 0xee : op == INS ? 0x6c : 0x6e) +
                                    (w > 1));
            if (op == IN || op == OUT) {
                /* Prefix variants that must not change anything but the width. */
                /* The 2-byte forms get a REX without W: 66 with REX.W makes a 4-byte
                 * access, which would reach past the ports this test may touch. */
                static const uint8_t variants[][3] = {
                    {0}, {1, 0x2e}, {1, 0xf3}, {1, 0x67}, {1, 0x48}, {2, 0x3e, 0x26}, {2, 0xf2, 0x41},
                };
                for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
                    for (int order = 0; order <= (w == 2); order++) {
                        /* 66 first or last among the legacy prefixes; REX right before
                         * the opcode, where it has to be. */
                        uint8_t b[8], rex = 0;
                        size_t n = 0;
                        if (w == 2 && order == 0)
                            b[n++] = 0x66;
                        for (int i = 0; i < variants[v][0]; i++) {
                            uint8_t p = variants[v][1 + i];
                            if ((p & 0xf0) == 0x40)
                                rex = w == 2 ? (uint8_t)(p & ~0x08) : p;
                            else
                                b[n++] = p;
                        }
                        if (w == 2 && order == 1)
                            b[n++] = 0x66;
                        if (rex)
                            b[n++] = rex;
                        b[n++] = opc;
                        run_case(b, n, op, port, w, 5, 0, 0, 0);
                    }
                continue;
            }
            /* String forms. */
            static const struct {
                int rep;
                uint64_t count;
            } reps[] = {{0, 3}, {0xf3, 0}, {0xf3, 1}, {0xf3, 3}, {0xf3, 7}, {0xf2, 2}};
            for (size_t r = 0; r < sizeof reps / sizeof reps[0]; r++)
                for (int df = 0; df <= 1; df++)
                    for (int a32 = 0; a32 <= 1; a32++)
                        for (int order = 0; order <= 1; order++)
                            for (int seg = 0; seg <= (op == OUTS ? 2 - a32 : 0); seg++) {
                                /* (FS with 32-bit addressing would need the buffer within
                                 * 4 GiB above the FS base: not generated.) */
                                uint8_t b[8];
                                size_t n = 0;
                                uint8_t pre[4];
                                size_t np = 0;
                                if (w == 2)
                                    pre[np++] = 0x66;
                                if (a32)
                                    pre[np++] = 0x67;
                                if (reps[r].rep)
                                    pre[np++] = (uint8_t)reps[r].rep;
                                if (seg == 1)
                                    pre[np++] = 0x2e; /* ignored in 64-bit mode */
                                if (seg == 2)
                                    pre[np++] = 0x64; /* FS: its base counts */
                                for (size_t i = 0; i < np; i++)
                                    b[n++] = pre[order ? np - 1 - i : i];
                                b[n++] = opc;
                                /* Control-register strings: data already safe. */
                                run_case(b, n, op, port, w, reps[r].count, df, a32, seg == 2);
                            }
        }
    }
    fprintf(stderr, "%u cases\n", ncases);
    return 0;
}
