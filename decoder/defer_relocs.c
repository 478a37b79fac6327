/* defer-relocs LIBRARY: a build step of the preload library.  It moves the relative
 * relocations of Capstone's pointer tables out of the dynamic loader's work and into a
 * table the decoder applies itself at its first use (decoder/cs_relocs.c).
 *
 * Capstone's x86 tables of names and register classes are arrays of pointers, some 2000 of
 * them over nine pages, and the loader writes every one of those pages of every process
 * at start: about eleven page faults in a process that never decodes anything.  The
 * private copy of Capstone puts those tables in a section of their own, iotrap_cs_relro,
 * and its writable data with pointers in another, iotrap_cs_data (decoder/local.mk).
 * This tool reads the library's packed relative relocations (DT_RELR), takes out the
 * ones inside those sections, records them as a bitmap in the
 * library's iotrap__cs_deferred table, and writes the rest back in the same place with a
 * smaller DT_RELRSZ.
 *
 * A library without DT_RELR (a linker without -z pack-relative-relocs), or whose
 * remaining relocations would not encode shorter, is left as it is: its table stays
 * empty and the loader relocates everything as before.  So is one already done, and one
 * stripped of its symbol table.  Every
 * other surprise is an error naming what is wrong, and the file is not changed. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "decoder/cs_relocs.h"

#define SECTION "iotrap_cs_relro"
#define SECTION_RW "iotrap_cs_data"
#define TABLE "iotrap__cs_deferred"

static const char *file;

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "defer-relocs: %s: ", file);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* The file, mapped, and what the rest reads from it whatever its class. */
static uint8_t *img;
static size_t img_size;
static int is64;
static unsigned word; /* 8 or 4 */

static void *at(uint64_t off, uint64_t len)
{
    if (off > img_size || len > img_size - off)
        die("offset 0x%llx (%llu bytes) is past the end of the file", (unsigned long long)off,
            (unsigned long long)len);
    return img + off;
}

static uint64_t get(const void *p, unsigned size)
{
    if (size == 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void put(void *p, unsigned size, uint64_t v)
{
    if (size == 8) {
        memcpy(p, &v, 8);
    } else {
        uint32_t w = (uint32_t)v;
        memcpy(p, &w, 4);
    }
}

struct section {
    const char *name;
    uint32_t type;
    uint64_t addr, offset, size, link, entsize;
    uint8_t *hdr; /* to update sh_size */
};

static struct section *sections;
static unsigned nsections;

static void read_sections(void)
{
    const unsigned char *id = at(0, EI_NIDENT);
    if (memcmp(id, ELFMAG, SELFMAG) != 0)
        die("not an ELF file");
    if (id[EI_DATA] != ELFDATA2LSB)
        die("not little-endian");
    is64 = id[EI_CLASS] == ELFCLASS64;
    if (!is64 && id[EI_CLASS] != ELFCLASS32)
        die("unknown ELF class %u", id[EI_CLASS]);
    word = is64 ? 8 : 4;
    uint64_t shoff, shentsize, shnum, shstrndx;
    if (is64) {
        const Elf64_Ehdr *e = at(0, sizeof *e);
        shoff = e->e_shoff, shentsize = e->e_shentsize, shnum = e->e_shnum,
        shstrndx = e->e_shstrndx;
    } else {
        const Elf32_Ehdr *e = at(0, sizeof *e);
        shoff = e->e_shoff, shentsize = e->e_shentsize, shnum = e->e_shnum,
        shstrndx = e->e_shstrndx;
    }
    if (shentsize != (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) || shstrndx >= shnum)
        die("unexpected section header table");
    sections = calloc(shnum, sizeof *sections);
    if (!sections)
        die("out of memory");
    nsections = (unsigned)shnum;
    for (unsigned i = 0; i < shnum; i++) {
        struct section *s = &sections[i];
        s->hdr = at(shoff + i * shentsize, shentsize);
        if (is64) {
            const Elf64_Shdr *h = (const Elf64_Shdr *)s->hdr;
            s->type = h->sh_type, s->addr = h->sh_addr, s->offset = h->sh_offset,
            s->size = h->sh_size, s->link = h->sh_link, s->entsize = h->sh_entsize;
        } else {
            const Elf32_Shdr *h = (const Elf32_Shdr *)s->hdr;
            s->type = h->sh_type, s->addr = h->sh_addr, s->offset = h->sh_offset,
            s->size = h->sh_size, s->link = h->sh_link, s->entsize = h->sh_entsize;
        }
    }
    const struct section *strs = &sections[shstrndx];
    const char *names = at(strs->offset, strs->size);
    for (unsigned i = 0; i < shnum; i++) {
        uint32_t n = is64 ? ((const Elf64_Shdr *)sections[i].hdr)->sh_name
                          : ((const Elf32_Shdr *)sections[i].hdr)->sh_name;
        if (n >= strs->size || !memchr(names + n, '\0', strs->size - n))
            die("section %u has a bad name", i);
        sections[i].name = names + n;
    }
}

static struct section *find_section(const char *name, uint32_t type)
{
    for (unsigned i = 0; i < nsections; i++)
        if (sections[i].type == type && strcmp(sections[i].name, name) == 0)
            return &sections[i];
    return NULL;
}

/* The file offset of the table, from the symbol table; 0 if the file has none. */
static uint64_t find_table(void)
{
    const struct section *symtab = find_section(".symtab", SHT_SYMTAB);
    if (!symtab)
        return 0;
    if (symtab->link >= nsections)
        die("bad symbol table");
    const struct section *strtab = &sections[symtab->link];
    const char *strs = at(strtab->offset, strtab->size);
    size_t entsize = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
    for (uint64_t off = 0; off + entsize <= symtab->size; off += entsize) {
        const void *p = at(symtab->offset + off, entsize);
        uint64_t name, value, size;
        unsigned shndx;
        if (is64) {
            const Elf64_Sym *s = p;
            name = s->st_name, value = s->st_value, size = s->st_size, shndx = s->st_shndx;
        } else {
            const Elf32_Sym *s = p;
            name = s->st_name, value = s->st_value, size = s->st_size, shndx = s->st_shndx;
        }
        if (name >= strtab->size || strcmp(strs + name, TABLE) != 0)
            continue;
        if (size != sizeof(struct iotrap__cs_deferred) || shndx >= nsections ||
            sections[shndx].type != SHT_PROGBITS)
            die("%s is not the table this tool writes", TABLE);
        const struct section *in = &sections[shndx];
        return in->offset + (value - in->addr);
    }
    die("no symbol %s", TABLE);
}

/* ---- DT_RELR: decoding and encoding (the ELF gABI's packed relative relocations) ---- */

static uint64_t *decode(const uint8_t *relr, uint64_t size, size_t *n)
{
    unsigned bits = word * 8;
    size_t cap = 1024, count = 0;
    uint64_t *out = malloc(cap * sizeof *out);
    if (!out)
        die("out of memory");
    uint64_t where = 0;
    for (uint64_t off = 0; off + word <= size; off += word) {
        uint64_t e = get(relr + off, word);
        for (unsigned i = 0; i < bits; i++) {
            uint64_t a;
            if (!(e & 1))
                a = e, i = bits; /* an address entry: one relocation */
            else if (i > 0 && ((e >> i) & 1))
                a = where + (uint64_t)(i - 1) * word;
            else
                continue;
            if (count == cap && !(out = realloc(out, (cap *= 2) * sizeof *out)))
                die("out of memory");
            out[count++] = a;
        }
        where = e & 1 ? where + (uint64_t)(bits - 1) * word : e + word;
    }
    *n = count;
    return out;
}

/* Encodes sorted addresses into out (as many words as there is room for); returns the
 * number of words the encoding needs. */
static size_t encode(const uint64_t *addr, size_t n, uint8_t *out, size_t room)
{
    unsigned bits = word * 8;
    size_t used = 0;
    for (size_t i = 0; i < n;) {
        if (used < room)
            put(out + used * word, word, addr[i]);
        used++;
        uint64_t where = addr[i++] + word;
        for (;;) {
            uint64_t bitmap = 0;
            while (i < n && addr[i] - where < (uint64_t)(bits - 1) * word &&
                   (addr[i] - where) % word == 0) {
                bitmap |= (uint64_t)1 << ((addr[i] - where) / word);
                i++;
            }
            if (!bitmap)
                break;
            if (used < room)
                put(out + used * word, word, (bitmap << 1) | 1);
            used++;
            where += (uint64_t)(bits - 1) * word;
        }
    }
    return used;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: defer-relocs LIBRARY\n");
        return 2;
    }
    file = argv[1];
    int fd = open(file, O_RDWR);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die("%s", strerror(errno));
    img_size = (size_t)st.st_size;
    img = mmap(NULL, img_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (img == MAP_FAILED)
        die("cannot map: %s", strerror(errno));
    close(fd);
    read_sections();

    uint64_t table_at = find_table();
    if (!table_at) {
        fprintf(stderr, "defer-relocs: %s: stripped already; its relocations stay the "
                        "loader's\n", file);
        return 0;
    }
    struct iotrap__cs_deferred *table = at(table_at, sizeof *table);
    if (table->magic == IOTRAP__CS_DEFERRED_MAGIC)
        return 0; /* done already */
    const struct section *ro = find_section(SECTION, SHT_PROGBITS);
    const struct section *rw = find_section(SECTION_RW, SHT_PROGBITS);
    const struct section *relr = find_section(".relr.dyn", SHT_RELR);
    const struct section *dyn = find_section(".dynamic", SHT_DYNAMIC);
    if (!ro || !rw)
        die("no section %s or %s (decoder/local.mk makes them)", SECTION, SECTION_RW);
    if (!relr || !dyn)
        return 0; /* relocations not packed: the loader does them all */
    /* One range covers both: the linker places them side by side. */
    uint64_t lo = ro->addr < rw->addr ? ro->addr : rw->addr;
    uint64_t hi = ro->addr + ro->size > rw->addr + rw->size ? ro->addr + ro->size
                                                              : rw->addr + rw->size;
    if (lo % word || (hi - lo) / word > 8u * sizeof table->map)
        die("sections %s and %s are misaligned or further apart than the table covers",
            SECTION, SECTION_RW);

    size_t n;
    uint64_t *addr = decode(at(relr->offset, relr->size), relr->size, &n);
    size_t kept = 0, moved = 0;
    uint8_t map[sizeof table->map];
    memset(map, 0, sizeof map);
    for (size_t i = 0; i < n; i++) {
        if (i && addr[i] <= addr[i - 1])
            die("DT_RELR addresses are not in ascending order");
        bool in_ro = addr[i] >= ro->addr && addr[i] < ro->addr + ro->size;
        bool in_rw = addr[i] >= rw->addr && addr[i] < rw->addr + rw->size;
        if (in_ro || in_rw) {
            uint64_t w = (addr[i] - lo) / word;
            map[w / 8] |= (uint8_t)(1u << (w % 8));
            moved++;
        } else {
            addr[kept++] = addr[i];
        }
    }
    size_t room = relr->size / word;
    size_t need = encode(addr, kept, NULL, 0);
    if (!moved || need > room)
        return 0;

    /* The dynamic section's DT_RELRSZ, then the relocations, then the table. */
    size_t dsize = is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
    uint8_t *dsz = NULL;
    for (uint64_t off = 0; off + dsize <= dyn->size; off += dsize) {
        uint8_t *d = at(dyn->offset + off, dsize);
        uint64_t tag = get(d, word);
        if (tag == DT_NULL)
            break;
        if (tag == DT_RELRSZ)
            dsz = d + word;
    }
    if (!dsz || get(dsz, word) != relr->size)
        die("DT_RELRSZ does not match the size of .relr.dyn");
    uint8_t *out = at(relr->offset, relr->size);
    memset(out, 0, relr->size);
    encode(addr, kept, out, room);
    put(dsz, word, need * word);
    if (is64)
        ((Elf64_Shdr *)relr->hdr)->sh_size = need * word;
    else
        ((Elf32_Shdr *)relr->hdr)->sh_size = (Elf32_Word)(need * word);
    table->start = lo;
    table->words = (uint32_t)((hi - lo) / word);
    table->ro_start = ro->addr;
    table->ro_size = ro->size;
    memcpy(table->map, map, sizeof map);
    table->magic = IOTRAP__CS_DEFERRED_MAGIC;
    if (msync(img, img_size, MS_SYNC) != 0)
        die("cannot write: %s", strerror(errno));
    printf("defer-relocs: %s: %zu of %zu relocations deferred to the decoder's first use\n",
           file, moved, n);
    return 0;
}
