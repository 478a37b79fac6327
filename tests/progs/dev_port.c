/* dev_port CASE: a program that uses /dev/port as root programs do, checking what the
 * kernel's driver gives (drivers/char/mem.c: read_port, write_port, memory_lseek):
 * position I/O one byte per port, the position moving, end of file past 0xffff, errno
 * values, descriptors shared by dup and fork, stdio, and the paths that name the device.
 * It runs under `iotrap run` on a board with an lpt at 0x378 and ram at 0x300. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "progs.h"

#define ERRNO_OF(expr) ((expr) < 0 ? errno : 0)

/* A null buffer the compiler cannot see through, as a program's bad pointer is. */
static void *volatile null_buf;

static int open_port(int flags)
{
    int fd = open("/dev/port", flags);
    if (fd < 0) {
        printf("FAIL open /dev/port: %s\n", strerror(errno));
        exit(1);
    }
    return fd;
}

/* pread and pwrite at offsets, and what an offset past the ports gives. */
static void case_positional(void)
{
    int fd = open_port(O_RDWR);
    uint8_t b = 0;
    CHECK_EQ("pread 0x379 count", pread(fd, &b, 1, 0x379), 1);
    CHECK_EQ("lpt status", b, 0xd8);
    uint8_t w[2] = { 0x11, 0x22 };
    CHECK_EQ("pwrite 0x300 count", pwrite(fd, w, 2, 0x300), 2);
    uint8_t r[4] = { 0 };
    CHECK_EQ("pread 0x300 count", pread(fd, r, 4, 0x300), 4);
    CHECK_EQ("byte at 0x300", r[0], 0x11); /* a 2-byte pwrite is two byte writes */
    CHECK_EQ("byte at 0x301", r[1], 0x22);
    CHECK_EQ("byte at 0x302", r[2], 0x00);
    CHECK_EQ("pread at 0xffff stops at the last port", pread(fd, r, 4, 0xffff), 1);
    CHECK_EQ("pread at 0x10000 is end of file", pread(fd, r, 4, 0x10000), 0);
    CHECK_EQ("pwrite at 0x10000 writes nothing", pwrite(fd, r, 4, 0x10000), 0);
    CHECK_EQ("pread at -1", ERRNO_OF(pread(fd, r, 1, -1)), EINVAL);
    CHECK_EQ("pread of nothing", pread(fd, r, 0, 0x300), 0);
    close(fd);
}

/* read and write at the position, which they move; lseek's rules. */
static void case_position(void)
{
    int fd = open_port(O_RDWR);
    CHECK_EQ("seek to 0x300", lseek(fd, 0x300, SEEK_SET), 0x300);
    CHECK_EQ("write 3", write(fd, "abc", 3), 3);
    CHECK_EQ("position after", lseek(fd, 0, SEEK_CUR), 0x303);
    CHECK_EQ("seek back 3", lseek(fd, -3, SEEK_CUR), 0x300);
    char r[3];
    CHECK_EQ("read 3", read(fd, r, 3), 3);
    CHECK_EQ("read back", memcmp(r, "abc", 3), 0);
    CHECK_EQ("SEEK_END", ERRNO_OF(lseek(fd, 0, SEEK_END)), EINVAL);
    CHECK_EQ("SEEK_DATA", ERRNO_OF(lseek(fd, 0, SEEK_DATA)), EINVAL);
    CHECK_EQ("seek to -1", ERRNO_OF(lseek(fd, -1, SEEK_SET)), EOVERFLOW);
    CHECK_EQ("seek past the ports", lseek(fd, 0x20000, SEEK_SET), 0x20000);
    CHECK_EQ("read past the ports", read(fd, r, 1), 0);
    struct iovec iov[2] = { { "x", 1 }, { "yz", 2 } };
    lseek(fd, 0x310, SEEK_SET);
    CHECK_EQ("writev", writev(fd, iov, 2), 3);
    char a[1], bc[2];
    struct iovec in[2] = { { a, 1 }, { bc, 2 } };
    lseek(fd, 0x310, SEEK_SET);
    CHECK_EQ("readv", readv(fd, in, 2), 3);
    CHECK_EQ("readv data", a[0] == 'x' && bc[0] == 'y' && bc[1] == 'z', 1);
    close(fd);
}

/* EBADF for the wrong access mode, EFAULT for a bad buffer (a read fails whole, a
 * write stops where its buffer ends), EEXIST and ENOTDIR from open. */
static void case_errors(void)
{
    int ro = open_port(O_RDONLY), wo = open_port(O_WRONLY);
    uint8_t b = 0;
    CHECK_EQ("write on O_RDONLY", ERRNO_OF(pwrite(ro, &b, 1, 0x300)), EBADF);
    CHECK_EQ("read on O_WRONLY", ERRNO_OF(pread(wo, &b, 1, 0x300)), EBADF);
    CHECK_EQ("read on O_RDONLY", pread(ro, &b, 1, 0x379), 1);
    uint8_t *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    CHECK_EQ("read into an unmapped buffer", ERRNO_OF(pread(ro, page + 4095, 2, 0x300)), EFAULT);
    lseek(ro, 0x300, SEEK_SET);
    CHECK_EQ("read into NULL", ERRNO_OF(read(ro, null_buf, 1)), EFAULT);
    CHECK_EQ("a failed read leaves the position", lseek(ro, 0, SEEK_CUR), 0x300);
    memset(page, 0x5a, 4096);
    close(ro);
    int rw = open_port(O_RDWR);
    CHECK_EQ("write from a buffer that ends", pwrite(rw, page + 4094, 4, 0x300), 2);
    CHECK_EQ("write from NULL", ERRNO_OF(pwrite(rw, null_buf, 1, 0x300)), EFAULT);
    CHECK_EQ("O_CREAT|O_EXCL", ERRNO_OF(open("/dev/port", O_RDWR | O_CREAT | O_EXCL, 0600)),
             EEXIST);
    CHECK_EQ("O_DIRECTORY", ERRNO_OF(open("/dev/port", O_RDONLY | O_DIRECTORY)), ENOTDIR);
    CHECK_EQ("/dev/portx is another file", ERRNO_OF(open("/dev/portx", O_RDONLY)), ENOENT);
    close(wo);
    close(rw);
    CHECK_EQ("closed", ERRNO_OF(read(rw, &b, 1)), EBADF);
}

/* A port --allow refuses ends the transfer there; the first one fails with EPERM. */
static void case_denied(void)
{
    int fd = open_port(O_RDWR);
    uint8_t r[16];
    CHECK_EQ("read from a refused port", ERRNO_OF(pread(fd, r, 1, 0x64)), EPERM);
    CHECK_EQ("read that runs into refused ports", pread(fd, r, 16, 0x37c), 4);
    close(fd);
}

/* The names of the device: relative, with dots and double slashes, openat. */
static void case_paths(void)
{
    static const char *const names[] = { "//dev/port", "/dev/./port", "/dev/../dev/port",
                                         "/./dev//port" };
    uint8_t b;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int fd = open(names[i], O_RDONLY);
        CHECK_EQ(names[i], fd >= 0 && pread(fd, &b, 1, 0x379) == 1 && b == 0xd8, 1);
        close(fd);
    }
    if (chdir("/dev") == 0) {
        int fd = open("port", O_RDONLY);
        CHECK_EQ("port from /dev", fd >= 0 && pread(fd, &b, 1, 0x379) == 1, 1);
        close(fd);
        int dev = open("/", O_RDONLY | O_DIRECTORY);
        fd = openat(dev, "dev/port", O_RDONLY);
        CHECK_EQ("openat(/, dev/port)", fd >= 0 && pread(fd, &b, 1, 0x379) == 1, 1);
        close(fd);
        close(dev);
    }
}

/* dup and fork share the position, as they share a real open file's. */
static void case_shared(void)
{
    int fd = open_port(O_RDWR);
    int d = dup(fd);
    lseek(fd, 0x300, SEEK_SET);
    CHECK_EQ("dup shares the position", lseek(d, 0, SEEK_CUR), 0x300);
    int d2 = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    CHECK_EQ("F_DUPFD_CLOEXEC at 20 or above", d2 >= 20, 1);
    CHECK_EQ("write through the duplicate", write(d2, "q", 1), 1);
    int d3 = dup2(fd, 40);
    CHECK_EQ("dup2", d3, 40);
    CHECK_EQ("position after the write", lseek(d3, 0, SEEK_CUR), 0x301);
    pid_t pid = fork();
    if (pid == 0)
        _exit(write(fd, "r", 1) == 1 ? 0 : 1);
    int st;
    waitpid(pid, &st, 0);
    CHECK_EQ("the child wrote", WIFEXITED(st) && WEXITSTATUS(st) == 0, 1);
    CHECK_EQ("the child moved the position", lseek(fd, 0, SEEK_CUR), 0x302);
    char r[2];
    CHECK_EQ("read back", pread(d, r, 2, 0x300), 2);
    CHECK_EQ("bytes", r[0] == 'q' && r[1] == 'r', 1);
    close(fd);
    close(d);
    close(d2);
    /* dup2 over a /dev/port descriptor leaves no trace of it. */
    int tmp = open("/dev/null", O_RDONLY);
    dup2(tmp, d3);
    CHECK_EQ("dup2 over it: /dev/null now", read(d3, r, 1), 0);
}

/* stdio on top: fopen, fread after fseek, fwrite, fdopen. */
static void case_stdio(void)
{
    FILE *f = fopen("/dev/port", "r+");
    CHECK_EQ("fopen", f != NULL, 1);
    setvbuf(f, NULL, _IONBF, 0);
    CHECK_EQ("fseek", fseek(f, 0x300, SEEK_SET), 0);
    CHECK_EQ("fwrite", fwrite("st", 1, 2, f), 2);
    CHECK_EQ("ftell", ftell(f), 0x302);
    fseek(f, 0x300, SEEK_SET);
    char r[2];
    CHECK_EQ("fread", fread(r, 1, 2, f), 2);
    CHECK_EQ("fread data", r[0] == 's' && r[1] == 't', 1);
    CHECK_EQ("fseek from the end", fseek(f, 0, SEEK_END), -1);
    CHECK_EQ("fclose", fclose(f), 0);
    int fd = open_port(O_RDONLY);
    FILE *g = fdopen(fd, "r");
    setvbuf(g, NULL, _IONBF, 0);
    fseek(g, 0x379, SEEK_SET);
    CHECK_EQ("fgetc on fdopen", fgetc(g), 0xd8);
    fclose(g);
    CHECK_EQ("fclose closed the descriptor", ERRNO_OF(fcntl(fd, F_GETFD)), EBADF);
}

/* A descriptor inherited over exec is still /dev/port in the new program (`child`). */
static void exec_with_port(const char *child)
{
    int fd = open_port(O_RDWR);
    lseek(fd, 0x379, SEEK_SET);
    char arg[16];
    snprintf(arg, sizeof arg, "%d", fd);
    execl("/proc/self/exe", "dev_port", child, arg, (char *)NULL);
    printf("FAIL exec: %s\n", strerror(errno));
    exit(1);
}

static void case_exec(void)
{
    exec_with_port("exec-child");
}

static void case_exec_moved(void)
{
    exec_with_port("exec-moved-child");
}

static int child_fd;

static void case_exec_child(void)
{
    uint8_t b = 0;
    CHECK_EQ("read at the inherited position", read(child_fd, &b, 1), 1);
    CHECK_EQ("lpt status", b, 0xd8);
    CHECK_EQ("write on it, still read-write", pwrite(child_fd, "z", 1, 0x300), 1);
}

/* The inherited descriptor moved by system calls the library does not see, before the
 * program's first call that asks about a descriptor: it is found under its new number. */
static void case_exec_moved_child(void)
{
    CHECK_EQ("dup3 by system call", syscall(SYS_dup3, child_fd, 40, 0), 40);
    CHECK_EQ("close by system call", syscall(SYS_close, child_fd), 0);
    uint8_t b = 0;
    CHECK_EQ("read at the inherited position", read(40, &b, 1), 1);
    CHECK_EQ("lpt status", b, 0xd8);
    CHECK_EQ("the old number is closed", ERRNO_OF(read(child_fd, &b, 1)), EBADF);
}

/* In the QEMU guest of tests/vm, under `iotrap run --backend devport --allow 0x378-0x37a`:
 * the program's emulated /dev/port reaches the real device (QEMU's LPT) through the
 * backend's real /dev/port, and --allow holds where the real file would not. */
static void case_vm(void)
{
    int fd = open_port(O_RDWR);
    uint8_t b = 0;
    CHECK_EQ("pwrite 0x378", pwrite(fd, "\x5a", 1, 0x378), 1);
    CHECK_EQ("pread 0x378", pread(fd, &b, 1, 0x378), 1);
    CHECK_EQ("QEMU's LPT data latch", b, 0x5a);
    CHECK_EQ("pwrite 0x378 again", pwrite(fd, "\xa5", 1, 0x378), 1);
    CHECK_EQ("pread 0x378 again", pread(fd, &b, 1, 0x378), 1);
    CHECK_EQ("QEMU's LPT data latch again", b, 0xa5);
    CHECK_EQ("the UART, outside --allow", ERRNO_OF(pread(fd, &b, 1, 0x3f8)), EPERM);
    close(fd);
}

static const struct progs_case cases[] = {
    {"positional", case_positional}, {"position", case_position}, {"errors", case_errors},
    {"denied", case_denied},         {"paths", case_paths},       {"shared", case_shared},
    {"stdio", case_stdio},           {"exec", case_exec},         {"exec-child", case_exec_child},
    {"exec-moved", case_exec_moved}, {"exec-moved-child", case_exec_moved_child},
    {"vm", case_vm},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    if (argc > 2)
        child_fd = atoi(argv[2]);
    return progs_main(argc, argv, cases);
}
