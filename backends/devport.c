/* The devport backend: real ports through /dev/port (CAP_SYS_RAWIO, CONFIG_DEVPORT).
 *
 * The kernel serves /dev/port one byte at a time: a pread or pwrite of N bytes at offset
 * PORT does inb/outb at PORT, PORT+1, ... PORT+N-1.  So a 2- or 4-byte access here is two
 * or four byte accesses at consecutive ports, least significant byte first — not one
 * inw/inl/outw/outl.  That is what a device that decodes only byte accesses sees anyway
 * (QEMU's LPT and UART), but it differs from hardware for registers that are wider than a
 * byte or react to the access size: a 16-bit data port that advances a FIFO by one word
 * per access (ATA 0x1f0), the 32-bit PCI configuration data port 0xcfc, or a register
 * pair whose high byte lives at the next port for byte access only.
 * A string (REP INS/OUTS) is one pread/pwrite per element at the same port.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "backends/backend.h"

struct devport_priv {
    int fd;
};

static const char *path_of(const char *args)
{
    return args && *args ? args : "/dev/port";
}

static int status_of(int e)
{
    if (e == ENOENT || e == ENODEV || e == ENXIO)
        return IOTRAP_E_NODEV;
    if (e == EACCES || e == EPERM)
        return IOTRAP_E_PERM;
    return IOTRAP_E_SYSTEM;
}

static int devport_probe(const char *args, char *why, size_t len)
{
    const char *path = path_of(args);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(why, len, "open %s: %s%s", path, strerror(e),
                 e == ENOENT ? " (kernel without CONFIG_DEVPORT?)"
                 : e == EACCES || e == EPERM ? " (needs CAP_SYS_RAWIO)" : "");
        return status_of(e);
    }
    close(fd);
    snprintf(why, len, "%s opens read-write", path);
    return IOTRAP_OK;
}

static int devport_open(struct iotrap__backend_instance *bi,
                        const struct iotrap__backend_params *bp, char *err, size_t errlen)
{
    struct devport_priv *p = bi->priv;
    const char *path = path_of(bp->args);
    p->fd = open(path, O_RDWR | O_CLOEXEC);
    if (p->fd < 0) {
        int e = errno;
        p->fd = -1;
        snprintf(err, errlen, "open %s: %s%s", path, strerror(e),
                 e == ENOENT ? " (kernel without CONFIG_DEVPORT?)"
                 : e == EACCES || e == EPERM ? " (needs CAP_SYS_RAWIO)" : "");
        return status_of(e);
    }
    return IOTRAP_OK;
}

static void devport_close(struct iotrap__backend_instance *bi)
{
    struct devport_priv *p = bi->priv;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

static int devport_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                      uint32_t *value)
{
    struct devport_priv *p = bi->priv;
    uint8_t b[4];
    if ((unsigned)port + width > 0x10000)
        return IOTRAP_E_RANGE;
    if (pread(p->fd, b, width, port) != (ssize_t)width)
        return IOTRAP_E_IO;
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint32_t)b[i] << (8 * i);
    *value = v;
    return IOTRAP_OK;
}

static int devport_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                       uint32_t value)
{
    struct devport_priv *p = bi->priv;
    uint8_t b[4];
    if ((unsigned)port + width > 0x10000)
        return IOTRAP_E_RANGE;
    for (unsigned i = 0; i < width; i++)
        b[i] = (uint8_t)(value >> (8 * i));
    if (pwrite(p->fd, b, width, port) != (ssize_t)width)
        return IOTRAP_E_IO;
    return IOTRAP_OK;
}

static int devport_in_string(struct iotrap__backend_instance *bi, uint16_t port,
                             unsigned width, void *buf, size_t count)
{
    struct devport_priv *p = bi->priv;
    uint8_t *d = buf;
    if ((unsigned)port + width > 0x10000)
        return IOTRAP_E_RANGE;
    for (size_t i = 0; i < count; i++, d += width)
        if (pread(p->fd, d, width, port) != (ssize_t)width)
            return IOTRAP_E_IO;
    return IOTRAP_OK;
}

static int devport_out_string(struct iotrap__backend_instance *bi, uint16_t port,
                              unsigned width, const void *buf, size_t count)
{
    struct devport_priv *p = bi->priv;
    const uint8_t *s = buf;
    if ((unsigned)port + width > 0x10000)
        return IOTRAP_E_RANGE;
    for (size_t i = 0; i < count; i++, s += width)
        if (pwrite(p->fd, s, width, port) != (ssize_t)width)
            return IOTRAP_E_IO;
    return IOTRAP_OK;
}

const struct iotrap__backend iotrap__backend_devport = {
    .name = "devport",
    .summary = "real ports through /dev/port (byte accesses only; CAP_SYS_RAWIO)",
    .caps = IOTRAP__CAP_REAL,
    .priv_size = sizeof(struct devport_priv),
    .probe = devport_probe,
    .open = devport_open,
    .close = devport_close,
    .in = devport_in,
    .out = devport_out,
    .in_string = devport_in_string,
    .out_string = devport_out_string,
};
