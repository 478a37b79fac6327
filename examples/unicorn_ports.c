/* unicorn_ports: an x86-64 emulator built on Unicorn whose port I/O is libiotrap's.
 *
 *     unicorn_ports [--device SPEC]... [--device-plugin FILE]... CODE.bin
 *
 * Loads the flat 64-bit code of CODE.bin at 0x10000000 and runs it until its last byte,
 * which must be a RET, with RBX pointing to a zeroed 4 KiB data page at 0x20000000 and the
 * GS base at RBX + 0x800 (unicorn_demo.S is such code).  Every IN, OUT, INS and OUTS goes
 * to a port session of iotrap's simulated board with the devices given (the default board
 * without --device) through iotrap_decode() and iotrap_execute(), with the guest's
 * registers and memory reached through Unicorn's register and memory API.  At the end it
 * prints RAX, RBX, RCX, RDX, RSI, RDI, R8 and the data page.
 *
 * How the port instructions reach libiotrap.  Unicorn has instruction hooks
 * (UC_HOOK_INSN) for IN and OUT only: it calls them with the port and size and then writes
 * AL/AX/EAX and advances RIP itself.  INS and OUTS have no hook of their own: their
 * elements reach the IN and OUT hooks one at a time while Unicorn moves the memory and
 * steps rSI/rDI and rCX itself, so there is no point at which a string instruction as a
 * whole (or its memory fault) can be handed over.  The workaround, used for every form so
 * that all of them are executed one way: a UC_HOOK_CODE hook sees each instruction before
 * Unicorn runs it (for REP strings, before each iteration); the bytes at RIP go to
 * iotrap_decode(), and a port instruction is executed by iotrap_execute() on registers read
 * with uc_reg_read(), written back with uc_reg_write(), and skipped by writing RIP past it
 * (Unicorn 2 resumes where a hook puts RIP).  The IN and OUT hooks stay installed only to
 * prove it: were one ever called, a port access would have bypassed libiotrap, and the
 * program fails.
 *
 * A memory fault of INS or OUTS stops the emulation with a message here; an emulator of a
 * whole machine would raise #PF in the guest at the registers iotrap_execute left (the
 * elements done counted, RIP at the instruction).  A denied port would be its #GP, which it
 * can decide before executing with iotrap_io_permitted() and the guest's TSS bitmap.
 *
 * Build:  cc -o unicorn_ports unicorn_ports.c $(pkg-config --cflags --libs iotrap unicorn)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include <iotrap/iotrap.h>

#define CODE_BASE 0x10000000u
#define CODE_MAX (1u << 20)
#define DATA_BASE 0x20000000u
#define DATA_SIZE 0x1000u
#define MAX_SPECS 32

struct machine {
    uc_engine *uc;
    iotrap_ports *ports;
    uint64_t pc;             /* the instruction being executed, for the session's trace */
    uc_mem_region *regions;  /* the guest's memory map, which this program never changes */
    uint32_t nregions;
    unsigned bypassed;       /* port accesses that reached Unicorn's own IN/OUT hooks */
    int status;              /* IOTRAP_OK, or why the emulation stopped */
    iotrap_exec_fault fault;
};

/* ---- What iotrap_execute calls: the port session and the guest's memory ---------------- */

static int port_in(void *ctx, uint16_t port, unsigned width, uint32_t *value)
{
    struct machine *m = ctx;
    return iotrap_ports_in(m->ports, port, width, value, m->pc);
}

static int port_out(void *ctx, uint16_t port, unsigned width, uint32_t value)
{
    struct machine *m = ctx;
    return iotrap_ports_out(m->ports, port, width, value, m->pc);
}

static int port_in_string(void *ctx, uint16_t port, unsigned width, void *buf, size_t count)
{
    struct machine *m = ctx;
    return iotrap_ports_in_string(m->ports, port, width, buf, count, m->pc);
}

static int port_out_string(void *ctx, uint16_t port, unsigned width, const void *buf,
                           size_t count)
{
    struct machine *m = ctx;
    return iotrap_ports_out_string(m->ports, port, width, buf, count, m->pc);
}

/* How many leading bytes at addr are mapped with all of `perms`. */
static size_t accessible(const struct machine *m, uint64_t addr, size_t len, uint32_t perms)
{
    size_t done = 0;
    while (done < len) {
        uint64_t at = addr + done;
        const uc_mem_region *r = NULL;
        for (uint32_t i = 0; i < m->nregions && !r; i++)
            if (at >= m->regions[i].begin && at <= m->regions[i].end &&
                (m->regions[i].perms & perms) == perms)
                r = &m->regions[i];
        if (!r)
            break;
        uint64_t room = r->end - at + 1;
        done += room < len - done ? (size_t)room : len - done;
    }
    return done;
}

static size_t mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct machine *m = ctx;
    size_t n = accessible(m, addr, len, UC_PROT_READ);
    return n && uc_mem_read(m->uc, addr, buf, n) != UC_ERR_OK ? 0 : n;
}

static size_t mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    struct machine *m = ctx;
    size_t n = accessible(m, addr, len, UC_PROT_WRITE);
    return n && uc_mem_write(m->uc, addr, buf, n) != UC_ERR_OK ? 0 : n;
}

static size_t mem_writable(void *ctx, uint64_t addr, size_t len)
{
    return accessible(ctx, addr, len, UC_PROT_WRITE);
}

static const iotrap_exec_ops exec_ops = {
    .size = sizeof(iotrap_exec_ops),
    .in = port_in,
    .out = port_out,
    .in_string = port_in_string,
    .out_string = port_out_string,
    .mem_read = mem_read,
    .mem_write = mem_write,
    .mem_writable = mem_writable,
};

/* ---- The hooks --------------------------------------------------------------------------- */

static void stop(struct machine *m, int status)
{
    m->status = status;
    uc_emu_stop(m->uc);
}

static void on_instruction(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct machine *m = user;
    (void)size;
    uint8_t code[IOTRAP_MAX_INSN_LEN];
    size_t avail = accessible(m, address, sizeof code, UC_PROT_EXEC);
    iotrap_insn insn;
    if (uc_mem_read(uc, address, code, avail) != UC_ERR_OK ||
        iotrap_decode(code, avail, 64, &insn) != IOTRAP_OK)
        return; /* not port I/O: Unicorn runs it */

    /* What the instruction reads: the registers below and, in 64-bit mode, the FS and GS
     * bases (the others are 0). */
    static const int ids[] = { UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX,
                               UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_RIP,
                               UC_X86_REG_EFLAGS, UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE };
    iotrap_regs r = { .size = sizeof r };
    void *vals[] = { &r.rax, &r.rcx, &r.rdx, &r.rsi, &r.rdi, &r.rip, &r.rflags,
                     &r.seg_base[IOTRAP_SEG_FS], &r.seg_base[IOTRAP_SEG_GS] };
    if (uc_reg_read_batch(uc, (int *)ids, vals, (int)(sizeof ids / sizeof ids[0])) !=
        UC_ERR_OK) {
        stop(m, IOTRAP_E_SYSTEM);
        return;
    }
    m->pc = address;
    static uint8_t scratch[4096];
    int st = iotrap_execute(&insn, &r, &exec_ops, m, scratch, sizeof scratch, &m->fault);

    /* What it writes, also on a fault or a failed port (the elements done count), RIP
     * last: past the instruction on success, where it was otherwise. */
    static const int out_ids[] = { UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RSI,
                                   UC_X86_REG_RDI, UC_X86_REG_RIP };
    void *out_vals[] = { &r.rax, &r.rcx, &r.rsi, &r.rdi, &r.rip };
    if (uc_reg_write_batch(uc, (int *)out_ids, out_vals, 5) != UC_ERR_OK)
        st = IOTRAP_E_SYSTEM;
    if (st != IOTRAP_OK)
        stop(m, st);
}

static uint32_t bypass_in(uc_engine *uc, uint32_t port, int size, void *user)
{
    struct machine *m = user;
    (void)port;
    (void)size;
    m->bypassed++;
    uc_emu_stop(uc);
    return 0;
}

static void bypass_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
    struct machine *m = user;
    (void)port;
    (void)size;
    (void)value;
    m->bypassed++;
    uc_emu_stop(uc);
}

/* ---- The program ------------------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: unicorn_ports [--device SPEC]... [--device-plugin FILE]... "
                    "CODE.bin\n");
    return 2;
}

static long load(const char *path, uint8_t *buf, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t n = fread(buf, 1, max, f);
    int more = fgetc(f) != EOF;
    fclose(f);
    if (more || n == 0 || buf[n - 1] != 0xc3) {
        fprintf(stderr, "%s: must be 1 byte to 1 MiB of code ending with a RET (0xc3)\n", path);
        return -1;
    }
    return (long)n;
}

static int check(uc_err e, const char *what)
{
    if (e != UC_ERR_OK)
        fprintf(stderr, "unicorn_ports: %s: %s\n", what, uc_strerror(e));
    return e == UC_ERR_OK;
}

int main(int argc, char **argv)
{
    const char *devices[MAX_SPECS + 1], *plugins[MAX_SPECS + 1];
    size_t ndevices = 0, nplugins = 0;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--device") == 0 && ndevices < MAX_SPECS)
            devices[ndevices++] = argv[i + 1];
        else if (strcmp(argv[i], "--device-plugin") == 0 && nplugins < MAX_SPECS)
            plugins[nplugins++] = argv[i + 1];
        else
            return usage();
    }
    if (i + 1 != argc)
        return usage();
    devices[ndevices] = plugins[nplugins] = NULL;

    static uint8_t code[CODE_MAX];
    long ncode = load(argv[i], code, sizeof code);
    if (ncode < 0)
        return 1;

    struct machine m = { 0 };
    char err[512];
    iotrap_ports_config cfg = { .size = sizeof cfg, .backend = "sim",
                                .devices = ndevices ? devices : NULL, .plugins = plugins };
    int st = iotrap_ports_open(&cfg, &m.ports, err, sizeof err);
    if (st != IOTRAP_OK) {
        fprintf(stderr, "unicorn_ports: %s\n", err);
        return 1;
    }

    uint64_t rbx = DATA_BASE, gs = DATA_BASE + 0x800, code_size = (ncode + 0xfffu) & ~0xfffu;
    uc_hook h_code, h_in, h_out;
    int ok = check(uc_open(UC_ARCH_X86, UC_MODE_64, &m.uc), "uc_open") &&
             check(uc_mem_map(m.uc, CODE_BASE, code_size, UC_PROT_READ | UC_PROT_EXEC),
                   "mapping the code") &&
             check(uc_mem_map(m.uc, DATA_BASE, DATA_SIZE, UC_PROT_READ | UC_PROT_WRITE),
                   "mapping the data page") &&
             check(uc_mem_write(m.uc, CODE_BASE, code, (size_t)ncode), "loading the code") &&
             check(uc_mem_regions(m.uc, &m.regions, &m.nregions), "uc_mem_regions") &&
             check(uc_reg_write(m.uc, UC_X86_REG_RBX, &rbx), "RBX") &&
             check(uc_reg_write(m.uc, UC_X86_REG_GS_BASE, &gs), "the GS base") &&
             check(uc_hook_add(m.uc, &h_code, UC_HOOK_CODE, (void *)on_instruction, &m,
                               CODE_BASE, CODE_BASE + (uint64_t)ncode - 1), "UC_HOOK_CODE") &&
             check(uc_hook_add(m.uc, &h_in, UC_HOOK_INSN, (void *)bypass_in, &m, 1, 0,
                               UC_X86_INS_IN), "the IN hook") &&
             check(uc_hook_add(m.uc, &h_out, UC_HOOK_INSN, (void *)bypass_out, &m, 1, 0,
                               UC_X86_INS_OUT), "the OUT hook") &&
             check(uc_emu_start(m.uc, CODE_BASE, CODE_BASE + (uint64_t)ncode - 1, 0, 0),
                   "running the code");
    if (ok && m.bypassed) {
        fprintf(stderr, "unicorn_ports: %u port access(es) bypassed libiotrap\n", m.bypassed);
        ok = 0;
    }
    if (ok && m.status == IOTRAP_E_FAULT) {
        fprintf(stderr, "unicorn_ports: %s at 0x%llx: page fault (%s 0x%llx)\n",
                "a string instruction", (unsigned long long)m.pc,
                m.fault.write ? "write to" : "read from", (unsigned long long)m.fault.addr);
        ok = 0;
    } else if (ok && m.status != IOTRAP_OK) {
        fprintf(stderr, "unicorn_ports: the port instruction at 0x%llx: %s\n",
                (unsigned long long)m.pc, iotrap_strerror(m.status));
        ok = 0;
    }

    if (ok) {
        static const int ids[] = { UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX,
                                   UC_X86_REG_RDX, UC_X86_REG_RSI, UC_X86_REG_RDI,
                                   UC_X86_REG_R8 };
        static const char *const names[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8" };
        static uint8_t data[DATA_SIZE];
        for (size_t k = 0; ok && k < sizeof ids / sizeof ids[0]; k++) {
            uint64_t v;
            ok = check(uc_reg_read(m.uc, ids[k], &v), names[k]);
            printf("%s %016llx\n", names[k], (unsigned long long)v);
        }
        ok = ok && check(uc_mem_read(m.uc, DATA_BASE, data, sizeof data), "the data page");
        for (size_t off = 0; ok && off < sizeof data; off += 16) {
            printf("data %03zx", off);
            for (size_t k = 0; k < 16; k++)
                printf(" %02x", data[off + k]);
            printf("\n");
        }
    }
    if (m.regions)
        uc_free(m.regions);
    if (m.uc)
        uc_close(m.uc);
    iotrap_ports_close(m.ports);
    return ok ? 0 : 1;
}
