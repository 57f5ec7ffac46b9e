/* SPDX-License-Identifier: BSD-3-Clause */
/* <stdlib.h> for the kernel build of lib/ (see README): the allocator. */
#ifndef FOLIO_COMPAT_STDLIB_H
#define FOLIO_COMPAT_STDLIB_H
#include <linux/kernel.h>
#include <linux/slab.h>
static inline void *malloc(size_t n)
{
	return kmalloc(n, GFP_KERNEL);
}
static inline void *calloc(size_t n, size_t m)
{
	return kcalloc(n, m, GFP_KERNEL);
}
static inline void free(void *p)
{
	kfree(p);
}
#endif
