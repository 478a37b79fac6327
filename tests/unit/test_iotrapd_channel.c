/* iotrapd's fast channels (daemon/channel.c, docs/protocol.md "Fast channel") in a server
 * child on a socket in a temporary directory, with a backend that records every access
 * in memory shared with the test: requests over the page are served exactly once, a
 * malformed or denied request in the page is refused and logged as on the socket, a
 * client killed mid-request does not wedge the daemon, 64 clients at once, idle channels
 * cost no CPU time, and a stop with channels open is prompt. */
#include "config.h"
#include "tests/unit/harness.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "backends/helper_proto.h"
#include "daemon/conf.h"
#include "tests/unit/iotrapd_test_server.h"

/* What the backend saw, shared with the test process. */
struct seen {
    _Atomic unsigned long outs, out_sum;
    _Atomic uint32_t reg[8]; /* 0x3f8-0x3ff */
};
static struct seen *seen;

static int b_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                uint32_t *value)
{
    (void)bi; (void)width;
    *value = atomic_load(&seen->reg[port & 7]);
    return IOTRAP_OK;
}

static int b_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                 uint32_t value)
{
    (void)bi; (void)width;
    atomic_store(&seen->reg[port & 7], value);
    atomic_fetch_add(&seen->outs, 1);
    atomic_fetch_add(&seen->out_sum, value);
    return IOTRAP_OK;
}

static const struct iotrap__backend recorder = {
    .name = "recorder", .summary = "test", .open = test_backend_open, .in = b_in, .out = b_out,
};

/* The server's log (syslog with LOG_PERROR), in the test directory. */
static char logpath[160];

static void set_logpath(void)
{
    snprintf(logpath, sizeof logpath, "%s/log", dir);
}

/* In the server child, before the loop. */
static int log_to_file(void)
{
    set_logpath();
    if (!freopen(logpath, "w", stderr))
        return 4;
    setvbuf(stderr, NULL, _IONBF, 0);
    openlog("iotrapd-test", LOG_PERROR, LOG_DAEMON);
    return 0;
}

static void start(void)
{
    if (!seen) {
        seen = mmap(NULL, sizeof *seen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
        assert_true(seen != MAP_FAILED);
    }
    memset(seen, 0, sizeof *seen);
    start_server(&recorder, 0, 0, log_to_file);
    set_logpath();
}

static void finish(void)
{
    finish_server(logpath);
}

/* Sends a CHANNEL request; returns the reply's status and, on success, the mapping. */
static int ask_channel(int fd, void **map)
{
    uint8_t msg[64];
    size_t n = iotrap__proto_put_req(msg, IOTRAP__OP_CHANNEL, 77, 0, 0, 0, NULL, 0);
    assert_int_equal(send(fd, msg, n, MSG_NOSIGNAL), (ssize_t)n);
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } cm;
    struct iovec iov = {msg, sizeof msg};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
                        .msg_controllen = sizeof cm.buf};
    ssize_t r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    assert_true(r > 0);
    iotrap__proto_reply rep;
    assert_int_equal(iotrap__proto_get_reply(msg, (size_t)r, IOTRAP__OP_CHANNEL, 77, &rep),
                     IOTRAP_OK);
    struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
    if (rep.status != IOTRAP_OK) {
        assert_null(h);
        return rep.status;
    }
    assert_int_equal(rep.len, IOTRAP__CHAN_REPLY_LEN);
    assert_int_equal(rep.data[0] | rep.data[1] << 8, IOTRAP__CHAN_LAYOUT);
    assert_int_equal(rep.data[4] | rep.data[5] << 8 | rep.data[6] << 16, IOTRAP__CHAN_SIZE);
    assert_non_null(h);
    assert_int_equal(h->cmsg_type, SCM_RIGHTS);
    int mfd;
    memcpy(&mfd, CMSG_DATA(h), sizeof mfd);
    /* Sealed: the client cannot shrink the page under the daemon. */
    assert_int_not_equal(ftruncate(mfd, 4096), 0);
    *map = mmap(NULL, IOTRAP__CHAN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    assert_true(*map != MAP_FAILED);
    close(mfd);
    return IOTRAP_OK;
}

/* Publishes n bytes already in the page as request seq, without waiting. */
static void publish(void *map, uint32_t n, uint32_t seq)
{
    iotrap__chan_ctl *ctl = map;
    atomic_store(&ctl->req_size, n);
    atomic_store(&ctl->req_seq, seq);
    if (atomic_load(&ctl->server_sleeps))
        syscall(SYS_futex, &ctl->req_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Waits (three seconds at most) for the reply to seq; returns its size, or 0. */
static uint32_t await(void *map, uint32_t seq)
{
    iotrap__chan_ctl *ctl = map;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        atomic_store(&ctl->client_sleeps, 1);
        uint32_t v = atomic_load(&ctl->rep_seq);
        if (v == seq)
            break;
        struct timespec lim = {0, 50 * 1000 * 1000};
        syscall(SYS_futex, &ctl->rep_seq, FUTEX_WAIT, v, &lim, NULL, 0);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 3)
            return 0;
    }
    atomic_store(&ctl->client_sleeps, 0);
    return atomic_load(&ctl->rep_size);
}

/* One request through the page; returns the reply's status (PROTOCOL if none came). */
static int chan_req(void *map, uint32_t seq, uint16_t op, uint16_t port, uint8_t width,
                    uint32_t count, const void *data, uint32_t len, iotrap__proto_reply *rep)
{
    uint8_t *area = (uint8_t *)map + IOTRAP__CHAN_MSG_OFF;
    size_t n = iotrap__proto_put_req(area, op, seq, port, width, count, data, len);
    publish(map, (uint32_t)n, seq);
    uint32_t r = await(map, seq);
    if (!r || iotrap__proto_get_reply(area, r, op, seq, rep) != IOTRAP_OK)
        return IOTRAP_E_PROTOCOL;
    return rep->status;
}

static int count_in_log(const char *what)
{
    FILE *f = fopen(logpath, "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, what) != NULL;
    fclose(f);
    return n;
}

static int threads_of(pid_t pid)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/task", (int)pid);
    DIR *d = opendir(p);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Waits up to two seconds for the server to have want threads. */
static int wait_threads(int want)
{
    int n = -1;
    for (int i = 0; i < 200 && (n = threads_of(server)) != want; i++)
        usleep(10000);
    return n;
}

static void t_served_exactly_once(void **state)
{
    (void)state;
    start();
    int fd = connect_client();
    void *map;
    assert_int_equal(ask_channel(fd, &map), IOTRAP_OK);
    iotrap__proto_reply rep;
    unsigned long sum = 0;
    for (uint32_t i = 1; i <= 2000; i++) {
        uint8_t v = (uint8_t)i;
        assert_int_equal(chan_req(map, i, IOTRAP__OP_OUT, 0x3ff, 1, 1, &v, 1, &rep), IOTRAP_OK);
        sum += v;
        assert_int_equal(chan_req(map, i + 100000, IOTRAP__OP_IN, 0x3ff, 1, 1, NULL, 0, &rep),
                         IOTRAP_OK);
        assert_int_equal(rep.len, 1);
        assert_int_equal(rep.data[0], v);
    }
    /* A string in one request, the largest there is. */
    static uint8_t big[IOTRAP__PROTO_MAX_DATA];
    memset(big, 1, sizeof big);
    assert_int_equal(chan_req(map, 7, IOTRAP__OP_OUTS, 0x3f8, 1, sizeof big, big, sizeof big,
                              &rep), IOTRAP_OK);
    assert_int_equal(chan_req(map, 8, IOTRAP__OP_INS, 0x3f8, 1, sizeof big, NULL, 0, &rep),
                     IOTRAP_OK);
    assert_int_equal(rep.len, sizeof big);
    assert_int_equal(atomic_load(&seen->outs), 2000 + sizeof big);
    assert_int_equal(atomic_load(&seen->out_sum), sum + sizeof big);
    /* One channel per connection. */
    void *again;
    assert_int_equal(ask_channel(fd, &again), IOTRAP_E_BUSY);
    /* The socket still serves, under the same policy. */
    assert_int_equal(threads_of(server), 2);
    munmap(map, IOTRAP__CHAN_SIZE);
    close(fd);
    assert_int_equal(wait_threads(1), 1);
    finish();
}

static void t_malformed_in_page_refused_and_logged(void **state)
{
    (void)state;
    start();
    int fd = connect_client();
    void *map;
    assert_int_equal(ask_channel(fd, &map), IOTRAP_OK);
    uint8_t *area = (uint8_t *)map + IOTRAP__CHAN_MSG_OFF;
    /* Bad magic. */
    size_t n = iotrap__proto_put_req(area, IOTRAP__OP_OUT, 1, 0x3ff, 1, 1, "\x5a", 1);
    area[0] ^= 0xff;
    publish(map, (uint32_t)n, 1);
    uint32_t r = await(map, 1);
    iotrap__proto_reply rep;
    assert_int_equal(iotrap__proto_get_reply(area, r, IOTRAP__OP_OUT, 1, &rep), IOTRAP_OK);
    assert_int_equal(rep.status, IOTRAP_E_PROTOCOL);
    /* A size past the room: cut, then refused by the length check. */
    n = iotrap__proto_put_req(area, IOTRAP__OP_OUT, 2, 0x3ff, 1, 1, "\x5a", 1);
    publish(map, 0xffffffffu, 2);
    r = await(map, 2);
    assert_int_equal(iotrap__proto_get_reply(area, r, IOTRAP__OP_OUT, 2, &rep), IOTRAP_OK);
    assert_int_equal(rep.status, IOTRAP_E_PROTOCOL);
    /* A width of 3, and a channel asked for over the channel. */
    assert_int_equal(chan_req(map, 3, IOTRAP__OP_OUT, 0x3ff, 3, 1, "abc", 3, &rep),
                     IOTRAP_E_PROTOCOL);
    assert_int_equal(chan_req(map, 4, IOTRAP__OP_CHANNEL, 0, 0, 0, NULL, 0, &rep),
                     IOTRAP_E_PROTOCOL);
    /* Outside the policy. */
    assert_int_equal(chan_req(map, 5, IOTRAP__OP_OUT, 0x378, 1, 1, "\x01", 1, &rep),
                     IOTRAP_E_DENIED);
    /* Nothing reached the backend; the channel still serves. */
    assert_int_equal(atomic_load(&seen->outs), 0);
    assert_int_equal(chan_req(map, 6, IOTRAP__OP_OUT, 0x3ff, 1, 1, "\x01", 1, &rep), IOTRAP_OK);
    assert_int_equal(atomic_load(&seen->outs), 1);
    assert_int_equal(count_in_log("malformed request from uid="), 4);
    char denied[96];
    snprintf(denied, sizeof denied, "denied uid=%u pid=%d port=0x0378 width=1 dir=write",
             (unsigned)getuid(), (int)getpid());
    assert_int_equal(count_in_log(denied), 1);
    munmap(map, IOTRAP__CHAN_SIZE);
    close(fd);
    finish();
}

/* A CHANNEL request that fails any check is refused like any other request and opens
 * nothing: no descriptor comes with the reply and no thread starts. */
static void t_bad_channel_request_opens_nothing(void **state)
{
    (void)state;
    start();
    int fd = connect_client();
    int threads = wait_threads(threads_of(server));
    static const struct {
        unsigned offset;
        uint8_t value;
    } bad[] = {
        {4, 2},    /* version 2 */
        {15, 1},   /* reserved byte */
        {16, 1},   /* a count */
        {12, 0x78} /* a port */,
        {14, 1},   /* a width */
        {0, 0x48}, /* magic: answered, then the connection is closed */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t msg[64];
        size_t n = iotrap__proto_put_req(msg, IOTRAP__OP_CHANNEL, 90 + (uint32_t)i, 0, 0, 0,
                                         NULL, 0);
        msg[bad[i].offset] = bad[i].value;
        assert_int_equal(send(fd, msg, n, MSG_NOSIGNAL), (ssize_t)n);
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } cm;
        struct iovec iov = {msg, sizeof msg};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
                            .msg_controllen = sizeof cm.buf};
        ssize_t r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        assert_int_equal(r, IOTRAP__PROTO_HDR);
        assert_int_equal(msg[6], IOTRAP__OP_CHANNEL | IOTRAP__OP_REPLY);
        int32_t st = (int32_t)(msg[12] | msg[13] << 8 | msg[14] << 16 | (uint32_t)msg[15] << 24);
        if (st != IOTRAP_E_PROTOCOL)
            fail_msg("case %zu: status %d", i, st);
        assert_null(CMSG_FIRSTHDR(&mh));
    }
    assert_int_equal(wait_threads(threads), threads);
    close(fd);
    /* A well-formed one still gets its channel. */
    fd = connect_client();
    void *map;
    assert_int_equal(ask_channel(fd, &map), IOTRAP_OK);
    assert_int_equal(wait_threads(threads + 1), threads + 1);
    munmap(map, IOTRAP__CHAN_SIZE);
    close(fd);
    finish();
}

static void t_killed_client_does_not_wedge(void **state)
{
    (void)state;
    start();
    for (int round = 0; round < 2; round++) {
        pid_t c = fork();
        assert_true(c >= 0);
        if (c == 0) {
            int fd = connect_client();
            void *map;
            if (ask_channel(fd, &map) != IOTRAP_OK)
                _exit(1);
            uint8_t *area = (uint8_t *)map + IOTRAP__CHAN_MSG_OFF;
            size_t n = iotrap__proto_put_req(area, IOTRAP__OP_OUT, 1, 0x3ff, 1, 1, "\x07", 1);
            publish(map, (uint32_t)n, 1);
            if (round == 0)
                _exit(0); /* gone before the reply */
            await(map, 1);
            /* Then a request whose reply it never waits for, and hang until killed. */
            n = iotrap__proto_put_req(area, IOTRAP__OP_OUT, 2, 0x3ff, 1, 1, "\x07", 1);
            publish(map, (uint32_t)n, 2);
            for (;;)
                pause();
        }
        usleep(200000);
        if (round == 1)
            kill(c, SIGKILL);
        int st;
        assert_int_equal(waitpid(c, &st, 0), c);
        /* Its thread is gone, its requests were performed at most once. */
        assert_int_equal(wait_threads(1), 1);
        assert_true(atomic_load(&seen->outs) <= (unsigned long)(round == 0 ? 1 : 3));
    }
    /* The daemon still serves new clients. */
    int fd = connect_client();
    void *map;
    assert_int_equal(ask_channel(fd, &map), IOTRAP_OK);
    iotrap__proto_reply rep;
    assert_int_equal(chan_req(map, 1, IOTRAP__OP_IN, 0x3ff, 1, 1, NULL, 0, &rep), IOTRAP_OK);
    munmap(map, IOTRAP__CHAN_SIZE);
    close(fd);
    finish();
}

static void t_64_concurrent_channels(void **state)
{
    (void)state;
    start();
    pid_t kids[64];
    for (int k = 0; k < 64; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            int fd = connect_client();
            void *map;
            if (ask_channel(fd, &map) != IOTRAP_OK)
                _exit(1);
            iotrap__proto_reply rep;
            uint8_t rec[10];
            for (uint32_t i = 1; i <= 100; i++) {
                memset(rec, k, sizeof rec);
                if (chan_req(map, i, IOTRAP__OP_OUTS, 0x3f8, 1, sizeof rec, rec, sizeof rec,
                             &rep) != IOTRAP_OK)
                    _exit(2);
            }
            _exit(0);
        }
    }
    unsigned long want = 0;
    for (int k = 0; k < 64; k++) {
        int st;
        assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        want += 100ul * 10 * (unsigned)k;
    }
    assert_int_equal(atomic_load(&seen->outs), 64 * 100 * 10);
    assert_int_equal(atomic_load(&seen->out_sum), want);
    assert_int_equal(wait_threads(1), 1);
    /* Closing a channel is not taken for one more (garbage) request. */
    assert_int_equal(count_in_log("malformed"), 0);
    finish();
}

static long cpu_ticks(pid_t pid)
{
    char p[64], buf[1024];
    snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *s = strrchr(buf, ')');
    if (!s)
        return -1;
    unsigned long ut = 0, st = 0;
    /* After the command: state, then 10 fields, then utime and stime. */
    if (sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (long)(ut + st);
}

static void t_idle_channels_do_not_spin(void **state)
{
    (void)state;
    start();
    int fds[16];
    void *maps[16];
    iotrap__proto_reply rep;
    for (int i = 0; i < 16; i++) {
        fds[i] = connect_client();
        assert_int_equal(ask_channel(fds[i], &maps[i]), IOTRAP_OK);
        assert_int_equal(chan_req(maps[i], 1, IOTRAP__OP_OUT, 0x3ff, 1, 1, "\x01", 1, &rep),
                         IOTRAP_OK);
    }
    assert_int_equal(threads_of(server), 17);
    usleep(100000); /* past every idle window */
    long t0 = cpu_ticks(server);
    assert_true(t0 >= 0);
    sleep(1);
    long t1 = cpu_ticks(server);
    /* Sixteen threads spinning for that second would take 100 ticks a CPU. */
    assert_true(t1 - t0 <= 3);
    /* Asleep, they still answer. */
    for (int i = 0; i < 16; i++)
        assert_int_equal(chan_req(maps[i], 2, IOTRAP__OP_IN, 0x3ff, 1, 1, NULL, 0, &rep),
                         IOTRAP_OK);
    /* Stopping with every channel open is prompt (finish checks). */
    finish();
    for (int i = 0; i < 16; i++) {
        munmap(maps[i], IOTRAP__CHAN_SIZE);
        close(fds[i]);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_served_exactly_once),
    cmocka_unit_test(t_malformed_in_page_refused_and_logged),
    cmocka_unit_test(t_bad_channel_request_opens_nothing),
    cmocka_unit_test(t_killed_client_does_not_wedge),
    cmocka_unit_test(t_64_concurrent_channels),
    cmocka_unit_test(t_idle_channels_do_not_spin),
};

IOTRAP_TEST_MAIN(tests)
