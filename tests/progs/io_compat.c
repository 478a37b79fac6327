/* 32-bit code in a 64-bit process: a far return to CS 0x23 runs code that does IN, OUT
 * and REP OUTSB.  The shim must pick the decode mode from CS, not from the process, and
 * write back 32-bit results.  The board must have RAM latches at 0x330-0x333. */
#include <stdint.h>
#include <asm/ldt.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "progs.h"

struct compat_args {
    uint32_t port, value, in_al, src, esi_after, ecx_after, in_ax;
    uint32_t fs_sel;       /* 0, or a selector the 32-bit code loads into FS */
    uint32_t fs_sel_after; /* FS as the 32-bit code saw it after the port I/O */
};

extern const char compat_blob[], compat_blob_end[];

static void run_far(uint32_t fs_sel);

static void case_far(void)
{
    run_far(0);
}

/* The same with FS loaded from an LDT data segment in the 32-bit code, as Wine's WoW64
 * does for the 32-bit TEB: the 64-bit signal handler then starts with FS based on that
 * segment, not on glibc's thread pointer, and must not use thread-local storage (errno,
 * the decoder's caches, the board lock's thread id) through it.  The segment is a page
 * with an inaccessible page below it (glibc's TLS lies below the thread pointer); it
 * must come out unchanged, and FS must still hold the selector afterwards. */
static void case_fs(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *teb = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (teb == MAP_FAILED) {
        perror("mmap MAP_32BIT");
        progs_failures++;
        return;
    }
    mprotect(teb, pg, PROT_NONE);
    teb += pg;
    memset(teb, 0x5a, pg);
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = 0;
    d.base_addr = (unsigned)(uintptr_t)teb;
    d.limit = (unsigned)pg - 1;
    d.seg_32bit = 1;
    d.useable = 1;
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) {
        perror("modify_ldt");
        progs_failures++;
        return;
    }
    run_far(0x7); /* LDT entry 0, RPL 3 */
    size_t changed = 0;
    for (long i = 0; i < pg; i++)
        changed += teb[i] != 0x5a;
    CHECK_EQ("the FS segment's bytes untouched", changed, 0);
}

static void run_far(uint32_t fs_sel)
{
    enum { SIZE = 65536 };
    uint8_t *low = mmap(NULL, SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) {
        perror("mmap MAP_32BIT");
        progs_failures++;
        return;
    }
    memcpy(low, compat_blob, (size_t)(compat_blob_end - compat_blob));
    struct compat_args *a = (struct compat_args *)(low + 4096);
    uint8_t *src = low + 8192;
    memcpy(src, "\x61\x62\x63\x64", 4);
    a->port = 0x330;
    a->value = 0xa1b2c3d4;
    a->src = (uint32_t)(uintptr_t)src;
    a->fs_sel = fs_sel;
    void (*enter)(uint64_t, uint64_t) = (void (*)(uint64_t, uint64_t))(uintptr_t)low;
    enter((uint64_t)(uintptr_t)(low + SIZE - 64), (uint64_t)(uintptr_t)a);
    CHECK_EQ("32-bit inb: al replaced, rest of eax kept", a->in_al, 0x112233d4);
    CHECK_EQ("32-bit rep outsb: esi advanced", a->esi_after, a->src + 3);
    CHECK_EQ("32-bit rep outsb: ecx 0", a->ecx_after, 0);
    CHECK_EQ("32-bit inw: ax from the latches, rest kept", a->in_ax, 0x5566c363);
    CHECK_EQ("FS selector kept", a->fs_sel_after & 0xffff, fs_sel);
}

static const struct progs_case cases[] = {
    {"far", case_far},
    {"fs", case_fs},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return progs_main(argc, argv, cases);
}
