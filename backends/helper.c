/* The helper backend: ports served by iotrapd over its Unix socket.
 *
 *   helper[:SOCKET]        (default /run/iotrap/iotrapd.sock)
 *
 * Each access is one request and one reply (docs/protocol.md); a whole REP INS/OUTS string
 * goes in one request, so the daemon performs it without interleaving another client's
 * accesses (strings over 64 KiB are split into 64 KiB requests).  The daemon decides what
 * this user may do: a refusal comes back as IOTRAP_E_DENIED.
 *
 * The calls run in the trap engine's signal handler: only send/recv on a socket opened at
 * start, no allocation, and a spin lock (threads of one process share the connection).
 * A forked child connects anew, so the daemon sees (and logs) the child's own pid.  If
 * the daemon goes away, every later access fails.
 */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "backends/backend.h"
#include "backends/helper_proto.h"

#define HELPER_DEFAULT_SOCKET "/run/iotrap/iotrapd.sock"

struct helper_priv {
    int fd;
    char path[108]; /* sizeof sun_path: for the reconnection of a forked child */
    uint32_t seq;
    atomic_flag busy;
    uint8_t msg[IOTRAP__PROTO_MAX_MSG];
};

static const char *socket_of(const char *args)
{
    return args && *args ? args : HELPER_DEFAULT_SOCKET;
}

/* Returns the connected socket, or a negative IOTRAP_E_* status with a message in err
 * (none when err is NULL: the forked child's reconnection formats nothing). */
static int connect_to(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        if (err)
            snprintf(err, errlen, "helper: socket path too long: %.200s", path);
        return IOTRAP_E_INVAL;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (err)
            snprintf(err, errlen, "helper: socket: %s", strerror(errno));
        return IOTRAP_E_SYSTEM;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        if (err)
            snprintf(err, errlen, "helper: connect %s: %s%s", path, strerror(e),
                     e == ENOENT || e == ECONNREFUSED ? " (is iotrapd running?)" : "");
        close(fd);
        return e == EACCES ? IOTRAP_E_PERM : e == ENOENT ? IOTRAP_E_NODEV : IOTRAP_E_SYSTEM;
    }
    return fd;
}

/* One request and its reply.  Returns the daemon's status, or IOTRAP_E_IO when the
 * connection failed; on success *rep points into p->msg. */
static int transact(struct helper_priv *p, uint16_t op, uint16_t port, uint8_t width,
                    uint32_t count, const void *data, uint32_t len, iotrap__proto_reply *rep)
{
    while (atomic_flag_test_and_set_explicit(&p->busy, memory_order_acquire))
        sched_yield();
    uint32_t seq = ++p->seq;
    size_t n = iotrap__proto_put_req(p->msg, op, seq, port, width, count, data, len);
    int rc = IOTRAP_E_IO;
    if (send(p->fd, p->msg, n, MSG_NOSIGNAL) == (ssize_t)n) {
        ssize_t r;
        do
            r = recv(p->fd, p->msg, sizeof p->msg, 0);
        while (r < 0 && errno == EINTR);
        if (r > 0 && iotrap__proto_get_reply(p->msg, (size_t)r, op, seq, rep) == IOTRAP_OK)
            rc = rep->status;
    }
    atomic_flag_clear_explicit(&p->busy, memory_order_release);
    return rc;
}

static int helper_probe(const char *args, char *why, size_t len)
{
    int fd = connect_to(socket_of(args), why, len);
    if (fd < 0)
        return fd;
    close(fd);
    snprintf(why, len, "iotrapd answers on %s", socket_of(args));
    return IOTRAP_OK;
}

static int helper_open(struct iotrap__backend_instance *bi, const char *args,
                       const iotrap_ports_config *cfg, char *err, size_t errlen)
{
    (void)cfg;
    struct helper_priv *p = bi->priv;
    p->fd = -1;
    atomic_flag_clear(&p->busy);
    int fd = connect_to(socket_of(args), err, errlen);
    if (fd < 0)
        return fd;
    p->fd = fd;
    strcpy(p->path, socket_of(args)); /* connect_to() checked its length */
    iotrap__proto_reply rep;
    int rc = transact(p, IOTRAP__OP_PING, 0, 0, 0, NULL, 0, &rep);
    if (rc != IOTRAP_OK) {
        snprintf(err, errlen, "helper: iotrapd on %s did not answer a version %u ping: %s",
                 socket_of(args), IOTRAP__PROTO_VERSION, iotrap_strerror(rc));
        close(fd);
        p->fd = -1;
        return rc == IOTRAP_E_IO ? IOTRAP_E_PROTOCOL : rc;
    }
    return IOTRAP_OK;
}

/* A forked child gets a connection of its own: two processes sharing one connection
 * would read each other's replies.  socket() and connect() are async-signal-safe. */
static void helper_atfork_child(struct iotrap__backend_instance *bi)
{
    struct helper_priv *p = bi->priv;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = connect_to(p->path, NULL, 0);
    if (p->fd < 0)
        p->fd = -1; /* every access then fails with IOTRAP_E_IO */
    atomic_flag_clear(&p->busy);
}

static void helper_close(struct iotrap__backend_instance *bi)
{
    struct helper_priv *p = bi->priv;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

static int helper_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                     uint32_t *value)
{
    iotrap__proto_reply rep;
    int rc = transact(bi->priv, IOTRAP__OP_IN, port, (uint8_t)width, 1, NULL, 0, &rep);
    if (rc != IOTRAP_OK)
        return rc;
    if (rep.len != width || rep.count != 1)
        return IOTRAP_E_PROTOCOL;
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint32_t)rep.data[i] << (8 * i);
    *value = v;
    return IOTRAP_OK;
}

static int helper_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                      uint32_t value)
{
    uint8_t b[4];
    for (unsigned i = 0; i < width; i++)
        b[i] = (uint8_t)(value >> (8 * i));
    iotrap__proto_reply rep;
    return transact(bi->priv, IOTRAP__OP_OUT, port, (uint8_t)width, 1, b, width, &rep);
}

static int helper_in_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                            void *buf, size_t count)
{
    uint8_t *d = buf;
    size_t per = IOTRAP__PROTO_MAX_DATA / width;
    while (count) {
        uint32_t c = (uint32_t)(count < per ? count : per);
        iotrap__proto_reply rep;
        int rc = transact(bi->priv, IOTRAP__OP_INS, port, (uint8_t)width, c, NULL, 0, &rep);
        if (rc != IOTRAP_OK)
            return rc;
        if (rep.count != c || rep.len != c * width)
            return IOTRAP_E_PROTOCOL;
        memcpy(d, rep.data, rep.len);
        d += rep.len;
        count -= c;
    }
    return IOTRAP_OK;
}

static int helper_out_string(struct iotrap__backend_instance *bi, uint16_t port,
                             unsigned width, const void *buf, size_t count)
{
    const uint8_t *s = buf;
    size_t per = IOTRAP__PROTO_MAX_DATA / width;
    while (count) {
        uint32_t c = (uint32_t)(count < per ? count : per);
        iotrap__proto_reply rep;
        int rc = transact(bi->priv, IOTRAP__OP_OUTS, port, (uint8_t)width, c, s, c * width,
                          &rep);
        if (rc != IOTRAP_OK)
            return rc;
        s += (size_t)c * width;
        count -= c;
    }
    return IOTRAP_OK;
}

const struct iotrap__backend iotrap__backend_helper = {
    .name = "helper",
    .summary = "ports served by iotrapd over its Unix socket (policy in /etc/iotrap.conf)",
    .caps = IOTRAP__CAP_STRING,
    .priv_size = sizeof(struct helper_priv),
    /* iotrapd decides per user; the session passes everything on to it. */
    .default_allow = "all",
    .probe = helper_probe,
    .open = helper_open,
    .close = helper_close,
    .in = helper_in,
    .out = helper_out,
    .in_string = helper_in_string,
    .out_string = helper_out_string,
    .atfork_child = helper_atfork_child,
};
