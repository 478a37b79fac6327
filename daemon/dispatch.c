/* iotrapd's one dispatch: see dispatch.h and docs/protocol.md. */
#include "config.h"
#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>
#include "backends/helper_proto.h"
#include "daemon/dispatch.h"
#include "session/session.h"

static const char *op_dir(unsigned op)
{
    return op == IOTRAP__OP_OUT || op == IOTRAP__OP_OUTS ? "write" : "read";
}

/* The per-user policy holds for the ports the daemon touches: each byte's target, after
 * the daemon's own remaps.  So a rule names real ports, and the dangerous ports stay
 * closed whatever a remap points at them. */
static bool peer_may(const iotrapd_server *s, const iotrapd_peer *peer, uint16_t port,
                     unsigned width, bool write)
{
    for (unsigned i = 0; i < width; i++)
        if (!iotrapd_conf_allows(s->conf, peer,
                                 iotrap__session_target(s->ports, (uint16_t)(port + i)), 1,
                                 write))
            return false;
    return true;
}

static int perform(iotrapd_server *s, const iotrap__proto_req *rq, uint8_t *data)
{
    unsigned w = rq->width;
    uint32_t v = 0;
    int rc;
    switch (rq->op) {
    case IOTRAP__OP_IN:
        rc = iotrap_ports_in(s->ports, rq->port, w, &v, 0);
        for (unsigned i = 0; i < w; i++)
            data[i] = (uint8_t)(v >> (8 * i));
        return rc;
    case IOTRAP__OP_OUT:
        for (unsigned i = 0; i < w; i++)
            v |= (uint32_t)rq->data[i] << (8 * i);
        return iotrap_ports_out(s->ports, rq->port, w, v, 0);
    case IOTRAP__OP_INS:
        return iotrap_ports_in_string(s->ports, rq->port, w, data, rq->count, 0);
    default:
        return iotrap_ports_out_string(s->ports, rq->port, w, rq->data, rq->count, 0);
    }
}

static size_t handle(iotrapd_server *s, const iotrapd_peer *peer, enum iotrapd_transport via,
                     const uint8_t *msg, size_t n, uint8_t *out)
{
    iotrap__proto_req rq;
    char why[160];
    s->requests++;
    if (via == IOTRAPD_VIA_CHANNEL)
        s->channel_requests++;
    int rc = iotrap__proto_get_req(msg, n, &rq, why, sizeof why);
    if (rc == IOTRAP_OK && rq.op == IOTRAP__OP_CHANNEL && via == IOTRAPD_VIA_CHANNEL) {
        snprintf(why, sizeof why, "channel request on a channel");
        rc = IOTRAP_E_PROTOCOL;
    }
    if (rc != IOTRAP_OK) {
        s->malformed++;
        iotrapd_log(&s->log, iotrapd_now_ms(), peer->uid, IOTRAPD_LOG_MALFORMED, LOG_NOTICE,
                    "malformed request from uid=%u pid=%d: %s", (unsigned)peer->uid,
                    (int)peer->pid, why);
        return iotrap__proto_put_reply(out, rq.op, rq.seq, rc, 0, NULL, 0);
    }
    if (rq.op == IOTRAP__OP_PING || rq.op == IOTRAP__OP_CHANNEL)
        return iotrap__proto_put_reply(out, rq.op, rq.seq, IOTRAP_OK, 0, NULL, 0);
    bool write = rq.op == IOTRAP__OP_OUT || rq.op == IOTRAP__OP_OUTS;
    uint16_t target = iotrap__session_target(s->ports, rq.port);
    char moved[24] = "";
    if (target != rq.port)
        snprintf(moved, sizeof moved, " target=0x%04x", target);
    if (!peer_may(s, peer, rq.port, rq.width, write)) {
        s->denials++;
        iotrapd_log(&s->log, iotrapd_now_ms(), peer->uid, IOTRAPD_LOG_DENIED, LOG_WARNING,
                    "denied uid=%u pid=%d port=0x%04x width=%u dir=%s count=%u%s",
                    (unsigned)peer->uid, (int)peer->pid, rq.port, rq.width, op_dir(rq.op),
                    rq.count, moved);
        return iotrap__proto_put_reply(out, rq.op, rq.seq, IOTRAP_E_DENIED, 0, NULL, 0);
    }
    /* The data of an IN/INS reply is built in place after the reply header. */
    rc = perform(s, &rq, out + IOTRAP__PROTO_HDR);
    if (rc != IOTRAP_OK) {
        iotrapd_log(&s->log, iotrapd_now_ms(), peer->uid, IOTRAPD_LOG_FAILED, LOG_ERR,
                    "access failed on port 0x%04x%s (%s) for uid=%u pid=%d: %s", rq.port,
                    moved, op_dir(rq.op), (unsigned)peer->uid, (int)peer->pid,
                    iotrap_strerror(rc));
        return iotrap__proto_put_reply(out, rq.op, rq.seq, rc, 0, NULL, 0);
    }
    s->accesses += rq.count;
    uint32_t len = write ? 0 : rq.count * rq.width;
    return iotrap__proto_put_reply(out, rq.op, rq.seq, IOTRAP_OK, rq.count, NULL, len);
}

void iotrapd_malformed(iotrapd_server *s, const iotrapd_peer *peer, const char *why)
{
    pthread_mutex_lock(&s->lock);
    s->requests++;
    s->malformed++;
    iotrapd_log(&s->log, iotrapd_now_ms(), peer->uid, IOTRAPD_LOG_MALFORMED, LOG_NOTICE,
                "malformed request from uid=%u pid=%d: %s", (unsigned)peer->uid,
                (int)peer->pid, why);
    pthread_mutex_unlock(&s->lock);
}

size_t iotrapd_dispatch(iotrapd_server *s, const iotrapd_peer *peer, enum iotrapd_transport via,
                        const uint8_t *msg, size_t n, uint8_t *out)
{
    pthread_mutex_lock(&s->lock);
    size_t r = handle(s, peer, via, msg, n, out);
    pthread_mutex_unlock(&s->lock);
    return r;
}
