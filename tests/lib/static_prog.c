/* A program that uses libiotrap and is linked against libiotrap.a (tests/lib/static.sh):
 * a decode, an execution against a port session of the simulated board, the permission
 * rule and the version.  Prints one line per check and exits 0 when all passed. */
#include <stdio.h>
#include <string.h>
#include <iotrap/iotrap.h>

static int failed;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    failed |= !ok;
}

static int in(void *ctx, uint16_t port, unsigned width, uint32_t *value)
{
    return iotrap_ports_in(ctx, port, width, value, 0);
}

static int out(void *ctx, uint16_t port, unsigned width, uint32_t value)
{
    return iotrap_ports_out(ctx, port, width, value, 0);
}

static size_t no_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx, (void)addr, (void)buf, (void)len;
    return 0;
}

static size_t no_store(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    (void)ctx, (void)addr, (void)buf, (void)len;
    return 0;
}

static size_t none_writable(void *ctx, uint64_t addr, size_t len)
{
    (void)ctx, (void)addr, (void)len;
    return 0;
}

int main(void)
{
    check(strcmp(iotrap_version(), IOTRAP_VERSION_STRING) == 0, "iotrap_version()");

    static const unsigned char out_dx_ax[] = { 0x66, 0xef }, in_ax_dx[] = { 0x66, 0xed };
    iotrap_insn o, i;
    check(iotrap_decode(out_dx_ax, sizeof out_dx_ax, 64, &o) == IOTRAP_OK && o.width == 2,
          "iotrap_decode(66 ef)");
    check(iotrap_decode(in_ax_dx, sizeof in_ax_dx, 64, &i) == IOTRAP_OK, "iotrap_decode(66 ed)");

    const char *devices[] = { "ram@0x300-0x303", NULL };
    iotrap_ports_config cfg = { .size = sizeof cfg, .backend = "sim", .devices = devices };
    iotrap_ports *ports = NULL;
    char err[256];
    check(iotrap_ports_open(&cfg, &ports, err, sizeof err) == IOTRAP_OK, "iotrap_ports_open");
    if (!ports) {
        printf("  %s\n", err);
        return 1;
    }
    iotrap_exec_ops ops = { .size = sizeof ops, .in = in, .out = out, .mem_read = no_memory,
                            .mem_write = no_store, .mem_writable = none_writable };
    iotrap_regs r = { .size = sizeof r, .rax = 0xbeef, .rdx = 0x302 };
    check(iotrap_execute(&o, &r, &ops, ports, NULL, 0, NULL) == IOTRAP_OK, "OUT DX, AX");
    r.rax = 0x1111111111111111ull;
    check(iotrap_execute(&i, &r, &ops, ports, NULL, 0, NULL) == IOTRAP_OK &&
          r.rax == 0x111111111111beefull, "IN AX, DX reads it back");
    iotrap_ports_close(ports);

    static const uint8_t bitmap[] = { 0xfe, 0xff, 0xff };
    iotrap_io_perm perm = { .size = sizeof perm, .cpl = 3, .bitmap = bitmap,
                            .bitmap_len = sizeof bitmap };
    check(iotrap_io_permitted(&perm, 0, 1) == 1 && iotrap_io_permitted(&perm, 1, 1) == 0,
          "iotrap_io_permitted");
    return failed;
}
