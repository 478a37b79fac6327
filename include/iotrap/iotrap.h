/* iotrap — run legacy port-I/O software unchanged on Linux.  Umbrella header. */
#ifndef IOTRAP_IOTRAP_H
#define IOTRAP_IOTRAP_H

#include <iotrap/status.h>
#include <iotrap/decode.h>
#include <iotrap/device.h>
#include <iotrap/ports.h>

#define IOTRAP_VERSION_MAJOR 0
#define IOTRAP_VERSION_MINOR 1
#define IOTRAP_VERSION_PATCH 0
#define IOTRAP_VERSION_STRING "0.1.0"

#endif
