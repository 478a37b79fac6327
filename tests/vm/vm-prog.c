/* A legacy-style program for the QEMU guest tests: it does plain IN/OUT instructions on
 * the guest's LPT (0x378) and UART scratch register (0x3ff) and prints what it read.
 * Run natively as root with --ioperm, it is the reference; run under `iotrap run` without
 * permission, every access traps and goes through the backend under test.
 *
 *   vm-prog [--ioperm] lptuart lpt|uart|all   a fixed access sequence, one line per read
 *   vm-prog [--ioperm] print TEXT             prints TEXT with the Centronics handshake
 *   vm-prog [--ioperm] poke PORT VALUE        one OUTB (used for the denial test)
 *   vm-prog [--ioperm] forks N                forks; parent (0x3ff) and child (0x378)
 *       each write and read back N values at once, and check every read
 *   vm-prog [--ioperm] reset | dump [--ppdev-claimed]   known device state / its registers
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vm_seq.h"

static uint32_t vm_raw_in(unsigned port, unsigned width)
{
    return vm_in(port, width);
}

static void vm_raw_out(unsigned port, unsigned width, uint32_t v)
{
    vm_out(port, width, v);
}

/* The Centronics handshake as a DOS-era driver does it: wait until the printer is not
 * busy (status bit 7 set), put the byte on the data lines, pulse STROBE. */
static int print_text(const char *text)
{
    const unsigned data = 0x378, status = 0x379, control = 0x37a;
    vm_out(control, 1, 0x0c);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        unsigned spins = 0;
        while (!(vm_in(status, 1) & 0x80))
            if (++spins > 100000) {
                fprintf(stderr, "printer stays busy\n");
                return 1;
            }
        vm_out(data, 1, *p);
        vm_out(control, 1, 0x0d);
        vm_out(control, 1, 0x0c);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int a = 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (a < argc && strcmp(argv[a], "--ioperm") == 0) {
        if (ioperm(0x378, 8, 1) != 0 || ioperm(0x3f8, 8, 1) != 0) {
            fprintf(stderr, "ioperm: %s\n", strerror(errno));
            return 2;
        }
        a++;
    }
    if (a >= argc)
        goto usage;
    const char *cmd = argv[a++];
    if (strcmp(cmd, "lptuart") == 0 && a < argc) {
        if (strcmp(argv[a], "lpt") == 0 || strcmp(argv[a], "all") == 0)
            seq_lpt();
        if (strcmp(argv[a], "uart") == 0 || strcmp(argv[a], "all") == 0)
            seq_uart();
        printf("reads %u\n", nread);
        return 0;
    }
    if (strcmp(cmd, "print") == 0 && a < argc)
        return print_text(argv[a]);
    if (strcmp(cmd, "poke") == 0 && a + 1 < argc) {
        unsigned port = (unsigned)strtoul(argv[a], NULL, 0);
        unsigned v = (unsigned)strtoul(argv[a + 1], NULL, 0);
        vm_require_safe(port, 1);
        vm_out(port, 1, v);
        printf("poked %03x = %02x\n", port, v);
        return 0;
    }
    if (strcmp(cmd, "forks") == 0 && a < argc) {
        long n = atol(argv[a]);
        pid_t child = fork();
        if (child < 0)
            return 1;
        unsigned port = child == 0 ? 0x378 : 0x3ff;
        int bad = 0;
        for (long i = 0; i < n; i++) {
            uint8_t v = (uint8_t)(i * 2 + (child == 0)) & 0xfe;
            vm_out(port, 1, v);
            if (vm_in(port, 1) != v)
                bad++;
        }
        if (child == 0)
            _exit(bad ? 1 : 0);
        int st;
        if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            bad++;
        printf("forks: %s\n", bad ? "mismatch" : "consistent");
        return bad ? 1 : 0;
    }
    if (strcmp(cmd, "reset") == 0) {
        /* INIT low resets QEMU's status latch to 0xd8; then the idle control value. */
        vm_out(0x37a, 1, 0x08);
        vm_out(0x37a, 1, 0x0c);
        vm_out(0x378, 1, 0x00);
        vm_out(0x3ff, 1, 0x00);
        return 0;
    }
    if (strcmp(cmd, "dump") == 0) {
        /* --ppdev-claimed: the kernel sets control bit 4 (interrupt enable) while ppdev
         * holds the port and leaves it set; it is not the program's doing, so it is left
         * out when comparing with a native run. */
        int mask_irq = a < argc && strcmp(argv[a], "--ppdev-claimed") == 0;
        for (unsigned p = 0x378; p <= 0x37f; p++) {
            if (p == 0x379)
                continue;
            uint32_t v = vm_in(p, 1);
            if (p == 0x37a && mask_irq)
                v &= ~0x10u;
            printf("r8 %03x = %02x\n", p, v);
        }
        rd(0x3ff, 1);
        return 0;
    }
usage:
    fprintf(stderr, "usage: vm-prog [--ioperm] lptuart lpt|uart|all | print TEXT | "
                    "poke PORT VALUE | forks N | reset | dump [--ppdev-claimed]\n");
    return 2;
}
