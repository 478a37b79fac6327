/* port_in PORT...: reads each port with IN AL, DX after iopl(3) and prints the value in
 * decimal, one per line, as ioport's inb does; built 64- and 32-bit, so that a run can
 * read the same device from programs of both bitnesses. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
    if (iopl(3) != 0) {
        perror("iopl");
        return 1;
    }
    for (int i = 1; i < argc; i++)
        printf("%u\n", inb((unsigned short)strtoul(argv[i], NULL, 0)));
    return 0;
}
