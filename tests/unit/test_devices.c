/* The uart and ram models, the bus between devices, string writes, the model registry
 * and plug-in loading. */
#include <stdio.h>
#include <time.h>
#include "tests/unit/test_ports_helpers.h"
#include "backends/devices/devices.h"
#include "common/parse.h"

#define UART 0x3f8

/* ---- UART ------------------------------------------------------------------------ */

static void t_uart_registers(void **state)
{
    iotrap_ports *p = open_with_out("uart@0x3f8,out=%s");
    assert_int_equal(in8(p, UART + 5), 0x60); /* THRE + TEMT */
    assert_int_equal(in8(p, UART + 2), 0x01); /* no interrupt pending */
    assert_int_equal(in8(p, UART + 3), 0x00);
    assert_int_equal(in8(p, UART + 4), 0x08); /* OUT2 */
    assert_int_equal(in8(p, UART + 6), 0xb0); /* DCD, DSR, CTS */
    assert_int_equal(in8(p, UART + 0), 0x00); /* no data */
    assert_int_equal(in8(p, UART + 1), 0x00);
    /* Scratch. */
    out8(p, UART + 7, 0xa5);
    assert_int_equal(in8(p, UART + 7), 0xa5);
    out8(p, UART + 7, 0x5a);
    assert_int_equal(in8(p, UART + 7), 0x5a);
    /* Line and modem control. */
    out8(p, UART + 3, 0x03);
    assert_int_equal(in8(p, UART + 3), 0x03);
    out8(p, UART + 4, 0xeb);
    assert_int_equal(in8(p, UART + 4), 0x0b);
    iotrap_ports_close(p);
}

static void t_uart_dlab(void **state)
{
    iotrap_ports *p = open_with_out("uart@0x3f8,out=%s");
    out8(p, UART + 3, 0x80);
    assert_int_equal(in8(p, UART + 0), 0x0c); /* 9600 baud after reset */
    assert_int_equal(in8(p, UART + 1), 0x00);
    out8(p, UART + 0, 0x01);
    out8(p, UART + 1, 0x02);
    assert_int_equal(in8(p, UART + 0), 0x01);
    assert_int_equal(in8(p, UART + 1), 0x02);
    out8(p, UART + 3, 0x03);
    /* The divisor writes reached neither IER nor the line. */
    assert_int_equal(in8(p, UART + 1), 0x00);
    out8(p, UART + 3, 0x83);
    assert_int_equal(in_w(p, UART, 2), 0x0201);
    out8(p, UART + 3, 0x03);
    size_t len;
    free(slurp(out_path, &len));
    assert_int_equal(len, 0);
    iotrap_ports_close(p);
}

static void t_uart_thr_to_file_and_iir(void **state)
{
    iotrap_ports *p = open_with_out("uart@0x3f8,out=%s");
    out8(p, UART + 3, 0x03);
    const char *msg = "AT\r";
    for (const char *c = msg; *c; c++) {
        while (!(in8(p, UART + 5) & 0x20))
            ;
        out8(p, UART, (uint8_t)*c);
    }
    assert_int_equal(in8(p, UART + 5), 0x60);
    /* FIFOs on: IIR shows them. */
    out8(p, UART + 2, 0x07);
    assert_int_equal(in8(p, UART + 2), 0xc1);
    /* THR-empty interrupt: pending once enabled, cleared by reading IIR. */
    out8(p, UART + 1, 0x02);
    assert_int_equal(in8(p, UART + 1), 0x02);
    assert_int_equal(in8(p, UART + 2), 0xc2);
    assert_int_equal(in8(p, UART + 2), 0xc1);
    out8(p, UART, '!');
    assert_int_equal(in8(p, UART + 2), 0xc2);
    out8(p, UART + 2, 0x00);
    assert_int_equal(in8(p, UART + 2) & 0xc0, 0);
    size_t len;
    char *text = slurp(out_path, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(text, "AT\r!", 4);
    free(text);
    iotrap_ports_close(p);
}

/* REP OUTSB strings take the models' write_string fast paths: they must leave the
 * devices exactly as the same bytes written one at a time do. */
static void t_string_writes_match_byte_writes(void **state)
{
    static const uint8_t text[] = "HELLO, WORLD\r\n";
    const size_t n = sizeof(text) - 1;
    iotrap_ports *p = open_with_out("uart@0x3f8,out=%s");
    assert_int_equal(iotrap_ports_out_string(p, UART, 1, text, n, 0), IOTRAP_OK);
    assert_int_equal(in8(p, UART + 5), 0x60);
    size_t len;
    char *got = slurp(out_path, &len);
    assert_int_equal(len, n);
    assert_memory_equal(got, text, n);
    free(got);
    /* In loopback the string goes through the receiver byte by byte: the last one is
     * in RBR and the earlier ones overran it. */
    out8(p, UART + 4, 0x10);
    assert_int_equal(iotrap_ports_out_string(p, UART, 1, text, 3, 0), IOTRAP_OK);
    assert_int_equal(in8(p, UART + 5) & 0x03, 0x03);
    assert_int_equal(in8(p, UART), text[2]);
    /* Latches keep the last byte; the divisor latches too, with DLAB set. */
    assert_int_equal(iotrap_ports_out_string(p, UART + 7, 1, text, n, 0), IOTRAP_OK);
    assert_int_equal(in8(p, UART + 7), text[n - 1]);
    static const uint8_t lcr[] = { 0x03, 0x83 };
    assert_int_equal(iotrap_ports_out_string(p, UART + 3, 1, lcr, 2, 0), IOTRAP_OK);
    assert_int_equal(in8(p, UART + 3), 0x83);
    assert_int_equal(iotrap_ports_out_string(p, UART, 1, text, 2, 0), IOTRAP_OK);
    assert_int_equal(in8(p, UART), text[1]);
    iotrap_ports_close(p);

    static const char *const lpt_only[] = { "lpt@0x378", NULL };
    p = open_sim(NULL, lpt_only); /* the data latch keeps the last byte, as byte writes do */
    assert_int_equal(iotrap_ports_out_string(p, 0x378, 1, text, n, 0), IOTRAP_OK);
    assert_int_equal(in8(p, 0x378), text[n - 1]);
    /* A 2-byte string covers data and status: status ignores writes, data keeps the low
     * byte of the last element. */
    static const uint8_t words[] = { 0x11, 0x22, 0x33, 0x44 };
    assert_int_equal(iotrap_ports_out_string(p, 0x378, 2, words, 2, 0), IOTRAP_OK);
    assert_int_equal(in8(p, 0x378), 0x33);
    assert_int_equal(in8(p, 0x379), 0xd8);
    iotrap_ports_close(p);
}

static void t_uart_loopback(void **state)
{
    iotrap_ports *p = open_with_out("uart@0x3f8,out=%s");
    out8(p, UART + 4, 0x1a); /* loop + OUT2 + RTS */
    /* MSR mirrors the outputs: RTS -> CTS, OUT2 -> DCD. */
    assert_int_equal(in8(p, UART + 6), 0x90);
    out8(p, UART, 0x5a);
    assert_int_equal(in8(p, UART + 5), 0x61); /* data ready */
    assert_int_equal(in8(p, UART), 0x5a);
    assert_int_equal(in8(p, UART + 5), 0x60);
    size_t len;
    free(slurp(out_path, &len));
    assert_int_equal(len, 0); /* looped back, not sent */
    iotrap_ports_close(p);
}

/* ---- RAM and the bus ------------------------------------------------------------- */

static void t_ram_widths(void **state)
{
    const char *devs[] = { "ram@0x300-0x307", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    assert_int_equal(in_w(p, 0x300, 4), 0);
    out_w(p, 0x300, 4, 0x11223344);
    assert_int_equal(in8(p, 0x300), 0x44);
    assert_int_equal(in8(p, 0x301), 0x33);
    assert_int_equal(in8(p, 0x302), 0x22);
    assert_int_equal(in8(p, 0x303), 0x11);
    assert_int_equal(in_w(p, 0x302, 2), 0x1122);
    out_w(p, 0x301, 2, 0xbbaa);
    assert_int_equal(in_w(p, 0x300, 4), 0x11bbaa44);
    out_w(p, 0x304, 1, 0x1ff); /* only the low byte of an 8-bit write counts */
    assert_int_equal(in8(p, 0x304), 0xff);
    /* Strings: each element goes to the same ports. */
    const uint16_t words[3] = { 0x0102, 0x0304, 0x0506 };
    assert_int_equal(iotrap_ports_out_string(p, 0x306, 2, words, 3, 0), IOTRAP_OK);
    assert_int_equal(in_w(p, 0x306, 2), 0x0506);
    uint8_t back[4];
    assert_int_equal(iotrap_ports_in_string(p, 0x306, 2, back, 2, 0), IOTRAP_OK);
    assert_int_equal(back[0], 0x06);
    assert_int_equal(back[1], 0x05);
    assert_int_equal(back[2], 0x06);
    assert_int_equal(back[3], 0x05);
    iotrap_ports_close(p);
}

/* A ram string leaves each latch as its byte writes do: the last byte at each port. */
static void t_ram_string_keeps_last_byte(void **state)
{
    const char *devs[] = { "ram@0x300-0x303", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    static const uint8_t text[] = "STRING";
    assert_int_equal(iotrap_ports_out_string(p, 0x301, 1, text, 6, 0), IOTRAP_OK);
    assert_int_equal(in8(p, 0x301), 'G');
    assert_int_equal(in8(p, 0x300), 0); /* its neighbours saw nothing */
    assert_int_equal(in8(p, 0x302), 0);
    /* A string that ends past the ram: the latch takes its lane, the bus drops the rest. */
    assert_int_equal(iotrap_ports_out_string(p, 0x303, 2, text, 3, 0), IOTRAP_OK);
    assert_int_equal(in8(p, 0x303), 'N');
    iotrap_ports_close(p);
}

/* A model without string members (most plug-ins) sees a string as the byte accesses it
 * stands for: one call per element and byte lane, in order, at the right offsets.  The
 * board is this process's, so the model logs into a variable of the test. */
#define TALLY_MAX 16
static struct {
    uint32_t n;
    uint8_t offset[TALLY_MAX], value[TALLY_MAX];
    uint8_t next; /* what the next read returns, then incremented */
} tally_log;

static uint8_t tally_read(iotrap_device *dev, uint32_t offset)
{
    __typeof__(tally_log) *s = &tally_log;
    if (s->n < TALLY_MAX)
        s->offset[s->n] = (uint8_t)offset, s->value[s->n] = s->next;
    s->n++;
    return s->next++;
}

static void tally_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    __typeof__(tally_log) *s = &tally_log;
    if (s->n < TALLY_MAX)
        s->offset[s->n] = (uint8_t)offset, s->value[s->n] = value;
    s->n++;
}

static void t_strings_without_string_members(void **state)
{
    static const iotrap_device_model tally = {
        .size = sizeof(iotrap_device_model), .name = "tally", .summary = "test", .span = 2,
        .state_size = 1, .read = tally_read, .write = tally_write,
    };
    assert_int_equal(iotrap_device_register(&tally), IOTRAP_OK);
    const char *devs[] = { "tally@0x300", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    __typeof__(tally_log) *s = &tally_log;
    s->n = 0;
    static const uint8_t bytes[] = { 1, 2, 3, 4, 5 };
    assert_int_equal(iotrap_ports_out_string(p, 0x301, 1, bytes, 5, 0), IOTRAP_OK);
    assert_int_equal(s->n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(s->offset[i], 1);
        assert_int_equal(s->value[i], bytes[i]);
    }
    uint8_t got[3];
    s->n = 0;
    s->next = 0x40;
    assert_int_equal(iotrap_ports_in_string(p, 0x300, 1, got, 3, 0), IOTRAP_OK);
    assert_int_equal(s->n, 3);
    assert_int_equal(got[0], 0x40);
    assert_int_equal(got[2], 0x42);
    /* Two-byte elements: lane 0 then lane 1 of each element, element by element. */
    s->n = 0;
    assert_int_equal(iotrap_ports_out_string(p, 0x300, 2, bytes, 2, 0), IOTRAP_OK);
    assert_int_equal(s->n, 4);
    static const uint8_t off[] = { 0, 1, 0, 1 }, val[] = { 1, 2, 3, 4 };
    assert_memory_equal(s->offset, off, 4);
    assert_memory_equal(s->value, val, 4);
    iotrap_ports_close(p);
}

static void t_unclaimed_ports(void **state)
{
    const char *devs[] = { "ram@0x300-0x301", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    assert_int_equal(in_w(p, 0x200, 1), 0xff);
    assert_int_equal(in_w(p, 0x200, 2), 0xffff);
    assert_int_equal(in_w(p, 0x200, 4), 0xffffffff);
    assert_int_equal(in_w(p, 0xfffc, 4), 0xffffffff);
    out_w(p, 0x200, 4, 0);
    assert_int_equal(in_w(p, 0x200, 4), 0xffffffff); /* writes are dropped */
    /* Half claimed: the ram answers its bytes, the bus the rest. */
    out_w(p, 0x300, 2, 0x1234);
    assert_int_equal(in_w(p, 0x300, 4), 0xffff1234);
    assert_int_equal(in_w(p, 0x2ff, 2), 0x34ff);
    uint8_t buf[3];
    assert_int_equal(iotrap_ports_in_string(p, 0x400, 1, buf, 3, 0), IOTRAP_OK);
    assert_int_equal(buf[0] & buf[1] & buf[2], 0xff);
    iotrap_ports_close(p);
}

static void t_default_board(void **state)
{
    iotrap_ports *p = open_sim(NULL, NULL);
    assert_int_equal(in8(p, 0x379), 0xd8);
    assert_int_equal(in8(p, 0x37a), 0xcc);
    assert_int_equal(in8(p, 0x3fd), 0x60);
    out8(p, 0x3ff, 0x42);
    assert_int_equal(in8(p, 0x3ff), 0x42);
    out8(p, 0x70, 0x0b);
    assert_int_equal(in8(p, 0x71), 0x02);
    assert_int_equal(in8(p, 0x2f8), 0xff); /* no second UART */
    /* The rest of a PC: the timer and port 0x61, both CMOS banks, the ECP port's ECR,
     * the PCI host bridge. */
    out8(p, 0x43, 0xe2);
    assert_int_equal(in8(p, 0x40) & 0x3f, 0x36);
    out8(p, 0x61, 0x03);
    assert_int_equal(in8(p, 0x61) & 0x0f, 0x03);
    out8(p, 0x72, 0x80);
    assert_int_equal(in8(p, 0x73), 0x00);
    assert_int_equal(in8(p, 0x77a), 0x35);
    out_w(p, 0xcf8, 4, 0x80000000u);
    assert_int_equal(in_w(p, 0xcfc, 4), 0x12378086u);
    assert_int_equal(in8(p, 0x62), 0xff); /* the EC and Super I/O are optional */
    assert_int_equal(in8(p, 0x2f), 0xff);
    iotrap_ports_close(p);
}

/* ---- Registry and plug-ins ------------------------------------------------------- */

static uint8_t echo_read(iotrap_device *dev, uint32_t offset)
{
    return *(uint8_t *)dev->state ^ (uint8_t)offset;
}

static void echo_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    *(uint8_t *)dev->state = value;
}

static void t_register(void **state)
{
    static const iotrap_device_model echo = {
        .size = sizeof(iotrap_device_model),
        .name = "echo", .summary = "test", .span = 4, .state_size = 1,
        .read = echo_read, .write = echo_write,
    };
    static const iotrap_device_model clash = {
        .size = sizeof(iotrap_device_model),
        .name = "lpt", .summary = "test", .span = 1, .read = echo_read, .write = echo_write,
    };
    static const iotrap_device_model broken = { .size = sizeof(iotrap_device_model),
                                                .name = "broken", .span = 1 };
    assert_null(iotrap_device_find("echo"));
    assert_non_null(iotrap_device_find("lpt"));
    assert_int_equal(iotrap_device_register(&echo), IOTRAP_OK);
    assert_int_equal(iotrap_device_register(&echo), IOTRAP_OK); /* the same model again */
    assert_int_equal(iotrap_device_register(&clash), IOTRAP_E_BUSY);
    assert_int_equal(iotrap_device_register(&broken), IOTRAP_E_INVAL);
    /* A model whose size was not set is not one this library can read. */
    iotrap_device_model unsized = echo;
    unsized.size = 0;
    unsized.name = "unsized";
    assert_int_equal(iotrap_device_register(&unsized), IOTRAP_E_INVAL);
    assert_null(iotrap_device_find("unsized"));
    assert_ptr_equal(iotrap_device_find("echo"), &echo);
    const char *devs[] = { "echo@0x120", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    out8(p, 0x121, 0x40);
    assert_int_equal(in8(p, 0x123), 0x43);
    iotrap_ports_close(p);
    assert_int_equal(iotrap_device_emit(-1, "x", 1), IOTRAP_OK);
}

/* A model with two windows and wide members: the board claims both windows, gives a
 * wide access that lies in its windows to the wide members whole, splits one that
 * crosses out of them, and reports the lines a model names. */
struct wide_state {
    uint32_t reg;
    uint8_t bytes[0x20];
    uint32_t wide_reads, wide_writes;
};

static uint8_t wide_read(iotrap_device *dev, uint32_t offset)
{
    struct wide_state *s = dev->state;
    return s->bytes[offset & 0x1f];
}

static void wide_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct wide_state *s = dev->state;
    s->bytes[offset & 0x1f] = value;
}

static uint32_t wide_read_wide(iotrap_device *dev, uint32_t offset, unsigned width)
{
    struct wide_state *s = dev->state;
    s->wide_reads++;
    return offset == 0 && width == 4 ? s->reg : 0x12345678;
}

static void wide_write_wide(iotrap_device *dev, uint32_t offset, unsigned width, uint32_t v)
{
    struct wide_state *s = dev->state;
    s->wide_writes++;
    if (offset == 0 && width == 4)
        s->reg = v;
}

static int wide_windows(const iotrap_device *dev, iotrap_device_window win[], char *err,
                        size_t errlen)
{
    win[0].offset = 0;
    win[0].count = 4;
    win[1].offset = 0x10;
    win[1].count = 2;
    return 2;
}

static const iotrap_device_lines wide_lines = {
    { "A", "B", NULL, NULL, NULL, NULL, NULL, "H" }, 0x80, 1,
};

static const iotrap_device_lines *wide_lines_at(const iotrap_device *dev, uint32_t offset)
{
    return offset == 0x10 ? &wide_lines : NULL;
}

static void t_model_windows_and_wide(void **state)
{
    static const iotrap_device_model wide = {
        .size = sizeof(iotrap_device_model),
        .name = "widetest", .summary = "test", .span = 4,
        .state_size = sizeof(struct wide_state), .read = wide_read, .write = wide_write,
        .windows = wide_windows, .read_wide = wide_read_wide, .write_wide = wide_write_wide,
        .lines = wide_lines_at,
    };
    assert_int_equal(iotrap_device_register(&wide), IOTRAP_OK);
    const char *devs[] = { "widetest@0x300", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    out_w(p, 0x300, 4, 0xcafef00d);
    assert_int_equal(in_w(p, 0x300, 4), 0xcafef00d); /* whole, not four bytes */
    assert_int_equal(in_w(p, 0x302, 2), 0x5678);
    out8(p, 0x310, 0x42);
    assert_int_equal(in8(p, 0x310), 0x42);
    assert_int_equal(in8(p, 0x304), 0xff); /* between the windows: nothing */
    /* 0x311-0x312 crosses out of the second window: split, the bus answers 0x312. */
    out8(p, 0x311, 0x24);
    assert_int_equal(in_w(p, 0x311, 2), 0xff24);
    uint32_t words[2];
    assert_int_equal(iotrap_ports_in_string(p, 0x300, 4, words, 2, 0), IOTRAP_OK);
    assert_int_equal(words[0], 0xcafef00d);
    assert_int_equal(words[1], 0xcafef00d);
    iotrap_ports_close(p);

    /* A second window that collides with another device is named in the error. */
    const char *clash[] = { "ram@0x310", "widetest@0x300", NULL };
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.size = sizeof cfg;
    cfg.devices = clash;
    char err[512];
    assert_int_equal(open_fails(&cfg, err, sizeof err), IOTRAP_E_BUSY);
    assert_string_equal(err, "device \"widetest@0x300\" overlaps \"ram@0x310\" at port 0x310");
    const char *past[] = { "widetest@0xfff0", NULL };
    cfg.devices = past;
    assert_int_equal(open_fails(&cfg, err, sizeof err), IOTRAP_E_RANGE);
    assert_string_equal(err, "device \"widetest@0xfff0\" ends past port 0xffff (widetest also "
                             "answers BASE+0x10 to BASE+0x11)");
}

static void t_plugin(void **state)
{
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    const char *plugins[] = { IOTRAP_TEST_PLUGIN, NULL };
    const char *devs[] = { "counter@0x240,start=5", "counter@0x250,start=0x10,step=3", NULL };
    cfg.plugins = plugins;
    cfg.devices = devs;
    iotrap_ports *p = open_sim_cfg(&cfg);
    assert_int_equal(in8(p, 0x240), 5);
    assert_int_equal(in8(p, 0x240), 6);
    assert_int_equal(in8(p, 0x241), 1);
    assert_int_equal(in8(p, 0x250), 0x10);
    assert_int_equal(in8(p, 0x250), 0x13);
    out8(p, 0x240, 100);
    assert_int_equal(in8(p, 0x240), 100);
    iotrap_ports_close(p);

    /* Loaded once per process; its model is listed with the built-ins now. */
    assert_non_null(iotrap_device_find("counter"));
    const char *bad[] = { "counter@0x240,start=300", NULL };
    cfg.devices = bad;
    char err[512];
    open_fails(&cfg, err, sizeof(err));
    assert_string_equal(err, "bad value \"300\" for option \"start\" of counter (0..255)");
    const char *unknown[] = { "countr@0x240", NULL };
    cfg.devices = unknown;
    open_fails(&cfg, err, sizeof(err));
    assert_non_null(strstr(err, "unknown device \"countr\" in \"countr@0x240\" "
                                "(known: lpt, uart, cmos, ram, "));
    assert_non_null(strstr(err, "counter"));
}

/* One file per bitness: an item for this process's bitness is loaded, one for the other
 * is only checked to be a shared object of that bitness; a plain item of the wrong
 * bitness is refused with the way out. */
static void t_plugin_per_bitness(void **state)
{
    char err[512];
    const char *mine = sizeof(void *) == 8 ? "x86_64=" IOTRAP_TEST_PLUGIN : "i386=" IOTRAP_TEST_PLUGIN;
    const char *other = sizeof(void *) == 8 ? "i386=" IOTRAP_TEST_PLUGIN : "x86_64=" IOTRAP_TEST_PLUGIN;
    assert_int_equal(iotrap__device_load_plugin(mine, err, sizeof err), IOTRAP_OK);
    assert_non_null(iotrap_device_find("counter"));
    assert_int_equal(iotrap__device_load_plugin(other, err, sizeof err), IOTRAP_E_NODEV);
    assert_non_null(strstr(err, "is not a"));
    assert_int_equal(iotrap__device_load_plugin("i386=/nonexistent.so", err, sizeof err),
                     IOTRAP_E_NODEV);
    assert_string_equal(err, "cannot load device plug-in \"i386=/nonexistent.so\": No such file "
                             "or directory");
    assert_int_equal(iotrap__device_load_plugin("x86_64=", err, sizeof err), IOTRAP_E_INVAL);
    assert_string_equal(err, "empty device plug-in path in x86_64=");
    const char *file;
    assert_int_equal(iotrap__plugin_item("i386=a.so", &file), 32);
    assert_string_equal(file, "a.so");
    assert_int_equal(iotrap__plugin_item("x86_64=/b.so", &file), 64);
    assert_int_equal(iotrap__plugin_item("./i386=c.so", &file), 0);
    assert_string_equal(file, "./i386=c.so");
}

static void t_plugin_from_env(void **state)
{
    setenv("IOTRAP_DEVICE_PLUGINS", "/nonexistent/a.so:" IOTRAP_TEST_PLUGIN, 1);
    setenv("IOTRAP_DEVICES", "counter@0x240", 1);
    char err[512];
    iotrap_ports *p = NULL;
    /* The first plug-in is missing: the error names it. */
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_E_NODEV);
    assert_non_null(strstr(err, "cannot load device plug-in \"/nonexistent/a.so\""));
    setenv("IOTRAP_DEVICE_PLUGINS", IOTRAP_TEST_PLUGIN, 1);
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_OK);
    assert_int_equal(in8(p, 0x240), 0);
    assert_int_equal(in8(p, 0x240), 1);
    iotrap_ports_close(p);
    unsetenv("IOTRAP_DEVICE_PLUGINS");
    unsetenv("IOTRAP_DEVICES");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_uart_registers),
    cmocka_unit_test(t_uart_dlab),
    cmocka_unit_test(t_uart_thr_to_file_and_iir),
    cmocka_unit_test(t_uart_loopback),
    cmocka_unit_test(t_string_writes_match_byte_writes),
    cmocka_unit_test(t_ram_widths),
    cmocka_unit_test(t_ram_string_keeps_last_byte),
    cmocka_unit_test(t_strings_without_string_members),
    cmocka_unit_test(t_unclaimed_ports),
    cmocka_unit_test(t_default_board),
    cmocka_unit_test(t_register),
    cmocka_unit_test(t_model_windows_and_wide),
    cmocka_unit_test(t_plugin),
    cmocka_unit_test(t_plugin_per_bitness),
    cmocka_unit_test(t_plugin_from_env),
};

IOTRAP_TEST_MAIN(tests)
