/* A program for the prefix-session case (tests/wine/checks/session.sh): each run is one
 * step, so that several `iotrap wine` runs can be checked to share one board.
 *
 *   session.exe out PORT VALUE   raw OUT of one byte
 *   session.exe in PORT          raw IN of one byte, printed as "in 0xPP = 0xVV"
 *   session.exe wait SECONDS     keeps the session busy; says "waiting" first, so that the
 *                                test knows the session is up
 *   session.exe spawn SECONDS    leaves "wait SECONDS" running in the session and ends */
#include "common.h"
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "out") == 0) {
        raw_outb((uint16_t)strtoul(argv[2], NULL, 0), (uint8_t)strtoul(argv[3], NULL, 0));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "in") == 0) {
        uint16_t port = (uint16_t)strtoul(argv[2], NULL, 0);
        printf("in 0x%X = 0x%02X\n", port, raw_inb(port));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "wait") == 0) {
        printf("waiting\n");
        fflush(stdout);
        Sleep(1000 * (DWORD)atoi(argv[2]));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "spawn") == 0) {
        char self[MAX_PATH], cmd[MAX_PATH + 32];
        GetModuleFileNameA(NULL, self, sizeof(self));
        snprintf(cmd, sizeof(cmd), "\"%s\" wait %d", self, atoi(argv[2]));
        STARTUPINFOA si;
        memset(&si, 0, sizeof(si));
        si.cb = sizeof(si);
        PROCESS_INFORMATION pi;
        if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
            printf("CreateProcess failed: %lu\n", GetLastError());
            return 1;
        }
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        return 0;
    }
    printf("usage: session.exe out PORT VALUE | in PORT | wait SECONDS | spawn SECONDS\n");
    return 2;
}
