/* SPDX-License-Identifier: BSD-3-Clause */
/* <string.h> for the kernel build of lib/ (see README). */
#ifndef FOLIO_COMPAT_STRING_H
#define FOLIO_COMPAT_STRING_H
#include <linux/string.h>
static inline const char *strerror(int e)
{
	return e ? "error" : "success";
}
#endif
