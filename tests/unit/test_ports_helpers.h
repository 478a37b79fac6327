/* Shared helpers of the backend unit tests (ports, devices, board, trace). */
#ifndef IOTRAP_TESTS_PORTS_HELPERS_H
#define IOTRAP_TESTS_PORTS_HELPERS_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/unit/harness.h"
#include <iotrap/iotrap.h>

/* Opens a sim session (all ports allowed unless `allow`), failing the test on error. */
static inline iotrap_ports *open_sim_cfg(iotrap_ports_config *cfg)
{
    char err[512] = "";
    iotrap_ports *p = NULL;
    int rc = iotrap_ports_open(cfg, &p, err, sizeof(err));
    if (rc != IOTRAP_OK)
        fail_msg("iotrap_ports_open: %s (%s)", err, iotrap_status_name(rc));
    return p;
}

static inline iotrap_ports *open_sim(const char *allow, const char *const *devices)
{
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.size = sizeof(cfg);
    cfg.allow = allow;
    cfg.devices = devices;
    return open_sim_cfg(&cfg);
}

/* Opens a session that is expected to fail; returns the message. */
static inline int open_fails(iotrap_ports_config *cfg, char *err, size_t errlen)
{
    iotrap_ports *p = NULL;
    err[0] = '\0';
    int rc = iotrap_ports_open(cfg, &p, err, errlen);
    if (rc == IOTRAP_OK) {
        iotrap_ports_close(p);
        fail_msg("open succeeded unexpectedly");
    }
    assert_null(p);
    assert_true(rc < 0);
    assert_true(err[0] != '\0');
    return rc;
}

static inline uint32_t in_w(iotrap_ports *p, uint16_t port, unsigned width)
{
    uint32_t v = 0xdeadbeef;
    assert_int_equal(iotrap_ports_in(p, port, width, &v, 0), IOTRAP_OK);
    return v;
}

static inline uint8_t in8(iotrap_ports *p, uint16_t port)
{
    return (uint8_t)in_w(p, port, 1);
}

static inline void out_w(iotrap_ports *p, uint16_t port, unsigned width, uint32_t v)
{
    assert_int_equal(iotrap_ports_out(p, port, width, v, 0), IOTRAP_OK);
}

static inline void out8(iotrap_ports *p, uint16_t port, uint8_t v)
{
    out_w(p, port, 1, v);
}

/* Directories made by test_dir(), removed with their files when the test exits. */
static char test_dirs[8][64];
static int ntest_dirs;

static inline void remove_test_dirs(void)
{
    for (int i = 0; i < ntest_dirs; i++) {
        DIR *d = opendir(test_dirs[i]);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                    unlinkat(dirfd(d), e->d_name, 0);
            closedir(d);
        }
        rmdir(test_dirs[i]);
    }
    ntest_dirs = 0;
}

/* A fresh private directory for the files of one test. */
static inline const char *test_dir(void)
{
    assert_true(ntest_dirs < 8);
    char *dir = test_dirs[ntest_dirs];
    strcpy(dir, "/tmp/iotrap-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    if (ntest_dirs++ == 0)
        atexit(remove_test_dirs);
    return dir;
}

/* The out= file of open_with_out(). */
static char out_path[128];

/* A session with one device, `fmt` its spec with a %s for an out= file that lives in a
 * fresh directory. */
static inline iotrap_ports *open_with_out(const char *fmt)
{
    static char spec[256];
    snprintf(out_path, sizeof(out_path), "%s/out", test_dir());
    snprintf(spec, sizeof(spec), fmt, out_path);
    static const char *devs[2];
    devs[0] = spec;
    devs[1] = NULL;
    return open_sim(NULL, devs);
}

/* The whole content of a file (malloc'd, NUL-terminated); *len gets its size. */
static inline char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        fail_msg("cannot open %s", path);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    char *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

#endif
