/* libFuzzer target: arbitrary text as an iotrap.conf(5) file through iotrapd's parser
 * (daemon/conf.c, with the port-list parser of common/portset.c).  Invariants:
 *  - the result is 0 or -1; on -1 the error is "fuzz.conf:LINE: reason" with LINE a line
 *    of the text, and nothing is left allocated (LeakSanitizer);
 *  - on 0: no more rules than lines, each with a subject id the resolver gave or a
 *    number up to 0x7fffffff, an access of r, w or rw; the union of the rules is exactly
 *    conf.all; the backend and user strings fit their buffers; the device list has
 *    ndevices entries and ends with NULL;
 *  - a rule grants a dangerous port only if some ports= item of the text covers it and
 *    consists of dangerous ports only (checked with an independent walk of the items);
 *  - iotrapd_conf_allows() agrees with the rules looked at port by port for a few
 *    accesses drawn from the input, widths 1, 2 and 4, for a user and a group member.
 * The text is a heap block of exactly its length plus the terminating NUL. */
#include <stdlib.h>
#include <string.h>
#include "daemon/conf.h"
#include <iotrap/status.h>
#include "session/portmap.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static int f_user(const char *name, unsigned *uid)
{
    if (!strcmp(name, "alice")) { *uid = 1001; return 0; }
    if (!strcmp(name, "root")) { *uid = 0; return 0; }
    return -1;
}

static int f_group(const char *name, unsigned *gid)
{
    if (!strcmp(name, "lp")) { *gid = 7; return 0; }
    return -1;
}

static size_t nnotes;
static void f_note(const char *msg)
{
    CHECK(strncmp(msg, "fuzz.conf:", 10) == 0);
    nnotes++;
}

static const iotrapd_resolver res = {f_user, f_group, f_note};

static bool member(const iotrapd_peer *peer, unsigned gid)
{
    if (peer->gid == gid)
        return true;
    for (size_t i = 0; i < peer->ngroups; i++)
        if (peer->groups[i] == gid)
            return true;
    return false;
}

/* The policy, port by port, from the rules alone. */
static bool oracle(const iotrapd_conf *c, const iotrapd_peer *peer, unsigned port,
                   unsigned width, bool write)
{
    for (unsigned p = port; p < port + width; p++) {
        if (p > 0xffff)
            return false;
        bool ok = false;
        for (size_t i = 0; i < c->nrules; i++) {
            const iotrapd_rule *r = &c->rules[i];
            bool subject = r->group ? member(peer, r->id) : peer->uid == r->id;
            if (subject && (r->access & (write ? IOTRAPD_WRITE : IOTRAPD_READ)) &&
                iotrap__portset_has(&r->ports, p))
                ok = true;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* Whether some ports= item of the text covers `port` and consists of dangerous ports
 * only: the one way a rule may open a dangerous port. */
struct named {
    unsigned port;
    bool found;
};

static int check_item(void *ctx, uint16_t first, uint16_t last)
{
    struct named *n = ctx;
    if (n->port < first || n->port > last)
        return 0;
    for (unsigned p = first; p <= last; p++)
        if (!iotrapd_dangerous(p))
            return 0;
    n->found = true;
    return 0;
}

static bool named_on_its_own(const char *text, unsigned port)
{
    struct named n = {port, false};
    for (const char *s = strstr(text, "ports="); s && !n.found; s = strstr(s + 1, "ports=")) {
        const char *v = s + 6;
        size_t len = strcspn(v, " \t\r\v\f\n#");
        char *val = strndup(v, len);
        char err[200];
        iotrap__portlist_parse(val, check_item, &n, err, sizeof err);
        free(val);
    }
    return n.found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text), lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';

    iotrapd_conf conf;
    char *err = malloc(256);
    err[0] = '\0';
    nnotes = 0;
    int rc = iotrapd_conf_parse(text, "fuzz.conf", &res, &conf, err, 256);
    CHECK(rc == 0 || rc == -1);
    if (rc != 0) {
        CHECK(memchr(err, '\0', 256) != NULL);
        CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
        char *end;
        unsigned long line = strtoul(err + 10, &end, 10);
        CHECK(line >= 1 && line <= lines && end[0] == ':');
        CHECK(conf.rules == NULL && conf.devices == NULL && conf.routes == NULL &&
              conf.remaps == NULL);
        free(err);
        free(text);
        return 0;
    }
    CHECK(conf.nrules <= lines);
    CHECK(memchr(conf.backend, '\0', sizeof conf.backend) != NULL);
    CHECK(memchr(conf.user, '\0', sizeof conf.user) != NULL);
    CHECK(conf.ndevices == 0 ? conf.devices == NULL : conf.devices[conf.ndevices] == NULL);
    for (size_t i = 0; i < conf.ndevices; i++)
        CHECK(conf.devices[i] && strstr(text, conf.devices[i]));
    /* Every route and remap kept is one the session's own parser accepts. */
    for (size_t i = 0; i < conf.nroutes; i++) {
        iotrap__route_spec r;
        CHECK(iotrap__route_parse(conf.routes[i], &r, err, 256) == IOTRAP_OK);
    }
    for (size_t i = 0; i < conf.nremaps; i++) {
        iotrap__remap_spec m;
        CHECK(iotrap__remap_parse(conf.remaps[i], &m, err, 256) == IOTRAP_OK);
    }

    iotrap__portset all;
    iotrap__portset_clear(&all);
    for (size_t i = 0; i < conf.nrules; i++) {
        const iotrapd_rule *r = &conf.rules[i];
        CHECK(r->access >= 1 && r->access <= 3);
        CHECK(r->id <= 0x7fffffffu);
        CHECK(r->line >= 1 && r->line <= lines);
        iotrap__portset_or(&all, &r->ports);
    }
    CHECK(memcmp(&all, &conf.all, sizeof all) == 0);

    for (unsigned p = 0; p < 0x1000; p++)
        if (iotrapd_dangerous(p) && iotrap__portset_has(&conf.all, p))
            CHECK(named_on_its_own(text, p));

    /* Accesses drawn from the input, for two clients: uid/gid from the rules. */
    for (size_t k = 0; k + 3 <= size && k < 48; k += 3) {
        unsigned port = (unsigned)data[k] | (unsigned)data[k + 1] << 8;
        unsigned width = 1u << (data[k + 2] % 3);
        bool write = data[k + 2] & 4;
        unsigned id = conf.nrules ? conf.rules[data[k + 2] % conf.nrules].id : 1001;
        gid_t extra[] = {7, (gid_t)id};
        iotrapd_peer peers[2] = {
            {.uid = id, .gid = 65534, .pid = 1},
            {.uid = 65534, .gid = id, .pid = 2, .groups = extra, .ngroups = 2},
        };
        for (int j = 0; j < 2; j++)
            CHECK(iotrapd_conf_allows(&conf, &peers[j], port, width, write) ==
                  oracle(&conf, &peers[j], port, width, write));
    }
    iotrapd_conf_free(&conf);
    free(err);
    free(text);
    return 0;
}
