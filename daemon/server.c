/* iotrapd's serving loop: see server.h and docs/protocol.md.
 *
 * One thread, one poll loop, one request at a time: that is what serializes the
 * accesses, so two clients never interleave inside one REP string.  A request is one
 * SOCK_SEQPACKET message, so a client that dies mid-request never delivers half of one;
 * a request is performed exactly once, before its reply is sent, and a reply that cannot
 * be sent (client gone, or not reading its replies) only drops that client.
 */
#include "config.h"
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>
#include "backends/helper_proto.h"
#include "daemon/server.h"

#define MAX_GROUPS 256

struct client {
    int fd;
    iotrapd_peer peer;
    gid_t groups[MAX_GROUPS];
};

static const char *op_dir(unsigned op)
{
    return op == IOTRAP__OP_OUT || op == IOTRAP__OP_OUTS ? "write" : "read";
}

static int do_access(iotrapd_server *s, const iotrap__proto_req *rq, uint8_t *data)
{
    struct iotrap__backend_instance *bi = s->backend;
    const struct iotrap__backend *b = bi->backend;
    unsigned w = rq->width;
    int rc = IOTRAP_OK;
    switch (rq->op) {
    case IOTRAP__OP_IN: {
        uint32_t v = 0;
        rc = b->in(bi, rq->port, w, &v);
        for (unsigned i = 0; i < w; i++)
            data[i] = (uint8_t)(v >> (8 * i));
        break;
    }
    case IOTRAP__OP_OUT: {
        uint32_t v = 0;
        for (unsigned i = 0; i < w; i++)
            v |= (uint32_t)rq->data[i] << (8 * i);
        rc = b->out(bi, rq->port, w, v);
        break;
    }
    case IOTRAP__OP_INS:
        if (b->in_string) {
            rc = b->in_string(bi, rq->port, w, data, rq->count);
            break;
        }
        for (uint32_t k = 0; k < rq->count && rc == IOTRAP_OK; k++) {
            uint32_t v = 0;
            rc = b->in(bi, rq->port, w, &v);
            for (unsigned i = 0; i < w; i++)
                data[k * w + i] = (uint8_t)(v >> (8 * i));
        }
        break;
    case IOTRAP__OP_OUTS:
        if (b->out_string) {
            rc = b->out_string(bi, rq->port, w, rq->data, rq->count);
            break;
        }
        for (uint32_t k = 0; k < rq->count && rc == IOTRAP_OK; k++) {
            uint32_t v = 0;
            for (unsigned i = 0; i < w; i++)
                v |= (uint32_t)rq->data[k * w + i] << (8 * i);
            rc = b->out(bi, rq->port, w, v);
        }
        break;
    }
    return rc;
}

size_t iotrapd_handle(iotrapd_server *s, const iotrapd_peer *peer, const uint8_t *msg,
                      size_t n, uint8_t *out)
{
    iotrap__proto_req rq;
    char why[160];
    s->requests++;
    int rc = iotrap__proto_get_req(msg, n, &rq, why, sizeof why);
    if (rc != IOTRAP_OK) {
        s->malformed++;
        syslog(LOG_NOTICE, "malformed request from uid=%u pid=%d: %s", (unsigned)peer->uid,
               (int)peer->pid, why);
        return iotrap__proto_put_reply(out, rq.op, rq.seq, rc, 0, NULL, 0);
    }
    if (rq.op == IOTRAP__OP_PING)
        return iotrap__proto_put_reply(out, rq.op, rq.seq, IOTRAP_OK, 0, NULL, 0);
    bool write = rq.op == IOTRAP__OP_OUT || rq.op == IOTRAP__OP_OUTS;
    if (!iotrapd_conf_allows(s->conf, peer, rq.port, rq.width, write)) {
        s->denials++;
        syslog(LOG_WARNING, "denied uid=%u pid=%d port=0x%04x width=%u dir=%s count=%u",
               (unsigned)peer->uid, (int)peer->pid, rq.port, rq.width, op_dir(rq.op),
               rq.count);
        return iotrap__proto_put_reply(out, rq.op, rq.seq, IOTRAP_E_DENIED, 0, NULL, 0);
    }
    /* The data of an IN/INS reply is built in place after the reply header. */
    uint8_t *data = out + IOTRAP__PROTO_HDR;
    rc = do_access(s, &rq, data);
    if (rc != IOTRAP_OK) {
        syslog(LOG_ERR, "backend %s failed on port 0x%04x (%s) for uid=%u pid=%d: %s",
               s->backend->backend->name, rq.port, op_dir(rq.op), (unsigned)peer->uid,
               (int)peer->pid, iotrap_strerror(rc));
        return iotrap__proto_put_reply(out, rq.op, rq.seq, rc, 0, NULL, 0);
    }
    s->accesses += rq.count;
    uint32_t len = write ? 0 : rq.count * rq.width;
    return iotrap__proto_put_reply(out, rq.op, rq.seq, IOTRAP_OK, rq.count, NULL, len);
}

static void identify(struct client *c)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    c->peer.uid = (uid_t)-1;
    c->peer.gid = (gid_t)-1;
    c->peer.pid = 0;
    if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        c->peer.uid = cred.uid;
        c->peer.gid = cred.gid;
        c->peer.pid = cred.pid;
    }
    /* Supplementary groups at connect time; if there are more than we keep, the extra
     * ones are not counted, which can only deny, never grant. */
    len = sizeof c->groups;
    if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0)
        c->peer.ngroups = len / sizeof(gid_t);
    else
        c->peer.ngroups = errno == ERANGE ? MAX_GROUPS : 0;
    c->peer.groups = c->groups;
}

int iotrapd_serve(iotrapd_server *s)
{
    static struct client clients[IOTRAPD_MAX_CLIENTS];
    static struct pollfd pfd[IOTRAPD_MAX_CLIENTS + 1];
    static uint8_t in[IOTRAP__PROTO_MAX_MSG + 1], out[IOTRAP__PROTO_MAX_MSG];
    size_t nclients = 0;

    while (!*s->stop) {
        pfd[0] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
        for (size_t i = 0; i < nclients; i++)
            pfd[i + 1] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
        int r = poll(pfd, nclients + 1, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            syslog(LOG_ERR, "poll: %m");
            return -1;
        }
        /* Clients first, each at most one request per round, so none can starve others. */
        for (size_t i = 0; i < nclients; i++) {
            if (!pfd[i + 1].revents)
                continue;
            struct client *c = &clients[i];
            bool drop = false;
            if (pfd[i + 1].revents & POLLIN) {
                struct iovec iov = {in, sizeof in};
                struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
                ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
                if (n > 0) {
                    /* An oversized message is cut to sizeof in; it then fails the length
                     * check like any other inconsistent one. */
                    size_t rsize = iotrapd_handle(s, &c->peer, in, (size_t)n, out);
                    if (send(c->fd, out, rsize, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)rsize)
                        drop = true;
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    drop = true;
                }
            } else {
                drop = true; /* POLLHUP / POLLERR with nothing left to read */
            }
            if (drop) {
                close(c->fd);
                c->fd = -1;
            }
        }
        size_t k = 0;
        for (size_t i = 0; i < nclients; i++)
            if (clients[i].fd >= 0)
                clients[k++] = clients[i];
        nclients = k;
        if (pfd[0].revents & POLLIN) {
            int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                if (nclients == IOTRAPD_MAX_CLIENTS) {
                    syslog(LOG_WARNING, "too many clients (%d): refusing one",
                           IOTRAPD_MAX_CLIENTS);
                    close(fd);
                } else {
                    struct client *c = &clients[nclients++];
                    memset(c, 0, sizeof *c);
                    c->fd = fd;
                    identify(c);
                }
            }
        }
    }
    for (size_t i = 0; i < nclients; i++)
        close(clients[i].fd);
    return 0;
}
