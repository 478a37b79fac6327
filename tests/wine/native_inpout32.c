/* A stand-in for the native inpout32.dll an application ships in its folder: if this one
 * gets loaded instead of the iotrap builtin, the test sees 0x42 and a closed driver. */
#include <windows.h>

__declspec(dllexport) short WINAPI Inp32(short port) { return 0x42; }
__declspec(dllexport) void WINAPI Out32(short port, short data) { }
__declspec(dllexport) BOOL WINAPI IsInpOutDriverOpen(void) { return FALSE; }
__declspec(dllexport) BOOL WINAPI IsXP64Bit(void) { return FALSE; }
__declspec(dllexport) UCHAR WINAPI DlPortReadPortUchar(USHORT p) { return 0x42; }
__declspec(dllexport) void WINAPI DlPortWritePortUchar(USHORT p, UCHAR v) { }
__declspec(dllexport) USHORT WINAPI DlPortReadPortUshort(USHORT p) { return 0x42; }
__declspec(dllexport) void WINAPI DlPortWritePortUshort(USHORT p, USHORT v) { }
__declspec(dllexport) ULONG WINAPI DlPortReadPortUlong(ULONG p) { return 0x42; }
__declspec(dllexport) void WINAPI DlPortWritePortUlong(ULONG p, ULONG v) { }
__declspec(dllexport) PBYTE WINAPI MapPhysToLin(PBYTE a, DWORD s, HANDLE *h) { return 0; }
__declspec(dllexport) BOOL WINAPI UnmapPhysicalMemory(HANDLE h, PBYTE a) { return FALSE; }
__declspec(dllexport) BOOL WINAPI GetPhysLong(PBYTE a, PDWORD v) { return FALSE; }
__declspec(dllexport) BOOL WINAPI SetPhysLong(PBYTE a, DWORD v) { return FALSE; }
