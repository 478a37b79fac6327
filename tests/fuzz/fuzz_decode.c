/* libFuzzer target: arbitrary bytes and modes into iotrap_decode(), and every successful
 * decode through iotrap_execute() with fake callbacks.  Invariants checked:
 *  - the status is one iotrap_decode may return, and equals the reference model's;
 *  - on success every field is in range, length <= avail and <= 15, and all fields equal
 *    the model's (tests/unit/decode_oracle.h, a separate implementation of the rules);
 *  - the cached and uncached paths agree;
 *  - execution returns OK or FAULT (the fakes never fail a port), leaves RIP at the
 *    instruction on FAULT and after it on success, keeps the upper halves of registers in
 *    16/32-bit modes, and a completed REP leaves the count register zero.
 * The input is copied to a buffer of exactly its size so that AddressSanitizer catches a
 * read past `avail`. */
#include <stdlib.h>
#include <string.h>
#include <iotrap/decode.h>
#include "decoder/uncached.h"
#include "tests/unit/decode_oracle.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

typedef struct fake {
    uint64_t base;
    uint8_t mem[4096];
    unsigned port_elems;
} fake;

static size_t span(fake *f, uint64_t addr, size_t len)
{
    if (addr < f->base || addr - f->base >= sizeof f->mem)
        return 0;
    size_t room = sizeof f->mem - (size_t)(addr - f->base);
    return len < room ? len : room;
}

static int f_in(void *ctx, uint16_t port, unsigned width, uint32_t *v)
{
    fake *f = ctx;
    f->port_elems++;
    *v = port * 0x01010101u;
    CHECK(width == 1 || width == 2 || width == 4);
    return IOTRAP_OK;
}

static int f_out(void *ctx, uint16_t port, unsigned width, uint32_t v)
{
    fake *f = ctx;
    f->port_elems++;
    CHECK(width == 4 || (v >> (8 * width)) == 0);
    return IOTRAP_OK;
}

static int f_in_string(void *ctx, uint16_t port, unsigned width, void *buf, size_t count)
{
    fake *f = ctx;
    f->port_elems += (unsigned)count;
    memset(buf, port & 0xff, count * width);
    return IOTRAP_OK;
}

static int f_out_string(void *ctx, uint16_t port, unsigned width, const void *buf, size_t count)
{
    fake *f = ctx;
    f->port_elems += (unsigned)count;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < count * width; i++)
        sink ^= ((const uint8_t *)buf)[i];
    (void)sink;
    return IOTRAP_OK;
}

static size_t f_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    fake *f = ctx;
    size_t n = span(f, addr, len);
    memcpy(buf, f->mem + (addr - f->base) * (n != 0), n);
    return n;
}

static size_t f_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    fake *f = ctx;
    size_t n = span(f, addr, len);
    memcpy(f->mem + (addr - f->base) * (n != 0), buf, n);
    return n;
}

static size_t f_writable(void *ctx, uint64_t addr, size_t len)
{
    return span(ctx, addr, len);
}

static uint64_t take64(const uint8_t **p, size_t *n)
{
    uint64_t v = 0;
    size_t k = *n < 8 ? *n : 8;
    memcpy(&v, *p, k);
    *p += k;
    *n -= k;
    return v;
}

static void exercise_exec(const iotrap_insn *x, const uint8_t *p, size_t n, unsigned sel)
{
    static fake f;
    f.base = 0x10000 + (sel & 0x30) * 0x100;
    f.port_elems = 0;
    iotrap_regs r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.rax = take64(&p, &n);
    r.rcx = take64(&p, &n) & ((sel & 0x40) ? 0xfff : 0x1f); /* bounded counts */
    r.rcx |= take64(&p, &n) & 0xffffffff00000000ull;       /* and noise above them */
    r.rdx = take64(&p, &n);
    r.rsi = f.base + (take64(&p, &n) & 0x1fff) - 0x800;
    r.rdi = f.base + (take64(&p, &n) & 0x1fff) - 0x800;
    r.rip = take64(&p, &n);
    r.rflags = (sel & 0x80) ? 1u << 10 : 0;
    for (int s = 0; s < 6; s++)
        r.seg_base[s] = (sel & 0x100) ? take64(&p, &n) & 0xfff : 0;
    iotrap_regs before = r;
    iotrap_exec_ops ops = { .size = sizeof ops, .in = f_in, .out = f_out, .mem_read = f_read,
                            .mem_write = f_write, .mem_writable = f_writable };
    if (sel & 1) {
        ops.in_string = f_in_string;
        ops.out_string = f_out_string;
    }
    static uint8_t scratch[4096];
    size_t scratch_size = (sel & 4) ? ((sel >> 3) & 7) * 37 : 0;
    iotrap_exec_fault fault;
    int rc = iotrap_execute(x, &r, &ops, &f, scratch_size ? scratch : NULL, scratch_size, &fault);
    CHECK(rc == IOTRAP_OK || rc == IOTRAP_E_FAULT);
    if (rc == IOTRAP_E_FAULT) {
        CHECK(x->op == IOTRAP_OP_INS || x->op == IOTRAP_OP_OUTS);
        CHECK(r.rip == before.rip);
        CHECK(fault.write == (x->op == IOTRAP_OP_INS));
    } else {
        uint64_t next = before.rip + x->length;
        uint64_t want = x->mode == 64 ? next
            : (before.rip & ~0xffffffffull) | (x->mode == 16 ? next & 0xffff : (uint32_t)next);
        CHECK(r.rip == want);
        if (x->rep) {
            uint64_t mask = x->addr_size == 16 ? 0xffff : x->addr_size == 32 ? 0xffffffff : ~0ull;
            CHECK((r.rcx & mask) == 0);
        }
    }
    if (x->mode != 64) {
        CHECK((r.rax >> 32) == (before.rax >> 32));
        CHECK((r.rcx >> 32) == (before.rcx >> 32));
        CHECK((r.rsi >> 32) == (before.rsi >> 32));
        CHECK((r.rdi >> 32) == (before.rdi >> 32));
    }
    CHECK(r.rdx == before.rdx && r.rflags == before.rflags);
    if (x->op == IOTRAP_OP_OUT || x->op == IOTRAP_OP_OUTS)
        CHECK(r.rax == before.rax);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const int modes[] = { 16, 32, 64, 64, 0, 8, 48, -32 };
    int mode = modes[data[0] & 7];
    unsigned sel = data[1] | (unsigned)(data[0] >> 3) << 8;
    data += 2;
    size -= 2;
    size_t avail = size < 20 ? size : 20;
    uint8_t *code = malloc(avail ? avail : 1);
    memcpy(code, data, avail);

    iotrap_insn x, y, want;
    int rc = iotrap__decode_uncached(code, avail, mode, &x);
    int rc2 = iotrap_decode(code, avail, mode, &y);
    int orc = oracle_decode(code, avail, mode, &want);
    CHECK(rc == IOTRAP_OK || rc == IOTRAP_E_NOT_IO || rc == IOTRAP_E_TRUNCATED
          || rc == IOTRAP_E_BAD_INSN || rc == IOTRAP_E_TOO_LONG || rc == IOTRAP_E_BAD_MODE);
    CHECK(rc == orc && rc == rc2);
    if (rc == IOTRAP_OK) {
        CHECK(x.length >= 1 && x.length <= avail && x.length <= IOTRAP_MAX_INSN_LEN);
        CHECK(x.op <= IOTRAP_OP_OUTS && x.seg <= IOTRAP_SEG_GS && x.mode == mode);
        CHECK(x.width == 1 || x.width == 2 || x.width == 4);
        CHECK(x.addr_size == 16 || x.addr_size == 32 || x.addr_size == 64);
        CHECK(memcmp(&x, &y, sizeof x) == 0 && memcmp(&x, &want, sizeof x) == 0);
        char text[128];
        CHECK(iotrap_insn_format(&x, text, sizeof text) > 0);
        CHECK(iotrap_insn_json(&x, text, sizeof text) > 0);
        exercise_exec(&x, data + avail, size - avail, sel);
    }
    free(code);
    return 0;
}
