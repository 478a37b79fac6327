/* iotrap_io_permitted(): the CPU's I/O permission rule, case by case from the Intel SDM
 * (vol. 1, "I/O Privilege Level", "I/O Permission Bit Map"; vol. 3, virtual-8086 I/O). */
#include "tests/unit/harness.h"
#include <iotrap/decode.h>

/* A full TSS bitmap: 8192 bytes for ports 0-0xFFFF, all denied, and the extra byte. */
static uint8_t map[8192 + 1];

static void allow_port(unsigned port)
{
    map[port / 8] &= (uint8_t)~(1u << (port % 8));
}

static iotrap_io_perm perm(unsigned cpl, unsigned iopl, bool vm86, size_t len)
{
    iotrap_io_perm p = { .size = sizeof p, .cpl = cpl, .iopl = iopl, .vm86 = vm86,
                         .bitmap = map, .bitmap_len = len };
    return p;
}

static void reset_map(void)
{
    memset(map, 0xff, sizeof map);
}

/* "If the CPL is less than or equal to the IOPL, the I/O operation may proceed" - in
 * protected mode, with or without a bitmap, whatever it says. */
static void t_cpl_at_most_iopl_allows(void **state)
{
    (void)state;
    reset_map();
    for (unsigned iopl = 0; iopl <= 3; iopl++)
        for (unsigned cpl = 0; cpl <= iopl; cpl++) {
            iotrap_io_perm p = perm(cpl, iopl, false, sizeof map);
            assert_int_equal(iotrap_io_permitted(&p, 0x378, 1), 1);
            assert_int_equal(iotrap_io_permitted(&p, 0xfffc, 4), 1);
            p.bitmap = NULL;
            assert_int_equal(iotrap_io_permitted(&p, 0x80, 2), 1);
        }
}

/* CPL > IOPL: the bitmap decides, bit clear allows, bit set denies; without a bitmap
 * ("the I/O map base address is greater than or equal to the TSS segment limit") every
 * access raises #GP. */
static void t_bitmap_decides_above_iopl(void **state)
{
    (void)state;
    reset_map();
    allow_port(0x378);
    allow_port(0x80);
    iotrap_io_perm p = perm(3, 0, false, sizeof map);
    assert_int_equal(iotrap_io_permitted(&p, 0x378, 1), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0x379, 1), 0);
    assert_int_equal(iotrap_io_permitted(&p, 0x377, 1), 0);
    assert_int_equal(iotrap_io_permitted(&p, 0x80, 1), 1);
    p.cpl = 1;
    assert_int_equal(iotrap_io_permitted(&p, 0x379, 1), 0);
    p.bitmap = NULL;
    assert_int_equal(iotrap_io_permitted(&p, 0x378, 1), 0);
    p.bitmap = map;
    p.bitmap_len = 0;
    assert_int_equal(iotrap_io_permitted(&p, 0x378, 1), 0);
}

/* Virtual-8086 mode is not IOPL-sensitive for I/O: even with IOPL 3 the bitmap decides. */
static void t_vm86_always_checks_the_bitmap(void **state)
{
    (void)state;
    reset_map();
    allow_port(0x3f8);
    iotrap_io_perm p = perm(3, 3, true, sizeof map);
    assert_int_equal(iotrap_io_permitted(&p, 0x3f8, 1), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0x3f9, 1), 0);
    p.bitmap = NULL;
    assert_int_equal(iotrap_io_permitted(&p, 0x3f8, 1), 0);
}

/* "If a word or doubleword is accessed, all the bits for the bytes accessed must be clear":
 * a 2- or 4-byte access needs every port's bit, also across a byte of the bitmap. */
static void t_every_port_of_a_wide_access(void **state)
{
    (void)state;
    reset_map();
    for (unsigned port = 0x3f6; port <= 0x3f9; port++)
        allow_port(port); /* 0x3f6, 0x3f7 in one byte of the map; 0x3f8, 0x3f9 in the next */
    iotrap_io_perm p = perm(3, 0, false, sizeof map);
    assert_int_equal(iotrap_io_permitted(&p, 0x3f6, 4), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0x3f7, 2), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0x3f8, 2), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0x3f5, 2), 0); /* 0x3f5 denied */
    assert_int_equal(iotrap_io_permitted(&p, 0x3f7, 4), 0); /* 0x3fa denied */
    assert_int_equal(iotrap_io_permitted(&p, 0x3f9, 2), 0);
    /* One denied port in the middle denies the whole access. */
    map[0x3f8 / 8] |= 1u << (0x3f8 % 8);
    assert_int_equal(iotrap_io_permitted(&p, 0x3f6, 4), 0);
    assert_int_equal(iotrap_io_permitted(&p, 0x3f6, 2), 1);
}

/* The processor reads two bytes of the bitmap for every access, so both must lie within
 * the TSS limit ("an extra byte ... must be within the segment limit"): with the 8192-byte
 * map alone ports 0xFFF8-0xFFFF are denied although their bits are clear, and the extra
 * byte (all ones) makes them usable while still denying an access that runs past 0xFFFF. */
static void t_the_extra_byte(void **state)
{
    (void)state;
    memset(map, 0, sizeof map);
    iotrap_io_perm p = perm(3, 0, false, 8192);
    assert_int_equal(iotrap_io_permitted(&p, 0xfff7, 1), 1); /* bytes 0x1ffe, 0x1fff */
    assert_int_equal(iotrap_io_permitted(&p, 0xfff8, 1), 0); /* needs byte 0x2000 */
    assert_int_equal(iotrap_io_permitted(&p, 0xffff, 1), 0);
    map[8192] = 0xff;
    p.bitmap_len = 8193;
    assert_int_equal(iotrap_io_permitted(&p, 0xfff8, 1), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0xffff, 1), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0xfffc, 4), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0xffff, 2), 0); /* port 0x10000: extra byte */
    assert_int_equal(iotrap_io_permitted(&p, 0xfffe, 4), 0);
}

/* A TSS limit that cuts the bitmap short: ports whose two bytes are not both inside it are
 * denied, never allowed (the CPU, and QEMU's check_io, deny them). */
static void t_ports_past_a_short_bitmap_are_denied(void **state)
{
    (void)state;
    memset(map, 0, sizeof map);
    iotrap_io_perm p = perm(3, 0, false, 16); /* bytes 0..15: ports 0-0x7f, but... */
    assert_int_equal(iotrap_io_permitted(&p, 0x00, 1), 1);
    assert_int_equal(iotrap_io_permitted(&p, 0x77, 1), 1); /* bytes 14, 15 */
    assert_int_equal(iotrap_io_permitted(&p, 0x78, 1), 0); /* bytes 15, 16: 16 is past */
    assert_int_equal(iotrap_io_permitted(&p, 0x80, 1), 0);
    assert_int_equal(iotrap_io_permitted(&p, 0x378, 1), 0);
    p.bitmap_len = 1;
    assert_int_equal(iotrap_io_permitted(&p, 0x00, 1), 0);
}

static void t_bad_arguments(void **state)
{
    (void)state;
    reset_map();
    iotrap_io_perm p = perm(0, 0, false, sizeof map);
    assert_int_equal(iotrap_io_permitted(NULL, 0x80, 1), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_io_permitted(&p, 0x80, 3), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_io_permitted(&p, 0x80, 8), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_io_permitted(&p, 0x80, 0), IOTRAP_E_INVAL);
    p.cpl = 4;
    assert_int_equal(iotrap_io_permitted(&p, 0x80, 1), IOTRAP_E_INVAL);
    p.cpl = 0;
    p.iopl = 7;
    assert_int_equal(iotrap_io_permitted(&p, 0x80, 1), IOTRAP_E_INVAL);
    p.iopl = 0;
    p.size = 0; /* not set */
    assert_int_equal(iotrap_io_permitted(&p, 0x80, 1), IOTRAP_E_INVAL);
    /* A newer caller's larger struct: accepted while what we do not know is zero. */
    struct { iotrap_io_perm p; uint64_t later; } big = { p, 0 };
    big.p.size = sizeof big;
    assert_int_equal(iotrap_io_permitted(&big.p, 0x80, 1), 1);
    big.later = 1;
    assert_int_equal(iotrap_io_permitted(&big.p, 0x80, 1), IOTRAP_E_UNSUPPORTED);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_cpl_at_most_iopl_allows),
    cmocka_unit_test(t_bitmap_decides_above_iopl),
    cmocka_unit_test(t_vm86_always_checks_the_bitmap),
    cmocka_unit_test(t_every_port_of_a_wide_access),
    cmocka_unit_test(t_the_extra_byte),
    cmocka_unit_test(t_ports_past_a_short_bitmap_are_denied),
    cmocka_unit_test(t_bad_arguments),
};

IOTRAP_TEST_MAIN(tests)
