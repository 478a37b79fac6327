/* A lock shared by processes through a MAP_SHARED board, usable from a signal handler,
 * that survives its holder dying.
 *
 * The lock is one 32-bit futex word holding the owner's thread id (0: free), plus a
 * "waiters" bit.  Taking a free lock is one compare-and-swap; releasing it one exchange,
 * with a futex wake only when someone sleeps.  A waiter sleeps in bounded slices and,
 * between them, checks whether the owner thread still lives (kill(tid, 0), and its
 * /proc state for a zombie); a dead owner's lock is taken over, so a process killed in
 * the middle of an access never hangs the others.  A thread that already holds the lock
 * (a port access from a signal handler that interrupted another access of the same
 * thread) gets IOTRAP_E_BUSY instead of deadlocking.
 *
 * Everything here is async-signal-safe: atomics, futex, kill, open/read/close. */
#ifndef IOTRAP_BACKENDS_LOCK_H
#define IOTRAP_BACKENDS_LOCK_H

#include <stdint.h>

/* The calling thread's id, cached per thread (reset in fork children). */
uint32_t iotrap__tid(void);

/* IOTRAP_OK or IOTRAP_E_BUSY (this thread holds it already). */
int iotrap__lock_take(uint32_t *word);
void iotrap__lock_release(uint32_t *word);

/* 1 if thread `tid` no longer runs (gone or a zombie); the unit tests check it too. */
int iotrap__tid_dead(uint32_t tid);

#endif
