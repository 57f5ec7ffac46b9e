/* SPDX-License-Identifier: BSD-3-Clause */
/* <stddef.h> for the kernel build of lib/ (see README). */
#ifndef FOLIO_COMPAT_STDDEF_H
#define FOLIO_COMPAT_STDDEF_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
