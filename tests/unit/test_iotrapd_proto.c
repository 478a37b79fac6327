/* The iotrapd wire protocol (backends/helper_proto.c) and the daemon's dispatch
 * (daemon/dispatch.c) through its port session with a recording backend: round trips,
 * every malformed form, denial before the backend, strings in one backend call, and the
 * rules held against the ports a remap makes the daemon touch. */
#include "config.h"
#include "tests/unit/harness.h"
#include <stdlib.h>
#include "backends/helper_proto.h"
#include "daemon/conf.h"
#include "daemon/dispatch.h"
#include "tests/unit/iotrapd_test_session.h"

/* ---- a backend that records what reaches it ---- */
static struct {
    int calls;
    unsigned op, port, width;
    size_t count;
    uint8_t data[64];
} seen;

static int rec_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                  uint32_t *value)
{
    seen.calls++;
    seen.op = IOTRAP__OP_IN;
    seen.port = port;
    seen.width = width;
    *value = 0x12345678u & (width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1);
    return IOTRAP_OK;
}

static int rec_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                   uint32_t value)
{
    seen.calls++;
    seen.op = IOTRAP__OP_OUT;
    seen.port = port;
    seen.width = width;
    memcpy(seen.data, &value, 4);
    return IOTRAP_OK;
}

static int rec_in_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                         void *buf, size_t count)
{
    seen.calls++;
    seen.op = IOTRAP__OP_INS;
    seen.port = port;
    seen.width = width;
    seen.count = count;
    for (size_t i = 0; i < count * width; i++)
        ((uint8_t *)buf)[i] = (uint8_t)(0xa0 + i);
    return IOTRAP_OK;
}

static int rec_out_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                          const void *buf, size_t count)
{
    seen.calls++;
    seen.op = IOTRAP__OP_OUTS;
    seen.port = port;
    seen.width = width;
    seen.count = count;
    memcpy(seen.data, buf, count * width < sizeof seen.data ? count * width : sizeof seen.data);
    return IOTRAP_OK;
}

static const struct iotrap__backend recorder = {
    .name = "recorder", .summary = "test", .open = test_backend_open,
    .in = rec_in, .out = rec_out, .in_string = rec_in_string, .out_string = rec_out_string,
};

static int no_user(const char *n, unsigned *id) { (void)n; (void)id; return -1; }
static const iotrapd_resolver res = {no_user, no_user, NULL};

static iotrapd_conf conf;
static iotrapd_server srv;
static const iotrapd_peer alice = {.uid = 1001, .gid = 1001, .pid = 42};
static uint8_t req[IOTRAP__PROTO_MAX_MSG], rep[IOTRAP__PROTO_MAX_MSG];

static int setup(void **state)
{
    char err[128];
    memset(&seen, 0, sizeof seen);
    assert_int_equal(iotrapd_conf_parse("allow uid=1001 ports=0x378-0x37a access=rw\n"
                                        "allow uid=1001 ports=0x3f8-0x3ff access=r\n",
                                        "t.conf", &res, &conf, err, sizeof err), 0);
    srv = (iotrapd_server){.conf = &conf, .lock = PTHREAD_MUTEX_INITIALIZER};
    assert_int_equal(open_test_session(&srv, &recorder, &conf, NULL), IOTRAP_OK);
    return 0;
}

static int teardown(void **state)
{
    iotrap_ports_close(srv.ports);
    iotrapd_conf_free(&conf);
    return 0;
}

/* Sends req (n bytes) through the handler; returns the decoded reply status. */
static int roundtrip(size_t n, uint16_t op, uint32_t seq, iotrap__proto_reply *r)
{
    size_t m = iotrapd_dispatch(&srv, &alice, IOTRAPD_VIA_SOCKET, req, n, rep);
    assert_int_equal(iotrap__proto_get_reply(rep, m, op, seq, r), IOTRAP_OK);
    return r->status;
}

static void t_encode_layout(void **state)
{
    size_t n = iotrap__proto_put_req(req, IOTRAP__OP_OUT, 0x01020304, 0x378, 1, 1, "\x5a", 1);
    static const uint8_t want[] = {0x49, 0x4f, 0x54, 0x44, 1, 0, 3, 0, 4, 3, 2, 1,
                                   0x78, 0x03, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0x5a};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(req, want, sizeof want);
    iotrap__proto_req q;
    char why[128];
    assert_int_equal(iotrap__proto_get_req(req, n, &q, why, sizeof why), IOTRAP_OK);
    assert_int_equal(q.op, IOTRAP__OP_OUT);
    assert_int_equal(q.seq, 0x01020304);
    assert_int_equal(q.port, 0x378);
    assert_int_equal(q.width, 1);
    assert_int_equal(q.count, 1);
    assert_int_equal(q.len, 1);
    assert_int_equal(q.data[0], 0x5a);
}

static void t_in_out_roundtrip(void **state)
{
    iotrap__proto_reply r;
    size_t n = iotrap__proto_put_req(req, IOTRAP__OP_IN, 7, 0x379, 2, 1, NULL, 0);
    assert_int_equal(roundtrip(n, IOTRAP__OP_IN, 7, &r), IOTRAP_OK);
    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.port, 0x379);
    assert_int_equal(r.len, 2);
    assert_int_equal(r.data[0], 0x78);
    assert_int_equal(r.data[1], 0x56);
    n = iotrap__proto_put_req(req, IOTRAP__OP_OUT, 8, 0x378, 2, 1, "\x34\x12", 2);
    assert_int_equal(roundtrip(n, IOTRAP__OP_OUT, 8, &r), IOTRAP_OK);
    assert_int_equal(seen.calls, 2);
    assert_int_equal(seen.data[0], 0x34);
    assert_int_equal(seen.data[1], 0x12);
    assert_int_equal(r.len, 0);
    assert_int_equal(srv.accesses, 2);
}

static void t_strings_in_one_call(void **state)
{
    iotrap__proto_reply r;
    size_t n = iotrap__proto_put_req(req, IOTRAP__OP_OUTS, 9, 0x378, 1, 5, "HELLO", 5);
    assert_int_equal(roundtrip(n, IOTRAP__OP_OUTS, 9, &r), IOTRAP_OK);
    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.count, 5);
    assert_memory_equal(seen.data, "HELLO", 5);
    assert_int_equal(r.count, 5);
    n = iotrap__proto_put_req(req, IOTRAP__OP_INS, 10, 0x3f8, 2, 3, NULL, 0);
    assert_int_equal(roundtrip(n, IOTRAP__OP_INS, 10, &r), IOTRAP_OK);
    assert_int_equal(seen.calls, 2);
    assert_int_equal(r.len, 6);
    assert_int_equal(r.data[5], 0xa5);
    /* The largest string one request carries. */
    static uint8_t big[IOTRAP__PROTO_MAX_DATA];
    n = iotrap__proto_put_req(req, IOTRAP__OP_OUTS, 11, 0x378, 2, IOTRAP__PROTO_MAX_DATA / 2,
                              big, IOTRAP__PROTO_MAX_DATA);
    assert_int_equal(roundtrip(n, IOTRAP__OP_OUTS, 11, &r), IOTRAP_OK);
    assert_int_equal(seen.count, IOTRAP__PROTO_MAX_DATA / 2);
}

static void t_denied_never_reaches_backend(void **state)
{
    iotrap__proto_reply r;
    size_t n = iotrap__proto_put_req(req, IOTRAP__OP_OUT, 1, 0x3ff, 1, 1, "\x01", 1);
    assert_int_equal(roundtrip(n, IOTRAP__OP_OUT, 1, &r), IOTRAP_E_DENIED);
    n = iotrap__proto_put_req(req, IOTRAP__OP_IN, 2, 0x37a, 2, 1, NULL, 0); /* 0x37b */
    assert_int_equal(roundtrip(n, IOTRAP__OP_IN, 2, &r), IOTRAP_E_DENIED);
    n = iotrap__proto_put_req(req, IOTRAP__OP_OUTS, 3, 0x3f8, 1, 3, "abc", 3);
    assert_int_equal(roundtrip(n, IOTRAP__OP_OUTS, 3, &r), IOTRAP_E_DENIED);
    iotrapd_peer mallory = {.uid = 666, .gid = 666};
    n = iotrap__proto_put_req(req, IOTRAP__OP_IN, 4, 0x378, 1, 1, NULL, 0);
    size_t m = iotrapd_dispatch(&srv, &mallory, IOTRAPD_VIA_SOCKET, req, n, rep);
    assert_int_equal(iotrap__proto_get_reply(rep, m, IOTRAP__OP_IN, 4, &r), IOTRAP_OK);
    assert_int_equal(r.status, IOTRAP_E_DENIED);
    assert_int_equal(seen.calls, 0);
    assert_int_equal(srv.denials, 4);
}

static void t_malformed_requests(void **state)
{
    iotrap__proto_req q;
    char why[160];
    static const struct {
        uint16_t op;
        uint16_t port;
        uint8_t width;
        uint32_t count, len;
        const char *why;
    } bad[] = {
        {9, 0x378, 1, 1, 0, "unknown operation 9"},
        {0, 0x378, 1, 1, 0, "unknown operation 0"},
        {IOTRAP__OP_IN, 0x378, 3, 1, 0, "width 3 (want 1, 2 or 4)"},
        {IOTRAP__OP_IN, 0x378, 8, 1, 0, "width 8 (want 1, 2 or 4)"},
        {IOTRAP__OP_IN, 0xfffe, 4, 1, 0, "port 0xfffe width 4 runs past 0xffff"},
        {IOTRAP__OP_IN, 0x378, 1, 2, 0, "count 2 out of range for this operation"},
        {IOTRAP__OP_OUTS, 0x378, 1, 0, 0, "count 0 out of range for this operation"},
        {IOTRAP__OP_INS, 0x378, 2, 32769, 0, "count 32769 out of range for this operation"},
        {IOTRAP__OP_OUT, 0x378, 2, 1, 1, "1 data bytes, this operation needs 2"},
        {IOTRAP__OP_IN, 0x378, 1, 1, 1, "1 data bytes, this operation needs 0"},
        {IOTRAP__OP_PING, 0, 0, 1, 0, "ping carries a port, width, count or data"},
        {IOTRAP__OP_PING, 0x378, 0, 0, 0, "ping carries a port, width, count or data"},
        {IOTRAP__OP_PING, 0, 1, 0, 0, "ping carries a port, width, count or data"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = iotrap__proto_put_req(req, bad[i].op, 5, bad[i].port, bad[i].width,
                                         bad[i].count, "\0\0\0\0", bad[i].len);
        int rc = iotrap__proto_get_req(req, n, &q, why, sizeof why);
        if (rc != IOTRAP_E_PROTOCOL || strcmp(why, bad[i].why) != 0)
            fail_msg("case %zu: rc %d '%s', want '%s'", i, rc, why, bad[i].why);
    }
    size_t n = iotrap__proto_put_req(req, IOTRAP__OP_OUT, 5, 0x378, 1, 1, "x", 1);
    assert_int_equal(iotrap__proto_get_req(req, 3, &q, why, sizeof why), IOTRAP_E_PROTOCOL);
    assert_string_equal(why, "message of 3 bytes is shorter than the 24-byte header");
    assert_int_equal(iotrap__proto_get_req(req, n - 1, &q, why, sizeof why), IOTRAP_E_PROTOCOL);
    assert_string_equal(why, "header says 1 data bytes, message has 0");
    assert_int_equal(iotrap__proto_get_req(req, n + 1, &q, why, sizeof why), IOTRAP_E_PROTOCOL);
    req[0] ^= 1;
    assert_int_equal(iotrap__proto_get_req(req, n, &q, why, sizeof why), IOTRAP_E_PROTOCOL);
    assert_string_equal(why, "bad magic 0x44544f48");
    req[0] ^= 1;
    req[4] = 2;
    assert_int_equal(iotrap__proto_get_req(req, n, &q, why, sizeof why), IOTRAP_E_PROTOCOL);
    assert_string_equal(why, "protocol version 2, this daemon speaks 1");
    req[4] = 1;
    req[15] = 1;
    assert_int_equal(iotrap__proto_get_req(req, n, &q, why, sizeof why), IOTRAP_E_PROTOCOL);
    assert_string_equal(why, "reserved byte is 0x01, not 0");
    /* The handler answers each with a PROTOCOL reply carrying the request's seq. */
    iotrap__proto_reply r;
    assert_int_equal(roundtrip(n, IOTRAP__OP_OUT, 5, &r), IOTRAP_E_PROTOCOL);
    assert_int_equal(seen.calls, 0);
    assert_int_equal(srv.malformed, 1);
}

/* With the daemon's own remaps, a rule holds for the port the daemon touches: a client
 * reaches 0x378 through 0x278, and a remap cannot open a port the rules do not name. */
static void t_rules_hold_for_targets(void **state)
{
    iotrap_ports_close(srv.ports);
    static const char *const remaps[] = {"0x278-0x27a=0x378", "0x300=0x3fa", NULL};
    assert_int_equal(open_test_session(&srv, &recorder, &conf, remaps), IOTRAP_OK);
    iotrap__proto_reply r;
    size_t n = iotrap__proto_put_req(req, IOTRAP__OP_OUT, 1, 0x279, 2, 1, "\x01\x02", 2);
    assert_int_equal(roundtrip(n, IOTRAP__OP_OUT, 1, &r), IOTRAP_OK);
    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.port, 0x379);
    assert_int_equal(seen.width, 2);
    /* 0x3fa may only be read: the remap to it does not make it writable, and the
     * client's own 0x300 is named by no rule at all. */
    n = iotrap__proto_put_req(req, IOTRAP__OP_IN, 2, 0x300, 1, 1, NULL, 0);
    assert_int_equal(roundtrip(n, IOTRAP__OP_IN, 2, &r), IOTRAP_OK);
    assert_int_equal(seen.port, 0x3fa);
    n = iotrap__proto_put_req(req, IOTRAP__OP_OUT, 3, 0x300, 1, 1, "\x01", 1);
    assert_int_equal(roundtrip(n, IOTRAP__OP_OUT, 3, &r), IOTRAP_E_DENIED);
    /* 0x27a reaches 0x37a, but a word there takes 0x27b too, which is neither moved nor
     * named by a rule. */
    n = iotrap__proto_put_req(req, IOTRAP__OP_IN, 4, 0x27a, 2, 1, NULL, 0);
    assert_int_equal(roundtrip(n, IOTRAP__OP_IN, 4, &r), IOTRAP_E_DENIED);
    /* Unmoved ports are unchanged. */
    n = iotrap__proto_put_req(req, IOTRAP__OP_IN, 5, 0x378, 1, 1, NULL, 0);
    assert_int_equal(roundtrip(n, IOTRAP__OP_IN, 5, &r), IOTRAP_OK);
    assert_int_equal(seen.port, 0x378);
    assert_int_equal(seen.calls, 3);
    assert_int_equal(srv.denials, 2);
}

static void t_every_truncation_refused(void **state)
{
    iotrap__proto_req q;
    char why[160];
    size_t n = iotrap__proto_put_req(req, IOTRAP__OP_OUTS, 5, 0x378, 2, 4, "abcdefgh", 8);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(iotrap__proto_get_req(req, k, &q, why, sizeof why), IOTRAP_E_PROTOCOL);
    assert_int_equal(iotrap__proto_get_req(req, n, &q, why, sizeof why), IOTRAP_OK);
}

static void t_reply_checks(void **state)
{
    iotrap__proto_reply r;
    size_t m = iotrap__proto_put_reply(rep, IOTRAP__OP_IN, 3, IOTRAP_OK, 1, "\x42", 1);
    assert_int_equal(iotrap__proto_get_reply(rep, m, IOTRAP__OP_IN, 3, &r), IOTRAP_OK);
    assert_int_equal(r.data[0], 0x42);
    assert_int_equal(iotrap__proto_get_reply(rep, m, IOTRAP__OP_IN, 4, &r), IOTRAP_E_PROTOCOL);
    assert_int_equal(iotrap__proto_get_reply(rep, m, IOTRAP__OP_OUT, 3, &r), IOTRAP_E_PROTOCOL);
    assert_int_equal(iotrap__proto_get_reply(rep, m - 1, IOTRAP__OP_IN, 3, &r), IOTRAP_E_PROTOCOL);
    m = iotrap__proto_put_reply(rep, IOTRAP__OP_IN, 3, 5, 0, NULL, 0); /* positive status */
    assert_int_equal(iotrap__proto_get_reply(rep, m, IOTRAP__OP_IN, 3, &r), IOTRAP_E_PROTOCOL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(t_encode_layout, setup, teardown),
    cmocka_unit_test_setup_teardown(t_in_out_roundtrip, setup, teardown),
    cmocka_unit_test_setup_teardown(t_strings_in_one_call, setup, teardown),
    cmocka_unit_test_setup_teardown(t_denied_never_reaches_backend, setup, teardown),
    cmocka_unit_test_setup_teardown(t_malformed_requests, setup, teardown),
    cmocka_unit_test_setup_teardown(t_rules_hold_for_targets, setup, teardown),
    cmocka_unit_test_setup_teardown(t_every_truncation_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(t_reply_checks, setup, teardown),
};

IOTRAP_TEST_MAIN(tests)
