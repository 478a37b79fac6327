/* The size check of caller-filled public structs (common/structsize.h). */
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
