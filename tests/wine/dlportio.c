/* DLPortIO (dlportio.dll): single accesses, and the buffer calls, which repeat accesses to
 * ONE port (tests/wine.test checks the trace).  RAM latches at 0x300-0x31f, LPT at 0x378. */
#include "common.h"

typedef UCHAR (WINAPI *rd8_fn)(ULONG);
typedef void (WINAPI *wr8_fn)(ULONG, UCHAR);
typedef USHORT (WINAPI *rd16_fn)(ULONG);
typedef void (WINAPI *wr16_fn)(ULONG, USHORT);
typedef ULONG (WINAPI *rd32_fn)(ULONG);
typedef void (WINAPI *wr32_fn)(ULONG, ULONG);
typedef void (WINAPI *buf_fn)(ULONG, void *, ULONG);

int main(void)
{
    HMODULE m = LoadLibraryA("dlportio.dll");
    CHECK(m != NULL, "LoadLibrary(dlportio.dll) (error %lu)", m ? 0 : GetLastError());
    if (!m)
        return finish();
#define GET(t, n) t n = (t)GetProcAddress(m, "DlPort" #n)
    GET(rd8_fn, ReadPortUchar);
    GET(wr8_fn, WritePortUchar);
    GET(rd16_fn, ReadPortUshort);
    GET(wr16_fn, WritePortUshort);
    GET(rd32_fn, ReadPortUlong);
    GET(wr32_fn, WritePortUlong);
    GET(buf_fn, ReadPortBufferUchar);
    GET(buf_fn, ReadPortBufferUshort);
    GET(buf_fn, ReadPortBufferUlong);
    GET(buf_fn, WritePortBufferUchar);
    GET(buf_fn, WritePortBufferUshort);
    GET(buf_fn, WritePortBufferUlong);
    CHECK(ReadPortUchar && WritePortUchar && ReadPortUshort && WritePortUshort && ReadPortUlong &&
          WritePortUlong && ReadPortBufferUchar && ReadPortBufferUshort && ReadPortBufferUlong &&
          WritePortBufferUchar && WritePortBufferUshort && WritePortBufferUlong,
          "all twelve exports");

    WritePortUchar(0x300, 0x11);
    CHECK(ReadPortUchar(0x300) == 0x11, "Uchar");
    WritePortUshort(0x302, 0x2233);
    CHECK(ReadPortUshort(0x302) == 0x2233, "Ushort");
    WritePortUlong(0x304, 0x44556677);
    CHECK(ReadPortUlong(0x304) == 0x44556677, "Ulong");

    UCHAR out8[3] = { 'A', 'B', 'C' };
    WritePortBufferUchar(0x308, out8, 3);
    CHECK(ReadPortUchar(0x308) == 'C' && ReadPortUchar(0x309) == 0,
          "WritePortBufferUchar: 3 writes to 0x308, the last one stays");
    UCHAR in8[4] = { 0 };
    ReadPortBufferUchar(0x308, in8, 4);
    CHECK(in8[0] == 'C' && in8[3] == 'C', "ReadPortBufferUchar: 4 reads of 0x308");
    USHORT out16[2] = { 0x0102, 0x0304 };
    WritePortBufferUshort(0x30A, out16, 2);
    USHORT in16[2] = { 0 };
    ReadPortBufferUshort(0x30A, in16, 2);
    CHECK(in16[0] == 0x0304 && in16[1] == 0x0304, "Ushort buffers: 0x%04x", in16[0]);
    ULONG out32[2] = { 0xCAFEBABE, 0xDEADBEEF };
    WritePortBufferUlong(0x30C, out32, 2);
    ULONG in32[2] = { 0 };
    ReadPortBufferUlong(0x30C, in32, 2);
    CHECK(in32[0] == 0xDEADBEEF && in32[1] == 0xDEADBEEF, "Ulong buffers: 0x%08lx", in32[0]);
    CHECK(ReadPortUchar(0x10378) == ReadPortUchar(0x378), "ports are the low 16 bits of the ULONG");

    HANDLE h = CreateFileA("\\\\.\\dlportio", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK(h != INVALID_HANDLE_VALUE, "CreateFile(\\\\.\\dlportio)");
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    return finish();
}
