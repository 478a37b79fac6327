/* examples/unicorn_demo.S run natively: under `iotrap run` its port instructions trap and
 * are emulated on the simulated board.  It gets what examples/unicorn_ports.c gives it
 * under Unicorn (RBX = a zeroed data page at 0x20000000, GS base = RBX + 0x800, other
 * registers 0) and prints the registers and the data page in unicorn_ports' format, so
 * that tests/lib/unicorn.sh can compare the two runs byte for byte. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DATA_BASE 0x20000000ul
#define DATA_SIZE 0x1000ul

void io_blob_run(uint64_t regs[7]);

int main(void)
{
    uint8_t *data = mmap((void *)DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (data != (uint8_t *)DATA_BASE) {
        perror("io_blob: mapping the data page at 0x20000000");
        return 1;
    }
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, DATA_BASE + 0x800) != 0) {
        perror("io_blob: arch_prctl(ARCH_SET_GS)");
        return 1;
    }
    uint64_t regs[7] = { 0, DATA_BASE, 0, 0, 0, 0, 0 };
    io_blob_run(regs);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
    static const char *const names[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8" };
    for (int k = 0; k < 7; k++)
        printf("%s %016llx\n", names[k], (unsigned long long)regs[k]);
    for (size_t off = 0; off < DATA_SIZE; off += 16) {
        printf("data %03zx", off);
        for (size_t k = 0; k < 16; k++)
            printf(" %02x", data[off + k]);
        printf("\n");
    }
    return 0;
}
