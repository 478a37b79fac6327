/* The pci model against the PCI local bus specification and the 440FX/PIIX3 data
 * sheets: mechanism #1 detection as pciutils and Linux do it, configuration reads of
 * every width, absent functions, mechanism #2 failing as on a chipset without it, the
 * writable bits and BAR sizing of a card, and bad card= values. */
#include "tests/unit/test_ports_helpers.h"

static iotrap_ports *open_pci(const char *spec)
{
    static const char *devs[2];
    devs[0] = spec;
    devs[1] = NULL;
    return open_sim(NULL, devs);
}

static uint32_t cfg_read(iotrap_ports *p, unsigned dev, unsigned fn, unsigned reg,
                         unsigned width)
{
    out_w(p, 0xcf8, 4, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xfc));
    return in_w(p, (uint16_t)(0xcfc + (reg & 3)), width);
}

static void cfg_write(iotrap_ports *p, unsigned dev, unsigned reg, unsigned width, uint32_t v)
{
    out_w(p, 0xcf8, 4, 0x80000000u | dev << 11 | (reg & 0xfc));
    out_w(p, (uint16_t)(0xcfc + (reg & 3)), width, v);
}

/* pciutils' conf1_detect: a byte to 0xcfb, then CONFIG_ADDRESS reads back what a dword
 * wrote; the sanity check then finds a host bridge on bus 0. */
static void t_mechanism1_detection(void **state)
{
    iotrap_ports *p = open_pci("pci@0xcf8");
    out8(p, 0xcfb, 0x01);
    uint32_t tmp = in_w(p, 0xcf8, 4);
    out_w(p, 0xcf8, 4, 0x80000000u);
    assert_int_equal(in_w(p, 0xcf8, 4), 0x80000000u);
    out_w(p, 0xcf8, 4, tmp);
    /* Reserved bits read as zero. */
    out_w(p, 0xcf8, 4, 0xffffffffu);
    assert_int_equal(in_w(p, 0xcf8, 4), 0x80fffffcu);
    /* Byte and word writes are not CONFIG_ADDRESS. */
    out_w(p, 0xcf8, 4, 0x80000000u);
    out8(p, 0xcf8, 0x12);
    out_w(p, 0xcfa, 2, 0x3456);
    assert_int_equal(in_w(p, 0xcf8, 4), 0x80000000u);
    assert_int_equal(in8(p, 0xcf8), 0xff);
    assert_int_equal(cfg_read(p, 0, 0, 0x0a, 2), 0x0600); /* host bridge class */
    iotrap_ports_close(p);
}

static void t_config_reads(void **state)
{
    iotrap_ports *p = open_pci("pci@0xcf8");
    assert_int_equal(cfg_read(p, 0, 0, 0x00, 4), 0x12378086u);
    assert_int_equal(cfg_read(p, 0, 0, 0x00, 2), 0x8086);
    assert_int_equal(cfg_read(p, 0, 0, 0x02, 2), 0x1237);
    assert_int_equal(cfg_read(p, 0, 0, 0x08, 1), 0x02); /* revision */
    assert_int_equal(cfg_read(p, 0, 0, 0x0b, 1), 0x06);
    assert_int_equal(cfg_read(p, 0, 0, 0x0e, 1), 0x00); /* header type 0 */
    assert_int_equal(cfg_read(p, 1, 0, 0x00, 4), 0x70008086u);
    assert_int_equal(cfg_read(p, 1, 0, 0x08, 4) >> 8, 0x060100);
    assert_int_equal(cfg_read(p, 1, 0, 0x0e, 1), 0x80); /* multi-function */
    /* Absent: other devices, other functions, other buses. */
    assert_int_equal(cfg_read(p, 2, 0, 0x00, 4), 0xffffffffu);
    assert_int_equal(cfg_read(p, 1, 1, 0x00, 4), 0xffffffffu);
    assert_int_equal(cfg_read(p, 31, 7, 0x00, 2), 0xffff);
    out_w(p, 0xcf8, 4, 0x80010000u); /* bus 1 */
    assert_int_equal(in_w(p, 0xcfc, 4), 0xffffffffu);
    /* With the enable bit clear CONFIG_DATA reaches nothing. */
    out_w(p, 0xcf8, 4, 0x00000000u);
    assert_int_equal(in_w(p, 0xcfc, 4), 0xffffffffu);
    /* The data port split into bytes gives the same bytes. */
    out_w(p, 0xcf8, 4, 0x80000000u);
    assert_int_equal(in8(p, 0xcfc) | in8(p, 0xcfd) << 8 | in8(p, 0xcfe) << 16 |
                         (uint32_t)in8(p, 0xcff) << 24, 0x12378086u);
    iotrap_ports_close(p);
}

/* pciutils' conf2_detect and Linux's pci_check_type2: byte writes of 0 to 0xcfb, 0xcf8
 * and 0xcfa must read back 0 from 0xcf8 and 0xcfa; a mechanism-#1-only chipset does not. */
static void t_mechanism2_absent(void **state)
{
    iotrap_ports *p = open_pci("pci@0xcf8");
    out8(p, 0xcfb, 0x00);
    out8(p, 0xcf8, 0x00);
    out8(p, 0xcfa, 0x00);
    assert_false(in8(p, 0xcf8) == 0x00 && in8(p, 0xcfa) == 0x00);
    /* The reset control register keeps only bit 1, and a reset request does nothing. */
    assert_int_equal(in8(p, 0xcf9), 0x00);
    out8(p, 0xcf9, 0x0e);
    assert_int_equal(in8(p, 0xcf9), 0x02);
    iotrap_ports_close(p);
}

/* A card: its IDs, class and subsystem; I/O BARs that size as the spec says; writable
 * command bits and read-only IDs. */
static void t_card(void **state)
{
    iotrap_ports *p = open_pci("pci@0xcf8,card=9710:9865:070103:1000:0020@0x378/8+0x778");
    assert_int_equal(cfg_read(p, 2, 0, 0x00, 4), 0x98659710u);
    assert_int_equal(cfg_read(p, 2, 0, 0x08, 4) >> 8, 0x070103);
    assert_int_equal(cfg_read(p, 2, 0, 0x2c, 4), 0x00201000u);
    assert_int_equal(cfg_read(p, 2, 0, 0x10, 4), 0x379u);
    assert_int_equal(cfg_read(p, 2, 0, 0x14, 4), 0x779u);
    assert_int_equal(cfg_read(p, 2, 0, 0x18, 4), 0u);
    assert_int_equal(cfg_read(p, 2, 0, 0x3d, 1), 0x01);
    /* BAR sizing: all ones in, ~(size - 1) | 1 out; then the address goes back. */
    cfg_write(p, 2, 0x10, 4, 0xffffffffu);
    assert_int_equal(cfg_read(p, 2, 0, 0x10, 4), 0xfffffff9u);
    cfg_write(p, 2, 0x10, 4, 0x378);
    assert_int_equal(cfg_read(p, 2, 0, 0x10, 4), 0x379u);
    cfg_write(p, 2, 0x18, 4, 0xffffffffu); /* no BAR there */
    assert_int_equal(cfg_read(p, 2, 0, 0x18, 4), 0u);
    cfg_write(p, 2, 0x00, 4, 0);
    assert_int_equal(cfg_read(p, 2, 0, 0x00, 2), 0x9710);
    cfg_write(p, 2, 0x04, 2, 0xffff);
    assert_int_equal(cfg_read(p, 2, 0, 0x04, 2), 0x0547);
    cfg_write(p, 2, 0x3c, 1, 0x07);
    assert_int_equal(cfg_read(p, 2, 0, 0x3c, 1), 0x07);
    cfg_write(p, 0, 0x59, 1, 0x30); /* a PAM register of the host bridge */
    assert_int_equal(cfg_read(p, 0, 0, 0x59, 1), 0x30);
    iotrap_ports_close(p);
}

static void expect_bad(const char *spec, const char *part)
{
    const char *devs[] = { spec, NULL };
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.size = sizeof cfg;
    cfg.devices = devs;
    char err[512];
    assert_int_equal(open_fails(&cfg, err, sizeof err), IOTRAP_E_SYNTAX);
    if (!strstr(err, part))
        fail_msg("\"%s\" does not name \"%s\"", err, part);
}

static void t_bad_cards(void **state)
{
    expect_bad("pci@0xcf8,card=9710:9865@0x378", "it needs vendor, device and class");
    expect_bad("pci@0xcf8,card=9710:9865:0701", "no \"@PORT\"");
    expect_bad("pci@0xcf8,card=97g0:9865:070100@0x378", "not hexadecimal");
    expect_bad("pci@0xcf8,card=9710:9865:070100@0x37c/8", "multiple of its size");
    expect_bad("pci@0xcf8,card=9710:9865:070100@0x378/6", "power of two");
    expect_bad("pci@0xcf8,card=9710:9865:070100@0x378+", "9710:9865:070100@0x378+");
    expect_bad("pci@0xcf8,card=ffff:9865:070100@0x378", "no device");
    expect_bad("pci@0xcf8,slot=3", "unknown option \"slot\" for pci (known: card)");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_mechanism1_detection),
    cmocka_unit_test(t_config_reads),
    cmocka_unit_test(t_mechanism2_absent),
    cmocka_unit_test(t_card),
    cmocka_unit_test(t_bad_cards),
};

IOTRAP_TEST_MAIN(tests)
