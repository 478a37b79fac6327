/* Parsers of numbers and device specs, and every message the session and the board give
 * for bad configuration (port lists: test_portset.c). */
#include <dlfcn.h>
#include "tests/unit/test_ports_helpers.h"
#include "common/parse.h"
#include "session/portmap.h"

static void t_uint(void **state)
{
    uint64_t v;
    assert_int_equal(iotrap__parse_uint("0x378", 5, 0xffff, &v), IOTRAP_OK);
    assert_int_equal(v, 0x378);
    assert_int_equal(iotrap__parse_uint("0X1fF", 5, 0xffff, &v), IOTRAP_OK);
    assert_int_equal(v, 0x1ff);
    assert_int_equal(iotrap__parse_uint("888", 3, 0xffff, &v), IOTRAP_OK);
    assert_int_equal(v, 888);
    assert_int_equal(iotrap__parse_uint("65535", 5, 0xffff, &v), IOTRAP_OK);
    assert_int_equal(v, 65535);
    assert_int_equal(iotrap__parse_uint("65536", 5, 0xffff, &v), IOTRAP_E_RANGE);
    assert_int_equal(iotrap__parse_uint("0x10000", 7, 0xffff, &v), IOTRAP_E_RANGE);
    assert_int_equal(iotrap__parse_uint("99999999999999999999999", 23, UINT64_MAX, &v),
                     IOTRAP_E_RANGE);
    assert_int_equal(iotrap__parse_uint("99999999999999999999999x", 24, UINT64_MAX, &v),
                     IOTRAP_E_SYNTAX);
    const char *bad[] = { "", "0x", "12a", "-1", "+1", " 1", "0x1g", "1.0", "0b1" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(iotrap__parse_uint(bad[i], strlen(bad[i]), 0xffff, &v), IOTRAP_E_SYNTAX);
}

/* Sizes (--trace-max): bytes, or k, M, G (binary); at least 1; the bad part quoted. */
static void t_size(void **state)
{
    uint64_t v;
    char err[256];
    assert_int_equal(iotrap__parse_size("100", &v, err, sizeof err), IOTRAP_OK);
    assert_int_equal(v, 100);
    assert_int_equal(iotrap__parse_size("64k", &v, err, sizeof err), IOTRAP_OK);
    assert_int_equal(v, 65536);
    assert_int_equal(iotrap__parse_size("10M", &v, err, sizeof err), IOTRAP_OK);
    assert_int_equal(v, 10485760);
    assert_int_equal(iotrap__parse_size("2G", &v, err, sizeof err), IOTRAP_OK);
    assert_int_equal(v, 2147483648ULL);
    static const char *const bad[] = { "", "0", "k", "10 M", "10MB", "-1", "0x10", "1.5M", "010" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(iotrap__parse_size(bad[i], &v, err, sizeof err), IOTRAP_E_SYNTAX);
        char want[128];
        snprintf(want, sizeof want, "bad size \"%s\" (a number of bytes from 1, or with k, M or G)",
                 bad[i]);
        assert_string_equal(err, want);
    }
    assert_int_equal(iotrap__parse_size("99999999999G", &v, err, sizeof err), IOTRAP_E_RANGE);
    assert_string_equal(err, "size \"99999999999G\" is too large");
}

static void t_device_spec(void **state)
{
    iotrap__device_spec s;
    char err[256];
    assert_int_equal(iotrap__device_spec_parse("lpt@0x378,out=/tmp/x,flag", &s, err, sizeof(err)),
                     IOTRAP_OK);
    assert_string_equal(s.name, "lpt");
    assert_int_equal(s.lo, 0x378);
    assert_int_equal(s.hi, 0x378);
    assert_false(s.has_range);
    assert_int_equal(s.noptions, 2);
    assert_string_equal(s.options[0].key, "out");
    assert_string_equal(s.options[0].value, "/tmp/x");
    assert_string_equal(s.options[1].key, "flag");
    assert_string_equal(s.options[1].value, "");
    iotrap__device_spec_free(&s);
    assert_int_equal(iotrap__device_spec_parse("ram@768-0x30f", &s, err, sizeof(err)), IOTRAP_OK);
    assert_true(s.has_range);
    assert_int_equal(s.lo, 0x300);
    assert_int_equal(s.hi, 0x30f);
    assert_int_equal(s.noptions, 0);
    iotrap__device_spec_free(&s);
    /* Spaces around every part are ignored, as in port lists, however the spec came
     * (--device, IOTRAP_DEVICES with spaces after its ';'). */
    assert_int_equal(iotrap__device_spec_parse(" lpt @ 0x378 , out = /tmp/x y ,flag ", &s, err,
                                               sizeof(err)), IOTRAP_OK);
    assert_string_equal(s.name, "lpt");
    assert_int_equal(s.lo, 0x378);
    assert_int_equal(s.noptions, 2);
    assert_string_equal(s.options[0].key, "out");
    assert_string_equal(s.options[0].value, "/tmp/x y");
    assert_string_equal(s.options[1].key, "flag");
    iotrap__device_spec_free(&s);
}

static void expect_spec_error(const char *spec, int status, const char *msg)
{
    iotrap__device_spec s;
    char err[256] = "";
    assert_int_equal(iotrap__device_spec_parse(spec, &s, err, sizeof(err)), status);
    assert_string_equal(err, msg);
    assert_null(s.copy);
}

static void t_device_spec_errors(void **state)
{
    expect_spec_error("", IOTRAP_E_SYNTAX, "empty device spec (expected NAME@BASE[,key=value...])");
    expect_spec_error("lpt", IOTRAP_E_SYNTAX,
                      "device spec \"lpt\" has no \"@BASE\" (expected NAME@BASE[,key=value...])");
    expect_spec_error("lpt,out=a@b", IOTRAP_E_SYNTAX,
                      "device spec \"lpt,out=a@b\" has no \"@BASE\" (expected NAME@BASE[,key=value...])");
    expect_spec_error("@0x378", IOTRAP_E_SYNTAX, "device spec \"@0x378\" has no device name");
    expect_spec_error("lpt@", IOTRAP_E_SYNTAX, "device spec \"lpt@\" has no base port");
    expect_spec_error("lpt@,out=x", IOTRAP_E_SYNTAX, "device spec \"lpt@,out=x\" has no base port");
    expect_spec_error("lpt@0x3g8", IOTRAP_E_SYNTAX, "bad port \"0x3g8\" in \"lpt@0x3g8\": not a number");
    expect_spec_error("lpt@0x10000", IOTRAP_E_RANGE, "bad port \"0x10000\" in \"lpt@0x10000\": above 0xffff");
    expect_spec_error("ram@0x400-0x3ff", IOTRAP_E_RANGE,
                      "bad port range \"0x400-0x3ff\" in \"ram@0x400-0x3ff\": end before start");
    expect_spec_error("lpt@0x378,,x", IOTRAP_E_SYNTAX, "empty option in device spec \"lpt@0x378,,x\"");
    expect_spec_error("lpt@0x378,", IOTRAP_E_SYNTAX, "empty option in device spec \"lpt@0x378,\"");
    expect_spec_error("  ", IOTRAP_E_SYNTAX, "empty device spec (expected NAME@BASE[,key=value...])");
    expect_spec_error(" @0x378", IOTRAP_E_SYNTAX, "device spec \" @0x378\" has no device name");
    expect_spec_error("lpt@ ,out=x", IOTRAP_E_SYNTAX, "device spec \"lpt@ ,out=x\" has no base port");
    expect_spec_error("lpt@0x378, ", IOTRAP_E_SYNTAX, "empty option in device spec \"lpt@0x378, \"");
    expect_spec_error("lpt@0x378, =x", IOTRAP_E_SYNTAX,
                      "option \"=x\" in device spec \"lpt@0x378, =x\" has no name");
    expect_spec_error("lpt@0x378,=x", IOTRAP_E_SYNTAX,
                      "option \"=x\" in device spec \"lpt@0x378,=x\" has no name");
    expect_spec_error("ram@1,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", IOTRAP_E_SYNTAX,
                      "too many options in device spec \"ram@1,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\" (at most 16)");
}

/* Messages of whole configurations, as iotrap_ports_open gives them. */
static void expect_open_error(const char *backend, const char *allow, const char *device,
                              const char *msg)
{
    const char *devices[] = { device, NULL };
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.backend = backend;
    cfg.allow = allow;
    cfg.devices = device ? devices : NULL;
    char err[512];
    open_fails(&cfg, err, sizeof(err));
    if (msg) {
        assert_string_equal(err, msg);
    } else {
        assert_memory_equal(err, "unknown backend \"bogus\" (known: auto, ", 36);
        assert_non_null(strstr(err, ", sim)"));
    }
}

/* The caller sets size to sizeof(iotrap_ports_config): a config without it, or with an
 * option of newer headers than this library has, is refused with a message that says so;
 * a newer caller's struct whose extra fields are zero is taken. */
static void t_config_size(void **state)
{
    (void)state;
    char err[512];
    iotrap_ports *p = NULL;
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(iotrap_ports_open(&cfg, &p, err, sizeof(err)), IOTRAP_E_INVAL);
    assert_null(p);
    char want[200];
    snprintf(want, sizeof want,
             "iotrap_ports_config.size is 0: set it to sizeof(iotrap_ports_config) (%zu here)",
             sizeof(cfg));
    assert_string_equal(err, want);
    char path[256];
    assert_int_equal(iotrap_board_create(&cfg, path, sizeof(path), err, sizeof(err)),
                     IOTRAP_E_INVAL);
    assert_string_equal(err, want);

    struct { iotrap_ports_config cfg; const char *later; } newer;
    memset(&newer, 0, sizeof(newer));
    newer.cfg.size = sizeof(newer);
    assert_int_equal(iotrap_ports_open(&newer.cfg, &p, err, sizeof(err)), IOTRAP_OK);
    iotrap_ports_close(p);
    newer.later = "an option this library does not have";
    assert_int_equal(iotrap_ports_open(&newer.cfg, &p, err, sizeof(err)), IOTRAP_E_UNSUPPORTED);
    assert_non_null(strstr(err, "a field this library does not know is set"));
}

static void t_config_errors(void **state)
{
    expect_open_error(NULL, NULL, "lptx@0x378",
                      "unknown device \"lptx\" in \"lptx@0x378\" (known: lpt, uart, cmos, ram, "
                      "pit, portb, pci, ec, superio; see iotrap devices)");
    expect_open_error(NULL, NULL, "lpt@0x378,foo", "unknown option \"foo\" for lpt (known: out, mode)");
    expect_open_error(NULL, NULL, "lpt@0x378,out=", "option \"out\" for lpt needs a file name");
    expect_open_error(NULL, NULL, "uart@0x3f8,speed=9600",
                      "unknown option \"speed\" for uart (known: out)");
    expect_open_error(NULL, NULL, "cmos@0x70,time=mars",
                      "bad value \"mars\" for option \"time\" of cmos (known: utc, local)");
    expect_open_error(NULL, NULL, "ram@0x300,fast", "unknown option \"fast\" for ram (it takes none)");
    expect_open_error(NULL, NULL, "lpt@0xfffc",
                      "device \"lpt@0xfffc\" ends past port 0xffff (lpt spans 8 ports)");
    expect_open_error(NULL, NULL, "lpt@0x378-0x37f",
                      "lpt takes a base port, not a range, in \"lpt@0x378-0x37f\" (it spans 8 ports)");
    expect_open_error(NULL, NULL, "lpt@0x378,out=/nonexistent-dir/x",
                      "cannot open output file \"/nonexistent-dir/x\": No such file or directory");
    /* The list grows with the real-port backends; auto comes first and sim last. */
    expect_open_error("bogus", NULL, NULL, NULL);
    expect_open_error("sim:fast", NULL, NULL,
                      "backend sim takes no arguments (got \"fast\"); configure it with --device");
    expect_open_error(NULL, "0x400-0x3ff", NULL,
                      "--allow: bad port range \"0x400-0x3ff\": end before start");

    const char *overlap[] = { "lpt@0x378", "uart@0x37c", NULL };
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.devices = overlap;
    char err[512];
    assert_int_equal(open_fails(&cfg, err, sizeof(err)), IOTRAP_E_BUSY);
    assert_string_equal(err, "device \"uart@0x37c\" overlaps \"lpt@0x378\" at port 0x37c");

    memset(&cfg, 0, sizeof(cfg));

    cfg.size = sizeof(cfg);
    cfg.trace = "/dev/null";
    cfg.trace_format = "xml";
    open_fails(&cfg, err, sizeof(err));
    assert_string_equal(err, "unknown trace format \"xml\" (known: text, jsonl, vcd)");

    memset(&cfg, 0, sizeof(cfg));

    cfg.size = sizeof(cfg);
    const char *plugins[] = { "/nonexistent/plugin.so", NULL };
    cfg.plugins = plugins;
    open_fails(&cfg, err, sizeof(err));
    assert_non_null(strstr(err, "cannot load device plug-in \"/nonexistent/plugin.so\": "));

    memset(&cfg, 0, sizeof(cfg));

    cfg.size = sizeof(cfg);
    cfg.board = "/nonexistent/board";
    open_fails(&cfg, err, sizeof(err));
    assert_string_equal(err, "cannot open board \"/nonexistent/board\": No such file or directory");
}

static void t_more_config_errors(void **state)
{
    char err[6000];
    expect_open_error(NULL, NULL, "ram@0x300-",
                      "bad port range \"0x300-\" in \"ram@0x300-\": no end port");
    expect_open_error(NULL, NULL, "ram@-0x300",
                      "bad port range \"-0x300\" in \"ram@-0x300\": no start port");

    /* An out= path longer than any file name. */
    static char spec[5000];
    strcpy(spec, "uart@0x3f8,out=");
    memset(spec + strlen(spec), 'x', 4200);
    expect_open_error(NULL, NULL, spec, "option \"out\" for uart: path too long");

    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.trace_format = "csv"; /* checked even without a trace file */
    open_fails(&cfg, err, sizeof(err));
    assert_string_equal(err, "unknown trace format \"csv\" (known: text, jsonl, vcd)");

    memset(&cfg, 0, sizeof(cfg));

    cfg.size = sizeof(cfg);
    cfg.trace = "";
    open_fails(&cfg, err, sizeof(err));
    assert_string_equal(err, "empty trace file name");

    assert_int_equal(iotrap_ports_open(&cfg, NULL, err, sizeof(err)), IOTRAP_E_INVAL);
    assert_string_equal(err, "no place for the session");

    memset(&cfg, 0, sizeof(cfg));

    cfg.size = sizeof(cfg);
    const char *empty[] = { "", NULL };
    cfg.plugins = empty;
    open_fails(&cfg, err, sizeof(err));
    assert_string_equal(err, "empty device plug-in path");

    /* A shared object that is no plug-in: cmocka's own library. */
    Dl_info info;
    assert_true(dladdr((void *)_cmocka_run_group_tests, &info) && info.dli_fname);
    const char *notplugin[] = { info.dli_fname, NULL };
    cfg.plugins = notplugin;
    open_fails(&cfg, err, sizeof(err));
    char want[1024];
    snprintf(want, sizeof(want), "device plug-in \"%s\" has no iotrap_device_plugin_init()",
             info.dli_fname);
    assert_string_equal(err, want);

    /* A plug-in whose init fails. */
    const char *clash[] = { IOTRAP_TEST_CLASH_PLUGIN, NULL };
    cfg.plugins = clash;
    assert_int_equal(open_fails(&cfg, err, sizeof(err)), IOTRAP_E_BUSY);
    snprintf(want, sizeof(want),
             "device plug-in \"%s\": iotrap_device_plugin_init() failed: resource busy",
             IOTRAP_TEST_CLASH_PLUGIN);
    assert_string_equal(err, want);
}

static void t_too_many_devices(void **state)
{
    static char specs[40][32];
    const char *list[41];
    for (int i = 0; i < 40; i++) {
        snprintf(specs[i], sizeof(specs[i]), "ram@%d", 0x100 + i);
        list[i] = specs[i];
    }
    list[40] = NULL;
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.devices = list;
    char err[512];
    open_fails(&cfg, err, sizeof(err));
    assert_string_equal(err, "too many devices (at most 32)");
}

/* Random and mutated input never crashes a parser, and every failure has a message. */
static void t_parsers_never_crash(void **state)
{
    static const char alphabet[] = "0123456789abcdefxX-,@=; lptuarmcos\t";
    unsigned seed = 12345;
    char text[48], err[256];
    for (int n = 0; n < 20000; n++) {
        size_t len = (size_t)(rand_r(&seed) % (sizeof(text) - 1));
        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
        text[len] = '\0';
        err[0] = '\0';
        iotrap__route_spec route;
        int rc = iotrap__route_parse(text, &route, err, sizeof(err));
        assert_true(rc == IOTRAP_OK || (rc < 0 && err[0]));
        iotrap__remap_spec remap;
        err[0] = '\0';
        rc = iotrap__remap_parse(text, &remap, err, sizeof(err));
        assert_true(rc == IOTRAP_OK || (rc < 0 && err[0]));
        iotrap__device_spec s;
        err[0] = '\0';
        rc = iotrap__device_spec_parse(text, &s, err, sizeof(err));
        assert_true(rc == IOTRAP_OK || (rc < 0 && err[0]));
        iotrap__device_spec_free(&s);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_uint),
    cmocka_unit_test(t_size),
    cmocka_unit_test(t_device_spec),
    cmocka_unit_test(t_device_spec_errors),
    cmocka_unit_test(t_config_errors),
    cmocka_unit_test(t_config_size),
    cmocka_unit_test(t_more_config_errors),
    cmocka_unit_test(t_too_many_devices),
    cmocka_unit_test(t_parsers_never_crash),
};

IOTRAP_TEST_MAIN(tests)
