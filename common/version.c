/* iotrap_version(): the version this library was built as (include/iotrap/version.h). */
#include <iotrap/version.h>

const char *iotrap_version(void)
{
    return IOTRAP_VERSION_STRING;
}
