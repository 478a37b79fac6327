/* The program as the child of iotrap's launchers, see child.h. */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tools/child.h"

void iotrap__die_with_parent(pid_t parent)
{
    /* A launcher that died before the request was made sends nothing. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() != parent)
        raise(SIGKILL);
}

int iotrap__child_status(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return IOTRAP__DIE_BY(WTERMSIG(wstatus));
    return 1;
}

int iotrap__exit_like(int status)
{
    if (status < IOTRAP__DIE_BY(1) || status >= IOTRAP__DIE_BY(NSIG))
        return status;
    int sig = status - IOTRAP__DIE_BY(0);
    fflush(NULL);
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    struct sigaction dfl;
    dfl.sa_handler = SIG_DFL;
    dfl.sa_flags = 0;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    return 128 + sig;
}
