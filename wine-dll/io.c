/* io.dll (geekhideout) as a Wine builtin: byte, word and double-word port calls and the
 * bit helpers, which read the port, change it and write it back.
 *
 * The shifts move the port's byte one bit and fill the vacated bit with Val & 1
 * (LeftPortShift: bit 0, RightPortShift: bit 7), and return the byte written.  BOOL-like
 * results are 16-bit, as in the original's headers. */
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

void WINAPI PortOut(short port, char value)
{
    iotrap_pe_out((USHORT)port, 1, (BYTE)value, IOTRAP_PE_CALLER());
}

void WINAPI PortWordOut(short port, short value)
{
    iotrap_pe_out((USHORT)port, 2, (USHORT)value, IOTRAP_PE_CALLER());
}

void WINAPI PortDWordOut(short port, int value)
{
    iotrap_pe_out((USHORT)port, 4, (DWORD)value, IOTRAP_PE_CALLER());
}

char WINAPI PortIn(short port)
{
    return (char)iotrap_pe_in((USHORT)port, 1, IOTRAP_PE_CALLER(), NULL);
}

short WINAPI PortWordIn(short port)
{
    return (short)iotrap_pe_in((USHORT)port, 2, IOTRAP_PE_CALLER(), NULL);
}

int WINAPI PortDWordIn(short port)
{
    return (int)iotrap_pe_in((USHORT)port, 4, IOTRAP_PE_CALLER(), NULL);
}

/* Read-modify-write of one byte, both accesses traced at the caller's address. */
static BYTE modify(short port, BYTE and_mask, BYTE xor_mask, const void *pc)
{
    BYTE v = (BYTE)iotrap_pe_in((USHORT)port, 1, pc, NULL);
    v = (BYTE)((v & and_mask) ^ xor_mask);
    iotrap_pe_out((USHORT)port, 1, v, pc);
    return v;
}

void WINAPI SetPortBit(short port, char bit)
{
    BYTE m = (BYTE)(1u << (bit & 7));
    modify(port, (BYTE)~m, m, IOTRAP_PE_CALLER());
}

void WINAPI ClrPortBit(short port, char bit)
{
    modify(port, (BYTE)~(1u << (bit & 7)), 0, IOTRAP_PE_CALLER());
}

void WINAPI NotPortBit(short port, char bit)
{
    modify(port, 0xff, (BYTE)(1u << (bit & 7)), IOTRAP_PE_CALLER());
}

short WINAPI GetPortBit(short port, char bit)
{
    BYTE v = (BYTE)iotrap_pe_in((USHORT)port, 1, IOTRAP_PE_CALLER(), NULL);
    return (v >> (bit & 7)) & 1;
}

short WINAPI RightPortShift(short port, short val)
{
    const void *pc = IOTRAP_PE_CALLER();
    BYTE v = (BYTE)iotrap_pe_in((USHORT)port, 1, pc, NULL);
    v = (BYTE)((v >> 1) | ((val & 1) << 7));
    iotrap_pe_out((USHORT)port, 1, v, pc);
    return v;
}

short WINAPI LeftPortShift(short port, short val)
{
    const void *pc = IOTRAP_PE_CALLER();
    BYTE v = (BYTE)iotrap_pe_in((USHORT)port, 1, pc, NULL);
    v = (BYTE)((v << 1) | (val & 1));
    iotrap_pe_out((USHORT)port, 1, v, pc);
    return v;
}

short WINAPI IsDriverInstalled(void)
{
    return iotrap_pe_ready() ? 1 : 0;
}
