/* Prints "HELLO" on the parallel port at 0x378 with the Centronics handshake, as DOS-era
 * printing code does, with raw OUT/IN: wait until not BUSY, put the byte on the data
 * lines, pulse STROBE, wait for ACK.  The board's lpt device writes each strobed byte to
 * its out= file. */
#include "common.h"

#define DATA 0x378
#define STATUS 0x379
#define CONTROL 0x37A
#define ST_NOT_BUSY 0x80
#define ST_NACK 0x40
#define CT_STROBE 0x01
#define CT_INIT 0x04
#define CT_SELECT 0x08

static int wait_status(uint8_t mask, uint8_t want)
{
    for (int i = 0; i < 100000; i++)
        if ((raw_inb(STATUS) & mask) == want)
            return 1;
    return 0;
}

int main(void)
{
    const char *text = "HELLO";
    raw_outb(CONTROL, CT_INIT | CT_SELECT);
    for (const char *p = text; *p; p++) {
        if (!wait_status(ST_NOT_BUSY, ST_NOT_BUSY)) {
            printf("printer stays busy before '%c'\n", *p);
            return 1;
        }
        raw_outb(DATA, (uint8_t)*p);
        raw_outb(CONTROL, CT_INIT | CT_SELECT | CT_STROBE);
        raw_outb(CONTROL, CT_INIT | CT_SELECT);
        /* ACK is low for a moment, then the printer is idle again. */
        if (!wait_status(ST_NACK, 0) || !wait_status(ST_NOT_BUSY | ST_NACK, ST_NOT_BUSY | ST_NACK)) {
            printf("no acknowledge for '%c'\n", *p);
            return 1;
        }
    }
    printf("sent %s\n", text);
    return 0;
}
