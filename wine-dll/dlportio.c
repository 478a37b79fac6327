/* dlportio.dll (DriverLINX Port I/O, Scientific Software Tools) as a Wine builtin.
 * Ports are ULONG in this API; only the low 16 bits address a port.  The buffer calls
 * repeat accesses to ONE port, like REP INS/OUTS, and go to the session as one string
 * access. */
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

UCHAR WINAPI DlPortReadPortUchar(ULONG port)
{
    return (UCHAR)iotrap_pe_in((USHORT)port, 1, IOTRAP_PE_CALLER(), NULL);
}

USHORT WINAPI DlPortReadPortUshort(ULONG port)
{
    return (USHORT)iotrap_pe_in((USHORT)port, 2, IOTRAP_PE_CALLER(), NULL);
}

ULONG WINAPI DlPortReadPortUlong(ULONG port)
{
    return iotrap_pe_in((USHORT)port, 4, IOTRAP_PE_CALLER(), NULL);
}

VOID WINAPI DlPortWritePortUchar(ULONG port, UCHAR value)
{
    iotrap_pe_out((USHORT)port, 1, value, IOTRAP_PE_CALLER());
}

VOID WINAPI DlPortWritePortUshort(ULONG port, USHORT value)
{
    iotrap_pe_out((USHORT)port, 2, value, IOTRAP_PE_CALLER());
}

VOID WINAPI DlPortWritePortUlong(ULONG port, ULONG value)
{
    iotrap_pe_out((USHORT)port, 4, value, IOTRAP_PE_CALLER());
}

VOID WINAPI DlPortReadPortBufferUchar(ULONG port, PUCHAR buf, ULONG count)
{
    iotrap_pe_in_string((USHORT)port, 1, buf, count, IOTRAP_PE_CALLER());
}

VOID WINAPI DlPortReadPortBufferUshort(ULONG port, PUSHORT buf, ULONG count)
{
    iotrap_pe_in_string((USHORT)port, 2, buf, count, IOTRAP_PE_CALLER());
}

VOID WINAPI DlPortReadPortBufferUlong(ULONG port, PULONG buf, ULONG count)
{
    iotrap_pe_in_string((USHORT)port, 4, buf, count, IOTRAP_PE_CALLER());
}

VOID WINAPI DlPortWritePortBufferUchar(ULONG port, PUCHAR buf, ULONG count)
{
    iotrap_pe_out_string((USHORT)port, 1, buf, count, IOTRAP_PE_CALLER());
}

VOID WINAPI DlPortWritePortBufferUshort(ULONG port, PUSHORT buf, ULONG count)
{
    iotrap_pe_out_string((USHORT)port, 2, buf, count, IOTRAP_PE_CALLER());
}

VOID WINAPI DlPortWritePortBufferUlong(ULONG port, PULONG buf, ULONG count)
{
    iotrap_pe_out_string((USHORT)port, 4, buf, count, IOTRAP_PE_CALLER());
}
