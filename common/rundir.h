/* The files a run shares between its processes (the board, the run state) live in a
 * private directory of the user: $XDG_RUNTIME_DIR/iotrap, /dev/shm/iotrap-UID or
 * /tmp/iotrap-UID, each used only if it is a real directory of this user that nobody else
 * can enter.  Another user can make the last two first, and su, sudo, cron and services
 * leave XDG_RUNTIME_DIR unset; then a directory of random name is made for the file
 * (/dev/shm/iotrap-UID.XXXXXX, or in /tmp), which nobody can make in advance, and removed
 * with it.
 *
 * A file's name carries the process id of its maker and the inode of its pid namespace:
 * when a maker died without removing its files (a launcher killed with SIGKILL), the next
 * file made in the directory removes them.  A process of another pid namespace that
 * shares the directory (a sandbox that binds XDG_RUNTIME_DIR in) cannot be judged, so its
 * files are left alone. */
#ifndef IOTRAP_COMMON_RUNDIR_H
#define IOTRAP_COMMON_RUNDIR_H

#include <stddef.h>

/* Makes a new empty file (mode 0600, close-on-exec) named after `kind` ("board", "run")
 * in the user's private directory and returns its descriptor; its path goes to `path`.
 * On failure returns a negative IOTRAP_E_* status with the reason in err. */
int iotrap__rundir_create(const char *kind, char *path, size_t pathlen, char *err,
                          size_t errlen);

/* Removes a file made by iotrap__rundir_create(), and its directory if it was made for it
 * and is now empty. */
void iotrap__rundir_remove(const char *path);

#endif
