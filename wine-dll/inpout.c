/* inpout32.dll and inpoutx64.dll (Logix4U / Highrez) as Wine builtins: the port calls go
 * straight to the iotrap session instead of through the inpout32/inpoutx64 driver, so no
 * instruction is trapped.  One source and one spec serve both names and both bitnesses.
 *
 * Semantics kept from the original: Inp32 reads ONE byte (returned widened to short);
 * the DlPort* calls have the widths their names say.  Physical memory access
 * (MapPhysToLin, UnmapPhysicalMemory, GetPhysLong, SetPhysLong) is not supported: the
 * calls fail with ERROR_NOT_SUPPORTED instead of handing out memory that is not the
 * device's. */
#include <stdarg.h>

#include "windef.h"
#include "winbase.h"

#include "wine-dll/pe_port.h"

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, void *reserved)
{
    if (reason == DLL_PROCESS_ATTACH) {
        DisableThreadLibraryCalls(inst);
        iotrap_pe_init();
    }
    return TRUE;
}

/* Declared `short Inp32(short)` in the old headers and `int Inp32(int)` in the newer ones:
 * the byte is returned zero-extended to 32 bits so that both kinds of callers read it. */
int WINAPI Inp32(int port)
{
    return (BYTE)iotrap_pe_in((USHORT)port, 1, IOTRAP_PE_CALLER(), NULL);
}

void WINAPI Out32(int port, int data)
{
    iotrap_pe_out((USHORT)port, 1, (BYTE)data, IOTRAP_PE_CALLER());
}

BOOL WINAPI IsInpOutDriverOpen(void)
{
    return iotrap_pe_ready() ? TRUE : FALSE;
}

/* The original answers whether Windows is 64-bit: always for inpoutx64, and for the 32-bit
 * DLL when its process runs under WoW64. */
BOOL WINAPI IsXP64Bit(void)
{
#ifdef _WIN64
    return TRUE;
#else
    BOOL wow64 = FALSE;
    return IsWow64Process(GetCurrentProcess(), &wow64) && wow64;
#endif
}

UCHAR WINAPI DlPortReadPortUchar(USHORT port)
{
    return (UCHAR)iotrap_pe_in(port, 1, IOTRAP_PE_CALLER(), NULL);
}

void WINAPI DlPortWritePortUchar(USHORT port, UCHAR value)
{
    iotrap_pe_out(port, 1, value, IOTRAP_PE_CALLER());
}

USHORT WINAPI DlPortReadPortUshort(USHORT port)
{
    return (USHORT)iotrap_pe_in(port, 2, IOTRAP_PE_CALLER(), NULL);
}

void WINAPI DlPortWritePortUshort(USHORT port, USHORT value)
{
    iotrap_pe_out(port, 2, value, IOTRAP_PE_CALLER());
}

ULONG WINAPI DlPortReadPortUlong(ULONG port)
{
    return iotrap_pe_in((USHORT)port, 4, IOTRAP_PE_CALLER(), NULL);
}

void WINAPI DlPortWritePortUlong(ULONG port, ULONG value)
{
    iotrap_pe_out((USHORT)port, 4, value, IOTRAP_PE_CALLER());
}

PBYTE WINAPI MapPhysToLin(PBYTE phys, DWORD size, HANDLE *handle)
{
    if (handle)
        *handle = NULL;
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}

BOOL WINAPI UnmapPhysicalMemory(HANDLE handle, PBYTE lin)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return FALSE;
}

BOOL WINAPI GetPhysLong(PBYTE phys, PDWORD value)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return FALSE;
}

BOOL WINAPI SetPhysLong(PBYTE phys, DWORD value)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return FALSE;
}
