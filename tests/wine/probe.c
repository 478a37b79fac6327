/* The seed's probe (eantcal/ioperm's ioPermTest) for Windows: open \\.\ioperm, send
 * IOCTL_IOPM_ENABLE_IO, then look for a parallel port at 0x378, 0x278 and 0x3BC with raw
 * OUT/IN, printing what the original prints.
 *
 *   probe.exe            the original behaviour
 *   probe.exe --disable  then IOCTL_IOPM_DISABLE_IO: a raw IN must now raise
 *                        EXCEPTION_PRIV_INSTRUCTION, caught by a vectored handler, also
 *                        at a site hot enough to have been patched into a jump (under
 *                        `iotrap wine`, shim/patch.h); an unknown IOCTL must fail as the
 *                        original driver's does */
#include "common.h"
#include <string.h>

#define IOCTL_IOPM_ENABLE_IO 0x80002000
#define IOCTL_IOPM_DISABLE_IO 0x80002004

static BOOL ioctl0(HANDLE h, DWORD code)
{
    DWORD n;
    return DeviceIoControl(h, code, NULL, 0, NULL, 0, &n, NULL);
}

/* One raw IN site, called often enough to be patched.  Returns 1 and the byte, or 0 if
 * it raised EXCEPTION_PRIV_INSTRUCTION. */
extern const unsigned char hot_site_code[] __asm__("hot_site");
/* Read afresh each time: the code under it changes. */
#define hot_site ((const volatile unsigned char *)hot_site_code)

static __attribute__((noinline)) int hot_inb(uint16_t port, uint8_t *out)
{
    static PVOID h;
    if (!h)
        h = AddVectoredExceptionHandler(1, priv_handler);
    priv_seen = 0;
    uint8_t v = 0x5a;
    __asm__ volatile(".globl hot_site\nhot_site: inb %%dx, %%al" : "+a"(v) : "d"(port) : "memory");
    if (priv_seen)
        return 0;
    *out = v;
    return 1;
}

int main(int argc, char **argv)
{
    int disable = argc > 1 && strcmp(argv[1], "--disable") == 0;
    HANDLE h = CreateFileA("\\\\.\\ioperm", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        printf("Cannot open \\\\.\\ioperm (error %lu)\n", GetLastError());
        return 1;
    }
    if (!ioctl0(h, IOCTL_IOPM_ENABLE_IO)) {
        printf("IOCTL_IOPM_ENABLE_IO failed (error %lu)\n", GetLastError());
        return 1;
    }
    Sleep(1);
    if (!disable) {
        static const unsigned short ports[] = { 0x378, 0x278, 0x3BC };
        for (int i = 0; i < 3; i++) {
            unsigned short p = ports[i];
            raw_outb(p, 0xAC);
            if (raw_inb(p) == 0xAC)
                printf("Parallel port found at address 0x%X (Status Info 0x%02X - Control Info "
                       "0x%02X)\n", p, raw_inb(p + 1), raw_inb(p + 2));
        }
        CloseHandle(h);
        return 0;
    }

    uint8_t v;
    CHECK(try_inb(0x378, &v), "raw IN 0x378 after IOCTL_IOPM_ENABLE_IO = 0x%02x", v);
    int good = 0;
    for (int i = 0; i < 500; i++)
        good += hot_inb(0x379, &v) && v == 0xD8;
    CHECK(good == 500, "500 raw IN 0x379 at one site read 0xD8 (%d did)", good);
    int patched = hot_site[0] == 0xE9;
    printf("hot site: %s\n", patched ? "patched" : "not patched");
    SetLastError(0);
    CHECK(!ioctl0(h, 0x80002008), "an unknown IOCTL fails (error %lu)", GetLastError());
    CHECK(ioctl0(h, IOCTL_IOPM_DISABLE_IO), "IOCTL_IOPM_DISABLE_IO succeeds");
    CHECK(!try_inb(0x378, &v) && priv_code == EXCEPTION_PRIV_INSTRUCTION,
          "raw IN 0x378 after IOCTL_IOPM_DISABLE_IO raises EXCEPTION_PRIV_INSTRUCTION "
          "(0x%08lx)", priv_code);
    CHECK(!try_outb(0x378, 0x11), "raw OUT 0x378 is refused as well");
    CHECK(!hot_inb(0x379, &v) && priv_addr == (void *)hot_site_code,
          "the hot site raises EXCEPTION_PRIV_INSTRUCTION at its own address");
    CHECK(hot_site[0] == 0xEC, "the hot site holds its IN again (0x%02x)", hot_site[0]);
    CHECK(ioctl0(h, IOCTL_IOPM_ENABLE_IO) && try_inb(0x378, &v),
          "IOCTL_IOPM_ENABLE_IO gives it back: raw IN 0x378 = 0x%02x", v);
    CHECK(hot_inb(0x379, &v) && v == 0xD8, "and the hot site reads 0x%02x", v);
    CloseHandle(h);
    return finish();
}
