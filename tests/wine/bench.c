/* Costs of reaching a port from a Windows program (docs/performance.md, "Wine"):
 *   bench.exe raw N    N raw `in al, dx` (under `iotrap wine`: trapped and emulated,
 *                      then patched into a call once hot)
 *   bench.exe veh N    N raw `in al, dx` emulated by the program's own vectored exception
 *                      handler (run under plain Wine, which raises
 *                      EXCEPTION_PRIV_INSTRUCTION for each)
 *   bench.exe inp32 N  N Inp32() calls through inpout32.dll (the iotrap builtin)
 * Prints "MODE ns/op VALUE": the median of nine batches, and the byte read. */
#include "common.h"
#include <stdlib.h>
#include <string.h>

static LONG CALLBACK emulate_in(EXCEPTION_POINTERS *ep)
{
    if (ep->ExceptionRecord->ExceptionCode != EXCEPTION_PRIV_INSTRUCTION)
        return EXCEPTION_CONTINUE_SEARCH;
    CONTEXT *c = ep->ContextRecord;
#ifdef _WIN64
    const uint8_t *ip = (const uint8_t *)c->Rip;
    if (*ip != 0xEC)
        return EXCEPTION_CONTINUE_SEARCH;
    c->Rax = (c->Rax & ~0xffull) | 0xD8;
    c->Rip += 1;
#else
    const uint8_t *ip = (const uint8_t *)c->Eip;
    if (*ip != 0xEC)
        return EXCEPTION_CONTINUE_SEARCH;
    c->Eax = (c->Eax & ~0xfful) | 0xD8;
    c->Eip += 1;
#endif
    return EXCEPTION_CONTINUE_EXECUTION;
}

int main(int argc, char **argv)
{
    /* Nothing at all: what starting a program costs (bench.sh's start-up figures). */
    if (argc == 2 && strcmp(argv[1], "start") == 0)
        return 0;
    if (argc < 3) {
        printf("usage: bench.exe raw|veh|inp32 N\n");
        return 2;
    }
    const char *mode = argv[1];
    long n = atol(argv[2]);
    short (WINAPI *inp)(short) = NULL;
    if (strcmp(mode, "veh") == 0) {
        AddVectoredExceptionHandler(1, emulate_in);
    } else if (strcmp(mode, "inp32") == 0) {
        HMODULE m = LoadLibraryA("inpout32.dll");
        if (!m || !(inp = (short (WINAPI *)(short))GetProcAddress(m, "Inp32"))) {
            printf("inpout32.dll: error %lu\n", GetLastError());
            return 1;
        }
    } else if (strcmp(mode, "raw") != 0) {
        printf("unknown mode %s\n", mode);
        return 2;
    }
    /* Nine batches; the median batch counts, so that one descheduling spoils one batch,
     * not the figure. */
    enum { BATCHES = 9 };
    double per[BATCHES];
    LARGE_INTEGER f, a, b;
    unsigned sum = 0;
    long batch = n / BATCHES > 0 ? n / BATCHES : 1;
    QueryPerformanceFrequency(&f);
    for (int k = 0; k < BATCHES; k++) {
        QueryPerformanceCounter(&a);
        for (long i = 0; i < batch; i++)
            sum += inp ? (unsigned)(uint8_t)inp(0x379) : raw_inb(0x379);
        QueryPerformanceCounter(&b);
        per[k] = (double)(b.QuadPart - a.QuadPart) * 1e9 / (double)f.QuadPart / (double)batch;
    }
    for (int i = 1; i < BATCHES; i++)
        for (int j = i; j > 0 && per[j - 1] > per[j]; j--) {
            double t = per[j];
            per[j] = per[j - 1];
            per[j - 1] = t;
        }
    printf("%s %.1f %u\n", mode, per[BATCHES / 2], sum / (unsigned)(batch * BATCHES));
    return 0;
}
