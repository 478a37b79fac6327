/* PortTalk (Beyond Logic): the driver's own port IOCTLs, then its permission map applied
 * to this process with IOCTL_ENABLE_IOPM_ON_PROCESSID, then raw IN/OUT inside and outside
 * the map.  The default board: LPT at 0x378, UART at 0x3F8. */
#include "common.h"

#define IOCTL_IOPM_RESTRICT_ALL_ACCESS 0x9C402400
#define IOCTL_IOPM_ALLOW_EXCUSIVE_ACCESS 0x9C402404
#define IOCTL_SET_IOPM 0x9C402408
#define IOCTL_ENABLE_IOPM_ON_PROCESSID 0x9C40240C
#define IOCTL_READ_PORT_UCHAR 0x9C402410
#define IOCTL_WRITE_PORT_UCHAR 0x9C402414

static HANDLE h;

static BOOL ioctl(DWORD code, void *in, DWORD inlen, void *out, DWORD outlen)
{
    DWORD n;
    return DeviceIoControl(h, code, in, inlen, out, outlen, &n, NULL);
}

static BOOL set_iopm(USHORT offset, UCHAR value)
{
    UCHAR b[3] = { (UCHAR)offset, (UCHAR)(offset >> 8), value };
    return ioctl(IOCTL_SET_IOPM, b, 3, NULL, 0);
}

static BOOL enable_on(DWORD pid)
{
    return ioctl(IOCTL_ENABLE_IOPM_ON_PROCESSID, &pid, sizeof(pid), NULL, 0);
}

int main(void)
{
    h = CreateFileA("\\\\.\\PortTalk", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK(h != INVALID_HANDLE_VALUE, "CreateFile(\\\\.\\PortTalk)");
    if (h == INVALID_HANDLE_VALUE)
        return finish();

    UCHAR w[3] = { 0x78, 0x03, 0x5A };
    CHECK(ioctl(IOCTL_WRITE_PORT_UCHAR, w, 3, NULL, 0), "IOCTL_WRITE_PORT_UCHAR 0x378 <- 0x5a");
    USHORT port = 0x378;
    UCHAR v = 0;
    CHECK(ioctl(IOCTL_READ_PORT_UCHAR, &port, 2, &v, 1) && v == 0x5A,
          "IOCTL_READ_PORT_UCHAR 0x378 -> 0x%02x", v);
    port = 0x379;
    CHECK(ioctl(IOCTL_READ_PORT_UCHAR, &port, 2, &v, 1) && v == 0xD8,
          "IOCTL_READ_PORT_UCHAR 0x379 (LPT status) -> 0x%02x", v);

    /* Map: only 0x378-0x37F (map byte 0x6F) allowed. */
    CHECK(ioctl(IOCTL_IOPM_RESTRICT_ALL_ACCESS, NULL, 0, NULL, 0), "RESTRICT_ALL_ACCESS");
    CHECK(set_iopm(0x378 / 8, 0x00), "SET_IOPM byte 0x6f = 0");
    CHECK(!set_iopm(0x2000, 0x00), "SET_IOPM beyond the map fails");
    CHECK(enable_on(GetCurrentProcessId()), "ENABLE_IOPM_ON_PROCESSID(%lu)", GetCurrentProcessId());
    CHECK(try_inb(0x378, &v) && v == 0x5A, "raw IN 0x378 inside the map = 0x%02x", v);
    CHECK(try_outb(0x37A, 0x0C), "raw OUT 0x37A inside the map");
    CHECK(!try_inb(0x3F8, &v) && priv_code == EXCEPTION_PRIV_INSTRUCTION,
          "raw IN 0x3F8 outside the map raises EXCEPTION_PRIV_INSTRUCTION");
    /* PortTalk 2.0 ignores a failed PsLookupProcessByProcessId and answers success, and
     * it answers success for a buffer too short to hold the request. */
    CHECK(ioctl(IOCTL_IOPM_ALLOW_EXCUSIVE_ACCESS, NULL, 0, NULL, 0) && enable_on(0x7ffffff0),
          "ENABLE_IOPM_ON_PROCESSID of a process that does not exist succeeds");
    USHORT short_pid = (USHORT)GetCurrentProcessId();
    CHECK(ioctl(IOCTL_ENABLE_IOPM_ON_PROCESSID, &short_pid, 2, NULL, 0),
          "ENABLE_IOPM_ON_PROCESSID with 2 bytes succeeds");
    CHECK(!try_inb(0x3F8, &v) && priv_code == EXCEPTION_PRIV_INSTRUCTION,
          "neither changed this process's map: raw IN 0x3F8 still raises");
    UCHAR w_short[2] = { 0xF8, 0x03 };
    CHECK(ioctl(IOCTL_SET_IOPM, w_short, 2, NULL, 0), "SET_IOPM with 2 bytes succeeds");
    CHECK(ioctl(IOCTL_WRITE_PORT_UCHAR, w_short, 2, NULL, 0),
          "WRITE_PORT_UCHAR with 2 bytes succeeds and writes nothing");
    port = 0x378;
    CHECK(ioctl(IOCTL_READ_PORT_UCHAR, &port, 2, NULL, 0),
          "READ_PORT_UCHAR without an output buffer succeeds");

    CHECK(ioctl(IOCTL_IOPM_ALLOW_EXCUSIVE_ACCESS, NULL, 0, NULL, 0) &&
          enable_on(GetCurrentProcessId()), "ALLOW_EXCUSIVE_ACCESS applied to this process");
    CHECK(try_inb(0x3FD, &v), "raw IN 0x3FD (UART line status) now allowed = 0x%02x", v);
    DWORD n;
    SetLastError(0);
    CHECK(!DeviceIoControl(h, 0x9C402418, NULL, 0, NULL, 0, &n, NULL),
          "an unknown IOCTL fails (error %lu)", GetLastError());
    CloseHandle(h);
    return finish();
}
