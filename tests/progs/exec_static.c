/* exec_static PROGRAM ARGS...: a statically linked program that only executes another,
 * as a static shell or launcher between two programs of a run does.  It never loads the
 * preload library, so it hands on the environment it was given as it is. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    execv(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
