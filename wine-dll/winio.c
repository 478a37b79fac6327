/* WinIo (Yariv Kaplan) as Wine builtins: WinIo.dll with the version 2 API, winio32.dll
 * and winio64.dll with the version 3 API.  The two differ only in the physical-memory
 * calls and in the string type of InstallWinIoDriver; the specs pick the variants.
 *
 * Version 2 programs call InitializeWinIo() and then execute raw IN/OUT themselves, so
 * InitializeWinIo grants this process raw access (as the driver's ENABLEDIRECTIO does)
 * and ShutdownWinIo revokes it (DISABLEDIRECTIO); GetPortVal and SetPortVal reach the
 * session directly.  Results are C++ bool: one byte.  Physical memory is not supported:
 * those calls fail with ERROR_NOT_SUPPORTED. */
#include <stdarg.h>
#include <stdbool.h>

#include "windef.h"
#include "winbase.h"

#include "wine-dll/pe_port.h"
#include "wine-dll/unixlib.h"

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, void *reserved)
{
    if (reason == DLL_PROCESS_ATTACH) {
        DisableThreadLibraryCalls(inst);
        iotrap_pe_init();
    }
    return TRUE;
}

bool WINAPI InitializeWinIo(void)
{
    if (!iotrap_pe_ready())
        return false;
    /* Without a grant file (outside `iotrap wine`) raw access is open anyway. */
    iotrap_pe_grant(GetCurrentProcessId(), IOTRAP_WINE_GRANT_ALL, NULL);
    return true;
}

void WINAPI winio2_ShutdownWinIo(void)
{
    iotrap_pe_grant(GetCurrentProcessId(), IOTRAP_WINE_GRANT_NONE, NULL);
}

void WINAPI winio3_ShutdownWinIo(void)
{
}

static int size_ok(BYTE size)
{
    return size == 1 || size == 2 || size == 4;
}

bool WINAPI GetPortVal(WORD port, PDWORD value, BYTE size)
{
    int st;
    if (!size_ok(size) || !value)
        return false;
    *value = iotrap_pe_in(port, size, IOTRAP_PE_CALLER(), &st);
    return st == 0;
}

bool WINAPI SetPortVal(WORD port, DWORD value, BYTE size)
{
    if (!size_ok(size))
        return false;
    return iotrap_pe_out(port, size, value, IOTRAP_PE_CALLER()) == 0;
}

/* The iotrap driver is always present: installing and removing succeed. */
bool WINAPI InstallWinIoDriver(void *path, bool demand_loaded)
{
    return true;
}

bool WINAPI RemoveWinIoDriver(void)
{
    return true;
}

PBYTE WINAPI winio2_MapPhysToLin(PBYTE phys, DWORD size, HANDLE *handle)
{
    if (handle)
        *handle = NULL;
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}

bool WINAPI winio2_UnmapPhysicalMemory(HANDLE handle, PBYTE lin)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return false;
}

PBYTE WINAPI winio3_MapPhysToLin(void *phys_struct)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}

bool WINAPI winio3_UnmapPhysicalMemory(void *phys_struct)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return false;
}

bool WINAPI GetPhysLong(PBYTE phys, PDWORD value)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return false;
}

bool WINAPI SetPhysLong(PBYTE phys, DWORD value)
{
    SetLastError(ERROR_NOT_SUPPORTED);
    return false;
}
