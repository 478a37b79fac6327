/* iotrapd's serving loop: accepts clients on a SOCK_SEQPACKET Unix socket, identifies
 * each with SO_PEERCRED/SO_PEERGROUPS, checks every request against the policy and
 * performs the allowed ones through the daemon's backend, one request at a time.
 */
#ifndef IOTRAP_DAEMON_SERVER_H
#define IOTRAP_DAEMON_SERVER_H

#include <signal.h>
#include <stdint.h>
#include "backends/backend.h"
#include "daemon/conf.h"

#define IOTRAPD_MAX_CLIENTS 1024
/* One user may hold at most this many connections, so that no one user can take every
 * slot and lock the others out (64 concurrent clients of one user must work). */
#define IOTRAPD_MAX_PER_UID 256

typedef struct iotrapd_server {
    int listen_fd;
    const iotrapd_conf *conf;
    struct iotrap__backend_instance *backend;
    volatile sig_atomic_t *stop; /* the loop ends when this becomes nonzero */
    /* Connection limits; 0 means IOTRAPD_MAX_CLIENTS and IOTRAPD_MAX_PER_UID. */
    unsigned max_clients, max_per_uid;
    /* Counters, reported at exit: requests served, accesses done, denials, bad requests,
     * fast channels opened and the requests that came over them. */
    uint64_t requests, accesses, denials, malformed, channels, channel_requests;
} iotrapd_server;

/* Serves until *stop (closing every connection and fast channel); returns 0, or -1 if poll fails for another reason than a signal.
 * SIGTERM and SIGINT are blocked except while waiting, so a stop request that arrives
 * while a request is being served is seen before the loop waits again. */
int iotrapd_serve(iotrapd_server *s);

/* Handles one request message from a peer and writes the reply into out (at least
 * IOTRAP__PROTO_MAX_MSG bytes); returns the reply size.  Logs denials and malformed
 * requests.  A CHANNEL request is answered like a PING: the caller sets the channel up.
 * The caller holds iotrapd_serve_lock (daemon/channel.h).  Exposed for the unit tests. */
size_t iotrapd_handle(iotrapd_server *s, const iotrapd_peer *peer, const uint8_t *msg,
                      size_t n, uint8_t *out);

#endif
