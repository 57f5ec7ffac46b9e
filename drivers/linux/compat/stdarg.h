/* SPDX-License-Identifier: BSD-3-Clause */
/* <stdarg.h> for the kernel build of lib/ (see README). */
#ifndef FOLIO_COMPAT_STDARG_H
#define FOLIO_COMPAT_STDARG_H
#include <linux/stdarg.h>
#endif
