/* The size check of caller-filled public structs (common/structsize.h).  It stands alone
 * (the decoder's fuzz target links it without the rest of common/). */
#include <stdio.h>
#include <string.h>
#include <iotrap/status.h>
#include "common/structsize.h"

int iotrap__struct_size_check(const void *obj, size_t known)
{
    size_t size;
    memcpy(&size, obj, sizeof size);
    if (size < known)
        return IOTRAP_E_INVAL;
    for (const unsigned char *p = (const unsigned char *)obj + known,
                             *end = (const unsigned char *)obj + size;
         p < end; p++)
        if (*p)
            return IOTRAP_E_UNSUPPORTED;
    return IOTRAP_OK;
}

int iotrap__struct_size_check_msg(const void *obj, size_t known, const char *name, char *err,
                                  size_t errlen)
{
    int rc = iotrap__struct_size_check(obj, known);
    size_t size;
    memcpy(&size, obj, sizeof size);
    if (rc == IOTRAP_E_INVAL && err && errlen)
        snprintf(err, errlen, "%s.size is %zu: set it to sizeof(%s) (%zu here)", name, size, name,
                 known);
    else if (rc == IOTRAP_E_UNSUPPORTED && err && errlen)
        snprintf(err, errlen,
                 "%s.size is %zu, of newer headers than this library (%zu), and a field this "
                 "library does not know is set",
                 name, size, known);
    return rc;
}
