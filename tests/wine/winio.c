/* WinIo: version 2 (WinIo.dll: InitializeWinIo, then raw IN/OUT in the program) and
 * version 3 (winio64.dll / winio32.dll), GetPortVal/SetPortVal at sizes 1, 2 and 4, and
 * the \\.\WINIO device's own IOCTLs.  The board has RAM latches at 0x300-0x31f. */
#include "common.h"
#include <stdbool.h>

typedef bool (WINAPI *init_fn)(void);
typedef void (WINAPI *shut_fn)(void);
typedef bool (WINAPI *get_fn)(WORD, PDWORD, BYTE);
typedef bool (WINAPI *set_fn)(WORD, DWORD, BYTE);

static void sizes(HMODULE m, const char *name, WORD port)
{
    get_fn get = (get_fn)GetProcAddress(m, "GetPortVal");
    set_fn set = (set_fn)GetProcAddress(m, "SetPortVal");
    DWORD v = 0;
    CHECK(set(port, 0xA5, 1) && get(port, &v, 1) && v == 0xA5, "%s size 1: 0x%lx", name, v);
    CHECK(set(port, 0xBEEF, 2) && get(port, &v, 2) && v == 0xBEEF, "%s size 2: 0x%lx", name, v);
    CHECK(set(port, 0x89ABCDEF, 4) && get(port, &v, 4) && v == 0x89ABCDEF, "%s size 4: 0x%lx",
          name, v);
    CHECK(get(port, &v, 1) && v == 0xEF, "%s size 1 after size 4: the low byte 0x%lx", name, v);
    CHECK(!get(port, &v, 3) && !set(port, 0, 3), "%s size 3 is refused", name);
}

int main(void)
{
    HMODULE v2 = LoadLibraryA("WinIo.dll");
    CHECK(v2 != NULL, "LoadLibrary(WinIo.dll) (error %lu)", v2 ? 0 : GetLastError());
    if (!v2)
        return finish();
    init_fn init = (init_fn)GetProcAddress(v2, "InitializeWinIo");
    shut_fn shut = (shut_fn)GetProcAddress(v2, "ShutdownWinIo");
    CHECK(init && init(), "InitializeWinIo()");
    sizes(v2, "WinIo.dll", 0x300);
    raw_outb(0x310, 0x3C);
    CHECK(raw_inb(0x310) == 0x3C, "raw OUT/IN 0x310 after InitializeWinIo");
    get_fn get = (get_fn)GetProcAddress(v2, "GetPortVal");
    DWORD v = 0;
    CHECK(get(0x310, &v, 1) && v == 0x3C, "GetPortVal sees the raw OUT: 0x%lx", v);
    shut();
    uint8_t b;
    CHECK(!try_inb(0x310, &b), "after ShutdownWinIo a raw IN raises EXCEPTION_PRIV_INSTRUCTION");
    CHECK(init(), "InitializeWinIo() again");
    CHECK(try_inb(0x310, &b) && b == 0x3C, "raw IN allowed again");

    HMODULE v3 = LoadLibraryA(sizeof(void *) == 8 ? "winio64.dll" : "winio32.dll");
    CHECK(v3 != NULL, "LoadLibrary(winio%s.dll)", sizeof(void *) == 8 ? "64" : "32");
    if (v3) {
        init_fn init3 = (init_fn)GetProcAddress(v3, "InitializeWinIo");
        CHECK(init3 && init3(), "v3 InitializeWinIo()");
        sizes(v3, "winio v3", 0x314);
    }

    HANDLE h = CreateFileA("\\\\.\\WINIO", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK(h != INVALID_HANDLE_VALUE, "CreateFile(\\\\.\\WINIO)");
    if (h != INVALID_HANDLE_VALUE) {
        /* #pragma pack(1) struct { USHORT port; ULONG value; UCHAR size; } */
        UCHAR ps[7] = { 0x18, 0x03, 0x34, 0x12, 0, 0, 2 };
        DWORD n;
        CHECK(DeviceIoControl(h, 0x80102054, ps, 7, NULL, 0, &n, NULL), "IOCTL WRITEPORT 0x318 "
              "<- 0x1234 (size 2)");
        UCHAR rs[7] = { 0x18, 0x03, 0, 0, 0, 0, 2 };
        CHECK(DeviceIoControl(h, 0x80102050, rs, 7, rs, 7, &n, NULL) && rs[2] == 0x34 &&
              rs[3] == 0x12, "IOCTL READPORT 0x318 -> 0x%02x%02x", rs[3], rs[2]);
        CHECK(DeviceIoControl(h, 0x8010204C, NULL, 0, NULL, 0, &n, NULL) && !try_inb(0x318, &b),
              "IOCTL DISABLEDIRECTIO: raw IN refused");
        CHECK(DeviceIoControl(h, 0x80102048, NULL, 0, NULL, 0, &n, NULL) && try_inb(0x318, &b) &&
              b == 0x34, "IOCTL ENABLEDIRECTIO: raw IN 0x318 = 0x%02x", b);
        SetLastError(0);
        CHECK(!DeviceIoControl(h, 0x80102040, ps, 7, ps, 7, &n, NULL),
              "IOCTL MAPPHYSTOLIN is not supported (error %lu)", GetLastError());
        CloseHandle(h);
    }
    return finish();
}
