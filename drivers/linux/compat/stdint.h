/* SPDX-License-Identifier: BSD-3-Clause */
/* <stdint.h> for the kernel build of lib/ (see README). */
#ifndef FOLIO_COMPAT_STDINT_H
#define FOLIO_COMPAT_STDINT_H
#include <linux/types.h>
#include <linux/limits.h>
#define UINT32_MAX U32_MAX
#define UINT64_MAX U64_MAX
#define INT32_MAX S32_MAX
#define INT32_MIN S32_MIN
#define INT64_MAX S64_MAX
#define INT64_MIN S64_MIN
#endif
