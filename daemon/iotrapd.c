/* iotrapd: serves port I/O to unprivileged processes over a Unix socket, under a per-user
 * policy (iotrapd(8), iotrap.conf(5), docs/protocol.md).
 *
 * Start-up order matters for privilege separation: read the configuration, open the port
 * session (its backends, routes and remaps; a native backend is granted exactly the ports
 * the rules name) while still privileged, create the socket, then drop root and every
 * capability before the first client is served.
 */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#include "daemon/conf.h"
#include "daemon/socket.h"
#include "session/session.h"

/* Where `make install` puts the policy: $(sysconfdir), /etc for a distribution's build. */
#define DEFAULT_CONFIG IOTRAP_SYSCONFDIR "/iotrap.conf"
#define DEFAULT_SOCKET "/run/iotrap/iotrapd.sock"
#define DEFAULT_BACKEND "direct"
#define DEFAULT_USER "nobody"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: iotrapd [--config FILE] [--socket PATH] [--backend NAME[:ARGS]]\n"
            "               [--route PORTS=NAME[:ARGS]]... [--remap PORTS=TARGET]...\n"
            "               [--trace FILE [--trace-format text|jsonl]]\n"
            "               [--user NAME] [--device SPEC]... [--foreground] [--check]\n"
            "  --config FILE      policy file (default " DEFAULT_CONFIG ")\n"
            "  --socket PATH      listening socket (default " DEFAULT_SOCKET ")\n"
            "  --backend SPEC     direct, devport[:PATH], ppdev[:/dev/parportN@BASE], sim or\n"
            "                     helper[:SOCKET], for every port no route covers\n"
            "                     (default: the file's 'backend' line, else " DEFAULT_BACKEND ")\n"
            "  --route PORTS=SPEC those ports to that backend (repeatable; replaces the\n"
            "                     file's 'route' lines)\n"
            "  --remap PORTS=PORT a client's access to PORTS reaches the port at PORT +\n"
            "                     offset (repeatable; replaces the file's 'remap' lines); the\n"
            "                     rules hold for the ports iotrapd touches\n"
            "  --trace FILE       record every access (replaces the file's 'trace' line)\n"
            "  --trace-format F   text (default) or jsonl\n"
            "  --user NAME        user to run as after start-up when started as root\n"
            "                     (default: the file's 'user' line, else " DEFAULT_USER ")\n"
            "  --device SPEC      a device of the simulated board (sim backend; repeatable;\n"
            "                     replaces the file's 'device' lines)\n"
            "  --foreground       stay in the foreground and log to stderr as well\n"
            "  --check            check the configuration and exit\n");
}

/* True when systemd passed this process a listening socket as descriptor 3. */
static bool socket_activated(void)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    return pid && fds && (pid_t)strtol(pid, NULL, 10) == getpid() && atoi(fds) >= 1;
}

/* Closes every descriptor above stderr that this process inherited, except the one
 * systemd passed: whatever the starting process left open (a file only root may read, a
 * terminal) must not stay with the daemon once it serves unprivileged clients. */
static void close_inherited(bool activated)
{
    int first = activated ? 4 : 3;
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        int fds[256], n = 0;
        bool more = true;
        while (more) {
            /* Collect first, close after: closing while reading the directory would
             * disturb the listing. */
            n = 0;
            more = false;
            rewinddir(d);
            struct dirent *e;
            while ((e = readdir(d))) {
                int fd = atoi(e->d_name);
                if (fd < first || fd == dirfd(d) || !isdigit((unsigned char)e->d_name[0]))
                    continue;
                if (n == (int)(sizeof fds / sizeof fds[0])) {
                    more = true;
                    break;
                }
                fds[n++] = fd;
            }
            for (int i = 0; i < n; i++)
                close(fds[i]);
        }
        closedir(d);
        return;
    }
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = first; fd < (max > 0 && max < (1L << 20) ? max : 65536); fd++)
        close((int)fd);
}

/* Refuses a socket directory that someone else could change: through a symbolic link,
 * or a directory another user owns or may write to, they could replace the daemon's
 * socket with their own, or put a link where the daemon creates or removes it. */
static int check_socket_dir(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        fprintf(stderr, "iotrapd: socket directory %s: %s\n", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "iotrapd: socket directory %s is not a directory (a symbolic "
                        "link?)\n", dir);
        return -1;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        fprintf(stderr, "iotrapd: socket directory %s belongs to uid %u: refusing it\n", dir,
                (unsigned)st.st_uid);
        return -1;
    }
    if (st.st_mode & 022) {
        fprintf(stderr, "iotrapd: socket directory %s is writable by others (mode %04o): "
                        "another user could replace the socket\n",
                dir, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

/* Descriptor 3 from systemd must be what iotrapd.socket makes: a listening Unix
 * SOCK_STREAM socket. */
static int check_activated_socket(int fd)
{
    int type = 0, domain = 0, listening = 0;
    socklen_t l1 = sizeof type, l2 = sizeof domain, l3 = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l2) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l3) != 0 ||
        type != SOCK_STREAM || domain != AF_UNIX || !listening) {
        fprintf(stderr, "iotrapd: descriptor 3 passed by systemd (LISTEN_FDS) is not a "
                        "listening Unix SOCK_STREAM socket\n");
        return -1;
    }
    return 0;
}

/* Listens on the socket systemd passed (LISTEN_FDS), or creates PATH. */
static int make_socket(const char *path, bool activated)
{
    if (activated) {
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        if (check_activated_socket(3) != 0)
            return -1;
        fcntl(3, F_SETFD, FD_CLOEXEC);
        return 3;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "iotrapd: socket path too long: %s\n", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    /* The directory, as /run/iotrap would be made by systemd's RuntimeDirectory=. */
    char dir[sizeof sa.sun_path];
    strcpy(dir, path);
    char *slash = strrchr(dir, '/');
    if (!slash) {
        strcpy(dir, ".");
    } else if (slash == dir) {
        dir[1] = '\0';
    } else {
        *slash = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "iotrapd: mkdir %s: %s\n", dir, strerror(errno));
            return -1;
        }
    }
    if (check_socket_dir(dir) != 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "iotrapd: socket: %s\n", strerror(errno));
        return -1;
    }
    /* A socket file left by a dead daemon is replaced; a live daemon is not, and nothing
     * else at that path (a mistyped --socket) is ever removed. */
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            fprintf(stderr, "iotrapd: %s exists and is not a socket: leaving it alone\n",
                    path);
            close(fd);
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            fprintf(stderr, "iotrapd: another iotrapd already serves %s\n", path);
            close(fd);
            return -1;
        }
        unlink(path);
    }
    /* The socket is created with mode 0666 through the umask rather than chmod()ed
     * afterwards: chmod follows a symbolic link put in its place. */
    mode_t old = umask(0111);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc != 0 || listen(fd, 128) != 0) {
        fprintf(stderr, "iotrapd: %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Room for every client: a soft descriptor limit below IOTRAPD_MAX_CLIENTS (1024 is a
 * common default) would run out first.  The server copes when it does (it refuses the
 * connection), but should not have to at the documented number of clients. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    rlim_t want = IOTRAPD_MAX_CLIENTS + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

/* Leaves root and every capability: the backend keeps what it already holds (the I/O
 * bitmap granted by ioperm, or an open device). */
/* The user a daemon started as root runs as: one that exists (the default, nobody, may
 * be missing: then 65534), and not root.  explicit: the user was named (option or file)
 * rather than the default, so a name that does not resolve is an error. */
static int resolve_user(const char *user, bool explicit, uid_t *uid, gid_t *gid)
{
    struct passwd *pw = getpwnam(user);
    if (!pw && explicit) {
        fprintf(stderr, "iotrapd: unknown user '%s'\n", user);
        return -1;
    }
    *uid = pw ? pw->pw_uid : 65534;
    *gid = pw ? pw->pw_gid : 65534;
    if (*uid == 0 || *gid == 0) {
        fprintf(stderr, "iotrapd: refusing to keep running as root (user %s, uid %u, "
                        "gid %u)\n", user, (unsigned)*uid, (unsigned)*gid);
        return -1;
    }
    return 0;
}

static int drop_privileges(const char *user, bool explicit)
{
    if (geteuid() == 0) {
        uid_t uid;
        gid_t gid;
        if (resolve_user(user, explicit, &uid, &gid) != 0)
            return -1;
        for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
        /* Groups before the gid before the uid: each step needs the privilege the next
         * one takes away. */
        if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
            setresuid(uid, uid, uid) != 0) {
            fprintf(stderr, "iotrapd: dropping privileges to %s: %s\n", user, strerror(errno));
            return -1;
        }
        if (setresuid(0, 0, 0) == 0 || setresgid(0, 0, 0) == 0) {
            fprintf(stderr, "iotrapd: could regain root after dropping it\n");
            return -1;
        }
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
    if (syscall(SYS_capset, &hdr, data) != 0) {
        fprintf(stderr, "iotrapd: capset: %s\n", strerror(errno));
        return -1;
    }
    /* No core dumps and no ptrace by other processes of the same user (the default user,
     * nobody, is shared with other daemons): the process holds the port grant. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        fprintf(stderr, "iotrapd: prctl: %s\n", strerror(errno));
        return -1;
    }
    /* Check rather than trust: no capability may be left. */
    FILE *f = fopen("/proc/self/status", "re");
    if (!f) {
        fprintf(stderr, "iotrapd: cannot check capabilities: /proc/self/status: %s\n",
                strerror(errno));
        return -1;
    }
    char line[256];
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "CapEff:", 7) != 0 && strncmp(line, "CapPrm:", 7) != 0)
            continue;
        seen++;
        if (strtoull(line + 7, NULL, 16) != 0) {
            fclose(f);
            fprintf(stderr, "iotrapd: capabilities remain after dropping them: %s", line);
            return -1;
        }
    }
    fclose(f);
    if (seen != 2) {
        fprintf(stderr, "iotrapd: cannot check capabilities: no CapEff/CapPrm lines\n");
        return -1;
    }
    return 0;
}

/* A configuration error that names something that cannot be is bad usage (2); a backend,
 * device or file that fails is a start-up failure (1). */
static int exit_status(int st)
{
    return st == IOTRAP_E_SYNTAX || st == IOTRAP_E_RANGE || st == IOTRAP_E_INVAL ? 2 : 1;
}

#define MAX_LIST_OPTIONS 64

/* Appends a repeatable option's value; refuses more than the list holds. */
static int add_option(const char **list, size_t *n, const char *value, const char *name)
{
    if (*n == MAX_LIST_OPTIONS) {
        fprintf(stderr, "iotrapd: more than %d --%s options\n", MAX_LIST_OPTIONS, name);
        return -1;
    }
    list[(*n)++] = value;
    list[*n] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    bool activated = socket_activated();
    close_inherited(activated);
    const char *config = DEFAULT_CONFIG, *sock = DEFAULT_SOCKET, *backend = NULL, *user = NULL;
    const char *trace = NULL, *trace_format = NULL;
    bool foreground = false, check = false;
    const char *devices[MAX_LIST_OPTIONS + 1], *routes[MAX_LIST_OPTIONS + 1],
        *remaps[MAX_LIST_OPTIONS + 1];
    size_t ndevices = 0, nroutes = 0, nremaps = 0;
    enum { OPT_ROUTE = 256, OPT_REMAP, OPT_TRACE, OPT_TRACE_FORMAT };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"socket", required_argument, NULL, 's'},
        {"backend", required_argument, NULL, 'b'}, {"user", required_argument, NULL, 'u'},
        {"foreground", no_argument, NULL, 'f'},    {"check", no_argument, NULL, 'C'},
        {"device", required_argument, NULL, 'd'},  {"help", no_argument, NULL, 'h'},
        {"route", required_argument, NULL, OPT_ROUTE},
        {"remap", required_argument, NULL, OPT_REMAP},
        {"trace", required_argument, NULL, OPT_TRACE},
        {"trace-format", required_argument, NULL, OPT_TRACE_FORMAT},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "c:s:b:u:d:fh", opts, NULL)) != -1) {
        switch (o) {
        case 'c': config = optarg; break;
        case 's': sock = optarg; break;
        case 'b': backend = optarg; break;
        case 'u': user = optarg; break;
        case 'f': foreground = true; break;
        case 'd':
            if (add_option(devices, &ndevices, optarg, "device") != 0)
                return 2;
            break;
        case OPT_ROUTE:
            if (add_option(routes, &nroutes, optarg, "route") != 0)
                return 2;
            break;
        case OPT_REMAP:
            if (add_option(remaps, &nremaps, optarg, "remap") != 0)
                return 2;
            break;
        case OPT_TRACE: trace = optarg; break;
        case OPT_TRACE_FORMAT: trace_format = optarg; break;
        case 'C': check = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "iotrapd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    static iotrapd_conf conf;
    char err[1024];
    if (iotrapd_conf_load(config, &iotrapd_system_resolver, &conf, err, sizeof err) != 0) {
        fprintf(stderr, "iotrapd: %s\n", err);
        return 1;
    }
    if (!backend)
        backend = conf.backend[0] ? conf.backend : DEFAULT_BACKEND;
    if (!trace && conf.trace[0]) {
        trace = conf.trace;
        trace_format = conf.trace_format;
    }
    bool user_named = user || conf.user[0];
    if (!user)
        user = conf.user[0] ? conf.user : DEFAULT_USER;

    /* One session serves every client: the rules' ports are the only ones it may touch,
     * and a native backend is granted exactly those while the daemon is still root. */
    iotrap_ports_config pcfg = {
        .size = sizeof(pcfg),
        .backend = backend,
        .devices = ndevices ? devices : (const char *const *)conf.devices,
        .routes = nroutes ? routes : (const char *const *)conf.routes,
        .remaps = nremaps ? remaps : (const char *const *)conf.remaps,
        .trace = trace,
        .trace_format = trace_format,
        .quiet = 1,
    };
    iotrap__session_params sp = { .cfg = &pcfg, .serve_targets = &conf.all };
    static iotrapd_server srv = {.lock = PTHREAD_MUTEX_INITIALIZER};
    srv.conf = &conf;
    int rc = iotrap__session_open(&sp, &srv.ports, err, sizeof err);
    if (rc != IOTRAP_OK) {
        fprintf(stderr, "iotrapd: %s\n", err);
        return exit_status(rc);
    }
    /* --check checks what start checks, up to the socket: the file, the session (its
     * backends, routes, remaps and devices) and the user to run as. */
    if (check) {
        uid_t uid;
        gid_t gid;
        iotrap_ports_close(srv.ports);
        if (resolve_user(user, user_named, &uid, &gid) != 0)
            return 1;
        printf("%s: %zu rule(s), OK\n", config, conf.nrules);
        return 0;
    }

    int lfd = make_socket(sock, activated);
    if (lfd < 0)
        return 1;
    raise_fd_limit();
    if (drop_privileges(user, user_named) != 0)
        return 1;

    openlog("iotrapd", LOG_PID | (foreground ? LOG_PERROR : 0), LOG_DAEMON);
    if (!foreground) {
        if (daemon(0, 0) != 0) {
            fprintf(stderr, "iotrapd: daemon: %s\n", strerror(errno));
            return 1;
        }
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    char map[4096];
    iotrap__session_describe(srv.ports, "", map, sizeof map);
    for (char *line = strtok(map, "\n"); line; line = strtok(NULL, "\n"))
        syslog(LOG_INFO, "map: %s", line);
    syslog(LOG_INFO, "serving %s with backend %s, %zu rule(s) from %s, as uid %u",
           activated ? "the socket passed by systemd" : sock, backend, conf.nrules, config,
           (unsigned)getuid());

    iotrapd_listener listener = {.fd = lfd, .stop = &stop};
    rc = iotrapd_serve(&srv, &listener);
    syslog(LOG_INFO, "stopping: %llu requests (%llu over %llu fast channels), %llu accesses, "
           "%llu denied, %llu malformed", (unsigned long long)srv.requests,
           (unsigned long long)srv.channel_requests, (unsigned long long)srv.channels,
           (unsigned long long)srv.accesses,
           (unsigned long long)srv.denials, (unsigned long long)srv.malformed);
    /* After the privilege drop this may fail (root's directory); the next start replaces
     * a socket nobody answers on. */
    if (!activated)
        unlink(sock);
    iotrap_ports_close(srv.ports);
    iotrapd_conf_free(&conf);
    return rc == 0 ? 0 : 1;
}
