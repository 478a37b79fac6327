/* The trace: text lines, JSON lines (parsed back) with their time, denials, long strings,
 * standard error, whole lines from concurrent processes, the port filter, the size limit,
 * the VCD format, the run state that processes of a run share (with --summary's counts),
 * and the trace's one way in. */
#include <stdio.h>
#include <sys/wait.h>
#include "tests/unit/test_ports_helpers.h"
#include <time.h>
#include "session/session.h"
#include "session/trace.h"

static char trace_path[256];

/* A configuration that traces to a fresh file (trace_path) in `format`. */
static void trace_config(iotrap_ports_config *cfg, const char *file, const char *format)
{
    snprintf(trace_path, sizeof(trace_path), "%s/%s", test_dir(), file);
    memset(cfg, 0, sizeof(*cfg));
    cfg->size = sizeof(*cfg);
    cfg->trace = trace_path;
    cfg->trace_format = format;
}

static iotrap_ports *open_traced(const char *format, const char *allow)
{
    iotrap_ports_config cfg;
    trace_config(&cfg, "trace", format);
    cfg.allow = allow;
    cfg.quiet = 1;
    return open_sim_cfg(&cfg);
}

static void t_text_lines(void **state)
{
    iotrap_ports *p = open_traced(NULL, "0x0-0x3ff");
    out8(p, 0x378, 0x55);
    assert_int_equal(in8(p, 0x379), 0xd8);
    out_w(p, 0x3fe, 2, 0x1234);
    assert_int_equal(in_w(p, 0x3fc, 4), 0x12b06008); /* MCR, LSR, MSR, scratch */
    assert_int_equal(iotrap_ports_out_string(p, 0x378, 1, "HELLO", 5, 0), IOTRAP_OK);
    const uint16_t w[2] = { 0x1234, 0xabcd };
    assert_int_equal(iotrap_ports_out_string(p, 0x200, 2, w, 2, 0), IOTRAP_OK);
    uint8_t buf[3];
    assert_int_equal(iotrap_ports_in_string(p, 0x200, 1, buf, 3, 0), IOTRAP_OK);
    uint32_t v;
    assert_int_equal(iotrap_ports_out(p, 0x64, 1, 0xfe, 0), IOTRAP_OK); /* allowed here */
    assert_int_equal(iotrap_ports_out(p, 0x400, 1, 0xfe, 0), IOTRAP_E_DENIED);
    assert_int_equal(iotrap_ports_in(p, 0x400, 1, &v, 0), IOTRAP_E_DENIED);
    assert_int_equal(iotrap_ports_in(p, 0x3ff, 2, &v, 0), IOTRAP_E_DENIED);
    assert_int_equal(iotrap_ports_out_string(p, 0x400, 1, "AB", 2, 0), IOTRAP_E_DENIED);
    assert_int_equal(iotrap_ports_in_string(p, 0x400, 4, buf, 7, 0), IOTRAP_E_DENIED);
    iotrap_ports_close(p);

    char *text = slurp(trace_path, NULL);
    assert_string_equal(text,
                        "out8  0x0378 <- 0x55\n"
                        "in8   0x0379 -> 0xd8\n"
                        "out16 0x03fe <- 0x1234\n"
                        "in32  0x03fc -> 0x12b06008\n"
                        "outs8 0x0378 <- 5 x: 48 45 4c 4c 4f\n"
                        "outs16 0x0200 <- 2 x: 1234 abcd\n"
                        "ins8  0x0200 -> 3 x: ff ff ff\n"
                        "out8  0x0064 <- 0xfe\n"
                        "out8  0x0400 <- 0xfe DENIED\n"
                        "in8   0x0400 -> DENIED\n"
                        "in16  0x03ff -> DENIED\n"
                        "outs8 0x0400 <- 2 x: 41 42 DENIED\n"
                        "ins32 0x0400 -> 7 x DENIED\n");
    free(text);
}

/* ---- A minimal JSON reader for one flat object per line ---------------------------- */

struct jfield {
    char key[32];
    int is_string;
    char str[1100];
    unsigned long long num;
    int is_bool;
};

struct jobj {
    struct jfield f[16];
    int n;
};

static const char *jstring(const char *s, char *out, size_t cap)
{
    if (*s++ != '"')
        return NULL;
    size_t n = 0;
    while (*s && *s != '"') {
        if (*s == '\\' || (unsigned char)*s < 0x20 || n + 1 >= cap)
            return NULL; /* the trace never needs escapes */
        out[n++] = *s++;
    }
    out[n] = '\0';
    return *s == '"' ? s + 1 : NULL;
}

static int jparse(const char *line, struct jobj *o)
{
    const char *s = line;
    o->n = 0;
    if (*s++ != '{')
        return 0;
    for (;;) {
        if (o->n == 16)
            return 0;
        struct jfield *f = &o->f[o->n];
        memset(f, 0, sizeof(*f));
        if (!(s = jstring(s, f->key, sizeof(f->key))) || *s++ != ':')
            return 0;
        if (*s == '"') {
            f->is_string = 1;
            if (!(s = jstring(s, f->str, sizeof(f->str))))
                return 0;
        } else if (strncmp(s, "true", 4) == 0) {
            f->is_bool = 1;
            f->num = 1;
            s += 4;
        } else {
            char *end;
            if (*s < '0' || *s > '9')
                return 0;
            f->num = strtoull(s, &end, 10);
            s = end;
        }
        o->n++;
        if (*s == '}')
            return s[1] == '\0';
        if (*s++ != ',')
            return 0;
    }
}

static const struct jfield *jget(const struct jobj *o, const char *key)
{
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->f[i].key, key) == 0)
            return &o->f[i];
    return NULL;
}

static void expect_str(const struct jobj *o, const char *key, const char *want)
{
    const struct jfield *f = jget(o, key);
    if (!f)
        fail_msg("no \"%s\"", key);
    assert_true(f->is_string);
    assert_string_equal(f->str, want);
}

static void expect_num(const struct jobj *o, const char *key, unsigned long long want)
{
    const struct jfield *f = jget(o, key);
    if (!f)
        fail_msg("no \"%s\"", key);
    assert_false(f->is_string);
    assert_int_equal(f->num, want);
}

static char **split_lines(char *text, int *n)
{
    static char *lines[64];
    *n = 0;
    for (char *s = text; *s && *n < 64;) {
        char *e = strchr(s, '\n');
        assert_non_null(e); /* every line is complete */
        *e = '\0';
        lines[(*n)++] = s;
        s = e + 1;
    }
    return lines;
}

static void t_jsonl(void **state)
{
    iotrap_ports *p = open_traced("jsonl", "0x0-0x3ff");
    out8(p, 0x378, 0x55);
    assert_int_equal(in8(p, 0x379), 0xd8);
    assert_int_equal(iotrap_ports_out_string(p, 0x378, 1, "HI", 2, 0x401136), IOTRAP_OK);
    uint16_t words[2];
    assert_int_equal(iotrap_ports_in_string(p, 0x200, 2, words, 2, 0x401140), IOTRAP_OK);
    assert_int_equal(iotrap_ports_out(p, 0x400, 4, 0xfffffffe, 0x7fff0000beefULL), IOTRAP_E_DENIED);
    uint32_t v;
    assert_int_equal(iotrap_ports_in(p, 0x400, 1, &v, 0x10), IOTRAP_E_DENIED);
    assert_int_equal(iotrap_ports_out(p, 0x3f8, 1, 'x', 0x401136), IOTRAP_OK);
    iotrap_ports_close(p);

    char *text = slurp(trace_path, NULL);
    int n;
    char **lines = split_lines(text, &n);
    assert_int_equal(n, 7);
    struct jobj o;
    for (int i = 0; i < n; i++) {
        if (!jparse(lines[i], &o))
            fail_msg("not a flat JSON object: %s", lines[i]);
        expect_num(&o, "pid", (unsigned long long)getpid());
        expect_num(&o, "tid", (unsigned long long)getpid()); /* the main thread */
    }
    jparse(lines[0], &o);
    expect_str(&o, "op", "out");
    expect_num(&o, "width", 1);
    expect_num(&o, "port", 0x378);
    expect_num(&o, "value", 0x55);
    expect_str(&o, "pc", "0x0");
    expect_str(&o, "result", "ok");
    jparse(lines[1], &o);
    expect_str(&o, "op", "in");
    expect_num(&o, "port", 0x379);
    expect_num(&o, "value", 0xd8);
    jparse(lines[2], &o);
    expect_str(&o, "op", "outs");
    expect_num(&o, "count", 2);
    expect_str(&o, "data", "4849");
    expect_str(&o, "pc", "0x401136");
    assert_null(jget(&o, "value"));
    jparse(lines[3], &o);
    expect_str(&o, "op", "ins");
    expect_num(&o, "width", 2);
    expect_num(&o, "count", 2);
    expect_str(&o, "data", "ffffffff");
    expect_str(&o, "pc", "0x401140");
    jparse(lines[4], &o);
    expect_str(&o, "op", "out");
    expect_num(&o, "width", 4);
    expect_num(&o, "value", 0xfffffffe);
    expect_str(&o, "pc", "0x7fff0000beef");
    expect_str(&o, "result", "denied");
    jparse(lines[5], &o);
    expect_str(&o, "op", "in");
    expect_str(&o, "result", "denied");
    assert_null(jget(&o, "value"));
    jparse(lines[6], &o);
    expect_num(&o, "value", 'x');
    expect_str(&o, "result", "ok");
    free(text);
}

static void t_long_string_is_bounded(void **state)
{
    iotrap_ports *p = open_traced("jsonl", NULL);
    static uint8_t big[4096];
    memset(big, 0x41, sizeof(big));
    assert_int_equal(iotrap_ports_out_string(p, 0x200, 1, big, sizeof(big), 0), IOTRAP_OK);
    iotrap_ports_close(p);
    char *text = slurp(trace_path, NULL);
    int n;
    char **lines = split_lines(text, &n);
    assert_int_equal(n, 1);
    struct jobj o;
    assert_true(jparse(lines[0], &o));
    expect_num(&o, "count", 4096);
    assert_int_equal(strlen(jget(&o, "data")->str), 512);
    assert_true(jget(&o, "truncated")->is_bool);
    free(text);

    p = open_traced("text", NULL);
    assert_int_equal(iotrap_ports_out_string(p, 0x200, 1, big, sizeof(big), 0), IOTRAP_OK);
    iotrap_ports_close(p);
    size_t len;
    text = slurp(trace_path, &len);
    assert_true(len < 1200);
    assert_memory_equal(text, "outs8 0x0200 <- 4096 x: 41 41", 29);
    assert_memory_equal(text + len - 5, " ...\n", 5);
    free(text);
}

static void t_trace_to_stderr(void **state)
{
    char path[] = "/tmp/iotrap-trace-stderr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.trace = "-";
    iotrap_ports *p = open_sim_cfg(&cfg);
    out8(p, 0x80, 0x12);
    iotrap_ports_close(p);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *text = slurp(path, NULL);
    unlink(path);
    assert_string_equal(text, "out8  0x0080 <- 0x12\n");
    free(text);
}

static void t_processes_share_a_trace(void **state)
{
    iotrap_ports *p = open_traced("jsonl", NULL);
    pid_t kids[3];
    for (int k = 0; k < 3; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            uint8_t data[100];
            memset(data, 'a' + k, sizeof(data));
            for (int i = 0; i < 300; i++)
                iotrap_ports_out_string(p, 0x200, 1, data, sizeof(data), (uint64_t)i);
            _exit(0);
        }
    }
    for (int k = 0; k < 3; k++) {
        int status;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
    }
    iotrap_ports_close(p);
    char *text = slurp(trace_path, NULL);
    int lines = 0;
    struct jobj o;
    for (char *s = text; *s;) {
        char *e = strchr(s, '\n');
        assert_non_null(e);
        *e = '\0';
        if (!jparse(s, &o))
            fail_msg("torn line: %s", s);
        const char *data = jget(&o, "data")->str;
        assert_int_equal(strlen(data), 200);
        for (int i = 2; i < 200; i++)
            assert_int_equal(data[i], data[i % 2]); /* one process's bytes only */
        lines++;
        s = e + 1;
    }
    assert_int_equal(lines, 900);
    free(text);
}

/* The trace has one way in, iotrap__trace_write(), which the session calls after each
 * access; it is no backend, so nothing can open it by name. */
static void t_one_way_in(void **state)
{
    snprintf(trace_path, sizeof(trace_path), "%s/trace", test_dir());
    char err[256];
    iotrap__trace *t = NULL;
    iotrap__trace_params tp = { .path = trace_path, .format = "jsonl" };
    assert_int_equal(iotrap__trace_open(&t, &tp, err, sizeof(err)), IOTRAP_OK);
    iotrap__trace_rec rec = {IOTRAP__TR_OUT, 2, 0x300, 0x300, 0x1234, NULL, 0, false, 0x10};
    iotrap__trace_write(t, &rec);
    rec = (iotrap__trace_rec){IOTRAP__TR_INS, 1, 0x378, 0xe050, 0, "AB", 2, false, 0x20};
    iotrap__trace_write(t, &rec);
    iotrap__trace_close(t);
    tp.format = "xml";
    assert_int_equal(iotrap__trace_open(&t, &tp, err, sizeof(err)), IOTRAP_E_SYNTAX);
    assert_null(t);
    assert_string_equal(err, "unknown trace format \"xml\" (known: text, jsonl, vcd)");

    char *text = slurp(trace_path, NULL);
    int n;
    char **lines = split_lines(text, &n);
    assert_int_equal(n, 2);
    struct jobj o;
    assert_true(jparse(lines[0], &o));
    expect_str(&o, "op", "out");
    expect_num(&o, "width", 2);
    expect_num(&o, "value", 0x1234);
    expect_str(&o, "pc", "0x10");
    assert_true(jparse(lines[1], &o));
    expect_num(&o, "port", 0x378);
    expect_num(&o, "target", 0xe050);
    expect_str(&o, "data", "4142");
    free(text);

    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.backend = "trace";
    open_fails(&cfg, err, sizeof(err));
    assert_memory_equal(err, "unknown backend \"trace\" (known: ", 32);
}

static void t_trace_from_env(void **state)
{
    snprintf(trace_path, sizeof(trace_path), "%s/trace", test_dir());
    setenv("IOTRAP_TRACE", trace_path, 1);
    setenv("IOTRAP_TRACE_FORMAT", "jsonl", 1);
    setenv("IOTRAP_ALLOW", "0x378-0x37f", 1);
    setenv("IOTRAP_QUIET", "1", 1);
    char err[256];
    iotrap_ports *p = NULL;
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_OK);
    out8(p, 0x37a, 0x0c);
    uint32_t v;
    assert_int_equal(iotrap_ports_in(p, 0x70, 1, &v, 0x1234), IOTRAP_E_DENIED);
    iotrap_ports_close(p);
    char *text = slurp(trace_path, NULL);
    int n;
    char **lines = split_lines(text, &n);
    assert_int_equal(n, 2);
    struct jobj o;
    assert_true(jparse(lines[0], &o));
    expect_num(&o, "port", 0x37a);
    expect_str(&o, "result", "ok");
    assert_true(jparse(lines[1], &o));
    expect_num(&o, "port", 0x70);
    expect_str(&o, "pc", "0x1234");
    expect_str(&o, "result", "denied");
    free(text);

    setenv("IOTRAP_TRACE_FORMAT", "yaml", 1);
    assert_int_equal(iotrap_ports_open_env(&p, err, sizeof(err)), IOTRAP_E_SYNTAX);
    assert_string_equal(err, "unknown trace format \"yaml\" (known: text, jsonl, vcd)");
    unsetenv("IOTRAP_TRACE");
    unsetenv("IOTRAP_TRACE_FORMAT");
    unsetenv("IOTRAP_ALLOW");
    unsetenv("IOTRAP_QUIET");
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Every JSON record has "t", nanoseconds since the trace (here: the session) started, on
 * the monotonic clock: never decreasing, and within what the test's own clock allows. */
static void t_jsonl_time(void **state)
{
    int64_t before = mono_ns();
    iotrap_ports *p = open_traced("jsonl", NULL);
    int64_t opened = mono_ns();
    out8(p, 0x378, 0x55);
    struct timespec nap = { 0, 20000000 };
    nanosleep(&nap, NULL);
    in8(p, 0x379);
    int64_t last = mono_ns();
    iotrap_ports_close(p);
    char *text = slurp(trace_path, NULL);
    int n;
    char **lines = split_lines(text, &n);
    assert_int_equal(n, 2);
    struct jobj o;
    assert_true(jparse(lines[0], &o));
    assert_true(jget(&o, "t") && !jget(&o, "t")->is_string);
    long long t0 = (long long)jget(&o, "t")->num;
    assert_true(jparse(lines[1], &o));
    long long t1 = (long long)jget(&o, "t")->num;
    assert_true(t1 - t0 >= 20000000);
    assert_true(t1 <= last - before);
    assert_true(t0 <= last - opened + (opened - before));
    assert_memory_equal(lines[0], "{\"t\":", 5);
    free(text);
}

/* --trace-ports: only accesses that touch a listed port, a wide one by any of its bytes;
 * a bad list is refused with its bad part. */
static void t_trace_ports(void **state)
{
    iotrap_ports_config cfg;
    trace_config(&cfg, "trace", NULL);
    cfg.trace_ports = "0x379, 0x3fa-0x3fb";
    iotrap_ports *p = open_sim_cfg(&cfg);
    out8(p, 0x378, 0x55);
    in8(p, 0x379);
    in_w(p, 0x3f9, 2); /* 0x3f9-0x3fa: touches 0x3fa */
    in_w(p, 0x3f8, 1);
    iotrap_ports_close(p);
    char *text = slurp(trace_path, NULL);
    assert_string_equal(text, "in8   0x0379 -> 0xd8\nin16  0x03f9 -> 0x0100\n");
    free(text);
    cfg.trace_ports = "0x379,0x10000";
    char err[256];
    open_fails(&cfg, err, sizeof err);
    assert_string_equal(err, "--trace-ports: bad port \"0x10000\": above 0xffff");
    /* Checked even when nothing is traced, as the launcher validates without a file. */
    cfg.trace = NULL;
    open_fails(&cfg, err, sizeof err);
}

/* --trace-max: the trace stops at the limit with a note, counts what it dropped, and says
 * how many when it closes; the size never runs past the limit by more than the notes. */
static void t_trace_max(void **state)
{
    iotrap_ports_config cfg;
    trace_config(&cfg, "trace", NULL);
    cfg.trace_max = 100; /* five 21-byte lines do not fit: four do */
    iotrap_ports *p = open_sim_cfg(&cfg);
    for (int i = 0; i < 10; i++)
        in8(p, 0x379);
    iotrap_ports_close(p);
    char *text = slurp(trace_path, NULL);
    int n;
    char **lines = split_lines(text, &n);
    assert_int_equal(n, 6);
    for (int i = 0; i < 4; i++)
        assert_string_equal(lines[i], "in8   0x0379 -> 0xd8");
    assert_string_equal(lines[4], "# trace limit of 100 bytes reached: later accesses are not "
                                  "recorded");
    assert_string_equal(lines[5], "# 6 accesses were not recorded (trace limit of 100 bytes)");
    free(text);

    cfg.trace_format = "jsonl";
    cfg.trace_max = 1;
    p = open_sim_cfg(&cfg);
    in8(p, 0x379);
    iotrap_ports_close(p);
    text = slurp(trace_path, NULL);
    lines = split_lines(text, &n);
    struct jobj o;
    assert_true(jparse(lines[n - 2], &o));
    expect_str(&o, "event", "limit");
    expect_num(&o, "max_bytes", 1);
    assert_true(jparse(lines[n - 1], &o));
    expect_str(&o, "event", "dropped");
    expect_num(&o, "count", 1);
    free(text);
}

/* The VCD trace: a header with one signal per line of the ports shown (the LPT's by name,
 * other ports as 8-bit buses), then "#t" and the values each access put on them: line
 * levels (BUSY and STROBE inverted from their register bits), no change for a write to
 * the status lines the device drives, one nanosecond per string element, times strictly
 * increasing. */
static void t_vcd(void **state)
{
    iotrap_ports_config cfg;
    trace_config(&cfg, "trace.vcd", "vcd");
    cfg.trace_ports = "0x378-0x37a,0x70";
    iotrap_ports *p = open_sim_cfg(&cfg);
    out8(p, 0x378, 0xa5);
    in8(p, 0x379);             /* 0xd8: BUSY line low (bit 7 set), ACK high... */
    out8(p, 0x379, 0x00);      /* status is driven by the printer: no change shown */
    out8(p, 0x37a, 0x0d);      /* STROBE bit set: the line goes low */
    out8(p, 0x70, 0x0b);
    assert_int_equal(iotrap_ports_out_string(p, 0x378, 1, "\x01\x02", 2, 0), IOTRAP_OK);
    out8(p, 0x300, 0x01);      /* not shown */
    iotrap_ports_close(p);
    char *text = slurp(trace_path, NULL);
    assert_non_null(strstr(text, "$timescale 1ns $end"));
    assert_non_null(strstr(text, " D0 $end"));
    assert_non_null(strstr(text, " port_0x0070 $end"));
    assert_non_null(strstr(text, " BUSY $end"));
    assert_non_null(strstr(text, " STROBE $end"));
    assert_null(strstr(text, "0x0300"));
    char *body = strstr(text, "$enddefinitions $end\n");
    assert_non_null(body);
    body += strlen("$enddefinitions $end\n");
    /* Times strictly increase; count the steps. */
    long long last = -1;
    int steps = 0;
    for (char *l = body; *l; l = strchr(l, '\n') + 1) {
        if (*l == '#') {
            long long t = atoll(l + 1);
            assert_true(t > last);
            last = t;
            steps++;
        }
        if (!strchr(l, '\n'))
            break;
    }
    assert_int_equal(steps, 6); /* data, status, control, 0x70, two string elements */
    free(text);
}

/* The identifier of the signal `name` in a VCD header, into id; 0 if there is none. */
static int signal_id(const char *vcd, const char *name, char *id)
{
    char want[64];
    snprintf(want, sizeof want, " %s $end\n", name);
    const char *at = strstr(vcd, want);
    if (!at)
        return 0;
    const char *sp = at - 1;
    while (*sp != ' ')
        sp--;
    memcpy(id, sp + 1, (size_t)(at - sp - 1));
    id[at - sp - 1] = '\0';
    return 1;
}

/* The values of one VCD step, as the lines read. */
static void t_vcd_levels(void **state)
{
    iotrap_ports_config cfg;
    trace_config(&cfg, "trace.vcd", "vcd");
    cfg.trace_ports = "0x379-0x37a";
    iotrap_ports *p = open_sim_cfg(&cfg);
    in8(p, 0x379);        /* 0xd8 */
    out8(p, 0x37a, 0x0d); /* STROBE, INIT, SELECTIN bits */
    iotrap_ports_close(p);
    char *text = slurp(trace_path, NULL);
    char busy[8], ack[8], strobe[8], init[8], selin[8], autofd[8], line[16];
    assert_true(signal_id(text, "BUSY", busy));
    assert_true(signal_id(text, "ACK", ack));
    assert_true(signal_id(text, "STROBE", strobe));
    assert_true(signal_id(text, "INIT", init));
    assert_true(signal_id(text, "SELECTIN", selin));
    assert_true(signal_id(text, "AUTOFD", autofd));
    /* Status 0xd8: bit 7 set means the BUSY line is low; ACK (bit 6) high. */
    snprintf(line, sizeof line, "\n0%s\n", busy);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "\n1%s\n", ack);
    assert_non_null(strstr(text, line));
    /* Control 0x0d: nStrobe and nSelectIn low, nInit high, nAutoFd high. */
    snprintf(line, sizeof line, "\n0%s\n", strobe);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "\n1%s\n", init);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "\n0%s\n", selin);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "\n1%s\n", autofd);
    assert_non_null(strstr(text, line));
    free(text);

    /* More ports than a VCD shows is refused with the way out. */
    cfg.trace_ports = "0x0-0x1ff";
    char err[256];
    open_fails(&cfg, err, sizeof err);
    assert_string_equal(err, "a VCD trace shows at most 256 ports, and 512 were asked for: "
                             "give fewer with --trace-ports");
}

/* The run state: two processes of one run share the trace's start and budget and the
 * summary's counts; a port nobody answers is "no device", a refused one "denied". */
static void t_run_state(void **state)
{
    iotrap__run_state rs;
    char path[512], err[256];
    assert_int_equal(iotrap__run_state_create(&rs, true, path, sizeof path, err, sizeof err),
                     IOTRAP_OK);
    iotrap_ports_config cfg;
    trace_config(&cfg, "trace", NULL);
    cfg.trace_max = 21 * 3;
    cfg.allow = "0x0-0x3ff";
    cfg.quiet = 1;
    iotrap__session_params sp = { .cfg = &cfg, .run = path };
    iotrap_ports *p = NULL;
    assert_int_equal(iotrap__session_open(&sp, &p, err, sizeof err), IOTRAP_OK);
    in8(p, 0x379);
    in8(p, 0x379);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        iotrap_ports *c = NULL;
        if (iotrap__session_open(&sp, &c, err, sizeof err) != IOTRAP_OK)
            _exit(2);
        uint32_t v;
        iotrap_ports_in(c, 0x379, 1, &v, 0);
        iotrap_ports_out(c, 0x278, 1, 0, 0);
        iotrap_ports_out_string(c, 0x378, 1, "ABC", 3, 0);
        iotrap_ports_close(c);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    uint32_t v;
    assert_int_equal(iotrap_ports_in(p, 0x400, 1, &v, 0), IOTRAP_E_DENIED);
    iotrap_ports_close(p);
    assert_int_equal(rs.ports[0x379].reads, 3);
    assert_int_equal(rs.ports[0x379].flags, 0);
    assert_int_equal(rs.ports[0x278].writes, 1);
    assert_int_equal(rs.ports[0x278].flags, IOTRAP__RUN_NODEV);
    assert_int_equal(rs.ports[0x378].writes, 3);
    assert_int_equal(rs.ports[0x400].reads, 1);
    assert_int_equal(rs.ports[0x400].flags, IOTRAP__RUN_DENIED);
    /* One budget for both processes: three lines, then the note; the count comes at the
     * run's end. */
    assert_int_equal(rs.hdr->trace_dropped, 3);
    assert_int_equal(iotrap__trace_end(trace_path, "text", cfg.trace_max, &rs, err, sizeof err),
                     IOTRAP_OK);
    char *text = slurp(trace_path, NULL);
    int n;
    char **lines = split_lines(text, &n);
    assert_int_equal(n, 5);
    assert_string_equal(lines[4], "# 3 accesses were not recorded (trace limit of 63 bytes)");
    free(text);
    iotrap__run_state_detach(&rs);
    iotrap__run_state_remove(path);
    /* A file that is not a run state is refused with its name. */
    assert_int_equal(iotrap__run_state_attach(&rs, trace_path, err, sizeof err), IOTRAP_E_INVAL);
    assert_non_null(strstr(err, trace_path));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_one_way_in),
    cmocka_unit_test(t_trace_from_env),
    cmocka_unit_test(t_text_lines),
    cmocka_unit_test(t_jsonl),
    cmocka_unit_test(t_long_string_is_bounded),
    cmocka_unit_test(t_trace_to_stderr),
    cmocka_unit_test(t_processes_share_a_trace),
    cmocka_unit_test(t_jsonl_time),
    cmocka_unit_test(t_trace_ports),
    cmocka_unit_test(t_trace_max),
    cmocka_unit_test(t_vcd),
    cmocka_unit_test(t_vcd_levels),
    cmocka_unit_test(t_run_state),
};

IOTRAP_TEST_MAIN(tests)
