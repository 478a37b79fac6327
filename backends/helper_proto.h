/* The iotrapd wire protocol, version 1 (documented in docs/protocol.md).
 *
 * One request or reply is one SOCK_SEQPACKET message: a 24-byte little-endian header
 * followed by `len` data bytes.  The encoders and the checking decoders live here so that
 * the client (backends/helper.c) and the daemon (daemon/) cannot disagree, and so that
 * every malformed message is refused by the same code, with a reason.
 */
#ifndef IOTRAP_BACKENDS_HELPER_PROTO_H
#define IOTRAP_BACKENDS_HELPER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define IOTRAP__PROTO_MAGIC 0x44544f49u /* "IOTD" */
#define IOTRAP__PROTO_VERSION 1u
#define IOTRAP__PROTO_HDR 24u
/* The most data bytes one message carries; longer strings are split by the client. */
#define IOTRAP__PROTO_MAX_DATA 65536u
#define IOTRAP__PROTO_MAX_MSG (IOTRAP__PROTO_HDR + IOTRAP__PROTO_MAX_DATA)

enum iotrap__proto_op {
    IOTRAP__OP_PING = 1, /* no data; the reply says the daemon is there and speaks v1 */
    IOTRAP__OP_IN = 2,   /* count 1; reply data: width bytes */
    IOTRAP__OP_OUT = 3,  /* count 1; data: width bytes */
    IOTRAP__OP_INS = 4,  /* count elements from one port; reply data: count*width */
    IOTRAP__OP_OUTS = 5, /* count elements to one port; data: count*width */
};
#define IOTRAP__OP_REPLY 0x80u /* or-ed into the op of a reply */

typedef struct iotrap__proto_req {
    uint16_t op;
    uint32_t seq;
    uint16_t port;
    uint8_t width;
    uint32_t count;
    uint32_t len;
    const uint8_t *data; /* points into the message */
} iotrap__proto_req;

typedef struct iotrap__proto_reply {
    uint16_t op; /* without IOTRAP__OP_REPLY */
    uint32_t seq;
    int32_t status;
    uint32_t count; /* elements done */
    uint32_t len;
    const uint8_t *data;
} iotrap__proto_reply;

/* Encodes a request into msg (at least IOTRAP__PROTO_HDR + len bytes); returns its size. */
size_t iotrap__proto_put_req(uint8_t *msg, uint16_t op, uint32_t seq, uint16_t port,
                             uint8_t width, uint32_t count, const void *data, uint32_t len);
/* data NULL with len > 0: the data is already in place after the header. */
size_t iotrap__proto_put_reply(uint8_t *msg, uint16_t op, uint32_t seq, int32_t status,
                               uint32_t count, const void *data, uint32_t len);

/* Checks a received request of n bytes.  Returns 0 and fills req, or a negative
 * IOTRAP_E_* status with the reason in why.  req->seq and req->op are filled whenever the
 * header is long enough, so that the refusal can be answered. */
int iotrap__proto_get_req(const uint8_t *msg, size_t n, iotrap__proto_req *req,
                          char *why, size_t whylen);
/* Checks a reply of n bytes to a request (op, seq, width, count). */
int iotrap__proto_get_reply(const uint8_t *msg, size_t n, uint16_t op, uint32_t seq,
                            iotrap__proto_reply *rep);

#endif
