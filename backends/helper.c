/* The helper backend: ports served by iotrapd over its Unix socket.
 *
 *   helper[:SOCKET]        (default /run/iotrap/iotrapd.sock)
 *
 * Each access is one request and one reply (docs/protocol.md); a whole REP INS/OUTS string
 * goes in one request, so the daemon performs it without interleaving another client's
 * accesses (strings over 64 KiB are split into 64 KiB requests).  The daemon decides what
 * this user may do: a refusal comes back as IOTRAP_E_DENIED.
 *
 * The socket is a stream, framed by the length in each message's header, so that it can
 * be forwarded over SSH (`ssh -L LOCAL.sock:/run/iotrap/iotrapd.sock host`): iotrapd then
 * sees the SSH login user as the client.  A fast channel cannot cross SSH (its memfd does
 * not), so there the socket serves every request.
 *
 * When the daemon offers one, requests go over a fast channel instead of the socket
 * (docs/protocol.md, "Fast channel"): a shared mapping where the request is written and
 * published with a sequence number, and the reply awaited by spinning briefly (when the
 * machine has more than one CPU), then sleeping on a futex.  Under a slow virtual CPU
 * this saves the two process switches of a socket round trip.  Without a channel (an
 * older daemon, no memfd) the socket serves every request.
 *
 * The calls run in the trap engine's signal handler: only send/recv on a socket opened at
 * start, atomics and futex calls on the channel mapped at start, no allocation, and a spin
 * lock (threads of one process share the connection).  A forked child connects anew and
 * gets a channel of its own, so the daemon sees (and logs) the child's own pid.  If the
 * daemon goes away, every later access fails.
 */
#include "config.h"
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "backends/backend.h"
#include "backends/helper_proto.h"

#define HELPER_DEFAULT_SOCKET "/run/iotrap/iotrapd.sock"
/* How long to spin for a reply before sleeping on it. */
#define HELPER_SPIN_NS (200 * 1000)
/* How often a client asleep on the channel checks that the daemon is still there. */
#define HELPER_LIVENESS_NS (100 * 1000 * 1000)

struct helper_priv {
    int fd;
    char path[108]; /* sizeof sun_path: for the reconnection of a forked child */
    uint32_t seq;
    atomic_flag busy;
    void *chan;       /* the fast channel's mapping (IOTRAP__CHAN_SIZE bytes), or NULL */
    uint32_t chan_seq;
    bool spin;        /* more than one CPU: spinning for the reply can pay */
    bool dead;        /* the daemon hung up while we waited on the channel */
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
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
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

/* Sends a whole message; false when the connection failed. */
static bool send_all(int fd, const uint8_t *msg, size_t n)
{
    while (n) {
        ssize_t w = send(fd, msg, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        msg += w;
        n -= (size_t)w;
    }
    return true;
}

/* Receives exactly n bytes into buf; with fd not NULL, a descriptor that comes with them
 * (SCM_RIGHTS) goes to *fd.  False when the connection ended or failed first. */
static bool recv_exact(int sock, uint8_t *buf, size_t n, int *fd)
{
    while (n) {
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } cm;
        struct iovec iov = {buf, n};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        if (fd) {
            mh.msg_control = cm.buf;
            mh.msg_controllen = sizeof cm.buf;
        }
        ssize_t r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        for (struct cmsghdr *h = fd ? CMSG_FIRSTHDR(&mh) : NULL; h; h = CMSG_NXTHDR(&mh, h))
            if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
                h->cmsg_len == CMSG_LEN(sizeof(int)) && *fd < 0)
                memcpy(fd, CMSG_DATA(h), sizeof *fd);
        buf += r;
        n -= (size_t)r;
    }
    return true;
}

/* Receives one message (header, then the length it gives) into msg (cap bytes); returns
 * its size, or -1 when the connection failed or the header cannot be a reply. */
static ssize_t recv_message(int sock, uint8_t *msg, size_t cap, int *fd)
{
    if (!recv_exact(sock, msg, IOTRAP__PROTO_HDR, fd))
        return -1;
    uint32_t len = (uint32_t)msg[20] | (uint32_t)msg[21] << 8 | (uint32_t)msg[22] << 16 |
                   (uint32_t)msg[23] << 24;
    if (len > cap - IOTRAP__PROTO_HDR || !recv_exact(sock, msg + IOTRAP__PROTO_HDR, len, fd))
        return -1;
    return (ssize_t)(IOTRAP__PROTO_HDR + len);
}

/* A 32-bit build with a 64-bit time_t needs the futex call that takes one. */
#if defined(SYS_futex_time64) && defined(__USE_TIME_BITS64)
#define FUTEX_SYSCALL SYS_futex_time64
#else
#define FUTEX_SYSCALL SYS_futex
#endif

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* One request and its reply over the channel.  Returns the daemon's status, or
 * IOTRAP_E_IO when the daemon is gone; on success *rep points into the channel. */
static int chan_transact(struct helper_priv *p, uint16_t op, uint16_t port, uint8_t width,
                         uint32_t count, const void *data, uint32_t len,
                         iotrap__proto_reply *rep)
{
    iotrap__chan_ctl *ctl = p->chan;
    uint8_t *area = (uint8_t *)p->chan + IOTRAP__CHAN_MSG_OFF;
    if (p->dead)
        return IOTRAP_E_IO;
    uint32_t seq = ++p->chan_seq;
    size_t n = iotrap__proto_put_req(area, op, seq, port, width, count, data, len);
    atomic_store_explicit(&ctl->req_size, (uint32_t)n, memory_order_relaxed);
    /* Sequentially consistent, like the daemon's announcement that it sleeps: one of the
     * two sees the other (see daemon/channel.c). */
    atomic_store(&ctl->req_seq, seq);
    bool asleep = atomic_load(&ctl->server_sleeps) != 0;
    if (asleep)
        syscall(SYS_futex, &ctl->req_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
    /* Spinning for the reply pays only while the daemon's thread is awake to serve it: one
     * that slept has just been woken and must first be scheduled, and the daemon keeps
     * only as many threads spinning as there are CPUs to spare. */
    uint64_t deadline = p->spin && !asleep ? now_ns() + HELPER_SPIN_NS : 0;
    for (unsigned i = 0; atomic_load_explicit(&ctl->rep_seq, memory_order_acquire) != seq;
         i++) {
        if (!deadline || ((i & 63) == 0 && now_ns() > deadline))
            break;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    for (;;) {
        atomic_store(&ctl->client_sleeps, 1);
        uint32_t v = atomic_load(&ctl->rep_seq);
        if (v == seq)
            break;
        struct timespec limit = {0, HELPER_LIVENESS_NS};
        long r = syscall(FUTEX_SYSCALL, &ctl->rep_seq, FUTEX_WAIT, v, &limit, NULL, 0);
        if (r != 0 && errno == ETIMEDOUT) {
            /* Still no reply: a daemon that died hung up the socket. */
            struct pollfd pf = {.fd = p->fd, .events = POLLIN};
            if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR))) {
                atomic_store(&ctl->client_sleeps, 0);
                p->dead = true;
                return IOTRAP_E_IO;
            }
        }
    }
    atomic_store(&ctl->client_sleeps, 0);
    uint32_t r = atomic_load_explicit(&ctl->rep_size, memory_order_relaxed);
    if (r > IOTRAP__PROTO_MAX_MSG ||
        iotrap__proto_get_reply(area, r, op, seq, rep) != IOTRAP_OK)
        return IOTRAP_E_IO;
    return rep->status;
}

/* Copies a reply's data to the caller's buffer while the connection is still ours:
 * another thread's request reuses p->msg and the channel as soon as it is released. */
static int keep_reply(int rc, iotrap__proto_reply *rep, uint8_t *out, size_t outcap)
{
    if (rc != IOTRAP_OK || !rep->len)
        return rc;
    if (rep->len > outcap)
        return IOTRAP_E_PROTOCOL;
    memcpy(out, rep->data, rep->len);
    rep->data = out;
    return rc;
}

/* One request and its reply.  Returns the daemon's status, or IOTRAP_E_IO when the
 * connection failed; on success the reply's data (at most outcap bytes) is in `out`, where
 * rep->data points. */
static int transact(struct helper_priv *p, uint16_t op, uint16_t port, uint8_t width,
                    uint32_t count, const void *data, uint32_t len, iotrap__proto_reply *rep,
                    uint8_t *out, size_t outcap)
{
    while (atomic_flag_test_and_set_explicit(&p->busy, memory_order_acquire))
        sched_yield();
    int rc = IOTRAP_E_IO;
    if (p->chan) {
        rc = chan_transact(p, op, port, width, count, data, len, rep);
    } else {
        uint32_t seq = ++p->seq;
        size_t n = iotrap__proto_put_req(p->msg, op, seq, port, width, count, data, len);
        ssize_t r;
        if (send_all(p->fd, p->msg, n) &&
            (r = recv_message(p->fd, p->msg, sizeof p->msg, NULL)) > 0 &&
            iotrap__proto_get_reply(p->msg, (size_t)r, op, seq, rep) == IOTRAP_OK)
            rc = rep->status;
    }
    rc = keep_reply(rc, rep, out, outcap);
    atomic_flag_clear_explicit(&p->busy, memory_order_release);
    return rc;
}

/* Asks the daemon for a fast channel and maps it.  On any failure (an older daemon answers
 * PROTOCOL, no memfd, no thread) the socket keeps serving: p->chan stays NULL.  Runs at
 * open and in a forked child, never in the signal handler. */
static void open_channel(struct helper_priv *p)
{
    p->chan = NULL;
    p->dead = false;
    p->chan_seq = 0;
    uint32_t seq = ++p->seq;
    size_t n = iotrap__proto_put_req(p->msg, IOTRAP__OP_CHANNEL, seq, 0, 0, 0, NULL, 0);
    if (!send_all(p->fd, p->msg, n))
        return;
    int fd = -1;
    ssize_t r = recv_message(p->fd, p->msg, sizeof p->msg, &fd);
    iotrap__proto_reply rep;
    struct stat st;
    if (r > 0 &&
        iotrap__proto_get_reply(p->msg, (size_t)r, IOTRAP__OP_CHANNEL, seq, &rep) == IOTRAP_OK &&
        rep.status == IOTRAP_OK && rep.len == IOTRAP__CHAN_REPLY_LEN && fd >= 0 &&
        fstat(fd, &st) == 0 && st.st_size == IOTRAP__CHAN_SIZE) {
        uint32_t v[2] = {0, 0};
        for (int i = 0; i < 8; i++)
            v[i / 4] |= (uint32_t)rep.data[i] << (8 * (i % 4));
        if (v[0] == IOTRAP__CHAN_LAYOUT && v[1] == IOTRAP__CHAN_SIZE) {
            void *m = mmap(NULL, IOTRAP__CHAN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (m != MAP_FAILED) {
                iotrap__chan_ctl *ctl = m;
                /* The channel's words start where the daemon left them (all zero). */
                p->chan_seq = atomic_load(&ctl->req_seq);
                p->chan = m;
            }
        }
    }
    if (fd >= 0)
        close(fd);
}

/* True when the machine has more than one CPU online: only then can the daemon run
 * while this process spins (whatever CPU either is pinned to). */
static bool several_cpus(void)
{
    return sysconf(_SC_NPROCESSORS_ONLN) > 1;
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

static int helper_open(struct iotrap__backend_instance *bi,
                       const struct iotrap__backend_params *bp, char *err, size_t errlen)
{
    const char *args = bp->args;
    struct helper_priv *p = bi->priv;
    p->fd = -1;
    p->chan = NULL;
    atomic_flag_clear(&p->busy);
    int fd = connect_to(socket_of(args), err, errlen);
    if (fd < 0)
        return fd;
    p->fd = fd;
    strcpy(p->path, socket_of(args)); /* connect_to() checked its length */
    iotrap__proto_reply rep;
    int rc = transact(p, IOTRAP__OP_PING, 0, 0, 0, NULL, 0, &rep, NULL, 0);
    if (rc != IOTRAP_OK) {
        snprintf(err, errlen, "helper: iotrapd on %s did not answer a version %u ping: %s",
                 socket_of(args), IOTRAP__PROTO_VERSION, iotrap_strerror(rc));
        close(fd);
        p->fd = -1;
        return rc == IOTRAP_E_IO ? IOTRAP_E_PROTOCOL : rc;
    }
    p->spin = several_cpus();
    open_channel(p);
    return IOTRAP_OK;
}

/* A forked child gets a connection of its own: two processes sharing one connection
 * would read each other's replies.  socket() and connect() are async-signal-safe. */
static void helper_atfork_child(struct iotrap__backend_instance *bi)
{
    struct helper_priv *p = bi->priv;
    if (p->fd >= 0)
        close(p->fd);
    /* The parent's channel is the parent's: its requests must not be seen as ours. */
    if (p->chan)
        munmap(p->chan, IOTRAP__CHAN_SIZE);
    p->chan = NULL;
    p->fd = connect_to(p->path, NULL, 0);
    if (p->fd < 0)
        p->fd = -1; /* every access then fails with IOTRAP_E_IO */
    else
        open_channel(p);
    atomic_flag_clear(&p->busy);
}

static void helper_close(struct iotrap__backend_instance *bi)
{
    struct helper_priv *p = bi->priv;
    if (p->chan)
        munmap(p->chan, IOTRAP__CHAN_SIZE);
    p->chan = NULL;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

static int helper_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                     uint32_t *value)
{
    iotrap__proto_reply rep;
    uint8_t got[4];
    int rc = transact(bi->priv, IOTRAP__OP_IN, port, (uint8_t)width, 1, NULL, 0, &rep, got,
                      sizeof got);
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
    return transact(bi->priv, IOTRAP__OP_OUT, port, (uint8_t)width, 1, b, width, &rep, NULL,
                    0);
}

static int helper_in_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                            void *buf, size_t count)
{
    uint8_t *d = buf;
    size_t per = IOTRAP__PROTO_MAX_DATA / width;
    while (count) {
        uint32_t c = (uint32_t)(count < per ? count : per);
        iotrap__proto_reply rep;
        int rc = transact(bi->priv, IOTRAP__OP_INS, port, (uint8_t)width, c, NULL, 0, &rep, d,
                          (size_t)c * width);
        if (rc != IOTRAP_OK)
            return rc;
        if (rep.count != c || rep.len != c * width)
            return IOTRAP_E_PROTOCOL;
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
                          &rep, NULL, 0);
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
    /* Not IOTRAP__CAP_REAL: iotrapd decides per user, so the session passes every port
     * on to it. */
    .caps = 0,
    .priv_size = sizeof(struct helper_priv),
    .probe = helper_probe,
    .open = helper_open,
    .close = helper_close,
    .in = helper_in,
    .out = helper_out,
    .in_string = helper_in_string,
    .out_string = helper_out_string,
    .atfork_child = helper_atfork_child,
};
