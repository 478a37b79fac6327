/* The simulated board: device windows, the shared state block and port dispatch.
 *
 * The shared part is one mapping (an anonymous MAP_SHARED region for a private board,
 * or a board file that every process of one `iotrap run` maps): a header with the
 * lock and the device layout, then each device's state, 64-byte aligned.  It holds no
 * pointers and has the same layout in 32- and 64-bit processes.  The per-process part
 * (this struct) holds the device configs and a 64K table from port to device. */
#ifndef IOTRAP_BACKENDS_BOARD_H
#define IOTRAP_BACKENDS_BOARD_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <iotrap/device.h>
#include <iotrap/ports.h>

#define IOTRAP__BOARD_MAGIC "IOTRAPBD"
#define IOTRAP__BOARD_VERSION 2u
#define IOTRAP__BOARD_MAX_DEVICES 32

struct iotrap__board_dev {
    char name[32];
    uint32_t base;
    uint32_t span;
    uint64_t state_offset;
    uint64_t state_size;
};

struct iotrap__board_hdr {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t total_size;
    uint32_t lock;     /* see lock.h */
    uint32_t ndevices;
    uint32_t ready;    /* 1 once the creator has reset every device */
    uint32_t pad;
    struct iotrap__board_dev dev[IOTRAP__BOARD_MAX_DEVICES];
    /* The creator's working directory, against which every process of the run resolves
     * relative out= paths ("" if it did not fit). */
    char base_dir[4096];
};

struct iotrap__board;

/* A device as this process sees it, with the board it sits on (for peer lookups). */
struct iotrap__board_slot {
    iotrap_device dev;
    struct iotrap__board *board;
};

typedef struct iotrap__board {
    struct iotrap__board_hdr *hdr;
    size_t map_size;
    size_t ndev;
    struct iotrap__board_slot slot[IOTRAP__BOARD_MAX_DEVICES];
    char spec[IOTRAP__BOARD_MAX_DEVICES][48]; /* "name@0xbase" for messages */
    int started[IOTRAP__BOARD_MAX_DEVICES];
    uint8_t port_dev[65536]; /* 0: unclaimed, else device index + 1 */
    bool file_failed;        /* CREATE failed making the board file itself: the machine's
                              * failure, not the configuration's */
} iotrap__board;

/* The specs of the default board (used when the configuration gives none), NULL-ended. */
extern const char *const iotrap__board_defaults[];

enum iotrap__board_mode {
    IOTRAP__BOARD_PRIVATE, /* anonymous shared mapping, shared with forked children */
    IOTRAP__BOARD_ATTACH,  /* map cfg->board and check it matches */
    IOTRAP__BOARD_CREATE   /* make a board file, see iotrap_board_create() */
};

/* Loads cfg's plug-ins, parses its device specs (the default board when NULL) and maps
 * the board.  For CREATE, `path` receives the new file's name (see also file_failed).  `b`
 * must be zeroed, as a
 * backend's state is (backend.h): it is not cleared again, so that the pages of port_dev
 * no device claims are never touched. */
int iotrap__board_open(iotrap__board *b, const iotrap_ports_config *cfg,
                       enum iotrap__board_mode mode, char *path, size_t pathlen, char *err,
                       size_t errlen);
void iotrap__board_close(iotrap__board *b);

/* Accesses; async-signal-safe.  IOTRAP_E_BUSY if this thread is inside the board
 * already (a nested signal). */
int iotrap__board_in(iotrap__board *b, uint16_t port, unsigned width, uint32_t *value);
int iotrap__board_out(iotrap__board *b, uint16_t port, unsigned width, uint32_t value);
int iotrap__board_in_string(iotrap__board *b, uint16_t port, unsigned width, void *buf,
                            size_t count);
int iotrap__board_out_string(iotrap__board *b, uint16_t port, unsigned width,
                             const void *buf, size_t count);

/* The device answering `port`, or NULL when the bus has nothing there; *lines receives
 * the lines behind that register (NULL for a plain byte).  Async-signal-safe with lines
 * NULL; not for a signal handler otherwise (a model's lines() need not be). */
const iotrap_device *iotrap__board_device_at(const iotrap__board *b, uint16_t port,
                                             const iotrap_device_lines **lines);

/* 1 if an access to `port` runs on the general registers only: the bus answers it, or its
 * device's model says IOTRAP_DEVICE_GENERAL_REGS.  Async-signal-safe. */
int iotrap__board_general_regs(const iotrap__board *b, uint16_t port);

#endif
