/* iotrapd's configuration parser and policy (daemon/conf.c): every accepted form, every
 * error with its FILE:LINE, the dangerous-port rule, group membership. */
#include "config.h"
#include "tests/unit/harness.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/conf.h"

static char notes[1024];

static int t_user(const char *name, unsigned *uid)
{
    if (!strcmp(name, "alice")) { *uid = 1001; return 0; }
    if (!strcmp(name, "bob")) { *uid = 1002; return 0; }
    return -1;
}

static int t_group(const char *name, unsigned *gid)
{
    if (!strcmp(name, "lp")) { *gid = 7; return 0; }
    return -1;
}

static void t_note(const char *msg)
{
    strncat(notes, msg, sizeof notes - strlen(notes) - 2);
    strcat(notes, "\n");
}

static const iotrapd_resolver res = {t_user, t_group, t_note};

static iotrapd_conf *parse_ok(const char *text)
{
    static iotrapd_conf conf;
    char err[256] = "";
    notes[0] = '\0';
    int rc = iotrapd_conf_parse(text, "t.conf", &res, &conf, err, sizeof err);
    if (rc != 0)
        fail_msg("unexpected error: %s", err);
    return &conf;
}

static bool allows(const iotrapd_conf *c, unsigned uid, unsigned gid, unsigned port,
                   unsigned width, bool write)
{
    iotrapd_peer peer = {.uid = uid, .gid = gid, .pid = 1};
    return iotrapd_conf_allows(c, &peer, port, width, write);
}

static void t_rules_parse(void **state)
{
    iotrapd_conf *c = parse_ok("# policy\n"
                               "allow user=alice ports=0x378-0x37a access=rw\n"
                               "\n"
                               "  allow group=lp ports=0x3f8-0x3ff access=r   # UART\n"
                               "allow uid=1500 ports=888,0x3ff access=write\n"
                               "allow gid=99 access=readwrite ports=0x2f8\n");
    assert_int_equal(c->nrules, 4);
    assert_false(c->rules[0].group);
    assert_int_equal(c->rules[0].id, 1001);
    assert_int_equal(c->rules[0].access, IOTRAPD_READ | IOTRAPD_WRITE);
    assert_int_equal(c->rules[0].line, 2);
    assert_true(c->rules[1].group);
    assert_int_equal(c->rules[1].id, 7);
    assert_int_equal(c->rules[1].access, IOTRAPD_READ);
    assert_int_equal(c->rules[1].line, 4);
    assert_int_equal(c->rules[2].id, 1500);
    assert_int_equal(c->rules[2].access, IOTRAPD_WRITE);
    assert_true(iotrap__portset_has(&c->rules[2].ports, 0x378));
    assert_true(iotrap__portset_has(&c->rules[2].ports, 0x3ff));
    assert_false(iotrap__portset_has(&c->rules[2].ports, 0x379));
    assert_true(c->rules[3].group);
    assert_int_equal(c->rules[3].id, 99);
    /* The union is what a direct backend would be granted. */
    assert_true(iotrap__portset_has(&c->all, 0x37a));
    assert_true(iotrap__portset_has(&c->all, 0x2f8));
    assert_false(iotrap__portset_has(&c->all, 0x37b));
    iotrapd_conf_free(c);
}

static void t_policy_directions_and_subjects(void **state)
{
    iotrapd_conf *c = parse_ok("allow user=alice ports=0x378-0x37a access=rw\n"
                               "allow group=lp ports=0x3f8-0x3ff access=r\n"
                               "allow uid=1002 ports=0x3ff access=w\n");
    assert_true(allows(c, 1001, 1001, 0x378, 1, true));
    assert_true(allows(c, 1001, 1001, 0x379, 2, false));
    assert_false(allows(c, 1001, 1001, 0x37a, 2, false)); /* 0x37b is outside */
    assert_false(allows(c, 1001, 1001, 0x3f8, 1, false));
    assert_true(allows(c, 1001, 7, 0x3f8, 4, false));      /* primary group lp */
    assert_false(allows(c, 1001, 7, 0x3f8, 1, true));      /* read-only rule */
    assert_false(allows(c, 1002, 1002, 0x3ff, 1, false));  /* write-only rule */
    assert_true(allows(c, 1002, 1002, 0x3ff, 1, true));
    assert_false(allows(c, 1003, 1003, 0x378, 1, false));  /* default deny */
    /* Rules combine per port: a read through the group, a write through the uid rule. */
    assert_true(allows(c, 1002, 7, 0x3fe, 2, false));
    assert_true(allows(c, 1002, 7, 0x3ff, 1, true));
    assert_false(allows(c, 1002, 7, 0x3fe, 2, true));
    assert_false(allows(c, 1001, 1001, 0xffff, 2, false));
    iotrapd_conf_free(c);
}

static void t_supplementary_groups(void **state)
{
    iotrapd_conf *c = parse_ok("allow gid=7 ports=0x378 access=r\n");
    gid_t groups[] = {100, 7};
    iotrapd_peer member = {.uid = 5, .gid = 5, .groups = groups, .ngroups = 2};
    iotrapd_peer other = {.uid = 5, .gid = 5, .groups = groups, .ngroups = 1};
    assert_true(iotrapd_conf_allows(c, &member, 0x378, 1, false));
    assert_false(iotrapd_conf_allows(c, &other, 0x378, 1, false));
    iotrapd_conf_free(c);
}

static void t_dangerous_ports(void **state)
{
    iotrapd_conf *c = parse_ok("allow uid=1 ports=0-0xffff access=rw\n");
    assert_non_null(strstr(notes, "t.conf:1: note: 0x0-0xffff includes dangerous ports"));
    static const unsigned danger[] = {0x00, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x40, 0x43, 0x60,
                                      0x64, 0x70, 0x71, 0x81, 0x8f, 0x90, 0x92, 0x9f, 0xa0,
                                      0xa1, 0xb2, 0xb3, 0xc0, 0xdf, 0x170, 0x177, 0x1f0,
                                      0x1f7, 0x376, 0x377, 0x3f0, 0x3f5, 0x3f6, 0x3f7, 0x4d0,
                                      0x4d1, 0xcf8, 0xcf9, 0xcfc, 0xcff, 0x61, 0x62, 0x66,
                                      0x2e, 0x2f, 0x4e, 0x4f, 0x510, 0x511};
    for (size_t i = 0; i < sizeof danger / sizeof danger[0]; i++) {
        assert_non_null(iotrapd_dangerous(danger[i]));
        assert_false(allows(c, 1, 1, danger[i], 1, false));
    }
    assert_true(allows(c, 1, 1, 0x80, 1, true)); /* POST code port is not dangerous */
    assert_true(allows(c, 1, 1, 0x378, 1, true));
    assert_true(allows(c, 1, 1, 0x63, 1, true)); /* between the EC's ports */
    assert_true(allows(c, 1, 1, 0x512, 1, true));
    assert_false(allows(c, 1, 1, 0xcfb, 2, false)); /* word reaching into 0xcfc */
    /* Accesses that start on an open port and reach into a dangerous one. */
    assert_true(allows(c, 1, 1, 0x3ec, 4, true));
    assert_false(allows(c, 1, 1, 0x3ed, 4, true));  /* 0x3f0: floppy */
    assert_false(allows(c, 1, 1, 0x80, 2, true));   /* 0x81: DMA page register */
    assert_false(allows(c, 1, 1, 0x1ef, 2, false)); /* 0x1f0: IDE */
    assert_false(allows(c, 1, 1, 0xb1, 2, true));   /* 0xb2: SMI */
    assert_true(allows(c, 1, 1, 0x3f8, 4, true));   /* COM1 is next to, not in, IDE */
    assert_null(iotrapd_dangerous(0x80));
    assert_null(iotrapd_dangerous(0x3f8));
    assert_null(iotrapd_dangerous(0x378));
    iotrapd_conf_free(c);

    /* Named on their own, dangerous ports open, and a mixed item of the same rule does
     * not take them back; a word from an opened one into a closed one stays denied. */
    c = parse_ok("allow uid=1 ports=0x92,0x70-0x71,0x60-0x7f access=rw\n"
                 "allow uid=2 ports=0x90-0x91 access=w\n");
    assert_true(allows(c, 1, 1, 0x92, 1, true));
    assert_true(allows(c, 1, 1, 0x70, 2, false));
    assert_true(allows(c, 1, 1, 0x72, 1, true));
    assert_false(allows(c, 1, 1, 0x60, 1, true));
    assert_false(allows(c, 1, 1, 0x64, 1, false));
    assert_false(allows(c, 1, 1, 0x91, 2, true));   /* 0x91 is not uid 1's */
    assert_true(allows(c, 2, 2, 0x90, 2, true));
    assert_false(allows(c, 2, 2, 0x91, 2, true));   /* into 0x92 */
    assert_false(allows(c, 2, 2, 0x90, 1, false));  /* write-only */
    iotrapd_conf_free(c);

    c = parse_ok("allow uid=1 ports=0xcf8-0xcff,0x64,0x70-0x71 access=r\n"
                 "allow uid=1 ports=0x60-0x64 access=w\n");
    assert_true(allows(c, 1, 1, 0xcf9, 1, false));
    assert_true(allows(c, 1, 1, 0xcfc, 4, false));
    assert_true(allows(c, 1, 1, 0x64, 1, false));
    assert_true(allows(c, 1, 1, 0x71, 1, false));
    assert_false(allows(c, 1, 1, 0xcf9, 1, true));
    /* 0x60-0x64 mixes dangerous and ordinary ports: it opens only the ordinary ones. */
    assert_false(allows(c, 1, 1, 0x60, 1, true));
    assert_false(allows(c, 1, 1, 0x64, 1, true));
    assert_false(allows(c, 1, 1, 0x62, 1, true)); /* the embedded controller */
    assert_true(allows(c, 1, 1, 0x63, 1, true));
    iotrapd_conf_free(c);
}

static void t_other_directives(void **state)
{
    iotrapd_conf *c = parse_ok("backend ppdev:/dev/parport0@0x378\n"
                               "user bob\n"
                               "device uart@0x3f8,out=/tmp/x\n"
                               "device lpt@0x378\n");
    assert_string_equal(c->backend, "ppdev:/dev/parport0@0x378");
    assert_string_equal(c->user, "bob");
    assert_int_equal(c->ndevices, 2);
    assert_string_equal(c->devices[0], "uart@0x3f8,out=/tmp/x");
    assert_string_equal(c->devices[1], "lpt@0x378");
    assert_null(c->devices[2]);
    assert_int_equal(c->nrules, 0);
    iotrapd_conf_free(c);
    c = parse_ok("route 0x378-0x37f=ppdev:/dev/parport1\n"
                 "route 0x3f8-0x3ff=devport\n"
                 "remap 0x3f8-0x3ff=0xc000\n"
                 "trace /var/log/iotrapd.trace jsonl\n");
    assert_int_equal(c->nroutes, 2);
    assert_string_equal(c->routes[1], "0x3f8-0x3ff=devport");
    assert_null(c->routes[2]);
    assert_int_equal(c->nremaps, 1);
    assert_string_equal(c->remaps[0], "0x3f8-0x3ff=0xc000");
    assert_string_equal(c->trace, "/var/log/iotrapd.trace");
    assert_string_equal(c->trace_format, "jsonl");
    iotrapd_conf_free(c);
    c = parse_ok("");
    assert_int_equal(c->nrules, 0);
    assert_false(allows(c, 0, 0, 0x378, 1, false));
    iotrapd_conf_free(c);
    c = parse_ok("allow uid=3 ports=0x378 access=r\r\n# no newline at the end");
    assert_int_equal(c->nrules, 1);
    iotrapd_conf_free(c);
}

static void t_errors_name_file_and_line(void **state)
{
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"\n\nallow user=carol ports=1 access=r\n", "t.conf:3: unknown user 'carol'"},
        {"allow group=wheel ports=1 access=r\n", "t.conf:1: unknown group 'wheel'"},
        {"allow uid=x1 ports=1 access=r\n", "t.conf:1: bad uid 'x1' (want a number)"},
        {"allow gid=-5 ports=1 access=r\n", "t.conf:1: bad gid '-5' (want a number)"},
        {"allow uid=1 ports=1 access=rx\n", "t.conf:1: bad access 'rx' (want r, w or rw)"},
        {"allow uid=1 ports=1\n", "t.conf:1: allow needs access=r, w or rw"},
        {"allow uid=1 access=r\n", "t.conf:1: allow needs ports="},
        {"allow ports=1 access=r\n", "t.conf:1: allow needs user=, uid=, group= or gid="},
        {"allow uid=1 gid=2 ports=1 access=r\n",
         "t.conf:1: a rule names one user or group, found 'gid' after 'uid'"},
        {"allow uid=1 ports=1 ports=2 access=r\n", "t.conf:1: ports= given twice"},
        {"allow uid=1 ports=1 access=r access=w\n", "t.conf:1: access= given twice"},
        {"allow uid=1 port=1 access=r\n",
         "t.conf:1: unknown key 'port' (keys: user, uid, group, gid, ports, access)"},
        {"allow uid=1 ports access=r\n",
         "t.conf:1: 'ports' is not KEY=VALUE (keys: user, uid, group, gid, ports, access)"},
        {"allow uid=1 ports=0x10000 access=r\n",
         "t.conf:1: ports=0x10000: bad port \"0x10000\": above 0xffff"},
        {"allow uid=1 ports=0x37f-0x378 access=r\n",
         "t.conf:1: ports=0x37f-0x378: bad port range \"0x37f-0x378\": end before start"},
        {"allow uid=1 ports=0x378-zz access=r\n",
         "t.conf:1: ports=0x378-zz: bad port \"zz\": not a number"},
        {"allow uid=1 ports=0x378,,1 access=r\n",
         "t.conf:1: ports=0x378,,1: empty item in port list \"0x378,,1\""},
        {"deny uid=1 ports=1\n",
         "t.conf:1: unknown directive 'deny' (want allow, backend, route, remap, device, "
         "trace or user)"},
        {"route 0x378-0x37f\n", "t.conf:1: route \"0x378-0x37f\" has no \"=\" (expected "
         "PORTS=NAME[:ARGS], e.g. 0x378-0x37f=ppdev:/dev/parport0)"},
        {"route\n", "t.conf:1: route takes one PORTS=NAME[:ARGS]"},
        {"remap 0x378-0x37f=0x10000\n", "t.conf:1: remap \"0x378-0x37f=0x10000\": target: "
         "bad port \"0x10000\": above 0xffff"},
        {"remap 1=2 3=4\n", "t.conf:1: remap takes one PORTS=TARGET"},
        {"trace\n", "t.conf:1: trace takes a FILE and optionally a format (text or jsonl)"},
        {"trace /tmp/t csv\n", "t.conf:1: unknown trace format 'csv' (want text or jsonl)"},
        {"trace /tmp/t\ntrace /tmp/u\n", "t.conf:2: trace given twice"},
        {"backend direct\nbackend sim\n", "t.conf:2: backend given twice (first at line 1)"},
        {"backend\n", "t.conf:1: backend takes one value"},
        {"user nobody-here\n", "t.conf:1: unknown user 'nobody-here'"},
        {"device\n", "t.conf:1: device takes one SPEC (see iotrap-devices(7))"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        iotrapd_conf c;
        char err[256] = "";
        int rc = iotrapd_conf_parse(cases[i].text, "t.conf", &res, &c, err, sizeof err);
        if (rc != -1 || strcmp(err, cases[i].err) != 0)
            fail_msg("case %zu: got rc %d '%s', want '%s'", i, rc, err, cases[i].err);
    }
}

static void t_long_line_and_nul(void **state)
{
    char *big = malloc(6000);
    memset(big, 'a', 5999);
    big[5999] = '\0';
    iotrapd_conf c;
    char err[256];
    assert_int_equal(iotrapd_conf_parse(big, "t.conf", &res, &c, err, sizeof err), -1);
    assert_string_equal(err, "t.conf:1: line longer than 4095 bytes");
    free(big);
}

static void t_rule_limit(void **state)
{
    char *text = malloc(4097 * 48);
    size_t len = 0;
    for (unsigned i = 0; i < 4096; i++)
        len += (size_t)sprintf(text + len, "allow uid=%u ports=0x378 access=r\n", i);
    iotrapd_conf c;
    char err[256];
    assert_int_equal(iotrapd_conf_parse(text, "t.conf", &res, &c, err, sizeof err), 0);
    assert_int_equal(c.nrules, 4096);
    iotrapd_conf_free(&c);
    sprintf(text + len, "allow uid=9 ports=0x378 access=r\n");
    assert_int_equal(iotrapd_conf_parse(text, "t.conf", &res, &c, err, sizeof err), -1);
    assert_string_equal(err, "t.conf:4097: more than 4096 allow rules");
    free(text);
}

static void t_file_trust(void **state)
{
    char err[256];
    struct stat st = {.st_mode = S_IFREG | 0644, .st_uid = 0};
    assert_int_equal(iotrapd_conf_check_file("/etc/iotrap.conf", &st, 0, err, sizeof err), 0);
    st.st_mode = S_IFREG | 0664;
    assert_int_equal(iotrapd_conf_check_file("/etc/iotrap.conf", &st, 0, err, sizeof err), -1);
    assert_string_equal(err, "/etc/iotrap.conf: writable by its group (mode 0664): refusing a "
                             "policy that another user can change");
    st.st_mode = S_IFREG | 0666;
    assert_int_equal(iotrapd_conf_check_file("/etc/iotrap.conf", &st, 0, err, sizeof err), -1);
    assert_string_equal(err, "/etc/iotrap.conf: writable by everyone (mode 0666): refusing a "
                             "policy that another user can change");
    st.st_mode = S_IFREG | 0644;
    st.st_uid = 1000;
    assert_int_equal(iotrapd_conf_check_file("/etc/iotrap.conf", &st, 0, err, sizeof err), -1);
    assert_string_equal(err, "/etc/iotrap.conf: owned by uid 1000, not root: refusing a "
                             "policy that another user can change");
    /* A daemon that is not root cannot be given more by the file than its user has. */
    st.st_mode = S_IFREG | 0666;
    assert_int_equal(iotrapd_conf_check_file("x.conf", &st, 1000, err, sizeof err), 0);
    st.st_mode = S_IFIFO | 0600;
    assert_int_equal(iotrapd_conf_check_file("x.conf", &st, 1000, err, sizeof err), -1);
    assert_string_equal(err, "x.conf: not a regular file");
    st.st_mode = S_IFDIR | 0755;
    assert_int_equal(iotrapd_conf_check_file("x.conf", &st, 0, err, sizeof err), -1);
    assert_string_equal(err, "x.conf: not a regular file");
}

static void t_load_fifo_does_not_hang(void **state)
{
    char dir[] = "/tmp/iotrapd-conf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    iotrapd_conf c;
    char err[256], want[128];
    assert_int_equal(iotrapd_conf_load(path, &res, &c, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: not a regular file", path);
    assert_string_equal(err, want);
    unlink(path);
    rmdir(dir);
}

static void t_load_files(void **state)
{
    iotrapd_conf c;
    char err[256];
    assert_int_equal(iotrapd_conf_load("/nonexistent/iotrap.conf", &res, &c, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/iotrap.conf: No such file or directory");
    char path[] = "/tmp/iotrapd-conf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "allow uid=1 ports=0x378 access=r\nallow uid=1 ports=1 access=q\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (int)sizeof text - 1);
    close(fd);
    assert_int_equal(iotrapd_conf_load(path, &res, &c, err, sizeof err), -1);
    char want[128];
    snprintf(want, sizeof want, "%s:2: bad access 'q' (want r, w or rw)", path);
    assert_string_equal(err, want);
    /* A NUL byte is reported with its line. */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "allow uid=1 ports=1 access=r\n\nal\0low\n", 38), 38);
    close(fd);
    assert_int_equal(iotrapd_conf_load(path, &res, &c, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:3: NUL byte in line", path);
    assert_string_equal(err, want);
    unlink(path);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_rules_parse),
    cmocka_unit_test(t_policy_directions_and_subjects),
    cmocka_unit_test(t_supplementary_groups),
    cmocka_unit_test(t_dangerous_ports),
    cmocka_unit_test(t_other_directives),
    cmocka_unit_test(t_errors_name_file_and_line),
    cmocka_unit_test(t_long_line_and_nul),
    cmocka_unit_test(t_load_files),
    cmocka_unit_test(t_rule_limit),
    cmocka_unit_test(t_file_trust),
    cmocka_unit_test(t_load_fifo_does_not_hang),
};

IOTRAP_TEST_MAIN(tests)
