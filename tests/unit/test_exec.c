/* iotrap_execute(): every form and width against fake port and memory callbacks. */
#include "tests/unit/harness.h"
#include <iotrap/decode.h>

/* ---- a fake machine -------------------------------------------------------------- */

#define NWIN 4
#define DF (1u << 10)
/* Registers as a caller fills them in: the size, then the fields given. */
#define REGS(...) { .size = sizeof(iotrap_regs), __VA_ARGS__ }

typedef struct window {
    uint64_t start;
    size_t size;
    uint8_t data[8192];
} window;

typedef struct fake {
    window win[NWIN];
    int nwin;
    uint64_t hole;            /* one byte inside the windows that is not there (0: none) */
    int use_strings;          /* offer in_string/out_string */
    int use_writable;         /* offer mem_writable */
    uint32_t next_in;         /* value of the next element read from a port */
    unsigned in_elems;        /* elements consumed from the port */
    uint32_t out_log[8192];   /* elements written to the port */
    unsigned out_elems;
    uint16_t last_port;
    unsigned string_calls, elem_calls, mem_calls;
    size_t max_string;
    int fail_in_after;        /* per-element `in` fails after this many (-1: never) */
    int port_status;          /* what the port callbacks return when failing */
} fake;

static uint8_t *byte_at(fake *f, uint64_t a)
{
    if (f->hole && a == f->hole)
        return NULL;
    for (int i = 0; i < f->nwin; i++)
        if (a >= f->win[i].start && a - f->win[i].start < f->win[i].size)
            return &f->win[i].data[a - f->win[i].start];
    return NULL;
}

static void add_window(fake *f, uint64_t start, size_t size)
{
    assert_true(f->nwin < NWIN && size <= sizeof f->win[0].data);
    f->win[f->nwin].start = start;
    f->win[f->nwin].size = size;
    memset(f->win[f->nwin].data, 0xee, size);
    f->nwin++;
}

static int f_in(void *ctx, uint16_t port, unsigned width, uint32_t *v)
{
    fake *f = ctx;
    f->elem_calls++;
    f->last_port = port;
    if (f->fail_in_after >= 0 && f->in_elems >= (unsigned)f->fail_in_after)
        return f->port_status;
    *v = f->next_in++ & (width == 1 ? 0xffu : width == 2 ? 0xffffu : ~0u);
    f->in_elems++;
    return IOTRAP_OK;
}

static int f_out(void *ctx, uint16_t port, unsigned width, uint32_t v)
{
    fake *f = ctx;
    f->elem_calls++;
    f->last_port = port;
    if (f->port_status && f->fail_in_after >= 0 && f->out_elems >= (unsigned)f->fail_in_after)
        return f->port_status;
    (void)width;
    f->out_log[f->out_elems++] = v;
    return IOTRAP_OK;
}

static int f_in_string(void *ctx, uint16_t port, unsigned width, void *buf, size_t count)
{
    fake *f = ctx;
    f->string_calls++;
    f->last_port = port;
    if (count > f->max_string)
        f->max_string = count;
    for (size_t k = 0; k < count; k++) {
        uint32_t v = f->next_in++;
        memcpy((uint8_t *)buf + k * width, &v, width);
        f->in_elems++;
    }
    return IOTRAP_OK;
}

static int f_out_string(void *ctx, uint16_t port, unsigned width, const void *buf, size_t count)
{
    fake *f = ctx;
    f->string_calls++;
    f->last_port = port;
    if (count > f->max_string)
        f->max_string = count;
    for (size_t k = 0; k < count; k++) {
        uint32_t v = 0;
        memcpy(&v, (const uint8_t *)buf + k * width, width);
        f->out_log[f->out_elems++] = v;
    }
    return IOTRAP_OK;
}

static size_t f_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    fake *f = ctx;
    f->mem_calls++;
    size_t i = 0;
    for (uint8_t *p; i < len && (p = byte_at(f, addr + i)); i++)
        ((uint8_t *)buf)[i] = *p;
    return i;
}

static size_t f_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    fake *f = ctx;
    f->mem_calls++;
    size_t i = 0;
    for (uint8_t *p; i < len && (p = byte_at(f, addr + i)); i++)
        *p = ((const uint8_t *)buf)[i];
    return i;
}

static size_t f_writable(void *ctx, uint64_t addr, size_t len)
{
    fake *f = ctx;
    size_t i = 0;
    while (i < len && byte_at(f, addr + i))
        i++;
    return i;
}

static iotrap_exec_ops ops_for(const fake *f)
{
    iotrap_exec_ops o = { .size = sizeof o, .in = f_in, .out = f_out, .mem_read = f_read,
                          .mem_write = f_write };
    if (f->use_strings) {
        o.in_string = f_in_string;
        o.out_string = f_out_string;
    }
    if (f->use_writable)
        o.mem_writable = f_writable;
    return o;
}

static fake *new_fake(void)
{
    static fake f;
    memset(&f, 0, sizeof f);
    f.fail_in_after = -1;
    f.next_in = 0x04030201;
    f.use_writable = 1;
    return &f;
}

static iotrap_insn decode(const char *hex, int mode)
{
    uint8_t b[16];
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        b[i] = (uint8_t)v;
    }
    iotrap_insn x;
    assert_int_equal(iotrap_decode(b, n, mode, &x), IOTRAP_OK);
    return x;
}

static int run(const iotrap_insn *x, iotrap_regs *r, fake *f, void *scratch, size_t size,
               iotrap_exec_fault *fault)
{
    iotrap_exec_ops o = ops_for(f);
    return iotrap_execute(x, r, &o, f, scratch, size, fault);
}

/* ---- IN / OUT -------------------------------------------------------------------- */

static void t_in_partial_register_writes(void **state)
{
    (void)state;
    fake *f = new_fake();
    iotrap_regs r = REGS(.rax = 0x1122334455667788, .rdx = 0xabcd0378, .rip = 0x1000);
    iotrap_insn x = decode("ec", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rax, 0x1122334455667701);
    assert_int_equal(f->last_port, 0x378);
    assert_int_equal(r.rip, 0x1001);

    x = decode("66ed", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rax, 0x1122334455660202);
    assert_int_equal(r.rip, 0x1003);

    x = decode("ed", 64); /* 32-bit write in 64-bit mode zero-extends */
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rax, 0x04030203);

    r.rax = 0x1122334455667788;
    x = decode("e5f0", 32); /* 32-bit mode: the upper half is not ours to touch */
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rax, 0x1122334404030204);
    assert_int_equal(f->last_port, 0xf0);

    x = decode("e580", 16); /* 16-bit mode default width 2 */
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rax, 0x1122334404030205);
    x = decode("66e580", 16);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rax, 0x1122334404030206);
}

static void t_rip_wraps_like_the_cpu(void **state)
{
    (void)state;
    fake *f = new_fake();
    iotrap_regs r = REGS(.rip = 0x12340000ffffull);
    iotrap_insn x = decode("e480", 16);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rip, 0x123400000001ull); /* IP wraps at 64 KiB */
    r.rip = 0x77777777ffffffffull;
    x = decode("66ed", 32);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rip, 0x7777777700000001ull);
}

static void t_out_forms(void **state)
{
    (void)state;
    fake *f = new_fake();
    iotrap_regs r = REGS(.rax = 0xdeadbeefcafef00d, .rdx = 0x1234002f8, .rip = 0);
    static const struct { const char *hex; unsigned port; uint32_t v; } c[] = {
        { "ee", 0x2f8, 0x0d }, { "66ef", 0x2f8, 0xf00d }, { "ef", 0x2f8, 0xcafef00d },
        { "e680", 0x80, 0x0d }, { "66e7ff", 0xff, 0xf00d }, { "e710", 0x10, 0xcafef00d },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        iotrap_insn x = decode(c[i].hex, 64);
        uint64_t rip = r.rip;
        assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
        assert_int_equal(f->last_port, c[i].port);
        assert_int_equal(f->out_log[f->out_elems - 1], c[i].v);
        assert_int_equal(r.rip, rip + x.length);
        assert_int_equal(r.rax, 0xdeadbeefcafef00d);
    }
}

static void t_port_error_changes_nothing(void **state)
{
    (void)state;
    fake *f = new_fake();
    f->fail_in_after = 0;
    f->port_status = IOTRAP_E_DENIED;
    iotrap_regs r = REGS(.rax = 0x55, .rip = 0x400), before = r;
    iotrap_insn x = decode("ec", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_E_DENIED);
    assert_memory_equal(&r, &before, sizeof r);
    x = decode("ee", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_E_DENIED);
    assert_memory_equal(&r, &before, sizeof r);
}

/* ---- strings --------------------------------------------------------------------- */

/* Every string form, width, direction, with and without string callbacks. */
static void t_string_forms(void **state)
{
    (void)state;
    static const char *const forms[] = { "6c", "666d", "6d", "6e", "666f", "6f" };
    for (int strings = 0; strings < 2; strings++)
        for (int down = 0; down < 2; down++)
            for (int rep = 0; rep < 2; rep++)
                for (size_t i = 0; i < 6; i++) {
                    fake *f = new_fake();
                    f->use_strings = strings;
                    add_window(f, 0x10000, 0x1000);
                    for (int k = 0; k < 0x1000; k++)
                        f->win[0].data[k] = (uint8_t)k;
                    char hex[8];
                    snprintf(hex, sizeof hex, "%s%s", rep ? "f3" : "", forms[i]);
                    iotrap_insn x = decode(hex, 64);
                    unsigned w = x.width, n = rep ? 5 : 1;
                    uint64_t start = 0x10800;
                    iotrap_regs r = REGS(.rcx = 5, .rdx = 0x3f8, .rsi = start, .rdi = start,
                                         .rflags = down ? DF : 0, .rip = 0x100);
                    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
                    assert_int_equal(f->last_port, 0x3f8);
                    assert_int_equal(r.rip, 0x100 + x.length);
                    assert_int_equal(r.rcx, rep ? 0 : 5);
                    uint64_t end = down ? start - (uint64_t)n * w : start + (uint64_t)n * w;
                    if (x.op == IOTRAP_OP_INS) {
                        assert_int_equal(r.rdi, end);
                        assert_int_equal(r.rsi, start);
                        for (unsigned k = 0; k < n; k++) {
                            uint64_t a = down ? start - (uint64_t)k * w : start + (uint64_t)k * w;
                            uint32_t v = 0, want = (0x04030201 + k) & (w == 1 ? 0xff : w == 2 ? 0xffff : ~0u);
                            memcpy(&v, byte_at(f, a), w);
                            assert_int_equal(v, want);
                        }
                        assert_int_equal(f->in_elems, n);
                    } else {
                        assert_int_equal(r.rsi, end);
                        assert_int_equal(r.rdi, start);
                        assert_int_equal(f->out_elems, n);
                        for (unsigned k = 0; k < n; k++) {
                            uint64_t a = down ? start - (uint64_t)k * w : start + (uint64_t)k * w;
                            uint32_t v = 0;
                            memcpy(&v, byte_at(f, a), w);
                            assert_int_equal(f->out_log[k], v);
                        }
                    }
                    if (strings)
                        assert_int_equal(f->elem_calls, 0);
                    else
                        assert_int_equal(f->string_calls, 0);
                }
}

static void t_rep_count_zero(void **state)
{
    (void)state;
    fake *f = new_fake();
    add_window(f, 0x1000, 0x100);
    iotrap_regs r = REGS(.rcx = 0, .rsi = 0x1000, .rdi = 0x1000, .rdx = 0x80, .rip = 0x50);
    iotrap_insn x = decode("f36c", 64);
    iotrap_regs before = r;
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    before.rip += 2;
    assert_memory_equal(&r, &before, sizeof r);
    /* 67 in 64-bit mode: ECX is 0 though RCX is not; nothing is written, not even the
     * zero-extension of ECX. */
    r.rcx = 0x1234567800000000ull;
    r.rsi = 0xffffffff00001000ull;
    before = r;
    x = decode("67f36f", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    before.rip += 3;
    assert_memory_equal(&r, &before, sizeof r);
    /* 16-bit: CX is 0 while ECX is not. */
    r.rcx = 0x10000;
    x = decode("f36e", 16);
    before = r;
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rcx, 0x10000);
    assert_int_equal(f->in_elems + f->out_elems + f->mem_calls, 0);
}

static void t_addr16_wraps_at_64k(void **state)
{
    (void)state;
    fake *f = new_fake();
    add_window(f, 0x2fff0, 0x10);    /* ES base 0x20000: the end of the 64 KiB segment */
    add_window(f, 0x20000, 0x10);    /* and its start */
    add_window(f, 0x30000, 0x10);    /* what lies beyond must NOT be touched */
    iotrap_regs r = REGS(.rcx = 0xabcd0004, .rdi = 0x5555fffe, .rdx = 0x3f8, .rip = 0x10);
    r.seg_base[IOTRAP_SEG_ES] = 0x20000;
    iotrap_insn x = decode("f36c", 16);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(*byte_at(f, 0x2fffe), 0x01);
    assert_int_equal(*byte_at(f, 0x2ffff), 0x02);
    assert_int_equal(*byte_at(f, 0x20000), 0x03);
    assert_int_equal(*byte_at(f, 0x20001), 0x04);
    assert_int_equal(*byte_at(f, 0x30000), 0xee);
    assert_int_equal(r.rdi, 0x55550002);  /* DI wrapped, the rest of EDI kept */
    assert_int_equal(r.rcx, 0xabcd0000);  /* CX counted down, the rest kept */

    /* A word at offset 0xffff does not wrap inside itself; the next one starts at 1. */
    fake *g = new_fake();
    add_window(g, 0x2fff0, 0x11);
    add_window(g, 0x20000, 0x10);
    iotrap_regs s = REGS(.rcx = 2, .rsi = 0xffff, .rdx = 0x3f8);
    s.seg_base[IOTRAP_SEG_DS] = 0x20000;
    *byte_at(g, 0x2ffff) = 0x11;
    *byte_at(g, 0x30000) = 0x22;
    *byte_at(g, 0x20001) = 0x33;
    *byte_at(g, 0x20002) = 0x44;
    x = decode("f36f", 16);
    assert_int_equal(run(&x, &s, g, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(g->out_log[0], 0x2211);
    assert_int_equal(g->out_log[1], 0x4433);
    assert_int_equal(s.rsi, 3);
}

static void t_addr32_in_64bit_mode(void **state)
{
    (void)state;
    fake *f = new_fake();
    add_window(f, 0xfffff000ull, 0x1000);
    add_window(f, 0, 0x1000);
    add_window(f, 0x100000000ull, 0x10); /* must not be touched: ESI wraps to 0 */
    for (int i = 0; i < 2; i++)
        f->win[i].data[i ? 0 : 0xffe] = 0xa0, f->win[i].data[i ? 1 : 0xfff] = 0xa1;
    iotrap_regs r = REGS(.rcx = 0xdead00000004ull, .rsi = 0x77777777fffffffeull, .rdx = 0x80);
    iotrap_insn x = decode("67f36e", 64);
    assert_int_equal(x.addr_size, 32);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(f->out_elems, 4);
    assert_int_equal(f->out_log[0], 0xa0);
    assert_int_equal(f->out_log[1], 0xa1);
    assert_int_equal(f->out_log[2], 0xa0);
    assert_int_equal(f->out_log[3], 0xa1);
    assert_int_equal(r.rsi, 2);   /* ESI written: upper half cleared */
    assert_int_equal(r.rcx, 0);
    /* 64-bit addresses do not wrap at 4 GiB. */
    fake *g = new_fake();
    add_window(g, 0xfffffff0ull, 0x20);
    iotrap_regs s = REGS(.rcx = 4, .rdi = 0xfffffffeull, .rdx = 0x80);
    x = decode("f36c", 64);
    assert_int_equal(run(&x, &s, g, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(s.rdi, 0x100000002ull);
    assert_int_equal(*byte_at(g, 0x100000001ull), 0x04);
}

static void t_upper_halves_kept_in_32bit_mode(void **state)
{
    (void)state;
    fake *f = new_fake();
    add_window(f, 0x1000, 0x100);
    iotrap_regs r = REGS(.rcx = 0xbbbbbbbb00000003ull, .rdi = 0xaaaaaaaa00001000ull, .rdx = 0x80,
                         .rsi = 0xcccccccc00001010ull, .rip = 0xdddddddd00000100ull);
    iotrap_insn x = decode("f36c", 32);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rdi, 0xaaaaaaaa00001003ull);
    assert_int_equal(r.rcx, 0xbbbbbbbb00000000ull);
    assert_int_equal(r.rip, 0xdddddddd00000102ull);
    x = decode("6e", 32);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(r.rsi, 0xcccccccc00001011ull);
}

static void t_segment_bases(void **state)
{
    (void)state;
    fake *f = new_fake();
    add_window(f, 0x7000, 0x100);  /* FS base + RSI */
    add_window(f, 0x2000, 0x100);  /* plain RSI */
    f->win[0].data[0x10] = 0xf5;
    f->win[1].data[0x00] = 0xd5;
    iotrap_regs r = REGS(.rsi = 0x2000, .rdx = 0x80);
    r.seg_base[IOTRAP_SEG_FS] = 0x5010;
    r.seg_base[IOTRAP_SEG_DS] = 0x900000; /* ignored in 64-bit mode */
    r.seg_base[IOTRAP_SEG_ES] = 0x900000;
    iotrap_insn x = decode("646e", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(f->out_log[0], 0xf5);
    r.rsi = 0x2000;
    x = decode("2e6e", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(f->out_log[1], 0xd5);
    r.rdi = 0x2001;
    x = decode("6c", 64); /* ES base is 0 in 64-bit mode */
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(*byte_at(f, 0x2001), 0x01);

    /* 32-bit mode: every segment has a base, and linear addresses wrap at 4 GiB. */
    iotrap_regs s = REGS(.rsi = 0x1000, .rdi = 0x70, .rdx = 0x80);
    s.seg_base[IOTRAP_SEG_SS] = 0xfffff000ull + 0x2000; /* SS:0x1000 -> 0x2000 */
    s.seg_base[IOTRAP_SEG_ES] = 0x7000;
    x = decode("366e", 32);
    assert_int_equal(run(&x, &s, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(f->out_log[2], 0xd5);
    x = decode("6c", 32);
    assert_int_equal(run(&x, &s, f, NULL, 0, NULL), IOTRAP_OK);
    assert_int_equal(*byte_at(f, 0x7070), 0x02);
}

/* A bad element in the middle: registers show the elements done, rip stays, the fault
 * says where, and (INS) the port gives up no element that cannot be stored.  Memory is
 * good from 0x1000 to 0x1007 only. */
static void t_partial_completion(void **state)
{
    (void)state;
    static const struct { unsigned w; int down; uint64_t start; unsigned good; uint64_t bad; } c[] = {
        { 2, 0, 0x1002, 3, 0x1008 },  /* the 4th word starts at the bad byte */
        { 4, 0, 0x1002, 1, 0x1008 },  /* the 2nd dword straddles the boundary */
        { 2, 0, 0x1001, 3, 0x1008 },  /* the 4th word straddles the boundary */
        { 2, 1, 0x1006, 4, 0x0ffe },  /* going down: the 5th word is below the memory */
        { 4, 1, 0x1004, 2, 0x0ffc },
        { 4, 1, 0x1002, 1, 0x0ffe },  /* going down, the 2nd dword straddles 0x1000 */
        { 2, 1, 0x1007, 0, 0x1008 },  /* the very first word straddles the top */
    };
    for (int ins = 0; ins < 2; ins++)
        for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
            for (int strings = 0; strings < 2; strings++) {
                fake *f = new_fake();
                f->use_strings = strings;
                add_window(f, 0x1000, 8);
                unsigned w = c[i].w;
                iotrap_regs r = REGS(.rcx = 10, .rdx = 0x378, .rdi = c[i].start, .rsi = c[i].start,
                                     .rflags = c[i].down ? DF : 0, .rip = 0x4000);
                char hex[8];
                snprintf(hex, sizeof hex, "f3%s%s", w == 2 ? "66" : "", ins ? "6d" : "6f");
                iotrap_insn x = decode(hex, 64);
                iotrap_exec_fault fault = { 0, -1 };
                assert_int_equal(run(&x, &r, f, NULL, 0, &fault), IOTRAP_E_FAULT);
                assert_int_equal(r.rip, 0x4000);
                assert_int_equal(r.rcx, 10 - c[i].good);
                uint64_t g = (uint64_t)c[i].good * w;
                uint64_t end = c[i].down ? c[i].start - g : c[i].start + g;
                assert_int_equal(ins ? r.rdi : r.rsi, end);
                assert_int_equal(ins ? r.rsi : r.rdi, c[i].start);
                assert_int_equal(fault.write, ins);
                assert_int_equal(fault.addr, c[i].bad);
                assert_int_equal(ins ? f->in_elems : f->out_elems, c[i].good);
            }
}

/* mem_writable is required: without it INS could not know a destination is bad before
 * the port gives up the element, as the CPU does, so nothing is executed at all. */
static void t_writable_required(void **state)
{
    (void)state;
    fake *f = new_fake();
    f->use_writable = 0;
    add_window(f, 0x1000, 8);
    f->hole = 0x1002;
    static const char *const forms[] = { "ec", "ee", "f36c", "f36e" };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        iotrap_regs r = REGS(.rcx = 8, .rdi = 0x1000, .rsi = 0x1000, .rdx = 0x80, .rip = 5);
        iotrap_regs before = r;
        iotrap_insn x = decode(forms[i], 64);
        assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_E_INVAL);
        assert_memory_equal(&r, &before, sizeof r);
    }
    assert_int_equal(f->in_elems + f->out_elems + f->elem_calls + f->string_calls + f->mem_calls, 0);
}

/* REP INS against the CPU, element by element in port order: memory 0x1000-0x1007 with
 * only 0x1002 unwritable.  The CPU checks each element's destination before it reads the
 * port: it stores the elements before the bad one, takes no port data for it, and faults
 * with rCX and rDI counting exactly the elements stored.  (64-bit F3 6C, RCX=8, DF=1,
 * RDI=0x1007: 5 stored at 0x1007..0x1003, RCX=3, RDI=0x1002; DF=0, RDI=0x1000: 2 stored,
 * RCX=6, RDI=0x1002.)  Every width, both directions, per element and string callbacks,
 * and chunk sizes from one element to all of them. */
static void t_ins_element_by_element(void **state)
{
    (void)state;
    static uint8_t scratch[64];
    static const size_t scratch_sizes[] = { 0, 1, 4, 8, 64 };
    static const uint64_t hole = 0x1002;
    unsigned cases = 0;
    for (unsigned w = 1; w <= 4; w *= 2)
        for (int down = 0; down < 2; down++)
            for (uint64_t start = 0x1000; start + w <= 0x1008; start++)
                for (int strings = 0; strings < 2; strings++)
                    for (size_t sc = 0; sc < sizeof scratch_sizes / sizeof scratch_sizes[0]; sc++) {
                        fake *f = new_fake();
                        f->use_strings = strings;
                        add_window(f, 0x1000, 8);
                        f->hole = hole;
                        /* The CPU, one element at a time. */
                        uint8_t want_mem[8];
                        memset(want_mem, 0xee, sizeof want_mem);
                        unsigned stored = 0;
                        uint64_t bad = 0;
                        for (unsigned k = 0; k < 8; k++) {
                            uint64_t a = down ? start - (uint64_t)k * w : start + (uint64_t)k * w;
                            for (unsigned b = 0; b < w && !bad; b++)
                                if (a + b < 0x1000 || a + b >= 0x1008 || a + b == hole)
                                    bad = a + b;
                            if (bad)
                                break;
                            uint32_t v = 0x04030201 + k;
                            memcpy(&want_mem[a - 0x1000], &v, w);
                            stored++;
                        }
                        char hex[8];
                        snprintf(hex, sizeof hex, "f3%s%s", w == 2 ? "66" : "", w == 1 ? "6c" : "6d");
                        iotrap_insn x = decode(hex, 64);
                        iotrap_regs r = REGS(.rcx = 8, .rdi = start, .rdx = 0x378,
                                             .rflags = down ? DF : 0, .rip = 0x4000);
                        iotrap_exec_fault fault = { 0, -1 };
                        int rc = run(&x, &r, f, scratch_sizes[sc] ? scratch : NULL,
                                     scratch_sizes[sc], &fault);
                        assert_int_equal(rc, IOTRAP_E_FAULT);
                        assert_int_equal(r.rcx, 8 - stored);
                        assert_int_equal(r.rdi, down ? start - (uint64_t)stored * w
                                                     : start + (uint64_t)stored * w);
                        assert_int_equal(r.rip, 0x4000);
                        assert_int_equal(f->in_elems, stored);
                        assert_int_equal(fault.addr, bad);
                        assert_int_equal(fault.write, 1);
                        for (uint64_t a = 0x1000; a < 0x1008; a++)
                            if (a != hole && *byte_at(f, a) != want_mem[a - 0x1000])
                                fail_msg("w=%u down=%d start=%#lx strings=%d scratch=%zu: byte "
                                         "%#lx is %#x, the CPU leaves %#x", w, down,
                                         (unsigned long)start, strings, scratch_sizes[sc],
                                         (unsigned long)a, *byte_at(f, a), want_mem[a - 0x1000]);
                        cases++;
                    }
    assert_true(cases > 100);
}

/* mem_writable says no before the port is read at all. */
static void t_writable_asked_first(void **state)
{
    (void)state;
    fake *f = new_fake();
    iotrap_regs r = REGS(.rcx = 1, .rdi = 0x9000, .rdx = 0x80, .rip = 7), before = r;
    iotrap_insn x = decode("6c", 64);
    iotrap_exec_fault fault;
    assert_int_equal(run(&x, &r, f, NULL, 0, &fault), IOTRAP_E_FAULT);
    assert_int_equal(f->in_elems, 0);
    assert_memory_equal(&r, &before, sizeof r);
    assert_int_equal(fault.addr, 0x9000);
    assert_int_equal(fault.write, 1);
    x = decode("6e", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, &fault), IOTRAP_E_FAULT);
    assert_int_equal(f->out_elems, 0);
    assert_int_equal(fault.write, 0);
}

/* A port that fails in the middle of a per-element string. */
static void t_port_fails_mid_string(void **state)
{
    (void)state;
    fake *f = new_fake();
    add_window(f, 0x1000, 0x100);
    f->fail_in_after = 2;
    f->port_status = IOTRAP_E_IO;
    iotrap_regs r = REGS(.rcx = 5, .rdi = 0x1000, .rdx = 0x80, .rip = 9);
    iotrap_insn x = decode("f36c", 64);
    assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_E_IO);
    assert_int_equal(r.rdi, 0x1002);
    assert_int_equal(r.rcx, 3);
    assert_int_equal(r.rip, 9);
    assert_int_equal(*byte_at(f, 0x1001), 0x02);
    assert_int_equal(*byte_at(f, 0x1002), 0xee);
}


/* Going down in 16-bit addressing: SI wraps from 0 to 0xfffe between elements, inside
 * the segment, and the upper half of ESI is kept. */
static void t_addr16_down_wraps(void **state)
{
    (void)state;
    fake *f = new_fake();
    add_window(f, 0x40000, 0x10);   /* DS base 0x40000: offsets 0..0xf */
    add_window(f, 0x4fff0, 0x10);   /* and the top of the segment */
    add_window(f, 0x3fff0, 0x10);   /* below the segment: must not be touched */
    *byte_at(f, 0x40002) = 0x21, *byte_at(f, 0x40003) = 0x43;
    *byte_at(f, 0x40000) = 0x65, *byte_at(f, 0x40001) = 0x87;
    *byte_at(f, 0x4fffe) = 0xa9, *byte_at(f, 0x4ffff) = 0xcb;
    iotrap_regs r = REGS(.rcx = 0x77770003, .rsi = 0x12340002, .rdx = 0x3f8,
                         .rflags = DF, .rip = 0x20);
    r.seg_base[IOTRAP_SEG_DS] = 0x40000;
    iotrap_insn x = decode("f36f", 16);
    assert_int_equal(x.width, 2);
    for (int strings = 0; strings < 2; strings++) {
        f->use_strings = strings;
        f->out_elems = 0;
        r.rcx = 0x77770003, r.rsi = 0x12340002, r.rip = 0x20;
        assert_int_equal(run(&x, &r, f, NULL, 0, NULL), IOTRAP_OK);
        assert_int_equal(f->out_elems, 3);
        assert_int_equal(f->out_log[0], 0x4321);
        assert_int_equal(f->out_log[1], 0x8765);
        assert_int_equal(f->out_log[2], 0xcba9);
        assert_int_equal(r.rsi, 0x1234fffc);
        assert_int_equal(r.rcx, 0x77770000);
        assert_int_equal(r.rip, 0x22);
    }
}

/* A 64-bit count above 4 Gi elements is not truncated anywhere: the string stops at the
 * end of the memory and RCX shows the rest. */
static void t_count_above_4g(void **state)
{
    (void)state;
    static uint8_t scratch[4096];
    for (int ins = 0; ins < 2; ins++) {
        fake *f = new_fake();
        f->use_strings = 1;
        add_window(f, 0x10000, 4096);
        iotrap_regs r = REGS(.rcx = 0x100000002ull, .rsi = 0x10000, .rdi = 0x10000, .rdx = 0x80);
        iotrap_insn x = decode(ins ? "f36d" : "f36f", 64);
        iotrap_exec_fault fault;
        assert_int_equal(run(&x, &r, f, scratch, sizeof scratch, &fault), IOTRAP_E_FAULT);
        assert_int_equal(r.rcx, 0x100000002ull - 1024);
        assert_int_equal(ins ? r.rdi : r.rsi, 0x11000);
        assert_int_equal(fault.addr, 0x11000);
    }
}

static void t_chunking(void **state)
{
    (void)state;
    static uint8_t scratch[4096];
    static const struct { size_t scratch; unsigned w, calls; int down; } c[] = {
        { 4096, 1, 1, 0 }, { 4096, 4, 1, 0 }, { 4096, 2, 1, 1 }, { 64, 1, 64, 0 },
        { 64, 4, 64, 1 }, { 0, 1, 8, 0 }, { 3, 4, 8, 0 }, { 1000, 4, 5, 1 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        for (int ins = 0; ins < 2; ins++) {
            fake *f = new_fake();
            f->use_strings = 1;
            add_window(f, 0x10000, 8192);
            for (int k = 0; k < 8192; k++)
                f->win[0].data[k] = (uint8_t)(k * 7);
            unsigned n = 4096 / c[i].w;
            uint64_t start = c[i].down ? 0x10000 + 4096 + 4096 - c[i].w : 0x10000;
            iotrap_regs r = REGS(.rcx = n, .rdi = start, .rsi = start, .rdx = 0x80,
                                 .rflags = c[i].down ? DF : 0);
            char hex[8];
            snprintf(hex, sizeof hex, "f3%s%s", c[i].w == 2 ? "66" : "",
                     ins ? (c[i].w == 1 ? "6c" : "6d") : (c[i].w == 1 ? "6e" : "6f"));
            iotrap_insn x = decode(hex, 64);
            assert_int_equal(x.width, c[i].w);
            assert_int_equal(run(&x, &r, f, c[i].scratch ? scratch : NULL, c[i].scratch, NULL),
                             IOTRAP_OK);
            assert_int_equal(f->string_calls, c[i].calls);
            assert_int_equal(r.rcx, 0);
            /* Port order against memory order, element by element. */
            for (unsigned k = 0; k < n; k++) {
                uint64_t a = c[i].down ? start - (uint64_t)k * c[i].w : start + (uint64_t)k * c[i].w;
                uint32_t v = 0;
                memcpy(&v, byte_at(f, a), c[i].w);
                uint32_t want = ins ? (0x04030201 + k) & (c[i].w == 1 ? 0xff : c[i].w == 2 ? 0xffff : ~0u)
                                    : f->out_log[k];
                assert_int_equal(v, want);
            }
        }
}

static void t_bad_arguments(void **state)
{
    (void)state;
    fake *f = new_fake();
    iotrap_regs r = REGS(.rax = 0);
    iotrap_insn x = decode("ec", 64);
    iotrap_exec_ops o = ops_for(f);
    assert_int_equal(iotrap_execute(NULL, &r, &o, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_execute(&x, NULL, &o, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_execute(&x, &r, NULL, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    o.mem_read = NULL;
    assert_int_equal(iotrap_execute(&x, &r, &o, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    o = ops_for(f);
    iotrap_insn bad = x;
    bad.width = 8;
    assert_int_equal(iotrap_execute(&bad, &r, &o, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    bad = x;
    bad.addr_size = 16; /* impossible in 64-bit mode */
    assert_int_equal(iotrap_execute(&bad, &r, &o, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    assert_int_equal(f->elem_calls, 0);
}

/* The caller says which version of iotrap_regs and iotrap_exec_ops it filled in: a size
 * not set is refused, a newer caller's larger struct is taken while what this library
 * does not know is zero. */
static void t_struct_sizes(void **state)
{
    (void)state;
    fake *f = new_fake();
    iotrap_insn x = decode("ec", 64);
    iotrap_regs r = REGS(.rdx = 0x80, .rip = 1);
    iotrap_exec_ops o = ops_for(f);
    r.size = 0;
    assert_int_equal(iotrap_execute(&x, &r, &o, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    r.size = sizeof r - 1;
    assert_int_equal(iotrap_execute(&x, &r, &o, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    r.size = sizeof r;
    o.size = 0;
    assert_int_equal(iotrap_execute(&x, &r, &o, f, NULL, 0, NULL), IOTRAP_E_INVAL);
    assert_int_equal(f->elem_calls, 0);
    struct { iotrap_exec_ops ops; void *later; } newer = { ops_for(f), NULL };
    newer.ops.size = sizeof newer;
    struct { iotrap_regs regs; uint64_t later; } newer_regs = { REGS(.rdx = 0x80, .rip = 1), 0 };
    newer_regs.regs.size = sizeof newer_regs;
    assert_int_equal(iotrap_execute(&x, &newer_regs.regs, &newer.ops, f, NULL, 0, NULL),
                     IOTRAP_OK);
    assert_int_equal(newer_regs.regs.rip, 2);
    newer.later = &newer;
    assert_int_equal(iotrap_execute(&x, &newer_regs.regs, &newer.ops, f, NULL, 0, NULL),
                     IOTRAP_E_UNSUPPORTED);
    newer.later = NULL;
    newer_regs.later = 1;
    assert_int_equal(iotrap_execute(&x, &newer_regs.regs, &newer.ops, f, NULL, 0, NULL),
                     IOTRAP_E_UNSUPPORTED);
    assert_int_equal(f->elem_calls, 1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_in_partial_register_writes),
    cmocka_unit_test(t_rip_wraps_like_the_cpu),
    cmocka_unit_test(t_out_forms),
    cmocka_unit_test(t_port_error_changes_nothing),
    cmocka_unit_test(t_string_forms),
    cmocka_unit_test(t_rep_count_zero),
    cmocka_unit_test(t_addr16_wraps_at_64k),
    cmocka_unit_test(t_addr32_in_64bit_mode),
    cmocka_unit_test(t_upper_halves_kept_in_32bit_mode),
    cmocka_unit_test(t_segment_bases),
    cmocka_unit_test(t_partial_completion),
    cmocka_unit_test(t_writable_required),
    cmocka_unit_test(t_ins_element_by_element),
    cmocka_unit_test(t_writable_asked_first),
    cmocka_unit_test(t_port_fails_mid_string),
    cmocka_unit_test(t_chunking),
    cmocka_unit_test(t_addr16_down_wraps),
    cmocka_unit_test(t_count_above_4g),
    cmocka_unit_test(t_bad_arguments),
    cmocka_unit_test(t_struct_sizes),
};

IOTRAP_TEST_MAIN(tests)
