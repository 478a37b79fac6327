/* Messages and names of the status codes, generated from IOTRAP_STATUS_MAP. */
#include <iotrap/status.h>

const char *iotrap_strerror(int status)
{
    switch (status) {
    case IOTRAP_OK:
        return "success";
#define IOTRAP__STATUS_MSG(name, value, msg) case (value): return (msg);
        IOTRAP_STATUS_MAP(IOTRAP__STATUS_MSG)
#undef IOTRAP__STATUS_MSG
    }
    return "unknown status";
}

const char *iotrap_status_name(int status)
{
    switch (status) {
    case IOTRAP_OK:
        return "OK";
#define IOTRAP__STATUS_NAME(name, value, msg) case (value): return #name;
        IOTRAP_STATUS_MAP(IOTRAP__STATUS_NAME)
#undef IOTRAP__STATUS_NAME
    }
    return "UNKNOWN";
}
