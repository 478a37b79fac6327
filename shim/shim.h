/* Internal interfaces of the trap engine (the preload library's shim/ files).
 *
 * Everything here may run inside the SIGSEGV handler unless marked otherwise, so it is
 * async-signal-safe: no malloc, no stdio, no locks that interrupted code may hold.
 */
#ifndef IOTRAP_SHIM_H
#define IOTRAP_SHIM_H

#include <dlfcn.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>
#include <iotrap/decode.h>
#include <iotrap/ports.h>

#define IOTRAP__EXPORT __attribute__((visibility("default")))

/* ---- Global state, set up by the constructor (shim/init.c) ------------------------ */

struct iotrap__shim {
    iotrap_ports *ports;   /* the session; NULL until opened (shim/session_open.c) */
    int quiet;             /* IOTRAP_QUIET: no denial messages */
    int no_unwind;         /* IOTRAP_NO_UNWIND: no backtrace after a denial message */
    int fsgsbase;          /* rdfsbase/rdgsbase usable (AT_HWCAP2) */
    long robust_to_tp;     /* x86-64: glibc's thread pointer minus its robust-list head
                            * (both in struct pthread); 0 if unknown */
};
extern struct iotrap__shim iotrap__shim;

/* ---- The session (shim/session_open.c) -------------------------------------------- */

/* Reads the IOTRAP_* settings and opens the session, or leaves it for the first access
 * where that is safe (constructor only); *native says whether the session reaches some
 * ports natively.  -1 with a message naming the bad setting. */
int iotrap__shim_session_start(bool *native, char *err, size_t errlen);
/* The session, opened now if it was left for later; NULL if there is none (before the
 * constructor, or it could not be opened, which was reported once).  Keeps errno. */
iotrap_ports *iotrap__shim_session(void);
/* In a fork child: an opening another thread had under way is made again. */
void iotrap__shim_session_atfork_child(void);
/* Looks up the C library's fork() (iotrap__shim_resolve_all). */
void iotrap__fork_resolve(void);

/* ---- The C library's functions behind the interposed ones (shim/init.c) ----------- */

/* Each interposed function calls the next definition of its name, looked up with dlsym()
 * at its first call, or before: the constructor looks up only what it calls itself
 * (sigaction, pthread_sigmask), since some 50 lookups were a tenth of a preloaded start;
 * this looks up all the others at once, and runs when the program installs its first
 * signal handler (shim/sigchain.c), so that no handler of the program's, which may
 * interrupt the dynamic loader, ever reaches dlsym().  Not in a handler. */
void iotrap__shim_resolve_all(void);

/* ---- Fault-safe memory copy (shim/safecopy.S) ------------------------------------- */

/* Copies n bytes byte by byte; returns how many were copied before the first fault.
 * A fault inside it is caught by the SIGSEGV handler (shim/trap.c), which resumes at
 * the routine's end; then *si_code (if not NULL) receives the fault's si_code. */
size_t iotrap__safe_copy(void *dst, const void *src, size_t n, int *si_code);
/* The same with one REP MOVSB, for long strings: it may stop some bytes short of a fault
 * (see safecopy.S), so a caller that needs the exact byte goes on with the above. */
size_t iotrap__safe_bulk(void *dst, const void *src, size_t n);
/* 1 if a store to the byte at p succeeds, else 0; the byte keeps its value. */
int iotrap__safe_probe_store(void *p);

/* ---- Machine context (shim/context.c) --------------------------------------------- */

/* The code segment of the interrupted code: its mode (16, 32, 64) and base.
 * Returns 0 on success, -1 if the selector cannot be examined. */
int iotrap__code_segment(const ucontext_t *uc, int *mode, uint64_t *base);
/* The base of segment register `seg` (iotrap_seg) of the interrupted code. */
uint64_t iotrap__segment_base(const ucontext_t *uc, int mode, int seg);
void iotrap__regs_from_context(const ucontext_t *uc, iotrap_regs *r);
/* Writes back only what `insn` architecturally writes (and the instruction pointer). */
void iotrap__regs_to_context(ucontext_t *uc, const iotrap_insn *insn, const iotrap_regs *r);
/* Rewrites the context as the page fault the CPU would have raised at `addr`. */
void iotrap__context_page_fault(ucontext_t *uc, uint64_t addr, int write, int accerr);
uint64_t iotrap__context_pc(const ucontext_t *uc);
void iotrap__context_set_pc(ucontext_t *uc, uint64_t pc);
int iotrap__is_gp0(const ucontext_t *uc);

/* ---- Decode cache (shim/decode_cache.c) ------------------------------------------- */

/* Reads (fault-safe) and decodes the instruction at linear address `pc`. */
int iotrap__decode_at(uint64_t pc, int mode, iotrap_insn *insn);

/* ---- Scratch buffers (shim/scratch.c) --------------------------------------------- */

#define IOTRAP__SCRATCH_SIZE 65536
void *iotrap__scratch_claim(void);                     /* NULL if all are busy */
void iotrap__scratch_release(void *buf);
void iotrap__scratch_reset(void);                      /* fork child only */

/* ---- The trap path (shim/trap.c) -------------------------------------------------- */

void iotrap__sigsegv(int sig, siginfo_t *si, void *uc);

/* Code that runs before FS is known to be this thread's own (32-bit code in a 64-bit
 * process may have FS based on a segment of its own) must not read the stack
 * protector's canary through it. */
#if defined(__has_attribute)
#if __has_attribute(no_stack_protector)
#define IOTRAP__NO_STACK_PROTECTOR __attribute__((no_stack_protector))
#endif
#endif
#ifndef IOTRAP__NO_STACK_PROTECTOR
#define IOTRAP__NO_STACK_PROTECTOR
#endif

#if defined(__x86_64__)
/* System calls without the C library: no errno, which is thread-local and so unusable
 * while FS is based elsewhere (shim/trap.c), and no binding of syscall() at start. */
static inline long iotrap__raw_syscall2(long nr, long a, long b)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

static inline long iotrap__raw_syscall3(long nr, long a, long b, long c)
{
    long ret;
    register long rdx __asm__("rdx") = c;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "r"(rdx)
                     : "rcx", "r11", "memory");
    return ret;
}
#endif

#if defined(__x86_64__)
/* Bases FS on this thread's own thread pointer if it selects a segment of 32-bit code
 * (Wine's WoW64 TEB); returns that selector, to be loaded again on the way back to the
 * 32-bit code, or 0 if FS was left alone.  Raw system calls only (shim/trap.c). */
uint16_t iotrap__own_thread_pointer(void);
#endif

/* The callbacks through which iotrap_execute reaches the session and memory. */
struct iotrap__exec_ctx {
    iotrap_ports *ports;
    uint64_t pc;
};
extern const iotrap_exec_ops iotrap__exec_ops;

/* ---- Hot-site patching (shim/patch.c, see shim/patch.h) ---------------------------- */

/* Reads IOTRAP_PATCH's value ("auto", the default: Windows code under Wine; "on"; "off")
 * (constructor only); `native` says the session runs some ports natively, which rules
 * patching out.  -1 with a message naming the bad part. */
int iotrap__patch_init(const char *value, bool native, char *err, size_t errlen);
/* Counts a trapped IN or OUT that was emulated at flat address pc; patches a hot site. */
void iotrap__patch_note(uint64_t pc, int mode, const iotrap_insn *insn, const ucontext_t *uc);
/* In a fork child: no other thread is writing code any more. */
void iotrap__patch_atfork_child(void);
/* The program has installed a signal handler: native code is patched no more under
 * `auto`, and what was is undone. */
void iotrap__patch_program_handles(void);
/* A fault that a patch caused or displaced: redirects the context and returns 1. */
int iotrap__patch_redirect(ucontext_t *uc, const siginfo_t *si);

/* ---- Chaining to the program's own SIGSEGV disposition (shim/sigchain.c) ---------- */

/* Resolves the real libc functions; safe to call more than once (not in a handler). */
void iotrap__sigchain_resolve(void);
/* Records the current disposition as the program's and installs the shim's handler
 * (constructor only). */
int iotrap__sigchain_install(void);
/* Gives the signal to the program as the kernel would have: its handler with its
 * flags and mask, or the default action (a fault that re-executes kills with a core). */
void iotrap__sigchain_deliver(int sig, siginfo_t *si, ucontext_t *uc, int refaults);
/* The shim's handler is in place and the interposed functions keep their records. */
bool iotrap__sigchain_installed(void);
/* Its fork handlers (shim/init.c registers them with the others): the forking thread
 * holds the record's lock across fork(), with every signal blocked. */
void iotrap__sigchain_fork_prepare(void);
void iotrap__sigchain_fork_parent(void);
void iotrap__sigchain_fork_child(void);
/* Fills *set with every signal but the synchronous ones (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGTRAP, SIGSYS): what the shim blocks while it works. */
void iotrap__sigset_asynchronous(sigset_t *set);
/* Whether the program has a handler of its own for some signal (its SIGSEGV disposition
 * as recorded, the kernel's for the others); system calls only, for the trap handler. */
bool iotrap__sigchain_program_handles(void);

/* ---- Whether the program has SIGSEGV blocked (shim/sigmask.c) ---------------------- */

/* 1 while this thread would have SIGSEGV blocked without the shim, which never blocks it
 * in the kernel. */
extern __thread int iotrap__segv_blocked __attribute__((tls_model("initial-exec")));
/* Resolves the real libc functions (not in a handler). */
void iotrap__sigmask_resolve(void);
/* The kernel's pthread_sigmask, bypassing the interposition. */
int iotrap__sigmask_kernel(int how, const sigset_t *set, sigset_t *old);
/* Takes iotrap__segv_blocked from the kernel's mask and unblocks SIGSEGV there
 * (constructor only, after the handler is installed). */
void iotrap__sigmask_install(void);
/* Holds a SIGSEGV sent while the thread has it blocked, as the kernel keeps it pending. */
void iotrap__sigmask_hold(const siginfo_t *si);
/* Delivers what is held, if the thread has SIGSEGV unblocked now. */
void iotrap__sigmask_release(void);
/* In a fork child: nothing is pending. */
void iotrap__sigmask_forget_held(void);
/* Around an exec (`pending`) or a spawn: the kernel gets SIGSEGV blocked, and for an exec
 * the held signals, when the program has it blocked, so that the new program starts as
 * it would without the shim.  Returns whether it did; then exec_end restores `old` after
 * the call (not in a handler). */
bool iotrap__sigmask_exec_begin(sigset_t *old, bool pending);
void iotrap__sigmask_exec_end(const sigset_t *old);

/* ---- Raw access of Windows processes (shim/grants.c, session/grants.h) ------------ */

/* Maps the grant file named by IOTRAP_WINE_GRANTS, if set (constructor only).  Returns 0,
 * or -1 if the variable names a file that cannot be used (the trap engine then grants
 * nothing to raw instructions of Windows code, which is the safe side). */
int iotrap__wine_grants_init(void);
/* Whether IOTRAP_WINE_GRANTS named a grant file (usable or not): raw accesses of Windows code
 * are then checked against it. */
int iotrap__wine_grants_used(void);

/* 1 if the calling process may execute a raw access to [port, port + width), 0 if a
 * driver IOCTL revoked it.  Without IOTRAP_WINE_GRANTS, or outside a Wine process, always
 * 1.  The caller checks the session policy separately (both must allow); a 0 means the
 * SIGSEGV goes on to Wine untouched, which raises EXCEPTION_PRIV_INSTRUCTION.
 * `ucontext` may be NULL (the hot-site trampolines, outside the handler) once a trap of
 * the process has found its Windows process id. */
int iotrap__wine_raw_granted(const void *ucontext, uint16_t port, unsigned width);

/* 1 if the interrupted code is Windows code of a Wine process (its TEB is found). */
int iotrap__wine_windows_code(const void *ucontext);

/* ---- The environment at start (shim/start_env.c) -------------------------------- */

/* Keeps the LD_PRELOAD entry that loaded this library and every IOTRAP_* variable, in one
 * pass over the environment (constructor only). */
void iotrap__start_env_read(void);
/* The value an IOTRAP_* variable had at start (a kept copy), or NULL if it was unset. */
const char *iotrap__start_getenv(const char *name);
/* The kept LD_PRELOAD entry naming this library, or NULL: "<dir>/$LIB/..." when it was
 * that or the directory of one class, "<dir>/x86_64/..." or "<dir>/i386/...". */
const char *iotrap__start_preload(void);
/* The entry for a program of ELF class elf_class (1, 2; 0: unknown): the kept one with
 * "$LIB" replaced by the class's directory, written to out; the kept one itself if it
 * has no "$LIB", the class is unknown or out is too small (strlen of the kept one + 8 is
 * enough).  NULL if none was kept. */
const char *iotrap__start_preload_for(int elf_class, char *out, size_t outlen);
/* Whether an LD_PRELOAD entry (len bytes) is the kept one, in its "$LIB" form or that of
 * either class's directory. */
bool iotrap__start_preload_is_kept(const char *entry, size_t len);
/* The kept "IOTRAP_...=value" strings; *count of them. */
char *const *iotrap__start_vars(size_t *count);
/* The entry of an LD_PRELOAD list (split at ':' and ' ', as the loader does) that names
 * this library, its length in *len; NULL if none does. */
const char *iotrap__preload_entry(const char *list, size_t *len);

/* ---- Exec (shim/exec.c) ---------------------------------------------------------- */

/* Looks up the C library's exec and spawn functions (shim.h, iotrap__shim_resolve_all). */
void iotrap__exec_resolve(void);

/* ---- /dev/port (shim/port_file.c, shim/port_file_open.c) ------------------------- */

/* The next definition of `name` after the preload library's own (the C library's),
 * looked up once into *slot: at the first call, or by iotrap__shim_resolve_all() before
 * the program's first signal handler, which may call read() or open(), can run. */
static inline void *iotrap__next(void **slot, const char *name)
{
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!f) {
        f = dlsym(RTLD_NEXT, name);
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    }
    return f;
}
/* The same, looked up now (iotrap__shim_resolve_all).  It stores without a look first:
 * the first touch of a page of zeroed data that reads maps the zero page and faults again
 * at the write. */
static inline void iotrap__next_resolve(void **slot, const char *name)
{
    __atomic_store_n(slot, dlsym(RTLD_NEXT, name), __ATOMIC_RELEASE);
}

/* Finds the real I/O functions (constructor only; the /dev/port descriptors inherited
 * over exec are looked for on first need); the _open_ one finds the real open functions. */
/* Look up the C library's functions behind the interposed ones (iotrap__shim_resolve_all). */
void iotrap__port_file_resolve(void);
void iotrap__port_file_open_resolve(void);
/* A new descriptor that stands for /dev/port, opened with these open() flags; -1 and
 * errno on failure. */
int iotrap__port_file_create(int flags);
/* The access mode of a /dev/port descriptor (O_RDONLY, O_WRONLY, O_RDWR, -1 for O_PATH),
 * or -2 if fd is not one. */
int iotrap__port_file_accmode(int fd);
/* A stdio stream on a /dev/port descriptor, which it closes when it is closed. */
FILE *iotrap__port_file_stream(int fd, const char *mode);

/* 1 if the session allows any port at all: what iopl() and opening /dev/port need. */
int iotrap__shim_any_port_allowed(void);

/* ---- Messages (shim/report.c) ----------------------------------------------------- */

/* "iotrap: denied outb 0x64 <- 0xfe at 0x401136 (prog+0x1136)" plus a backtrace. */
void iotrap__report_denied(const iotrap_insn *insn, const iotrap_regs *r, uint16_t port,
                           uint64_t pc, ucontext_t *uc, int status);
#endif
