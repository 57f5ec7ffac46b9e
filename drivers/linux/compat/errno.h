/* SPDX-License-Identifier: BSD-3-Clause */
/* <errno.h> for the kernel build of lib/ (see README). The kernel has no
 * errno; the only user is the file loader, which the module never calls. */
#ifndef FOLIO_COMPAT_ERRNO_H
#define FOLIO_COMPAT_ERRNO_H
#include <linux/errno.h>
static int folio_compat_errno __attribute__((unused)) = ENOSYS;
#define errno folio_compat_errno
#endif
