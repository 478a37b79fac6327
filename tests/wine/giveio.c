/* giveio.sys style: open \\.\giveio (which grants the process every port), close it at
 * once, then run raw string instructions: REP OUTSW and REP INSB with DF=1 (backwards),
 * and with the 0x66 (operand size) and, in 64-bit code, 0x67 (address size) prefixes.
 * The board has RAM latches at 0x300-0x31f (tests/wine.test). */
#include "common.h"

int main(void)
{
    HANDLE h = CreateFileA("\\\\.\\giveio", GENERIC_READ, 0, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK(h != INVALID_HANDLE_VALUE, "CreateFile(\\\\.\\giveio) (error %lu)",
          h == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    if (h == INVALID_HANDLE_VALUE)
        return finish();
    DWORD n;
    SetLastError(0);
    CHECK(!DeviceIoControl(h, 0x9C402000, NULL, 0, NULL, 0, &n, NULL),
          "giveio has no IOCTLs (error %lu)", GetLastError());
    CloseHandle(h);

    /* REP OUTSW, DF=1: elements go out last to first. */
    static uint16_t words[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
    uintptr_t si = (uintptr_t)&words[3], cx = 4;
    __asm__ volatile("std\n\trep outsw\n\tcld" : "+S"(si), "+c"(cx) : "d"(0x300) : "memory", "cc");
    CHECK(cx == 0 && si == (uintptr_t)words - 2, "REP OUTSW with DF=1: count 0, source moved "
          "back by 8 bytes");
    CHECK(raw_inb(0x300) == 0x11 && raw_inb(0x301) == 0x11,
          "the last word written (0x1111) is in the latches 0x300/0x301");

    /* REP INSB, DF=1. */
    raw_outb(0x302, 0x5C);
    static uint8_t bytes[6] = { 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE };
    uintptr_t di = (uintptr_t)&bytes[4];
    cx = 3;
    __asm__ volatile("std\n\trep insb\n\tcld" : "+D"(di), "+c"(cx) : "d"(0x302) : "memory", "cc");
    CHECK(cx == 0 && di == (uintptr_t)&bytes[1], "REP INSB with DF=1: count 0, destination moved "
          "back by 3");
    CHECK(bytes[0] == 0xEE && bytes[1] == 0xEE && bytes[2] == 0x5C && bytes[3] == 0x5C &&
          bytes[4] == 0x5C && bytes[5] == 0xEE, "REP INSB stored exactly bytes 2..4");

    /* 0x66: OUTSW is the 0x66-prefixed OUTSD; OUTSD without it, forward. */
    static uint32_t dwords[2] = { 0xA1B2C3D4, 0x01020304 };
    si = (uintptr_t)dwords;
    cx = 2;
    __asm__ volatile("cld\n\trep outsl" : "+S"(si), "+c"(cx) : "d"(0x304) : "memory", "cc");
    CHECK(raw_inb(0x304) == 0x04 && raw_inb(0x307) == 0x01, "REP OUTSD forward: last dword in "
          "0x304-0x307");
#ifdef _WIN64
    /* 0x67 in 64-bit code: 32-bit addressing, ESI/EDI/ECX.  The buffer must lie below
     * 4 GB; writing ECX clears the upper half of RCX. */
    uint8_t *low = NULL;
    for (uintptr_t a = 0x10000000; !low && a < 0x70000000; a += 0x01000000)
        low = VirtualAlloc((void *)a, 4096, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    CHECK(low != NULL, "a buffer below 4 GB at %p", low);
    if (low) {
        low[0] = 0x71;
        low[1] = 0x72;
        low[2] = 0x73;
        uint64_t rsi = (uintptr_t)low | 0xFFFFFFFF00000000ull, rcx = 0xFFFFFFFF00000003ull;
        __asm__ volatile("cld\n\taddr32 rep outsb" : "+S"(rsi), "+c"(rcx) : "d"(0x308) : "memory", "cc");
        CHECK(rcx == 0 && rsi == (uintptr_t)low + 3, "67 F3 6E: ECX counted, upper halves of RSI "
              "and RCX cleared (rsi=0x%llx rcx=0x%llx)", (unsigned long long)rsi,
              (unsigned long long)rcx);
        CHECK(raw_inb(0x308) == 0x73, "the last byte (0x73) is in the latch 0x308");
        uint64_t rdi = (uintptr_t)(low + 16), rcx2 = 2;
        raw_outb(0x309, 0x4D);
        __asm__ volatile("std\n\taddr32 rep insw\n\tcld" : "+D"(rdi), "+c"(rcx2) : "d"(0x309) : "memory", "cc");
        CHECK(rcx2 == 0 && rdi == (uintptr_t)(low + 12) && low[14] == 0x4D && low[16] == 0x4D,
              "66 67 F3 6D with DF=1: two words stored backwards");
    }
#endif
    return finish();
}
