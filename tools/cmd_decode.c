/* `iotrap decode [--mode 16|32|64] [--json] HEXBYTES...`: decode one port I/O instruction
 * from hex bytes and print what the CPU would execute. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iotrap/decode.h>
#include "decoder/uncached.h"
#include "tools/commands.h"

#define MAX_BYTES 64

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: iotrap decode [--mode 16|32|64] [--json] HEXBYTES...\n"
            "Decode one IN/OUT/INS/OUTS instruction, with all its prefixes, as the CPU executes it.\n"
            "HEXBYTES: one string or several arguments, e.g. \"f3 66 6f\", f3666f, 0xf3 0x66 0x6f.\n"
            "  -m, --mode N   code segment size: 16, 32 or 64 (default 64)\n"
            "  -j, --json     print one JSON object\n"
            "  -h, --help     this text\n"
            "Exit status: 0 decoded, 1 the bytes are not a (complete, valid) port I/O\n"
            "instruction, 2 bad usage.\n");
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* Append the bytes of one argument; tokens are separated by spaces or commas and may have
 * a 0x prefix.  Returns 0, or prints what is wrong and returns -1. */
static int parse_hex_arg(const char *arg, unsigned char *out, size_t *n)
{
    const char *p = arg;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n')
            p++;
        if (!*p)
            break;
        const char *tok = p;
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
            p += 2;
        const char *digits = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != '\n') {
            if (hexval((unsigned char)*p) < 0) {
                fprintf(stderr, "iotrap decode: '%c' in '%s' is not a hex digit\n", *p, arg);
                return -1;
            }
            p++;
        }
        size_t nd = (size_t)(p - digits);
        if (nd == 0 || nd % 2) {
            fprintf(stderr, "iotrap decode: '%.*s' in '%s' is not a whole number of bytes "
                            "(two hex digits each)\n", (int)(p - tok), tok, arg);
            return -1;
        }
        for (size_t i = 0; i < nd; i += 2) {
            if (*n == MAX_BYTES) {
                fprintf(stderr, "iotrap decode: more than %d bytes given\n", MAX_BYTES);
                return -1;
            }
            out[(*n)++] = (unsigned char)(hexval((unsigned char)digits[i]) * 16
                                          + hexval((unsigned char)digits[i + 1]));
        }
    }
    return 0;
}

static const char *seg_name(unsigned seg)
{
    static const char *const names[] = { "es", "cs", "ss", "ds", "fs", "gs" };
    return seg < 6 ? names[seg] : "?";
}

int iotrap__cmd_decode(int argc, char **argv)
{
    int mode = 64, json = 0, options = 1;
    unsigned char bytes[MAX_BYTES];
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && a[0] == '-' && a[1] != '\0') {
            const char *val = NULL;
            if (strcmp(a, "--") == 0) {
                options = 0;
            } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                usage(stdout);
                return 0;
            } else if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
                json = 1;
            } else if (strcmp(a, "-m") == 0 || strcmp(a, "--mode") == 0) {
                if (i + 1 == argc) {
                    fprintf(stderr, "iotrap decode: %s needs a value: 16, 32 or 64\n", a);
                    return 2;
                }
                val = argv[++i];
            } else if (strncmp(a, "--mode=", 7) == 0) {
                val = a + 7;
            } else {
                fprintf(stderr, "iotrap decode: unknown option '%s' (try 'iotrap decode --help')\n", a);
                return 2;
            }
            if (val) {
                if (strcmp(val, "16") && strcmp(val, "32") && strcmp(val, "64")) {
                    fprintf(stderr, "iotrap decode: --mode must be 16, 32 or 64, not '%s'\n", val);
                    return 2;
                }
                mode = atoi(val);
            }
            continue;
        }
        if (parse_hex_arg(a, bytes, &n) < 0)
            return 2;
    }
    if (n == 0) {
        fprintf(stderr, "iotrap decode: no instruction bytes given\n");
        usage(stderr);
        return 2;
    }

    char hex[3 * MAX_BYTES + 1];
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 3 * i, "%02x%s", bytes[i], i + 1 < n ? " " : "");
    iotrap_insn x;
    int rc = iotrap__decode_uncached(bytes, n, mode, &x);
    if (rc != IOTRAP_OK) {
        /* Say why where the status alone would leave the reader guessing. */
        const char *why = rc == IOTRAP_E_BAD_INSN ? " (LOCK on IN/OUT/INS/OUTS raises #UD)"
                        : rc == IOTRAP_E_NOT_IO ? " (after any prefixes, the opcode is not one of "
                                                  "E4-E7, EC-EF, 6C-6F)"
                        : rc == IOTRAP_E_TRUNCATED ? " (more bytes needed)" : "";
        fprintf(stderr, "iotrap decode: %s (%d-bit mode): %s%s\n", hex, mode, iotrap_strerror(rc), why);
        return 1;
    }
    char text[128];
    if (json) {
        if (iotrap_insn_json(&x, text, sizeof text) < 0)
            return 1;
        printf("%s\n", text);
        return 0;
    }
    if (iotrap_insn_format(&x, text, sizeof text) < 0)
        return 1;
    hex[3 * x.length - 1] = '\0';
    printf("%-24s %s\n", hex, text);
    printf("op %s, width %u, port ", (const char *[]){ "in", "out", "ins", "outs" }[x.op], x.width);
    if (x.port_is_dx)
        printf("dx");
    else
        printf("0x%02x", x.port_imm);
    printf(", address size %u, %s", x.addr_size, x.rep ? "rep" : "no rep");
    if (x.op == IOTRAP_OP_OUTS)
        printf(", segment %s", seg_name(x.seg));
    printf(", length %u", x.length);
    if (n > x.length)
        printf(" (%zu more bytes not decoded)", n - x.length);
    printf("\n");
    return 0;
}
