/* The grant file shared by the iotrap drivers and the trap engine (grants.h):
 * layout, creation, the writers' side and the lock-free lookup. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include <iotrap/status.h>
#include "session/grants.h"
#include "session/grants_file.h"

static const char grants_magic[8] = "IOTRAPGR";

int iotrap__wine_grants_valid(const struct iotrap__grant_file *f, size_t size)
{
    return size >= sizeof(*f) && memcmp(f->magic, grants_magic, sizeof(grants_magic)) == 0 &&
           f->version == IOTRAP__GRANT_VERSION && f->nslots == IOTRAP__GRANT_SLOTS;
}

int iotrap__wine_grants_create(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? IOTRAP_E_BUSY : IOTRAP_E_SYSTEM;
    struct iotrap__grant_file hdr;
    memset(&hdr, 0, sizeof(hdr));
    memcpy(hdr.magic, grants_magic, sizeof(grants_magic));
    hdr.version = IOTRAP__GRANT_VERSION;
    hdr.nslots = IOTRAP__GRANT_SLOTS;
    /* The slots stay a hole in the file until a driver writes one. */
    int ok = ftruncate(fd, (off_t)sizeof(struct iotrap__grant_file)) == 0 &&
             pwrite(fd, &hdr, offsetof(struct iotrap__grant_file, slots), 0) ==
                 (ssize_t)offsetof(struct iotrap__grant_file, slots);
    close(fd);
    if (!ok) {
        unlink(path);
        return IOTRAP_E_SYSTEM;
    }
    return IOTRAP_OK;
}

/* The writers' mapping, made on first use and kept for the life of the process. */
static struct iotrap__grant_file *writable;
static int writable_fd = -1;

static int map_writable(void)
{
    if (writable)
        return IOTRAP_OK;
    const char *path = getenv(IOTRAP__GRANT_ENV);
    if (!path || !*path)
        return IOTRAP_E_NODEV;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return IOTRAP_E_SYSTEM;
    void *p = mmap(NULL, sizeof(struct iotrap__grant_file), PROT_READ | PROT_WRITE, MAP_SHARED,
                   fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return IOTRAP_E_SYSTEM;
    }
    if (!iotrap__wine_grants_valid(p, sizeof(struct iotrap__grant_file))) {
        munmap(p, sizeof(struct iotrap__grant_file));
        close(fd);
        return IOTRAP_E_PROTOCOL;
    }
    writable = p;
    writable_fd = fd;
    return IOTRAP_OK;
}

int iotrap__wine_grants_set(uint32_t pid, const uint8_t *map, int deny_all)
{
    if (pid == 0)
        return IOTRAP_E_INVAL;
    int st = map_writable();
    if (st < 0)
        return st;
    /* Slot allocation is the only read-modify-write: one writer at a time, across all
     * the driver processes of the run. */
    if (flock(writable_fd, LOCK_EX) < 0)
        return IOTRAP_E_SYSTEM;
    int found = -1, free_slot = -1;
    for (unsigned i = 0; i < IOTRAP__GRANT_SLOTS; i++) {
        uint32_t p = __atomic_load_n(&writable->pid[i], __ATOMIC_RELAXED);
        if (p == pid) {
            found = (int)i;
            break;
        }
        if (p == 0 && free_slot < 0)
            free_slot = (int)i;
    }
    if (found < 0)
        found = free_slot;
    if (found < 0) {
        flock(writable_fd, LOCK_UN);
        return IOTRAP_E_BUSY;
    }
    struct iotrap__grant_slot *slot = &writable->slots[found];
    uint32_t seq = __atomic_load_n(&slot->seq, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->seq, seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (map)
        memcpy(slot->map, map, IOTRAP__GRANT_MAP_BYTES);
    else
        memset(slot->map, deny_all ? 0xff : 0x00, IOTRAP__GRANT_MAP_BYTES);
    __atomic_store_n(&slot->seq, seq + 2, __ATOMIC_RELEASE);
    /* The id is published after the map: a reader that finds it reads a whole map.  A
     * new id then bumps the generation, after it, so that a reader that remembered
     * finding no slot while the id was not there yet searches again. */
    if (__atomic_load_n(&writable->pid[found], __ATOMIC_RELAXED) != pid) {
        __atomic_store_n(&writable->pid[found], pid, __ATOMIC_RELEASE);
        __atomic_add_fetch(&writable->generation, 1, __ATOMIC_SEQ_CST);
    }
    flock(writable_fd, LOCK_UN);
    return IOTRAP_OK;
}

/* Bit clear for every port of the access, as the processor checks the TSS map: an access
 * that reaches past port 0xffff is denied. */
static int map_allows(const uint8_t *map, uint32_t port, unsigned width)
{
    for (uint32_t p = port; p < port + width; p++) {
        if (p > 0xffff)
            return 0;
        if (map[p >> 3] & (1u << (p & 7)))
            return 0;
    }
    return 1;
}

int iotrap__wine_grants_lookup(const struct iotrap__grant_file *f, uint32_t pid, uint16_t port,
                               unsigned width, struct iotrap__grant_hint *hint)
{
    uint32_t gen = __atomic_load_n(&f->generation, __ATOMIC_SEQ_CST);
    if (hint && hint->none && hint->none_gen == gen)
        return 1;
    unsigned i = hint && hint->slot < IOTRAP__GRANT_SLOTS ? hint->slot : 0;
    if (__atomic_load_n(&f->pid[i], __ATOMIC_ACQUIRE) != pid) {
        for (i = 0; i < IOTRAP__GRANT_SLOTS; i++)
            if (__atomic_load_n(&f->pid[i], __ATOMIC_ACQUIRE) == pid)
                break;
        if (i == IOTRAP__GRANT_SLOTS) {
            /* The generation was read before the search: an id published since bumped
             * it past what is remembered. */
            if (hint) {
                hint->none_gen = gen;
                hint->none = 1;
            }
            return 1;
        }
        if (hint)
            hint->slot = i;
    }
    if (hint)
        hint->none = 0;
    const struct iotrap__grant_slot *s = &f->slots[i];
    /* A writer holds a slot for a memcpy; a counter that stays odd means it died midway,
     * and an unreadable map grants nothing. */
    for (unsigned tries = 0; tries < 1000000; tries++) {
        uint32_t before = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
        if (before & 1)
            continue;
        int ok = map_allows(s->map, port, width);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == before)
            return ok;
    }
    return 0;
}
