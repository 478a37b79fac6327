/* iotrap device models for the simulated board.
 *
 * A device model answers byte accesses to a window of ports.  The board splits every
 * 2- and 4-byte access into byte accesses at consecutive ports (little-endian), as the
 * ISA bus does for 8-bit devices, so a model deals in bytes only.
 *
 * A model that must see a wide access whole (a register that only a 32-bit access
 * reaches, as PCI's CONFIG_ADDRESS) provides read_wide/write_wide.
 *
 * One board is shared by every process of one `iotrap run`, so a model keeps two kinds
 * of data:
 *   - state:  `state_size` bytes inside the shared board.  It must not hold pointers
 *             (each process maps the board at its own address).  The board serialises
 *             accesses, so a model needs no locking of its own.
 *   - config: `config_size` bytes private to each process, filled by configure() from the
 *             --device spec, which every process parses again.  File descriptors and
 *             other per-process resources live here.
 *
 * read() and write() run inside the SIGSEGV handler of the trap engine: they must be
 * async-signal-safe (no malloc, no stdio, no locks) and must not block for long.
 *
 * Models register with iotrap_device_register(); a plug-in .so loaded with
 * `--device-plugin FILE` exports `int iotrap_device_plugin_init(void)` which does that.
 * The plug-in leaves the iotrap_* symbols undefined: the process that loads it (the
 * preload library, the `iotrap` command, libiotrap) exports them, and the plug-in must
 * register with that process's copy of the registry.
 *
 * Members are only ever added at the end of iotrap_device_model, and every one added
 * is optional; a plug-in built against a header that lacked some must be rebuilt, since
 * the loader reads the whole struct.
 */
#ifndef IOTRAP_DEVICE_H
#define IOTRAP_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <iotrap/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iotrap_device iotrap_device;

/* Ports an instance answers, as offsets from BASE: [offset, offset + count). */
typedef struct iotrap_device_window {
    uint32_t offset;
    uint32_t count;
} iotrap_device_window;

/* The most windows one instance may have. */
#define IOTRAP_DEVICE_MAX_WINDOWS 4

/* The eight lines behind one register, for traces that show signals (the VCD format):
 * a register with lines is shown as one-bit signals named after them, any other port as
 * an 8-bit bus. */
typedef struct iotrap_device_lines {
    const char *name[8]; /* bit 0 first; NULL for a bit with no line behind it */
    uint8_t invert;      /* bits whose line level is the inverse of the register bit (a
                          * line active low that the register shows active high) */
    uint8_t input;       /* 1: the device drives these lines (a status register), so the
                          * value a program writes there is not what the lines carry */
} iotrap_device_lines;

typedef struct iotrap_device_model {
    size_t size;           /* sizeof(iotrap_device_model), see iotrap/iotrap.h */
    const char *name;      /* the NAME of a "NAME@BASE[,key=value...]" spec */
    const char *summary;   /* one line for `iotrap devices` and the man page */
    uint32_t span;         /* ports from BASE; 0 when the spec gives a range (LO-HI) */
    size_t state_size;     /* shared state, see above */
    size_t config_size;    /* per-process config, zeroed before configure() */

    /* Optional.  One call per key=value option of the spec; an unknown key or bad value
     * returns IOTRAP_E_SYNTAX with a message naming it in err. */
    int (*configure)(iotrap_device *dev, const char *key, const char *value,
                     char *err, size_t errlen);
    /* Optional.  Called once per process after all options, before any access (not in a
     * signal handler): open files, check the window. */
    int (*start)(iotrap_device *dev, char *err, size_t errlen);
    /* Optional.  Puts the shared state into its power-on value; called once per board
     * by the process that creates it. */
    void (*reset)(iotrap_device *dev);
    /* Required.  `offset` is port - base. */
    uint8_t (*read)(iotrap_device *dev, uint32_t offset);
    void (*write)(iotrap_device *dev, uint32_t offset, uint8_t value);
    /* Optional.  Releases what start() acquired. */
    void (*stop)(iotrap_device *dev);
    /* Optional.  `n` byte writes of `bytes` to one port, as a REP OUTSB does; it must
     * leave the device exactly as n calls of write() would.  A model provides it where it
     * can do the string at once (a latch keeps the last byte, a transmitter emits all of
     * them in one write), so that a long string does not cost one call per byte. */
    void (*write_string)(iotrap_device *dev, uint32_t offset, const uint8_t *bytes, size_t n);

    /* Optional.  The options of a spec as a user writes them, NULL-terminated, e.g.
     * { "out=FILE", "mode=spp|epp|ecp", NULL }; shown by `iotrap devices`.  NULL: the
     * model takes none. */
    const char *const *options;
    /* Optional.  The ports this instance answers, called once per process after
     * configure() has seen every option: fills up to IOTRAP_DEVICE_MAX_WINDOWS windows
     * and returns how many (at least one), or a negative status with a message in err.
     * Absent: one window of `span` ports from BASE (or the spec's range).  `span` still
     * describes the main window in messages. */
    int (*windows)(const iotrap_device *dev, iotrap_device_window win[IOTRAP_DEVICE_MAX_WINDOWS],
                   char *err, size_t errlen);
    /* Optional.  A 2- or 4-byte access whose bytes all fall in this instance's windows,
     * at `offset` (of its first byte); without these members the board splits it into
     * byte accesses.  A model that cares only about some offsets may call its own read()
     * and write() for the others.  read_wide returns the value in its low `width` bytes. */
    uint32_t (*read_wide)(iotrap_device *dev, uint32_t offset, unsigned width);
    void (*write_wide)(iotrap_device *dev, uint32_t offset, unsigned width, uint32_t value);
    /* Optional.  The lines behind the register at `offset`, or NULL for a plain byte;
     * the table must stay valid while the model is registered.  Not called in a signal
     * handler. */
    const iotrap_device_lines *(*lines)(const iotrap_device *dev, uint32_t offset);
    /* Optional.  IOTRAP_DEVICE_* flags (below); 0 for none. */
    unsigned flags;
} iotrap_device_model;

/* iotrap_device_model.flags: read(), write(), read_wide() and write_wide() use the
 * general registers only, never an x87, MMX, SSE, AVX or opmask register.  The model is
 * compiled so (GCC and Clang: -mgeneral-regs-only, or #pragma GCC target
 * ("general-regs-only") before the first #include) and these members call no function
 * that is not: of the C library, only system call wrappers such as write() and pread(),
 * time() and clock_gettime(); not memcpy(), memset() or stdio.  A hot IN or OUT that the
 * trap engine has patched (docs/patching.md) then reaches the model without saving and
 * restoring that state around it, which costs several times the access itself.  A model
 * that says so wrongly corrupts the program's floating-point and vector registers. */
#define IOTRAP_DEVICE_GENERAL_REGS 0x1u

/* One configured instance, as seen by one process. */
struct iotrap_device {
    const iotrap_device_model *model;
    uint16_t base;         /* first port */
    uint32_t span;         /* number of ports */
    void *state;           /* model->state_size bytes in the shared board */
    void *config;          /* model->config_size bytes private to this process */
};

/* Adds a model to this process's registry.  IOTRAP_E_BUSY if the name is taken. */
IOTRAP_API int iotrap_device_register(const iotrap_device_model *model);

/* Looks a model up by name; NULL if none. */
IOTRAP_API const iotrap_device_model *iotrap_device_find(const char *name);

/* Appends bytes to a device's output file (the out=FILE option of lpt and uart):
 * async-signal-safe, one write(2) with O_APPEND, so processes sharing a board never
 * interleave inside one call.  `fd` < 0 means no output configured: the bytes are dropped. */
IOTRAP_API int iotrap_device_emit(int fd, const void *bytes, size_t len);

#ifdef __cplusplus
}
#endif

#endif
