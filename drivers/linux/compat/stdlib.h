/* SPDX-License-Identifier: BSD-3-Clause */
/* <stdlib.h> for the kernel build of lib/ (see README): nothing is used. */
#ifndef FOLIO_COMPAT_STDLIB_H
#define FOLIO_COMPAT_STDLIB_H
#include <linux/kernel.h>
#endif
