/* The lpt model: the SPP registers and the Centronics handshake as QEMU's ISA parallel
 * port shows them, and the EPP and ECP registers against the SMSC FDC37C669 data sheet
 * and the ECP ISA interface standard, probed as Linux's parport_pc probes them. */
#include <stdio.h>
#include "tests/unit/test_ports_helpers.h"

#define LPT 0x378
#define ECR (LPT + 0x402)
#define FIFO (LPT + 0x400)

static void t_lpt_reset_values(void **state)
{
    iotrap_ports *p = open_with_out("lpt@0x378,out=%s");
    assert_int_equal(in8(p, LPT + 1), 0xd8); /* idle: not busy, online, no error */
    assert_int_equal(in8(p, LPT + 2), 0xcc); /* select + init, bits 6-7 read as ones */
    for (int r = 3; r < 8; r++)
        assert_int_equal(in8(p, (uint16_t)(LPT + r)), 0xff);
    iotrap_ports_close(p);
}

static void t_lpt_data_latch_and_direction(void **state)
{
    iotrap_ports *p = open_with_out("lpt@0x378,out=%s");
    out8(p, LPT, 0x55);
    assert_int_equal(in8(p, LPT), 0x55);
    out8(p, LPT, 0xaa);
    assert_int_equal(in8(p, LPT), 0xaa);
    /* Input mode (control bit 5): nobody drives the lines. */
    out8(p, LPT + 2, 0x2c);
    assert_int_equal(in8(p, LPT + 2), 0xec);
    assert_int_equal(in8(p, LPT), 0xff);
    out8(p, LPT + 2, 0x0c);
    assert_int_equal(in8(p, LPT), 0xaa);
    /* Status is read-only. */
    out8(p, LPT + 1, 0x00);
    assert_int_equal(in8(p, LPT + 1), 0xd8);
    /* Control keeps its low bits; bits 6-7 always read back set. */
    out8(p, LPT + 2, 0x1e);
    assert_int_equal(in8(p, LPT + 2), 0xde);
    /* Nothing was strobed. */
    size_t len;
    free(slurp(out_path, &len));
    assert_int_equal(len, 0);
    iotrap_ports_close(p);
}

/* Prints one byte the way a DOS printer driver does: wait while busy, put the data,
 * pulse STROBE, wait for the acknowledge. */
static void centronics_byte(iotrap_ports *p, uint8_t c)
{
    int spins = 0;
    while (!(in8(p, LPT + 1) & 0x80))
        assert_true(++spins < 10);
    out8(p, LPT, c);
    out8(p, LPT + 2, 0x0d); /* strobe, init, select */
    assert_int_equal(in8(p, LPT + 1) & 0x80, 0); /* busy now */
    out8(p, LPT + 2, 0x0c);
    /* QEMU's order while the host waits: busy with ack, busy without ack, idle. */
    assert_int_equal(in8(p, LPT + 1), 0x58);
    assert_int_equal(in8(p, LPT + 1), 0x18);
    assert_int_equal(in8(p, LPT + 1), 0xd8);
}

static void t_lpt_strobe_to_file(void **state)
{
    iotrap_ports *p = open_with_out("lpt@0x378,out=%s");
    const char *msg = "HELLO\r\n";
    for (const char *c = msg; *c; c++)
        centronics_byte(p, (uint8_t)*c);
    /* STROBE held high through two writes sends once. */
    out8(p, LPT, 'X');
    out8(p, LPT + 2, 0x0d);
    out8(p, LPT + 2, 0x0d);
    out8(p, LPT + 2, 0x0c);
    /* No SELECT: no byte.  No INIT: the printer resets and takes no byte either. */
    out8(p, LPT, 'N');
    out8(p, LPT + 2, 0x05);
    out8(p, LPT + 2, 0x04);
    out8(p, LPT + 2, 0x09);
    out8(p, LPT + 2, 0x08);
    assert_int_equal(in8(p, LPT + 1), 0xd8);
    out8(p, LPT + 2, 0x0c);
    size_t len;
    char *text = slurp(out_path, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(text, "HELLO\r\nX", 8);
    free(text);
    iotrap_ports_close(p);
}

static void t_lpt_without_out_file(void **state)
{
    const char *devs[] = { "lpt@0x278", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    out8(p, 0x278, 'A');
    out8(p, 0x278 + 2, 0x0d);
    out8(p, 0x278 + 2, 0x0c);
    assert_int_equal(in8(p, 0x279), 0x58); /* the handshake runs; the byte is dropped */
    iotrap_ports_close(p);
}

/* ---- Modes ----------------------------------------------------------------------- */

/* Linux's parport_ECR_present: an ECR whose low bits do not follow control, reads with
 * FIFO empty, and takes 0x34 back as 0x35.  Only mode=ecp has one (and claims
 * BASE+0x400..0x402); the other modes leave those ports to the bus. */
static int ecr_present(iotrap_ports *p)
{
    out8(p, LPT + 2, 0x0c);
    if ((in8(p, ECR) & 3) == (0x0c & 3)) {
        out8(p, LPT + 2, 0x0c ^ 0x02);
        uint8_t r = in8(p, LPT + 2);
        if ((in8(p, ECR) & 2) == (r & 2))
            return 0;
    }
    if ((in8(p, ECR) & 3) != 1)
        return 0;
    out8(p, ECR, 0x34);
    if (in8(p, ECR) != 0x35)
        return 0;
    out8(p, LPT + 2, 0x0c);
    return 1;
}

static void t_lpt_ecr_by_mode(void **state)
{
    static const struct {
        const char *spec;
        int ecr;
    } cases[] = {
        { "lpt@0x378", 1 }, { "lpt@0x378,mode=ecp", 1 }, { "lpt@0x378,mode=epp", 0 },
        { "lpt@0x378,mode=spp", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *devs[] = { cases[i].spec, NULL };
        iotrap_ports *p = open_sim(NULL, devs);
        assert_int_equal(in8(p, ECR), cases[i].ecr ? 0x35 : 0xff); /* PS/2 mode at reset */
        assert_int_equal(ecr_present(p), cases[i].ecr);
        iotrap_ports_close(p);
    }
    const char *bad[] = { "lpt@0x378,mode=nibble", NULL };
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.size = sizeof cfg;
    cfg.devices = bad;
    char err[512];
    open_fails(&cfg, err, sizeof err);
    assert_string_equal(err, "bad value \"nibble\" for option \"mode\" of lpt (known: ecp, epp, "
                             "spp)");
    /* The ECR window must fit below 0x10000 too. */
    const char *high[] = { "lpt@0xfc00", NULL };
    cfg.devices = high;
    open_fails(&cfg, err, sizeof err);
    assert_string_equal(err, "device \"lpt@0xfc00\" ends past port 0xffff (lpt also answers "
                             "BASE+0x400 to BASE+0x402)");
}

/* Linux's clear_epp_timeout: two status reads, then 1 and 0 written to bit 0. */
static int clear_epp_timeout(iotrap_ports *p)
{
    if (!(in8(p, LPT + 1) & 0x01))
        return 1;
    in8(p, LPT + 1);
    uint8_t r = in8(p, LPT + 1);
    out8(p, LPT + 1, r | 0x01);
    out8(p, LPT + 1, r & 0xfe);
    return !(in8(p, LPT + 1) & 0x01);
}

/* EPP: every address or data cycle times out, as with nothing attached: the timeout bit
 * rises and a read gives 0xff; writing 1 clears it.  SPP has no EPP registers, so the
 * bit never rises there: that is how programs tell the two apart. */
static void t_lpt_epp_timeout(void **state)
{
    const char *devs[] = { "lpt@0x378,mode=epp", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    assert_int_equal(in8(p, LPT + 1), 0xd8);
    out8(p, LPT + 3, 0x01); /* address write cycle */
    assert_int_equal(in8(p, LPT + 1), 0xd9);
    assert_true(clear_epp_timeout(p));
    assert_int_equal(in8(p, LPT + 4), 0xff); /* data read cycle */
    assert_int_equal(in8(p, LPT + 1) & 0x01, 0x01);
    assert_true(clear_epp_timeout(p));
    out_w(p, LPT + 4, 4, 0x12345678); /* a dword EPP write: four cycles */
    assert_int_equal(in8(p, LPT + 1) & 0x01, 0x01);
    out8(p, LPT + 1, 0x01);
    assert_int_equal(in8(p, LPT + 1), 0xd8);
    iotrap_ports_close(p);

    const char *spp[] = { "lpt@0x378,mode=spp", NULL };
    p = open_sim(NULL, spp);
    out8(p, LPT + 3, 0x01);
    assert_int_equal(in8(p, LPT + 4), 0xff);
    assert_int_equal(in8(p, LPT + 1), 0xd8);
    iotrap_ports_close(p);
}

/* In mode=ecp the EPP registers answer in ECR mode 100 only (Linux's
 * parport_ECPEPP_supported selects it with ECR 0x80). */
static void t_lpt_ecp_epp_mode(void **state)
{
    const char *devs[] = { "lpt@0x378", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    out8(p, LPT + 3, 0x01);
    assert_int_equal(in8(p, LPT + 1) & 0x01, 0x00);
    out8(p, ECR, 0x80);
    out8(p, LPT + 2, 0x04);
    assert_true(clear_epp_timeout(p));
    out8(p, LPT + 3, 0x01);
    assert_int_equal(in8(p, LPT + 1) & 0x01, 0x01);
    iotrap_ports_close(p);
}

/* Linux's parport_ECP_supported: the FIFO depth in test mode, the write and read
 * interrupt thresholds, and the PWord size from configuration register A. */
static void t_lpt_ecp_fifo_probe(void **state)
{
    const char *devs[] = { "lpt@0x378", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    out8(p, ECR, 0x00); /* reset the FIFO */
    out8(p, ECR, 0xc0); /* test mode */
    int i;
    for (i = 0; i < 1024 && !(in8(p, ECR) & 0x02); i++)
        out8(p, FIFO, 0xaa);
    assert_int_equal(i, 16);
    assert_int_equal(in8(p, ECR), 0xc6); /* full; serviceIntr rose while it was empty */
    /* writeIntrThreshold: serviceIntr rises once 8 bytes are free. */
    out8(p, ECR, (uint8_t)(in8(p, ECR) | 0x04));
    out8(p, ECR, (uint8_t)(in8(p, ECR) & ~0x04));
    for (i = 1; i <= 16; i++) {
        assert_int_equal(in8(p, FIFO), 0xaa);
        if (in8(p, ECR) & 0x04)
            break;
    }
    assert_int_equal(i, 8);
    /* readIntrThreshold: reverse direction, serviceIntr once 8 bytes are in. */
    out8(p, ECR, 0x20); /* PS/2 mode empties the FIFO */
    out8(p, LPT + 2, (uint8_t)(in8(p, LPT + 2) | 0x20));
    out8(p, ECR, 0xc0);
    out8(p, ECR, (uint8_t)(in8(p, ECR) | 0x04));
    out8(p, ECR, (uint8_t)(in8(p, ECR) & ~0x04));
    assert_int_equal(in8(p, ECR) & 0x03, 0x01);
    for (i = 1; i <= 16; i++) {
        out8(p, FIFO, 0xaa);
        if (in8(p, ECR) & 0x04)
            break;
    }
    assert_int_equal(i, 8);
    out8(p, LPT + 2, 0x0c);
    /* Configuration mode: cnfgA says 8-bit, PWord size 1. */
    out8(p, ECR, 0xe0);
    assert_int_equal((in8(p, FIFO) >> 4) & 7, 1);
    assert_int_equal(in8(p, FIFO + 1) & 0x7f, 0x00);
    out8(p, ECR, 0x00);
    assert_int_equal(in8(p, ECR), 0x01); /* mode 000, FIFO empty */
    iotrap_ports_close(p);
}

/* Mode 010 sends the FIFO to the printer (the out file); mode 011 has no ECP peripheral
 * to take it, so it fills; mode 000 ignores the direction bit. */
static void t_lpt_ecp_fifo_modes(void **state)
{
    iotrap_ports *p = open_with_out("lpt@0x378,out=%s");
    out8(p, ECR, 0x40);
    static const uint8_t text[] = "FIFO\n";
    for (size_t i = 0; i + 1 < sizeof text; i++) {
        out8(p, FIFO, text[i]);
        assert_int_equal(in8(p, ECR) & 0x03, 0x01);
    }
    assert_int_equal(iotrap_ports_out_string(p, FIFO, 1, "ok", 2, 0), IOTRAP_OK);
    size_t len;
    char *got = slurp(out_path, &len);
    assert_int_equal(len, 7);
    assert_memory_equal(got, "FIFO\nok", 7);
    free(got);
    out8(p, ECR, 0x60);
    for (int i = 0; i < 20; i++)
        out8(p, FIFO, 0x55);
    assert_int_equal(in8(p, ECR) & 0x03, 0x02);
    free(slurp(out_path, &len));
    assert_int_equal(len, 7);
    out8(p, ECR, 0x00);
    out8(p, LPT, 0x5a);
    out8(p, LPT + 2, 0x2c);
    assert_int_equal(in8(p, LPT), 0x5a); /* mode 000: always forward */
    out8(p, ECR, 0x20);
    assert_int_equal(in8(p, LPT), 0xff); /* PS/2 mode: input */
    iotrap_ports_close(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_lpt_reset_values),
    cmocka_unit_test(t_lpt_data_latch_and_direction),
    cmocka_unit_test(t_lpt_strobe_to_file),
    cmocka_unit_test(t_lpt_without_out_file),
    cmocka_unit_test(t_lpt_ecr_by_mode),
    cmocka_unit_test(t_lpt_epp_timeout),
    cmocka_unit_test(t_lpt_ecp_epp_mode),
    cmocka_unit_test(t_lpt_ecp_fifo_probe),
    cmocka_unit_test(t_lpt_ecp_fifo_modes),
};

IOTRAP_TEST_MAIN(tests)
