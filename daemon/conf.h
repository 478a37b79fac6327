/* iotrapd's configuration (/etc/iotrap.conf, iotrap.conf(5)) and the per-user port policy
 * it describes.  Parsing is apart from the daemon so that every accepted form and every
 * error (always FILE:LINE: reason) is unit-tested (tests/unit/test_iotrapd_conf.c).
 */
#ifndef IOTRAP_DAEMON_CONF_H
#define IOTRAP_DAEMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "common/portset.h"

#define IOTRAPD_READ 1u
#define IOTRAPD_WRITE 2u

typedef struct iotrapd_rule {
    bool group;               /* subject is a group (gid) rather than a user (uid) */
    unsigned id;              /* uid or gid */
    unsigned access;          /* IOTRAPD_READ | IOTRAPD_WRITE */
    unsigned line;
    iotrap__portset ports;    /* what the rule grants, dangerous ports already filtered */
} iotrapd_rule;

typedef struct iotrapd_conf {
    iotrapd_rule *rules;
    size_t nrules;
    char backend[256];        /* "backend" directive, "" when absent */
    char user[64];            /* "user" directive, "" when absent */
    char **devices;           /* "device" directives (sim board), NULL-terminated or NULL */
    size_t ndevices;
    char **routes;            /* "route" directives, NULL-terminated or NULL */
    size_t nroutes;
    char **remaps;            /* "remap" directives, NULL-terminated or NULL */
    size_t nremaps;
    char trace[4096];         /* "trace" directive: the file, "" when absent */
    char trace_format[8];     /* its format, "text" or "jsonl" */
    iotrap__portset all;      /* union of every rule's ports */
} iotrapd_conf;

/* Name lookups, replaceable for tests; each returns 0 and the id, or -1 if unknown.
 * note() (optional) receives remarks that are not errors, already prefixed FILE:LINE. */
typedef struct iotrapd_resolver {
    int (*user)(const char *name, unsigned *uid);
    int (*group)(const char *name, unsigned *gid);
    void (*note)(const char *msg);
} iotrapd_resolver;

/* The system's resolver (getpwnam/getgrnam), with notes on stderr. */
extern const iotrapd_resolver iotrapd_system_resolver;

/* Parses the text of a configuration file.  Returns 0, or -1 with "FILE:LINE: reason"
 * in err.  On success the caller frees the rules with iotrapd_conf_free(). */
int iotrapd_conf_parse(const char *text, const char *file, const iotrapd_resolver *res,
                       iotrapd_conf *conf, char *err, size_t errlen);
/* Whether a daemon running as euid may trust this file (st from fstat of the open file):
 * it must be a regular file and, for root, owned by root and writable by nobody else,
 * since whoever can change it decides who reaches the ports.  Returns 0, or -1 with
 * "FILE: reason" in err. */
int iotrapd_conf_check_file(const char *path, const struct stat *st, uid_t euid, char *err,
                            size_t errlen);
/* Reads and parses a file (an unreadable file is an error naming it and the errno text;
 * a file that iotrapd_conf_check_file() refuses for this process is refused). */
int iotrapd_conf_load(const char *path, const iotrapd_resolver *res, iotrapd_conf *conf,
                      char *err, size_t errlen);
void iotrapd_conf_free(iotrapd_conf *conf);

/* The name of the dangerous block a port belongs to ("PCI configuration", ...), or NULL. */
const char *iotrapd_dangerous(unsigned port);

/* Who is asking: from SO_PEERCRED and SO_PEERGROUPS. */
typedef struct iotrapd_peer {
    uid_t uid;
    gid_t gid;
    pid_t pid;
    const gid_t *groups;
    size_t ngroups;
} iotrapd_peer;

/* True if the peer may access every port of [port, port+width) in that direction. */
bool iotrapd_conf_allows(const iotrapd_conf *conf, const iotrapd_peer *peer, unsigned port,
                         unsigned width, bool write);

#endif
