/* libiotrap's private copy of Capstone's x86 disassembler (internal).
 *
 * decoder/local.mk links the x86 members of Debian's libcapstone.a into one object,
 * decoder/capstone-x86.o, in which Capstone's API is renamed iotrap__capstone_*, every
 * other symbol is local, and the C library's malloc, calloc, realloc, free, vsnprintf,
 * qsort, fwrite, stderr, printf, puts and __assert_fail are replaced by the
 * iotrap__capstone_libc_* ones of decoder/cs_pool.c.  A host
 * program's own Capstone is another copy with its own globals, which we never touch.
 *
 * Include this instead of <capstone/capstone.h>: the names below turn Capstone's own
 * declarations into those of the copy, so that the types stay Capstone's.
 */
#ifndef IOTRAP_DECODER_CAPSTONE_X86_H
#define IOTRAP_DECODER_CAPSTONE_X86_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define cs_open iotrap__capstone_open
#define cs_option iotrap__capstone_option
#define cs_malloc iotrap__capstone_malloc
#define cs_disasm_iter iotrap__capstone_disasm_iter
#include <capstone/capstone.h>

/* What the copy calls and reads in place of the C library's functions and stderr. */
void *iotrap__capstone_libc_malloc(size_t n);
void *iotrap__capstone_libc_calloc(size_t n, size_t m);
void *iotrap__capstone_libc_realloc(void *p, size_t n);
void iotrap__capstone_libc_free(void *p);
int iotrap__capstone_libc_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
void iotrap__capstone_libc_qsort(void *base, size_t n, size_t size,
                                 int (*cmp)(const void *, const void *));
size_t iotrap__capstone_libc_fwrite(const void *ptr, size_t size, size_t n, FILE *stream);
extern FILE *iotrap__capstone_libc_stderr;
int iotrap__capstone_libc_printf(const char *fmt, ...);
int iotrap__capstone_libc_puts(const char *s);
void iotrap__capstone_libc___assert_fail(const char *assertion, const char *file,
                                         unsigned int line, const char *function);

#endif
