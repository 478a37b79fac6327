/* iotrapd's socket transport (daemon/socket.c) in a child process on a socket in a temporary
 * directory, with a backend that only counts: the connection limits (per user and in
 * all), running out of descriptors without spinning, a client that never reads its
 * replies, and a prompt stop on SIGTERM. */
#include "config.h"
#include "tests/unit/harness.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "backends/helper_proto.h"
#include "daemon/conf.h"
#include "tests/unit/iotrapd_test_server.h"

static int b_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                uint32_t *value)
{
    (void)bi; (void)port; (void)width;
    *value = 0x42;
    return IOTRAP_OK;
}

static int b_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                 uint32_t value)
{
    (void)bi; (void)port; (void)width; (void)value;
    return IOTRAP_OK;
}

static const struct iotrap__backend counter = {
    .name = "counter", .summary = "test", .open = test_backend_open, .in = b_in, .out = b_out,
};

/* The descriptor limit of the server child, when a test lowers it (0: unchanged). */
static rlim_t child_nofile;

static int lower_nofile(void)
{
    struct rlimit rl = {child_nofile, child_nofile};
    return child_nofile && setrlimit(RLIMIT_NOFILE, &rl) != 0 ? 4 : 0;
}

/* Starts the loop with these limits (0: the defaults); nofile > 0 also lowers the
 * child's descriptor limit to that many. */
static void start(unsigned max_clients, unsigned max_per_uid, rlim_t nofile)
{
    child_nofile = nofile;
    start_server(&counter, max_clients, max_per_uid, lower_nofile);
}

static void finish(void)
{
    finish_server(NULL);
}

/* 1: the daemon answered a ping; 0: it closed the connection; -1: no answer in time. */
static int ping(int fd)
{
    static uint8_t msg[IOTRAP__PROTO_MAX_MSG];
    static uint32_t seq;
    size_t n = iotrap__proto_put_req(msg, IOTRAP__OP_PING, ++seq, 0, 0, 0, NULL, 0);
    if (send(fd, msg, n, MSG_NOSIGNAL) != (ssize_t)n)
        return 0;
    ssize_t r = recv(fd, msg, sizeof msg, 0);
    if (r < 0)
        return errno == EAGAIN ? -1 : 0;
    iotrap__proto_reply rep;
    return r > 0 && iotrap__proto_get_reply(msg, (size_t)r, IOTRAP__OP_PING, seq, &rep) ==
                        IOTRAP_OK && rep.status == IOTRAP_OK;
}

static void t_per_uid_limit(void **state)
{
    (void)state;
    start(0, 3, 0);
    int fd[4];
    for (int i = 0; i < 3; i++) {
        fd[i] = connect_client();
        assert_int_equal(ping(fd[i]), 1);
    }
    /* The fourth connection of the same user is closed at once. */
    fd[3] = connect_client();
    assert_int_equal(ping(fd[3]), 0);
    close(fd[3]);
    /* The others are still served, and a slot freed is a slot again. */
    assert_int_equal(ping(fd[2]), 1);
    close(fd[0]);
    usleep(100000);
    fd[0] = connect_client();
    assert_int_equal(ping(fd[0]), 1);
    for (int i = 0; i < 3; i++)
        close(fd[i]);
    finish();
}

static void t_total_limit(void **state)
{
    (void)state;
    start(2, 0, 0);
    int a = connect_client(), b = connect_client();
    assert_int_equal(ping(a), 1);
    assert_int_equal(ping(b), 1);
    int c = connect_client();
    assert_int_equal(ping(c), 0);
    close(c);
    assert_int_equal(ping(a), 1);
    close(a);
    close(b);
    finish();
}

static double cpu_seconds(pid_t pid)
{
    char p[64], buf[1024];
    snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(p, "re");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *s = strrchr(buf, ')');
    assert_non_null(s);
    unsigned long ut = 0, st = 0;
    /* After the command: state, then fields 4..13, then utime and stime. */
    assert_int_equal(sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                            &st), 2);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* With only a few descriptors, more clients than fit: the extra ones are refused (they
 * do not wait forever), the loop does not spin on the listening socket, and the clients
 * it holds are still served. */
static void t_out_of_descriptors(void **state)
{
    (void)state;
    start(0, 0, 12);
    int fd[24];
    int served = 0, refused = 0;
    for (int i = 0; i < 24; i++) {
        fd[i] = connect_client();
        int r = ping(fd[i]);
        assert_int_not_equal(r, -1);
        served += r == 1;
        refused += r == 0;
    }
    assert_true(served >= 3);
    assert_true(refused >= 1);
    double before = cpu_seconds(server);
    /* One more pending connection, left unanswered by the client. */
    int extra = connect_client();
    usleep(700000);
    double used = cpu_seconds(server) - before;
    if (used > 0.3)
        fail_msg("the server used %.2f s of CPU in 0.7 s with no descriptor left", used);
    assert_int_equal(ping(fd[0]), 1);
    close(extra);
    for (int i = 0; i < 24; i++)
        close(fd[i]);
    finish();
}

/* A client that sends request after request and never reads a reply: the daemon must
 * not block on it (it drops it when its queue is full), and serves others meanwhile. */
static void t_client_that_never_reads(void **state)
{
    (void)state;
    start(0, 0, 0);
    int greedy = connect_client(), other = connect_client();
    static uint8_t msg[IOTRAP__PROTO_MAX_MSG];
    size_t n = iotrap__proto_put_req(msg, IOTRAP__OP_IN, 1, 0x3f8, 4, 1, NULL, 0);
    /* Send whenever there is room, for up to five seconds, until the daemon hangs up. */
    int sent = 0, e = 0;
    for (int tries = 0; tries < 5000; tries++) {
        if (send(greedy, msg, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n) {
            sent++;
            continue;
        }
        e = errno;
        if (e != EAGAIN)
            break;
        usleep(1000);
    }
    if (e != EPIPE && e != ECONNRESET)
        fail_msg("after %d requests the daemon still had not dropped the client (%s)", sent,
                 strerror(e));
    assert_int_equal(ping(other), 1);
    /* The greedy client was dropped: some of its queued replies, then end of file or,
     * since it left requests unread, a reset; not a wait for more. */
    ssize_t r;
    int replies = 0;
    while ((r = recv(greedy, msg, sizeof msg, 0)) > 0)
        replies++;
    if (r != 0 && errno != ECONNRESET)
        fail_msg("reading the dropped client: %s", strerror(errno));
    assert_true(replies < sent);
    close(greedy);
    close(other);
    finish();
}

static void t_stops_on_sigterm(void **state)
{
    (void)state;
    for (int i = 0; i < 20; i++) {
        start(0, 0, 0);
        if (i % 2) {
            int fd = connect_client();
            assert_int_equal(ping(fd), 1);
            close(fd);
        }
        finish();
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_per_uid_limit),
    cmocka_unit_test(t_total_limit),
    cmocka_unit_test(t_out_of_descriptors),
    cmocka_unit_test(t_client_that_never_reads),
    cmocka_unit_test(t_stops_on_sigterm),
};

IOTRAP_TEST_MAIN(tests)
