/* Files an option names, opened to write (common/userfile.c).  As root - iotrapd before it
 * drops root - only in a directory no other user may write, never through a link, only a
 * regular file; as anyone, new files are the user's own (0600). */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/unit/test_ports_helpers.h"
#include "common/userfile.h"

static char path[512], err[512];

static int try_open(const char *dir, const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    err[0] = '\0';
    return iotrap__userfile_open("output file", path, O_WRONLY | O_CREAT | O_APPEND, err,
                                 sizeof err);
}

static void t_new_files_are_private(void **state)
{
    const char *dir = test_dir();
    int fd = try_open(dir, "printed.bin");
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    close(fd);
    /* An existing file is appended to, as before. */
    assert_true((fd = try_open(dir, "printed.bin")) >= 0);
    close(fd);
    assert_true(try_open(dir, "no-such-dir/x") < 0);
    assert_non_null(strstr(err, "cannot open output file"));
    assert_non_null(strstr(err, "No such file or directory"));
}

/* The reproducer of the attack: a link another user put in a directory anyone may write,
 * pointing at a file only root may read. */
static void t_root_refuses_what_others_control(void **state)
{
    if (geteuid() != 0) {
        /* Without root there is nobody to fool: the user's own link is followed. */
        const char *dir = test_dir();
        char target[512];
        snprintf(target, sizeof target, "%s/target", dir);
        int fd = open(target, O_WRONLY | O_CREAT, 0600);
        assert_true(fd >= 0);
        close(fd);
        snprintf(path, sizeof path, "%s/link", dir);
        assert_int_equal(symlink(target, path), 0);
        assert_true((fd = try_open(dir, "link")) >= 0);
        close(fd);
        return;
    }
    const char *pub = test_dir();
    assert_int_equal(chmod(pub, 01777), 0);
    char secret[512];
    snprintf(secret, sizeof secret, "%s/secret", test_dir());
    int fd = open(secret, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "root's", 6), 6);
    close(fd);
    snprintf(path, sizeof path, "%s/out", pub);
    assert_int_equal(symlink(secret, path), 0);
    assert_int_equal(try_open(pub, "out"), IOTRAP_E_PERM);
    assert_non_null(strstr(err, "refusing to open output file"));
    assert_non_null(strstr(err, "a symbolic link, which root does not follow"));
    /* A new file there is made only if nobody made it first, and a file of root's own is
     * used (the sticky bit keeps others from replacing either); another user's file is
     * refused. */
    assert_true((fd = try_open(pub, "new")) >= 0);
    close(fd);
    assert_true((fd = try_open(pub, "new")) >= 0);
    close(fd);
    snprintf(path, sizeof path, "%s/theirs", pub);
    assert_true((fd = open(path, O_WRONLY | O_CREAT, 0644)) >= 0);
    assert_int_equal(fchown(fd, 4242, 4242), 0);
    close(fd);
    assert_int_equal(try_open(pub, "theirs"), IOTRAP_E_PERM);
    assert_non_null(strstr(err, "belongs to uid 4242, in a directory anyone may write"));
    /* Without the sticky bit anyone may replace anything there. */
    const char *open_dir = test_dir();
    assert_int_equal(chmod(open_dir, 0777), 0);
    assert_int_equal(try_open(open_dir, "x"), IOTRAP_E_PERM);
    assert_non_null(strstr(err, "mode 0777"));
    /* A directory of another user's. */
    const char *theirs = test_dir();
    assert_int_equal(chown(theirs, 4242, 4242), 0);
    assert_int_equal(try_open(theirs, "x"), IOTRAP_E_PERM);
    assert_non_null(strstr(err, "belongs to uid 4242"));
    /* A safe directory, but the name is a link: not followed. */
    const char *safe = test_dir();
    snprintf(path, sizeof path, "%s/link", safe);
    assert_int_equal(symlink(secret, path), 0);
    assert_int_equal(try_open(safe, "link"), IOTRAP_E_PERM);
    assert_non_null(strstr(err, "a symbolic link, which root does not follow"));
    /* A pipe: refused at once, not waited on. */
    snprintf(path, sizeof path, "%s/fifo", safe);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(try_open(safe, "fifo"), IOTRAP_E_PERM);
    assert_non_null(strstr(err, "not a regular file"));
    /* A plain file in a safe directory is fine, and the secret is untouched. */
    assert_true((fd = try_open(safe, "plain")) >= 0);
    close(fd);
    char *text = slurp(secret, NULL);
    assert_string_equal(text, "root's");
    free(text);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_new_files_are_private),
    cmocka_unit_test(t_root_refuses_what_others_control),
};

IOTRAP_TEST_MAIN(tests)
