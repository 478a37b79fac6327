/* Shared helpers of the Windows test programs (built with mingw-w64, run under Wine by
 * tests/wine.test).  Each program prints one line per check and exits 0 only if every
 * check passed. */
#ifndef IOTRAP_TESTS_WINE_COMMON_H
#define IOTRAP_TESTS_WINE_COMMON_H

#include <windows.h>
#include <stdio.h>
#include <stdint.h>

static int failures;

#define CHECK(cond, ...)                                            \
    do {                                                            \
        int ok_ = !!(cond);                                         \
        printf("%s: ", ok_ ? "ok" : "FAIL");                        \
        printf(__VA_ARGS__);                                        \
        printf("\n");                                               \
        fflush(stdout);                                             \
        if (!ok_)                                                   \
            failures++;                                             \
    } while (0)

static inline int finish(void)
{
    printf("%s\n", failures ? "FAILED" : "PASSED");
    fflush(stdout);
    return failures ? 1 : 0;
}

/* Raw port instructions, executed by this program itself. */
static inline uint8_t raw_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void raw_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* A raw IN that may be refused: a vectored handler turns EXCEPTION_PRIV_INSTRUCTION into
 * a return value, as a program probing with SEH would.  Returns 1 and stores the byte, or
 * 0 if the instruction raised EXCEPTION_PRIV_INSTRUCTION. */
static volatile LONG priv_seen;
static volatile DWORD priv_code;
static void *volatile priv_addr;

static LONG CALLBACK priv_handler(EXCEPTION_POINTERS *ep)
{
    if (ep->ExceptionRecord->ExceptionCode != EXCEPTION_PRIV_INSTRUCTION)
        return EXCEPTION_CONTINUE_SEARCH;
    priv_seen = 1;
    priv_code = ep->ExceptionRecord->ExceptionCode;
    priv_addr = ep->ExceptionRecord->ExceptionAddress;
    /* Skip the one-byte `in al, dx` (0xEC) or `out dx, al` (0xEE). */
#ifdef _WIN64
    ep->ContextRecord->Rip += 1;
#else
    ep->ContextRecord->Eip += 1;
#endif
    return EXCEPTION_CONTINUE_EXECUTION;
}

static inline int try_inb(uint16_t port, uint8_t *out)
{
    static PVOID h;
    if (!h)
        h = AddVectoredExceptionHandler(1, priv_handler);
    priv_seen = 0;
    uint8_t v = 0x5a;
    __asm__ volatile("inb %%dx, %%al" : "+a"(v) : "d"(port) : "memory");
    if (priv_seen)
        return 0;
    *out = v;
    return 1;
}

static inline int try_outb(uint16_t port, uint8_t v)
{
    static PVOID h;
    if (!h)
        h = AddVectoredExceptionHandler(1, priv_handler);
    priv_seen = 0;
    __asm__ volatile("outb %%al, %%dx" : : "a"(v), "d"(port) : "memory");
    return !priv_seen;
}

#endif
