/* iotrap — one status type for the whole library.
 *
 * Every function that can fail returns an int: 0 (IOTRAP_OK) on success or one of
 * the negative IOTRAP_E_* codes below.  The codes, their names and their messages
 * come from a single X-macro list so that they can never drift apart.
 */
#ifndef IOTRAP_STATUS_H
#define IOTRAP_STATUS_H

#include <iotrap/visibility.h>

#ifdef __cplusplus
extern "C" {
#endif

/* XX(NAME, value, message) */
#define IOTRAP_STATUS_MAP(XX)                                                        \
    XX(NOT_IO,      -1,  "not a port I/O instruction")                               \
    XX(TRUNCATED,   -2,  "instruction bytes end before the instruction does")        \
    XX(BAD_INSN,    -3,  "invalid instruction encoding")                             \
    XX(TOO_LONG,    -4,  "instruction longer than 15 bytes")                         \
    XX(BAD_MODE,    -5,  "processor mode must be 16, 32 or 64")                      \
    XX(FAULT,       -6,  "memory access failed")                                     \
    XX(DENIED,      -7,  "port access denied by policy")                             \
    XX(IO,          -8,  "port access failed in the backend")                        \
    XX(INVAL,       -9,  "invalid argument")                                         \
    XX(SYNTAX,      -10, "syntax error")                                             \
    XX(RANGE,       -11, "value out of range")                                       \
    XX(NOMEM,       -12, "out of memory")                                            \
    XX(NODEV,       -13, "no such device or backend")                                \
    XX(PERM,        -14, "permission denied")                                        \
    XX(UNSUPPORTED, -15, "operation not supported")                                  \
    XX(SYSTEM,      -16, "system call failed")                                       \
    XX(PROTOCOL,    -17, "malformed protocol message")                               \
    XX(BUSY,        -18, "resource busy")

typedef enum iotrap_status {
    IOTRAP_OK = 0,
#define IOTRAP__STATUS_ENUM(name, value, msg) IOTRAP_E_##name = (value),
    IOTRAP_STATUS_MAP(IOTRAP__STATUS_ENUM)
#undef IOTRAP__STATUS_ENUM
} iotrap_status;

/* A static, human-readable message for a status ("unknown status" for others). */
IOTRAP_API const char *iotrap_strerror(int status);

/* The code's name without the prefix, e.g. "NOT_IO"; "OK" for 0. */
IOTRAP_API const char *iotrap_status_name(int status);

#ifdef __cplusplus
}
#endif

#endif
