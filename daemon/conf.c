/* iotrapd configuration parser and policy: see conf.h and iotrap.conf(5). */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <iotrap/status.h>
#include "daemon/conf.h"
#include "session/portmap.h"

/* Ports whose misuse can hang, reset or corrupt the machine.  A rule grants them only
 * when it names them explicitly: a ports= item made only of dangerous ports.  Sorted and
 * disjoint (add_item relies on it).  0x80, the POST code port that Linux itself writes
 * as a delay, is deliberately not in the list. */
static const struct danger {
    unsigned first, last;
    const char *what;
} dangers[] = {
    {0x000, 0x01f, "DMA controller 1"},
    {0x020, 0x021, "master PIC"},
    {0x022, 0x023, "IMCR (PIC/APIC interrupt routing)"},
    {0x02e, 0x02f, "Super I/O configuration"},
    {0x040, 0x043, "PIT"},
    {0x04e, 0x04f, "Super I/O configuration"},
    {0x060, 0x060, "keyboard controller data"},
    {0x061, 0x061, "system control port B (NMI sources, speaker)"},
    {0x062, 0x062, "embedded controller data"},
    {0x064, 0x064, "keyboard controller command (reset line)"},
    {0x066, 0x066, "embedded controller command"},
    {0x070, 0x071, "CMOS/RTC (0x70 bit 7: NMI mask)"},
    {0x081, 0x091, "DMA page registers"},
    {0x092, 0x092, "system control port A (fast reset, A20 gate)"},
    {0x093, 0x09f, "DMA page registers"},
    {0x0a0, 0x0a1, "slave PIC"},
    {0x0b2, 0x0b3, "APM/SMI command (enters system management mode)"},
    {0x0c0, 0x0df, "DMA controller 2"},
    {0x170, 0x177, "secondary IDE controller"},
    {0x1f0, 0x1f7, "primary IDE controller"},
    {0x376, 0x377, "secondary IDE control"},
    {0x3f0, 0x3f5, "floppy controller"},
    {0x3f6, 0x3f7, "primary IDE control, floppy"},
    {0x4d0, 0x4d1, "PIC edge/level control"},
    {0x510, 0x511, "firmware configuration (QEMU fw_cfg)"},
    {0xcf8, 0xcff, "PCI configuration (0xcf9: reset control)"},
};
#define NDANGERS (sizeof dangers / sizeof dangers[0])

/* The most rules a file may hold: each carries a bitmap of the whole port space (8 KiB),
 * and a policy of thousands of rules is a mistake rather than a plan. */
#define MAX_RULES 4096

const char *iotrapd_dangerous(unsigned port)
{
    for (size_t i = 0; i < NDANGERS; i++)
        if (port >= dangers[i].first && port <= dangers[i].last)
            return dangers[i].what;
    return NULL;
}

static int sys_user(const char *name, unsigned *uid)
{
    struct passwd *pw = getpwnam(name);
    if (!pw)
        return -1;
    *uid = pw->pw_uid;
    return 0;
}

static int sys_group(const char *name, unsigned *gid)
{
    struct group *gr = getgrnam(name);
    if (!gr)
        return -1;
    *gid = gr->gr_gid;
    return 0;
}

static void sys_note(const char *msg)
{
    fprintf(stderr, "iotrapd: %s\n", msg);
}

const iotrapd_resolver iotrapd_system_resolver = {sys_user, sys_group, sys_note};

struct parse {
    const char *file;
    unsigned line;
    const iotrapd_resolver *res;
    char *err;
    size_t errlen;
    iotrapd_rule *rule; /* the rule whose ports= is being parsed */
    unsigned backend_line, user_line;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parse *p, const char *fmt, ...)
{
    int n = snprintf(p->err, p->errlen, "%s:%u: ", p->file, p->line);
    if (n < 0 || (size_t)n >= p->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_id(const char *s, unsigned *out)
{
    if (!isdigit((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > 0x7fffffffUL)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* One ports= item: every port when it names only dangerous ports, else its ports minus
 * the dangerous ones (with a note saying which stay closed). */
static int add_item(void *ctx, uint16_t first, uint16_t last)
{
    struct parse *p = ctx;
    /* Walk the sorted blocks rather than every port: an item may span all 65536. */
    bool all_dangerous = true, some = false;
    unsigned next = first; /* the first port of the item not yet known to be dangerous */
    for (size_t i = 0; i < NDANGERS && dangers[i].first <= last; i++) {
        if (dangers[i].last < first)
            continue;
        some = true;
        if (dangers[i].first > next)
            all_dangerous = false;
        next = dangers[i].last + 1;
    }
    if (next <= last)
        all_dangerous = false;
    if (all_dangerous) {
        iotrap__portset_add(&p->rule->ports, first, last);
        return 0;
    }
    /* Only the item's ordinary ports: a dangerous port that another item of the rule
     * names on its own stays granted. */
    iotrap__portset item;
    iotrap__portset_clear(&item);
    iotrap__portset_add(&item, first, last);
    for (size_t i = 0; i < NDANGERS; i++)
        iotrap__portset_remove(&item, dangers[i].first, dangers[i].last);
    iotrap__portset_or(&p->rule->ports, &item);
    if (some && p->res->note) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s:%u: note: 0x%x-0x%x includes dangerous ports, which "
                                  "stay denied unless a rule names them on their own",
                 p->file, p->line, (unsigned)first, (unsigned)last);
        p->res->note(msg);
    }
    return 0;
}

static int parse_allow(struct parse *p, char **tok, size_t ntok, iotrapd_rule *rule)
{
    const char *subject = NULL, *ports = NULL, *access = NULL;
    memset(rule, 0, sizeof *rule);
    rule->line = p->line;
    for (size_t i = 1; i < ntok; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq || eq == tok[i] || !eq[1])
            return fail(p, "'%s' is not KEY=VALUE (keys: user, uid, group, gid, ports, "
                           "access)", tok[i]);
        *eq = '\0';
        const char *key = tok[i], *val = eq + 1;
        if (!strcmp(key, "user") || !strcmp(key, "uid") || !strcmp(key, "group") ||
            !strcmp(key, "gid")) {
            if (subject)
                return fail(p, "a rule names one user or group, found '%s' after '%s'", key,
                            subject);
            subject = key;
            rule->group = key[0] == 'g';
            if (!strcmp(key, "user")) {
                if (p->res->user(val, &rule->id) != 0)
                    return fail(p, "unknown user '%s'", val);
            } else if (!strcmp(key, "group")) {
                if (p->res->group(val, &rule->id) != 0)
                    return fail(p, "unknown group '%s'", val);
            } else if (parse_id(val, &rule->id) != 0) {
                return fail(p, "bad %s '%s' (want a number)", key, val);
            }
        } else if (!strcmp(key, "ports")) {
            if (ports)
                return fail(p, "ports= given twice");
            ports = val;
        } else if (!strcmp(key, "access")) {
            if (access)
                return fail(p, "access= given twice");
            access = val;
            if (!strcmp(val, "r") || !strcmp(val, "read"))
                rule->access = IOTRAPD_READ;
            else if (!strcmp(val, "w") || !strcmp(val, "write"))
                rule->access = IOTRAPD_WRITE;
            else if (!strcmp(val, "rw") || !strcmp(val, "readwrite"))
                rule->access = IOTRAPD_READ | IOTRAPD_WRITE;
            else
                return fail(p, "bad access '%s' (want r, w or rw)", val);
        } else {
            return fail(p, "unknown key '%s' (keys: user, uid, group, gid, ports, access)", key);
        }
    }
    if (!subject)
        return fail(p, "allow needs user=, uid=, group= or gid=");
    if (!ports)
        return fail(p, "allow needs ports=");
    if (!access)
        return fail(p, "allow needs access=r, w or rw");
    char perr[200];
    p->rule = rule;
    if (iotrap__portlist_parse(ports, add_item, p, perr, sizeof perr) != IOTRAP_OK)
        return fail(p, "ports=%s: %s", ports, perr);
    return 0;
}

static int parse_line(struct parse *p, char *line, iotrapd_conf *conf)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *tok[32];
    size_t ntok = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t\r\v\f", &save); t; t = strtok_r(NULL, " \t\r\v\f", &save)) {
        if (ntok == sizeof tok / sizeof tok[0])
            return fail(p, "too many words");
        tok[ntok++] = t;
    }
    if (ntok == 0)
        return 0;
    if (!strcmp(tok[0], "allow")) {
        if (conf->nrules == MAX_RULES)
            return fail(p, "more than %d allow rules", MAX_RULES);
        iotrapd_rule *r = realloc(conf->rules, (conf->nrules + 1) * sizeof *r);
        if (!r)
            return fail(p, "out of memory");
        conf->rules = r;
        if (parse_allow(p, tok, ntok, &r[conf->nrules]) != 0)
            return -1;
        conf->nrules++;
        return 0;
    }
    if (!strcmp(tok[0], "backend") || !strcmp(tok[0], "user")) {
        bool is_backend = tok[0][0] == 'b';
        unsigned *seen = is_backend ? &p->backend_line : &p->user_line;
        char *dst = is_backend ? conf->backend : conf->user;
        size_t cap = is_backend ? sizeof conf->backend : sizeof conf->user;
        if (ntok != 2)
            return fail(p, "%s takes one value", tok[0]);
        if (*seen)
            return fail(p, "%s given twice (first at line %u)", tok[0], *seen);
        if (strlen(tok[1]) >= cap)
            return fail(p, "%s value too long", tok[0]);
        if (!is_backend) {
            unsigned uid;
            if (p->res->user(tok[1], &uid) != 0)
                return fail(p, "unknown user '%s'", tok[1]);
        }
        strcpy(dst, tok[1]);
        *seen = p->line;
        return 0;
    }
    if (!strcmp(tok[0], "device") || !strcmp(tok[0], "route") || !strcmp(tok[0], "remap")) {
        char ***list = tok[0][0] == 'd' ? &conf->devices : tok[0][2] == 'u' ? &conf->routes
                                                                            : &conf->remaps;
        size_t *n = tok[0][0] == 'd' ? &conf->ndevices : tok[0][2] == 'u' ? &conf->nroutes
                                                                         : &conf->nremaps;
        if (ntok != 2)
            return fail(p, "%s takes one %s", tok[0],
                        tok[0][0] == 'd' ? "SPEC (see iotrap-devices(7))"
                        : tok[0][2] == 'u' ? "PORTS=NAME[:ARGS]" : "PORTS=TARGET");
        /* Checked here, with the line, by the parsers the session itself uses. */
        char why[512];
        iotrap__route_spec route;
        iotrap__remap_spec remap;
        if (tok[0][0] == 'r' &&
            (tok[0][2] == 'u' ? iotrap__route_parse(tok[1], &route, why, sizeof why)
                              : iotrap__remap_parse(tok[1], &remap, why, sizeof why)) != IOTRAP_OK)
            return fail(p, "%s", why);
        char **d = realloc(*list, (*n + 2) * sizeof *d);
        if (!d)
            return fail(p, "out of memory");
        *list = d;
        if (!(d[*n] = strdup(tok[1])))
            return fail(p, "out of memory");
        d[++*n] = NULL;
        return 0;
    }
    if (!strcmp(tok[0], "trace")) {
        if (ntok < 2 || ntok > 3)
            return fail(p, "trace takes a FILE and optionally a format (text or jsonl)");
        if (conf->trace[0])
            return fail(p, "trace given twice");
        if (strlen(tok[1]) >= sizeof conf->trace)
            return fail(p, "trace file name too long");
        if (ntok == 3 && strcmp(tok[2], "text") != 0 && strcmp(tok[2], "jsonl") != 0)
            return fail(p, "unknown trace format '%s' (want text or jsonl)", tok[2]);
        strcpy(conf->trace, tok[1]);
        strcpy(conf->trace_format, ntok == 3 ? tok[2] : "text");
        return 0;
    }
    return fail(p, "unknown directive '%s' (want allow, backend, route, remap, device, "
                   "trace or user)", tok[0]);
}

int iotrapd_conf_parse(const char *text, const char *file, const iotrapd_resolver *res,
                       iotrapd_conf *conf, char *err, size_t errlen)
{
    struct parse p = {.file = file, .res = res, .err = err, .errlen = errlen};
    memset(conf, 0, sizeof *conf);
    const char *s = text;
    char line[4096];
    while (*s) {
        p.line++;
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (len >= sizeof line) {
            iotrapd_conf_free(conf);
            return fail(&p, "line longer than %zu bytes", sizeof line - 1);
        }
        if (memchr(s, '\0', len)) {
            iotrapd_conf_free(conf);
            return fail(&p, "NUL byte in line");
        }
        memcpy(line, s, len);
        line[len] = '\0';
        if (parse_line(&p, line, conf) != 0) {
            iotrapd_conf_free(conf);
            return -1;
        }
        s += len + (nl ? 1 : 0);
    }
    for (size_t i = 0; i < conf->nrules; i++)
        iotrap__portset_or(&conf->all, &conf->rules[i].ports);
    return 0;
}

int iotrapd_conf_check_file(const char *path, const struct stat *st, uid_t euid, char *err,
                            size_t errlen)
{
    if (!S_ISREG(st->st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    if (euid == 0 && st->st_uid != 0) {
        snprintf(err, errlen, "%s: owned by uid %u, not root: refusing a policy that "
                              "another user can change", path, (unsigned)st->st_uid);
        return -1;
    }
    if (euid == 0 && (st->st_mode & 022)) {
        snprintf(err, errlen, "%s: writable by %s (mode %04o): refusing a policy that "
                              "another user can change", path,
                 st->st_mode & 002 ? "everyone" : "its group", (unsigned)(st->st_mode & 07777));
        return -1;
    }
    return 0;
}

int iotrapd_conf_load(const char *path, const iotrapd_resolver *res, iotrapd_conf *conf,
                      char *err, size_t errlen)
{
    memset(conf, 0, sizeof *conf);
    /* O_NONBLOCK: opening a FIFO must not hang the start; a regular file ignores it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (iotrapd_conf_check_file(path, &st, geteuid(), err, errlen) != 0) {
        close(fd);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    char *text = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            if (cap > (1u << 24)) {
                fclose(f);
                free(text);
                snprintf(err, errlen, "%s: larger than 16 MiB", path);
                return -1;
            }
            char *t = realloc(text, cap = cap * 2 + 8192);
            if (!t) {
                fclose(f);
                free(text);
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
            text = t;
        }
        size_t n = fread(text + len, 1, 4096, f);
        len += n;
        if (n < 4096)
            break;
    }
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err) {
        free(text);
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        /* Find the line of the NUL byte for the message. */
        unsigned line = 1;
        for (size_t i = 0; text[i]; i++)
            line += text[i] == '\n';
        free(text);
        snprintf(err, errlen, "%s:%u: NUL byte in line", path, line);
        return -1;
    }
    int rc = iotrapd_conf_parse(text, path, res, conf, err, errlen);
    free(text);
    return rc;
}

static void free_list(char ***list, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
}

void iotrapd_conf_free(iotrapd_conf *conf)
{
    free_list(&conf->devices, &conf->ndevices);
    free_list(&conf->routes, &conf->nroutes);
    free_list(&conf->remaps, &conf->nremaps);
    free(conf->rules);
    conf->rules = NULL;
    conf->nrules = 0;
}

static bool member(const iotrapd_peer *peer, unsigned gid)
{
    if (peer->gid == gid)
        return true;
    for (size_t i = 0; i < peer->ngroups; i++)
        if (peer->groups[i] == gid)
            return true;
    return false;
}

bool iotrapd_conf_allows(const iotrapd_conf *conf, const iotrapd_peer *peer, unsigned port,
                         unsigned width, bool write)
{
    unsigned need = write ? IOTRAPD_WRITE : IOTRAPD_READ;
    for (unsigned p = port; p < port + width; p++) {
        if (p > 0xffff)
            return false;
        bool ok = false;
        for (size_t i = 0; i < conf->nrules && !ok; i++) {
            const iotrapd_rule *r = &conf->rules[i];
            if (!(r->access & need) || !iotrap__portset_has(&r->ports, p))
                continue;
            ok = r->group ? member(peer, r->id) : peer->uid == r->id;
        }
        if (!ok)
            return false;
    }
    return true;
}
