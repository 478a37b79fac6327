/* spi_bitbang [PORT] TEXT: sends TEXT's bytes as an SPI master (mode 0, most significant
 * bit first) bit-banged on a parallel port's data lines, as legacy programmer software
 * drives chips through a cable: D0 is MOSI, D1 is SCK, D2 is chip select (active low).
 * PORT is the data register (default 0x378). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>

#define MOSI 0x01
#define SCK 0x02
#define CS 0x04

int main(int argc, char **argv)
{
    unsigned short port = 0x378;
    if (argc == 3)
        port = (unsigned short)strtoul(argv[1], NULL, 0);
    else if (argc != 2) {
        fprintf(stderr, "usage: spi_bitbang [PORT] TEXT\n");
        return 2;
    }
    const char *text = argv[argc - 1];
    if (ioperm(port, 1, 1) != 0) {
        perror("ioperm");
        return 1;
    }
    outb(CS, port); /* idle: deselected, clock low */
    outb(0, port);  /* select */
    for (size_t i = 0; i < strlen(text); i++) {
        unsigned char byte = (unsigned char)text[i];
        for (int b = 7; b >= 0; b--) {
            unsigned char mosi = (byte >> b) & 1 ? MOSI : 0;
            outb(mosi, port);       /* data while the clock is low */
            outb(mosi | SCK, port); /* the slave samples on the rising edge */
        }
        outb(0, port);
    }
    outb(CS, port);
    return 0;
}
