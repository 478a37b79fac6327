/* The trap engine's side of the grant file (session/grants.h): which Windows process this
 * is, and whether its permission map lets a raw instruction through.
 *
 * Compiled into the preload library only.  The Windows process id is read from the
 * Windows TEB of the interrupted thread: on x86-64 Wine keeps the TEB in the GS base
 * (TEB.Self at 0x30, ClientId.UniqueProcess at 0x40), on i386 in the segment that FS
 * selects (Self at 0x18, UniqueProcess at 0x20).  The id is the same for every thread of
 * the process, so it is read once. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

#include "common/startup.h"
#include "shim/shim.h"
#include "session/grants.h"
#include "session/grants_file.h"

static const struct iotrap__grant_file *grants;
static int grants_broken;
static volatile uint32_t cached_winpid;
static struct iotrap__grant_hint slot_hint;

IOTRAP__STARTUP int iotrap__wine_grants_init(void)
{
    const char *path = iotrap__start_getenv(IOTRAP__GRANT_ENV);
    if (!path || !*path)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    void *p = MAP_FAILED;
    if (fd >= 0) {
        p = mmap(NULL, sizeof(struct iotrap__grant_file), PROT_READ, MAP_SHARED, fd, 0);
        close(fd);
    }
    if (p == MAP_FAILED || !iotrap__wine_grants_valid(p, sizeof(struct iotrap__grant_file))) {
        if (p != MAP_FAILED)
            munmap(p, sizeof(struct iotrap__grant_file));
        grants_broken = 1;
        return -1;
    }
    grants = p;
    return 0;
}

int iotrap__wine_grants_used(void)
{
    return grants || grants_broken;
}

/* The Windows process id of the interrupted code, 0 if it is not Windows code. */
static uint32_t windows_pid(const ucontext_t *uc)
{
    uint32_t pid = cached_winpid;
    if (pid || !uc)
        return pid;
#if defined(__x86_64__)
    (void)uc;
    unsigned long base = 0;
    uint64_t self = 0;
    if (syscall(SYS_arch_prctl, ARCH_GET_GS, &base) != 0 || base == 0)
        return 0;
    if (iotrap__safe_copy(&self, (const void *)(base + 0x30), sizeof(self), NULL) != sizeof(self) ||
        self != base)
        return 0;
    if (iotrap__safe_copy(&pid, (const void *)(base + 0x40), sizeof(pid), NULL) != sizeof(pid))
        return 0;
#elif defined(__i386__)
    /* Wine's 32-bit code runs with FS selecting the TEB; the handler runs with the FS of
     * the interrupted code, which is checked before reading through it. */
    uint16_t fs_now;
    __asm__ volatile("movw %%fs, %0" : "=r"(fs_now));
    uint16_t fs_then = (uint16_t)uc->uc_mcontext.gregs[REG_FS];
    if (fs_then == 0 || fs_now != fs_then)
        return 0;
    uint32_t self;
    __asm__ volatile("movl %%fs:0x18, %0" : "=r"(self));
    uint32_t check = 0;
    if (iotrap__safe_copy(&check, (const void *)(uintptr_t)(self + 0x18), sizeof(check), NULL) !=
            sizeof(check) || check != self)
        return 0;
    if (iotrap__safe_copy(&pid, (const void *)(uintptr_t)(self + 0x20), sizeof(pid), NULL) !=
        sizeof(pid))
        return 0;
#else
    (void)uc;
    return 0;
#endif
    cached_winpid = pid;
    return pid;
}

int iotrap__wine_raw_granted(const void *ucontext, uint16_t port, unsigned width)
{
    if (grants_broken)
        return 0;
    if (!grants)
        return 1;
    uint32_t pid = windows_pid(ucontext);
    if (!pid)
        return 1;
    /* The hint is plain memory shared by the threads: a race on it can only make a
     * thread search again, or trust a slot number that lookup checks before using. */
    return iotrap__wine_grants_lookup(grants, pid, port, width, &slot_hint);
}

int iotrap__wine_windows_code(const void *ucontext)
{
    return windows_pid(ucontext) != 0;
}
