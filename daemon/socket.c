/* iotrapd's socket transport: see socket.h and docs/protocol.md.
 *
 * One poll loop serves the sockets; a connection that asked for a fast channel is served
 * by a thread of its own as well (daemon/channel.c).  Every request, from either, goes
 * through the one dispatch (daemon/dispatch.c), under one lock, one at a time: that is what
 * serializes the accesses, so two clients never interleave inside one REP string.
 *
 * The socket is a stream (so that `ssh -L` can forward it: SSH forwards only streams), and
 * a message's 24-byte header carries the length of what follows.  A request is acted on
 * only once it has arrived whole, so a client that dies mid-request never gets half of
 * one performed; a header whose magic or length cannot be trusted leaves no way to find
 * the next message, so it is answered and the connection closed.  A request is performed
 * exactly once, before its reply is sent, and a reply that cannot be sent (client gone, or
 * not reading its replies) only drops that client.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "backends/helper_proto.h"
#include "daemon/channel.h"
#include "daemon/socket.h"

/* Requests up to this size are received into the client's own bytes; a longer one (a
 * string) into a buffer allocated for it and freed after it. */
#define SMALL_MSG 64

struct client {
    int fd;
    iotrapd_peer peer;
    gid_t *groups; /* the peer's supplementary groups (heap), or NULL */
    iotrapd_chan *chan; /* its fast channel, or NULL */
    size_t have, need;  /* bytes of the current request received; its whole size (0 until
                         * the header is in) */
    uint8_t *big;       /* the current request when longer than SMALL_MSG, or NULL */
    bool gone;          /* the connection ended or failed */
    uint8_t small[SMALL_MSG];
};

/* Who is at the other end, as the kernel recorded it at connect(): uid, gid, pid and the
 * supplementary groups.  Returns 0, or -1 when the client cannot be identified (it is then
 * refused).  A kernel without SO_PEERGROUPS (before 4.13) gives no supplementary groups,
 * which can only deny, never grant. */
static int identify(struct client *c)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
        return -1;
    c->peer.uid = cred.uid;
    c->peer.gid = cred.gid;
    c->peer.pid = cred.pid;
    c->peer.groups = c->groups = NULL;
    c->peer.ngroups = 0;
    /* The kernel fills nothing when the buffer is too small: it fails with ERANGE and puts
     * the size it needs in len.  So ask for the size first, then for the groups (again if
     * they changed in between, which they cannot for a connected socket). */
    len = 0;
    for (int tries = 0; tries < 4; tries++) {
        if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0) {
            c->peer.groups = c->groups;
            c->peer.ngroups = c->groups ? len / sizeof(gid_t) : 0;
            return 0;
        }
        if (errno != ERANGE)
            return 0;
        gid_t *g = realloc(c->groups, len ? len : sizeof(gid_t));
        if (!g)
            break;
        c->groups = g;
    }
    free(c->groups);
    c->groups = NULL;
    return -1;
}

static void drop_client(struct client *c)
{
    free(c->big);
    c->big = NULL;
    /* The channel's thread first: it uses the groups freed below. */
    iotrapd_chan_close(c->chan);
    c->chan = NULL;
    close(c->fd);
    c->fd = -1;
    free(c->groups);
    c->groups = NULL;
}

/* Answers an allowed CHANNEL request (its reply, status 0, is in out): sets the channel up
 * and puts its layout and size in the reply, or turns the reply into a refusal.  Returns
 * the reply's size; *memfd is the descriptor to pass with it, or -1. */
static size_t open_channel(iotrapd_server *s, struct client *c, uint8_t *out, int *memfd)
{
    uint32_t seq = (uint32_t)out[8] | (uint32_t)out[9] << 8 | (uint32_t)out[10] << 16 |
                   (uint32_t)out[11] << 24;
    int rc = IOTRAP_OK;
    if (c->chan) {
        rc = IOTRAP_E_BUSY; /* one channel per connection */
    } else {
        c->chan = iotrapd_chan_open(s, &c->peer, memfd);
        if (!c->chan) {
            syslog(LOG_WARNING, "cannot set up a fast channel for uid=%u pid=%d (%m): it "
                                "keeps using the socket", (unsigned)c->peer.uid,
                   (int)c->peer.pid);
            rc = IOTRAP_E_SYSTEM;
        }
    }
    if (rc != IOTRAP_OK)
        return iotrap__proto_put_reply(out, IOTRAP__OP_CHANNEL, seq, rc, 0, NULL, 0);
    pthread_mutex_lock(&s->lock);
    s->channels++;
    pthread_mutex_unlock(&s->lock);
    uint8_t d[IOTRAP__CHAN_REPLY_LEN];
    uint32_t v[2] = {IOTRAP__CHAN_LAYOUT, IOTRAP__CHAN_SIZE};
    for (int i = 0; i < 8; i++)
        d[i] = (uint8_t)(v[i / 4] >> (8 * (i % 4)));
    return iotrap__proto_put_reply(out, IOTRAP__OP_CHANNEL, seq, IOTRAP_OK, 0, d, sizeof d);
}

/* Sends one reply, with a descriptor (SCM_RIGHTS) unless fd is -1. */
static ssize_t send_reply(int sock, const uint8_t *out, size_t n, int fd)
{
    struct iovec iov = {(void *)out, n};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } cm;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&cm, 0, sizeof cm);
        mh.msg_control = cm.buf;
        mh.msg_controllen = sizeof cm.buf;
        struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
        h->cmsg_level = SOL_SOCKET;
        h->cmsg_type = SCM_RIGHTS;
        h->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(h), &fd, sizeof fd);
    }
    return sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* At most one message of each kind per second, so that a client who connects in a loop
 * cannot flood the log with refusals. */
static bool log_allowed(time_t *last)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (*last && now.tv_sec - *last < 1)
        return false;
    *last = now.tv_sec ? now.tv_sec : 1;
    return true;
}

static void accept_one(const iotrapd_listener *l, struct client *clients, size_t *nclients,
                       int *spare, bool *pause)
{
    static time_t last_full, last_uid, last_err;
    unsigned max = l->max_clients ? l->max_clients : IOTRAPD_MAX_CLIENTS;
    unsigned per_uid = l->max_per_uid ? l->max_per_uid : IOTRAPD_MAX_PER_UID;
    if (max > IOTRAPD_MAX_CLIENTS)
        max = IOTRAPD_MAX_CLIENTS;
    int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
    int e = fd < 0 ? errno : 0;
    if ((e == EMFILE || e == ENFILE) && *spare >= 0) {
        /* Out of descriptors: the pending connection would keep the listening socket
         * readable and the loop spinning, and its client waiting forever.  Give up the
         * spare descriptor for a moment to accept it and close it at once. */
        close(*spare);
        fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        int e2 = fd < 0 ? errno : 0;
        if (fd >= 0)
            close(fd);
        *spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (log_allowed(&last_err))
            syslog(LOG_WARNING, "out of file descriptors (%s) with %zu clients: refusing "
                                "a connection", strerror(e), *nclients);
        if (fd >= 0)
            return;
        e = e2;
    }
    if (fd < 0) {
        if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR || e == ECONNABORTED)
            return;
        /* Anything else (no spare descriptor, no memory): stop listening for a moment
         * rather than spin on a socket that stays readable. */
        if (log_allowed(&last_err))
            syslog(LOG_ERR, "accept: %s (pausing new connections)", strerror(e));
        *pause = true;
        return;
    }
    if (*nclients >= max) {
        if (log_allowed(&last_full))
            syslog(LOG_WARNING, "too many clients (%u): refusing one", max);
        close(fd);
        return;
    }
    struct client *c = &clients[*nclients];
    memset(c, 0, sizeof *c);
    c->fd = fd;
    if (identify(c) != 0) {
        syslog(LOG_WARNING, "cannot identify a client (%m): refusing it");
        drop_client(c);
        return;
    }
    unsigned same = 0;
    for (size_t i = 0; i < *nclients; i++)
        same += clients[i].peer.uid == c->peer.uid;
    if (same >= per_uid) {
        if (log_allowed(&last_uid))
            syslog(LOG_WARNING, "uid=%u pid=%d already has %u connections: refusing one",
                   (unsigned)c->peer.uid, (int)c->peer.pid, same);
        drop_client(c);
        return;
    }
    (*nclients)++;
}

/* A client that went away in the middle of a request: nothing of it was performed. */
static void unfinished(iotrapd_server *s, const struct client *c)
{
    char why[128];
    snprintf(why, sizeof why, "the connection ended after %zu of its %zu bytes", c->have,
             c->need ? c->need : (size_t)IOTRAP__PROTO_HDR);
    iotrapd_malformed(s, &c->peer, why);
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Reads what has arrived of the client's current request.  Returns 1 when it is whole,
 * 0 when more is to come (or when the connection ended: then c->gone is set), and -1
 * when its header cannot be trusted to frame it: that header is then all there is to
 * answer, and the connection is closed after the answer. */
static int receive(struct client *c)
{
    /* The header, then at once whatever of the data has arrived with it: most requests
     * come whole in one segment. */
    for (;;) {
        size_t want = c->need ? c->need - c->have : IOTRAP__PROTO_HDR - c->have;
        uint8_t *at = (c->big ? c->big : c->small) + c->have;
        ssize_t n = recv(c->fd, at, want, MSG_DONTWAIT);
        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                c->gone = true;
            return 0;
        }
        c->have += (size_t)n;
        if (!c->need && c->have == IOTRAP__PROTO_HDR) {
            uint32_t len = le32(c->small + 20);
            if (le32(c->small) != IOTRAP__PROTO_MAGIC || len > IOTRAP__PROTO_MAX_DATA)
                return -1;
            c->need = IOTRAP__PROTO_HDR + len;
            if (c->need > SMALL_MSG) {
                if (!(c->big = malloc(c->need))) {
                    c->gone = true;
                    return 0;
                }
                memcpy(c->big, c->small, IOTRAP__PROTO_HDR);
            }
        }
        if (c->need && c->have == c->need)
            return 1;
        if ((size_t)n < want)
            return 0; /* the rest has not arrived yet */
    }
}

int iotrapd_serve(iotrapd_server *s, const iotrapd_listener *l)
{
    static struct client clients[IOTRAPD_MAX_CLIENTS];
    static struct pollfd pfd[IOTRAPD_MAX_CLIENTS + 1];
    static uint8_t out[IOTRAP__PROTO_MAX_MSG];
    size_t nclients = 0;
    int rc = 0;
    /* Kept for the moment the descriptors run out (see accept_one). */
    int spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    /* The stop signals are delivered only inside ppoll(): one that arrives while a request
     * is served is then seen at once, not after the next client event. */
    sigset_t stopsigs, oldmask, waitmask;
    sigemptyset(&stopsigs);
    sigaddset(&stopsigs, SIGTERM);
    sigaddset(&stopsigs, SIGINT);
    sigprocmask(SIG_BLOCK, &stopsigs, &oldmask);
    waitmask = oldmask;
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGINT);
    bool paused = false;

    while (!*l->stop) {
        /* A paused listener (see accept_one) is left out of this round: poll ignores a
         * negative descriptor. */
        pfd[0] = (struct pollfd){.fd = paused ? -1 : l->fd, .events = POLLIN};
        for (size_t i = 0; i < nclients; i++)
            pfd[i + 1] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
        /* Wake for the log summaries that fall due, and to listen again after a pause. */
        pthread_mutex_lock(&s->lock);
        int64_t due = iotrapd_log_flush(&s->log, iotrapd_now_ms(), false);
        pthread_mutex_unlock(&s->lock);
        if (paused && (due < 0 || due > 100))
            due = 100;
        struct timespec wait_ts = {due / 1000, (due % 1000) * 1000000};
        int r = ppoll(pfd, nclients + 1, due >= 0 ? &wait_ts : NULL, &waitmask);
        paused = false;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            syslog(LOG_ERR, "poll: %m");
            rc = -1;
            break;
        }
        /* Clients first, each at most one request per round, so none can starve others. */
        for (size_t i = 0; i < nclients; i++) {
            if (!pfd[i + 1].revents)
                continue;
            struct client *c = &clients[i];
            bool drop = false;
            if (pfd[i + 1].revents & POLLIN) {
                int got = receive(c);
                if (got != 0) {
                    const uint8_t *msg = c->big ? c->big : c->small;
                    size_t rsize = iotrapd_dispatch(s, &c->peer, IOTRAPD_VIA_SOCKET, msg,
                                                    c->have, out);
                    int memfd = -1;
                    if (got > 0 && rsize >= IOTRAP__PROTO_HDR &&
                        (out[6] | out[7] << 8) == (IOTRAP__OP_CHANNEL | IOTRAP__OP_REPLY) &&
                        (out[12] | out[13] | out[14] | out[15]) == 0)
                        rsize = open_channel(s, c, out, &memfd);
                    if (send_reply(c->fd, out, rsize, memfd) != (ssize_t)rsize || got < 0)
                        drop = true;
                    if (memfd >= 0)
                        close(memfd);
                    free(c->big);
                    c->big = NULL;
                    c->have = c->need = 0;
                } else if (c->gone) {
                    if (c->have)
                        unfinished(s, c);
                    drop = true;
                }
            } else {
                drop = true; /* POLLHUP / POLLERR with nothing left to read */
            }
            if (drop)
                drop_client(c);
        }
        size_t k = 0;
        for (size_t i = 0; i < nclients; i++)
            if (clients[i].fd >= 0)
                clients[k++] = clients[i];
        nclients = k;
        if (pfd[0].revents & POLLIN)
            accept_one(l, clients, &nclients, &spare, &paused);
    }
    for (size_t i = 0; i < nclients; i++)
        drop_client(&clients[i]);
    pthread_mutex_lock(&s->lock);
    iotrapd_log_flush(&s->log, iotrapd_now_ms(), true);
    pthread_mutex_unlock(&s->lock);
    if (spare >= 0)
        close(spare);
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    return rc;
}
