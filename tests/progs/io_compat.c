/* 32-bit code in a 64-bit process: a far return to CS 0x23 runs code that does IN, OUT
 * and REP OUTSB.  The shim must pick the decode mode from CS, not from the process, and
 * write back 32-bit results.  The board must have RAM latches at 0x330-0x333. */
#include <stdint.h>
#include <sys/mman.h>
#include "progs.h"

struct compat_args {
    uint32_t port, value, in_al, src, esi_after, ecx_after, in_ax;
};

extern const char compat_blob[], compat_blob_end[];

static void case_far(void)
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
    void (*enter)(uint64_t, uint64_t) = (void (*)(uint64_t, uint64_t))(uintptr_t)low;
    enter((uint64_t)(uintptr_t)(low + SIZE - 64), (uint64_t)(uintptr_t)a);
    CHECK_EQ("32-bit inb: al replaced, rest of eax kept", a->in_al, 0x112233d4);
    CHECK_EQ("32-bit rep outsb: esi advanced", a->esi_after, a->src + 3);
    CHECK_EQ("32-bit rep outsb: ecx 0", a->ecx_after, 0);
    CHECK_EQ("32-bit inw: ax from the latches, rest kept", a->in_ax, 0x5566c363);
}

static const struct progs_case cases[] = {
    {"far", case_far},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return progs_main(argc, argv, cases);
}
