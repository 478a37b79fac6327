/* iotrapd's fast channels: see channel.h and docs/protocol.md.
 *
 * Under a slow virtual CPU (QEMU TCG) every switch between the client and the daemon
 * costs tens of microseconds, so a socket round trip costs several times the access
 * itself.  A channel avoids the switches while a client is busy: its thread spins for a
 * short idle window after each request, watching the request word in the shared page,
 * and only then sleeps on it (a futex), so an idle client costs no CPU time.  The client
 * likewise spins briefly for the reply before it sleeps.  Spinning only pays when the two
 * can run at once, so neither side spins when it may use a single CPU, and no more
 * channel threads spin at once than leave one CPU for the clients: with more busy
 * channels than CPUs the spinners would take the time the others need.  A client spins
 * for its reply only while its channel's thread is awake (not asleep on the futex), which
 * bounds the clients' spinning the same way.
 *
 * The page is the client's to scribble on at any moment: the thread copies a request out
 * before looking at it, and hands the copy to the same dispatch as the socket
 * (daemon/dispatch.c): the same checks, policy, logging and lock.  The memfd is sealed against resizing, so
 * the client cannot make the daemon's mapping fault.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "backends/helper_proto.h"
#include "daemon/channel.h"

/* How long the thread keeps watching after a request before it sleeps. */
#define CHAN_IDLE_SPIN_NS (500 * 1000)

struct iotrapd_chan {
    iotrapd_server *s;
    iotrapd_peer peer; /* a copy: the groups stay the connection's until it closes */
    void *map; /* IOTRAP__CHAN_SIZE bytes shared with the client */
    pthread_t thread;
    atomic_bool closing;
    unsigned cpus;
    /* Private copies: the request as it was when taken, the reply before it is published. */
    uint8_t in[IOTRAP__PROTO_MAX_MSG + 1], out[IOTRAP__PROTO_MAX_MSG];
};

static long futex(_Atomic uint32_t *word, int op, uint32_t val)
{
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Waits until req_seq differs from last; returns false when the channel is closing. */
static bool wait_request(iotrapd_chan *ch, iotrap__chan_ctl *ctl, uint32_t last,
                         uint32_t *seq)
{
    /* A place among the spinners, if one is free. */
    bool spin = ch->cpus > 1 && atomic_fetch_add(&ch->s->spinning, 1) < ch->cpus - 1;
    if (ch->cpus > 1 && !spin)
        atomic_fetch_sub(&ch->s->spinning, 1);
    uint64_t deadline = spin ? now_ns() + CHAN_IDLE_SPIN_NS : 0;
    uint32_t v = last;
    for (unsigned i = 0; !atomic_load(&ch->closing); i++) {
        if ((v = atomic_load(&ctl->req_seq)) != last || !deadline ||
            ((i & 63) == 0 && now_ns() > deadline))
            break;
        relax();
    }
    if (spin)
        atomic_fetch_sub(&ch->s->spinning, 1);
    for (;;) {
        /* Looked at after the word: it may have moved because the channel is closing
         * (iotrapd_chan_close sets the flag before it moves the word). */
        if (atomic_load(&ch->closing))
            return false;
        if (v != last) {
            *seq = v;
            return true;
        }
        /* Announce the sleep, then look again: a client that published after this store
         * sees the flag and wakes us; one that published before is seen here (both sides
         * use sequentially consistent operations), or makes FUTEX_WAIT return at once. */
        atomic_store(&ctl->server_sleeps, 1);
        v = atomic_load(&ctl->req_seq);
        if (v == last && !atomic_load(&ch->closing))
            futex(&ctl->req_seq, FUTEX_WAIT, last);
        atomic_store(&ctl->server_sleeps, 0);
        v = atomic_load(&ctl->req_seq);
    }
}

static void *chan_main(void *arg)
{
    iotrapd_chan *ch = arg;
    iotrap__chan_ctl *ctl = ch->map;
    uint8_t *area = (uint8_t *)ch->map + IOTRAP__CHAN_MSG_OFF;
    uint32_t last = 0, seq;
    while (wait_request(ch, ctl, last, &seq)) {
        last = seq;
        /* Copied before anything looks at it: the client may change the page at any time.
         * A size past the room is cut like an oversized socket message, and then fails the
         * length check. */
        uint32_t n = atomic_load_explicit(&ctl->req_size, memory_order_relaxed);
        if (n > IOTRAP__PROTO_MAX_MSG + 1)
            n = IOTRAP__PROTO_MAX_MSG + 1;
        memcpy(ch->in, area, n);
        size_t r = iotrapd_dispatch(ch->s, &ch->peer, IOTRAPD_VIA_CHANNEL, ch->in, n, ch->out);
        memcpy(area, ch->out, r);
        atomic_store_explicit(&ctl->rep_size, (uint32_t)r, memory_order_relaxed);
        atomic_store(&ctl->rep_seq, seq);
        if (atomic_load(&ctl->client_sleeps))
            futex(&ctl->rep_seq, FUTEX_WAKE, INT_MAX);
    }
    return NULL;
}

/* The CPUs online: spinning can meet the client only when there is more than one.  (Not
 * this thread's affinity: a daemon pinned to one CPU still meets clients on the others.) */
static unsigned cpus_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

iotrapd_chan *iotrapd_chan_open(iotrapd_server *s, const iotrapd_peer *peer, int *memfd)
{
    iotrapd_chan *ch = calloc(1, sizeof *ch);
    if (!ch)
        return NULL;
    ch->s = s;
    ch->peer = *peer;
    ch->cpus = cpus_online();
    int fd = memfd_create("iotrapd-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    int e = 0;
    if (fd < 0 || ftruncate(fd, IOTRAP__CHAN_SIZE) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
        goto fail;
    ch->map = mmap(NULL, IOTRAP__CHAN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ch->map == MAP_FAILED) {
        ch->map = NULL;
        goto fail;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    e = pthread_create(&ch->thread, &attr, chan_main, ch);
    pthread_attr_destroy(&attr);
    if (e == 0) {
        *memfd = fd;
        return ch;
    }
    errno = e;
fail:
    e = errno;
    if (ch->map)
        munmap(ch->map, IOTRAP__CHAN_SIZE);
    if (fd >= 0)
        close(fd);
    free(ch);
    errno = e;
    return NULL;
}

void iotrapd_chan_close(iotrapd_chan *ch)
{
    if (!ch)
        return;
    iotrap__chan_ctl *ctl = ch->map;
    /* The request word moves too, so that a thread about to sleep on it cannot miss the
     * wake-up; its client is gone (or the daemon stops), so no request is lost. */
    atomic_store(&ch->closing, true);
    atomic_fetch_add(&ctl->req_seq, 1);
    futex(&ctl->req_seq, FUTEX_WAKE, INT_MAX);
    pthread_join(ch->thread, NULL);
    munmap(ch->map, IOTRAP__CHAN_SIZE);
    free(ch);
}
