/* The `size` field of the public structs a caller fills in (internal).
 *
 * Every struct of the public API that the caller allocates and fills in for the library
 * (iotrap_ports_config, iotrap_exec_ops, iotrap_regs, iotrap_device_model, iotrap_io_perm)
 * starts with `size_t size`, which the caller sets to sizeof the struct as its headers
 * declare it.  The library then knows which version of the struct it was given: fields a
 * newer library adds at the end read as absent when the caller's size stops before them,
 * and a newer caller's struct is accepted by an older library as long as every field the
 * older library does not know is zero (their defaults), as Linux's copy_struct_from_user
 * does.  Today every struct is at its first version, so a smaller size is a caller that did
 * not set it; when a struct grows, this check takes the size of its first version too.
 */
#ifndef IOTRAP_COMMON_STRUCTSIZE_H
#define IOTRAP_COMMON_STRUCTSIZE_H

#include <stddef.h>

/* IOTRAP_OK when the struct at `obj`, whose first member is its size, is one this library
 * can read as a struct of `known` bytes; IOTRAP_E_INVAL when its size is smaller (not set),
 * IOTRAP_E_UNSUPPORTED when it is larger and a field past `known` is not zero. */
int iotrap__struct_size_check(const void *obj, size_t known);

/* The same, with a message in `err` that names the struct (`name`) and what is wrong. */
int iotrap__struct_size_check_msg(const void *obj, size_t known, const char *name, char *err,
                                  size_t errlen);

#endif
