/* libFuzzer target: arbitrary bytes as one iotrapd request message, through the protocol
 * decoder (backends/helper_proto.c) and the daemon's whole dispatch (iotrapd_dispatch in
 * daemon/dispatch.c: decode, policy, the port session, backend, reply) with a backend that
 * only records.  Invariants checked:
 *  - a decoded request is consistent: known op, width 1/2/4, port + width within the port
 *    space, the op's count range, len = the op's data size, and n = header + len;
 *  - the reply always decodes as the answer to the request's op and seq, with a status
 *    that is 0 or an error, and data only for a successful IN/INS (count * width bytes);
 *  - the backend is reached only for a well-formed request the policy allows for every
 *    port of [port, port + width), checked here against the rules independently, and
 *    a dangerous port only where a rule names it on its own (reads of 0x70-0x71);
 *  - the backend sees exactly the request's port, width and count, once.
 * The message and the reply buffer are heap blocks of exactly their size, so that
 * AddressSanitizer catches a read or write past either.  The client is chosen by the low
 * bits of seq: a user with a rule, a group member, root (no rule) and a stranger; bit 2
 * of seq picks a backend without string calls, so that the session's element loops run
 * too; bit 3 brings the request over a fast channel instead of the socket, where a
 * CHANNEL request is refused. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "backends/helper_proto.h"
#include "backends/backend.h"
#include "daemon/conf.h"
#include "daemon/dispatch.h"
#include "session/session.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

/* The handler logs every refusal: keep that off the system log at fuzzing speed, but
 * still format each message, so that a bad argument would show. */
static char logbuf[512];
void syslog(int pri, const char *fmt, ...)
{
    (void)pri;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(logbuf, sizeof logbuf, fmt, ap);
    va_end(ap);
}
void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
    (void)pri;
    (void)flag;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(logbuf, sizeof logbuf, fmt, ap);
    va_end(ap);
}

static struct {
    int calls;
    unsigned op, port, width;
    size_t count;
} seen;

static void record(unsigned op, uint16_t port, unsigned width, size_t count)
{
    seen.calls++;
    seen.op = op;
    seen.port = port;
    seen.width = width;
    seen.count = count;
}

static int f_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                uint32_t *value)
{
    (void)bi;
    record(IOTRAP__OP_IN, port, width, 1);
    *value = width == 4 ? 0x89abcdefu : 0xcdefu & ((1u << (8 * width)) - 1);
    return IOTRAP_OK;
}

static int f_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                 uint32_t value)
{
    (void)bi;
    CHECK(width == 4 || value >> (8 * width) == 0);
    record(IOTRAP__OP_OUT, port, width, 1);
    return IOTRAP_OK;
}

static int f_in_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                       void *buf, size_t count)
{
    (void)bi;
    record(IOTRAP__OP_INS, port, width, count);
    memset(buf, 0xa5, count * width); /* the whole reply data, and not a byte more */
    return IOTRAP_OK;
}

static int f_out_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                        const void *buf, size_t count)
{
    (void)bi;
    record(IOTRAP__OP_OUTS, port, width, count);
    const volatile uint8_t *b = buf;
    uint8_t sum = 0;
    for (size_t i = 0; i < count * width; i++) /* every data byte is readable */
        sum ^= b[i];
    (void)sum;
    return IOTRAP_OK;
}

static int f_open(struct iotrap__backend_instance *bi, const struct iotrap__backend_params *bp,
                  char *err, size_t errlen)
{
    (void)bi, (void)bp, (void)err, (void)errlen;
    return IOTRAP_OK;
}

static const struct iotrap__backend recorder = {
    .name = "recorder",
    .summary = "fuzz",
    .open = f_open,
    .in = f_in,
    .out = f_out,
    .in_string = f_in_string,
    .out_string = f_out_string,
};

static int no_name(const char *n, unsigned *id)
{
    (void)n;
    (void)id;
    return -1;
}
static const iotrapd_resolver res = {no_name, no_name, NULL};

static const char policy[] = "allow uid=1001 ports=0-0xffff access=rw\n"
                             "allow uid=1001 ports=0x70-0x71 access=r\n"
                             "allow gid=7 ports=0x378-0x37a access=w\n"
                             "allow gid=7 ports=0x379 access=r\n";

/* The same without string calls: the session then loops over the elements itself. */
static const struct iotrap__backend recorder_plain = {
    .name = "recorder-plain",
    .summary = "fuzz",
    .open = f_open,
    .in = f_in,
    .out = f_out,
};

static iotrapd_conf conf;
/* Two daemons, as iotrapd opens its own: one serving through each recorder. */
static iotrapd_server servers[2] = {{.lock = PTHREAD_MUTEX_INITIALIZER},
                                    {.lock = PTHREAD_MUTEX_INITIALIZER}};

static void open_server(iotrapd_server *srv, const struct iotrap__backend *backend)
{
    const struct iotrap__backend *table[] = {backend, NULL};
    iotrap_ports_config cfg = {.size = sizeof(cfg), .backend = backend->name, .quiet = 1};
    iotrap__session_params sp = { .cfg = &cfg, .serve_targets = &conf.all, .backends = table };
    char err[256];
    srv->conf = &conf;
    CHECK(iotrap__session_open(&sp, &srv->ports, err, sizeof err) == IOTRAP_OK);
}

static const gid_t member_groups[] = {100, 7};
static const iotrapd_peer peers[4] = {
    {.uid = 1001, .gid = 1001, .pid = 1},
    {.uid = 1002, .gid = 1002, .pid = 2, .groups = member_groups, .ngroups = 2},
    {.uid = 0, .gid = 0, .pid = 3},
    {.uid = 1003, .gid = 1003, .pid = 4},
};

/* The policy above, written out port by port. */
static int oracle_allows(unsigned who, unsigned port, bool write)
{
    switch (who) {
    case 0:
        if (iotrapd_dangerous(port))
            return !write && (port == 0x70 || port == 0x71);
        return 1;
    case 1:
        return write ? port >= 0x378 && port <= 0x37a : port == 0x379;
    default:
        return 0;
    }
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > IOTRAP__PROTO_MAX_MSG + 1) /* what the daemon's receive buffer holds */
        return 0;
    static int ready;
    if (!ready) {
        char err[256];
        CHECK(iotrapd_conf_parse(policy, "fuzz.conf", &res, &conf, err, sizeof err) == 0);
        open_server(&servers[0], &recorder);
        open_server(&servers[1], &recorder_plain);
        ready = 1;
    }
    uint8_t *msg = malloc(size ? size : 1);
    memcpy(msg, data, size);

    iotrap__proto_req rq;
    char why[160];
    int rc = iotrap__proto_get_req(msg, size, &rq, why, sizeof why);
    CHECK(rc == IOTRAP_OK || rc == IOTRAP_E_PROTOCOL);
    CHECK(memchr(why, '\0', sizeof why) != NULL || rc == IOTRAP_OK);
    if (size >= IOTRAP__PROTO_HDR)
        CHECK(rq.seq == get32(msg + 8));
    if (rc == IOTRAP_OK) {
        CHECK(size == IOTRAP__PROTO_HDR + (size_t)rq.len);
        CHECK(rq.data == msg + IOTRAP__PROTO_HDR);
        if (rq.op == IOTRAP__OP_PING || rq.op == IOTRAP__OP_CHANNEL) {
            CHECK(rq.len == 0 && rq.count == 0 && rq.width == 0 && rq.port == 0);
        } else {
            CHECK(rq.op >= IOTRAP__OP_IN && rq.op <= IOTRAP__OP_OUTS);
            CHECK(rq.width == 1 || rq.width == 2 || rq.width == 4);
            CHECK((uint32_t)rq.port + rq.width <= 0x10000);
            bool single = rq.op == IOTRAP__OP_IN || rq.op == IOTRAP__OP_OUT;
            CHECK(single ? rq.count == 1 : rq.count >= 1 && rq.count * rq.width <= 65536);
            bool carries = rq.op == IOTRAP__OP_OUT || rq.op == IOTRAP__OP_OUTS;
            CHECK(rq.len == (carries ? rq.count * rq.width : 0));
        }
    }

    unsigned who = size >= IOTRAP__PROTO_HDR ? msg[8] & 3 : 0;
    bool plain = size >= IOTRAP__PROTO_HDR && (msg[8] & 4);
    enum iotrapd_transport via = size >= IOTRAP__PROTO_HDR && (msg[8] & 8) ? IOTRAPD_VIA_CHANNEL
                                                                          : IOTRAPD_VIA_SOCKET;
    iotrapd_server *srv = &servers[plain];
    srv->requests = srv->accesses = srv->denials = srv->malformed = 0;
    uint8_t *out = malloc(IOTRAP__PROTO_MAX_MSG);
    memset(&seen, 0, sizeof seen);
    size_t m = iotrapd_dispatch(srv, &peers[who], via, msg, size, out);
    CHECK(m >= IOTRAP__PROTO_HDR && m <= IOTRAP__PROTO_MAX_MSG);

    iotrap__proto_reply rep;
    CHECK(iotrap__proto_get_reply(out, m, rq.op, rq.seq, &rep) == IOTRAP_OK);
    CHECK(rep.status <= 0);
    bool write = rq.op == IOTRAP__OP_OUT || rq.op == IOTRAP__OP_OUTS;
    if (rc != IOTRAP_OK) {
        CHECK(rep.status == IOTRAP_E_PROTOCOL && rep.len == 0 && seen.calls == 0);
        CHECK(srv->malformed == 1);
    } else if (rq.op == IOTRAP__OP_CHANNEL && via == IOTRAPD_VIA_CHANNEL) {
        CHECK(rep.status == IOTRAP_E_PROTOCOL && rep.len == 0 && seen.calls == 0);
        CHECK(srv->malformed == 1);
    } else if (rq.op == IOTRAP__OP_PING || rq.op == IOTRAP__OP_CHANNEL) {
        CHECK(rep.status == IOTRAP_OK && rep.len == 0 && seen.calls == 0);
    } else {
        bool allowed = true;
        for (unsigned p = rq.port; p < (unsigned)rq.port + rq.width; p++)
            allowed = allowed && oracle_allows(who, p, write);
        if (!allowed) {
            CHECK(rep.status == IOTRAP_E_DENIED && rep.len == 0 && seen.calls == 0);
            CHECK(srv->denials == 1);
        } else {
            CHECK(rep.status == IOTRAP_OK);
            bool string = rq.op == IOTRAP__OP_INS || rq.op == IOTRAP__OP_OUTS;
            CHECK(seen.port == rq.port && seen.width == rq.width);
            if (plain && string) {
                CHECK(seen.calls == (int)rq.count && seen.count == 1);
                CHECK(seen.op == (write ? IOTRAP__OP_OUT : IOTRAP__OP_IN));
            } else {
                CHECK(seen.calls == 1 && seen.count == rq.count && seen.op == rq.op);
            }
            CHECK(rep.count == rq.count);
            CHECK(rep.len == (write ? 0 : rq.count * rq.width));
            CHECK(srv->accesses == rq.count);
        }
    }
    free(out);
    free(msg);
    return 0;
}
