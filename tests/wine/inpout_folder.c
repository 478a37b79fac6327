/* inpout32 as applications ship it: a native inpout32.dll (inpoutx64.dll) sits in the
 * program's folder.  The iotrap builtin must win over it: the dummy answers Inp32 with
 * 0x42 and says IsInpOutDriverOpen() == FALSE, the builtin reaches the board. */
#include "common.h"

typedef short (WINAPI *inp_fn)(short);
typedef void (WINAPI *out_fn)(short, short);
typedef BOOL (WINAPI *bool_fn)(void);
typedef UCHAR (WINAPI *rd8_fn)(USHORT);
typedef void (WINAPI *wr8_fn)(USHORT, UCHAR);
typedef USHORT (WINAPI *rd16_fn)(USHORT);
typedef void (WINAPI *wr16_fn)(USHORT, USHORT);
typedef ULONG (WINAPI *rd32_fn)(ULONG);
typedef void (WINAPI *wr32_fn)(ULONG, ULONG);
typedef PBYTE (WINAPI *map_fn)(PBYTE, DWORD, HANDLE *);
typedef BOOL (WINAPI *getphys_fn)(PBYTE, PDWORD);

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "inpout32.dll";
    HMODULE h = LoadLibraryA(name);
    CHECK(h != NULL, "LoadLibrary(%s) (error %lu)", name, h ? 0 : GetLastError());
    if (!h)
        return finish();
    char path[MAX_PATH];
    GetModuleFileNameA(h, path, sizeof(path));
    printf("loaded from %s\n", path);

    inp_fn inp = (inp_fn)GetProcAddress(h, "Inp32");
    out_fn outp = (out_fn)GetProcAddress(h, "Out32");
    bool_fn is_open = (bool_fn)GetProcAddress(h, "IsInpOutDriverOpen");
    bool_fn is64 = (bool_fn)GetProcAddress(h, "IsXP64Bit");
    rd8_fn rd8 = (rd8_fn)GetProcAddress(h, "DlPortReadPortUchar");
    wr8_fn wr8 = (wr8_fn)GetProcAddress(h, "DlPortWritePortUchar");
    rd16_fn rd16 = (rd16_fn)GetProcAddress(h, "DlPortReadPortUshort");
    wr16_fn wr16 = (wr16_fn)GetProcAddress(h, "DlPortWritePortUshort");
    rd32_fn rd32 = (rd32_fn)GetProcAddress(h, "DlPortReadPortUlong");
    wr32_fn wr32 = (wr32_fn)GetProcAddress(h, "DlPortWritePortUlong");
    map_fn map = (map_fn)GetProcAddress(h, "MapPhysToLin");
    getphys_fn getphys = (getphys_fn)GetProcAddress(h, "GetPhysLong");
    CHECK(inp && outp && is_open && is64 && rd8 && wr8 && rd16 && wr16 && rd32 && wr32 && map &&
          getphys, "every export is there");
    CHECK(GetProcAddress(h, (LPCSTR)1) == (FARPROC)inp, "Inp32 is ordinal 1");
    if (!(inp && outp && is_open && rd8 && wr8 && rd16 && wr16 && rd32 && wr32 && map && getphys))
        return finish();

    CHECK(is_open(), "IsInpOutDriverOpen() is TRUE (the builtin, not the dummy)");
    outp(0x378, 0x1AC);
    short v = inp(0x378);
    CHECK(v == 0xAC, "Out32(0x378, 0x1AC) then Inp32(0x378) = 0x%x (one byte: 0xac)", v);
    CHECK(inp(0x278) == 0xFF, "Inp32(0x278) = 0x%x: no device there", inp(0x278));
    wr8(0x378, 0x55);
    CHECK(rd8(0x378) == 0x55, "DlPortWritePortUchar/DlPortReadPortUchar 0x55");
    /* The RAM latch of the default board at 0x80 is 1 byte wide... a 16/32-bit access
     * to the LPT data + status ports reads data then status. */
    wr16(0x378, 0x1234);
    USHORT w = rd16(0x378);
    CHECK((w & 0xff) == 0x34, "DlPortWritePortUshort: low byte to 0x378, read back 0x%04x", w);
    wr32(0x378, 0x000000A5);
    ULONG d = rd32(0x378);
    CHECK((d & 0xff) == 0xA5, "DlPortReadPortUlong(0x378) = 0x%08lx", d);
    HANDLE mh = (HANDLE)1;
    SetLastError(0);
    CHECK(map((PBYTE)0xC0000, 4096, &mh) == NULL && GetLastError() == ERROR_NOT_SUPPORTED,
          "MapPhysToLin fails cleanly (error %lu)", GetLastError());
    DWORD pv;
    CHECK(!getphys((PBYTE)0xC0000, &pv), "GetPhysLong fails cleanly");
    CHECK(is64() == (sizeof(void *) == 8 ? TRUE : is64()), "IsXP64Bit answers");
    return finish();
}
