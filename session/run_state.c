/* The run state file, see run_state.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <iotrap/status.h>
#include "common/map.h"
#include "common/parse.h"
#include "common/rundir.h"
#include "session/run_state.h"

_Static_assert(sizeof(struct iotrap__run_hdr) == 64, "run state layout must not depend on ABI");
_Static_assert(sizeof(struct iotrap__run_port) == 12, "run state layout must not depend on ABI");

static size_t file_size(bool summary)
{
    return sizeof(struct iotrap__run_hdr) +
           (summary ? 65536 * sizeof(struct iotrap__run_port) : 0);
}

static int map_fd(iotrap__run_state *rs, int fd, size_t size, const char *path, char *err,
                  size_t errlen)
{
    void *m = iotrap__map(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot map the run state \"%s\": %s",
                           path, strerror(errno));
    rs->hdr = m;
    rs->size = size;
    rs->ports = NULL;
    if (size > sizeof(struct iotrap__run_hdr))
        rs->ports = (struct iotrap__run_port *)(rs->hdr + 1);
    return IOTRAP_OK;
}

int iotrap__run_state_create(iotrap__run_state *rs, bool summary, char *path, size_t pathlen,
                             char *err, size_t errlen)
{
    memset(rs, 0, sizeof(*rs));
    int fd = iotrap__rundir_create("run", path, pathlen, err, errlen);
    if (fd < 0)
        return fd;
    size_t size = file_size(summary);
    int rc;
    if (ftruncate(fd, (off_t)size) != 0) {
        rc = iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot size the run state \"%s\": %s",
                         path, strerror(errno));
    } else {
        rc = map_fd(rs, fd, size, path, err, errlen);
    }
    close(fd);
    if (rc != IOTRAP_OK) {
        iotrap__rundir_remove(path);
        return rc;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    memcpy(rs->hdr->magic, IOTRAP__RUN_MAGIC, 8);
    rs->hdr->summary = summary;
    rs->hdr->start_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    __atomic_store_n(&rs->hdr->version, IOTRAP__RUN_VERSION, __ATOMIC_RELEASE);
    return IOTRAP_OK;
}

int iotrap__run_state_attach(iotrap__run_state *rs, const char *path, char *err,
                             size_t errlen)
{
    memset(rs, 0, sizeof(*rs));
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot open the run state \"%s\": %s",
                           path, strerror(errno));
    struct stat st;
    struct iotrap__run_hdr h;
    int rc = IOTRAP_OK;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
        memcmp(h.magic, IOTRAP__RUN_MAGIC, 8) != 0 || h.version != IOTRAP__RUN_VERSION ||
        (uint64_t)st.st_size != file_size(h.summary != 0))
        rc = iotrap__err(err, errlen, IOTRAP_E_INVAL,
                         "\"%s\" is not a run state of this version of iotrap (IOTRAP_RUN)", path);
    else
        rc = map_fd(rs, fd, (size_t)st.st_size, path, err, errlen);
    close(fd);
    return rc;
}

void iotrap__run_state_detach(iotrap__run_state *rs)
{
    if (rs->hdr)
        iotrap__unmap(rs->hdr, rs->size);
    memset(rs, 0, sizeof(*rs));
}

void iotrap__run_state_remove(const char *path)
{
    iotrap__rundir_remove(path);
}
