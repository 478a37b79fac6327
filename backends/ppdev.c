/* The ppdev backend: a parallel port through the kernel's ppdev driver (/dev/parportN),
 * which needs no root, only access to the device node (usually group lp).
 *
 *   ppdev[:/dev/parportN[@BASE]]
 *
 * The program's accesses to BASE..BASE+7 become ioctls on the claimed port, whatever the
 * card's own address is (a PCIe card at 0xe050 serves a program that knows only 0x378):
 *   BASE+0  data     read PPRDATA, write PPWDATA
 *   BASE+1  status   read PPRSTATUS; writes are ignored, as the register is read-only
 *   BASE+2  control  write: bit 5 (direction) through PPDATADIR, bits 0-3 through
 *                    PPWCONTROL; read: bits 0-3 from PPRCONTROL, bits 4-5 as last
 *                    written, bits 6-7 read as 1 (unused lines; QEMU and most chipsets)
 *   BASE+3  EPP address, BASE+4 EPP data: read()/write() of one byte after
 *                    PPSETMODE(IEEE1284_MODE_EPP | IEEE1284_ADDR) or (IEEE1284_MODE_EPP)
 *   BASE+5..+7       the further EPP data bytes: refused (ppdev moves EPP data a byte
 *                    at a time through BASE+4)
 * EPP accesses are refused when the port has no EPP hardware (PPGETMODES): the kernel
 * would emulate EPP by bit-banging the control lines, which is not a register access.
 * Bit 4 of control (interrupt enable) belongs to the kernel driver: it is remembered for
 * reads but not passed on (while ppdev holds a port that has an IRQ, the kernel keeps
 * that bit set in the hardware register).  2- and 4-byte accesses are byte accesses at
 * consecutive ports, least significant byte first.
 *
 * BASE is, in this order: the @BASE of the arguments, the first port of the --route the
 * instance serves, or the card's own address from /proc/sys/dev/parport/parportN/base-addr.
 * Without a device the first /dev/parportN that exists is used.  The port is claimed once
 * at open (so other users of the parport wait for us) and released at close; the kernel
 * also releases it when the process exits.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "backends/backend.h"
#include "backends/devices/devices.h"
#include "common/parse.h"

#if defined(HAVE_LINUX_PPDEV_H) && defined(HAVE_LINUX_PARPORT_H)
#include <linux/parport.h>
#include <linux/ppdev.h>

struct ppdev_priv {
    int fd;
    uint16_t base;
    uint8_t ctl_high; /* control bits 4 and 5 as last written */
    int mode;         /* the IEEE 1284 mode last set with PPSETMODE */
    bool epp;         /* the port has EPP hardware (PARPORT_MODE_EPP) */
};

struct ppdev_args {
    char path[256];
    unsigned base;
};

/* The parport number of /dev/parportN, or -1. */
static int port_number(const char *path)
{
    const char *p = strstr(path, "parport");
    if (!p)
        return -1;
    char *end;
    long n = strtol(p + 7, &end, 10);
    return end != p + 7 && *end == '\0' && n >= 0 && n < 256 ? (int)n : -1;
}

static int base_from_proc(const char *path, unsigned *base)
{
    int n = port_number(path);
    if (n < 0)
        return -1;
    char proc[96];
    snprintf(proc, sizeof proc, "/proc/sys/dev/parport/parport%d/base-addr", n);
    FILE *f = fopen(proc, "re");
    if (!f)
        return -1;
    unsigned long v;
    int ok = fscanf(f, "%lu", &v) == 1 && v > 0 && v <= 0xfff8;
    fclose(f);
    if (!ok)
        return -1;
    *base = (unsigned)v;
    return 0;
}

static int parse_args(const char *args, int32_t route_first, struct ppdev_args *a, char *err,
                      size_t errlen)
{
    const char *at = strchr(args, '@');
    size_t plen = at ? (size_t)(at - args) : strlen(args);
    if (plen >= sizeof a->path) {
        snprintf(err, errlen, "ppdev: device path too long");
        return IOTRAP_E_INVAL;
    }
    if (plen == 0) {
        int i;
        for (i = 0; i < 8; i++) {
            snprintf(a->path, sizeof a->path, "/dev/parport%d", i);
            if (access(a->path, F_OK) == 0)
                break;
        }
        if (i == 8) {
            snprintf(err, errlen, "ppdev: no /dev/parportN exists (is the ppdev module loaded?)");
            return IOTRAP_E_NODEV;
        }
    } else {
        memcpy(a->path, args, plen);
        a->path[plen] = '\0';
    }
    if (at) {
        uint16_t v;
        char why[200];
        int rc = iotrap__port_parse(at + 1, strlen(at + 1), &v, NULL, why, sizeof why);
        if (rc == IOTRAP_OK && (v == 0 || v > 0xfff8))
            snprintf(why, sizeof why, "the registers BASE..BASE+7 must lie in 0x1-0xffff");
        if (rc != IOTRAP_OK || v == 0 || v > 0xfff8) {
            snprintf(err, errlen, "ppdev: bad base address '%s' (want e.g. @0x378): %s", at + 1,
                     why);
            return rc != IOTRAP_OK ? rc : IOTRAP_E_RANGE;
        }
        a->base = v;
    } else if (route_first >= 0) {
        if (route_first > 0xfff8) {
            snprintf(err, errlen, "ppdev: a route starting at 0x%x leaves no room for the "
                                  "registers BASE..BASE+7", (unsigned)route_first);
            return IOTRAP_E_RANGE;
        }
        a->base = (unsigned)route_first;
    } else if (base_from_proc(a->path, &a->base) != 0) {
        snprintf(err, errlen, "ppdev: cannot tell the base address of %s: give it as "
                              "ppdev:%s@0x378", a->path, a->path);
        return IOTRAP_E_INVAL;
    }
    return IOTRAP_OK;
}

static int status_of(int e)
{
    if (e == ENOENT || e == ENODEV || e == ENXIO)
        return IOTRAP_E_NODEV;
    if (e == EACCES || e == EPERM)
        return IOTRAP_E_PERM;
    if (e == EBUSY)
        return IOTRAP_E_BUSY;
    return IOTRAP_E_SYSTEM;
}

static int ppdev_probe(const char *args, char *why, size_t len)
{
    struct ppdev_args a;
    int rc = parse_args(args, -1, &a, why, len);
    if (rc != IOTRAP_OK)
        return rc;
    int fd = open(a.path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(why, len, "open %s: %s", a.path, strerror(e));
        return status_of(e);
    }
    close(fd);
    snprintf(why, len, "%s opens read-write (card at 0x%x)", a.path, a.base);
    return IOTRAP_OK;
}

static int ppdev_open(struct iotrap__backend_instance *bi, const struct iotrap__backend_params *bp,
                      char *err, size_t errlen)
{
    struct ppdev_priv *p = bi->priv;
    struct ppdev_args a;
    p->fd = -1;
    int rc = parse_args(bp->args, bp->route_first, &a, err, errlen);
    if (rc != IOTRAP_OK)
        return rc;
    int fd = open(a.path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "open %s: %s", a.path, strerror(e));
        return status_of(e);
    }
    if (ioctl(fd, PPCLAIM) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: PPCLAIM: %s", a.path, strerror(e));
        close(fd);
        return status_of(e);
    }
    /* Start from a known direction: forward, as after a reset. */
    int dir = 0, mode = IEEE1284_MODE_COMPAT;
    unsigned modes = 0;
    unsigned char ctl = 0;
    if (ioctl(fd, PPSETMODE, &mode) != 0 || ioctl(fd, PPDATADIR, &dir) != 0 ||
        ioctl(fd, PPRCONTROL, &ctl) != 0 || ioctl(fd, PPGETMODES, &modes) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: setting up the claimed port: %s", a.path, strerror(e));
        ioctl(fd, PPRELEASE);
        close(fd);
        return status_of(e);
    }
    p->fd = fd;
    p->base = (uint16_t)a.base;
    p->mode = mode;
    p->ctl_high = 0;
    p->epp = (modes & PARPORT_MODE_EPP) != 0;
    return IOTRAP_OK;
}

static void ppdev_close(struct iotrap__backend_instance *bi)
{
    struct ppdev_priv *p = bi->priv;
    if (p->fd < 0)
        return;
    ioctl(p->fd, PPRELEASE);
    close(p->fd);
    p->fd = -1;
}

static int set_mode(struct ppdev_priv *p, int mode)
{
    if (!p->epp)
        return IOTRAP_E_UNSUPPORTED;
    if (p->mode == mode)
        return IOTRAP_OK;
    if (ioctl(p->fd, PPSETMODE, &mode) != 0)
        return IOTRAP_E_IO;
    p->mode = mode;
    return IOTRAP_OK;
}

static int read_reg(struct ppdev_priv *p, unsigned reg, uint8_t *v)
{
    unsigned char b = 0;
    int rc = IOTRAP_OK;
    switch (reg) {
    case 0:
        rc = ioctl(p->fd, PPRDATA, &b) == 0 ? IOTRAP_OK : IOTRAP_E_IO;
        break;
    case 1:
        rc = ioctl(p->fd, PPRSTATUS, &b) == 0 ? IOTRAP_OK : IOTRAP_E_IO;
        break;
    case 2:
        rc = ioctl(p->fd, PPRCONTROL, &b) == 0 ? IOTRAP_OK : IOTRAP_E_IO;
        b = (unsigned char)(0xc0 | p->ctl_high | (b & 0x0f));
        break;
    case 3:
    case 4:
        rc = set_mode(p, reg == 3 ? (IEEE1284_MODE_EPP | IEEE1284_ADDR) : IEEE1284_MODE_EPP);
        if (rc == IOTRAP_OK && read(p->fd, &b, 1) != 1)
            rc = IOTRAP_E_IO;
        break;
    default:
        rc = IOTRAP_E_UNSUPPORTED;
    }
    *v = b;
    return rc;
}

static int write_reg(struct ppdev_priv *p, unsigned reg, uint8_t v)
{
    unsigned char b = v;
    switch (reg) {
    case 0:
        return ioctl(p->fd, PPWDATA, &b) == 0 ? IOTRAP_OK : IOTRAP_E_IO;
    case 1:
        return IOTRAP_OK;
    case 2: {
        /* Direction first, so that the second control write carries the new low bits
         * after the old ones, as one hardware write would change them. */
        if ((v ^ p->ctl_high) & 0x20) {
            int dir = (v & 0x20) != 0;
            if (ioctl(p->fd, PPDATADIR, &dir) != 0)
                return IOTRAP_E_IO;
        }
        p->ctl_high = v & 0x30;
        b = v & 0x0f;
        return ioctl(p->fd, PPWCONTROL, &b) == 0 ? IOTRAP_OK : IOTRAP_E_IO;
    }
    case 3:
    case 4: {
        int rc = set_mode(p, reg == 3 ? (IEEE1284_MODE_EPP | IEEE1284_ADDR) : IEEE1284_MODE_EPP);
        if (rc == IOTRAP_OK && write(p->fd, &b, 1) != 1)
            rc = IOTRAP_E_IO;
        return rc;
    }
    default:
        return IOTRAP_E_UNSUPPORTED;
    }
}

static int ppdev_window(const struct iotrap__backend_params *bp, uint16_t *first,
                        uint32_t *count, char *err, size_t errlen)
{
    struct ppdev_args a = {"", 0};
    int rc = parse_args(bp->args, bp->route_first, &a, err, errlen);
    *first = (uint16_t)a.base;
    *count = 8;
    return rc;
}

static int check_range(struct ppdev_priv *p, uint16_t port, unsigned width)
{
    if (port < p->base || (unsigned)port + width > (unsigned)p->base + 8)
        return IOTRAP_E_RANGE;
    if ((unsigned)port + width > (unsigned)p->base + 5)
        return IOTRAP_E_UNSUPPORTED;
    return IOTRAP_OK;
}

static int ppdev_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                    uint32_t *value)
{
    struct ppdev_priv *p = bi->priv;
    int rc = check_range(p, port, width);
    uint32_t v = 0;
    for (unsigned i = 0; rc == IOTRAP_OK && i < width; i++) {
        uint8_t b;
        rc = read_reg(p, port - p->base + i, &b);
        v |= (uint32_t)b << (8 * i);
    }
    if (rc == IOTRAP_OK)
        *value = v;
    return rc;
}

static int ppdev_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                     uint32_t value)
{
    struct ppdev_priv *p = bi->priv;
    int rc = check_range(p, port, width);
    for (unsigned i = 0; rc == IOTRAP_OK && i < width; i++)
        rc = write_reg(p, port - p->base + i, (uint8_t)(value >> (8 * i)));
    return rc;
}

/* The port's registers are a real LPT's: its data, status and control lines are the
 * cable's, as the lpt model names them. */
static int ppdev_describe(struct iotrap__backend_instance *bi, uint16_t port,
                          const iotrap_device_lines **lines)
{
    const struct ppdev_priv *p = bi->priv;
    if (port < p->base || port >= p->base + 8u)
        return 0;
    if (lines)
        *lines = iotrap__lpt_lines(port - p->base);
    return 1;
}

const struct iotrap__backend iotrap__backend_ppdev = {
    .name = "ppdev",
    .summary = "a parallel port through /dev/parportN (no root; registers BASE+0..+4)",
    .caps = IOTRAP__CAP_REAL,
    .priv_size = sizeof(struct ppdev_priv),
    .probe = ppdev_probe,
    .open = ppdev_open,
    .close = ppdev_close,
    .window = ppdev_window,
    .in = ppdev_in,
    .out = ppdev_out,
    .describe = ppdev_describe,
};

#else

static int ppdev_unavailable(const char *args, char *why, size_t len)
{
    (void)args;
    snprintf(why, len, "built without <linux/ppdev.h>");
    return IOTRAP_E_UNSUPPORTED;
}

static int ppdev_open(struct iotrap__backend_instance *bi, const struct iotrap__backend_params *bp,
                      char *err, size_t errlen)
{
    (void)bi;
    return ppdev_unavailable(bp->args, err, errlen);
}

static int ppdev_none_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                         uint32_t *value)
{
    (void)bi, (void)port, (void)width, (void)value;
    return IOTRAP_E_UNSUPPORTED;
}

static int ppdev_none_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                          uint32_t value)
{
    (void)bi, (void)port, (void)width, (void)value;
    return IOTRAP_E_UNSUPPORTED;
}

const struct iotrap__backend iotrap__backend_ppdev = {
    .name = "ppdev",
    .summary = "a parallel port through /dev/parportN (not built: no <linux/ppdev.h>)",
    .caps = IOTRAP__CAP_REAL,
    .probe = ppdev_unavailable,
    .open = ppdev_open,
    .in = ppdev_none_in,
    .out = ppdev_none_out,
};

#endif
