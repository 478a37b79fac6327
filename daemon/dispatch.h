/* iotrapd's one dispatch.  Every request, whichever transport brought it (the socket,
 * daemon/socket.c, or a fast channel, daemon/channel.c), goes through iotrapd_dispatch():
 * checked, held against the per-user policy on the ports it would touch, performed
 * through the daemon's port session (session/session.h: its routes, remaps and trace),
 * one request at a time.
 */
#ifndef IOTRAP_DAEMON_DISPATCH_H
#define IOTRAP_DAEMON_DISPATCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <iotrap/ports.h>
#include "daemon/conf.h"
#include "daemon/lograte.h"

enum iotrapd_transport { IOTRAPD_VIA_SOCKET, IOTRAPD_VIA_CHANNEL };

typedef struct iotrapd_server {
    const iotrapd_conf *conf;
    iotrap_ports *ports; /* opened as a server: every access the rules allow is served */
    /* Held around every request: it serializes the backends (no other access between the
     * elements of a REP string) and the counters. */
    pthread_mutex_t lock;
    /* Counters, reported at exit: requests served, accesses done, denials, bad requests,
     * fast channels opened and the requests that came over them. */
    uint64_t requests, accesses, denials, malformed, channels, channel_requests;
    /* The per-uid budgets of the denied, malformed and failed lines. */
    iotrapd_lograte log;
    /* Fast-channel threads spinning for their next request (daemon/channel.c). */
    _Atomic unsigned spinning;
} iotrapd_server;

/* Handles one request message of n bytes from peer and writes the reply into out (at
 * least IOTRAP__PROTO_MAX_MSG bytes); returns the reply size.  Logs denials, backend
 * failures and malformed requests.  A CHANNEL request that came over the socket is
 * answered like a PING (status 0, no data): the socket transport then sets the channel
 * up; over a channel it is refused.  Takes s->lock itself. */
size_t iotrapd_dispatch(iotrapd_server *s, const iotrapd_peer *peer, enum iotrapd_transport via,
                        const uint8_t *msg, size_t n, uint8_t *out);

/* Counts and logs a malformed request of peer's that never reached the dispatch (a
 * connection that ended in the middle of one).  Takes s->lock itself. */
void iotrapd_malformed(iotrapd_server *s, const iotrapd_peer *peer, const char *why);

#endif
