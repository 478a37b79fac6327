/* What the shim does not own must look exactly as without it: bad memory in the middle
 * of a REP string, NULL dereferences, denied ports, HLT and CLI, SIGSEGV handlers the
 * program installs later, with each of sigaction's flags.  Also code the shim must get
 * right though it rarely meets it: an instruction at the end of the mapped code, code
 * rewritten in place.  Each case prints what it saw; tests/integration.test also checks
 * the exit status and stderr.
 *
 * The board must have RAM latches at 0x300-0x33f and must deny port 0x64.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* REG_* of ucontext, sigset() */
#endif
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/io.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "progs.h"

#if defined(__x86_64__)
#define UC_PC(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
#define UC_SI(uc) ((uc)->uc_mcontext.gregs[REG_RSI])
#define UC_DI(uc) ((uc)->uc_mcontext.gregs[REG_RDI])
#define UC_CX(uc) ((uc)->uc_mcontext.gregs[REG_RCX])
#else
#define UC_PC(uc) ((uc)->uc_mcontext.gregs[REG_EIP])
#define UC_SI(uc) ((uc)->uc_mcontext.gregs[REG_ESI])
#define UC_DI(uc) ((uc)->uc_mcontext.gregs[REG_EDI])
#define UC_CX(uc) ((uc)->uc_mcontext.gregs[REG_ECX])
#endif
#define UC_TRAPNO(uc) ((uc)->uc_mcontext.gregs[REG_TRAPNO])

static sigjmp_buf back;
static volatile int hits;
static siginfo_t seen_si;
static unsigned long seen_pc, seen_si_reg, seen_di_reg, seen_cx_reg, seen_trapno;
static sigset_t seen_mask;

static void record(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    hits++;
    seen_si = *si;
    seen_pc = (unsigned long)UC_PC(uc);
    seen_si_reg = (unsigned long)UC_SI(uc);
    seen_di_reg = (unsigned long)UC_DI(uc);
    seen_cx_reg = (unsigned long)UC_CX(uc);
    seen_trapno = (unsigned long)UC_TRAPNO(uc);
    sigprocmask(SIG_BLOCK, NULL, &seen_mask);
    (void)sig;
    siglongjmp(back, 1);
}

static void install(void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR1);
    sigaction(SIGSEGV, &sa, NULL);
}

static uint8_t in8(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "d"(port));
    return v;
}

static void out8(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "d"(port));
}

/* Two pages; the second made bad (unmapped or read-only). */
static uint8_t *two_pages(int second_prot, int unmap)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (unmap)
        munmap(p + pg, pg);
    else
        mprotect(p + pg, pg, second_prot);
    return p;
}

static void case_outs_unmapped(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *p = two_pages(0, 1);
    for (int i = 0; i < 8; i++)
        p[pg - 8 + i] = (uint8_t)(0xc0 + i);
    install(record, 0);
    unsigned long si = (unsigned long)(p + pg - 3), cx = 8;
    if (!sigsetjmp(back, 1))
        __asm__ volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0x314) : "memory");
    CHECK_EQ("handler called once", hits, 1);
    CHECK_EQ("si_code SEGV_MAPERR", seen_si.si_code, SEGV_MAPERR);
    CHECK_EQ("si_addr is the first bad byte", (unsigned long)seen_si.si_addr,
             (unsigned long)(p + pg));
    CHECK_EQ("trapno 14 (page fault)", seen_trapno, 14);
    CHECK_EQ("rsi after the 3 bytes done", seen_si_reg, (unsigned long)(p + pg));
    CHECK_EQ("rcx counts the 5 left", seen_cx_reg, 5);
    CHECK_EQ("pc still at the instruction", seen_pc != 0, 1);
    CHECK_EQ("the 3 bytes before the fault reached the port", in8(0x314), 0xc7);
}

static void case_ins_readonly(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *p = two_pages(PROT_READ, 0);
    memset(p + pg - 4, 0xee, 4);
    out8(0x315, 0x3c);
    install(record, 0);
    unsigned long di = (unsigned long)(p + pg - 2), cx = 6;
    if (!sigsetjmp(back, 1))
        __asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(0x315) : "memory");
    CHECK_EQ("handler called once", hits, 1);
    CHECK_EQ("si_code SEGV_ACCERR", seen_si.si_code, SEGV_ACCERR);
    CHECK_EQ("si_addr is the read-only page", (unsigned long)seen_si.si_addr,
             (unsigned long)(p + pg));
    CHECK_EQ("rdi after the 2 bytes done", seen_di_reg, (unsigned long)(p + pg));
    CHECK_EQ("rcx counts the 4 left", seen_cx_reg, 4);
    CHECK_EQ("byte before the 2 done untouched", p[pg - 3], 0xee);
    CHECK_EQ("first byte done", p[pg - 2], 0x3c);
    CHECK_EQ("second byte done", p[pg - 1], 0x3c);
    CHECK_EQ("read-only page unchanged", p[pg], 0);
}

/* With no handler, the same fault kills the program with SIGSEGV. */
static void case_outs_unmapped_fatal(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *p = two_pages(0, 1);
    unsigned long si = (unsigned long)(p + pg - 1), cx = 4;
    __asm__ volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0x314) : "memory");
    puts("FAIL: still alive");
}

static void case_null(void)
{
    install(record, 0);
    if (!sigsetjmp(back, 1))
        *(volatile int *)0 = 1;
    CHECK_EQ("handler called once", hits, 1);
    CHECK_EQ("si_code SEGV_MAPERR", seen_si.si_code, SEGV_MAPERR);
    CHECK_EQ("si_addr NULL", (unsigned long)seen_si.si_addr, 0);
    CHECK_EQ("trapno 14", seen_trapno, 14);
    CHECK_EQ("SIGSEGV blocked in the handler (no SA_NODEFER)", sigismember(&seen_mask, SIGSEGV), 1);
    CHECK_EQ("sa_mask's SIGUSR1 blocked in the handler", sigismember(&seen_mask, SIGUSR1), 1);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK_EQ("mask restored after siglongjmp", sigismember(&now, SIGUSR1), 0);
}

static void case_nodefer(void)
{
    install(record, SA_NODEFER);
    if (!sigsetjmp(back, 1))
        *(volatile int *)0 = 1;
    CHECK_EQ("handler called", hits, 1);
    CHECK_EQ("SIGSEGV not blocked with SA_NODEFER", sigismember(&seen_mask, SIGSEGV), 0);
}

static void case_null_fatal(void)
{
    *(volatile int *)0 = 1;
    puts("FAIL: still alive");
}

static void case_denied_handler(void)
{
    install(record, 0);
    if (!sigsetjmp(back, 1))
        out8(0x64, 0xfe);
    CHECK_EQ("handler called once", hits, 1);
    CHECK_EQ("si_code SI_KERNEL", seen_si.si_code, SI_KERNEL);
    CHECK_EQ("trapno 13 (#GP)", seen_trapno, 13);
    uint8_t *pc = (uint8_t *)seen_pc;
    CHECK_EQ("pc at the OUT instruction", *pc, 0xee);
}

static void case_denied_fatal(void)
{
    out8(0x64, 0xfe);
    puts("FAIL: still alive");
}

static void case_hlt_cli(void)
{
    install(record, 0);
    if (!sigsetjmp(back, 1))
        __asm__ volatile("hlt");
    CHECK_EQ("hlt: handler called", hits, 1);
    CHECK_EQ("hlt: SI_KERNEL", seen_si.si_code, SI_KERNEL);
    CHECK_EQ("hlt: pc at HLT", *(uint8_t *)seen_pc, 0xf4);
    if (!sigsetjmp(back, 1))
        __asm__ volatile("cli");
    CHECK_EQ("cli: handler called", hits, 2);
    CHECK_EQ("cli: pc at CLI", *(uint8_t *)seen_pc, 0xfa);
    CHECK_EQ("port I/O still works after", (out8(0x316, 0x42), in8(0x316)), 0x42);
    /* An IN with prefixes making it 16 bytes long: the CPU refuses it (#GP) and so must
     * the shim, whatever the port. */
    if (!sigsetjmp(back, 1))
        __asm__ volatile(".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,"
                         "0x66,0x66,0x66,0x66,0x66,0x66,0x2e,0xec" : : "d"(0x316) : "eax");
    CHECK_EQ("16-byte IN: handler called", hits, 3);
    CHECK_EQ("16-byte IN: SI_KERNEL", seen_si.si_code, SI_KERNEL);
    CHECK_EQ("16-byte IN: pc at its first prefix", *(uint8_t *)seen_pc, 0x66);
}

static volatile int plain_hits;
static void plain_handler(int sig)
{
    plain_hits += sig == SIGSEGV;
    siglongjmp(back, 1);
}

/* signal() after start: chained, not displacing the shim; sigaction reports it back. */
static void case_signal_later(void)
{
    void (*prev)(int) = signal(SIGSEGV, plain_handler);
    CHECK_EQ("signal() returned the previous disposition SIG_DFL", prev == SIG_DFL, 1);
    out8(0x317, 0x17);
    CHECK_EQ("port I/O still trapped by the shim", in8(0x317), 0x17);
    CHECK_EQ("program handler not called for port I/O", plain_hits, 0);
    if (!sigsetjmp(back, 1))
        *(volatile int *)0 = 1;
    CHECK_EQ("program handler called for the NULL dereference", plain_hits, 1);
    struct sigaction cur;
    sigaction(SIGSEGV, NULL, &cur);
    CHECK_EQ("sigaction reports the program's handler", cur.sa_handler == plain_handler, 1);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    sigset(SIGSEGV, SIG_DFL); /* obsolete, but legacy programs call it */
#pragma GCC diagnostic pop
    sigaction(SIGSEGV, NULL, &cur);
    CHECK_EQ("sigset(SIG_DFL) recorded", cur.sa_handler == SIG_DFL, 1);
    CHECK_EQ("port I/O still trapped after sigset", (out8(0x317, 0x18), in8(0x317)), 0x18);
}

/* System V signal(), which a program built for strict X/Open gets for signal():
 * chained as well, and reset to SIG_DFL when it runs. */
static void case_sysv_signal(void)
{
    void (*prev)(int) = __sysv_signal(SIGSEGV, plain_handler);
    CHECK_EQ("__sysv_signal returned SIG_DFL", prev == SIG_DFL, 1);
    CHECK_EQ("port I/O still trapped by the shim", (out8(0x31d, 0x1d), in8(0x31d)), 0x1d);
    if (!sigsetjmp(back, 1))
        *(volatile int *)0 = 1;
    CHECK_EQ("program handler called for the NULL dereference", plain_hits, 1);
    struct sigaction cur;
    sigaction(SIGSEGV, NULL, &cur);
    CHECK_EQ("reset to SIG_DFL once it ran", cur.sa_handler == SIG_DFL, 1);
}

/* SA_RESETHAND: the first fault reaches the handler, the second kills. */
static void case_resethand(void)
{
    install(record, SA_RESETHAND);
    if (!sigsetjmp(back, 1))
        *(volatile int *)0 = 1;
    printf("first fault handled: %d\n", hits);
    struct sigaction cur;
    sigaction(SIGSEGV, NULL, &cur);
    CHECK_EQ("disposition reset to SIG_DFL", cur.sa_handler == SIG_DFL, 1);
    *(volatile int *)0 = 1;
    puts("FAIL: still alive");
}

/* SIG_IGN cannot ignore a fault: the kernel kills the program. */
static void case_ignored(void)
{
    signal(SIGSEGV, SIG_IGN);
    CHECK_EQ("port I/O works with SIGSEGV ignored", (out8(0x318, 0x81), in8(0x318)), 0x81);
    *(volatile int *)0 = 1;
    puts("FAIL: still alive");
}

/* A SIGSEGV sent with kill() is given to the handler as sent (SI_USER). */
static void case_sent(void)
{
    install(record, 0);
    if (!sigsetjmp(back, 1))
        kill(getpid(), SIGSEGV);
    CHECK_EQ("handler called", hits, 1);
    CHECK_EQ("si_code SI_USER", seen_si.si_code, SI_USER);
    CHECK_EQ("si_pid is ours", seen_si.si_pid, getpid());
}

/* IN AL, DX at the very end of the mapped code: the shim's code read stops at the
 * unmapped page and must still decode the two bytes it got. */
static void case_code_at_end(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p + pg, pg);
    p[pg - 2] = 0xec; /* in al, dx */
    p[pg - 1] = 0xc3; /* ret */
    out8(0x319, 0x5e);
    uint8_t (*fn)(uint16_t) = (void *)(p + pg - 2);
    unsigned long a = 0;
    __asm__ volatile("call *%2" : "=a"(a) : "d"(0x319), "r"(fn), "a"(0) : "memory", "cc");
    CHECK_EQ("in al, dx at the end of the mapping", a & 0xff, 0x5e);
    (void)fn;
}

/* The same address first holds IN, then OUT: the decode cache must notice. */
static void case_code_rewritten(void)
{
    uint8_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    out8(0x31a, 0x11);
    for (int round = 0; round < 3; round++) {
        unsigned long a = 0;
        p[0] = 0xec; /* in al, dx */
        p[1] = 0xc3;
        __asm__ volatile("call *%2" : "+a"(a) : "d"(0x31a), "r"(p) : "memory", "cc");
        CHECK_EQ("in al, dx", a & 0xff, (unsigned long)(0x11 + round));
        p[0] = 0xee; /* out dx, al */
        a = 0x12 + round;
        __asm__ volatile("call *%2" : "+a"(a) : "d"(0x31a), "r"(p) : "memory", "cc");
    }
    CHECK_EQ("last out landed", in8(0x31a), 0x14);
}

/* A stack overflow is only survivable on an alternate stack: the shim's handler must run
 * there too (SA_ONSTACK follows the program's handler), or the kernel cannot deliver. */
static void on_overflow(int sig, siginfo_t *si, void *uc)
{
    static const char msg[] = "overflow caught on the alternate stack\n";
    (void)sig, (void)si, (void)uc;
    if (write(1, msg, sizeof msg - 1) < 0)
        _exit(4);
    _exit(3);
}

static volatile int never = -1; /* keeps the compiler from calling the recursion endless */

static int recurse(int n)
{
    volatile char buf[1024];
    buf[0] = (char)n;
    if (n == never)
        return 0;
    return recurse(n + 1) + buf[0];
}

static void case_stack_overflow(void)
{
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_size = 65536;
    ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sigaltstack(&ss, NULL);
    install(on_overflow, SA_ONSTACK);
    CHECK_EQ("port I/O with a handler on the alternate stack", (out8(0x31c, 0x3c), in8(0x31c)),
             0x3c);
    printf("%d\n", recurse(0));
    puts("FAIL: still alive");
}

/* ioperm() and iopl() answer as the kernel would for a process allowed exactly the
 * policy's ports, and the program then uses them (the board allows 0x300-0x33f). */
static void case_ioperm(void)
{
    errno = 0;
    CHECK_EQ("ioperm of allowed ports succeeds", ioperm(0x300, 8, 1), 0);
    CHECK_EQ("port I/O after ioperm", (out8(0x31b, 0x3b), in8(0x31b)), 0x3b);
    CHECK_EQ("ioperm of a denied port fails", ioperm(0x60, 8, 1), -1);
    CHECK_EQ("... with EPERM", errno, EPERM);
    CHECK_EQ("ioperm past 0xffff fails", ioperm(0xfff0, 0x20, 1), -1);
    CHECK_EQ("... with EINVAL", errno, EINVAL);
    CHECK_EQ("ioperm off succeeds", ioperm(0x60, 8, 0), 0);
    CHECK_EQ("iopl(3) succeeds", iopl(3), 0);
    CHECK_EQ("iopl(4) fails", iopl(4), -1);
    CHECK_EQ("... with EINVAL", errno, EINVAL);
    CHECK_EQ("iopl(0) succeeds", iopl(0), 0);
}


/* Port I/O while the program has every signal blocked (a critical section), and in a
 * handler whose sa_mask is full (a timer handler that must not be interrupted), and in
 * a handler that runs during sigsuspend with a full mask.  Natively, with permission,
 * all of these just work; a #GP with SIGSEGV blocked would kill the process, so the shim
 * keeps SIGSEGV deliverable, and sigaction still reports the sa_mask the program gave. */
static volatile int alarm_value = -1;
static void on_alarm_io(int sig)
{
    (void)sig;
    out8(0x31e, 0x5e);
    alarm_value = in8(0x31e);
}

static void case_masked(void)
{
    sigset_t all, old, now;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    CHECK_EQ("port I/O with every signal blocked (sigprocmask)", (out8(0x31e, 0x1e), in8(0x31e)),
             0x1e);
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK_EQ("sigprocmask reports SIGSEGV blocked as asked", sigismember(&now, SIGSEGV), 1);
    CHECK_EQ("the other signals are blocked as asked", sigismember(&now, SIGUSR1), 1);
    sigprocmask(SIG_SETMASK, &old, NULL);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    CHECK_EQ("port I/O with every signal blocked (pthread_sigmask)",
             (out8(0x31e, 0x2e), in8(0x31e)), 0x2e);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK_EQ("mask restored", sigismember(&now, SIGUSR1), 0);
    CHECK_EQ("SIGSEGV reported unblocked again", sigismember(&now, SIGSEGV), 0);

    struct sigaction sa, back_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm_io;
    sigfillset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGALRM, NULL, &back_sa);
    CHECK_EQ("sigaction reports the full sa_mask back", sigismember(&back_sa.sa_mask, SIGSEGV),
             1);
    raise(SIGALRM);
    CHECK_EQ("port I/O in a handler with a full sa_mask", alarm_value, 0x5e);

    alarm_value = -1;
    sigset_t wait_mask;
    sigprocmask(SIG_BLOCK, &all, &old);
    sigfillset(&wait_mask);
    sigdelset(&wait_mask, SIGALRM);
    alarm(1);
    sigsuspend(&wait_mask);
    sigprocmask(SIG_SETMASK, &old, NULL);
    CHECK_EQ("port I/O in a handler run by sigsuspend with a full mask", alarm_value, 0x5e);
}

/* Port I/O inside the program's own SIGSEGV handler (a crash handler switching the
 * hardware off): natively it runs; the handler still sees SIGSEGV blocked, and after a
 * siglongjmp out of it the next fault reaches it again. */
static volatile int handler_io = -1;
static void record_with_io(int sig, siginfo_t *si, void *uc)
{
    out8(0x31d, 0x7d);
    handler_io = in8(0x31d);
    record(sig, si, uc);
}

static void case_io_in_handler(void)
{
    install(record_with_io, 0);
    if (!sigsetjmp(back, 1))
        *(volatile int *)0 = 1;
    CHECK_EQ("handler called", hits, 1);
    CHECK_EQ("port I/O in the SIGSEGV handler", handler_io, 0x7d);
    CHECK_EQ("SIGSEGV reported blocked in the handler", sigismember(&seen_mask, SIGSEGV), 1);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK_EQ("SIGSEGV unblocked after siglongjmp", sigismember(&now, SIGSEGV), 0);
    if (!sigsetjmp(back, 1))
        *(volatile int *)0 = 1;
    CHECK_EQ("second fault reaches the handler", hits, 2);
}

/* A fault with SIGSEGV blocked kills the process, handler or not, as without the shim;
 * port I/O in the same state works. */
static void case_masked_fault_fatal(void)
{
    install(record, 0);
    sigset_t segv;
    sigemptyset(&segv);
    sigaddset(&segv, SIGSEGV);
    sigprocmask(SIG_BLOCK, &segv, NULL);
    CHECK_EQ("port I/O with SIGSEGV blocked", (out8(0x31d, 0x6d), in8(0x31d)), 0x6d);
    fflush(stdout);
    *(volatile int *)0 = 1;
    puts("FAIL: still alive");
}

/* A second fault inside a handler without SA_NODEFER kills, as without the shim. */
static void fault_again(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    printf("in handler, port I/O: 0x%x\n", (out8(0x31d, 0x5d), in8(0x31d)));
    *(volatile int *)0 = 2;
    puts("FAIL: still alive in the handler");
    _exit(1);
}

static void case_fault_in_handler_fatal(void)
{
    install(fault_again, 0);
    *(volatile int *)0 = 1;
    puts("FAIL: still alive");
}

/* The program's own handler sees errno as the interrupted code left it, also when a
 * string element faulted. */
static volatile int errno_in_handler;
static void record_errno(int sig, siginfo_t *si, void *uc)
{
    errno_in_handler = errno;
    record(sig, si, uc);
}

static void case_errno_kept(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *p = two_pages(0, 1);
    install(record_errno, 0);
    unsigned long si = (unsigned long)(p + pg - 1), cx = 4;
    errno = 4321;
    if (!sigsetjmp(back, 1))
        __asm__ volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0x314) : "memory");
    int after = errno;
    CHECK_EQ("handler called", hits, 1);
    CHECK_EQ("errno in the handler is the program's", errno_in_handler, 4321);
    CHECK_EQ("errno after siglongjmp is the program's", after, 4321);
}

/* A string from memory that the kernel will not copy for process_vm_readv (a VM_IO /
 * VM_PFNMAP mapping: device memory mapped from /dev/mem or a frame buffer, here the
 * vDSO's [vvar] data page) but that the CPU reads: the string must move, not fault. */
static void case_outs_pfnmap(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long start = 0, end = 0;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "[vvar]") && sscanf(line, "%lx-%lx", &start, &end) == 2)
            break;
    if (f)
        fclose(f);
    if (!start) {
        puts("FAIL: no [vvar] mapping");
        progs_failures++;
        return;
    }
    const volatile uint8_t *v = (const uint8_t *)start;
    uint8_t want = v[3];
    install(record, 0);
    volatile unsigned long si_after = 0, cx_after = 0;
    if (!sigsetjmp(back, 1)) {
        unsigned long si = start, cx = 4;
        __asm__ volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0x31f) : "memory");
        si_after = si;
        cx_after = cx;
    }
    CHECK_EQ("no fault for readable device-style memory", hits, 0);
    CHECK_EQ("rsi advanced", si_after, start + 4);
    CHECK_EQ("rcx 0", cx_after, 0);
    CHECK_EQ("last byte reached the port", in8(0x31f), want);
}

static const struct progs_case cases[] = {
    {"ioperm", case_ioperm},
    {"stack-overflow", case_stack_overflow},
    {"outs-unmapped", case_outs_unmapped},
    {"ins-readonly", case_ins_readonly},
    {"outs-unmapped-fatal", case_outs_unmapped_fatal},
    {"null", case_null},
    {"nodefer", case_nodefer},
    {"null-fatal", case_null_fatal},
    {"denied-handler", case_denied_handler},
    {"denied-fatal", case_denied_fatal},
    {"hlt-cli", case_hlt_cli},
    {"signal-later", case_signal_later},
    {"sysv-signal", case_sysv_signal},
    {"resethand", case_resethand},
    {"ignored", case_ignored},
    {"sent", case_sent},
    {"code-at-end", case_code_at_end},
    {"code-rewritten", case_code_rewritten},
    {"masked", case_masked},
    {"io-in-handler", case_io_in_handler},
    {"masked-fault-fatal", case_masked_fault_fatal},
    {"fault-in-handler-fatal", case_fault_in_handler_fatal},
    {"errno-kept", case_errno_kept},
    {"outs-pfnmap", case_outs_pfnmap},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    return progs_main(argc, argv, cases);
}
