/* iotrapd's socket transport: accepts clients on a Unix stream socket, identifies each
 * with SO_PEERCRED/SO_PEERGROUPS, reads whole requests (a message's header carries its
 * length), hands each to the dispatch (daemon/dispatch.h) and sends the reply; sets up a
 * fast channel (daemon/channel.h) for a client that asks.
 */
#ifndef IOTRAP_DAEMON_SOCKET_H
#define IOTRAP_DAEMON_SOCKET_H

#include <signal.h>
#include "daemon/dispatch.h"

#define IOTRAPD_MAX_CLIENTS 1024
/* One user may hold at most this many connections, so that no one user can take every
 * slot and lock the others out (64 concurrent clients of one user must work). */
#define IOTRAPD_MAX_PER_UID 256

typedef struct iotrapd_listener {
    int fd;                      /* listening SOCK_STREAM Unix socket */
    volatile sig_atomic_t *stop; /* the loop ends when this becomes nonzero */
    /* Connection limits; 0 means IOTRAPD_MAX_CLIENTS and IOTRAPD_MAX_PER_UID. */
    unsigned max_clients, max_per_uid;
} iotrapd_listener;

/* Serves until *l->stop (closing every connection and fast channel); returns 0, or -1 if
 * poll fails for another reason than a signal.  SIGTERM and SIGINT are blocked except
 * while waiting, so a stop request that arrives while a request is being served is seen
 * before the loop waits again. */
int iotrapd_serve(iotrapd_server *s, const iotrapd_listener *l);

#endif
