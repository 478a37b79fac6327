/* A protocol-level client of iotrapd for the tests (tests/daemon.test on the host,
 * tests/vm/guest.sh in the guest).  It speaks docs/protocol.md through the same encoder
 * as the helper backend, and can also send malformed messages on purpose.
 *
 *   vm-client SOCKET ping
 *   vm-client SOCKET in PORT WIDTH               prints the value
 *   vm-client SOCKET out PORT WIDTH VALUE
 *   vm-client SOCKET ins PORT WIDTH COUNT        prints the bytes in hex
 *   vm-client SOCKET outs PORT TEXT              TEXT's bytes as one REP OUTSB
 *   vm-client SOCKET raw HEXBYTES                the bytes as given, then the end of what
 *       it sends (shutdown): prints the reply, or "no reply" when the daemon closes first
 *   vm-client SOCKET send-and-die PORT VALUE     an OUT request, then exit unread
 *   vm-client SOCKET oversize                    an OUTS message 100 bytes longer than
 *       the protocol allows (its header saying so); prints the reply
 *   vm-client SOCKET repeat N in|out PORT WIDTH  N requests, each IN or OUT (of 0); prints
 *       how many were allowed and how many denied
 *   vm-client SOCKET rtt N                       N OUT requests to 0x3ff; prints ns per
 *       round trip (the transport alone, without a trap)
 *   vm-client SOCKET activate COMMAND...         systemd-style socket activation: listens
 *       on SOCKET as fd 3, sets LISTEN_FDS=1 and LISTEN_PID, execs COMMAND
 *   vm-client SOCKET stress CLIENTS ROUNDS       CLIENTS processes at once, each ROUNDS
 *       times: OUTS of the record "<cc:rrrr>" to 0x3f8, OUT and IN at 0x3ff
 * Exit status: 0 success, 3 the daemon denied it, 1 any other failure, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <iotrap/status.h>
#include "backends/helper_proto.h"

static uint8_t msg[IOTRAP__PROTO_MAX_MSG + 64];
static uint32_t seq;

static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "vm-client: connect %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fd;
}

/* Receives one reply (its header, then the length the header gives) into msg; returns
 * its size, 0 when the connection closed first, -1 on an error. */
static ssize_t recv_reply(int fd)
{
    size_t have = 0, need = IOTRAP__PROTO_HDR;
    while (have < need) {
        ssize_t r = recv(fd, msg + have, need - have, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r;
        have += (size_t)r;
        if (have == IOTRAP__PROTO_HDR) {
            uint32_t len = msg[20] | msg[21] << 8 | msg[22] << 16 | (uint32_t)msg[23] << 24;
            if (len > sizeof msg - IOTRAP__PROTO_HDR)
                return -1;
            need += len;
        }
    }
    return (ssize_t)have;
}

/* Prints the status of the reply that follows what was sent, or that there is none. */
static int print_reply(int fd)
{
    ssize_t r = recv_reply(fd);
    if (r < (ssize_t)IOTRAP__PROTO_HDR) {
        printf("no reply\n");
        return 1;
    }
    int32_t st = (int32_t)(msg[12] | msg[13] << 8 | msg[14] << 16 | (uint32_t)msg[15] << 24);
    printf("reply op 0x%02x status %s\n", msg[6], iotrap_status_name(st));
    return 0;
}

/* Sends a request and waits for its reply; returns the daemon's status. */
static int transact(int fd, uint16_t op, uint16_t port, uint8_t width, uint32_t count,
                    const void *data, uint32_t len, iotrap__proto_reply *rep)
{
    static uint8_t req[IOTRAP__PROTO_MAX_MSG];
    size_t n = iotrap__proto_put_req(req, op, ++seq, port, width, count, data, len);
    if (send(fd, req, n, MSG_NOSIGNAL) != (ssize_t)n) {
        fprintf(stderr, "vm-client: send: %s\n", strerror(errno));
        return IOTRAP_E_IO;
    }
    ssize_t r = recv_reply(fd);
    if (r <= 0) {
        fprintf(stderr, "vm-client: no reply (%s)\n", r == 0 ? "connection closed" : strerror(errno));
        return IOTRAP_E_IO;
    }
    if (iotrap__proto_get_reply(msg, (size_t)r, op, seq, rep) != IOTRAP_OK) {
        fprintf(stderr, "vm-client: malformed reply of %zd bytes\n", r);
        return IOTRAP_E_PROTOCOL;
    }
    return rep->status;
}

static int result(int rc)
{
    if (rc == IOTRAP_OK)
        return 0;
    fprintf(stderr, "vm-client: %s (%s)\n", iotrap_status_name(rc), iotrap_strerror(rc));
    return rc == IOTRAP_E_DENIED ? 3 : 1;
}

static int stress(const char *path, int clients, int rounds)
{
    int go[2];
    if (pipe(go) != 0)
        return 1;
    for (int c = 0; c < clients; c++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(go[1]);
            int fd = connect_to(path);
            char b;
            if (read(go[0], &b, 1) != 0) /* all start together when the pipe closes */
                _exit(1);
            for (int r = 0; r < rounds; r++) {
                char rec[32];
                iotrap__proto_reply rep;
                snprintf(rec, sizeof rec, "<%02d:%04d>", c % 100, r % 10000);
                uint8_t v = (uint8_t)(c * 7 + r);
                if (transact(fd, IOTRAP__OP_OUTS, 0x3f8, 1, 9, rec, 9, &rep) != IOTRAP_OK ||
                    transact(fd, IOTRAP__OP_OUT, 0x3ff, 1, 1, &v, 1, &rep) != IOTRAP_OK ||
                    transact(fd, IOTRAP__OP_IN, 0x3ff, 1, 1, NULL, 0, &rep) != IOTRAP_OK)
                    _exit(1);
            }
            _exit(0);
        }
    }
    close(go[0]);
    usleep(200000);
    close(go[1]);
    int failed = 0, st;
    while (wait(&st) > 0)
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed++;
    if (failed)
        fprintf(stderr, "vm-client: %d of %d clients failed\n", failed, clients);
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        goto usage;
    const char *path = argv[1], *cmd = argv[2];
    iotrap__proto_reply rep;
    if (!strcmp(cmd, "stress") && argc == 5)
        return stress(path, atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(cmd, "activate") && argc > 3) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        int l = socket(AF_UNIX, SOCK_STREAM, 0);
        unlink(path);
        if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 16) != 0 ||
            dup2(l, 3) != 3) {
            fprintf(stderr, "vm-client: activate %s: %s\n", path, strerror(errno));
            return 1;
        }
        if (l != 3)
            close(l);
        char pid[32];
        snprintf(pid, sizeof pid, "%d", (int)getpid());
        setenv("LISTEN_FDS", "1", 1);
        setenv("LISTEN_PID", pid, 1);
        execvp(argv[3], argv + 3);
        fprintf(stderr, "vm-client: %s: %s\n", argv[3], strerror(errno));
        return 127;
    }
    int fd = connect_to(path);
    if (!strcmp(cmd, "rtt") && argc == 4) {
        long n = atol(argv[3]);
        struct timespec t0, t1;
        uint8_t v = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n; i++)
            if (transact(fd, IOTRAP__OP_OUT, 0x3ff, 1, 1, &v, 1, &rep) != IOTRAP_OK)
                return result(rep.status);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("ns/op %.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
        return 0;
    }
    if (!strcmp(cmd, "repeat") && argc == 7) {
        long n = atol(argv[3]), ok = 0, denied = 0;
        int out = !strcmp(argv[4], "out");
        uint16_t port = (uint16_t)strtoul(argv[5], NULL, 0);
        uint8_t w = (uint8_t)atoi(argv[6]), zero[4] = {0, 0, 0, 0};
        for (long i = 0; i < n; i++) {
            int rc = transact(fd, out ? IOTRAP__OP_OUT : IOTRAP__OP_IN, port, w, 1,
                              out ? zero : NULL, out ? w : 0, &rep);
            if (rc == IOTRAP_OK)
                ok++;
            else if (rc == IOTRAP_E_DENIED)
                denied++;
            else
                return result(rc);
        }
        printf("allowed %ld denied %ld\n", ok, denied);
        return 0;
    }
    if (!strcmp(cmd, "ping") && argc == 3)
        return result(transact(fd, IOTRAP__OP_PING, 0, 0, 0, NULL, 0, &rep));
    if (!strcmp(cmd, "in") && argc == 5) {
        uint8_t w = (uint8_t)atoi(argv[4]);
        int rc = transact(fd, IOTRAP__OP_IN, (uint16_t)strtoul(argv[3], NULL, 0), w, 1, NULL, 0,
                          &rep);
        if (rc == IOTRAP_OK) {
            uint32_t v = 0;
            for (unsigned i = 0; i < rep.len && i < 4; i++)
                v |= (uint32_t)rep.data[i] << (8 * i);
            printf("0x%0*x\n", w * 2, v);
        }
        return result(rc);
    }
    if (!strcmp(cmd, "out") && argc == 6) {
        uint8_t w = (uint8_t)atoi(argv[4]);
        uint32_t v = (uint32_t)strtoul(argv[5], NULL, 0);
        uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
        return result(transact(fd, IOTRAP__OP_OUT, (uint16_t)strtoul(argv[3], NULL, 0), w, 1,
                               b, w, &rep));
    }
    if (!strcmp(cmd, "ins") && argc == 6) {
        uint8_t w = (uint8_t)atoi(argv[4]);
        uint32_t count = (uint32_t)strtoul(argv[5], NULL, 0);
        int rc = transact(fd, IOTRAP__OP_INS, (uint16_t)strtoul(argv[3], NULL, 0), w, count,
                          NULL, 0, &rep);
        for (uint32_t i = 0; rc == IOTRAP_OK && i < rep.len; i++)
            printf("%02x%s", rep.data[i], i + 1 == rep.len ? "\n" : " ");
        return result(rc);
    }
    if (!strcmp(cmd, "outs") && argc == 5) {
        uint32_t len = (uint32_t)strlen(argv[4]);
        return result(transact(fd, IOTRAP__OP_OUTS, (uint16_t)strtoul(argv[3], NULL, 0), 1, len,
                               argv[4], len, &rep));
    }
    if (!strcmp(cmd, "raw") && argc == 4) {
        size_t n = 0;
        for (const char *h = argv[3]; h[0] && h[1] && n < sizeof msg; h += 2) {
            unsigned b;
            if (sscanf(h, "%2x", &b) != 1)
                goto usage;
            msg[n++] = (uint8_t)b;
        }
        if (send(fd, msg, n, MSG_NOSIGNAL) != (ssize_t)n)
            return 1;
        shutdown(fd, SHUT_WR);
        return print_reply(fd);
    }
    if (!strcmp(cmd, "oversize") && argc == 3) {
        static uint8_t big[IOTRAP__PROTO_MAX_MSG + 100];
        uint32_t len = IOTRAP__PROTO_MAX_DATA + 100;
        size_t n = iotrap__proto_put_req(big, IOTRAP__OP_OUTS, 1, 0x3f8, 1, len, NULL, 0);
        big[20] = (uint8_t)len, big[21] = (uint8_t)(len >> 8), big[22] = (uint8_t)(len >> 16);
        n += len;
        if (send(fd, big, n, MSG_NOSIGNAL) != (ssize_t)n) {
            fprintf(stderr, "vm-client: send: %s\n", strerror(errno));
            return 1;
        }
        return print_reply(fd);
    }
    if (!strcmp(cmd, "send-and-die") && argc == 5) {
        uint8_t v = (uint8_t)strtoul(argv[4], NULL, 0);
        size_t n = iotrap__proto_put_req(msg, IOTRAP__OP_OUT, 1,
                                         (uint16_t)strtoul(argv[3], NULL, 0), 1, 1, &v, 1);
        return send(fd, msg, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : 1;
    }
usage:
    fprintf(stderr, "usage: vm-client SOCKET ping | in PORT W | out PORT W V | ins PORT W N | "
                    "outs PORT TEXT | raw HEX | oversize | send-and-die PORT V | rtt N | repeat N in|out PORT W | "
                    "activate CMD... | "
                    "stress CLIENTS ROUNDS\n");
    return 2;
}
