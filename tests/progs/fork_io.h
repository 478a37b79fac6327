/* What io_fork and io_lazy share: single-byte port accesses, and a child's exit status. */
#ifndef IOTRAP_TESTS_PROGS_FORK_IO_H
#define IOTRAP_TESTS_PROGS_FORK_IO_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "d"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "d"(port));
}

/* The child's exit status, or 128 + the signal that ended it. */
static inline int wait_status(pid_t pid)
{
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif
