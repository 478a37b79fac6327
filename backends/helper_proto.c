/* The iotrapd wire protocol: see helper_proto.h and docs/protocol.md. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "backends/helper_proto.h"
#include <iotrap/status.h>

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_head(uint8_t *msg, uint16_t op, uint32_t seq)
{
    put32(msg, IOTRAP__PROTO_MAGIC);
    put16(msg + 4, IOTRAP__PROTO_VERSION);
    put16(msg + 6, op);
    put32(msg + 8, seq);
}

size_t iotrap__proto_put_req(uint8_t *msg, uint16_t op, uint32_t seq, uint16_t port,
                             uint8_t width, uint32_t count, const void *data, uint32_t len)
{
    put_head(msg, op, seq);
    put16(msg + 12, port);
    msg[14] = width;
    msg[15] = 0;
    put32(msg + 16, count);
    put32(msg + 20, len);
    if (len)
        memcpy(msg + IOTRAP__PROTO_HDR, data, len);
    return IOTRAP__PROTO_HDR + len;
}

size_t iotrap__proto_put_reply(uint8_t *msg, uint16_t op, uint32_t seq, int32_t status,
                               uint32_t count, const void *data, uint32_t len)
{
    put_head(msg, (uint16_t)(op | IOTRAP__OP_REPLY), seq);
    put32(msg + 12, (uint32_t)status);
    put32(msg + 16, count);
    put32(msg + 20, len);
    if (len && data)
        memcpy(msg + IOTRAP__PROTO_HDR, data, len);
    return IOTRAP__PROTO_HDR + len;
}

int iotrap__proto_get_req(const uint8_t *msg, size_t n, iotrap__proto_req *req,
                          char *why, size_t whylen)
{
    memset(req, 0, sizeof *req);
    if (n < IOTRAP__PROTO_HDR) {
        snprintf(why, whylen, "message of %zu bytes is shorter than the %u-byte header", n,
                 IOTRAP__PROTO_HDR);
        return IOTRAP_E_PROTOCOL;
    }
    req->op = get16(msg + 6);
    req->seq = get32(msg + 8);
    if (get32(msg) != IOTRAP__PROTO_MAGIC) {
        snprintf(why, whylen, "bad magic 0x%08x", get32(msg));
        return IOTRAP_E_PROTOCOL;
    }
    if (get16(msg + 4) != IOTRAP__PROTO_VERSION) {
        snprintf(why, whylen, "protocol version %u, this daemon speaks %u", get16(msg + 4),
                 IOTRAP__PROTO_VERSION);
        return IOTRAP_E_PROTOCOL;
    }
    req->port = get16(msg + 12);
    req->width = msg[14];
    req->count = get32(msg + 16);
    req->len = get32(msg + 20);
    if (req->len > IOTRAP__PROTO_MAX_DATA) {
        snprintf(why, whylen, "header says %u data bytes, more than the %u a message may carry",
                 req->len, IOTRAP__PROTO_MAX_DATA);
        return IOTRAP_E_PROTOCOL;
    }
    if (n != IOTRAP__PROTO_HDR + (size_t)req->len) {
        snprintf(why, whylen, "header says %u data bytes, message has %zu", req->len,
                 n - IOTRAP__PROTO_HDR);
        return IOTRAP_E_PROTOCOL;
    }
    req->data = msg + IOTRAP__PROTO_HDR;
    if (msg[15] != 0) {
        snprintf(why, whylen, "reserved byte is 0x%02x, not 0", msg[15]);
        return IOTRAP_E_PROTOCOL;
    }
    if (req->op == IOTRAP__OP_PING || req->op == IOTRAP__OP_CHANNEL) {
        if (req->len || req->count || req->port || req->width) {
            snprintf(why, whylen, "%s carries a port, width, count or data",
                     req->op == IOTRAP__OP_PING ? "ping" : "channel request");
            return IOTRAP_E_PROTOCOL;
        }
        return IOTRAP_OK;
    }
    if (req->op < IOTRAP__OP_IN || req->op > IOTRAP__OP_OUTS) {
        snprintf(why, whylen, "unknown operation %u", req->op);
        return IOTRAP_E_PROTOCOL;
    }
    if (req->width != 1 && req->width != 2 && req->width != 4) {
        snprintf(why, whylen, "width %u (want 1, 2 or 4)", req->width);
        return IOTRAP_E_PROTOCOL;
    }
    if ((uint32_t)req->port + req->width > 0x10000) {
        snprintf(why, whylen, "port 0x%x width %u runs past 0xffff", req->port, req->width);
        return IOTRAP_E_PROTOCOL;
    }
    int single = req->op == IOTRAP__OP_IN || req->op == IOTRAP__OP_OUT;
    if (single ? req->count != 1
               : req->count == 0 || req->count > IOTRAP__PROTO_MAX_DATA / req->width) {
        snprintf(why, whylen, "count %u out of range for this operation", req->count);
        return IOTRAP_E_PROTOCOL;
    }
    int carries = req->op == IOTRAP__OP_OUT || req->op == IOTRAP__OP_OUTS;
    uint32_t want = carries ? req->count * req->width : 0;
    if (req->len != want) {
        snprintf(why, whylen, "%u data bytes, this operation needs %u", req->len, want);
        return IOTRAP_E_PROTOCOL;
    }
    return IOTRAP_OK;
}

int iotrap__proto_get_reply(const uint8_t *msg, size_t n, uint16_t op, uint32_t seq,
                            iotrap__proto_reply *rep)
{
    memset(rep, 0, sizeof *rep);
    if (n < IOTRAP__PROTO_HDR || get32(msg) != IOTRAP__PROTO_MAGIC ||
        get16(msg + 4) != IOTRAP__PROTO_VERSION || get16(msg + 6) != (op | IOTRAP__OP_REPLY) ||
        get32(msg + 8) != seq)
        return IOTRAP_E_PROTOCOL;
    rep->op = op;
    rep->seq = seq;
    rep->status = (int32_t)get32(msg + 12);
    rep->count = get32(msg + 16);
    rep->len = get32(msg + 20);
    if (n != IOTRAP__PROTO_HDR + (size_t)rep->len || rep->status > 0)
        return IOTRAP_E_PROTOCOL;
    rep->data = msg + IOTRAP__PROTO_HDR;
    return IOTRAP_OK;
}
