/* /dev/port, emulated: the file that gives root programs port I/O by position
 * (pread(fd, buf, 1, 0x379) is inb 0x379), reaching the session under its policy, whether
 * or not the host has the device (its kernel may lack CONFIG_DEVPORT, and the program
 * lacks CAP_SYS_RAWIO anyway).
 *
 * An open of /dev/port (shim/port_file_open.c) returns a memfd of 64 KiB that stands for
 * the device: the kernel keeps its position, which dup() and fork() share as they share a
 * real open file's, and fstat, close, poll and exec behave.  The descriptors are recorded
 * here (the memfd's name carries the access mode, so that a program started by exec finds
 * its inherited ones again), and read, write, pread, pwrite, readv, writev and lseek on
 * them are interposed to do what the kernel's read_port, write_port and memory_lseek do:
 * one byte access per byte at port, port+1, ... up to 0xffff, end of file beyond; EFAULT
 * for a bad buffer (a read that fails part way fails whole, a write returns what it did);
 * EBADF for the wrong access mode; SEEK_SET and SEEK_CUR only.  A port the policy refuses
 * ends the transfer there (EPERM if it was the first byte), with a message as for a
 * trapped instruction.  Everything on the read and write path is async-signal-safe. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>
#include <link.h>

#include "common/fmt.h"
#include "session/session.h"
#include "shim/shim.h"

#define MAX_PORT_FDS 64
#define PORTS 65536
#define MEMFD_NAME "iotrap-dev-port:"

struct port_fd {
    int fd1;      /* fd + 1; 0 when the slot is free */
    int accmode;  /* O_RDONLY, O_WRONLY or O_RDWR; -1 for O_PATH */
    dev_t dev;
    ino_t ino;
};

static struct port_fd table[MAX_PORT_FDS];
static int nmarked; /* slots in use: the fast path of every read and write */
static unsigned denials;

/* The C library's own functions (shim.h, iotrap__next). */
static struct {
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*pread)(int, void *, size_t, off_t);
    ssize_t (*pread64)(int, void *, size_t, off64_t);
    ssize_t (*pwrite)(int, const void *, size_t, off_t);
    ssize_t (*pwrite64)(int, const void *, size_t, off64_t);
    ssize_t (*readv)(int, const struct iovec *, int);
    ssize_t (*writev)(int, const struct iovec *, int);
    off_t (*lseek)(int, off_t, int);
    off64_t (*lseek64)(int, off64_t, int);
    ssize_t (*read_chk)(int, void *, size_t, size_t);
    ssize_t (*pread_chk)(int, void *, size_t, off_t, size_t);
    ssize_t (*pread64_chk)(int, void *, size_t, off64_t, size_t);
    int (*close)(int);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*fcntl)(int, int, ...);
    int (*fcntl64)(int, int, ...);
} real;

#define REAL(field, name) ((__typeof__(real.field))iotrap__next((void **)&real.field, name))

/* The fortified entries the C library gives programs built with _FORTIFY_SOURCE. */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen);

/* ---- The descriptors ------------------------------------------------------------- */

static void inherited(void);

static struct port_fd *find(int fd)
{
    if (fd < 0 || !__atomic_load_n(&nmarked, __ATOMIC_ACQUIRE))
        return NULL;
    for (int i = 0; i < MAX_PORT_FDS; i++)
        if (__atomic_load_n(&table[i].fd1, __ATOMIC_ACQUIRE) == fd + 1)
            return &table[i];
    return NULL;
}

static void unmark(int fd)
{
    struct port_fd *e = find(fd);
    if (e) {
        __atomic_store_n(&e->fd1, 0, __ATOMIC_RELEASE);
        __atomic_fetch_sub(&nmarked, 1, __ATOMIC_RELEASE);
    }
}

/* Records fd as a /dev/port descriptor with that access mode; -1 (EMFILE) when the table
 * is full. */
static int mark(int fd, int accmode)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    /* Already recorded as this very file (found again by the look for inherited ones):
     * kept, never briefly forgotten, which another thread's call would see. */
    struct port_fd *known = find(fd);
    if (known && known->dev == st.st_dev && known->ino == st.st_ino)
        return 0;
    unmark(fd);
    for (int i = 0; i < MAX_PORT_FDS; i++) {
        int free_slot = 0;
        if (__atomic_compare_exchange_n(&table[i].fd1, &free_slot, -1, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            table[i].accmode = accmode;
            table[i].dev = st.st_dev;
            table[i].ino = st.st_ino;
            __atomic_fetch_add(&nmarked, 1, __ATOMIC_RELEASE);
            __atomic_store_n(&table[i].fd1, fd + 1, __ATOMIC_RELEASE);
            return 0;
        }
    }
    errno = EMFILE;
    return -1;
}

/* The record of fd if it is still the memfd it was (a number closed behind the shim's
 * back and reused by another file is forgotten). */
static struct port_fd *port_fd(int fd)
{
    struct port_fd *e = find(fd);
    if (!e)
        return NULL;
    struct stat st;
    int saved = errno;
    if (fstat(fd, &st) != 0 || st.st_dev != e->dev || st.st_ino != e->ino) {
        unmark(fd);
        e = NULL;
    }
    errno = saved;
    return e;
}

int iotrap__port_file_create(int flags)
{
    int accmode = (flags & O_PATH) ? -1 : flags & O_ACCMODE;
    char name[32] = MEMFD_NAME;
    strcat(name, accmode == O_RDONLY ? "r" : accmode == O_WRONLY ? "w" : accmode < 0 ? "p" : "rw");
    int fd = memfd_create(name, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
    if (fd < 0)
        return -1;
    if (ftruncate(fd, PORTS) != 0 ||
        ((flags & O_NONBLOCK) && REAL(fcntl, "fcntl")(fd, F_SETFL, O_NONBLOCK) != 0) ||
        mark(fd, accmode) != 0) {
        int e = errno;
        REAL(close, "close")(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int iotrap__port_file_accmode(int fd)
{
    inherited();
    struct port_fd *e = port_fd(fd);
    return e ? e->accmode : -2;
}

/* Descriptors inherited over exec: their memfd's name says what they are.  The directory
 * is read into a stack buffer (no opendir and its 32 KiB buffer), and each descriptor's
 * link is read, which asks nothing of the file itself: an fstat() could wait on a FUSE
 * file whose server is another thread of this process, waiting for this look.  A
 * descriptor the process opened or duplicated before the look is found again and kept
 * as it is (mark()). */
static void scan_inherited(void)
{
    int dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd",
                           O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return;
    char buf[4096];
    ssize_t got;
    while ((got = getdents64(dir, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < got;) {
            const struct dirent64 *de = (const struct dirent64 *)(buf + off);
            off += de->d_reclen;
            int fd = atoi(de->d_name);
            if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd == dir)
                continue;
            char link[128];
            ssize_t n = readlinkat(dir, de->d_name, link, sizeof link - 1);
            if (n <= 0)
                continue;
            link[n] = '\0';
            const char *m = strstr(link, "/memfd:" MEMFD_NAME);
            if (m != link)
                continue;
            m += strlen("/memfd:" MEMFD_NAME);
            int accmode = strncmp(m, "rw", 2) == 0 ? O_RDWR : *m == 'r' ? O_RDONLY
                          : *m == 'w' ? O_WRONLY : -1;
            mark(fd, accmode);
        }
    }
    syscall(SYS_close, dir);
}

/* 0: the inherited descriptors are not looked for yet; SCAN_DONE: done; else the pid of
 * the process one of whose threads is looking. */
#define SCAN_DONE (-1)
static pid_t scan_state;

/* Looks for the inherited descriptors once, on the program's first call that asks about
 * a descriptor rather than at start: reading /proc/self/fd in a new process costs about as
 * much as the rest of the library's start, and what it finds matters only to these calls.
 * Found by their names, they are the same whatever the program did to its descriptors
 * before.  The looking thread has every signal blocked, so that no handler of its own can
 * wait for it; another thread waits. */
static void inherited(void)
{
    if (__atomic_load_n(&scan_state, __ATOMIC_ACQUIRE) == SCAN_DONE)
        return;
    int saved = errno;
    sigset_t all, old;
    sigfillset(&all);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, _NSIG / 8);
    pid_t self = (pid_t)syscall(SYS_getpid);
    for (;;) {
        pid_t seen = 0;
        if (__atomic_compare_exchange_n(&scan_state, &seen, self, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_ACQUIRE)) {
            scan_inherited();
            __atomic_store_n(&scan_state, SCAN_DONE, __ATOMIC_RELEASE);
            break;
        }
        if (seen == SCAN_DONE)
            break;
        /* A child forked while a thread of its parent was looking: that thread is not in
         * the child, which looks itself. */
        if (seen != self)
            __atomic_compare_exchange_n(&scan_state, &seen, 0, 0, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED);
        else
            syscall(SYS_sched_yield);
    }
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, _NSIG / 8);
    errno = saved;
}

/* The library's own code: its calls (on its board, run state, trace and grant files) are
 * never about a descriptor of the program, and must not pay for the look, nor make it
 * from a signal handler. */
static uintptr_t own_start, own_end;

/* This library's ELF header, where the linker puts it: at its load address, as the first
 * segment of a shared object starts at virtual address 0. */
extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

/* Found at the first call that asks, from the program headers: the same in every thread
 * that races to it. */
static void own_range(void)
{
    const ElfW(Phdr) *ph =
        (const ElfW(Phdr) *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);
    for (unsigned i = 0; i < __ehdr_start.e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
            uintptr_t start = (uintptr_t)&__ehdr_start + ph[i].p_vaddr;
            __atomic_store_n(&own_start, start, __ATOMIC_RELAXED);
            __atomic_store_n(&own_end, start + ph[i].p_memsz, __ATOMIC_RELEASE);
        }
}

static void program_asks(const void *caller)
{
    uintptr_t end = __atomic_load_n(&own_end, __ATOMIC_ACQUIRE);
    if (!end) {
        own_range();
        end = __atomic_load_n(&own_end, __ATOMIC_ACQUIRE);
    }
    uintptr_t start = __atomic_load_n(&own_start, __ATOMIC_RELAXED);
    if ((uintptr_t)caller - start >= end - start)
        inherited();
}

/* In each interposed function: its caller is what asks. */
#define PROGRAM_ASKS() program_asks(__builtin_return_address(0))

void iotrap__port_file_resolve(void)
{
    iotrap__next_resolve((void **)&real.read, "read");
    iotrap__next_resolve((void **)&real.write, "write");
    iotrap__next_resolve((void **)&real.pread, "pread");
    iotrap__next_resolve((void **)&real.pread64, "pread64");
    iotrap__next_resolve((void **)&real.pwrite, "pwrite");
    iotrap__next_resolve((void **)&real.pwrite64, "pwrite64");
    iotrap__next_resolve((void **)&real.readv, "readv");
    iotrap__next_resolve((void **)&real.writev, "writev");
    iotrap__next_resolve((void **)&real.lseek, "lseek");
    iotrap__next_resolve((void **)&real.lseek64, "lseek64");
    iotrap__next_resolve((void **)&real.close, "close");
    iotrap__next_resolve((void **)&real.dup, "dup");
    iotrap__next_resolve((void **)&real.dup2, "dup2");
    iotrap__next_resolve((void **)&real.dup3, "dup3");
    iotrap__next_resolve((void **)&real.fcntl, "fcntl");
    iotrap__next_resolve((void **)&real.fcntl64, "fcntl64");
}

/* ---- The transfers --------------------------------------------------------------- */

static void report(int writing, uint32_t port, uint64_t pc)
{
    if (iotrap__shim.quiet)
        return;
    char what[64];
    iotrap__fmt f;
    iotrap__fmt_init(&f, what, sizeof what);
    iotrap__fmt_str(&f, writing ? "/dev/port write to port " : "/dev/port read of port ");
    iotrap__fmt_0x(&f, port, 1);
    iotrap__say_denied(&denials, what, f.len, pc);
}

/* Reads or writes n bytes of ports from `pos` into or from buf, as read_port and
 * write_port do; returns the count or -1 with errno. */
static ssize_t transfer(const struct port_fd *e, int write, void *buf, size_t n, uint64_t pos,
                        uint64_t pc)
{
    if (e->accmode < 0 || e->accmode == (write ? O_RDONLY : O_WRONLY)) {
        errno = EBADF;
        return -1;
    }
    iotrap_ports *ports = iotrap__shim_session();
    uint8_t *b = buf;
    size_t done = 0;
    for (; done < n && pos + done < PORTS; done++) {
        uint16_t port = (uint16_t)(pos + done);
        uint8_t v = 0;
        int rc;
        if (write) {
            if (iotrap__safe_copy(&v, b + done, 1, NULL) != 1) {
                if (done)
                    break;
                errno = EFAULT;
                return -1;
            }
            rc = ports ? iotrap_ports_out(ports, port, 1, v, pc) : IOTRAP_E_DENIED;
        } else {
            uint32_t w = 0;
            rc = ports ? iotrap_ports_in(ports, port, 1, &w, pc) : IOTRAP_E_DENIED;
            v = (uint8_t)w;
        }
        if (rc == IOTRAP_E_DENIED)
            report(write, port, pc);
        if (rc != IOTRAP_OK) {
            if (done)
                break;
            errno = rc == IOTRAP_E_DENIED ? EPERM : EIO;
            return -1;
        }
        if (!write && iotrap__safe_copy(b + done, &v, 1, NULL) != 1) {
            errno = EFAULT; /* read_port fails whole, position unmoved */
            return -1;
        }
    }
    return (ssize_t)done;
}

/* A transfer at the descriptor's position, which moves by what was transferred. */
static ssize_t at_position(const struct port_fd *e, int fd, int write, void *buf, size_t n,
                           uint64_t pc)
{
    off64_t pos = REAL(lseek64, "lseek64")(fd, 0, SEEK_CUR);
    if (pos < 0)
        return -1;
    ssize_t r = transfer(e, write, buf, n, (uint64_t)pos, pc);
    if (r > 0)
        REAL(lseek64, "lseek64")(fd, pos + r, SEEK_SET);
    return r;
}

static ssize_t at_offset(const struct port_fd *e, int write, void *buf, size_t n, off64_t off,
                         uint64_t pc)
{
    if (off < 0) {
        errno = EINVAL;
        return -1;
    }
    return transfer(e, write, buf, n, (uint64_t)off, pc);
}

static ssize_t vector(const struct port_fd *e, int fd, int write, const struct iovec *iov,
                      int iovcnt, uint64_t pc)
{
    if (iovcnt < 0 || iovcnt > IOV_MAX) {
        errno = EINVAL;
        return -1;
    }
    ssize_t total = 0;
    for (int i = 0; i < iovcnt; i++) {
        ssize_t r = at_position(e, fd, write, iov[i].iov_base, iov[i].iov_len, pc);
        if (r < 0)
            return total ? total : -1;
        total += r;
        if ((size_t)r < iov[i].iov_len)
            break;
    }
    return total;
}

/* memory_lseek: SEEK_SET and SEEK_CUR to any position short of the errno range; no
 * SEEK_END.  (A position below 0, which the kernel would keep, is refused as the memfd
 * cannot hold it.) */
static off64_t port_seek(int fd, off64_t off, int whence)
{
    if (whence != SEEK_SET && whence != SEEK_CUR) {
        errno = EINVAL;
        return -1;
    }
    off64_t base = whence == SEEK_CUR ? REAL(lseek64, "lseek64")(fd, 0, SEEK_CUR) : 0;
    if (base < 0)
        return -1;
    uint64_t to = (uint64_t)base + (uint64_t)off;
    if (to >= (uint64_t)-4095) {
        errno = EOVERFLOW;
        return -1;
    }
    return REAL(lseek64, "lseek64")(fd, (off64_t)to, SEEK_SET);
}

/* ---- The interposed functions ---------------------------------------------------- */

#define PC ((uint64_t)(uintptr_t)__builtin_return_address(0))

IOTRAP__EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    return e ? at_position(e, fd, 0, buf, n, PC) : REAL(read, "read")(fd, buf, n);
}

IOTRAP__EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    return e ? at_position(e, fd, 1, (void *)buf, n, PC) : REAL(write, "write")(fd, buf, n);
}

IOTRAP__EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    if (!e || n > buflen)
        return REAL(read_chk, "__read_chk")(fd, buf, n, buflen); /* it reports the overflow */
    return at_position(e, fd, 0, buf, n, PC);
}

IOTRAP__EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    return e ? at_offset(e, 0, buf, n, off, PC) : REAL(pread, "pread")(fd, buf, n, off);
}

IOTRAP__EXPORT ssize_t pread64(int fd, void *buf, size_t n, off64_t off)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    return e ? at_offset(e, 0, buf, n, off, PC) : REAL(pread64, "pread64")(fd, buf, n, off);
}

IOTRAP__EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    if (!e || n > buflen)
        return REAL(pread_chk, "__pread_chk")(fd, buf, n, off, buflen);
    return at_offset(e, 0, buf, n, off, PC);
}

IOTRAP__EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    if (!e || n > buflen)
        return REAL(pread64_chk, "__pread64_chk")(fd, buf, n, off, buflen);
    return at_offset(e, 0, buf, n, off, PC);
}

IOTRAP__EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    return e ? at_offset(e, 1, (void *)buf, n, off, PC)
             : REAL(pwrite, "pwrite")(fd, buf, n, off);
}

IOTRAP__EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    return e ? at_offset(e, 1, (void *)buf, n, off, PC)
             : REAL(pwrite64, "pwrite64")(fd, buf, n, off);
}

IOTRAP__EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    return e ? vector(e, fd, 0, iov, iovcnt, PC) : REAL(readv, "readv")(fd, iov, iovcnt);
}

IOTRAP__EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    PROGRAM_ASKS();
    const struct port_fd *e = port_fd(fd);
    return e ? vector(e, fd, 1, iov, iovcnt, PC) : REAL(writev, "writev")(fd, iov, iovcnt);
}

IOTRAP__EXPORT off_t lseek(int fd, off_t off, int whence)
{
    PROGRAM_ASKS();
    if (!port_fd(fd))
        return REAL(lseek, "lseek")(fd, off, whence);
    off64_t r = port_seek(fd, off, whence);
    if (r != (off_t)r) { /* a 32-bit process's off_t */
        errno = EOVERFLOW;
        return -1;
    }
    return (off_t)r;
}

IOTRAP__EXPORT off64_t lseek64(int fd, off64_t off, int whence)
{
    PROGRAM_ASKS();
    return port_fd(fd) ? port_seek(fd, off, whence) : REAL(lseek64, "lseek64")(fd, off, whence);
}

IOTRAP__EXPORT int close(int fd)
{
    unmark(fd);
    return REAL(close, "close")(fd);
}

/* A duplicate of a /dev/port descriptor is one too. */
static int copied(int from, int to)
{
    const struct port_fd *e = to >= 0 ? port_fd(from) : NULL;
    if (e && mark(to, e->accmode) != 0) {
        REAL(close, "close")(to);
        return -1;
    }
    return to;
}

IOTRAP__EXPORT int dup(int fd)
{
    PROGRAM_ASKS();
    return copied(fd, REAL(dup, "dup")(fd));
}

IOTRAP__EXPORT int dup2(int fd, int to)
{
    PROGRAM_ASKS();
    if (fd != to)
        unmark(to);
    return copied(fd, REAL(dup2, "dup2")(fd, to));
}

IOTRAP__EXPORT int dup3(int fd, int to, int flags)
{
    PROGRAM_ASKS();
    if (fd != to)
        unmark(to);
    return copied(fd, REAL(dup3, "dup3")(fd, to, flags));
}

/* fcntl takes an int, a pointer or nothing; a long carries each of them in its place. */
static int fcntl_common(int (*f)(int, int, ...), int fd, int cmd, unsigned long arg)
{
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
        return copied(fd, f(fd, cmd, arg));
    return f(fd, cmd, arg);
}

IOTRAP__EXPORT int fcntl(int fd, int cmd, ...)
{
    PROGRAM_ASKS();
    va_list ap;
    va_start(ap, cmd);
    unsigned long arg = va_arg(ap, unsigned long);
    va_end(ap);
    return fcntl_common(REAL(fcntl, "fcntl"), fd, cmd, arg);
}

IOTRAP__EXPORT int fcntl64(int fd, int cmd, ...)
{
    PROGRAM_ASKS();
    va_list ap;
    va_start(ap, cmd);
    unsigned long arg = va_arg(ap, unsigned long);
    va_end(ap);
    int (*f)(int, int, ...) = REAL(fcntl64, "fcntl64");
    return fcntl_common(f ? f : REAL(fcntl, "fcntl"), fd, cmd, arg);
}

/* ---- stdio ----------------------------------------------------------------------- */

/* The C library's FILE reads through its own internal calls, which no interposition
 * reaches, so a FILE on /dev/port is a cookie stream whose functions are these. */
static ssize_t cookie_read(void *c, char *buf, size_t n)
{
    int fd = (int)(intptr_t)c;
    const struct port_fd *e = port_fd(fd);
    if (!e) {
        errno = EBADF;
        return -1;
    }
    return at_position(e, fd, 0, buf, n, 0);
}

static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
    int fd = (int)(intptr_t)c;
    const struct port_fd *e = port_fd(fd);
    if (!e) {
        errno = EBADF;
        return -1;
    }
    ssize_t r = at_position(e, fd, 1, (void *)buf, n, 0);
    return r < 0 ? 0 : r; /* a cookie write reports errors as a short count */
}

static int cookie_seek(void *c, off64_t *off, int whence)
{
    off64_t r = port_seek((int)(intptr_t)c, *off, whence);
    if (r < 0)
        return -1;
    *off = r;
    return 0;
}

static int cookie_close(void *c)
{
    return close((int)(intptr_t)c);
}

FILE *iotrap__port_file_stream(int fd, const char *mode)
{
    static const cookie_io_functions_t io = {
        .read = cookie_read, .write = cookie_write, .seek = cookie_seek, .close = cookie_close,
    };
    return fopencookie((void *)(intptr_t)fd, mode, io);
}
