/* The private directory of a run's files (common/rundir.c): files named after their
 * maker, the files of dead makers removed by the next file made, and nothing else. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/unit/test_ports_helpers.h"
#include "common/rundir.h"

static char xdg[64], dir[128];

/* A fresh $XDG_RUNTIME_DIR, so that the files go to XDG/iotrap. */
static void use_fresh_xdg(void)
{
    strcpy(xdg, test_dir());
    assert_int_equal(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
    snprintf(dir, sizeof dir, "%s/iotrap", xdg);
}

static unsigned long long my_pid_namespace(void)
{
    struct stat st;
    assert_int_equal(stat("/proc/self/ns/pid", &st), 0);
    return (unsigned long long)st.st_ino;
}

/* A process id that no process has now. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return pid;
}

static void make_file(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    close(fd);
}

static int exists(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

static void t_named_after_the_maker(void **state)
{
    use_fresh_xdg();
    char path[256], want[256], err[256];
    int fd = iotrap__rundir_create("board", path, sizeof path, err, sizeof err);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(want, sizeof want, "%s/board-%ld-%llu-", dir, (long)getpid(), my_pid_namespace());
    assert_int_equal(strncmp(path, want, strlen(want)), 0);
    assert_int_equal(strlen(path), strlen(want) + 6);
    iotrap__rundir_remove(path);
    assert_int_not_equal(access(path, F_OK), 0);
    /* The shared directory stays for the next run. */
    assert_int_equal(access(dir, F_OK), 0);
    rmdir(dir);
}

static void t_dead_makers_files_go(void **state)
{
    use_fresh_xdg();
    assert_int_equal(mkdir(dir, 0700), 0);
    unsigned long long ns = my_pid_namespace();
    char dead[64], alive[64], other_ns[64], not_file[64];
    pid_t gone = dead_pid();
    snprintf(dead, sizeof dead, "board-%ld-%llu-AbCdEf", (long)gone, ns);
    snprintf(alive, sizeof alive, "run-%ld-%llu-AbCdEf", (long)getpid(), ns);
    snprintf(other_ns, sizeof other_ns, "board-%ld-%llu-AbCdEf", (long)gone, ns + 1);
    snprintf(not_file, sizeof not_file, "run-%ld-%llu-XyZxYz", (long)gone, ns);
    make_file(dead);
    make_file(alive);
    make_file(other_ns);
    make_file("board-AbCdEf"); /* an older iotrap's name, which says nothing of its maker */
    make_file("notes");
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, not_file);
    assert_int_equal(mkdir(p, 0700), 0);

    char path[256], err[256];
    int fd = iotrap__rundir_create("run", path, sizeof path, err, sizeof err);
    assert_true(fd >= 0);
    close(fd);
    assert_false(exists(dead));
    assert_true(exists(alive));
    assert_true(exists(other_ns));
    assert_true(exists("board-AbCdEf"));
    assert_true(exists("notes"));
    assert_true(exists(not_file));
    iotrap__rundir_remove(path);
    rmdir(p);
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    rmdir(dir);
}

/* A $XDG_RUNTIME_DIR/iotrap that is no private directory of ours is passed over. */
static void t_unsafe_shared_directory_passed_over(void **state)
{
    use_fresh_xdg();
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(chmod(dir, 0777), 0);
    char path[256], err[256];
    int fd = iotrap__rundir_create("board", path, sizeof path, err, sizeof err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_not_equal(strncmp(path, dir, strlen(dir)), 0);
    iotrap__rundir_remove(path);
    rmdir(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_named_after_the_maker),
    cmocka_unit_test(t_dead_makers_files_go),
    cmocka_unit_test(t_unsafe_shared_directory_passed_over),
};

IOTRAP_TEST_MAIN(tests)
