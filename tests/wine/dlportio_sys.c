/* dlportio.sys (DriverLINX Port I/O): the driver has no IOCTLs.  dlportio.dll opens
 * \\.\dlportio with GENERIC_READ, closes the handle at once and then executes IN/OUT
 * itself; the open gave the process ports 0x100-0xFFFF, while 0x000-0x0FF stay denied.
 * This program does what that DLL does.  The default board: LPT at 0x378, CMOS at 0x70. */
#include "common.h"

int main(void)
{
    HANDLE h = CreateFileA("\\\\.\\dlportio", GENERIC_READ, 0, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK(h != INVALID_HANDLE_VALUE, "CreateFile(\\\\.\\dlportio) (error %lu)",
          h == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    if (h == INVALID_HANDLE_VALUE)
        return finish();

    /* Codes a program might guess: the DDK genport sample's READ_PORT_UCHAR, an inpout32
     * read, and 0.  Each fails as a device without an IOCTL handler does. */
    static const DWORD codes[] = { 0x9C406400, 0x9C402004, 0 };
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        ULONG port = 0x378;
        UCHAR v = 0;
        DWORD n;
        SetLastError(0);
        BOOL ok = DeviceIoControl(h, codes[i], &port, sizeof(port), &v, 1, &n, NULL);
        DWORD err = GetLastError();
        CHECK(!ok && err == ERROR_INVALID_FUNCTION,
              "IOCTL 0x%08lx fails with ERROR_INVALID_FUNCTION (error %lu)", codes[i], err);
    }
    CloseHandle(h);

    /* The grant outlives the handle, as dlportio.dll relies on. */
    UCHAR v = 0;
    CHECK(try_outb(0x378, 0xA5), "raw OUT 0x378 after the handle is closed");
    CHECK(try_inb(0x378, &v) && v == 0xA5, "raw IN 0x378 = 0x%02x", v);
    CHECK(try_inb(0x100, &v), "raw IN 0x100 (the first port of the map) is allowed");
    CHECK(!try_inb(0xFF, &v) && priv_code == EXCEPTION_PRIV_INSTRUCTION,
          "raw IN 0xFF (below 0x100) raises EXCEPTION_PRIV_INSTRUCTION");
    CHECK(!try_outb(0x70, 0x0A) && priv_code == EXCEPTION_PRIV_INSTRUCTION,
          "raw OUT 0x70 (CMOS index) raises EXCEPTION_PRIV_INSTRUCTION");
    /* However many there are: each refused access is one exception at its own address,
     * and the program goes on after each. */
    int refused = 0;
    for (int i = 0; i < 64; i++) {
        priv_code = 0;
        int denied = i & 1 ? !try_outb(0x20 + i % 16, 0) : !try_inb(0x20 + i % 16, &v);
        refused += denied && priv_code == EXCEPTION_PRIV_INSTRUCTION;
    }
    CHECK(refused == 64, "64 more refused raw INs and OUTs each raise EXCEPTION_PRIV_INSTRUCTION "
          "(%d did)", refused);
    CHECK(try_inb(0x378, &v) && v == 0xA5, "and a granted raw IN still reads 0x%02x", v);
    return finish();
}
