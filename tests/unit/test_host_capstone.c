/* A host program that uses Capstone itself, with its own allocator, and libiotrap beside it
 * (linked as an emulator links it: the shared library, the public API only).
 *
 * The host's allocator and formatter count their calls, and note those made while the
 * host is inside iotrap_decode() or in a signal handler.  libiotrap must never call them:
 * its decodes go through its own copy of Capstone, whatever the host sets, before or after
 * libiotrap's first decode; and the host's Capstone must keep decoding and formatting as
 * before.  Each test runs in its own process (tests/tap-run), so "first" means first. */
#include "tests/unit/harness.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <capstone/capstone.h>
#include <iotrap/iotrap.h>

static atomic_uint host_calls;    /* every call of the host's functions */
static atomic_uint calls_inside;  /* those made while the host is in libiotrap */
static _Thread_local int inside;  /* this thread is in iotrap_decode() */

static void note(void)
{
    atomic_fetch_add(&host_calls, 1);
    if (inside)
        atomic_fetch_add(&calls_inside, 1);
}

static void *h_malloc(size_t n) { note(); return malloc(n); }
static void *h_calloc(size_t n, size_t m) { note(); return calloc(n, m); }
static void *h_realloc(void *p, size_t n) { note(); return realloc(p, n); }
static void h_free(void *p) { note(); free(p); }
static int h_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
    note();
    return vsnprintf(buf, len, fmt, ap);
}

static void host_sets_allocator(void)
{
    cs_opt_mem mem = { .malloc = h_malloc, .calloc = h_calloc, .realloc = h_realloc,
                       .free = h_free, .vsnprintf = h_vsnprintf };
    assert_int_equal(cs_option(0, CS_OPT_MEM, (size_t)&mem), CS_ERR_OK);
}

/* The host decodes with its own handle: its functions are called, and the text is right. */
static void host_decodes(void)
{
    unsigned before = atomic_load(&host_calls);
    csh h;
    assert_int_equal(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    static const uint8_t code[] = { 0x48, 0x8b, 0x44, 0x24, 0x08, 0xf3, 0x6e };
    cs_insn *insn;
    size_t n = cs_disasm(h, code, sizeof code, 0x1000, 0, &insn);
    assert_int_equal(n, 2);
    assert_string_equal(insn[0].mnemonic, "mov");
    assert_string_equal(insn[0].op_str, "rax, qword ptr [rsp + 8]");
    assert_string_equal(insn[1].mnemonic, "rep outsb");
    cs_free(insn, n);
    cs_close(&h);
    assert_true(atomic_load(&host_calls) > before);
}

/* Port instructions, each new to the decoder's per-thread cache of hot instructions, so
 * that every one reaches Capstone: OUT imm8, AL over 256 ports, in each mode. */
static long iotrap_decodes(unsigned salt)
{
    long bad = 0;
    inside = 1;
    for (int mode = 16; mode <= 64; mode *= 2)
        for (unsigned port = 0; port < 256; port++) {
            uint8_t b[3] = { 0x66, 0xe7, (uint8_t)(port + salt) };
            iotrap_insn x;
            if (iotrap_decode(b, sizeof b, mode, &x) != IOTRAP_OK || x.op != IOTRAP_OP_OUT ||
                x.port_imm != (uint8_t)(port + salt) || x.width != (mode == 16 ? 4 : 2))
                bad++;
        }
    inside = 0;
    return bad;
}

static void *decode_thread(void *arg)
{
    return (void *)iotrap_decodes((unsigned)(uintptr_t)arg);
}

static volatile sig_atomic_t handler_bad = -1;

static void on_usr1(int sig)
{
    (void)sig;
    handler_bad = (sig_atomic_t)iotrap_decodes(7);
}

static void decode_everywhere(void)
{
    assert_int_equal(iotrap_decodes(0), 0);
    pthread_t th[4];
    for (uintptr_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, decode_thread, (void *)(i + 1)), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_int_equal((long)r, 0);
    }
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_DFL);
    assert_int_equal(handler_bad, 0);
}

/* The host sets its allocator first, as a program does in main(). */
static void t_host_allocator_set_first(void **state)
{
    (void)state;
    host_sets_allocator();
    host_decodes();
    decode_everywhere();
    print_message("host allocator/formatter calls from inside libiotrap: %u\n",
                  atomic_load(&calls_inside));
    assert_int_equal(atomic_load(&calls_inside), 0);
    host_decodes();
}

/* The host sets its allocator after libiotrap has decoded (and so set its Capstone up). */
static void t_host_allocator_set_later(void **state)
{
    (void)state;
    assert_int_equal(iotrap_decodes(3), 0);
    host_sets_allocator();
    host_decodes();
    decode_everywhere();
    assert_int_equal(atomic_load(&calls_inside), 0);
    host_decodes();
}

/* A host that never sets an allocator keeps Capstone's default: the C library's. */
static void t_host_default_allocator(void **state)
{
    (void)state;
    decode_everywhere();
    csh h;
    assert_int_equal(cs_open(CS_ARCH_X86, CS_MODE_32, &h), CS_ERR_OK);
    static const uint8_t code[] = { 0x66, 0xed };
    cs_insn *insn;
    assert_int_equal(cs_disasm(h, code, sizeof code, 0, 1, &insn), 1);
    assert_string_equal(insn[0].op_str, "ax, dx");
    /* An insn array from Capstone's default allocator is the C library's to free. */
    free(insn);
    cs_close(&h);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_host_allocator_set_first),
    cmocka_unit_test(t_host_allocator_set_later),
    cmocka_unit_test(t_host_default_allocator),
};

IOTRAP_TEST_MAIN(tests)
