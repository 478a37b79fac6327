/* One board for the whole process family, and the policy at the raw instructions:
 *   family.exe          raw OUT 0x378 <- 0x77, start itself as a child, which reads 0x378
 *                       with a raw IN and returns it as its exit code; then the policy
 *                       check below
 *   family.exe child    the child
 * Run with --allow 0x300-0x30f,0x378-0x37f: a raw IN outside the policy raises
 * EXCEPTION_PRIV_INSTRUCTION, and Inp32 of such a port reads an undriven bus (0xff). */
#include "common.h"
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return raw_inb(0x378);

    raw_outb(0x378, 0x77);
    char cmd[MAX_PATH + 16];
    GetModuleFileNameA(NULL, cmd, MAX_PATH);
    lstrcatA(cmd, " child");
    STARTUPINFOA si;
    ZeroMemory(&si, sizeof(si));
    si.cb = sizeof(si);
    PROCESS_INFORMATION pi;
    BOOL started = CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi);
    CHECK(started, "CreateProcess(child) (error %lu)", started ? 0 : GetLastError());
    if (started) {
        DWORD code = 0;
        WaitForSingleObject(pi.hProcess, 60000);
        GetExitCodeProcess(pi.hProcess, &code);
        CHECK(code == 0x77, "the child's raw IN 0x378 read the parent's 0x77 (got 0x%lx)", code);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    }

    uint8_t v;
    CHECK(try_inb(0x378, &v), "raw IN 0x378 inside the policy");
    CHECK(!try_inb(0x3F8, &v) && priv_code == EXCEPTION_PRIV_INSTRUCTION,
          "raw IN 0x3F8 outside the policy raises EXCEPTION_PRIV_INSTRUCTION");
    CHECK(!try_outb(0x64, 0xFE), "raw OUT 0x64 outside the policy is refused");
    HMODULE m = LoadLibraryA("inpout32.dll");
    short (WINAPI *inp)(short) = m ? (short (WINAPI *)(short))GetProcAddress(m, "Inp32") : NULL;
    CHECK(inp && inp(0x3F8) == 0xFF, "Inp32(0x3F8) outside the policy reads 0xff");
    return finish();
}
