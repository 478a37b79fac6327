/* What each replaced driver does with its IOCTLs (codes and buffer layouts from the
 * public sources of each, see docs/wine.md).  Port accesses go to the iotrap session;
 * permission-map IOCTLs write the raw-access grants of the process concerned, which the
 * trap engine of that process consults (wine-dll/wine_grants.h). */
#include <stdarg.h>
#include <string.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "ddk/wdm.h"
#include "ddk/ntifs.h"

#include "wine-dll/driver.h"
#include "wine-dll/pe_port.h"
#include "wine-dll/unixlib.h"

#define MAP_BYTES 8192

/* A stand-in "pc" for accesses made on behalf of a driver IOCTL: the trace shows the
 * driver's code, not the application's. */
#define DRIVER_PC ((const void *)iotrap_dev_ioctl)

static NTSTATUS grant(ULONG pid, unsigned op, const BYTE *map)
{
    return iotrap_pe_grant(pid, op, map) == 0 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

static USHORT get_u16(const BYTE *b)
{
    return (USHORT)(b[0] | b[1] << 8);
}

static ULONG get_u32(const BYTE *b)
{
    return b[0] | b[1] << 8 | b[2] << 16 | (ULONG)b[3] << 24;
}

static void put(BYTE *b, ULONG v, unsigned width)
{
    for (unsigned i = 0; i < width; i++)
        b[i] = (BYTE)(v >> (8 * i));
}

/* ---- giveio.sys and dlportio.sys: opening them grants ports; no IOCTLs ------------ */

/* dlportio.sys (DriverLINX Port I/O, 1996) registers only create and close handlers.
 * Opening \\.\dlportio gives the opener the driver's permission map, which denies the
 * motherboard's ports 0x000-0x0FF and allows 0x100-0xFFFF; closing the handle keeps the
 * grant (dlportio.dll opens the device, closes it at once, then executes IN/OUT itself). */
#define DLPORTIO_DENIED_PORTS 0x100

static const BYTE *dlportio_map(void)
{
    static BYTE map[MAP_BYTES];
    static BOOL built;
    if (!built) {
        memset(map, 0xff, DLPORTIO_DENIED_PORTS / 8);
        built = TRUE;
    }
    return map;
}

NTSTATUS iotrap_dev_create(enum iotrap_dev_kind kind, ULONG client)
{
    /* Without a grant file raw access is open anyway: opening still succeeds, as it does
     * with both originals. */
    if (kind == IOTRAP_DEV_GIVEIO)
        iotrap_pe_grant(client, IOTRAP_WINE_GRANT_ALL, NULL);
    else if (kind == IOTRAP_DEV_DLPORTIO)
        iotrap_pe_grant(client, IOTRAP_WINE_GRANT_MAP, dlportio_map());
    return STATUS_SUCCESS;
}

/* ---- ioperm.sys (the seed) -------------------------------------------------------- */

#define IOCTL_IOPM_ENABLE_IO 0x80002000
#define IOCTL_IOPM_DISABLE_IO 0x80002004

static NTSTATUS ioperm_ioctl(struct iotrap_ioctl *io)
{
    switch (io->code) {
    case IOCTL_IOPM_ENABLE_IO:
        return grant(io->client, IOTRAP_WINE_GRANT_ALL, NULL);
    case IOCTL_IOPM_DISABLE_IO:
        return grant(io->client, IOTRAP_WINE_GRANT_NONE, NULL);
    default:
        return STATUS_UNSUCCESSFUL;
    }
}

/* ---- PortTalk (Beyond Logic) ------------------------------------------------------ */

#define IOCTL_IOPM_RESTRICT_ALL_ACCESS 0x9C402400
#define IOCTL_IOPM_ALLOW_EXCUSIVE_ACCESS 0x9C402404
#define IOCTL_SET_IOPM 0x9C402408
#define IOCTL_ENABLE_IOPM_ON_PROCESSID 0x9C40240C
#define IOCTL_READ_PORT_UCHAR 0x9C402410
#define IOCTL_WRITE_PORT_UCHAR 0x9C402414

/* The driver's local map, built by the first three IOCTLs and applied to a process by
 * ENABLE_IOPM_ON_PROCESSID; all ports denied until an IOCTL says otherwise. */
static BYTE porttalk_map[MAP_BYTES];
static BOOL porttalk_map_set;

/* PortTalk 2.0 sets STATUS_SUCCESS after every known IOCTL's work, so a too-short buffer
 * is not an error there: the request does nothing and succeeds (a short read returns
 * its one byte unread).  Only SET_IOPM's offset check and an unknown code fail. */
static NTSTATUS porttalk_ioctl(struct iotrap_ioctl *io)
{
    BYTE *b = io->buf;
    int st;
    if (!porttalk_map_set) {
        memset(porttalk_map, 0xff, sizeof(porttalk_map));
        porttalk_map_set = TRUE;
    }
    switch (io->code) {
    case IOCTL_IOPM_RESTRICT_ALL_ACCESS:
        memset(porttalk_map, 0xff, sizeof(porttalk_map));
        return STATUS_SUCCESS;
    case IOCTL_IOPM_ALLOW_EXCUSIVE_ACCESS:
        memset(porttalk_map, 0x00, sizeof(porttalk_map));
        return STATUS_SUCCESS;
    case IOCTL_SET_IOPM: {
        if (io->in_len < 3)
            return STATUS_SUCCESS;
        USHORT offset = get_u16(b);
        if (offset >= MAP_BYTES)
            return STATUS_ARRAY_BOUNDS_EXCEEDED;
        porttalk_map[offset] = b[2];
        return STATUS_SUCCESS;
    }
    case IOCTL_ENABLE_IOPM_ON_PROCESSID: {
        if (io->in_len < 4)
            return STATUS_SUCCESS;
        ULONG pid = get_u32(b);
        PEPROCESS process;
        /* PortTalk ignores a failed lookup and still answers success; no process gets
         * the map then. */
        if (!NT_SUCCESS(PsLookupProcessByProcessId(ULongToHandle(pid), &process)))
            return STATUS_SUCCESS;
        ObDereferenceObject(process);
        return grant(pid, IOTRAP_WINE_GRANT_MAP, porttalk_map);
    }
    case IOCTL_READ_PORT_UCHAR:
        if (io->out_len < 1)
            return STATUS_SUCCESS;
        if (io->in_len >= 2)
            b[0] = (BYTE)iotrap_pe_in(get_u16(b), 1, DRIVER_PC, &st);
        else if (io->in_len == 0)
            b[0] = 0;   /* the original returns whatever its buffer held */
        io->info = 1;
        return STATUS_SUCCESS;
    case IOCTL_WRITE_PORT_UCHAR:
        if (io->in_len >= 3)
            iotrap_pe_out(get_u16(b), 1, b[2], DRIVER_PC);
        return STATUS_SUCCESS;
    default:
        return STATUS_UNSUCCESSFUL;
    }
}

/* ---- inpout32.sys / inpoutx64.sys / hwinterface*.sys ------------------------------ */

#define IOCTL_INPOUT_READ_PORT_UCHAR 0x9C402004
#define IOCTL_INPOUT_WRITE_PORT_UCHAR 0x9C402008
#define IOCTL_INPOUT_READ_PORT_USHORT 0x9C40200C
#define IOCTL_INPOUT_WRITE_PORT_USHORT 0x9C402010
#define IOCTL_INPOUT_READ_PORT_ULONG 0x9C402014
#define IOCTL_INPOUT_WRITE_PORT_ULONG 0x9C402018
#define IOCTL_INPOUT_MAPPHYSTOLIN 0x9C40201C
#define IOCTL_INPOUT_UNMAPPHYSADDR 0x9C402020

/* Reads take the port in the first two bytes (a USHORT, or the low half of the ULONG the
 * 32-bit-port calls send) and return the value in place.  Writes take {USHORT port;
 * UCHAR value}, {USHORT port; USHORT value} or {ULONG port; ULONG value}. */
static NTSTATUS inpout_ioctl(struct iotrap_ioctl *io)
{
    BYTE *b = io->buf;
    unsigned width;
    int st;
    switch (io->code) {
    case IOCTL_INPOUT_READ_PORT_UCHAR:
    case IOCTL_INPOUT_READ_PORT_USHORT:
    case IOCTL_INPOUT_READ_PORT_ULONG:
        width = io->code == IOCTL_INPOUT_READ_PORT_UCHAR ? 1
              : io->code == IOCTL_INPOUT_READ_PORT_USHORT ? 2 : 4;
        if (io->in_len < 2 || io->out_len < width)
            return STATUS_BUFFER_TOO_SMALL;
        put(b, iotrap_pe_in(get_u16(b), width, DRIVER_PC, &st), width);
        io->info = width;
        return STATUS_SUCCESS;
    case IOCTL_INPOUT_WRITE_PORT_UCHAR:
        if (io->in_len < 3)
            return STATUS_BUFFER_TOO_SMALL;
        iotrap_pe_out(get_u16(b), 1, b[2], DRIVER_PC);
        return STATUS_SUCCESS;
    case IOCTL_INPOUT_WRITE_PORT_USHORT:
        if (io->in_len < 4)
            return STATUS_BUFFER_TOO_SMALL;
        iotrap_pe_out(get_u16(b), 2, get_u16(b + 2), DRIVER_PC);
        return STATUS_SUCCESS;
    case IOCTL_INPOUT_WRITE_PORT_ULONG:
        if (io->in_len < 8)
            return STATUS_BUFFER_TOO_SMALL;
        iotrap_pe_out(get_u16(b), 4, get_u32(b + 4), DRIVER_PC);
        return STATUS_SUCCESS;
    case IOCTL_INPOUT_MAPPHYSTOLIN:
    case IOCTL_INPOUT_UNMAPPHYSADDR:
        return STATUS_NOT_SUPPORTED;   /* physical memory: not provided */
    default:
        return STATUS_UNSUCCESSFUL;
    }
}

/* ---- WinIo ------------------------------------------------------------------------ */

#define IOCTL_WINIO_MAPPHYSTOLIN 0x80102040
#define IOCTL_WINIO_UNMAPPHYSADDR 0x80102044
#define IOCTL_WINIO_ENABLEDIRECTIO 0x80102048
#define IOCTL_WINIO_DISABLEDIRECTIO 0x8010204C
#define IOCTL_WINIO_READPORT 0x80102050
#define IOCTL_WINIO_WRITEPORT 0x80102054

/* Port requests carry a packed {USHORT port; ULONG value; UCHAR size}. */
#define WINIO_PORT_STRUCT 7

static NTSTATUS winio_ioctl(struct iotrap_ioctl *io)
{
    BYTE *b = io->buf;
    int st;
    switch (io->code) {
    case IOCTL_WINIO_ENABLEDIRECTIO:
        return grant(io->client, IOTRAP_WINE_GRANT_ALL, NULL);
    case IOCTL_WINIO_DISABLEDIRECTIO:
        return grant(io->client, IOTRAP_WINE_GRANT_NONE, NULL);
    case IOCTL_WINIO_READPORT: {
        if (io->in_len < WINIO_PORT_STRUCT || io->out_len < WINIO_PORT_STRUCT)
            return STATUS_BUFFER_TOO_SMALL;
        BYTE size = b[6];
        if (size != 1 && size != 2 && size != 4)
            return STATUS_INVALID_PARAMETER;
        put(b + 2, iotrap_pe_in(get_u16(b), size, DRIVER_PC, &st), 4);
        io->info = WINIO_PORT_STRUCT;
        return STATUS_SUCCESS;
    }
    case IOCTL_WINIO_WRITEPORT: {
        if (io->in_len < WINIO_PORT_STRUCT)
            return STATUS_BUFFER_TOO_SMALL;
        BYTE size = b[6];
        if (size != 1 && size != 2 && size != 4)
            return STATUS_INVALID_PARAMETER;
        iotrap_pe_out(get_u16(b), size, get_u32(b + 2), DRIVER_PC);
        return STATUS_SUCCESS;
    }
    case IOCTL_WINIO_MAPPHYSTOLIN:
    case IOCTL_WINIO_UNMAPPHYSADDR:
        return STATUS_NOT_SUPPORTED;
    default:
        return STATUS_INVALID_DEVICE_REQUEST;
    }
}

NTSTATUS iotrap_dev_ioctl(enum iotrap_dev_kind kind, struct iotrap_ioctl *io)
{
    switch (kind) {
    case IOTRAP_DEV_IOPERM:
        return ioperm_ioctl(io);
    case IOTRAP_DEV_PORTTALK:
        return porttalk_ioctl(io);
    case IOTRAP_DEV_INPOUT:
        return inpout_ioctl(io);
    case IOTRAP_DEV_WINIO:
        return winio_ioctl(io);
    case IOTRAP_DEV_GIVEIO:
    case IOTRAP_DEV_DLPORTIO:
    default:
        /* Neither giveio.sys nor dlportio.sys has an IOCTL handler: Windows' I/O manager
         * answers every code with STATUS_INVALID_DEVICE_REQUEST. */
        return STATUS_INVALID_DEVICE_REQUEST;
    }
}
