/* Board sharing: between forked processes, through a board file attached by path,
 * NVRAM across sessions, layout checks, and the lock surviving a killed holder. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include "tests/unit/test_ports_helpers.h"
#include "backends/lock.h"

static void t_fork_shares_private_board(void **state)
{
    const char *devs[] = { "ram@0x300-0x303", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    out8(p, 0x300, 0x11);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint32_t v = 0;
        int ok = iotrap_ports_in(p, 0x300, 1, &v, 0) == IOTRAP_OK && v == 0x11 &&
                 iotrap_ports_out(p, 0x301, 1, 0x22, 0) == IOTRAP_OK;
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(in8(p, 0x301), 0x22);
    iotrap_ports_close(p);
}

/* Config of a shared-board test: lpt printing to a file, ram, cmos. */
static char lpt_out[256], lpt_spec[300];
static const char *shared_devs[4];

static void shared_config(iotrap_ports_config *cfg, const char *board)
{
    const char *dir = test_dir();
    snprintf(lpt_out, sizeof(lpt_out), "%s/lpt.txt", dir);
    snprintf(lpt_spec, sizeof(lpt_spec), "lpt@0x378,out=%s", lpt_out);
    shared_devs[0] = lpt_spec;
    shared_devs[1] = "ram@0x300-0x303";
    shared_devs[2] = "cmos@0x70";
    shared_devs[3] = NULL;
    memset(cfg, 0, sizeof(*cfg));
    cfg->size = sizeof(*cfg);
    cfg->devices = shared_devs;
    cfg->board = board;
}

static void print_byte(iotrap_ports *p, uint8_t c)
{
    out8(p, 0x378, c);
    out8(p, 0x37a, 0x0d);
    out8(p, 0x37a, 0x0c);
}

static void t_board_file(void **state)
{
    iotrap_ports_config cfg;
    shared_config(&cfg, NULL);
    /* A previous run's output is truncated when the board is created. */
    int fd = open(lpt_out, O_WRONLY | O_CREAT, 0644);
    assert_int_equal(write(fd, "old", 3), 3);
    close(fd);

    char path[512], err[512];
    assert_int_equal(iotrap_board_create(&cfg, path, sizeof(path), err, sizeof(err)), IOTRAP_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_uid, geteuid());
    char dir[512];
    strcpy(dir, path);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(lstat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    size_t len;
    free(slurp(lpt_out, &len));
    assert_int_equal(len, 0);

    cfg.board = path;
    iotrap_ports *a = open_sim_cfg(&cfg);
    iotrap_ports *b = open_sim_cfg(&cfg);
    assert_int_equal(in8(a, 0x379), 0xd8); /* reset by the creator */
    out8(a, 0x300, 0x5a);
    assert_int_equal(in8(b, 0x300), 0x5a);
    print_byte(a, 'A');

    /* Another process attaches by path, as each process of a run does. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        iotrap_ports *c = NULL;
        char e[512];
        if (iotrap_ports_open(&cfg, &c, e, sizeof(e)) != IOTRAP_OK)
            _exit(2);
        uint32_t v = 0;
        if (iotrap_ports_in(c, 0x300, 1, &v, 0) != IOTRAP_OK || v != 0x5a)
            _exit(3);
        iotrap_ports_out(c, 0x301, 1, 0xa5, 0);
        iotrap_ports_out(c, 0x378, 1, 'B', 0);
        iotrap_ports_out(c, 0x37a, 1, 0x0d, 0);
        iotrap_ports_out(c, 0x37a, 1, 0x0c, 0);
        iotrap_ports_close(c);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(in8(a, 0x301), 0xa5);
    print_byte(b, 'C');
    char *text = slurp(lpt_out, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(text, "ABC", 3);
    free(text);
    iotrap_ports_close(a);
    iotrap_ports_close(b);

    /* Attaching again does not truncate the output or reset the devices. */
    iotrap_ports *d = open_sim_cfg(&cfg);
    assert_int_equal(in8(d, 0x300), 0x5a);
    iotrap_ports_close(d);
    free(slurp(lpt_out, &len));
    assert_int_equal(len, 3);

    iotrap_board_remove(path);
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(errno, ENOENT);
}

/* A relative out= path names the same file for every process of a run, whatever its
 * own working directory: the one relative to where the board was created. */
static void t_relative_out_path(void **state)
{
    char here[4096];
    assert_non_null(getcwd(here, sizeof(here)));
    const char *dir = test_dir();
    const char *other = test_dir();
    assert_int_equal(chdir(dir), 0);
    const char *devs[] = { "lpt@0x378,out=print.txt", NULL };
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.devices = devs;
    char path[512], err[512];
    assert_int_equal(iotrap_board_create(&cfg, path, sizeof(path), err, sizeof(err)), IOTRAP_OK);
    assert_int_equal(chdir(other), 0);
    cfg.board = path;
    iotrap_ports *p = open_sim_cfg(&cfg);
    print_byte(p, 'R');
    iotrap_ports_close(p);
    assert_int_equal(chdir(here), 0);
    char file[600];
    snprintf(file, sizeof(file), "%s/print.txt", dir);
    size_t len;
    char *text = slurp(file, &len);
    assert_int_equal(len, 1);
    assert_int_equal(text[0], 'R');
    free(text);
    snprintf(file, sizeof(file), "%s/print.txt", other);
    assert_int_equal(access(file, F_OK), -1);
    iotrap_board_remove(path);
}

static void t_nvram_persists(void **state)
{
    iotrap_ports_config cfg;
    shared_config(&cfg, NULL);
    char path[512], err[512];
    assert_int_equal(iotrap_board_create(&cfg, path, sizeof(path), err, sizeof(err)), IOTRAP_OK);
    cfg.board = path;
    iotrap_ports *a = open_sim_cfg(&cfg);
    for (uint8_t i = 0x40; i < 0x50; i++) {
        out8(a, 0x70, i);
        out8(a, 0x71, (uint8_t)(i * 3));
    }
    iotrap_ports_close(a);
    iotrap_ports *b = open_sim_cfg(&cfg);
    for (uint8_t i = 0x40; i < 0x50; i++) {
        out8(b, 0x70, i);
        assert_int_equal(in8(b, 0x71), (uint8_t)(i * 3));
    }
    iotrap_ports_close(b);
    iotrap_board_remove(path);
}

static void t_attach_checks_layout(void **state)
{
    iotrap_ports_config cfg;
    const char *one[] = { "lpt@0x378", NULL };
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.devices = one;
    char path[512], err[1024], want[1200];
    assert_int_equal(iotrap_board_create(&cfg, path, sizeof(path), err, sizeof(err)), IOTRAP_OK);
    cfg.board = path;

    const char *moved[] = { "lpt@0x278", NULL };
    cfg.devices = moved;
    open_fails(&cfg, err, sizeof(err));
    snprintf(want, sizeof(want),
             "board \"%s\": device 1 is lpt@0x378 (8 ports, 25 bytes of state) but this process "
             "configures lpt@0x278 (8 ports, 25 bytes)", path);
    assert_string_equal(err, want);

    const char *two[] = { "lpt@0x378", "uart@0x3f8", NULL };
    cfg.devices = two;
    open_fails(&cfg, err, sizeof(err));
    snprintf(want, sizeof(want),
             "board \"%s\" has 1 devices but this process configures 2 (IOTRAP_DEVICES differs "
             "from the run's)", path);
    assert_string_equal(err, want);
    iotrap_board_remove(path);

    /* A board whose header was damaged or written by another version. */
    static const struct {
        off_t offset;
        uint32_t value;
        const char *fmt;
    } damage[] = {
        { 8, 7, "board \"%s\" has layout version 7, this library reads version 2" },
        { 16, 4096, "board \"%s\" is %s bytes with a %s-byte header, its header says 4096 "
                    "bytes and this library expects a %s-byte header" },
        { 32, 0, "board \"%s\" was never initialised (its creator failed)" },
    };
    cfg.devices = one;
    for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
        cfg.board = NULL;
        assert_int_equal(iotrap_board_create(&cfg, path, sizeof(path), err, sizeof(err)),
                         IOTRAP_OK);
        cfg.board = path;
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        int bfd = open(path, O_RDWR);
        uint32_t hsize;
        assert_int_equal(pread(bfd, &hsize, 4, 12), 4);
        assert_int_equal(pwrite(bfd, &damage[i].value, 4, damage[i].offset), 4);
        if (damage[i].offset == 16) {
            uint32_t zero = 0; /* the high half of the 64-bit size */
            assert_int_equal(pwrite(bfd, &zero, 4, 20), 4);
        }
        close(bfd);
        open_fails(&cfg, err, sizeof(err));
        char size[32], hs[32];
        snprintf(size, sizeof(size), "%lld", (long long)st.st_size);
        snprintf(hs, sizeof(hs), "%u", hsize);
        if (damage[i].offset == 16)
            snprintf(want, sizeof(want), damage[i].fmt, path, size, hs, hs);
        else
            snprintf(want, sizeof(want), damage[i].fmt, path);
        assert_string_equal(err, want);
        iotrap_board_remove(path);
    }

    /* Not a board at all. */
    snprintf(path, sizeof(path), "%s/junk", test_dir());
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    char junk[8192];
    memset(junk, 'j', sizeof(junk));
    assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
    close(fd);
    cfg.devices = one;
    open_fails(&cfg, err, sizeof(err));
    snprintf(want, sizeof(want), "board \"%s\" is not an iotrap board (bad magic)", path);
    assert_string_equal(err, want);
    assert_int_equal(truncate(path, 100), 0);
    open_fails(&cfg, err, sizeof(err));
    snprintf(want, sizeof(want), "board \"%s\" is too small (100 bytes) to be an iotrap board",
             path);
    assert_string_equal(err, want);
}

/* ---- The lock and a dying holder --------------------------------------------------- */

static int hang_pipe[2];

static uint8_t hang_read(iotrap_device *dev, uint32_t offset)
{
    /* Tell the parent we are inside the board (holding its lock), then stay there. */
    char c = 'h';
    if (write(hang_pipe[1], &c, 1) != 1)
        _exit(9);
    for (;;)
        pause();
}

static void hang_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
}

static const iotrap_device_model hang_model = {
    .size = sizeof(iotrap_device_model),
    .name = "hang", .summary = "test: blocks forever in read", .span = 1,
    .read = hang_read, .write = hang_write,
};

static void watchdog(int sig)
{
    static const char msg[] = "board access hung after the lock holder died\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(70);
}

static void killed_holder(int reap_first)
{
    assert_int_equal(iotrap_device_register(&hang_model), IOTRAP_OK);
    assert_int_equal(pipe(hang_pipe), 0);
    const char *devs[] = { "hang@0x500", "ram@0x300", NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    out8(p, 0x300, 0x3c);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint32_t v;
        iotrap_ports_in(p, 0x500, 1, &v, 0);
        _exit(0);
    }
    char c;
    assert_int_equal(read(hang_pipe[0], &c, 1), 1);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status;
    if (reap_first)
        assert_int_equal(waitpid(pid, &status, 0), pid);
    /* Unreaped, the child is a zombie that kill(pid, 0) still finds. */
    signal(SIGALRM, watchdog);
    alarm(10);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(in8(p, 0x300), 0x3c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    alarm(0);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs < 1.0);
    /* And the lock works normally afterwards. */
    out8(p, 0x300, 0x3d);
    assert_int_equal(in8(p, 0x300), 0x3d);
    if (!reap_first)
        assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    iotrap_ports_close(p);
}

static void t_liveness(void **state)
{
    assert_false(iotrap__tid_dead((uint32_t)getpid()));
    assert_false(iotrap__tid_dead(1)); /* alive, and maybe not ours to signal */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char c;
        close(fds[1]);
        (void)!read(fds[0], &c, 1);
        _exit(0);
    }
    assert_false(iotrap__tid_dead((uint32_t)pid));
    close(fds[1]); /* lets the child exit */
    /* A zombie until reaped: dead all the same. */
    for (int i = 0; i < 500 && !iotrap__tid_dead((uint32_t)pid); i++)
        usleep(10000);
    assert_true(iotrap__tid_dead((uint32_t)pid));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(iotrap__tid_dead((uint32_t)pid));
    close(fds[0]);
}

static void t_killed_holder_reaped(void **state)
{
    killed_holder(1);
}

static void t_killed_holder_zombie(void **state)
{
    killed_holder(0);
}

/* A port access from a signal handler that interrupted an access of the same thread
 * must not deadlock: it fails with IOTRAP_E_BUSY. */
static iotrap_ports *nest_session;
static int nest_rc = 1;

static uint8_t nest_read(iotrap_device *dev, uint32_t offset)
{
    uint32_t v;
    nest_rc = iotrap_ports_in(nest_session, 0x300, 1, &v, 0);
    return 0x99;
}

static const iotrap_device_model nest_model = {
    .size = sizeof(iotrap_device_model),
    .name = "nest", .summary = "test: re-enters the board", .span = 1,
    .read = nest_read, .write = hang_write,
};

static void t_nested_access_is_busy(void **state)
{
    assert_int_equal(iotrap_device_register(&nest_model), IOTRAP_OK);
    const char *devs[] = { "nest@0x510", "ram@0x300", NULL };
    nest_session = open_sim(NULL, devs);
    assert_int_equal(in8(nest_session, 0x510), 0x99);
    assert_int_equal(nest_rc, IOTRAP_E_BUSY);
    /* The outer access released the lock. */
    out8(nest_session, 0x300, 1);
    assert_int_equal(in8(nest_session, 0x300), 1);
    iotrap_ports_close(nest_session);
}

/* Two processes racing on one board through a file: no update is lost. */
static void t_contention_between_processes(void **state)
{
    iotrap_ports_config cfg;
    const char *devs[] = { "ram@0x300-0x303", NULL };
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.devices = devs;
    char path[512], err[512];
    assert_int_equal(iotrap_board_create(&cfg, path, sizeof(path), err, sizeof(err)), IOTRAP_OK);
    cfg.board = path;
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            iotrap_ports *c = NULL;
            char e[512];
            if (iotrap_ports_open(&cfg, &c, e, sizeof(e)) != IOTRAP_OK)
                _exit(2);
            /* Each writes its own 16-bit word pattern many times; a torn write would
             * leave bytes of two patterns. */
            uint32_t word = k ? 0xaaaa : 0x5555;
            for (int i = 0; i < 20000; i++) {
                uint32_t v;
                iotrap_ports_out(c, 0x300, 2, word, 0);
                iotrap_ports_in(c, 0x300, 2, &v, 0);
                if (v != 0xaaaa && v != 0x5555)
                    _exit(3);
            }
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    iotrap_board_remove(path);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_fork_shares_private_board),
    cmocka_unit_test(t_board_file),
    cmocka_unit_test(t_relative_out_path),
    cmocka_unit_test(t_nvram_persists),
    cmocka_unit_test(t_attach_checks_layout),
    cmocka_unit_test(t_liveness),
    cmocka_unit_test(t_killed_holder_reaped),
    cmocka_unit_test(t_killed_holder_zombie),
    cmocka_unit_test(t_nested_access_is_busy),
    cmocka_unit_test(t_contention_between_processes),
};

IOTRAP_TEST_MAIN(tests)
