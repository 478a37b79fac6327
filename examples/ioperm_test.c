/* The parallel-port probe of eantcal/ioperm's ioPermTest: get port permission, then at
 * each usual LPT base write a magic byte to the data register and, if it reads back,
 * report the status and control registers.
 *
 * Like the original it builds two ways:
 *   - Linux: iopl(3), then outb_p/inb_p;
 *   - Windows (mingw-w64): open the ioperm driver (\\.\ioperm), ask it with
 *     IOCTL_IOPM_ENABLE_IO to open the I/O permission map for this process, then
 *     _inp/_outp.
 * It is ordinary legacy code: natively it needs root (or the driver) on a machine that
 * allows port I/O; under `iotrap run` (or `iotrap wine` for the .exe) it runs
 * unprivileged against the simulated board, whose only LPT is at 0x378, and prints one
 * line. */
#include <stdio.h>
#include <stdlib.h>

#ifdef _WIN32
#include <windows.h>
#include <winioctl.h>
#include <intrin.h>
/* The driver's control codes (device type 0x8000, functions 0x800 and 0x801). */
#define IOCTL_IOPM_ENABLE_IO CTL_CODE(0x8000, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* MSVC's port intrinsics, as the original uses them; mingw-w64 spells them __inbyte and
 * __outbyte.  The original does no _p delay on Windows. */
#define port_in(port) __inbyte(port)
#define port_out(port, value) __outbyte((port), (unsigned char)(value))
#else
#include <sys/io.h>
/* The _p forms add a write to port 0x80 after each access, as the original does on
 * Linux to give old ISA cards time to settle. */
#define port_in(port) inb_p(port)
#define port_out(port, value) outb_p((value), (port))
#endif

#define MAGIC 0xAC

static const unsigned short lpt_bases[] = { 0x378, 0x278, 0x3BC };

#ifdef _WIN32
/* Kept open while the ports are used, and closed at the end, as the original does. */
static HANDLE driver = INVALID_HANDLE_VALUE;
#endif

/* Returns 0 when the process may use the ports, after saying why not otherwise. */
static int get_port_permission(void)
{
#ifdef _WIN32
    HANDLE h = CreateFileA("\\\\.\\ioperm", GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "ioperm driver: error %lu\n", GetLastError());
        return -1;
    }
    DWORD returned = 0;
    if (!DeviceIoControl(h, IOCTL_IOPM_ENABLE_IO, NULL, 0, NULL, 0, &returned, NULL)) {
        fprintf(stderr, "IOCTL_IOPM_ENABLE_IO: error %lu\n", GetLastError());
        CloseHandle(h);
        return -1;
    }
    driver = h;
    /* The driver changes the permission map of this process; the original yields once
     * so that the next time slice starts with it. */
    Sleep(1);
    return 0;
#else
    if (iopl(3) != 0) {
        perror("iopl");
        return -1;
    }
    return 0;
#endif
}

int main(void)
{
    if (get_port_permission() != 0)
        return EXIT_FAILURE;
    for (size_t i = 0; i < sizeof(lpt_bases) / sizeof(lpt_bases[0]); i++) {
        unsigned short base = lpt_bases[i];
        port_out(base, MAGIC);
        if (port_in(base) == MAGIC) {
            unsigned status = port_in(base + 1);
            unsigned control = port_in(base + 2);
            printf("Parallel port found at address 0x%X (Status Info 0x%02X - Control Info "
                   "0x%02X)\n", base, status, control);
        }
    }
#ifdef _WIN32
    CloseHandle(driver);
#endif
    return EXIT_SUCCESS;
}
