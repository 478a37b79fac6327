/* The optional ec and superio models: an idle ACPI embedded controller (ACPI
 * specification, "Embedded Controller Interface") driven as ectool drives it, and a
 * Winbond W83627HF's configuration ports probed as superiotool probes them. */
#include "tests/unit/test_ports_helpers.h"

/* ectool's ec_read: wait for IBF clear, command 0x80, wait, address, wait for OBF. */
static uint8_t ec_read(iotrap_ports *p, uint8_t addr)
{
    for (int i = 0; in8(p, 0x66) & 0x02; i++)
        assert_true(i < 10);
    out8(p, 0x66, 0x80);
    assert_int_equal(in8(p, 0x66) & 0x0a, 0x08); /* CMD, and IBF already clear */
    out8(p, 0x62, addr);
    assert_int_equal(in8(p, 0x66) & 0x01, 0x01); /* OBF */
    uint8_t v = in8(p, 0x62);
    assert_int_equal(in8(p, 0x66) & 0x01, 0x00);
    return v;
}

static void t_ec(void **state)
{
    const char *devs[] = { "ec@0x62", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    assert_int_equal(in8(p, 0x66), 0x00); /* idle */
    assert_int_equal(in8(p, 0x64), 0xff); /* 0x63-0x65 are not the EC's */
    for (unsigned a = 0; a < 256; a += 37)
        assert_int_equal(ec_read(p, (uint8_t)a), 0);
    out8(p, 0x66, 0x81); /* WR_EC */
    out8(p, 0x62, 0x42);
    out8(p, 0x62, 0x99);
    assert_int_equal(ec_read(p, 0x42), 0x99);
    out8(p, 0x66, 0x82); /* burst enable: acknowledged with 0x90 */
    assert_int_equal(in8(p, 0x66) & 0x11, 0x11);
    assert_int_equal(in8(p, 0x62), 0x90);
    out8(p, 0x66, 0x83);
    assert_int_equal(in8(p, 0x66) & 0x10, 0x00);
    out8(p, 0x66, 0x84); /* query: no event */
    assert_int_equal(in8(p, 0x62), 0x00);
    iotrap_ports_close(p);
}

/* superiotool's regval: index, then data. */
static uint8_t regval(iotrap_ports *p, uint16_t port, uint8_t reg)
{
    out8(p, port, reg);
    return in8(p, (uint16_t)(port + 1));
}

static void t_superio(void **state)
{
    const char *devs[] = { "superio@0x2e", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    /* Idle: nothing answers, whatever other vendors' keys are tried. */
    assert_int_equal(regval(p, 0x2e, 0x20), 0xff);
    out8(p, 0x2e, 0x55); /* SMSC */
    assert_int_equal(regval(p, 0x2e, 0x20), 0xff);
    out8(p, 0x2e, 0x87);
    out8(p, 0x2e, 0x01); /* ITE's key starts like Winbond's */
    out8(p, 0x2e, 0x55);
    out8(p, 0x2e, 0x55);
    assert_int_equal(regval(p, 0x2e, 0x20), 0xff);
    /* Winbond's key. */
    out8(p, 0x2e, 0x87);
    out8(p, 0x2e, 0x87);
    assert_int_equal(regval(p, 0x2e, 0x20), 0x52);
    assert_int_equal(regval(p, 0x2e, 0x21), 0x41);
    out8(p, 0x2f, 0x00); /* read-only */
    assert_int_equal(regval(p, 0x2e, 0x20), 0x52);
    assert_int_equal(regval(p, 0x2e, 0x26) & 0x40, 0x00);
    out8(p, 0x2e, 0x07);
    out8(p, 0x2f, 0x01); /* the parallel port */
    assert_int_equal(regval(p, 0x2e, 0x30), 0x01);
    assert_int_equal(regval(p, 0x2e, 0x60) << 8 | regval(p, 0x2e, 0x61), 0x378);
    assert_int_equal(regval(p, 0x2e, 0x70), 7);
    out8(p, 0x2e, 0x07);
    out8(p, 0x2f, 0x0b); /* the hardware monitor: inactive */
    assert_int_equal(regval(p, 0x2e, 0x30), 0x00);
    assert_int_equal(regval(p, 0x2e, 0x60) << 8 | regval(p, 0x2e, 0x61), 0x290);
    out8(p, 0x2e, 0xf0);
    out8(p, 0x2f, 0x5a);
    assert_int_equal(regval(p, 0x2e, 0xf0), 0x5a);
    out8(p, 0x2e, 0xaa); /* exit */
    assert_int_equal(regval(p, 0x2e, 0x20), 0xff);
    iotrap_ports_close(p);

    const char *at4e[] = { "superio@0x4e", NULL };
    p = open_sim(NULL, at4e);
    out8(p, 0x4e, 0x87);
    out8(p, 0x4e, 0x87);
    assert_int_equal(regval(p, 0x4e, 0x26) & 0x40, 0x40);
    iotrap_ports_close(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_ec),
    cmocka_unit_test(t_superio),
};

IOTRAP_TEST_MAIN(tests)
