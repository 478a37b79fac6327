/* Port sessions: the policy bitmap, denials, widths, backends and env configuration. */
#include <stdio.h>
#include "session/env.h"
#include "tests/unit/test_ports_helpers.h"

static void t_policy_edges(void **state)
{
    const char *none[] = { NULL };
    iotrap_ports *p = open_sim("0x378-0x37f", none);
    assert_false(iotrap_ports_allowed(p, 0x377, 1));
    assert_true(iotrap_ports_allowed(p, 0x378, 1));
    assert_true(iotrap_ports_allowed(p, 0x37f, 1));
    assert_true(iotrap_ports_allowed(p, 0x37e, 2));
    assert_false(iotrap_ports_allowed(p, 0x37f, 2)); /* straddles the end */
    assert_false(iotrap_ports_allowed(p, 0x377, 2)); /* straddles the start */
    assert_true(iotrap_ports_allowed(p, 0x37c, 4));
    assert_false(iotrap_ports_allowed(p, 0x37d, 4));
    assert_false(iotrap_ports_allowed(p, 0x380, 1));
    iotrap_ports_close(p);

    p = open_sim("all", none);
    assert_true(iotrap_ports_allowed(p, 0, 4));
    assert_true(iotrap_ports_allowed(p, 0xffff, 1));
    assert_true(iotrap_ports_allowed(p, 0xfffe, 2));
    assert_true(iotrap_ports_allowed(p, 0xfffc, 4));
    /* Ports past 0xffff do not exist: the CPU's bitmap denies them too. */
    assert_false(iotrap_ports_allowed(p, 0xffff, 2));
    assert_false(iotrap_ports_allowed(p, 0xfffd, 4));
    iotrap_ports_close(p);

    p = open_sim("none", none);
    assert_false(iotrap_ports_allowed(p, 0x378, 1));
    iotrap_ports_close(p);
}

static void t_denied_never_reaches_backend(void **state)
{
    const char *devs[] = { "ram@0x300-0x303", NULL };
    iotrap_ports *p = open_sim("0x300", devs);
    uint32_t v = 0x1234;
    /* A 16-bit write whose second byte is not allowed must not write the first. */
    assert_int_equal(iotrap_ports_out(p, 0x300, 2, 0xabcd, 0), IOTRAP_E_DENIED);
    assert_int_equal(in8(p, 0x300), 0);
    assert_int_equal(iotrap_ports_in(p, 0x301, 1, &v, 0), IOTRAP_E_DENIED);
    const uint8_t s[3] = { 1, 2, 3 };
    assert_int_equal(iotrap_ports_out_string(p, 0x302, 1, s, 3, 0), IOTRAP_E_DENIED);
    uint8_t buf[2];
    assert_int_equal(iotrap_ports_in_string(p, 0x300, 2, buf, 1, 0), IOTRAP_E_DENIED);
    out8(p, 0x300, 0x5a);
    assert_int_equal(in8(p, 0x300), 0x5a);
    iotrap_ports_close(p);
}

static void t_bad_widths(void **state)
{
    iotrap_ports *p = open_sim(NULL, NULL);
    uint32_t v;
    uint8_t buf[8];
    assert_int_equal(iotrap_ports_in(p, 0x80, 3, &v, 0), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_ports_out(p, 0x80, 0, 0, 0), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_ports_out(p, 0x80, 8, 0, 0), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_ports_in_string(p, 0x80, 5, buf, 1, 0), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_ports_out_string(p, 0x80, 1, NULL, 1, 0), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_ports_in_string(p, 0x80, 1, buf, 0, 0), IOTRAP_OK);
    iotrap_ports_close(p);
}

/* Captures what the session writes to standard error while fn runs. */
static char *capture_stderr(void (*fn)(iotrap_ports *), iotrap_ports *p)
{
    char path[] = "/tmp/iotrap-stderr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    fn(p);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *text = slurp(path, NULL);
    unlink(path);
    return text;
}

static void deny_twenty(iotrap_ports *p)
{
    for (int i = 0; i < 20; i++)
        assert_int_equal(iotrap_ports_out(p, 0x64, 1, 0xfe, 0x401136), IOTRAP_E_DENIED);
}

static void deny_read_and_string(iotrap_ports *p)
{
    uint32_t v;
    assert_int_equal(iotrap_ports_in(p, 0x61, 2, &v, 0x10), IOTRAP_E_DENIED);
    assert_int_equal(iotrap_ports_out_string(p, 0x60, 1, "ABC", 3, 0x20), IOTRAP_E_DENIED);
}

static void t_denial_messages(void **state)
{
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.allow = "0x378-0x37f";
    iotrap_ports *p = open_sim_cfg(&cfg);
    char *text = capture_stderr(deny_twenty, p);
    assert_non_null(strstr(text, "iotrap: denied: out8  0x0064 <- 0xfe at pc 0x401136 "
                                 "(port not in --allow)\n"));
    /* Bounded: 16 messages, the last saying so. */
    int lines = 0;
    for (char *c = text; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 16);
    assert_non_null(strstr(text, "further denials are not reported"));
    free(text);
    iotrap_ports_close(p);

    p = open_sim_cfg(&cfg);
    text = capture_stderr(deny_read_and_string, p);
    assert_string_equal(text,
                        "iotrap: denied: in16  0x0061 at pc 0x10 (port not in --allow)\n"
                        "iotrap: denied: outs8 0x0060 <- 3 x: 41 42 43 at pc 0x20 "
                        "(port not in --allow)\n");
    free(text);
    iotrap_ports_close(p);

    cfg.quiet = 1;
    p = open_sim_cfg(&cfg);
    text = capture_stderr(deny_twenty, p);
    assert_string_equal(text, "");
    free(text);
    iotrap_ports_close(p);
}

static void t_auto_backend(void **state)
{
    /* auto tries real-port backends first; with nothing allowed no access can reach
     * real hardware wherever this test runs. */
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.backend = "auto";
    cfg.allow = "none";
    cfg.quiet = 1;
    iotrap_ports *p = open_sim_cfg(&cfg);
    uint32_t v;
    assert_int_equal(iotrap_ports_in(p, 0x379, 1, &v, 0), IOTRAP_E_DENIED);
    iotrap_ports_close(p);
}

static void clear_env(void)
{
    const char *vars[] = { "IOTRAP_BACKEND", "IOTRAP_ALLOW", "IOTRAP_DEVICES",
                           "IOTRAP_DEVICE_PLUGINS", "IOTRAP_BOARD", "IOTRAP_TRACE",
                           "IOTRAP_TRACE_FORMAT", "IOTRAP_QUIET" };
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
}

static void t_env(void **state)
{
    char err[512];
    iotrap_ports *p = NULL;
    clear_env();
    /* Defaults: sim, every port allowed, lpt + uart + cmos. */
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_OK);
    assert_true(iotrap_ports_allowed(p, 0x80, 1));
    assert_int_equal(in8(p, 0x379), 0xd8);
    assert_int_equal(in8(p, 0x3fd), 0x60);
    out8(p, 0x70, 0x0d);
    assert_int_equal(in8(p, 0x71), 0x80);
    iotrap_ports_close(p);

    setenv("IOTRAP_BACKEND", "sim", 1);
    setenv("IOTRAP_ALLOW", "0x300-0x303,0x378", 1);
    setenv("IOTRAP_DEVICES", "ram@0x300-0x301;lpt@0x278;", 1);
    setenv("IOTRAP_QUIET", "1", 1);
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_OK);
    assert_true(iotrap_ports_allowed(p, 0x302, 2));
    assert_false(iotrap_ports_allowed(p, 0x379, 1));
    out_w(p, 0x300, 2, 0xbeef);
    assert_int_equal(in_w(p, 0x300, 4), 0xffffbeef);
    uint32_t v;
    assert_int_equal(iotrap_ports_in(p, 0x27a, 1, &v, 0), IOTRAP_E_DENIED);
    iotrap_ports_close(p);

    setenv("IOTRAP_DEVICES", "none", 1);
    unsetenv("IOTRAP_ALLOW");
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_OK);
    assert_int_equal(in8(p, 0x379), 0xff);
    iotrap_ports_close(p);

    setenv("IOTRAP_BACKEND", "nope:x", 1);
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_E_NODEV);
    assert_non_null(strstr(err, "unknown backend \"nope\" (known: auto, "));
    assert_non_null(strstr(err, ", sim)"));
    assert_null(p);

    setenv("IOTRAP_BACKEND", "sim", 1);
    setenv("IOTRAP_DEVICES", "lpt@0x378;bogus@1", 1);
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_E_NODEV);
    assert_string_equal(err, "unknown device \"bogus\" in \"bogus@1\" (known: lpt, uart, cmos, ram, "
                             "pit, portb, pci, ec, superio; see iotrap devices)");

    setenv("IOTRAP_DEVICES", "lpt@0x378", 1);
    setenv("IOTRAP_ALLOW", "0x378-", 1);
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_E_SYNTAX);
    assert_string_equal(err, "--allow: bad port range \"0x378-\": no end port");

    unsetenv("IOTRAP_ALLOW");
    setenv("IOTRAP_TRACE", "/tmp", 1);
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_E_INVAL);
    assert_string_equal(err, "cannot open trace file \"/tmp\": Is a directory");
    clear_env();
}

/* The settings are read through the lookup given (the preload library's copy of the
 * environment at start), not from the process environment; an empty value is unset. */
static const char *table_get(const char *name)
{
    static const char *const table[][2] = {
        { "IOTRAP_BACKEND", "sim" },
        { "IOTRAP_DEVICES", " ram@0x300-0x301 ; lpt@0x278 " },
        { "IOTRAP_ALLOW", "" },
        { "IOTRAP_QUIET", "1" },
        { "IOTRAP_RUN", "/dev/shm/run-state" },
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i][0], name) == 0)
            return table[i][1];
    return NULL;
}

static void t_env_lookup(void **state)
{
    (void)state;
    char err[512];
    iotrap__env_config ec;
    clear_env();
    setenv("IOTRAP_BACKEND", "nope", 1);
    setenv("IOTRAP_TRACE", "/tmp", 1);
    assert_int_equal(iotrap__env_config_read(&ec, table_get, err, sizeof(err)), IOTRAP_OK);
    assert_string_equal(ec.cfg.backend, "sim");
    assert_null(ec.cfg.allow);
    assert_null(ec.cfg.trace);
    assert_true(ec.cfg.quiet);
    assert_string_equal(ec.run, "/dev/shm/run-state");
    assert_string_equal(ec.cfg.devices[0], "ram@0x300-0x301");
    assert_string_equal(ec.cfg.devices[1], "lpt@0x278");
    assert_null(ec.cfg.devices[2]);
    iotrap__env_config_free(&ec);

    /* NULL: the process environment. */
    assert_int_equal(iotrap__env_config_read(&ec, NULL, err, sizeof(err)), IOTRAP_OK);
    assert_string_equal(ec.cfg.backend, "nope");
    assert_string_equal(ec.cfg.trace, "/tmp");
    iotrap__env_config_free(&ec);
    clear_env();
}

/* Many threads hammering one board: the lock keeps every read-modify-write of a
 * string transfer whole. */
struct hammer {
    iotrap_ports *p;
    int id;
};

#include <pthread.h>
static void *hammer_thread(void *arg)
{
    struct hammer *h = arg;
    uint8_t buf[4], back[4];
    for (int i = 0; i < 2000; i++) {
        memset(buf, h->id, sizeof(buf));
        /* Each thread owns one port, but the string goes through the shared lock. */
        if (iotrap_ports_out_string(h->p, (uint16_t)(0x300 + h->id), 1, buf, 4, 0) != IOTRAP_OK)
            return (void *)1;
        if (iotrap_ports_in_string(h->p, (uint16_t)(0x300 + h->id), 1, back, 4, 0) != IOTRAP_OK)
            return (void *)1;
        if (back[0] != h->id || back[3] != h->id)
            return (void *)1;
    }
    return NULL;
}

static void t_threads(void **state)
{
    const char *devs[] = { "ram@0x300-0x303", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    pthread_t th[4];
    struct hammer h[4];
    for (int i = 0; i < 4; i++) {
        h[i].p = p;
        h[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, hammer_thread, &h[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        assert_null(ret);
    }
    iotrap_ports_close(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_policy_edges),
    cmocka_unit_test(t_denied_never_reaches_backend),
    cmocka_unit_test(t_bad_widths),
    cmocka_unit_test(t_denial_messages),
    cmocka_unit_test(t_auto_backend),
    cmocka_unit_test(t_env),
    cmocka_unit_test(t_env_lookup),
    cmocka_unit_test(t_threads),
};

IOTRAP_TEST_MAIN(tests)
