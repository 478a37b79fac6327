/* iotrap decoder and execution API — for emulator authors as much as for the trap engine.
 *
 * iotrap_decode() recognises the x86 port I/O instructions (IN, OUT, INS, OUTS in every
 * width, with any order and repetition of legacy prefixes and REX) and reports exactly
 * what the CPU would execute.  It never reads past `avail` bytes, never allocates from the
 * C library (its own copy of Capstone works in arenas it maps on first use), needs no
 * initialisation call and is async-signal-safe, so it may be called from a signal handler,
 * the first time too.
 *
 * iotrap_execute() applies a decoded instruction to a plain register struct through
 * caller-supplied port and memory callbacks, with the CPU's semantics.
 */
#ifndef IOTRAP_DECODE_H
#define IOTRAP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <iotrap/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The architectural limit: a longer instruction raises #GP(0) on the CPU. */
#define IOTRAP_MAX_INSN_LEN 15

typedef enum iotrap_op {
    IOTRAP_OP_IN = 0,   /* E4 E5 EC ED */
    IOTRAP_OP_OUT = 1,  /* E6 E7 EE EF */
    IOTRAP_OP_INS = 2,  /* 6C 6D */
    IOTRAP_OP_OUTS = 3  /* 6E 6F */
} iotrap_op;

/* Segment registers in hardware encoding order. */
typedef enum iotrap_seg {
    IOTRAP_SEG_ES = 0,
    IOTRAP_SEG_CS = 1,
    IOTRAP_SEG_SS = 2,
    IOTRAP_SEG_DS = 3,
    IOTRAP_SEG_FS = 4,
    IOTRAP_SEG_GS = 5
} iotrap_seg;

typedef struct iotrap_insn {
    uint8_t op;         /* iotrap_op */
    uint8_t width;      /* 1, 2 or 4 bytes per element */
    uint8_t addr_size;  /* 16, 32 or 64: selects SI/DI/CX, ESI/EDI/ECX or RSI/RDI/RCX */
    uint8_t mode;       /* 16, 32 or 64: the code size it was decoded for */
    uint8_t length;     /* 1..15 bytes including all prefixes */
    uint8_t rep;        /* 1 if an F2 or F3 prefix repeats a string form */
    uint8_t port_is_dx; /* 1: port in DX; 0: port is port_imm */
    uint8_t port_imm;   /* the imm8 port of E4-E7 */
    uint8_t seg;        /* iotrap_seg of the memory operand: ES for INS, DS or the
                         * override for OUTS (64-bit mode: only FS/GS count, else DS);
                         * DS for IN/OUT (unused) */
} iotrap_insn;

/* Decode the instruction at `code` for a 16-, 32- or 64-bit code segment.
 * Returns IOTRAP_OK, IOTRAP_E_NOT_IO, IOTRAP_E_TRUNCATED, IOTRAP_E_BAD_INSN,
 * IOTRAP_E_TOO_LONG or IOTRAP_E_BAD_MODE (IOTRAP_E_INVAL without `insn`, or without
 * `code` but with `avail`).  `insn` is written only on success.  A small per-thread cache
 * of the last instructions decoded makes a repeated one cost a compare of its bytes. */
IOTRAP_API int iotrap_decode(const void *code, size_t avail, int mode, iotrap_insn *insn);

/* Assembler text in AT&T-free Intel style, e.g. "rep outsb" or "in al, dx" or
 * "out 0x80, al"; returns the length written (without NUL) or a negative status. */
IOTRAP_API int iotrap_insn_format(const iotrap_insn *insn, char *buf, size_t len);

/* One JSON object: {"op":"outs","width":1,"port":"dx","addr_size":64,"rep":true,
 * "seg":"ds","length":2}; "seg" appears for outs only.  Same return as above. */
IOTRAP_API int iotrap_insn_json(const iotrap_insn *insn, char *buf, size_t len);

/* ---- Execution ------------------------------------------------------------------ */

/* The registers a port I/O instruction reads or writes.  In 16- and 32-bit modes only
 * the low 32 bits are architecturally visible and the upper halves are preserved. */
typedef struct iotrap_regs {
    size_t size;             /* sizeof(iotrap_regs), see iotrap/iotrap.h */
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t rip;
    uint64_t rflags;         /* DF (bit 10) is read */
    uint64_t seg_base[6];    /* indexed by iotrap_seg; in 64-bit mode only FS and GS are used */
} iotrap_regs;

/* Callbacks.  `in`, `out`, `mem_read`, `mem_write` and `mem_writable` are required;
 * `in_string` and `out_string` are optional.  Port callbacks return IOTRAP_OK or a negative
 * status, which iotrap_execute returns with the registers showing the elements completed
 * before it. */
typedef struct iotrap_exec_ops {
    size_t size; /* sizeof(iotrap_exec_ops), see iotrap/iotrap.h */
    int (*in)(void *ctx, uint16_t port, unsigned width, uint32_t *value);
    int (*out)(void *ctx, uint16_t port, unsigned width, uint32_t value);
    /* Whole strings of `count` elements in port order; when NULL, in/out are called
     * per element.  On failure nothing of the string must have reached the port. */
    int (*in_string)(void *ctx, uint16_t port, unsigned width, void *buf, size_t count);
    int (*out_string)(void *ctx, uint16_t port, unsigned width, const void *buf, size_t count);
    /* Copy between the guest's linear addresses and `buf`; return the number of leading
     * bytes transferred (less than `len` where the memory is bad). */
    size_t (*mem_read)(void *ctx, uint64_t addr, void *buf, size_t len);
    size_t (*mem_write)(void *ctx, uint64_t addr, const void *buf, size_t len);
    /* How many leading bytes at `addr` can be written, without changing them.  INS asks
     * this before reading the port, as the CPU checks each element's destination before
     * its port read: a bad destination never consumes port data.  Required, since INS
     * cannot match the CPU without it; an emulator whose memory is all writable returns
     * `len`. */
    size_t (*mem_writable)(void *ctx, uint64_t addr, size_t len);
} iotrap_exec_ops;

/* Where execution stopped on a memory fault. */
typedef struct iotrap_exec_fault {
    uint64_t addr;  /* linear address of the first bad byte */
    int write;      /* 1 for INS (store), 0 for OUTS (load) */
} iotrap_exec_fault;

/* Execute `insn` on `regs`.  On success the registers hold exactly what the CPU would
 * leave, rip included.  On IOTRAP_E_FAULT the string registers show the elements done,
 * rip still points at the instruction (as a restartable REP leaves it), and `fault`
 * (optional) says where.  `scratch` (optional) is a buffer for string transfers; a larger
 * one means fewer, bigger string callbacks.  Never allocates. */
IOTRAP_API int iotrap_execute(const iotrap_insn *insn, iotrap_regs *regs,
                              const iotrap_exec_ops *ops, void *ctx,
                              void *scratch, size_t scratch_size,
                              iotrap_exec_fault *fault);

/* ---- Permission ----------------------------------------------------------------- */

/* What the CPU consults before IN, OUT, INS or OUTS in protected and virtual-8086 mode. */
typedef struct iotrap_io_perm {
    size_t size;            /* sizeof(iotrap_io_perm), see iotrap/iotrap.h */
    unsigned cpl, iopl;     /* 0..3: the current privilege level and EFLAGS.IOPL */
    bool vm86;              /* virtual-8086 mode: IOPL grants nothing, the bitmap decides */
    const uint8_t *bitmap;  /* the TSS's I/O permission bitmap (bit set = port denied), from
                             * its base; NULL: no bitmap (the base lies beyond the limit) */
    size_t bitmap_len;      /* bytes from the bitmap's base through the TSS limit,
                             * limit - base + 1 */
} iotrap_io_perm;

/* The CPU's rule: 1 when the access of `width` (1, 2 or 4) bytes at `port` is allowed, 0
 * when the CPU raises #GP(0), a negative status for bad arguments.  Outside virtual-8086
 * mode CPL <= IOPL allows.  Otherwise every port of the access needs its bit clear, and
 * the CPU reads the two bitmap bytes at port/8 and port/8 + 1: the access is denied when
 * the second lies at or beyond bitmap_len.  That is why a TSS ends its bitmap with an
 * extra 0xFF byte; ports past the bitmap are denied, not allowed. */
IOTRAP_API int iotrap_io_permitted(const iotrap_io_perm *perm, uint16_t port, unsigned width);

#ifdef __cplusplus
}
#endif

#endif
