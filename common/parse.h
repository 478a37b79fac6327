/* Parsers for the text the user gives iotrap: numbers and device specs (--device); port
 * lists have their own, in common/portset.h.  Each checks its whole input, never crashes
 * on any input, and on failure writes a message that quotes the bad part.  None runs in a
 * signal handler. */
#ifndef IOTRAP_COMMON_PARSE_H
#define IOTRAP_COMMON_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Formats a message into err (if errlen > 0) and returns `status`. */
int iotrap__err(char *err, size_t errlen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An unsigned number in [s, s+len): "0x" or "0X" then hex digits, or decimal digits.
 * IOTRAP_E_SYNTAX if it is not a number, IOTRAP_E_RANGE if it is above `max`. */
int iotrap__parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out);

/* A size as people write it: a decimal number of bytes, or one followed by k, M or G
 * (KiB, MiB, GiB); at least 1.  IOTRAP_E_SYNTAX or IOTRAP_E_RANGE with a message quoting
 * `s`. */
int iotrap__parse_size(const char *s, uint64_t *out, char *err, size_t errlen);

/* An item of --device-plugin and IOTRAP_DEVICE_PLUGINS: "FILE" for every process of a
 * run, or "i386=FILE" and "x86_64=FILE" for the processes of that architecture only
 * (one plug-in file per bitness).  Returns the bitness the item is for (32, 64, or 0 for
 * every process) and points *file at the file name within the item.  (A file whose name
 * itself starts with "i386=" is written "./i386=...".) */
int iotrap__plugin_item(const char *item, const char **file);

#define IOTRAP__SPEC_MAX_OPTIONS 16

/* A device spec "NAME@BASE[,key[=value]...]" or "NAME@LO-HI[,...]", split up (BASE and
 * LO-HI as in a port list).  Spaces around the name, the base, each key and each value
 * are ignored, as spaces around the items of a port list are.  The strings point into a private copy owned by the struct. */
typedef struct iotrap__device_spec {
    char *copy;
    const char *text;   /* the whole spec as given, for messages */
    const char *name;
    uint32_t lo, hi;    /* lo == hi for a single port */
    int has_range;      /* 1 if written as LO-HI */
    size_t noptions;
    struct {
        const char *key;
        const char *value; /* "" when the option has no "=value" */
    } options[IOTRAP__SPEC_MAX_OPTIONS];
} iotrap__device_spec;

int iotrap__device_spec_parse(const char *spec, iotrap__device_spec *out, char *err,
                              size_t errlen);
void iotrap__device_spec_free(iotrap__device_spec *spec);

#endif
