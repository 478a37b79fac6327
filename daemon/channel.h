/* iotrapd's fast channels (docs/protocol.md, "Fast channel"): one shared-memory page set
 * and one thread per connection that asked for it, serving the requests the client puts
 * there without a system call while both sides are busy.
 */
#ifndef IOTRAP_DAEMON_CHANNEL_H
#define IOTRAP_DAEMON_CHANNEL_H

#include "daemon/dispatch.h"

typedef struct iotrapd_chan iotrapd_chan;

/* Creates a channel for a client whose identity is *peer (copied; its groups array must
 * live until iotrapd_chan_close).  Returns the channel and puts in *memfd the descriptor to pass
 * to the client (the caller closes it), or returns NULL with errno set. */
iotrapd_chan *iotrapd_chan_open(iotrapd_server *s, const iotrapd_peer *peer, int *memfd);

/* Stops the channel's thread (after the request it may be serving) and frees it. */
void iotrapd_chan_close(iotrapd_chan *ch);

#endif
