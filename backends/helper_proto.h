/* The iotrapd wire protocol, version 1 (documented in docs/protocol.md).
 *
 * A request or reply is a 24-byte little-endian header followed by `len` data bytes; on
 * the stream socket, the header's length is what frames one message from the next.  The encoders and the checking decoders live here so that
 * the client (backends/helper.c) and the daemon (daemon/) cannot disagree, and so that
 * every malformed message is refused by the same code, with a reason.
 */
#ifndef IOTRAP_BACKENDS_HELPER_PROTO_H
#define IOTRAP_BACKENDS_HELPER_PROTO_H

#include <stdatomic.h>
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
    /* No data; the reply carries a shared-memory channel (SCM_RIGHTS) and its layout. */
    IOTRAP__OP_CHANNEL = 6,
};
#define IOTRAP__OP_REPLY 0x80u /* or-ed into the op of a reply */

/* The fast channel (docs/protocol.md, "Fast channel"): a memfd of IOTRAP__CHAN_SIZE bytes
 * shared by one client and the daemon.  Its first page holds the control words below, the
 * message area at IOTRAP__CHAN_MSG_OFF holds one request, then its reply, in the same
 * encoding as on the socket.  The sequence words are futex words (shared, not private). */
#define IOTRAP__CHAN_LAYOUT 1u
#define IOTRAP__CHAN_MSG_OFF 4096u
#define IOTRAP__CHAN_MSG_ROOM ((IOTRAP__PROTO_MAX_MSG + 1u + 4095u) & ~4095u)
#define IOTRAP__CHAN_SIZE (IOTRAP__CHAN_MSG_OFF + IOTRAP__CHAN_MSG_ROOM)
/* The data of the CHANNEL reply: layout (4 bytes) and size (4 bytes). */
#define IOTRAP__CHAN_REPLY_LEN 8u

typedef struct iotrap__chan_ctl {
    /* Written by the client: the request's size, then req_seq (release) to publish it. */
    _Atomic uint32_t req_seq;
    _Atomic uint32_t req_size;
    /* Set by the daemon's thread before it sleeps on req_seq: the client then wakes it. */
    _Atomic uint32_t server_sleeps;
    uint8_t pad[52]; /* the reply words on a cache line of their own */
    /* Written by the daemon: the reply's size, then rep_seq = req_seq (release). */
    _Atomic uint32_t rep_seq;
    _Atomic uint32_t rep_size;
    /* Set by the client before it sleeps on rep_seq: the daemon then wakes it. */
    _Atomic uint32_t client_sleeps;
} iotrap__chan_ctl;

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
