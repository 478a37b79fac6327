/* io.dll (geekhideout): byte/word/dword calls and the bit helpers.  RAM latches at
 * 0x300-0x31f. */
#include "common.h"

typedef void (WINAPI *out8_fn)(short, char);
typedef void (WINAPI *out16_fn)(short, short);
typedef void (WINAPI *out32_fn)(short, int);
typedef char (WINAPI *in8_fn)(short);
typedef short (WINAPI *in16_fn)(short);
typedef int (WINAPI *in32_fn)(short);
typedef void (WINAPI *bit_fn)(short, char);
typedef short (WINAPI *getbit_fn)(short, char);
typedef short (WINAPI *shift_fn)(short, short);
typedef short (WINAPI *installed_fn)(void);

int main(void)
{
    HMODULE m = LoadLibraryA("io.dll");
    CHECK(m != NULL, "LoadLibrary(io.dll) (error %lu)", m ? 0 : GetLastError());
    if (!m)
        return finish();
#define GET(t, n) t n = (t)GetProcAddress(m, #n)
    GET(out8_fn, PortOut);
    GET(out16_fn, PortWordOut);
    GET(out32_fn, PortDWordOut);
    GET(in8_fn, PortIn);
    GET(in16_fn, PortWordIn);
    GET(in32_fn, PortDWordIn);
    GET(bit_fn, SetPortBit);
    GET(bit_fn, ClrPortBit);
    GET(bit_fn, NotPortBit);
    GET(getbit_fn, GetPortBit);
    GET(shift_fn, RightPortShift);
    GET(shift_fn, LeftPortShift);
    GET(installed_fn, IsDriverInstalled);
    CHECK(PortOut && PortWordOut && PortDWordOut && PortIn && PortWordIn && PortDWordIn &&
          SetPortBit && ClrPortBit && NotPortBit && GetPortBit && RightPortShift && LeftPortShift &&
          IsDriverInstalled, "all thirteen exports");

    CHECK(IsDriverInstalled() == 1, "IsDriverInstalled() = 1");
    PortOut(0x300, 0x0F);
    CHECK((unsigned char)PortIn(0x300) == 0x0F, "PortOut/PortIn");
    SetPortBit(0x300, 7);
    CHECK((unsigned char)PortIn(0x300) == 0x8F, "SetPortBit(7): 0x%02x", (unsigned char)PortIn(0x300));
    ClrPortBit(0x300, 0);
    CHECK((unsigned char)PortIn(0x300) == 0x8E, "ClrPortBit(0): 0x%02x", (unsigned char)PortIn(0x300));
    NotPortBit(0x300, 1);
    CHECK((unsigned char)PortIn(0x300) == 0x8C, "NotPortBit(1): 0x%02x", (unsigned char)PortIn(0x300));
    CHECK(GetPortBit(0x300, 7) == 1 && GetPortBit(0x300, 0) == 0, "GetPortBit");
    LeftPortShift(0x300, 1);
    CHECK((unsigned char)PortIn(0x300) == 0x19, "LeftPortShift(val 1): 0x%02x",
          (unsigned char)PortIn(0x300));
    RightPortShift(0x300, 1);
    CHECK((unsigned char)PortIn(0x300) == 0x8C, "RightPortShift(val 1): 0x%02x",
          (unsigned char)PortIn(0x300));
    PortWordOut(0x302, 0x1234);
    CHECK(PortWordIn(0x302) == 0x1234, "PortWordOut/PortWordIn");
    PortDWordOut(0x304, 0x76543210);
    CHECK(PortDWordIn(0x304) == 0x76543210, "PortDWordOut/PortDWordIn");
    return finish();
}
