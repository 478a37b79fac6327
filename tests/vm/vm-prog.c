/* A legacy-style program for the QEMU guest tests: it does plain IN/OUT instructions on
 * the guest's LPT (0x378) and UART scratch register (0x3ff) and prints what it read.
 * Run natively as root with --ioperm, it is the reference; run under `iotrap run` without
 * permission, every access traps and goes through the backend under test.
 *
 *   vm-prog [OPTIONS] lptuart lpt|uart|all   a fixed access sequence, one line per read
 *   vm-prog [OPTIONS] print TEXT             prints TEXT with the Centronics handshake
 *   vm-prog [OPTIONS] poke PORT VALUE...     one OUTB per pair, in order (the denial
 *       tests); each port is a test device's, legacy or moved
 *   vm-prog [OPTIONS] forks N                forks; parent (0x3ff) and child (0x378)
 *       each write and read back N values at once, and check every read
 *   vm-prog [OPTIONS] reset | mark | dump [--ppdev-claimed]
 *       the known state every run starts from, a different one that no run leaves
 *       behind (to see that a run did not touch a device), the registers
 *   vm-prog pci-uart                         the pci-serial card's I/O base and tty name
 * OPTIONS: --ioperm, --lpt BASE, --uart BASE (see vm_where.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vm_seq.h"
#include "vm_where.h"

/* Every access of this program goes to where vm_where() says the device is. */
static uint32_t vm_raw_in(unsigned port, unsigned width)
{
    unsigned at = vm_where(port);
    vm_require_safe(at, width);
    return vm_in(at, width);
}

static void vm_raw_out(unsigned port, unsigned width, uint32_t v)
{
    unsigned at = vm_where(port);
    vm_require_safe(at, width);
    vm_out(at, width, v);
}

/* The Centronics handshake as a DOS-era driver does it: wait until the printer is not
 * busy (status bit 7 set), put the byte on the data lines, pulse STROBE. */
static int print_text(const char *text)
{
    const unsigned data = 0x378, status = 0x379, control = 0x37a;
    vm_raw_out(control, 1, 0x0c);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        unsigned spins = 0;
        while (!(vm_raw_in(status, 1) & 0x80))
            if (++spins > 100000) {
                fprintf(stderr, "printer stays busy\n");
                return 1;
            }
        vm_raw_out(data, 1, *p);
        vm_raw_out(control, 1, 0x0d);
        vm_raw_out(control, 1, 0x0c);
    }
    return 0;
}

/* Prints "BASE TTY" of the pci-serial card: guest.sh remaps onto BASE and sets the line
 * of TTY up like the console's. */
static int pci_uart(void)
{
    char dir[300], path[320];
    unsigned base = vm_pci_uart_find(dir, sizeof dir);
    if (!base) {
        fprintf(stderr, "no pci-serial card (1b36:0002) with an 8-port I/O BAR\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/tty", dir);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            printf("0x%x %s\n", base, e->d_name);
            closedir(d);
            return 0;
        }
    fprintf(stderr, "the pci-serial card at 0x%x has no tty (%s)\n", base, path);
    if (d)
        closedir(d);
    return 1;
}

int main(int argc, char **argv)
{
    int a = 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (vm_where_options(argc, argv, &a) != 0)
        return 2;
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
    if (strcmp(cmd, "poke") == 0 && a + 1 < argc && (argc - a) % 2 == 0) {
        for (; a < argc; a += 2) {
            unsigned port = (unsigned)strtoul(argv[a], NULL, 0);
            unsigned v = (unsigned)strtoul(argv[a + 1], NULL, 0);
            vm_require_safe(port, 1);
            vm_raw_out(port, 1, v);
            printf("poked %03x = %02x\n", port, v);
        }
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
            vm_raw_out(port, 1, v);
            if (vm_raw_in(port, 1) != v)
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
    if (strcmp(cmd, "reset") == 0 || strcmp(cmd, "mark") == 0) {
        /* INIT low resets QEMU's status latch to 0xd8; then the idle control value, or
         * for the mark one with AUTOFD too: a program's first read of the control
         * register shows which of the two devices it reached. */
        int mark = cmd[0] == 'm';
        vm_raw_out(0x37a, 1, 0x08);
        vm_raw_out(0x37a, 1, mark ? 0x0e : 0x0c);
        vm_raw_out(0x378, 1, mark ? 0x99 : 0x00);
        vm_raw_out(0x3ff, 1, mark ? 0x5c : 0x00);
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
            uint32_t v = vm_raw_in(p, 1);
            if (p == 0x37a && mask_irq)
                v &= ~0x10u;
            printf("r8 %03x = %02x\n", p, v);
        }
        rd(0x3ff, 1);
        return 0;
    }
    if (strcmp(cmd, "pci-uart") == 0)
        return pci_uart();
usage:
    fprintf(stderr, "usage: vm-prog [--ioperm] [--lpt BASE] [--uart BASE] lptuart lpt|uart|all"
                    " | print TEXT | poke PORT VALUE... | forks N | reset | mark"
                    " | dump [--ppdev-claimed] | pci-uart\n");
    return 2;
}
