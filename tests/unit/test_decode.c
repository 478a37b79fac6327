/* iotrap_decode(): the hand-checked golden table (and its claims about Capstone), every
 * ordered pair and triple of prefix classes against the reference model, truncation
 * against a guard page, length limits, modes, the cache, concurrency, signal nesting, and
 * the CPU's own segment-override rules. */
#include "tests/unit/harness.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <capstone/capstone.h>
#include <iotrap/decode.h>
#include "decoder/cs_pool.h"
#include "decoder/uncached.h"
#include "tests/unit/decode_oracle.h"

#ifndef IOTRAP_TOP_SRCDIR
#error "IOTRAP_TOP_SRCDIR must name the source tree"
#endif

/* ---- helpers --------------------------------------------------------------------- */

static const uint8_t opcodes[] = { 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef,
                                   0x6c, 0x6d, 0x6e, 0x6f };
/* One byte per prefix class; REX appears plain, with W, and with every bit. */
static const uint8_t prefix_bytes[] = { 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x26, 0x2e, 0x36,
                                        0x3e, 0x64, 0x65, 0x40, 0x48, 0x4f };
#define NPREFIX (sizeof prefix_bytes)

static void hexstr(const uint8_t *b, size_t n, char *out)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static int insn_eq(const iotrap_insn *a, const iotrap_insn *b)
{
    return a->op == b->op && a->width == b->width && a->addr_size == b->addr_size
        && a->mode == b->mode && a->length == b->length && a->rep == b->rep
        && a->port_is_dx == b->port_is_dx && a->port_imm == b->port_imm && a->seg == b->seg;
}

static void describe(const iotrap_insn *x, char *out, size_t len)
{
    snprintf(out, len, "op=%u w=%u port=%s%u addr=%u rep=%u seg=%u len=%u", x->op, x->width,
             x->port_is_dx ? "dx/" : "", x->port_imm, x->addr_size, x->rep, x->seg, x->length);
}

/* Check iotrap_decode (uncached, then cached twice) against the model for one input. */
static int check_against_oracle(const uint8_t *b, size_t n, int mode)
{
    iotrap_insn want, got;
    int orc = oracle_decode(b, n, mode, &want);
    for (int pass = 0; pass < 3; pass++) {
        memset(&got, 0xa5, sizeof got);
        int rc = pass == 0 ? iotrap__decode_uncached(b, n, mode, &got)
                           : iotrap_decode(b, n, mode, &got);
        if (rc != orc || (rc == IOTRAP_OK && !insn_eq(&got, &want))) {
            char hex[40], d1[128] = "", d2[128] = "";
            hexstr(b, n, hex);
            if (orc == IOTRAP_OK)
                describe(&want, d1, sizeof d1);
            if (rc == IOTRAP_OK)
                describe(&got, d2, sizeof d2);
            print_error("mode %d bytes %s pass %d: model %s %s, decoder %s %s\n", mode, hex, pass,
                        iotrap_status_name(orc), d1, iotrap_status_name(rc), d2);
            return 1;
        }
    }
    return 0;
}

/* ---- the golden table ------------------------------------------------------------ */

typedef struct golden_row {
    int line, mode;
    uint8_t bytes[32];
    size_t n;
    int status;
    iotrap_insn insn;
    char cs[64];
} golden_row;

static int status_by_name(const char *s)
{
    for (int st = 0; st >= -20; st--)
        if (strcmp(iotrap_status_name(st), s) == 0)
            return st;
    return 1;
}

static int parse_row(char *line, int lineno, golden_row *r)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *tok[12];
    int nt = 0;
    for (char *t = strtok(line, " \t\r\n"); t && nt < 12; t = strtok(NULL, " \t\r\n"))
        tok[nt++] = t;
    if (nt == 0)
        return 0;
    memset(r, 0, sizeof *r);
    r->line = lineno;
    r->mode = atoi(tok[0]);
    if (nt < 3)
        fail_msg("golden line %d: too few fields", lineno);
    if (strcmp(tok[1], "-") != 0) {
        size_t len = strlen(tok[1]);
        if (len % 2 || len / 2 > sizeof r->bytes)
            fail_msg("golden line %d: bad hex %s", lineno, tok[1]);
        for (size_t i = 0; i < len / 2; i++) {
            unsigned v;
            if (sscanf(tok[1] + 2 * i, "%2x", &v) != 1)
                fail_msg("golden line %d: bad hex %s", lineno, tok[1]);
            r->bytes[i] = (uint8_t)v;
        }
        r->n = len / 2;
    }
    int next = 3;
    r->status = status_by_name(tok[2]);
    if (r->status == 1) {
        static const char *const ops[] = { "in", "out", "ins", "outs" };
        static const char *const segs[] = { "es", "cs", "ss", "ds", "fs", "gs" };
        if (nt < 9)
            fail_msg("golden line %d: expected 7 decode fields", lineno);
        r->status = IOTRAP_OK;
        iotrap_insn *x = &r->insn;
        x->op = 0xff;
        for (unsigned i = 0; i < 4; i++)
            if (strcmp(tok[2], ops[i]) == 0)
                x->op = (uint8_t)i;
        x->width = (uint8_t)atoi(tok[3]);
        x->port_is_dx = strcmp(tok[4], "dx") == 0;
        x->port_imm = x->port_is_dx ? 0 : (uint8_t)strtoul(tok[4], NULL, 16);
        x->addr_size = (uint8_t)atoi(tok[5]);
        x->rep = strcmp(tok[6], "rep") == 0;
        x->seg = 0xff;
        for (unsigned i = 0; i < 6; i++)
            if (strcmp(tok[7], segs[i]) == 0)
                x->seg = (uint8_t)i;
        x->length = (uint8_t)atoi(tok[8]);
        x->mode = (uint8_t)r->mode;
        if (x->op == 0xff || x->seg == 0xff)
            fail_msg("golden line %d: bad op or segment", lineno);
        next = 9;
    }
    if (next < nt && strncmp(tok[next], "cs=", 3) == 0)
        snprintf(r->cs, sizeof r->cs, "%s", tok[next] + 3);
    return 1;
}

static size_t load_golden(golden_row *rows, size_t max)
{
    FILE *f = fopen(IOTRAP_TOP_SRCDIR "/tests/golden/decode.tsv", "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (n < max && parse_row(line, lineno, &rows[n]))
            n++;
    }
    fclose(f);
    assert_true(n > 50 && n < max);
    return n;
}

static void t_golden(void **state)
{
    (void)state;
    static golden_row rows[256];
    size_t n = load_golden(rows, 256);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        golden_row *r = &rows[i];
        for (int pass = 0; pass < 2; pass++) {
            iotrap_insn got;
            int rc = pass ? iotrap_decode(r->bytes, r->n, r->mode, &got)
                          : iotrap__decode_uncached(r->bytes, r->n, r->mode, &got);
            if (rc != r->status || (rc == IOTRAP_OK && !insn_eq(&got, &r->insn))) {
                char d[128] = "";
                if (rc == IOTRAP_OK)
                    describe(&got, d, sizeof d);
                print_error("golden line %d: got %s %s\n", r->line, iotrap_status_name(rc), d);
                bad++;
            }
        }
        /* The table was written by hand; the model must agree with every row too. */
        iotrap_insn want;
        int orc = oracle_decode(r->bytes, r->n, r->mode, &want);
        if (orc != r->status || (orc == IOTRAP_OK && !insn_eq(&want, &r->insn))) {
            print_error("golden line %d: the reference model disagrees (%s)\n", r->line,
                        iotrap_status_name(orc));
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* What Capstone 4.0.2 itself says, with detail on, in the golden table's terms. */
typedef struct cs_view {
    int ok, op, width, seg, addr_size;
} cs_view;

static cs_view capstone_view(const uint8_t *b, size_t n, int mode)
{
    cs_view v = { 0, -1, 0, IOTRAP_SEG_DS, 0 };
    csh h;
    assert_int_equal(cs_open(CS_ARCH_X86, mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32
                                                                            : CS_MODE_64, &h),
                     CS_ERR_OK);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    cs_insn *insn;
    if (cs_disasm(h, b, n, 0, 1, &insn) == 1) {
        switch (insn->id) {
        case X86_INS_IN: v.op = IOTRAP_OP_IN; break;
        case X86_INS_OUT: v.op = IOTRAP_OP_OUT; break;
        case X86_INS_INSB: v.op = IOTRAP_OP_INS; v.width = 1; break;
        case X86_INS_INSW: v.op = IOTRAP_OP_INS; v.width = 2; break;
        case X86_INS_INSD: v.op = IOTRAP_OP_INS; v.width = 4; break;
        case X86_INS_OUTSB: v.op = IOTRAP_OP_OUTS; v.width = 1; break;
        case X86_INS_OUTSW: v.op = IOTRAP_OP_OUTS; v.width = 2; break;
        case X86_INS_OUTSD: v.op = IOTRAP_OP_OUTS; v.width = 4; break;
        default: break;
        }
        v.ok = v.op >= 0 && insn->size == n;
        cs_x86 *x = &insn->detail->x86;
        v.addr_size = x->addr_size * 8;
        for (int i = 0; i < x->op_count; i++) {
            cs_x86_op *o = &x->operands[i];
            if (o->type == X86_OP_REG && o->reg != X86_REG_DX && v.op <= IOTRAP_OP_OUT)
                v.width = o->size;
            if (o->type == X86_OP_MEM && v.op == IOTRAP_OP_OUTS) {
                switch (o->mem.segment) {
                case X86_REG_ES: v.seg = IOTRAP_SEG_ES; break;
                case X86_REG_CS: v.seg = IOTRAP_SEG_CS; break;
                case X86_REG_SS: v.seg = IOTRAP_SEG_SS; break;
                case X86_REG_FS: v.seg = IOTRAP_SEG_FS; break;
                case X86_REG_GS: v.seg = IOTRAP_SEG_GS; break;
                default: v.seg = IOTRAP_SEG_DS; break;
                }
            }
        }
        cs_free(insn, 1);
    }
    cs_close(&h);
    return v;
}

static void t_golden_capstone_claims(void **state)
{
    (void)state;
    static golden_row rows[256];
    size_t n = load_golden(rows, 256);
    int bad = 0, claims = 0;
    for (size_t i = 0; i < n; i++) {
        golden_row *r = &rows[i];
        if (r->status == IOTRAP_E_BAD_MODE || r->n == 0)
            continue;
        cs_view v = capstone_view(r->bytes, r->n, r->mode);
        int wrong_width = 0, wrong_seg = 0, accepts = 0, wrong_other = 0;
        if (r->status == IOTRAP_OK) {
            wrong_other = !v.ok || v.op != r->insn.op
                || ((r->insn.op >= IOTRAP_OP_INS) && v.addr_size != r->insn.addr_size);
            wrong_width = v.ok && v.width != r->insn.width;
            wrong_seg = v.ok && r->insn.op == IOTRAP_OP_OUTS && v.seg != r->insn.seg;
        } else {
            accepts = v.ok;
        }
        int claim_width = strstr(r->cs, "width") != NULL, claim_seg = strstr(r->cs, "seg") != NULL;
        int claim_accepts = strstr(r->cs, "accepts") != NULL;
        claims += claim_width + claim_seg + claim_accepts;
        if (wrong_other || wrong_width != claim_width || wrong_seg != claim_seg
            || accepts != claim_accepts) {
            print_error("golden line %d: Capstone ok=%d op=%d width=%d seg=%d addr=%d, but the "
                        "row claims cs=%s\n", r->line, v.ok, v.op, v.width, v.seg, v.addr_size, r->cs);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    assert_true(claims >= 10);
}

/* ---- systematic coverage --------------------------------------------------------- */

static void t_systematic_prefix_orders(void **state)
{
    (void)state;
    uint8_t b[8];
    unsigned checked = 0, failures = 0;
    for (int mode = 16; mode <= 64; mode *= 2)
        for (size_t o = 0; o < sizeof opcodes; o++)
            for (unsigned depth = 0; depth <= 3; depth++) {
                unsigned total = 1;
                for (unsigned d = 0; d < depth; d++)
                    total *= NPREFIX;
                for (unsigned t = 0; t < total; t++) {
                    unsigned v = t;
                    for (unsigned d = 0; d < depth; d++, v /= NPREFIX)
                        b[d] = prefix_bytes[v % NPREFIX];
                    b[depth] = opcodes[o];
                    b[depth + 1] = 0x5a;
                    size_t n = depth + 1 + ((opcodes[o] & 0xfc) == 0xe4);
                    /* With and without a trailing byte: length must not depend on it. */
                    failures += check_against_oracle(b, n, mode);
                    failures += check_against_oracle(b, n + 1, mode);
                    checked += 2;
                    if (failures > 20)
                        fail_msg("too many failures");
                }
            }
    assert_int_equal(failures, 0);
    assert_true(checked > 190000);
}

/* Random prefix strings of every length up to 16 with the remaining bytes random. */
static void t_random_prefix_strings(void **state)
{
    (void)state;
    unsigned seed = 12345, failures = 0;
    uint8_t b[20];
    for (unsigned iter = 0; iter < 200000; iter++) {
        seed = seed * 1103515245u + 12345u;
        unsigned npre = (seed >> 16) % 17;
        for (unsigned i = 0; i < sizeof b; i++) {
            seed = seed * 1103515245u + 12345u;
            b[i] = (uint8_t)(seed >> 16);
        }
        for (unsigned i = 0; i < npre; i++)
            b[i] = prefix_bytes[b[i] % NPREFIX];
        b[npre] = opcodes[b[npre] % sizeof opcodes];
        int mode = 16 << (iter % 3);
        failures += check_against_oracle(b, (seed >> 8) % 18, mode);
        if (failures > 20)
            break;
    }
    assert_int_equal(failures, 0);
}

/* What the system's Capstone (a separate copy, formatting with the C library) says. */
static int system_identify(const uint8_t *code, size_t len, int mode, unsigned *id, size_t *size)
{
    csh h;
    assert_int_equal(cs_open(CS_ARCH_X86, mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32
                                                                            : CS_MODE_64, &h),
                     CS_ERR_OK);
    cs_insn *insn = cs_malloc(h);
    assert_non_null(insn);
    const uint8_t *p = code;
    size_t n = len;
    uint64_t addr = 0;
    int rc = IOTRAP_E_BAD_INSN;
    if (cs_disasm_iter(h, &p, &n, &addr, insn)) {
        *id = insn->id;
        *size = insn->size;
        rc = IOTRAP_OK;
    }
    cs_free(insn, 1);
    cs_close(&h);
    return rc;
}

/* The decoder's private Capstone, which formats nothing, finds the same ids and sizes as
 * the system's, which formats its text with the C library. */
static void t_quiet_formatter_keeps_ids(void **state)
{
    (void)state;
    uint8_t b[8];
    unsigned compared = 0;
    for (int mode = 16; mode <= 64; mode *= 2)
        for (size_t o = 0; o < sizeof opcodes; o++)
            for (unsigned t = 0; t < NPREFIX * NPREFIX + NPREFIX + 1; t++) {
                size_t depth = t == 0 ? 0 : t <= NPREFIX ? 1 : 2;
                unsigned v = t == 0 ? 0 : t <= NPREFIX ? t - 1 : t - 1 - NPREFIX;
                for (size_t d = 0; d < depth; d++, v /= NPREFIX)
                    b[d] = prefix_bytes[v % NPREFIX];
                b[depth] = opcodes[o];
                b[depth + 1] = 0x80;
                size_t n = depth + 2;
                unsigned id1 = 0, id2 = 0;
                size_t s1 = 0, s2 = 0;
                int r1 = iotrap__cs_identify(b, n, mode, &id1, &s1);
                int r2 = system_identify(b, n, mode, &id2, &s2);
                assert_int_equal(r1, r2);
                if (r1 == IOTRAP_OK) {
                    assert_int_equal(id1, id2);
                    assert_int_equal(s1, s2);
                    compared++;
                }
            }
    assert_true(compared > 3000);
}

/* ---- truncation, limits, modes --------------------------------------------------- */

/* A buffer whose last byte is followed by a PROT_NONE page. */
static uint8_t *guard_end(void)
{
    static uint8_t *page;
    if (!page) {
        long ps = sysconf(_SC_PAGESIZE);
        page = mmap(NULL, 2 * (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                    -1, 0);
        assert_true(page != MAP_FAILED);
        assert_int_equal(mprotect(page + ps, (size_t)ps, PROT_NONE), 0);
        page += ps;
    }
    return page;
}

static int truncation_case(const uint8_t *b, size_t len, int mode)
{
    uint8_t *end = guard_end();
    for (size_t avail = 0; avail <= len; avail++) {
        memcpy(end - avail, b, avail);
        iotrap_insn x;
        int rc = iotrap__decode_uncached(end - avail, avail, mode, &x);
        int want = avail < len ? IOTRAP_E_TRUNCATED : IOTRAP_OK;
        if (rc != want) {
            char hex[40];
            hexstr(b, len, hex);
            print_error("mode %d %s avail %zu: %s\n", mode, hex, avail, iotrap_status_name(rc));
            return 1;
        }
    }
    return 0;
}

static void t_truncation_guard_page(void **state)
{
    (void)state;
    static golden_row rows[256];
    size_t n = load_golden(rows, 256);
    int bad = 0, cases = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].status == IOTRAP_OK) {
            bad += truncation_case(rows[i].bytes, rows[i].insn.length, rows[i].mode);
            cases++;
        }
    /* Every valid prefix pair too. */
    uint8_t b[4];
    for (int mode = 16; mode <= 64; mode *= 2)
        for (size_t o = 0; o < sizeof opcodes; o++)
            for (unsigned t = 0; t < NPREFIX * NPREFIX; t++) {
                b[0] = prefix_bytes[t % NPREFIX];
                b[1] = prefix_bytes[t / NPREFIX];
                b[2] = opcodes[o];
                b[3] = 0x42;
                iotrap_insn x;
                if (oracle_decode(b, 4, mode, &x) != IOTRAP_OK)
                    continue;
                bad += truncation_case(b, x.length, mode);
                cases++;
            }
    assert_int_equal(bad, 0);
    assert_true(cases > 1000);
}

static void t_length_limit(void **state)
{
    (void)state;
    uint8_t b[32];
    iotrap_insn x;
    for (int mode = 16; mode <= 64; mode *= 2) {
        for (size_t np = 0; np <= 20; np++) {
            memset(b, 0x3e, np);
            b[np] = 0xec;
            b[np + 1] = 0x90;
            int rc = iotrap__decode_uncached(b, np + 2, mode, &x);
            assert_int_equal(rc, np + 1 <= 15 ? IOTRAP_OK : IOTRAP_E_TOO_LONG);
            if (rc == IOTRAP_OK)
                assert_int_equal(x.length, np + 1);
            b[np] = 0xe4;
            rc = iotrap__decode_uncached(b, np + 2, mode, &x);
            assert_int_equal(rc, np + 2 <= 15 ? IOTRAP_OK : IOTRAP_E_TOO_LONG);
            /* Known to be too long before the immediate arrives. */
            if (np + 2 > 15)
                assert_int_equal(iotrap_decode(b, np + 1, mode, &x), IOTRAP_E_TOO_LONG);
        }
        /* Fifteen prefixes: too long no matter what follows, even if nothing is there. */
        memset(b, 0x66, 15);
        assert_int_equal(iotrap_decode(b, 15, mode, &x), IOTRAP_E_TOO_LONG);
        assert_int_equal(iotrap_decode(b, 14, mode, &x), IOTRAP_E_TRUNCATED);
    }
}

static void t_not_io(void **state)
{
    (void)state;
    static const struct { const char *hex; int mode; } cases[] = {
        { "90", 64 }, { "c3", 32 }, { "0f05", 64 }, { "cd80", 32 }, { "f3a4", 64 },
        { "f3a5", 16 }, { "c5f877", 64 }, { "62", 64 }, { "40ec", 32 }, { "4fee", 16 },
        { "6690", 16 }, { "e8", 64 }, { "0fe4", 64 }, { "e3", 64 }, { "e8e4", 64 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[16];
        size_t n = strlen(cases[i].hex) / 2;
        for (size_t k = 0; k < n; k++) {
            unsigned v;
            sscanf(cases[i].hex + 2 * k, "%2x", &v);
            b[k] = (uint8_t)v;
        }
        iotrap_insn x;
        memset(&x, 0x77, sizeof x);
        int rc = iotrap_decode(b, n, cases[i].mode, &x);
        assert_int_equal(rc, IOTRAP_E_NOT_IO);
        assert_int_equal(x.op, 0x77); /* untouched on failure */
    }
}

static void t_bad_mode_and_args(void **state)
{
    (void)state;
    static const uint8_t b[] = { 0xec };
    iotrap_insn x;
    static const int modes[] = { -64, 0, 1, 8, 15, 17, 31, 33, 63, 65, 128 };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_int_equal(iotrap_decode(b, 1, modes[i], &x), IOTRAP_E_BAD_MODE);
        assert_int_equal(iotrap_decode(NULL, 0, modes[i], &x), IOTRAP_E_BAD_MODE);
    }
    assert_int_equal(iotrap_decode(b, 1, 64, NULL), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_decode(NULL, 1, 64, &x), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_decode(NULL, 0, 64, &x), IOTRAP_E_TRUNCATED);
}

/* ---- cache ----------------------------------------------------------------------- */

static void t_cache_keys_on_mode_and_bytes(void **state)
{
    (void)state;
    static const uint8_t b[] = { 0x66, 0xed, 0xe4, 0x10, 0xe4, 0x20 };
    iotrap_insn x;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(iotrap_decode(b, 2, 32, &x), IOTRAP_OK);
        assert_int_equal(x.width, 2);
        assert_int_equal(iotrap_decode(b, 2, 16, &x), IOTRAP_OK);
        assert_int_equal(x.width, 4);
        assert_int_equal(iotrap_decode(b + 1, 1, 16, &x), IOTRAP_OK);
        assert_int_equal(x.width, 2);
        assert_int_equal(iotrap_decode(b + 2, 2, 64, &x), IOTRAP_OK);
        assert_int_equal(x.port_imm, 0x10);
        assert_int_equal(iotrap_decode(b + 4, 2, 64, &x), IOTRAP_OK);
        assert_int_equal(x.port_imm, 0x20);
        /* A cached instruction still honours avail. */
        assert_int_equal(iotrap_decode(b + 4, 1, 64, &x), IOTRAP_E_TRUNCATED);
    }
    /* More hot instructions than cache ways, then back. */
    uint8_t many[64][2];
    for (int i = 0; i < 64; i++) {
        many[i][0] = 0xe6;
        many[i][1] = (uint8_t)i;
    }
    for (int round = 0; round < 4; round++)
        for (int i = 0; i < 64; i++) {
            assert_int_equal(iotrap_decode(many[i], 2, 64, &x), IOTRAP_OK);
            assert_int_equal(x.port_imm, i);
            assert_int_equal(x.op, IOTRAP_OP_OUT);
        }
}

/* ---- concurrency and signals ----------------------------------------------------- */

static void *decode_loop_n(void *arg, unsigned count)
{
    long bad = 0;
    uint8_t b[4];
    for (unsigned i = 0; i < count; i++) {
        b[0] = prefix_bytes[(i * 7 + (uintptr_t)arg) % NPREFIX];
        b[1] = prefix_bytes[(i / 3) % NPREFIX];
        b[2] = opcodes[i % sizeof opcodes];
        b[3] = (uint8_t)i;
        iotrap_insn want, got;
        int mode = 16 << (i % 3);
        int orc = oracle_decode(b, 4, mode, &want);
        int rc = (i & 1) ? iotrap__decode_uncached(b, 4, mode, &got)
                         : iotrap_decode(b, 4, mode, &got);
        if (rc != orc || (rc == IOTRAP_OK && !insn_eq(&got, &want)))
            bad++;
    }
    return (void *)bad;
}

static void *decode_loop(void *arg)
{
    return decode_loop_n(arg, 20000);
}

static void t_threads(void **state)
{
    (void)state;
    pthread_t th[6];
    for (uintptr_t i = 0; i < 6; i++)
        assert_int_equal(pthread_create(&th[i], NULL, decode_loop, (void *)i), 0);
    for (int i = 0; i < 6; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_int_equal((long)r, 0);
    }
    assert_true(iotrap__cs_handles_open() >= 1);
}

static volatile sig_atomic_t sig_decodes, sig_bad;

static void on_alarm(int sig)
{
    (void)sig;
    static const uint8_t b[] = { 0x64, 0x66, 0xf3, 0x6f };
    iotrap_insn x;
    int rc = iotrap__decode_uncached(b, sizeof b, 64, &x);
    if (rc != IOTRAP_OK || x.width != 2 || x.seg != IOTRAP_SEG_FS || !x.rep)
        sig_bad = 1;
    sig_decodes++;
}

/* A decode interrupted by a signal whose handler decodes too: the handler takes another
 * handle of the pool and both results are right. */
static void t_nested_in_signal_handler(void **state)
{
    (void)state;
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = { { 0, 200 }, { 0, 200 } };
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    long bad = 0;
    for (int i = 0; i < 40 && sig_decodes < 200; i++)
        bad += (long)decode_loop((void *)(uintptr_t)i);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    assert_int_equal(bad, 0);
    assert_int_equal(sig_bad, 0);
    assert_true(sig_decodes > 10);
}


/* The per-thread cache, hit by the interrupted code while a signal handler on the same
 * thread fills every entry with other instructions: the interrupted decode must still
 * return its own instruction, never the one a handler stored over the entry it found. */
static volatile sig_atomic_t evictions;

static void on_alarm_evict(int sig)
{
    (void)sig;
    static const uint8_t others[][3] = {
        { 0xe4, 0x80 }, { 0xe6, 0x81 }, { 0x66, 0xed }, { 0xf3, 0x6e }, { 0x66, 0xef },
        { 0xe5, 0x82 }, { 0xf3, 0x6d }, { 0x67, 0x6c }, { 0xe7, 0x83 },
    };
    static const uint8_t len[] = { 2, 2, 2, 2, 2, 2, 2, 2, 2 };
    for (size_t i = 0; i < sizeof len; i++) {
        iotrap_insn x;
        if (iotrap_decode(others[i], len[i], 64, &x) != IOTRAP_OK)
            sig_bad = 1;
    }
    evictions++;
}

static void t_cache_hit_interrupted_by_signal(void **state)
{
    (void)state;
    static const uint8_t in_al_dx[] = { 0xec };
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm_evict;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = { { 0, 50 }, { 0, 50 } };
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    long wrong = 0;
    for (long n = 0; evictions < 20000 && n < 400000000L; n++) {
        iotrap_insn x;
        if (iotrap_decode(in_al_dx, 1, 64, &x) != IOTRAP_OK || x.op != IOTRAP_OP_IN ||
            !x.port_is_dx || x.width != 1 || x.length != 1)
            wrong++;
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    print_message("%ld wrong results over %d evicting signals\n", wrong, (int)evictions);
    assert_int_equal(sig_bad, 0);
    assert_true(evictions > 1000);
    assert_int_equal(wrong, 0);
}

/* Nothing of Capstone exists before the first decode, which sets it up, sorts the Intel
 * printer's table once, and is right.  The sort is never asked for again, whatever is
 * decoded or examined afterwards. */
static void t_setup_on_first_use(void **state)
{
    (void)state;
    assert_int_equal(iotrap__cs_handles_open(), 0);
    assert_int_equal(iotrap__cs_arena_used(0), 0);
    assert_int_equal(iotrap__cs_sorts(), 0);
    /* The warm-up decodes IN AL, DX: the same first, so that the count shows it sorts. */
    static const uint8_t b[] = { 0xec };
    iotrap_insn x;
    assert_int_equal(iotrap__decode_uncached(b, sizeof b, 32, &x), IOTRAP_OK);
    assert_int_equal(x.op, IOTRAP_OP_IN);
    assert_int_equal(iotrap__cs_handles_open(), 1);
    assert_true(iotrap__cs_arena_used(0) > 0);
    /* Capstone 4 sorts one table of its Intel printer on first use; Capstone 5 none. */
    unsigned sorts = iotrap__cs_sorts();
    assert_true(sorts <= 1);
    unsigned failures = 0;
    for (int mode = 16; mode <= 64; mode *= 2)
        for (size_t o = 0; o < sizeof opcodes; o++)
            for (size_t p = 0; p < NPREFIX; p++) {
                uint8_t c[3] = { prefix_bytes[p], opcodes[o], 0x80 };
                failures += check_against_oracle(c, sizeof c, mode);
            }
    /* Ordinary instructions, with Capstone's details, as hot-site patching examines them. */
    static const uint8_t ordinary[][8] = {
        { 0x48, 0x8b, 0x05, 0x10, 0, 0, 0 }, { 0xe8, 0, 0, 0, 0 }, { 0xf3, 0xa4 },
        { 0x0f, 0xa2 }, { 0xc5, 0xf8, 0x77 }, { 0x66, 0x0f, 0x6f, 0xc1 },
    };
    for (size_t i = 0; i < sizeof ordinary / sizeof ordinary[0]; i++) {
        iotrap__cs_facts f;
        assert_int_equal(iotrap__cs_examine(ordinary[i], sizeof ordinary[i], 64, 0x1000, &f),
                         IOTRAP_OK);
    }
    assert_int_equal(failures, 0);
    assert_int_equal(iotrap__cs_sorts(), sorts);
}

/* The first decode of a process, in a signal handler: Capstone is set up there (nothing in
 * it may allocate from the C library or format with it) and the result is right. */
static volatile sig_atomic_t first_in_handler_ok = -1;

static void on_usr1_first_decode(int sig)
{
    (void)sig;
    static const uint8_t b[] = { 0x64, 0x66, 0xf3, 0x6f };
    iotrap_insn x;
    first_in_handler_ok = iotrap_decode(b, sizeof b, 64, &x) == IOTRAP_OK && x.width == 2 &&
                          x.seg == IOTRAP_SEG_FS && x.rep && iotrap__cs_handles_open() == 1;
}

static void t_first_decode_in_signal_handler(void **state)
{
    (void)state;
    assert_int_equal(iotrap__cs_handles_open(), 0);
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1_first_decode;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_DFL);
    assert_int_equal(first_in_handler_ok, 1);
    assert_true(iotrap__cs_sorts() <= 1);
}

/* Many threads making the process's first decode at once: one warms Capstone up, the
 * others wait for it, all are right, and the unsynchronised sort happens once. */
static pthread_barrier_t first_barrier;

static void *first_decode_thread(void *arg)
{
    pthread_barrier_wait(&first_barrier);
    return decode_loop_n(arg, 2000);
}

static void t_first_decode_races(void **state)
{
    (void)state;
    assert_int_equal(iotrap__cs_handles_open(), 0);
    enum { N = 8 };
    pthread_t th[N];
    assert_int_equal(pthread_barrier_init(&first_barrier, NULL, N), 0);
    for (uintptr_t i = 0; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, first_decode_thread, (void *)i), 0);
    long bad = 0;
    for (int i = 0; i < N; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    pthread_barrier_destroy(&first_barrier);
    assert_int_equal(bad, 0);
    assert_true(iotrap__cs_sorts() <= 1);
    assert_true(iotrap__cs_handles_open() >= 1);
}

/* Decoding does not leak arena memory: after warm-up, slot 0's arena stops growing. */
static void t_arena_is_bounded(void **state)
{
    (void)state;
    static const uint8_t b[] = { 0x66, 0xf3, 0x6f };
    iotrap_insn x;
    for (int i = 0; i < 100; i++)
        assert_int_equal(iotrap__decode_uncached(b, 3, 16 << (i % 3), &x), 0);
    size_t used = iotrap__cs_arena_used(0);
    assert_true(used > 0);
    for (int i = 0; i < 20000; i++)
        assert_int_equal(iotrap__decode_uncached(b, 3, 16 << (i % 3), &x), 0);
    assert_int_equal(iotrap__cs_arena_used(0), used);
    print_message("arena of one handle: %zu bytes\n", used);
    assert_true(used < 64 * 1024);
}

/* ---- the CPU as ground truth for segment overrides ------------------------------ */

static volatile uint64_t cells[3];

typedef uint64_t (*load_fn)(uint64_t addr, uint64_t fs_base);

/* Emit: [rdfsbase r8; wrfsbase rsi;] mov rcx, rdi; mov rax, -1; PREFIXES 8b 01
 * (mov eax, [rcx]); [wrfsbase r8;] ret. */
static void emit_load(uint8_t *p, const uint8_t *pre, size_t npre, int with_fs)
{
    static const uint8_t save_fs[] = { 0xf3, 0x49, 0x0f, 0xae, 0xc0, 0xf3, 0x48, 0x0f, 0xae, 0xd6 };
    static const uint8_t restore_fs[] = { 0xf3, 0x49, 0x0f, 0xae, 0xd0 };
    static const uint8_t head[] = { 0x48, 0x89, 0xf9, 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff };
    if (with_fs)
        memcpy(p, save_fs, sizeof save_fs), p += sizeof save_fs;
    memcpy(p, head, sizeof head), p += sizeof head;
    memcpy(p, pre, npre), p += npre;
    *p++ = 0x8b;
    *p++ = 0x01;
    if (with_fs)
        memcpy(p, restore_fs, sizeof restore_fs), p += sizeof restore_fs;
    *p = 0xc3;
}

static void t_cpu_segment_rules(void **state)
{
    (void)state;
    /* FS can be switched for one load only with WRFSBASE (glibc keeps its TLS in FS);
     * GS is free in 64-bit Linux processes and is set with arch_prctl. */
    int with_fs = (getauxval(AT_HWCAP2) & 2) != 0;
    cells[0] = 0x1111, cells[1] = 0x2222, cells[2] = 0x3333;
    uint64_t x = (uint64_t)&cells[0];
    uint64_t fs_delta = (uint64_t)&cells[1] - x, gs_base = (uint64_t)&cells[2] - x;
    assert_int_equal(syscall(SYS_arch_prctl, ARCH_SET_GS, gs_base), 0);
    uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(page != MAP_FAILED);
    static const uint8_t classes[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x40, 0x48 };
    const size_t nc = sizeof classes;
    unsigned tried = 0, bad = 0;
    uint8_t pre[4];
    for (unsigned depth = 1; depth <= 3; depth++) {
        unsigned total = 1;
        for (unsigned d = 0; d < depth; d++)
            total *= nc;
        for (unsigned t = 0; t < total; t++) {
            unsigned v = t;
            int uses_fs = 0;
            for (unsigned d = 0; d < depth; d++, v /= nc) {
                pre[d] = classes[v % nc];
                uses_fs |= pre[d] == 0x64;
            }
            if (uses_fs && !with_fs)
                continue;
            emit_load(page, pre, depth, with_fs);
            __builtin___clear_cache((char *)page, (char *)page + 4096);
            uint64_t got = ((load_fn)page)(x, fs_delta) & 0xffff;
            int cpu_seg = got == 0x2222 ? IOTRAP_SEG_FS : got == 0x3333 ? IOTRAP_SEG_GS
                        : got == 0x1111 ? IOTRAP_SEG_DS : -1;
            uint8_t b[5];
            memcpy(b, pre, depth);
            b[depth] = 0x6e;
            iotrap_insn ins;
            assert_int_equal(iotrap_decode(b, depth + 1, 64, &ins), IOTRAP_OK);
            if (cpu_seg != ins.seg) {
                char hex[16];
                hexstr(pre, depth, hex);
                print_error("prefixes %s: CPU used segment %d, decoder says %u\n", hex, cpu_seg,
                            ins.seg);
                bad++;
            }
            tried++;
        }
    }
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
    munmap(page, 4096);
    if (!with_fs)
        print_message("no FSGSBASE on this CPU/kernel: FS orders not tried\n");
    assert_int_equal(bad, 0);
    assert_true(tried > 300);
}

/* ---- text and JSON ----------------------------------------------------------------- */

static void t_format_and_json(void **state)
{
    (void)state;
    static const struct { int mode; const char *hex, *text, *json; } c[] = {
        { 64, "f36e", "rep outsb",
          "{\"op\":\"outs\",\"width\":1,\"port\":\"dx\",\"addr_size\":64,\"rep\":true,\"seg\":\"ds\",\"length\":2}" },
        { 64, "ec", "in al, dx",
          "{\"op\":\"in\",\"width\":1,\"port\":\"dx\",\"addr_size\":64,\"rep\":false,\"length\":1}" },
        { 64, "e680", "out 0x80, al",
          "{\"op\":\"out\",\"width\":1,\"port\":128,\"addr_size\":64,\"rep\":false,\"length\":2}" },
        { 32, "66ed", "in ax, dx", NULL },
        { 16, "66e7ff", "out 0xff, eax", NULL },
        { 64, "6d", "insd", NULL },
        { 64, "64f3666f", "rep outsw dx, word ptr fs:[rsi]",
          "{\"op\":\"outs\",\"width\":2,\"port\":\"dx\",\"addr_size\":64,\"rep\":true,\"seg\":\"fs\",\"length\":4}" },
        { 64, "67f36c", "rep insb byte ptr es:[edi], dx", NULL },
        { 16, "6f", "outsw", NULL },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint8_t b[8];
        size_t n = strlen(c[i].hex) / 2;
        for (size_t k = 0; k < n; k++) {
            unsigned v;
            sscanf(c[i].hex + 2 * k, "%2x", &v);
            b[k] = (uint8_t)v;
        }
        iotrap_insn x;
        assert_int_equal(iotrap_decode(b, n, c[i].mode, &x), IOTRAP_OK);
        char buf[160];
        assert_int_equal(iotrap_insn_format(&x, buf, sizeof buf), (int)strlen(c[i].text));
        assert_string_equal(buf, c[i].text);
        if (c[i].json) {
            assert_int_equal(iotrap_insn_json(&x, buf, sizeof buf), (int)strlen(c[i].json));
            assert_string_equal(buf, c[i].json);
        }
        /* Too small a buffer: an error, and still a terminated string. */
        char small[4];
        assert_int_equal(iotrap_insn_json(&x, small, sizeof small), IOTRAP_E_RANGE);
        assert_int_equal(strlen(small), 3);
    }
    iotrap_insn bad = { .op = 9, .width = 1, .addr_size = 64 };
    char buf[64];
    assert_int_equal(iotrap_insn_format(&bad, buf, sizeof buf), IOTRAP_E_INVAL);
    assert_int_equal(iotrap_insn_json(NULL, buf, sizeof buf), IOTRAP_E_INVAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_format_and_json),
    cmocka_unit_test(t_golden),
    cmocka_unit_test(t_golden_capstone_claims),
    cmocka_unit_test(t_systematic_prefix_orders),
    cmocka_unit_test(t_random_prefix_strings),
    cmocka_unit_test(t_quiet_formatter_keeps_ids),
    cmocka_unit_test(t_truncation_guard_page),
    cmocka_unit_test(t_length_limit),
    cmocka_unit_test(t_not_io),
    cmocka_unit_test(t_bad_mode_and_args),
    cmocka_unit_test(t_cache_keys_on_mode_and_bytes),
    cmocka_unit_test(t_threads),
    cmocka_unit_test(t_nested_in_signal_handler),
    cmocka_unit_test(t_cache_hit_interrupted_by_signal),
    cmocka_unit_test(t_arena_is_bounded),
    cmocka_unit_test(t_setup_on_first_use),
    cmocka_unit_test(t_first_decode_in_signal_handler),
    cmocka_unit_test(t_first_decode_races),
    cmocka_unit_test(t_cpu_segment_rules),
};

IOTRAP_TEST_MAIN(tests)
