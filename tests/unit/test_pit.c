/* The pit and portb models against the 8254 data sheet: control words, the access modes,
 * latch and read-back, modes 0-5 and the gate, BCD counting, and port 0x61's gate, OUT
 * and refresh toggle.  Counts are checked against the host clock read just before and
 * after, so the bounds hold however busy the machine is. */
#include <time.h>
#include "tests/unit/test_ports_helpers.h"

#define HZ 1193182LL

static iotrap_ports *open_timer(void)
{
    static const char *const devs[] = { "pit@0x40", "portb@0x61", NULL };
    return open_sim(NULL, devs);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t ticks(int64_t ns)
{
    return ns / 1000000000LL * HZ + ns % 1000000000LL * HZ / 1000000000LL;
}

/* Latches counter `c` with a counter-latch command and reads it LSB, MSB. */
static unsigned latched(iotrap_ports *p, unsigned c)
{
    out8(p, 0x43, (uint8_t)(c << 6));
    unsigned lo = in8(p, (uint16_t)(0x40 + c));
    return lo | (unsigned)in8(p, (uint16_t)(0x40 + c)) << 8;
}

/* Programs counter c: mode, LSB/MSB access, binary; then the count. */
static void program(iotrap_ports *p, unsigned c, unsigned mode, unsigned count)
{
    out8(p, 0x43, (uint8_t)(c << 6 | 0x30 | mode << 1));
    out8(p, (uint16_t)(0x40 + c), (uint8_t)count);
    out8(p, (uint16_t)(0x40 + c), (uint8_t)(count >> 8));
}

/* Mode 0 counts down one per clock from N: the value read lies between what the clock
 * allows before and after the read. */
static void t_mode0_counts_at_the_clock_rate(void **state)
{
    iotrap_ports *p = open_timer();
    int64_t before_load = mono_ns();
    program(p, 0, 0, 0xffff);
    int64_t after_load = mono_ns();
    for (int i = 0; i < 5; i++) {
        struct timespec nap = { 0, 2000000 };
        nanosleep(&nap, NULL);
        int64_t before = mono_ns();
        unsigned v = latched(p, 0);
        int64_t after = mono_ns();
        int64_t most = ticks(after - before_load), least = ticks(before - after_load);
        assert_true((int64_t)0xffff - v <= most + 1);
        assert_true((int64_t)0xffff - v >= least - 1);
    }
    iotrap_ports_close(p);
}

/* A latched count holds still until it is read; a second latch before that is ignored;
 * reading it does not disturb the live count. */
static void t_latch_holds(void **state)
{
    iotrap_ports *p = open_timer();
    program(p, 1, 2, 50000);
    out8(p, 0x43, 0x40); /* latch counter 1 */
    struct timespec nap = { 0, 3000000 };
    nanosleep(&nap, NULL);
    out8(p, 0x43, 0x40); /* ignored: the first latch is still unread */
    unsigned v1 = in8(p, 0x41);
    nanosleep(&nap, NULL);
    v1 |= (unsigned)in8(p, 0x41) << 8;
    unsigned v2 = latched(p, 1);
    assert_true(v1 <= 50000 && v1 > 0);
    assert_true(v2 < v1); /* three milliseconds is over 3500 clocks */
    iotrap_ports_close(p);
}

/* Read-back: the status byte (OUT, null count, access, mode, BCD) and the count, status
 * first; bits 1-3 pick counters. */
static void t_read_back(void **state)
{
    iotrap_ports *p = open_timer();
    out8(p, 0x43, 0xb4); /* counter 2, LSB/MSB, mode 2, binary */
    out8(p, 0x43, 0xe8); /* read-back status of counter 2 (bit 5 high: no count) */
    assert_int_equal(in8(p, 0x42), 0x40 | 0x34 | 0x80); /* null count; OUT high in mode 2 */
    out8(p, 0x42, 0x10);
    out8(p, 0x42, 0x27); /* count 0x2710 = 10000 */
    out8(p, 0x61, 0x01); /* gate 2 high */
    struct timespec nap = { 0, 1000000 };
    nanosleep(&nap, NULL);
    out8(p, 0x43, 0xc8); /* read-back count and status of counter 2 */
    uint8_t status = in8(p, 0x42);
    assert_int_equal(status & 0x7f, 0x34); /* loaded: null count clear */
    unsigned v = in8(p, 0x42);
    v |= (unsigned)in8(p, 0x42) << 8;
    assert_true(v >= 1 && v <= 10000);
    /* Counter 0 after reset: mode 3, LSB/MSB, binary, as a BIOS leaves it. */
    out8(p, 0x43, 0xe2);
    assert_int_equal(in8(p, 0x40) & 0x3f, 0x36);
    /* Counter 1: mode 2, the refresh divisor 18. */
    out8(p, 0x43, 0xc4);
    assert_int_equal(in8(p, 0x41) & 0x3f, 0x34);
    v = in8(p, 0x41);
    v |= (unsigned)in8(p, 0x41) << 8;
    assert_true(v >= 1 && v <= 18);
    assert_int_equal(in8(p, 0x43), 0xff); /* the control register is write-only */
    iotrap_ports_close(p);
}

/* Mode 3 counts down by two, a square wave; BCD counts in decimal digits. */
static void t_mode3_and_bcd(void **state)
{
    iotrap_ports *p = open_timer();
    program(p, 0, 3, 1000);
    for (int i = 0; i < 50; i++) {
        unsigned v = latched(p, 0);
        assert_true(v >= 2 && v <= 1000);
        assert_int_equal(v % 2, 0);
    }
    out8(p, 0x43, 0x31); /* counter 0, LSB/MSB, mode 0, BCD */
    out8(p, 0x40, 0x00);
    out8(p, 0x40, 0x50); /* 5000 */
    for (int i = 0; i < 50; i++) {
        unsigned v = latched(p, 0);
        for (int d = 0; d < 4; d++)
            assert_true(((v >> (4 * d)) & 0xf) <= 9);
    }
    /* LSB-only and MSB-only access. */
    out8(p, 0x43, 0x14); /* counter 0, LSB only, mode 2 */
    out8(p, 0x40, 200);
    for (int i = 0; i < 20; i++) {
        unsigned v = in8(p, 0x40);
        assert_true(v >= 1 && v <= 200);
    }
    out8(p, 0x43, 0x24); /* MSB only, mode 2 */
    out8(p, 0x40, 0x80);   /* count 0x8000 */
    assert_true(in8(p, 0x40) <= 0x80);
    iotrap_ports_close(p);
}

/* Counter 2 through port 0x61 as PC programs calibrate delays: mode 0 with the gate
 * high, then wait for OUT (bit 5) to rise.  It rises no earlier than N clocks after the
 * count was written, and the count stands still while the gate is low. */
static void t_counter2_gate_and_out(void **state)
{
    iotrap_ports *p = open_timer();
    assert_int_equal(in8(p, 0x61) & 0x0f, 0x00);
    out8(p, 0x61, 0x00); /* gate low */
    program(p, 2, 0, 11932); /* 10 ms */
    unsigned a = latched(p, 2);
    struct timespec nap = { 0, 3000000 };
    nanosleep(&nap, NULL);
    assert_int_equal(latched(p, 2), a); /* gate low: no counting in mode 0 */
    assert_int_equal(in8(p, 0x61) & 0x20, 0); /* OUT low until terminal count */
    int64_t start = mono_ns();
    out8(p, 0x61, 0x01); /* gate high */
    assert_int_equal(in8(p, 0x61) & 0x0f, 0x01);
    while (!(in8(p, 0x61) & 0x20))
        ;
    int64_t took = mono_ns() - start;
    assert_true(ticks(took) >= 11932 - (int64_t)(11932 - a) - 1);
    /* OUT stays high in mode 0 until the counter is programmed again. */
    assert_int_equal(in8(p, 0x61) & 0x20, 0x20);
    out8(p, 0x43, 0xb0);
    assert_int_equal(in8(p, 0x61) & 0x20, 0);
    iotrap_ports_close(p);
}

/* Mode 1 waits for a rising gate and then holds OUT low for N clocks; mode 2 with the
 * gate low holds its count and OUT high. */
static void t_gate_modes(void **state)
{
    iotrap_ports *p = open_timer();
    out8(p, 0x61, 0x00);
    program(p, 2, 1, 60000);
    out8(p, 0x43, 0xe8);
    assert_int_equal(in8(p, 0x42) & 0x80, 0x80); /* OUT high, not triggered */
    unsigned a = latched(p, 2);
    struct timespec nap = { 0, 2000000 };
    nanosleep(&nap, NULL);
    assert_int_equal(latched(p, 2), a);
    out8(p, 0x61, 0x01); /* trigger */
    out8(p, 0x43, 0xe8);
    assert_int_equal(in8(p, 0x42) & 0x80, 0x00); /* OUT low while it counts */
    nanosleep(&nap, NULL);
    assert_true(latched(p, 2) < 60000);
    out8(p, 0x61, 0x00);
    program(p, 2, 2, 30000);
    a = latched(p, 2);
    nanosleep(&nap, NULL);
    assert_int_equal(latched(p, 2), a);
    assert_int_equal(in8(p, 0x61) & 0x20, 0x20);
    iotrap_ports_close(p);
}

/* Bit 4 of port 0x61 flips every 15.085 us: a loop sees both values, and counting its
 * changes never runs ahead of the host clock. */
static void t_refresh_toggle(void **state)
{
    iotrap_ports *p = open_timer();
    uint8_t last = in8(p, 0x61) & 0x10;
    int changes = 0;
    int64_t start = mono_ns();
    while (changes < 200) {
        uint8_t b = in8(p, 0x61) & 0x10;
        if (b != last)
            changes++;
        last = b;
    }
    int64_t took = mono_ns() - start;
    assert_true(took >= (changes - 1) * 15085LL);
    iotrap_ports_close(p);
}

/* Without a pit on the board, port 0x61 still answers, with OUT 0. */
static void t_portb_alone(void **state)
{
    static const char *const devs[] = { "portb@0x61", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    out8(p, 0x61, 0xff);
    assert_int_equal(in8(p, 0x61) & 0xef, 0x0f);
    iotrap_ports_close(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_mode0_counts_at_the_clock_rate),
    cmocka_unit_test(t_latch_holds),
    cmocka_unit_test(t_read_back),
    cmocka_unit_test(t_mode3_and_bcd),
    cmocka_unit_test(t_counter2_gate_and_out),
    cmocka_unit_test(t_gate_modes),
    cmocka_unit_test(t_refresh_toggle),
    cmocka_unit_test(t_portb_alone),
};

IOTRAP_TEST_MAIN(tests)
