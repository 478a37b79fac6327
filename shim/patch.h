/* Hot-site patching: the state shared by shim/patch.c (when to patch, the writes, the
 * faults that belong to a patch) and shim/patch_code.c (the code it writes).
 *
 * A trapped IN or OUT costs one signal delivery, which dominates everything else the trap
 * engine does.  When one instruction address (a "site") has trapped often, its code is
 * rewritten: the instruction and the ones after it, at least five bytes in all (the
 * "region"), are replaced by a JMP rel32 to a trampoline.  The trampoline saves the
 * registers; unless iotrap__patch_fast() can answer the access without touching the
 * extended state (shim/patch_fast.c), it saves that state too and calls
 * iotrap__patch_run() to perform the access through the port session.  It restores
 * everything, runs the displaced instructions (moved and, where they are relative,
 * rewritten) and jumps back behind the region.
 *
 * Code elsewhere may jump to any instruction of the region.  The trampoline is placed so
 * that each byte of the JMP's displacement that sits where one of those instructions began
 * is an opcode that faults at once in user mode (HLT, CLI, STI, IN, OUT, INS, OUTS): such a
 * jump faults, and the SIGSEGV handler sends the thread to that instruction's moved copy
 * (the punning of E9Patch, Duck et al., PLDI 2020).  Every byte of the region past the
 * displacement is HLT.
 */
#ifndef IOTRAP_SHIM_PATCH_H
#define IOTRAP_SHIM_PATCH_H

#include <stdint.h>
#include <iotrap/decode.h>
#include <iotrap/ports.h>

#define IOTRAP__PATCH_JMP_LEN 5
/* The region never reaches past the fifth byte by more than one instruction. */
#define IOTRAP__PATCH_REGION_MAX (IOTRAP__PATCH_JMP_LEN - 1 + IOTRAP_MAX_INSN_LEN)
#define IOTRAP__PATCH_INSNS_MAX IOTRAP__PATCH_JMP_LEN

enum iotrap__patch_state {
    IOTRAP__SITE_FREE = 0, /* an empty slot */
    IOTRAP__SITE_WRITING,  /* the region is being rewritten into the jump */
    IOTRAP__SITE_LIVE,     /* the jump is in place */
    IOTRAP__SITE_RESTORING,/* the region is being written back */
    IOTRAP__SITE_RESTORED, /* the original code is back, for good */
    IOTRAP__SITE_REFUSED,  /* its code cannot be moved: it stays a trap */
};

typedef struct iotrap__patch_site {
    int state;                       /* iotrap__patch_state, atomic */
    uint8_t mode;                    /* 32 or 64 (32 in a 64-bit process: WoW64) */
    uint8_t len;                     /* region length */
    uint8_t count;                   /* instructions in the region */
    uint8_t native;                  /* native code patched under `auto` (shim/patch.c) */
    uint8_t start[IOTRAP__PATCH_INSNS_MAX]; /* their offsets in the region; start[0] = 0 */
    uint64_t pc;                     /* the region's first byte: the IN or OUT */
    uint8_t orig[IOTRAP__PATCH_REGION_MAX];    /* the region as the program had it */
    uint8_t patched[IOTRAP__PATCH_REGION_MAX]; /* the region as patched */
    iotrap_insn insn;                /* the IN or OUT */
    uint64_t tramp;                  /* the trampoline, where the JMP goes */
    uint64_t moved[IOTRAP__PATCH_INSNS_MAX]; /* the moved copy of instruction i >= 1 */
    uint64_t moved_end;              /* the end of the moved copies */
    uint64_t refault_entry;          /* where the trampoline goes to refault (patch.c) */
    uint64_t refault;                /* the copy of the IN or OUT there, which faults */
} iotrap__patch_site;

/* The registers the trampoline saved, lowest address first, as it pushed them. */
#if defined(__x86_64__)
typedef struct iotrap__patch_frame {
    uint64_t rbp, r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax, rflags;
    uint64_t ret; /* where the trampoline goes on: its moved code, or `refault` */
    uint64_t id;
} iotrap__patch_frame;
#else
typedef struct iotrap__patch_frame {
    uint32_t ebp, edi, esi, edx, ecx, eax, eflags;
    uint32_t ret;
    uint32_t id;
} iotrap__patch_frame;
#endif

/* The sites, indexed by their trampolines' index (shim/patch.c). */
#define IOTRAP__PATCH_SITES_MAX 128
extern iotrap__patch_site iotrap__patch_sites[IOTRAP__PATCH_SITES_MAX];

/* Called by the common stub of native code first, with only the general registers and
 * the flags saved: performs the access of the site with index `id` and returns 1 when it
 * needs no extended state (shim/patch_fast.c), else returns 0 and changes nothing. */
int iotrap__patch_fast(uintptr_t id, iotrap__patch_frame *frame);

/* The session and the ports iotrap__patch_fast() takes (iotrap__session_fast_ports()), or
 * NULL for none; called once, before the first site is patched. */
struct iotrap__session_fast;
void iotrap__patch_fast_init(iotrap_ports *ports, const struct iotrap__session_fast *fast);
/* Whether iotrap__patch_fast() can answer any port: the stubs call it only then. */
int iotrap__patch_fast_used(void);

/* Called by every trampoline (from its common stub) with its site's index, with the
 * extended state saved, when iotrap__patch_fast() did not do the access. */
void iotrap__patch_run(uintptr_t id, iotrap__patch_frame *frame);

#if defined(__x86_64__)
/* 32-bit code in a 64-bit process (Wine's new WoW64): its trampoline's stub saves the
 * 32-bit registers as an i386 frame, switches to 64-bit mode (code segment 0x33) and
 * calls this with FS still based on the 32-bit code's segment. */
typedef struct iotrap__patch_frame32 {
    uint32_t ebp, edi, esi, edx, ecx, eax, eflags;
    uint32_t ret;
    uint32_t id;
} iotrap__patch_frame32;

void iotrap__patch_run_wow64(uintptr_t id, iotrap__patch_frame32 *frame);
#endif

/* ---- shim/patch_code.c --------------------------------------------------------------- */

/* Prepares code generation: the extended-state size.  CPUID and XGETBV only, so it may
 * run in the signal handler.  Returns 0, or -1 when this processor cannot take patches. */
int iotrap__patch_code_init(void);

/* Reads the region at site->pc (site->pc, mode, insn set), decides its extent, builds the
 * trampoline for site index `id` and fills in every other field but `state`.  Returns 0,
 * or -1 when the code there cannot be moved safely (the site then stays a trap). */
int iotrap__patch_code_build(iotrap__patch_site *site, unsigned id);

/* Writes `len` bytes at address `at` of this process, whatever the page protection, as
 * a debugger does; 0 or -1. */
int iotrap__patch_poke(uint64_t at, const void *bytes, size_t len);

#endif
