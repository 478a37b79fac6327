/* The device-model registry, plug-in loading and output files. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "backends/devices/devices.h"
#include "common/parse.h"
#include "common/structsize.h"
#include "common/userfile.h"

#define MAX_MODELS 64

static const iotrap_device_model *models[MAX_MODELS];
static size_t nmodels;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t builtins_once = PTHREAD_ONCE_INIT;

__thread int iotrap__device_truncate_outputs;
__thread const char *iotrap__device_base_dir;

static int add_locked(const iotrap_device_model *m)
{
    for (size_t i = 0; i < nmodels; i++) {
        if (models[i] == m)
            return IOTRAP_OK; /* the same plug-in loaded twice */
        if (strcmp(models[i]->name, m->name) == 0)
            return IOTRAP_E_BUSY;
    }
    if (nmodels == MAX_MODELS)
        return IOTRAP_E_NOMEM;
    models[nmodels++] = m;
    return IOTRAP_OK;
}

static void register_builtins(void)
{
    pthread_mutex_lock(&registry_lock);
    add_locked(&iotrap__device_lpt);
    add_locked(&iotrap__device_uart);
    add_locked(&iotrap__device_cmos);
    add_locked(&iotrap__device_ram);
    add_locked(&iotrap__device_pit);
    add_locked(&iotrap__device_portb);
    add_locked(&iotrap__device_pci);
    add_locked(&iotrap__device_ec);
    add_locked(&iotrap__device_superio);
    pthread_mutex_unlock(&registry_lock);
}

int iotrap_device_register(const iotrap_device_model *model)
{
    if (!model)
        return IOTRAP_E_INVAL;
    int rc = iotrap__struct_size_check(model, sizeof *model);
    if (rc != IOTRAP_OK)
        return rc;
    if (!model->name || !*model->name || !model->read || !model->write ||
        strchr(model->name, '@') || strchr(model->name, ',') || strlen(model->name) >= 32)
        return IOTRAP_E_INVAL;
    pthread_once(&builtins_once, register_builtins);
    pthread_mutex_lock(&registry_lock);
    rc = add_locked(model);
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

const iotrap_device_model *iotrap_device_find(const char *name)
{
    if (!name)
        return NULL;
    pthread_once(&builtins_once, register_builtins);
    const iotrap_device_model *found = NULL;
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < nmodels && !found; i++)
        if (strcmp(models[i]->name, name) == 0)
            found = models[i];
    pthread_mutex_unlock(&registry_lock);
    return found;
}

const iotrap_device_model *iotrap__device_at(size_t i)
{
    pthread_once(&builtins_once, register_builtins);
    pthread_mutex_lock(&registry_lock);
    const iotrap_device_model *m = i < nmodels ? models[i] : NULL;
    pthread_mutex_unlock(&registry_lock);
    return m;
}

void iotrap__device_names(char *buf, size_t len)
{
    size_t used = 0;
    if (!len)
        return;
    buf[0] = '\0';
    for (size_t i = 0;; i++) {
        const iotrap_device_model *m = iotrap__device_at(i);
        if (!m)
            break;
        size_t n = strlen(m->name);
        if (used + n + 3 > len)
            break;
        if (i) {
            memcpy(buf + used, ", ", 2);
            used += 2;
        }
        memcpy(buf + used, m->name, n);
        used += n;
        buf[used] = '\0';
    }
}

/* The bitness (32 or 64) of an x86 ELF shared object, 0 if it is some other file, or a
 * negative status with a message when it cannot be read. */
static int elf_bits(const char *path, const char *item, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return iotrap__err(err, errlen, IOTRAP_E_NODEV, "cannot load device plug-in \"%s\": %s",
                           item, strerror(errno));
    unsigned char h[20];
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n != (ssize_t)sizeof h || memcmp(h, "\177ELF", 4) != 0 || h[5] != 1 ||
        (h[16] | h[17] << 8) != 3 /* ET_DYN */)
        return 0;
    unsigned machine = h[18] | h[19] << 8;
    if (h[4] == 1 && machine == 3)
        return 32; /* ELFCLASS32, EM_386 */
    if (h[4] == 2 && machine == 62)
        return 64; /* ELFCLASS64, EM_X86_64 */
    return 0;
}

int iotrap__device_load_plugin(const char *item, char *err, size_t errlen)
{
    const char *path;
    int for_bits = item ? iotrap__plugin_item(item, &path) : 0;
    if (!item || !*path)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "empty device plug-in path%s%s",
                           item && *item ? " in " : "", item && *item ? item : "");
    /* A bare file name would make dlopen search the library path; a plug-in is a file. */
    char buf[4096];
    const char *p = path;
    if (!strchr(path, '/')) {
        if (strlen(path) + 3 > sizeof(buf))
            return iotrap__err(err, errlen, IOTRAP_E_INVAL, "device plug-in path too long");
        buf[0] = '.';
        buf[1] = '/';
        strcpy(buf + 2, path);
        p = buf;
    }
    const int my_bits = (int)sizeof(void *) * 8;
    int bits = elf_bits(p, item, err, errlen);
    if (bits < 0)
        return bits;
    if (for_bits && for_bits != my_bits) {
        if (bits != for_bits)
            return iotrap__err(err, errlen, IOTRAP_E_NODEV,
                               "device plug-in \"%s\" is not a %d-bit x86 shared object", item,
                               for_bits);
        return IOTRAP_OK; /* the other bitness's processes load it */
    }
    if (bits && bits != my_bits)
        return iotrap__err(err, errlen, IOTRAP_E_NODEV,
                           "device plug-in \"%s\" is a %d-bit shared object and this is a %d-bit "
                           "process: give one file per bitness, --device-plugin i386=FILE and "
                           "--device-plugin x86_64=FILE (IOTRAP_DEVICE_PLUGINS=i386=FILE:"
                           "x86_64=FILE)", item, bits, my_bits);
    void *h = dlopen(p, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return iotrap__err(err, errlen, IOTRAP_E_NODEV, "cannot load device plug-in \"%s\": %s",
                           item, why ? why : "unknown error");
    }
    int (*init)(void);
    *(void **)&init = dlsym(h, "iotrap_device_plugin_init");
    if (!init) {
        dlclose(h);
        return iotrap__err(err, errlen, IOTRAP_E_NODEV,
                           "device plug-in \"%s\" has no iotrap_device_plugin_init()", item);
    }
    /* The handle stays open for good: the registry points into the plug-in. */
    int rc = init();
    if (rc != IOTRAP_OK)
        return iotrap__err(err, errlen, rc < 0 ? rc : IOTRAP_E_NODEV,
                           "device plug-in \"%s\": iotrap_device_plugin_init() failed: %s", item,
                           iotrap_strerror(rc));
    return IOTRAP_OK;
}

int iotrap_device_emit(int fd, const void *bytes, size_t len)
{
    if (fd < 0 || len == 0)
        return IOTRAP_OK;
    int saved = errno;
    const char *p = bytes;
    int rc = IOTRAP_OK;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = IOTRAP_E_IO;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    errno = saved;
    return rc;
}

int iotrap__outfile_set(iotrap__outfile *o, const char *model, const char *value, char *err,
                        size_t errlen)
{
    if (!*value)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "option \"out\" for %s needs a file name",
                           model);
    if (strlen(value) >= sizeof(o->path))
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "option \"out\" for %s: path too long",
                           model);
    strcpy(o->path, value);
    return IOTRAP_OK;
}

const char *iotrap__device_path(const char *path, char *full, size_t len, char *err,
                                size_t errlen)
{
    if (path[0] == '/' || !iotrap__device_base_dir)
        return path;
    if ((size_t)snprintf(full, len, "%s/%s", iotrap__device_base_dir, path) >= len) {
        iotrap__err(err, errlen, IOTRAP_E_RANGE, "file \"%s\" in \"%s\": path too long", path,
                    iotrap__device_base_dir);
        return NULL;
    }
    return full;
}

int iotrap__outfile_open(iotrap__outfile *o, char *err, size_t errlen)
{
    o->fd = -1;
    if (!o->path[0])
        return IOTRAP_OK;
    int flags = O_WRONLY | O_CREAT | O_APPEND;
    if (iotrap__device_truncate_outputs)
        flags |= O_TRUNC;
    char full[sizeof(o->path) + 1];
    const char *path = iotrap__device_path(o->path, full, sizeof full, err, errlen);
    if (!path)
        return IOTRAP_E_RANGE;
    /* A file that cannot be opened is a bad option value, like an unknown one. */
    int fd = iotrap__userfile_open("output file", path, flags, err, errlen);
    if (fd < 0)
        return fd;
    o->fd = fd;
    return IOTRAP_OK;
}

void iotrap__outfile_close(iotrap__outfile *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
}
