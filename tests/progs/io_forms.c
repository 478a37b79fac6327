/* Every form and width of IN, OUT, INS and OUTS, executed for real and trapped by the
 * shim, with every general register checked afterwards: an instruction must change
 * exactly the registers the CPU changes (IN AL keeps the rest of rAX, IN EAX zero-extends
 * in 64-bit code, INS/OUTS step rDI/rSI and count rCX down in the address size).
 *
 * The board must have RAM latches at 0xe0-0xef and 0x300-0x33f (reads return what was
 * written); tests/integration.test runs it so.  Built 64- and 32-bit from this source.
 */
#include <stdint.h>
#include <sys/mman.h>
#if defined(__x86_64__)
#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <asm/ldt.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include "progs.h"

typedef unsigned long ureg;
struct regs {
    ureg a, b, c, d, si, di;
};

/* Runs one instruction with all six registers in and out. */
#define RUN(insn, r)                                                                   \
    __asm__ volatile(insn                                                              \
                     : "+a"((r).a), "+b"((r).b), "+c"((r).c), "+d"((r).d),             \
                       "+S"((r).si), "+D"((r).di)                                      \
                     :                                                                 \
                     : "memory")

#if defined(__x86_64__)
#define FILL 0x1122334455667788ul
#define HI32(v) ((v) & 0xffffffff00000000ul)
#else
#define FILL 0x55667788ul
#define HI32(v) 0ul
#endif

static struct regs fresh(void)
{
    struct regs r = {FILL, FILL ^ 0x0101, FILL ^ 0x0202, FILL ^ 0x0303, FILL ^ 0x0404,
                     FILL ^ 0x0505};
    return r;
}

/* Every register but the ones named in `changed` ("a", "c", "si", "di") is as before. */
static void same_except(const char *what, const struct regs *got, const struct regs *was,
                        const char *changed)
{
    char name[64];
#define SAME(field)                                                                    \
    if (!strstr(changed, "," #field ",")) {                                            \
        snprintf(name, sizeof name, "%s: r" #field " untouched", what);                \
        CHECK_EQ(name, got->field, was->field);                                        \
    }
    SAME(a) SAME(b) SAME(c) SAME(d) SAME(si) SAME(di)
#undef SAME
}

static void case_imm(void)
{
    struct regs r = fresh(), w;
    r.a = (FILL & ~0xfful) | 0xa1;
    w = r;
    RUN("outb %%al, $0xe0", r);
    same_except("outb imm", &r, &w, ",");
    r.a = FILL;
    w = r;
    RUN("inb $0xe0, %%al", r);
    CHECK_EQ("inb imm: al replaced, rest of rax kept", r.a, (FILL & ~0xfful) | 0xa1);
    same_except("inb imm", &r, &w, ",a,");

    r.a = (FILL & ~0xfffful) | 0xb2c3;
    RUN("outw %%ax, $0xe2", r);
    r.a = FILL;
    RUN("inw $0xe2, %%ax", r);
    CHECK_EQ("inw imm: ax replaced, rest kept", r.a, (FILL & ~0xfffful) | 0xb2c3);

    r.a = HI32(FILL) | 0xd4e5f607ul;
    RUN("outl %%eax, $0xe4", r);
    r.a = FILL;
    w = r;
    RUN("inl $0xe4, %%eax", r);
    CHECK_EQ("inl imm: eax zero-extended into rax", r.a, 0xd4e5f607ul);
    same_except("inl imm", &r, &w, ",a,");
    /* Little-endian byte order across the latches. */
    RUN("inb $0xe5, %%al", r);
    CHECK_EQ("inb of the second byte of the outl", r.a & 0xff, 0xf6);
}

static void case_dx(void)
{
    struct regs r = fresh(), w;
    r.d = (FILL & ~0xfffful) | 0x300;
    r.a = FILL ^ 0x5aul;
    w = r;
    RUN("outb %%al, %%dx", r);
    same_except("outb dx", &r, &w, ",");
    r.a = FILL;
    w = r;
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("inb dx: al replaced", r.a, (FILL & ~0xfful) | (0x88 ^ 0x5a));
    same_except("inb dx", &r, &w, ",a,");

    r.d = (FILL & ~0xfffful) | 0x302;
    r.a = (FILL & ~0xfffful) | 0x9876;
    RUN("outw %%ax, %%dx", r);
    r.a = FILL;
    w = r;
    RUN("inw %%dx, %%ax", r);
    CHECK_EQ("inw dx: ax replaced", r.a, (FILL & ~0xfffful) | 0x9876);
    same_except("inw dx", &r, &w, ",a,");

    r.d = (FILL & ~0xfffful) | 0x304;
    r.a = HI32(FILL) | 0xcafef00dul;
    RUN("outl %%eax, %%dx", r);
    r.a = FILL;
    w = r;
    RUN("inl %%dx, %%eax", r);
    CHECK_EQ("inl dx: eax, zero-extended", r.a, 0xcafef00dul);
    same_except("inl dx", &r, &w, ",a,");
    r.d = (FILL & ~0xfffful) | 0x306;
    RUN("inw %%dx, %%ax", r);
    CHECK_EQ("inw of the upper half of the outl", r.a & 0xffff, 0xcafe);
}

/* Odd prefix orders the decoder must get right: 66 away from the opcode, repeated
 * prefixes, a REX prefix in 64-bit code. */
static void case_prefixes(void)
{
    struct regs r = fresh();
    r.d = 0x308;
    r.a = 0x12345678;
    /* 66 2e 66 ef: out dx, ax (segment and repeated operand-size prefixes) */
    RUN(".byte 0x66, 0x2e, 0x66, 0xef", r);
    r.a = FILL;
    RUN("inl %%dx, %%eax", r);
    CHECK_EQ("66 2e 66 ef wrote a word", r.a & 0xffff, 0x5678);
#if defined(__x86_64__)
    r.d = 0x30a;
    r.a = 0xabcd;
    RUN("outw %%ax, %%dx", r);
    r.d = 0x308;
    r.a = FILL;
    /* 66 48 ed: REX.W overrides 66, and IN has no 8-byte form: in eax, dx (as QEMU) */
    RUN(".byte 0x66, 0x48, 0xed", r);
    CHECK_EQ("66 48 ed: in eax, zero-extended", r.a, 0xabcd5678ul);
    r.a = FILL;
    RUN(".byte 0x48, 0xed", r);
    CHECK_EQ("48 ed: in eax, zero-extended", r.a, 0xabcd5678ul);
#endif
}

static uint8_t src[64], dst[64];

static void fill_src(void)
{
    for (unsigned i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(0x40 + i);
    memset(dst, 0xee, sizeof dst);
}

static void case_string(void)
{
    struct regs r = fresh(), w;
    fill_src();
    /* REP OUTSB, DF=0: five bytes in port order; the latch keeps the last. */
    r.d = 0x310;
    r.si = (ureg)&src[3];
    r.c = 5;
    w = r;
    RUN("rep outsb", r);
    CHECK_EQ("rep outsb: rsi advanced", r.si, (ureg)&src[8]);
    CHECK_EQ("rep outsb: rcx counted down", r.c, 0);
    same_except("rep outsb", &r, &w, ",si,c,");
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("rep outsb: last byte in the latch", r.a & 0xff, src[7]);

    /* DF=1: backwards, rsi decremented by the width. */
    r.si = (ureg)&src[10];
    r.c = 3;
    RUN("std; rep outsw; cld", r);
    CHECK_EQ("std rep outsw: rsi went down", r.si, (ureg)&src[4]);
    CHECK_EQ("std rep outsw: rcx 0", r.c, 0);
    RUN("inw %%dx, %%ax", r);
    CHECK_EQ("std rep outsw: last word is the lowest", r.a & 0xffff,
             (ureg)(src[6] | src[7] << 8));

    /* Count 0 does nothing. */
    r.si = (ureg)&src[0];
    r.c = 0;
    w = r;
    RUN("rep outsl", r);
    same_except("rep outsl count 0", &r, &w, ",");
    RUN("inw %%dx, %%ax", r);
    CHECK_EQ("count 0: latch unchanged", r.a & 0xffff, (ureg)(src[6] | src[7] << 8));

    /* Non-repeated OUTSB: one element, rcx untouched. */
    r.si = (ureg)&src[20];
    r.c = FILL;
    w = r;
    RUN("outsb", r);
    CHECK_EQ("outsb: rsi + 1", r.si, (ureg)&src[21]);
    same_except("outsb", &r, &w, ",si,");

    /* REP INSB: the latch's value in every element, nothing past the count. */
    r.a = 0x77;
    RUN("outb %%al, %%dx", r);
    r.di = (ureg)&dst[2];
    r.c = 4;
    w = r;
    RUN("rep insb", r);
    CHECK_EQ("rep insb: rdi advanced", r.di, (ureg)&dst[6]);
    CHECK_EQ("rep insb: rcx 0", r.c, 0);
    same_except("rep insb", &r, &w, ",di,c,");
    CHECK_EQ("rep insb: dst[1] untouched", dst[1], 0xee);
    CHECK_EQ("rep insb: dst[2]", dst[2], 0x77);
    CHECK_EQ("rep insb: dst[5]", dst[5], 0x77);
    CHECK_EQ("rep insb: dst[6] untouched", dst[6], 0xee);

    /* REP INSL backwards. */
    r.a = 0x01020304;
    RUN("outl %%eax, %%dx", r);
    r.di = (ureg)&dst[40];
    r.c = 2;
    RUN("std; rep insl; cld", r);
    CHECK_EQ("std rep insl: rdi down by 8", r.di, (ureg)&dst[32]);
    CHECK_EQ("std rep insl: dst[40]", dst[40], 0x04);
    CHECK_EQ("std rep insl: dst[39]", dst[39], 0x01);
    CHECK_EQ("std rep insl: dst[36]", dst[36], 0x04);
    CHECK_EQ("std rep insl: dst[35] untouched", dst[35], 0xee);

    /* INSW, not repeated; and REPNE (F2) repeats INS/OUTS like REP. */
    r.di = (ureg)&dst[50];
    r.c = FILL;
    RUN("insw", r);
    CHECK_EQ("insw: rdi + 2", r.di, (ureg)&dst[52]);
    CHECK_EQ("insw: rcx untouched", r.c, FILL);
    CHECK_EQ("insw: dst[50]", dst[50], 0x04);
    r.si = (ureg)&src[30];
    r.c = 2;
    RUN(".byte 0xf2, 0x6e", r);
    CHECK_EQ("repne outsb: rsi + 2", r.si, (ureg)&src[32]);
    CHECK_EQ("repne outsb: rcx 0", r.c, 0);
}

/* A big REP string: one trap, the whole string to the backend. */
static void case_bigstring(void)
{
    enum { N = 200000 };
    uint8_t *buf = mmap(NULL, N, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (unsigned i = 0; i < N; i++)
        buf[i] = (uint8_t)i;
    struct regs r = fresh();
    r.d = 0x320;
    r.si = (ureg)buf;
    r.c = N / 4;
    RUN("rep outsl", r);
    CHECK_EQ("rep outsl 50000: rsi at the end", r.si, (ureg)(buf + N));
    CHECK_EQ("rep outsl 50000: rcx 0", r.c, 0);
    RUN("inl %%dx, %%eax", r);
    CHECK_EQ("rep outsl 50000: last element latched", r.a & 0xffffffff,
             *(uint32_t *)(buf + N - 4));
    r.di = (ureg)buf;
    r.c = N / 2;
    RUN("rep insw", r);
    CHECK_EQ("rep insw 100000: rdi at the end", r.di, (ureg)(buf + N));
    CHECK_EQ("rep insw 100000: last element", *(uint16_t *)(buf + N - 2),
             *(uint16_t *)(buf + N - 4));
}

#if defined(__x86_64__)
/* 67: 32-bit addressing in 64-bit code uses ESI/EDI/ECX and writes them zero-extended. */
static void case_addr32(void)
{
    uint8_t *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    for (int i = 0; i < 16; i++)
        low[i] = (uint8_t)(0xa0 + i);
    struct regs r = fresh();
    r.d = 0x311;
    r.si = 0xdead000000000000ul | (ureg)&low[1];
    r.c = 0xffffffff00000003ul;
    RUN(".byte 0x67, 0xf3, 0x6e", r); /* addr32 rep outsb */
    CHECK_EQ("addr32 rep outsb: rsi = esi + 3, zero-extended", r.si, (ureg)&low[4]);
    CHECK_EQ("addr32 rep outsb: rcx = 0, zero-extended", r.c, 0);
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("addr32 rep outsb: last byte", r.a & 0xff, low[3]);
    r.di = 0xbeef000000000000ul | (ureg)&low[8];
    r.c = 0x1234567800000002ul;
    RUN(".byte 0xf3, 0x67, 0x6c", r); /* rep addr32 insb */
    CHECK_EQ("addr32 rep insb: rdi zero-extended", r.di, (ureg)&low[10]);
    CHECK_EQ("addr32 rep insb: rcx zero-extended", r.c, 0);
    CHECK_EQ("addr32 rep insb: low[9]", low[9], low[3]);
}

static __thread uint8_t tls_bytes[8] = {0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38};

/* FS and GS overrides apply in 64-bit code; DS, ES, CS, SS overrides are ignored. */
static void case_segments(void)
{
    static uint8_t gsbuf[16] = {0x61, 0x62, 0x63, 0x64, 0x65};
    unsigned long fsbase = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &fsbase);
    syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)gsbuf);
    struct regs r = fresh();
    r.d = 0x312;
    r.si = 2;
    r.c = 2;
    RUN("rep outsb %%gs:(%%rsi), %%dx", r);
    CHECK_EQ("gs: rep outsb: rsi is an offset", r.si, 4);
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("gs: byte from the GS base", r.a & 0xff, 0x64);

    r.si = (ureg)&tls_bytes[5] - fsbase;
    RUN("outsb %%fs:(%%rsi), %%dx", r);
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("fs: byte from thread-local storage", r.a & 0xff, 0x36);

    static uint8_t flat = 0x99;
    r.si = (ureg)&flat;
    RUN(".byte 0x26, 0x6e", r); /* es outsb: ignored */
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("es override ignored", r.a & 0xff, 0x99);
    flat = 0x9a;
    r.si = (ureg)&flat;
    RUN(".byte 0x3e, 0x2e, 0x36, 0x6e", r); /* ds cs ss outsb: ignored */
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("ds/cs/ss overrides ignored", r.a & 0xff, 0x9a);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
}

#else
/* 67 in 32-bit code: 16-bit addressing through SI/DI/CX, the upper halves kept.  The
 * memory is reached through an LDT data segment in FS (glibc's i386 TLS is in GS). */
static void case_addr16(void)
{
    static uint8_t seg[64] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17};
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = 0;
    d.base_addr = (unsigned)(uintptr_t)seg;
    d.limit = 0xfffff;
    d.seg_32bit = 1;
    d.limit_in_pages = 1;
    d.useable = 1;
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) {
        perror("modify_ldt");
        progs_failures++;
        return;
    }
    __asm__ volatile("mov %0, %%fs" : : "r"(7)); /* LDT entry 0, RPL 3 */
    struct regs r = fresh();
    r.d = 0x313;
    r.si = 0xabcd0002;
    r.c = 0x12340003;
    RUN(".byte 0x67, 0xf3, 0x64, 0x6e", r); /* addr16 rep outsb %fs:(%si) */
    CHECK_EQ("addr16 rep outsb: si + 3, upper esi kept", r.si, 0xabcd0005);
    CHECK_EQ("addr16 rep outsb: cx 0, upper ecx kept", r.c, 0x12340000);
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("addr16 rep outsb via the LDT base: last byte", r.a & 0xff, 0x14);
    __asm__ volatile("mov %0, %%fs" : : "r"(0));
}

/* 16-bit code in an LDT code segment (as DOS and Win16 emulators run it): the shim must
 * see a 16-bit segment through LAR, add the segment's base to IP, and give IN its 16-bit
 * default width (66 makes it 32). */
static void case_code16(void)
{
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static const uint8_t body[] = {
        0xed,             /* in ax, dx (16-bit code) */
        0x66, 0xcb,       /* o32 retf: back to the 32-bit caller */
        0x66, 0xed,       /* in eax, dx */
        0x66, 0xcb,
    };
    memcpy(code, body, sizeof body);
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = 1;
    d.base_addr = (unsigned)(uintptr_t)code;
    d.limit = 0xfff;
    d.seg_32bit = 0;
    d.contents = MODIFY_LDT_CONTENTS_CODE;
    d.useable = 1;
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) {
        perror("modify_ldt");
        progs_failures++;
        return;
    }
    struct __attribute__((packed)) {
        uint32_t offset;
        uint16_t sel;
    } far = {0, 0x0f}; /* LDT entry 1, RPL 3 */
    struct regs r = fresh();
    r.d = 0x314;
    r.a = 0xbeef;
    RUN("outw %%ax, %%dx", r);
    r.d = 0x316;
    r.a = 0xcafe;
    RUN("outw %%ax, %%dx", r);
    unsigned long a = 0x11223344, dx = 0x314;
    __asm__ volatile("lcall *%2" : "+a"(a) : "d"(dx), "m"(far) : "memory");
    CHECK_EQ("16-bit in ax, dx: ax replaced, upper eax kept", a, 0x1122beef);
    far.offset = 3;
    a = 0x11223344;
    __asm__ volatile("lcall *%2" : "+a"(a) : "d"(dx), "m"(far) : "memory");
    CHECK_EQ("16-bit 66 in eax, dx: 4 bytes", a, 0xcafebeef);
}

/* GS override: glibc's thread pointer segment, whose base the TCB holds at gs:0. */
static __thread uint8_t tls_bytes[4] = {0x51, 0x52, 0x53, 0x54};
static void case_segments(void)
{
    unsigned long gsbase;
    __asm__("mov %%gs:0, %0" : "=r"(gsbase));
    struct regs r = fresh();
    r.d = 0x312;
    r.si = (ureg)&tls_bytes[2] - gsbase;
    RUN("outsb %%gs:(%%esi), %%dx", r);
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("gs: byte from thread-local storage", r.a & 0xff, 0x53);
    static uint8_t flat = 0x98;
    r.si = (ureg)&flat;
    RUN(".byte 0x3e, 0x6e", r); /* ds outsb */
    RUN("inb %%dx, %%al", r);
    CHECK_EQ("ds override (flat)", r.a & 0xff, 0x98);
}
#endif

static const struct progs_case cases[] = {
    {"imm", case_imm},
    {"dx", case_dx},
    {"prefixes", case_prefixes},
    {"string", case_string},
    {"bigstring", case_bigstring},
#if defined(__x86_64__)
    {"addr32", case_addr32},
#else
    {"addr16", case_addr16},
    {"code16", case_code16},
#endif
    {"segments", case_segments},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return progs_main(argc, argv, cases);
}
