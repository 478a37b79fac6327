/* The iotrap builtin driver: replacements for giveio.sys, PortTalk, the seed's
 * ioperm.sys, inpout32/inpoutx64 (and the older hwinterface), WinIo and dlportio.
 * Windows code (winegcc), loaded by winedevice.exe. */
#ifndef IOTRAP_WINE_DRIVER_H
#define IOTRAP_WINE_DRIVER_H

enum iotrap_dev_kind {
    IOTRAP_DEV_GIVEIO,
    IOTRAP_DEV_PORTTALK,
    IOTRAP_DEV_IOPERM,
    IOTRAP_DEV_INPOUT,
    IOTRAP_DEV_WINIO,
    IOTRAP_DEV_DLPORTIO
};

/* One IOCTL, METHOD_BUFFERED: `buf` holds `in_len` input bytes and receives up to
 * `out_len` output bytes; *info is set to the number of output bytes.  `client` is the
 * Windows process id of the caller; `caller` a stand-in pc for the trace. */
struct iotrap_ioctl {
    ULONG code;
    void *buf;
    ULONG in_len, out_len;
    ULONG client;
    ULONG_PTR info;
};

/* What opening the device does (giveio and dlportio grant raw access to the opener). */
NTSTATUS iotrap_dev_create(enum iotrap_dev_kind kind, ULONG client);
NTSTATUS iotrap_dev_ioctl(enum iotrap_dev_kind kind, struct iotrap_ioctl *io);

#endif
