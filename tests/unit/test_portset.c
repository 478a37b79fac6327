/* The port set and the one parser of port lists (common/portset.c): every form of the
 * grammar, the inputs on which the four parsers of old disagreed, every error message,
 * the set operations, and formatting that reads back as the same set.  The consumers
 * (--allow, routes, remaps, iotrap.conf ports=, device bases) are checked to give the
 * same reading of the same text. */
#include <stdlib.h>
#include "tests/unit/harness.h"
#include <iotrap/iotrap.h>
#include "common/parse.h"
#include "common/portset.h"
#include "daemon/conf.h"
#include "session/portmap.h"

static iotrap__portset set;
static char err[512];

static int parse(const char *text)
{
    err[0] = '\0';
    return iotrap__portset_parse(&set, text, err, sizeof err);
}

/* The set as "first-last,..." in hex, for compact assertions. */
static const char *runs(const iotrap__portset *s)
{
    static char buf[4096];
    iotrap__portset_format(s, buf, sizeof buf);
    return buf;
}

static void t_grammar(void **state)
{
    assert_int_equal(parse("0x378-0x37f,0x3f8"), IOTRAP_OK);
    assert_string_equal(runs(&set), "0x378-0x37f,0x3f8");
    assert_int_equal(parse("888"), IOTRAP_OK);
    assert_string_equal(runs(&set), "0x378");
    assert_int_equal(parse("0X1fF-0X200"), IOTRAP_OK);
    assert_string_equal(runs(&set), "0x1ff-0x200");
    assert_int_equal(parse(" 80 , 0x70 - 0x71 "), IOTRAP_OK);
    assert_string_equal(runs(&set), "0x50,0x70-0x71");
    assert_int_equal(parse("0"), IOTRAP_OK);
    assert_string_equal(runs(&set), "0x0");
    assert_int_equal(parse("65535"), IOTRAP_OK);
    assert_string_equal(runs(&set), "0xffff");
    assert_int_equal(parse("0x3f8-0x3ff,0x378-0x37f,0x37c"), IOTRAP_OK); /* any order */
    assert_string_equal(runs(&set), "0x378-0x37f,0x3f8-0x3ff");
    assert_int_equal(parse("all"), IOTRAP_OK);
    assert_true(iotrap__portset_has_all(&set, 0, 0x10000));
    assert_string_equal(runs(&set), "all");
    assert_int_equal(parse(" none "), IOTRAP_OK);
    assert_true(iotrap__portset_empty(&set));
    assert_string_equal(runs(&set), "none");
    assert_int_equal(parse("0x0-0xffff"), IOTRAP_OK);
    assert_string_equal(runs(&set), "all");
}

/* The inputs the parsers of old read differently: one reading now, everywhere. */
static void t_former_disagreements(void **state)
{
    assert_int_equal(parse("0x378 , 0x3f8"), IOTRAP_OK);
    assert_string_equal(runs(&set), "0x378,0x3f8");
    assert_int_equal(parse("01570"), IOTRAP_E_SYNTAX);
    assert_string_equal(err, "bad port \"01570\": a leading 0 is ambiguous (write 0x... for "
                             "hex, or the decimal number without the 0)");
    assert_int_equal(parse("0378"), IOTRAP_E_SYNTAX);
    assert_string_equal(err, "bad port \"0378\": a leading 0 is ambiguous (write 0x... for "
                             "hex, or the decimal number without the 0)");
    assert_int_equal(parse("0x378-0378"), IOTRAP_E_SYNTAX);
    assert_int_equal(parse("00"), IOTRAP_E_SYNTAX);

    /* The same text through every consumer. */
    iotrap__route_spec r;
    assert_int_equal(iotrap__route_parse("0x378 , 0x3f8=sim", &r, err, sizeof err), IOTRAP_OK);
    assert_string_equal(runs(&r.ports), "0x378,0x3f8");
    assert_int_equal(iotrap__route_parse("0378=sim", &r, err, sizeof err), IOTRAP_E_SYNTAX);
    assert_non_null(strstr(err, "bad port \"0378\": a leading 0 is ambiguous"));
    iotrap__remap_spec m;
    assert_int_equal(iotrap__remap_parse("0378=0x278", &m, err, sizeof err), IOTRAP_E_SYNTAX);
    assert_int_equal(iotrap__remap_parse("0x378=0278", &m, err, sizeof err), IOTRAP_E_SYNTAX);
    iotrap__device_spec d;
    assert_int_equal(iotrap__device_spec_parse("lpt@0378", &d, err, sizeof err), IOTRAP_E_SYNTAX);
    assert_string_equal(err, "bad port \"0378\" in \"lpt@0378\": a leading 0 is ambiguous "
                             "(write 0x... for hex, or the decimal number without the 0)");
    iotrap_ports_config cfg = {.size = sizeof(cfg), .allow = "0x378 , 0x3f8", .quiet = 1};
    iotrap_ports *p = NULL;
    assert_int_equal(iotrap_ports_open(&cfg, &p, err, sizeof err), IOTRAP_OK);
    assert_true(iotrap_ports_allowed(p, 0x378, 1) && iotrap_ports_allowed(p, 0x3f8, 1));
    assert_false(iotrap_ports_allowed(p, 0x379, 1));
    iotrap_ports_close(p);
    cfg.allow = "01570";
    assert_int_equal(iotrap_ports_open(&cfg, &p, err, sizeof err), IOTRAP_E_SYNTAX);
    assert_string_equal(err, "--allow: bad port \"01570\": a leading 0 is ambiguous (write "
                             "0x... for hex, or the decimal number without the 0)");
}

static void t_conf_ports_use_the_parser(void **state)
{
    iotrapd_conf conf;
    static const iotrapd_resolver res = {NULL, NULL, NULL};
    assert_int_equal(iotrapd_conf_parse("allow uid=5 ports=0x378-0x37a,888,1016 access=r\n",
                                        "t.conf", &res, &conf, err, sizeof err), 0);
    assert_string_equal(runs(&conf.rules[0].ports), "0x378-0x37a,0x3f8");
    iotrapd_conf_free(&conf);
    assert_int_equal(iotrapd_conf_parse("allow uid=5 ports=0378 access=r\n", "t.conf", &res,
                                        &conf, err, sizeof err), -1);
    assert_string_equal(err, "t.conf:1: ports=0378: bad port \"0378\": a leading 0 is ambiguous "
                             "(write 0x... for hex, or the decimal number without the 0)");
}

static void expect_error(const char *text, int status, const char *msg)
{
    assert_int_equal(parse(text), status);
    assert_string_equal(err, msg);
}

static void t_errors(void **state)
{
    expect_error("0x400-0x3ff", IOTRAP_E_RANGE, "bad port range \"0x400-0x3ff\": end before start");
    expect_error("0x10000", IOTRAP_E_RANGE, "bad port \"0x10000\": above 0xffff");
    expect_error("65536", IOTRAP_E_RANGE, "bad port \"65536\": above 0xffff");
    expect_error("0x378-0x1ffff", IOTRAP_E_RANGE, "bad port \"0x1ffff\": above 0xffff");
    expect_error("zz", IOTRAP_E_SYNTAX, "bad port \"zz\": not a number");
    expect_error("0x378,lpt", IOTRAP_E_SYNTAX, "bad port \"lpt\": not a number");
    expect_error("0x378,,0x3f8", IOTRAP_E_SYNTAX, "empty item in port list \"0x378,,0x3f8\"");
    expect_error("0x378,", IOTRAP_E_SYNTAX, "empty item in port list \"0x378,\"");
    expect_error(",0x378", IOTRAP_E_SYNTAX, "empty item in port list \",0x378\"");
    expect_error("0x378-", IOTRAP_E_SYNTAX, "bad port range \"0x378-\": no end port");
    expect_error("-0x378", IOTRAP_E_SYNTAX, "bad port range \"-0x378\": no start port");
    expect_error("1-2-3", IOTRAP_E_SYNTAX, "bad port \"2-3\": not a number");
    expect_error("0x", IOTRAP_E_SYNTAX, "bad port \"0x\": not a number");
    expect_error("0x3 78", IOTRAP_E_SYNTAX, "bad port \"0x3 78\": not a number");
    expect_error("  ", IOTRAP_E_SYNTAX,
                 "empty port list (give ranges like 0x378-0x37f,0x3f8, or all, or none)");
    expect_error("All", IOTRAP_E_SYNTAX, "bad port \"All\": not a number");
    expect_error("all,0x378", IOTRAP_E_SYNTAX, "bad port \"all\": not a number");
    expect_error("-1", IOTRAP_E_SYNTAX, "bad port range \"-1\": no start port");
    assert_int_equal(iotrap__portset_parse(&set, NULL, err, sizeof err), IOTRAP_E_INVAL);
    assert_string_equal(err, "no port list given");
}

static void t_operations(void **state)
{
    iotrap__portset a, b;
    iotrap__portset_clear(&a);
    iotrap__portset_add(&a, 0x378, 0x37f);
    iotrap__portset_add(&a, 0xfffe, 0x1ffff); /* past 0xffff ignored */
    assert_true(iotrap__portset_has(&a, 0xffff));
    assert_false(iotrap__portset_has(&a, 0x10000));
    assert_true(iotrap__portset_has_all(&a, 0x37c, 4));
    assert_false(iotrap__portset_has_all(&a, 0x37d, 4));
    assert_true(iotrap__portset_has_all(&a, 0xfffe, 2));
    assert_false(iotrap__portset_has_all(&a, 0xffff, 2)); /* past the port space */
    assert_false(iotrap__portset_has_all(&a, 0x378, 0));
    assert_false(iotrap__portset_has_all(&a, 0x10000, 1));
    iotrap__portset_clear(&b);
    iotrap__portset_add(&b, 0x37a, 0x3ff);
    assert_int_equal(iotrap__portset_first_outside(&a, &b), 0x378);
    assert_int_equal(iotrap__portset_first_outside(&b, &a), 0x380);
    assert_int_equal(iotrap__portset_first_outside(&a, NULL), 0x378);
    iotrap__portset c = a;
    iotrap__portset_and(&c, &b);
    assert_string_equal(runs(&c), "0x37a-0x37f");
    c = a;
    iotrap__portset_andnot(&c, &b);
    assert_string_equal(runs(&c), "0x378-0x379,0xfffe-0xffff");
    iotrap__portset_or(&c, &b);
    assert_string_equal(runs(&c), "0x378-0x3ff,0xfffe-0xffff");
    iotrap__portset_remove(&c, 0x380, 0x3fe);
    assert_string_equal(runs(&c), "0x378-0x37f,0x3ff,0xfffe-0xffff");
    iotrap__portset_clear(&c);
    assert_int_equal(iotrap__portset_first_outside(&c, NULL), -1);
}

/* Formatting reads back as the same set, and reports the length it needs. */
static void t_format_round_trip(void **state)
{
    unsigned seed = 42;
    for (int n = 0; n < 200; n++) {
        iotrap__portset a, b;
        iotrap__portset_clear(&a);
        for (int k = rand_r(&seed) % 20; k > 0; k--) {
            uint32_t lo = (uint32_t)rand_r(&seed) % 0x10000;
            iotrap__portset_add(&a, lo, lo + (uint32_t)rand_r(&seed) % 40);
        }
        char text[4096];
        size_t need = iotrap__portset_format(&a, text, sizeof text);
        assert_int_equal(need, strlen(text));
        assert_int_equal(iotrap__portset_parse(&b, text, err, sizeof err), IOTRAP_OK);
        assert_memory_equal(&a, &b, sizeof a);
    }
    char small[8];
    iotrap__portset_clear(&set);
    iotrap__portset_add(&set, 0x378, 0x37f);
    iotrap__portset_add(&set, 0x3f8, 0x3f8);
    assert_int_equal(iotrap__portset_format(&set, small, sizeof small), 17);
    assert_string_equal(small, "0x378-0");
}

/* Random text never crashes the parser, and every failure has a message. */
static void t_never_crashes(void **state)
{
    static const char alphabet[] = "0123456789abcdefxX-, \tallnone";
    unsigned seed = 7;
    char text[40];
    for (int n = 0; n < 20000; n++) {
        size_t len = (size_t)(rand_r(&seed) % (sizeof(text) - 1));
        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
        text[len] = '\0';
        int rc = parse(text);
        assert_true(rc == IOTRAP_OK || (rc < 0 && err[0]));
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_grammar),
    cmocka_unit_test(t_former_disagreements),
    cmocka_unit_test(t_conf_ports_use_the_parser),
    cmocka_unit_test(t_errors),
    cmocka_unit_test(t_operations),
    cmocka_unit_test(t_format_round_trip),
    cmocka_unit_test(t_never_crashes),
};

IOTRAP_TEST_MAIN(tests)
