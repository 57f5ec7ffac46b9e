/* SPDX-License-Identifier: BSD-3-Clause */
/* <errno.h> for the kernel build of lib/ (see README). There is no errno
 * variable in the kernel; the only reader is the unused file loader. */
#ifndef FOLIO_COMPAT_ERRNO_H
#define FOLIO_COMPAT_ERRNO_H
#include <linux/errno.h>
#define errno ENOSYS
#endif
