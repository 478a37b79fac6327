/* Keeping the shim across exec: the exec functions are interposed so that a program that
 * hands its children a sanitised environment (PATH only, say, or its own list without
 * LD_PRELOAD) still runs them under the shim, on the same board, with the same policy.
 *
 * The constructor keeps the LD_PRELOAD entry that loaded this library, in the form with
 * the loader's literal $LIB, and every IOTRAP_* variable (shim/start_env.c).  An exec
 * whose environment lacks them gets them added; values the program set itself are left
 * alone.  The entry a program gets names the directory of its own class when its ELF
 * header tells it (which spares its loader the work of $LIB), else keeps $LIB, so that a
 * child of either bitness gets its own build.  Nothing here allocates on the heap (a
 * vfork child may exec), so the new environment is built on the stack.  SIGSEGV reaches the new
 * program blocked, and pending, as the old one had it (shim/sigmask.c).
 */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim/shim.h"

extern char **environ;

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);
static execve_fn real_execve, real_execvpe;
static fexecve_fn real_fexecve;
static spawn_fn real_posix_spawn, real_posix_spawnp;

void iotrap__exec_resolve(void)
{
    real_execve = (execve_fn)dlsym(RTLD_NEXT, "execve");
    real_execvpe = (execve_fn)dlsym(RTLD_NEXT, "execvpe");
    real_fexecve = (fexecve_fn)dlsym(RTLD_NEXT, "fexecve");
    real_posix_spawn = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawn");
    real_posix_spawnp = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawnp");
}

static int has_var(char *const envp[], const char *var)
{
    size_t n = strcspn(var, "=") + 1; /* the name and its '=' */
    for (char *const *e = envp; e && *e; e++)
        if (strncmp(*e, var, n) == 0)
            return 1;
    return 0;
}

/* The ELF class (1, 2) of a dynamically linked program whose file starts with the n bytes
 * at head; 0 if they do not tell: not ELF, a static program (which never loads the
 * library, and must hand on a form that serves either class), program headers further
 * in than head.  The tools read the same headers for their warnings
 * (tools/program_check.c), from a file they may seek in. */
static int dynamic_elf_class(const unsigned char *head, size_t n)
{
    if (n < EI_NIDENT || memcmp(head, ELFMAG, SELFMAG) != 0)
        return 0;
    int elf_class = head[EI_CLASS] == ELFCLASS32 ? 1 : head[EI_CLASS] == ELFCLASS64 ? 2 : 0;
    uint64_t phoff;
    uint16_t phentsize, phnum;
    if (elf_class == 2 && n >= sizeof(Elf64_Ehdr)) {
        Elf64_Ehdr eh;
        memcpy(&eh, head, sizeof eh);
        phoff = eh.e_phoff, phentsize = eh.e_phentsize, phnum = eh.e_phnum;
    } else if (elf_class == 1 && n >= sizeof(Elf32_Ehdr)) {
        Elf32_Ehdr eh;
        memcpy(&eh, head, sizeof eh);
        phoff = eh.e_phoff, phentsize = eh.e_phentsize, phnum = eh.e_phnum;
    } else {
        return 0;
    }
    if (phoff > n)
        return 0;
    /* p_type is the first word of a program header in both classes. */
    for (uint64_t i = 0; i < phnum; i++) {
        uint64_t at = phoff + i * phentsize;
        uint32_t type;
        if (phentsize < sizeof type || at > n - sizeof type)
            return 0;
        memcpy(&type, head + at, sizeof type);
        if (type == PT_INTERP)
            return elf_class;
    }
    return 0;
}

/* The ELF class of the program at `path`, if it loads the library (dynamic_elf_class);
 * 0 if no entry was kept to name the library by.  A regular file only (opening a FIFO
 * would wait for a writer), without becoming a controlling terminal; system calls only,
 * errno kept: an exec may come from a vfork child or a signal handler. */
static int elf_class_of(const char *path)
{
    if (!iotrap__start_preload())
        return 0;
    int saved = errno, elf_class = 0;
    struct stat st;
    if (fstatat(AT_FDCWD, path, &st, 0) == 0 && S_ISREG(st.st_mode)) {
        int fd = (int)syscall(SYS_openat, AT_FDCWD, path,
                              O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0) {
            unsigned char head[1024];
            long n = syscall(SYS_read, fd, head, sizeof head);
            syscall(SYS_close, fd);
            elf_class = n > 0 ? dynamic_elf_class(head, (size_t)n) : 0;
        }
    }
    errno = saved;
    return elf_class;
}

/* The same for a file that execvp() and posix_spawnp() look up in $PATH: known only when
 * the name is a path. */
static int elf_class_of_file(const char *file)
{
    return strchr(file, '/') ? elf_class_of(file) : 0;
}

/* How many pointers and bytes the fixed environment needs (an upper bound). */
static void fixed_size(char *const envp[], const char *ours, size_t *ptrs, size_t *bytes)
{
    size_t kept_count, n = 0;
    iotrap__start_vars(&kept_count);
    for (char *const *e = envp; e && *e; e++)
        n++;
    *ptrs = n + kept_count + 2;
    *bytes = (ours ? strlen(ours) : 0) + 16;
    for (char *const *e = envp; e && *e; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) == 0)
            *bytes += strlen(*e);
}

/* Fills out[] (ptrs entries) with envp plus what the shim needs, with `ours` as the
 * library's LD_PRELOAD entry; buf holds a new LD_PRELOAD string.  Returns out, or envp
 * itself when nothing is missing. */
static char *const *fix_env(char *const envp[], const char *ours, char **out, char *buf)
{
    static char *const empty[] = {NULL};
    if (!envp)
        envp = empty;
    size_t kept_count;
    char *const *kept_vars = iotrap__start_vars(&kept_count);
    size_t n = 0;
    int preload_seen = 0, changed = 0;
    for (char *const *e = envp; *e; e++) {
        if (ours && !preload_seen && strncmp(*e, "LD_PRELOAD=", 11) == 0) {
            size_t len;
            preload_seen = 1;
            const char *entry = iotrap__preload_entry(*e + 11, &len);
            if (!entry) {
                /* Ours first, as `iotrap run` puts it. */
                strcpy(buf, "LD_PRELOAD=");
                strcat(buf, ours);
                if ((*e)[11]) {
                    strcat(buf, ":");
                    strcat(buf, *e + 11);
                }
                out[n++] = buf;
                changed = 1;
                continue;
            }
            if ((len != strlen(ours) || strncmp(entry, ours, len) != 0) &&
                iotrap__start_preload_is_kept(entry, len)) {
                /* Ours, through "$LIB" or another class's directory: the program's own. */
                size_t before = (size_t)(entry - *e);
                memcpy(buf, *e, before);
                strcpy(buf + before, ours);
                strcat(buf, entry + len);
                out[n++] = buf;
                changed = 1;
                continue;
            }
        }
        out[n++] = *e;
    }
    if (ours && !preload_seen) {
        strcpy(buf, "LD_PRELOAD=");
        strcat(buf, ours);
        out[n++] = buf;
        changed = 1;
    }
    for (size_t i = 0; i < kept_count; i++) {
        if (!has_var(envp, kept_vars[i])) {
            out[n++] = kept_vars[i];
            changed = 1;
        }
    }
    out[n] = NULL;
    return changed ? out : envp;
}

/* Declares the stack buffers for envp's fixed copy, for a program of ELF class elf_class
 * (0: unknown), and sets `fixed`. */
#define FIX_ENV(envp, fixed, elf_class)                                                \
    const char *fix_kept_ = iotrap__start_preload();                                   \
    char fix_ours_[fix_kept_ ? strlen(fix_kept_) + 8 : 1];                             \
    const char *fix_preload_ =                                                         \
        iotrap__start_preload_for((elf_class), fix_ours_, sizeof fix_ours_);           \
    size_t fix_ptrs_, fix_bytes_;                                                      \
    fixed_size((envp), fix_preload_, &fix_ptrs_, &fix_bytes_);                         \
    char *fix_out_[fix_ptrs_];                                                         \
    char fix_buf_[fix_bytes_];                                                         \
    char *const *fixed = fix_env((envp), fix_preload_, fix_out_, fix_buf_)

/* Calls `call` with SIGSEGV blocked in the kernel as the program has it (and, for an exec,
 * the held ones pending there), see shim/sigmask.c. */
/* The next definition, looked up at the first call unless the program's first signal
 * handler had it looked up (shim.h, iotrap__shim_resolve_all). */
#define NEXT(fn) ((fn) ? (fn) : (iotrap__exec_resolve(), (fn)))

#define WITH_SIGSEGV_MASK(pending, call)                                               \
    do {                                                                               \
        sigset_t mask_;                                                                \
        bool changed_ = iotrap__sigmask_exec_begin(&mask_, (pending));                 \
        int rc_ = (call);                                                              \
        if (changed_)                                                                  \
            iotrap__sigmask_exec_end(&mask_);                                          \
        return rc_;                                                                    \
    } while (0)

IOTRAP__EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    FIX_ENV(envp, env, elf_class_of(path));
    WITH_SIGSEGV_MASK(true, NEXT(real_execve)(path, argv, env));
}

IOTRAP__EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    FIX_ENV(envp, env, elf_class_of_file(file));
    WITH_SIGSEGV_MASK(true, NEXT(real_execvpe)(file, argv, env));
}

IOTRAP__EXPORT int execv(const char *path, char *const argv[])
{
    return execve(path, argv, environ);
}

IOTRAP__EXPORT int execvp(const char *file, char *const argv[])
{
    return execvpe(file, argv, environ);
}

IOTRAP__EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    /* The descriptor may be O_PATH, and reading it would move its offset: "$LIB". */
    FIX_ENV(envp, env, 0);
    WITH_SIGSEGV_MASK(true, NEXT(real_fexecve)(fd, argv, env));
}

IOTRAP__EXPORT int posix_spawn(pid_t *pid, const char *path,
                               const posix_spawn_file_actions_t *actions,
                               const posix_spawnattr_t *attr, char *const argv[],
                               char *const envp[])
{
    /* A relative path is the child's, after file actions that may change its directory. */
    FIX_ENV(envp, env, path[0] == '/' || !actions ? elf_class_of(path) : 0);
    WITH_SIGSEGV_MASK(false, NEXT(real_posix_spawn)(pid, path, actions, attr, argv, env));
}

IOTRAP__EXPORT int posix_spawnp(pid_t *pid, const char *file,
                                const posix_spawn_file_actions_t *actions,
                                const posix_spawnattr_t *attr, char *const argv[],
                                char *const envp[])
{
    FIX_ENV(envp, env, file[0] == '/' || !actions ? elf_class_of_file(file) : 0);
    WITH_SIGSEGV_MASK(false, NEXT(real_posix_spawnp)(pid, file, actions, attr, argv, env));
}

/* execl, execle, execlp: the argument list gathered into an array on the stack. */
#define GATHER_ARGS(arg0, ap, argv)                                                    \
    size_t argc_ = 1;                                                                  \
    va_start(ap, arg0);                                                                \
    while (va_arg(ap, const char *))                                                   \
        argc_++;                                                                       \
    va_end(ap);                                                                        \
    char *argv[argc_ + 1];                                                             \
    argv[0] = (char *)(arg0);                                                          \
    va_start(ap, arg0);                                                                \
    for (size_t i_ = 1; i_ <= argc_; i_++)                                             \
        argv[i_] = va_arg(ap, char *)

IOTRAP__EXPORT int execl(const char *path, const char *arg0, ...)
{
    va_list ap;
    GATHER_ARGS(arg0, ap, argv);
    va_end(ap);
    return execve(path, argv, environ);
}

IOTRAP__EXPORT int execlp(const char *file, const char *arg0, ...)
{
    va_list ap;
    GATHER_ARGS(arg0, ap, argv);
    va_end(ap);
    return execvpe(file, argv, environ);
}

IOTRAP__EXPORT int execle(const char *path, const char *arg0, ...)
{
    va_list ap;
    GATHER_ARGS(arg0, ap, argv);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(path, argv, envp);
}
