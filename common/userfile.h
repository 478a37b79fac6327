/* Files that an option names and iotrap opens to write: the out= and file= of device specs
 * and the trace.  `iotrap run` opens them with the rights of the user who started it, who
 * can harm only their own files.  A process running as root - iotrapd, before it drops
 * root, or a program run as root - opens them only where no other user can have put
 * anything in the way: not through a symbolic link, only in a directory that root (or
 * this process's own user) owns and no one else may write, or in a sticky one like /tmp
 * only a file of its own (or a new one it makes itself), and only a regular file.  A file made here gets mode
 * 0600 in every case: what a program prints is its user's own. */
#ifndef IOTRAP_COMMON_USERFILE_H
#define IOTRAP_COMMON_USERFILE_H

#include <stddef.h>

/* Opens path with flags (O_CREAT included or not; O_CLOEXEC and O_NOCTTY are added).
 * Returns the descriptor, or a negative IOTRAP_E_* status with a message naming `what`
 * ("output file", "trace file"), the path and the reason in err. */
int iotrap__userfile_open(const char *what, const char *path, int flags, char *err,
                          size_t errlen);

#endif
