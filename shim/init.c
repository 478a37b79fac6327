/* The preload library's constructor: read the port session's settings from the
 * environment, install the SIGSEGV handler, and keep all of it working in fork children.
 *
 * What only a trap needs is set up by the first trap, so that a process that never traps
 * does not pay for it: the session of the simulated board (shim/session_open.c), the
 * decoder's Capstone (docs/decoder.md, "Capstone") and the scratch buffers
 * (shim/scratch.c) are set up from the signal handler, async-signal-safely where that is
 * needed.  The /dev/port descriptors inherited over exec are looked for on the first call
 * that asks about a descriptor (shim/port_file.c).
 *
 * A bad configuration stops the program before it runs (exit status 2), with the
 * message the session layer wrote, because a program that then traps would die with a
 * SIGSEGV far from the cause.  `iotrap run` validates the same settings first.
 */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/map.h"
#include "decoder/cs_relocs.h"
#include "session/grants.h"
#include "shim/patch.h"
#include "shim/shim.h"

struct iotrap__shim iotrap__shim;

static int env_flag(const char *name)
{
    const char *v = iotrap__start_getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

/* Every part's fork handlers, registered once.  shim/sigchain.c's come first in the
 * parent before fork() and last after it, so that the others run with every signal
 * blocked: no handler of the program's can reach the decoder on this thread while it
 * holds the relocation lock. */
static void atfork_prepare(void)
{
    iotrap__sigchain_fork_prepare();
    iotrap__cs_relocs_lock();
}

static void atfork_parent(void)
{
    iotrap__cs_relocs_unlock();
    iotrap__sigchain_fork_parent();
}

static void atfork_child(void)
{
    iotrap__cs_relocs_unlock();
    iotrap__scratch_reset();
    iotrap__patch_atfork_child();
    iotrap__shim_session_atfork_child();
    iotrap__sigchain_fork_child();
}

void iotrap__shim_resolve_all(void)
{
    /* 0: not yet, 1: under way, 2: done; a thread that installs a handler meanwhile
     * waits, so that its handler finds everything looked up.  The thread looking them up
     * may come back here through a handler installed around the interposition (a raw
     * system call): it goes on, as it would without the shim. */
    static int state;
    static long by;
    int s = 0;
    long me = syscall(SYS_gettid);
    if (!__atomic_compare_exchange_n(&state, &s, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2 &&
               __atomic_load_n(&by, __ATOMIC_RELAXED) != me)
            sched_yield();
        return;
    }
    __atomic_store_n(&by, me, __ATOMIC_RELAXED);
    iotrap__sigchain_resolve();
    iotrap__port_file_resolve();
    iotrap__port_file_open_resolve();
    iotrap__exec_resolve();
    iotrap__fork_resolve();
    __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void iotrap__shim_init(void)
{
    /* Room for the session of the simulated board, the decoder's arenas of a few threads
     * and the scratch buffers (common/map.h). */
    iotrap__map_reserve(4u << 20);
    iotrap__start_env_read();
    iotrap__shim.quiet = env_flag("IOTRAP_QUIET");
    char err[512] = "";
    bool native;
    if (iotrap__shim_session_start(&native, err, sizeof err) < 0 ||
        iotrap__patch_init(iotrap__start_getenv("IOTRAP_PATCH"), native, err, sizeof err) < 0) {
        fprintf(stderr, "iotrap: cannot start: %s\n", err);
        fflush(stderr);
        _exit(2);
    }

    iotrap__shim.no_unwind = env_flag("IOTRAP_NO_UNWIND");
#if defined(__x86_64__)
    iotrap__shim.fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0; /* HWCAP2_FSGSBASE */
    /* The trap engine finds a thread's thread pointer from its robust-list head when
     * 32-bit code has loaded FS with its own segment (shim/trap.c); the distance is
     * fixed by the C library's struct pthread.  Measured here, on the main thread, whose
     * FS holds the thread pointer (the compiler reads it from the word at %fs:0, where
     * the C library keeps it). */
    unsigned long tp = (unsigned long)(uintptr_t)__builtin_thread_pointer();
    void *head = NULL;
    size_t head_len;
    if (iotrap__raw_syscall3(SYS_get_robust_list, 0, (long)&head, (long)&head_len) == 0 &&
        head && tp)
        iotrap__shim.robust_to_tp = (long)(tp - (unsigned long)(uintptr_t)head);
#endif
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);

    if (iotrap__wine_grants_init() < 0 && !iotrap__shim.quiet)
        fprintf(stderr, "iotrap: warning: %s names no usable grant file: raw port I/O of "
                        "Windows code will be refused\n", IOTRAP__GRANT_ENV);

    if (iotrap__sigchain_install() != 0) {
        perror("iotrap: cannot install the SIGSEGV handler");
        _exit(2);
    }
}
