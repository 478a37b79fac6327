/* Internal side of the device-model registry (the public side is iotrap/device.h). */
#ifndef IOTRAP_BACKENDS_DEVICES_DEVICES_H
#define IOTRAP_BACKENDS_DEVICES_DEVICES_H

#include <stddef.h>
#include <iotrap/device.h>

/* The built-in models, registered at the registry's first use.  Each says
 * IOTRAP_DEVICE_GENERAL_REGS: the library is compiled for the general registers only
 * (LIB_CFLAGS in Makefile.am), and their handlers call no C library function but system
 * call wrappers, time() and clock_gettime(). */
extern const iotrap_device_model iotrap__device_lpt;
extern const iotrap_device_model iotrap__device_uart;
extern const iotrap_device_model iotrap__device_cmos;
extern const iotrap_device_model iotrap__device_ram;
extern const iotrap_device_model iotrap__device_pit;
extern const iotrap_device_model iotrap__device_portb;
extern const iotrap_device_model iotrap__device_pci;
extern const iotrap_device_model iotrap__device_ec;
extern const iotrap_device_model iotrap__device_superio;

/* The lines behind the parallel port's data (0), status (1) and control (2) registers,
 * NULL for other offsets: the lpt model's, and those of a real port (ppdev). */
const iotrap_device_lines *iotrap__lpt_lines(uint32_t offset);

/* The 8254's counter 2 as port 0x61 sees it: its gate input and its OUT. */
void iotrap__pit_set_gate2(iotrap_device *pit, int level);
int iotrap__pit_out2(iotrap_device *pit);

/* Another device of the same board whose model is `model` (the first one), or NULL: how
 * built-in models wired together on a real board find each other (port 0x61 drives the
 * 8254's counter 2 gate and reads its output).  Not for a signal handler's first use:
 * look the peer up in start() and keep it in the config. */
iotrap_device *iotrap__device_peer(const iotrap_device *dev, const iotrap_device_model *model);

/* Loads a plug-in item (common/parse.h, iotrap__plugin_item): a file for this process's
 * bitness, or for every process, is dlopen()ed and its iotrap_device_plugin_init() run
 * (loading the same file again is harmless); a file for the other bitness is only checked
 * to be a shared object of that bitness, so that every process of a run reports it
 * alike. */
int iotrap__device_load_plugin(const char *item, char *err, size_t errlen);

/* "lpt, uart, cmos, ram, ..." in registration order, for messages. */
void iotrap__device_names(char *buf, size_t len);

/* Model at position i of the registry, NULL past the end (for `iotrap devices`). */
const iotrap_device_model *iotrap__device_at(size_t i);

/* The out=FILE option shared by lpt and uart.  The file is opened for appending in
 * start(); a process that creates a shared board truncates it first (see
 * iotrap__device_truncate_outputs). */
typedef struct iotrap__outfile {
    char path[4096];
    int fd; /* -1 when closed or not configured */
} iotrap__outfile;

int iotrap__outfile_set(iotrap__outfile *o, const char *model, const char *value, char *err,
                        size_t errlen);
int iotrap__outfile_open(iotrap__outfile *o, char *err, size_t errlen);
void iotrap__outfile_close(iotrap__outfile *o);

/* A file an option names (out=, file=): relative names are taken relative to the
 * board creator's directory (iotrap__device_base_dir) while one is set.  Returns path
 * itself or `full` holding the joined name; NULL with a message when it does not fit. */
const char *iotrap__device_path(const char *path, char *full, size_t len, char *err,
                                size_t errlen);

/* Set while this thread creates a board (iotrap_board_create): out= files opened
 * meanwhile are truncated, so each run starts with empty output files, while processes
 * that attach later (or make private boards) append.  Per thread, so that a session
 * opened by another thread at the same time is not affected. */
extern __thread int iotrap__device_truncate_outputs;

/* While a process attaches to (or creates) a shared board: the board creator's working
 * directory, against which relative out= paths are resolved, so that a process of the
 * run that changed directory still writes the file the user named.  NULL otherwise. */
extern __thread const char *iotrap__device_base_dir;

#endif
