/* ioperm() and iopl(), interposed: legacy programs ask for port permission first and give
 * up when refused (as every program does on a kernel without them, or without
 * CAP_SYS_RAWIO).  Under the shim they succeed for the ports the session's policy allows
 * - the trap engine then serves those ports - and fail as the kernel would for the rest.
 * A backend that reaches ports natively (IOTRAP__CAP_NATIVE) already had the session grant
 * the allowed ranges for real when it opened, so nothing more is asked of it here.
 */
#include "config.h"

#include <errno.h>
#include <sys/io.h>

#include "shim/shim.h"

#define PORT_SPACE 0x10000ul

static int port_allowed(const iotrap_ports *ports, unsigned long port)
{
    return iotrap_ports_allowed(ports, (uint16_t)port, 1);
}

IOTRAP__EXPORT int ioperm(unsigned long from, unsigned long num, int turn_on)
{
    /* The kernel's checks, in its order. */
    if (from + num <= from || from + num > PORT_SPACE) {
        errno = EINVAL;
        return -1;
    }
    if (!turn_on)
        return 0;
    const iotrap_ports *ports = iotrap__shim_session();
    for (unsigned long p = from; p < from + num; p++) {
        if (!ports || !port_allowed(ports, p)) {
            errno = EPERM;
            return -1;
        }
    }
    return 0;
}

int iotrap__shim_any_port_allowed(void)
{
    const iotrap_ports *ports = iotrap__shim_session();
    for (unsigned long p = 0; ports && p < PORT_SPACE; p++)
        if (port_allowed(ports, p))
            return 1;
    return 0;
}

IOTRAP__EXPORT int iopl(int level)
{
    if (level < 0 || level > 3) {
        errno = EINVAL;
        return -1;
    }
    if (level == 0)
        return 0;
    /* IOPL 3 opens every port; here it opens what the policy allows, and an access to
     * any other port is reported and faults as it would have without permission. */
    if (iotrap__shim_any_port_allowed())
        return 0;
    errno = EPERM;
    return -1;
}
