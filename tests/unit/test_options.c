/* `iotrap run` option parsing, the environment it becomes, the LD_PRELOAD value, and the
 * checks made on the program before it starts. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "tools/preload_env.h"
#include "tools/program_check.h"
#include "tools/run_options.h"

static char err[1024];

/* Parses a NULL-terminated list (without the leading "run"). */
#define PARSE(o, ...)                                                                       \
    ({                                                                                      \
        static char *args_[] = { "run", __VA_ARGS__, NULL };                                \
        err[0] = '\0';                                                                      \
        iotrap__run_parse((int)(sizeof(args_) / sizeof(args_[0])) - 1, args_, 1, (o), err,     \
                          sizeof(err));                                                     \
    })

static void expect_error(int rc, const char *fragment)
{
    assert_int_equal(rc, -1);
    if (!strstr(err, fragment))
        fail_msg("message '%s' does not contain '%s'", err, fragment);
}

static void t_all_options(void **state)
{
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--backend", "sim", "--allow", "0x378-0x37f,0x3f8",
                           "--device", "lpt@0x378", "--device=uart@0x3f8,out=u.txt",
                           "--device-plugin", "p1.so", "--device-plugin=/abs/p2.so",
                           "--trace", "t.log", "--trace-format=jsonl", "-q", "--", "prog", "-x",
                           "y"), 0);
    assert_string_equal(o.backend, "sim");
    assert_string_equal(o.allow, "0x378-0x37f,0x3f8");
    assert_int_equal(o.ndevices, 2);
    assert_string_equal(o.devices[0], "lpt@0x378");
    assert_string_equal(o.devices[1], "uart@0x3f8,out=u.txt");
    assert_null(o.devices[2]);
    assert_int_equal(o.nplugins, 2);
    assert_string_equal(o.plugins[1], "/abs/p2.so");
    assert_string_equal(o.trace, "t.log");
    assert_string_equal(o.trace_format, "jsonl");
    assert_int_equal(o.quiet, 1);
    assert_string_equal(o.program[0], "prog");
    assert_string_equal(o.program[1], "-x");
    assert_string_equal(o.program[2], "y");
    assert_null(o.program[3]);
    iotrap__run_options_free(&o);
}

static void t_program_ends_options(void **state)
{
    /* Everything after the program's name belongs to the program, options included. */
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--quiet", "prog", "--backend", "x"), 0);
    assert_null(o.backend);
    assert_string_equal(o.program[0], "prog");
    assert_string_equal(o.program[1], "--backend");
    iotrap__run_options_free(&o);
}

static void t_double_dash_program(void **state)
{
    /* After "--" even a name that looks like an option is the program. */
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--", "--backend"), 0);
    assert_null(o.backend);
    assert_string_equal(o.program[0], "--backend");
    iotrap__run_options_free(&o);
}

static void t_help_needs_no_program(void **state)
{
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--help"), 0);
    assert_int_equal(o.help, 1);
    iotrap__run_options_free(&o);
    assert_int_equal(PARSE(&o, "-h"), 0);
    assert_int_equal(o.help, 1);
    iotrap__run_options_free(&o);
}

static void t_err_unknown_long(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--backnd", "sim", "prog"), "unknown option '--backnd'");
}

static void t_err_unknown_short(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "-x", "prog"), "unknown option '-x'");
    expect_error(PARSE(&o, "-qq", "prog"), "unknown option '-qq'");
}

static void t_err_missing_value(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--backend"), "option '--backend' needs a value (NAME[:ARGS])");
}

static void t_missing_value_is_reported_not_program(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--device"), "option '--device' needs a value (SPEC)");
    expect_error(PARSE(&o, "--trace"), "option '--trace' needs a value (FILE|-)");
    expect_error(PARSE(&o, "--allow", "--", "prog"), "option '--allow' needs a value (PORTS)");
}

static void t_err_empty_value(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--allow=", "prog"),
                 "option '--allow' has an empty value (expected PORTS)");
    expect_error(PARSE(&o, "--device", "", "prog"), "option '--device' has an empty value");
}

static void t_err_twice(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--backend", "sim", "--backend=direct", "prog"),
                 "option '--backend' given twice ('sim' and 'direct')");
    expect_error(PARSE(&o, "--allow", "0x80", "--allow", "0x81", "prog"),
                 "option '--allow' given twice");
    expect_error(PARSE(&o, "--trace", "a", "--trace", "b", "prog"),
                 "option '--trace' given twice");
}

static void t_err_trace_format(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--trace-format", "xml", "prog"),
                 "bad value 'xml' for '--trace-format': use text, jsonl or vcd");
}

static void t_err_patch(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--patch=always", "prog"),
                 "bad value 'always' for '--patch': use auto, on or off");
    expect_error(PARSE(&o, "--patch", "on", "--patch", "off", "prog"),
                 "option '--patch' given twice");
}

static void t_err_flag_with_value(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--quiet=1", "prog"), "option '--quiet' takes no value");
}

static void t_err_no_program(void **state)
{
    iotrap__run_options o;
    expect_error(PARSE(&o, "--quiet"), "no program given");
    expect_error(PARSE(&o, "--quiet", "--"), "no program given");
    expect_error(PARSE(&o, "--", ""), "the program name is empty");
}

/* ---- Environment mapping ------------------------------------------------------------ */

static const char *var(iotrap__env_var *v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return v[i].value;
    return NULL;
}

static void t_env_all(void **state)
{
    char cwd[PATH_MAX], want[PATH_MAX * 2 + 16];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--backend", "sim:seed=1", "--allow", "0x378-0x37f,0x3f8",
                           "--device", "lpt@0x378", "--device", "ram@0x80",
                           "--device-plugin", "p1.so", "--device-plugin", "/abs/p2.so",
                           "--trace", "t.log", "--trace-format", "jsonl", "--patch", "off",
                           "--quiet", "prog"),
                     0);
    iotrap__env_var v[IOTRAP__RUN_ENV_MAX];
    int n = iotrap__run_env(&o, v, err, sizeof(err));
    assert_int_equal(n, 8);
    assert_string_equal(var(v, n, "IOTRAP_BACKEND"), "sim:seed=1");
    assert_string_equal(var(v, n, "IOTRAP_ALLOW"), "0x378-0x37f,0x3f8");
    assert_string_equal(var(v, n, "IOTRAP_DEVICES"), "lpt@0x378;ram@0x80");
    snprintf(want, sizeof(want), "%s/p1.so:/abs/p2.so", cwd);
    assert_string_equal(var(v, n, "IOTRAP_DEVICE_PLUGINS"), want);
    snprintf(want, sizeof(want), "%s/t.log", cwd);
    assert_string_equal(var(v, n, "IOTRAP_TRACE"), want);
    assert_string_equal(var(v, n, "IOTRAP_TRACE_FORMAT"), "jsonl");
    assert_string_equal(var(v, n, "IOTRAP_PATCH"), "off");
    assert_string_equal(var(v, n, "IOTRAP_QUIET"), "1");
    iotrap__run_env_free(v, n);
    iotrap__run_options_free(&o);
}

/* The trace's filter and limit, and --summary, become their variables; a bad size is
 * refused by the one size parser, naming it. */
static void t_env_trace_options(void **state)
{
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--trace-ports", "0x378-0x37a", "--trace-max", "10M",
                           "--summary", "--trace-format=vcd", "prog"), 0);
    iotrap__env_var v[IOTRAP__RUN_ENV_MAX];
    int n = iotrap__run_env(&o, v, err, sizeof(err));
    assert_int_equal(n, 4);
    assert_string_equal(var(v, n, "IOTRAP_TRACE_PORTS"), "0x378-0x37a");
    assert_string_equal(var(v, n, "IOTRAP_TRACE_MAX"), "10M");
    assert_string_equal(var(v, n, "IOTRAP_SUMMARY"), "1");
    assert_string_equal(var(v, n, "IOTRAP_TRACE_FORMAT"), "vcd");
    iotrap__run_env_free(v, n);
    iotrap__run_options_free(&o);
    assert_int_equal(PARSE(&o, "--trace-max", "10Q", "prog"), -1);
    assert_string_equal(err, "bad value for '--trace-max': bad size \"10Q\" (a number of bytes "
                             "from 1, or with k, M or G)");
    assert_int_equal(PARSE(&o, "--trace-max", "0", "prog"), -1);
    assert_int_equal(PARSE(&o, "--summary=yes", "prog"), -1);
    assert_string_equal(err, "option '--summary' takes no value");
}

/* Plug-in files are made absolute, one-per-bitness items keeping their architecture, and
 * "./" dropped. */
static void t_env_plugin_items(void **state)
{
    char cwd[PATH_MAX], want[PATH_MAX * 3 + 64];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--device-plugin", "i386=./c32.so", "--device-plugin",
                           "x86_64=/abs/c64.so", "--device-plugin", "./i386=odd.so", "prog"), 0);
    iotrap__env_var v[IOTRAP__RUN_ENV_MAX];
    int n = iotrap__run_env(&o, v, err, sizeof(err));
    assert_int_equal(n, 1);
    snprintf(want, sizeof(want), "i386=%s/c32.so:x86_64=/abs/c64.so:%s/i386=odd.so", cwd, cwd);
    assert_string_equal(var(v, n, "IOTRAP_DEVICE_PLUGINS"), want);
    iotrap__run_env_free(v, n);
    iotrap__run_options_free(&o);
}

static void t_env_none(void **state)
{
    /* Options not given leave the inherited environment alone. */
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "prog"), 0);
    iotrap__env_var v[IOTRAP__RUN_ENV_MAX];
    assert_int_equal(iotrap__run_env(&o, v, err, sizeof(err)), 0);
    iotrap__run_options_free(&o);
}

static void t_env_trace_stderr(void **state)
{
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--trace", "-", "prog"), 0);
    iotrap__env_var v[IOTRAP__RUN_ENV_MAX];
    int n = iotrap__run_env(&o, v, err, sizeof(err));
    assert_int_equal(n, 1);
    assert_string_equal(var(v, n, "IOTRAP_TRACE"), "-");
    iotrap__run_env_free(v, n);
    iotrap__run_options_free(&o);
}

static void t_env_err_device_separator(void **state)
{
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--device", "lpt@0x378;uart@0x3f8", "prog"), 0);
    iotrap__env_var v[IOTRAP__RUN_ENV_MAX];
    expect_error(iotrap__run_env(&o, v, err, sizeof(err)),
                 "device spec 'lpt@0x378;uart@0x3f8' contains ';'");
    assert_non_null(strstr(err, "'--device'"));
    iotrap__run_options_free(&o);
}

static void t_env_err_plugin_separator(void **state)
{
    iotrap__run_options o;
    assert_int_equal(PARSE(&o, "--device-plugin", "/a:b.so", "prog"), 0);
    iotrap__env_var v[IOTRAP__RUN_ENV_MAX];
    expect_error(iotrap__run_env(&o, v, err, sizeof(err)),
                 "plug-in path '/a:b.so' contains ':'");
    iotrap__run_options_free(&o);
}

/* ---- LD_PRELOAD ---------------------------------------------------------------------- */

/* A preload directory with the 64-bit library only, as a build without -m32 has it. */
static char *preload_dir_64(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/iotrap-preload-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/x86_64", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/x86_64/libiotrap-preload.so", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    return dir;
}

static void remove_preload_dir_64(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/x86_64/libiotrap-preload.so", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/x86_64", dir);
    rmdir(path);
    rmdir(dir);
}

static void t_preload_alone(void **state)
{
    char *p = iotrap__preload_env("/usr/lib/iotrap/preload/", NULL, 0, err, sizeof(err));
    assert_non_null(p);
    /* A program of unknown class: $LIB stays literal, the loader expands it per process. */
    assert_string_equal(p, "/usr/lib/iotrap/preload/$LIB/libiotrap-preload.so");
    free(p);

    /* A program of known class: its own directory, no work for the loader; unless that
     * class's library is not there. */
    char dir[64], want[128];
    preload_dir_64(dir, sizeof(dir));
    p = iotrap__preload_env(dir, NULL, 2, err, sizeof(err));
    snprintf(want, sizeof(want), "%s/x86_64/libiotrap-preload.so", dir);
    assert_string_equal(p, want);
    free(p);
    p = iotrap__preload_env(dir, NULL, 1, err, sizeof(err));
    snprintf(want, sizeof(want), "%s/$LIB/libiotrap-preload.so", dir);
    assert_string_equal(p, want);
    free(p);
    remove_preload_dir_64(dir);
}

static void t_preload_prepended_once(void **state)
{
    char *p = iotrap__preload_env("/d", "/x/a.so /d/$LIB/libiotrap-preload.so:/y/b.so", 0, err,
                                  sizeof(err));
    assert_non_null(p);
    assert_string_equal(p, "/d/$LIB/libiotrap-preload.so:/x/a.so:/y/b.so");
    free(p);
    /* The library's entries in any form and directory go: it is loaded once. */
    p = iotrap__preload_env("/d", "/e/i386/libiotrap-preload.so /x/a.so:libiotrap-preload.so", 2,
                            err, sizeof(err));
    assert_string_equal(p, "/d/$LIB/libiotrap-preload.so:/x/a.so");
    free(p);
}

static void t_preload_err_separator_in_dir(void **state)
{
    assert_null(iotrap__preload_env("/opt/my dir", NULL, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "'/opt/my dir' contains a space or ':'"));
    assert_null(iotrap__preload_env("/a:b", NULL, 2, err, sizeof(err)));
    assert_non_null(strstr(err, "'/a:b'"));
}

static void t_preload_dir_env(void **state)
{
    setenv("IOTRAP_PRELOAD_DIR", "/somewhere", 1);
    assert_string_equal(iotrap__preload_dir(), "/somewhere");
    setenv("IOTRAP_PRELOAD_DIR", "", 1);
    assert_string_equal(iotrap__preload_dir(), IOTRAP_PKGLIBDIR "/preload");
    unsetenv("IOTRAP_PRELOAD_DIR");
    assert_string_equal(iotrap__preload_dir(), IOTRAP_PKGLIBDIR "/preload");
    assert_string_equal(iotrap__preload_arch(1), "i386");
    assert_string_equal(iotrap__preload_arch(2), "x86_64");
    assert_null(iotrap__preload_arch(0));
}

/* ---- Finding and inspecting the program -------------------------------------------- */

#define TMPDIR_TEMPLATE "/tmp/iotrap-test-options-XXXXXX"
static char tmpdir[sizeof(TMPDIR_TEMPLATE)];

static int make_tmpdir(void **state)
{
    memcpy(tmpdir, TMPDIR_TEMPLATE, sizeof(TMPDIR_TEMPLATE));
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

/* A minimal ELF64 executable header with one program header, PT_INTERP or PT_LOAD. */
static void write_elf64(const char *path, int with_interp)
{
    struct { Elf64_Ehdr eh; Elf64_Phdr ph; } f;
    memset(&f, 0, sizeof(f));
    memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
    f.eh.e_ident[EI_CLASS] = ELFCLASS64;
    f.eh.e_ident[EI_DATA] = ELFDATA2LSB;
    f.eh.e_ident[EI_VERSION] = EV_CURRENT;
    f.eh.e_type = ET_EXEC;
    f.eh.e_machine = EM_X86_64;
    f.eh.e_phoff = sizeof(Elf64_Ehdr);
    f.eh.e_phentsize = sizeof(Elf64_Phdr);
    f.eh.e_phnum = 1;
    f.ph.p_type = with_interp ? PT_INTERP : PT_LOAD;
    write_file(path, &f, sizeof(f), 0755);
}

static void t_find_in_path(void **state)
{
    char path[PATH_MAX], dir2[128], p[PATH_MAX], pathvar[256];
    snprintf(dir2, sizeof(dir2), "%s/bin2", tmpdir);
    mkdir(dir2, 0755);
    snprintf(p, sizeof(p), "%s/tool", dir2);
    write_file(p, "#!/bin/sh\n", 10, 0755);
    snprintf(p, sizeof(p), "%s/plain", dir2);
    write_file(p, "x", 1, 0644);
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    snprintf(pathvar, sizeof(pathvar), "/nonexistent:%s", dir2);
    setenv("PATH", pathvar, 1);

    assert_int_equal(iotrap__find_program("tool", path, sizeof(path)), 0);
    snprintf(p, sizeof(p), "%s/tool", dir2);
    assert_string_equal(path, p);
    assert_int_equal(iotrap__find_program("no-such-tool", path, sizeof(path)), ENOENT);
    /* Found but not executable: 126 rather than 127, as a shell says. */
    assert_int_equal(iotrap__find_program("plain", path, sizeof(path)), EACCES);

    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
}

static void t_find_with_slash(void **state)
{
    char path[PATH_MAX], p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/nothere", tmpdir);
    assert_int_equal(iotrap__find_program(p, path, sizeof(path)), ENOENT);
    /* A directory is not a program. */
    assert_int_equal(iotrap__find_program(tmpdir, path, sizeof(path)), EACCES);
    snprintf(p, sizeof(p), "%s/dyn", tmpdir);
    write_elf64(p, 1);
    assert_int_equal(iotrap__find_program(p, path, sizeof(path)), 0);
    assert_string_equal(path, p);
}

static void t_inspect_dynamic_and_static(void **state)
{
    char p[PATH_MAX];
    iotrap__program_info info;
    snprintf(p, sizeof(p), "%s/dyn", tmpdir);
    write_elf64(p, 1);
    assert_int_equal(iotrap__inspect_program(p, &info), 0);
    assert_int_equal(info.elf_class, 2);
    assert_int_equal(info.elf_machine, EM_X86_64);
    assert_int_equal(info.dynamic, 1);
    assert_int_equal(info.secure, 0);

    snprintf(p, sizeof(p), "%s/static", tmpdir);
    write_elf64(p, 0);
    assert_int_equal(iotrap__inspect_program(p, &info), 0);
    assert_int_equal(info.elf_class, 2);
    assert_int_equal(info.dynamic, 0);
}

static void t_inspect_script(void **state)
{
    char p[PATH_MAX], interp[PATH_MAX], text[PATH_MAX + 32];
    iotrap__program_info info;
    snprintf(interp, sizeof(interp), "%s/static-interp", tmpdir);
    write_elf64(interp, 0);
    snprintf(p, sizeof(p), "%s/script", tmpdir);
    int n = snprintf(text, sizeof(text), "#!  %s -x\necho hi\n", interp);
    write_file(p, text, (size_t)n, 0755);
    /* A script is judged by its interpreter. */
    assert_int_equal(iotrap__inspect_program(p, &info), 0);
    assert_string_equal(info.script_interp, interp);
    assert_int_equal(info.elf_class, 2);
    assert_int_equal(info.dynamic, 0);
}

static void t_inspect_not_elf(void **state)
{
    char p[PATH_MAX];
    iotrap__program_info info;
    snprintf(p, sizeof(p), "%s/text", tmpdir);
    write_file(p, "hello", 5, 0755);
    assert_int_equal(iotrap__inspect_program(p, &info), 0);
    assert_int_equal(info.elf_class, 0);
    assert_string_equal(info.script_interp, "");
    snprintf(p, sizeof(p), "%s/missing", tmpdir);
    assert_int_equal(iotrap__inspect_program(p, &info), ENOENT);
}

static void t_inspect_setuid(void **state)
{
    char p[PATH_MAX];
    iotrap__program_info info;
    snprintf(p, sizeof(p), "%s/suid", tmpdir);
    write_elf64(p, 1);
    assert_int_equal(chmod(p, 04755), 0);
    /* Set-user-ID to oneself changes no identity: the loader stays in normal mode. */
    assert_int_equal(iotrap__inspect_program(p, &info), 0);
    assert_int_equal(info.secure, 0);
    if (geteuid() == 0) {
        /* Owned by someone else it makes the exec secure, unless the mount is nosuid. */
        struct statvfs vfs;
        assert_int_equal(statvfs(p, &vfs), 0);
        assert_int_equal(chown(p, 65534, (gid_t)-1), 0);
        assert_int_equal(chmod(p, 04755), 0); /* chown cleared the bit */
        assert_int_equal(iotrap__inspect_program(p, &info), 0);
        assert_int_equal(info.secure, (vfs.f_flag & ST_NOSUID) ? 0 : 1);
        if (info.secure)
            assert_non_null(strstr(info.secure_why, "set-user-ID"));
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_all_options),
    cmocka_unit_test(t_program_ends_options),
    cmocka_unit_test(t_double_dash_program),
    cmocka_unit_test(t_help_needs_no_program),
    cmocka_unit_test(t_err_unknown_long),
    cmocka_unit_test(t_err_unknown_short),
    cmocka_unit_test(t_err_missing_value),
    cmocka_unit_test(t_missing_value_is_reported_not_program),
    cmocka_unit_test(t_err_empty_value),
    cmocka_unit_test(t_err_twice),
    cmocka_unit_test(t_err_trace_format),
    cmocka_unit_test(t_err_patch),
    cmocka_unit_test(t_err_flag_with_value),
    cmocka_unit_test(t_err_no_program),
    cmocka_unit_test(t_env_all),
    cmocka_unit_test(t_env_none),
    cmocka_unit_test(t_env_trace_stderr),
    cmocka_unit_test(t_env_err_device_separator),
    cmocka_unit_test(t_env_err_plugin_separator),
    cmocka_unit_test(t_env_plugin_items),
    cmocka_unit_test(t_env_trace_options),
    cmocka_unit_test(t_preload_alone),
    cmocka_unit_test(t_preload_prepended_once),
    cmocka_unit_test(t_preload_err_separator_in_dir),
    cmocka_unit_test(t_preload_dir_env),
    cmocka_unit_test_setup_teardown(t_find_in_path, make_tmpdir, remove_tmpdir),
    cmocka_unit_test_setup_teardown(t_find_with_slash, make_tmpdir, remove_tmpdir),
    cmocka_unit_test_setup_teardown(t_inspect_dynamic_and_static, make_tmpdir, remove_tmpdir),
    cmocka_unit_test_setup_teardown(t_inspect_script, make_tmpdir, remove_tmpdir),
    cmocka_unit_test_setup_teardown(t_inspect_not_elf, make_tmpdir, remove_tmpdir),
    cmocka_unit_test_setup_teardown(t_inspect_setuid, make_tmpdir, remove_tmpdir),
};

IOTRAP_TEST_MAIN(tests)
