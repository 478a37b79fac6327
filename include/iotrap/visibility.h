/* Symbol visibility: the library is built with -fvisibility=hidden, and only
 * what is marked IOTRAP_API is exported. */
#ifndef IOTRAP_VISIBILITY_H
#define IOTRAP_VISIBILITY_H

#if defined(IOTRAP_BUILDING) && defined(__GNUC__)
#define IOTRAP_API __attribute__((visibility("default")))
#else
#define IOTRAP_API
#endif

#endif
