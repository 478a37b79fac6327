/* An iotrapd server loop in a child process, for the unit tests of the loop itself
 * (test_iotrapd_serve.c) and of its fast channels (test_iotrapd_channel.c).  The child
 * serves a socket in a fresh directory under /tmp with one rule: the test's own uid may
 * read and write 0x3f8-0x3ff.  Include after harness.h. */
#ifndef IOTRAP_TESTS_IOTRAPD_TEST_SERVER_H
#define IOTRAP_TESTS_IOTRAPD_TEST_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "daemon/conf.h"
#include "daemon/socket.h"
#include "tests/unit/iotrapd_test_session.h"

static char dir[64], path[128];
static pid_t server;
static volatile sig_atomic_t stop;

static void on_term(int sig) { (void)sig; stop = 1; }

static int no_name(const char *n, unsigned *id) { (void)n; (void)id; return -1; }
static const iotrapd_resolver res = {no_name, no_name, NULL};

/* Starts the loop in a child, serving through `backend` with these limits (0: the
 * defaults).  `child_setup`, if given, runs in the child before the loop; a non-zero
 * return ends the child with that status. */
static void start_server(const struct iotrap__backend *backend, unsigned max_clients,
                         unsigned max_per_uid, int (*child_setup)(void))
{
    snprintf(dir, sizeof dir, "/tmp/iotrapd-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s", dir);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(l >= 0);
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(l, 128), 0);
    /* SIGTERM stays blocked in the child until the loop waits, so that one sent right
     * after the fork is neither lost nor fatal. */
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    server = fork();
    assert_true(server >= 0);
    if (server == 0) {
        static iotrapd_conf conf;
        char err[128], rule[128];
        snprintf(rule, sizeof rule, "allow uid=%u ports=0x3f8-0x3ff access=rw\n",
                 (unsigned)getuid());
        if (iotrapd_conf_parse(rule, "t.conf", &res, &conf, err, sizeof err) != 0)
            _exit(3);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a test that failed */
        struct sigaction act = {.sa_handler = on_term};
        sigaction(SIGTERM, &act, NULL);
        int rc = child_setup ? child_setup() : 0;
        if (rc)
            _exit(rc);
        static iotrapd_server s = {.lock = PTHREAD_MUTEX_INITIALIZER};
        s.conf = &conf;
        if (open_test_session(&s, backend, &conf, NULL) != IOTRAP_OK)
            _exit(6);
        iotrapd_listener listener = {.fd = l, .stop = &stop, .max_clients = max_clients,
                                     .max_per_uid = max_per_uid};
        _exit(iotrapd_serve(&s, &listener) == 0 ? 0 : 5);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(l);
}

/* Stops the server: it must go within two seconds of SIGTERM and exit 0.  `extra`, if
 * given, is one more file of the test directory to remove. */
static void finish_server(const char *extra)
{
    kill(server, SIGTERM);
    int st = -1;
    for (int i = 0; i < 200 && waitpid(server, &st, WNOHANG) == 0; i++)
        usleep(10000);
    bool gone = waitpid(server, &st, WNOHANG) != 0 || st != -1;
    if (!gone) {
        kill(server, SIGKILL);
        waitpid(server, &st, 0);
    }
    unlink(path);
    if (extra)
        unlink(extra);
    rmdir(dir);
    if (!gone)
        fail_msg("the server did not stop on SIGTERM");
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* A client connection; a refused client must learn it, not wait forever. */
static int connect_client(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

#endif
