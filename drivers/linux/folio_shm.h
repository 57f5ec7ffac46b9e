/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio_shm.h - the kernel flavour of lib/shm.h: the same accessor names,
 * built on the kernel's own primitives, so that lib/ring.c compiles into
 * folio.ko unchanged. lib/shm.h includes this file under __KERNEL__.
 *
 * The region is the ivshmem BAR, mapped write-back with memremap(): plain
 * memory to the CPU, so READ_ONCE/WRITE_ONCE and memcpy are the right tools.
 */
#ifndef FOLIO_KSHM_H
#define FOLIO_KSHM_H

#include <linux/compiler.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/barrier.h>

static inline u32 shm_load_once(const u32 *p)
{
	return READ_ONCE(*p);
}

static inline u64 shm_load_once64(const u64 *p)
{
	return READ_ONCE(*p);
}

static inline void shm_load_block(u32 *dst, const u32 *src, size_t n)
{
	/* A torn value is still just a value: only the copy is checked. */
	memcpy(dst, src, n * sizeof(*src));
	barrier(); /* the checked copy is used, never a re-read of the slot */
}

static inline u32 shm_load_acquire(const u32 *p)
{
	return smp_load_acquire(p);
}

static inline void shm_store_once(u32 *p, u32 v)
{
	WRITE_ONCE(*p, v);
}

static inline void shm_store_once64(u64 *p, u64 v)
{
	WRITE_ONCE(*p, v);
}

static inline void shm_store_release(u32 *p, u32 v)
{
	smp_store_release(p, v);
}

/* lib/shm.h's short copies use these two: no trace build in the kernel. */
#define FL_SHM_TRACE(a, l, o) ((void)0)

static inline void shm_snapshot_done(const void *dst, const void *src)
{
	barrier();
}

static inline void shm_copy_from(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

static inline void shm_copy_to(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

/* The burst's epoch re-check against a host restart (design.md, section 6):
 * a load ordered after every earlier load of the copies, and the host's
 * fence between its odd epoch and the reset's stores. */
static inline u32 shm_load_after(const u32 *p)
{
	smp_rmb();
	return READ_ONCE(*p);
}

static inline void shm_fence_release(void)
{
	smp_wmb();
}

#endif /* FOLIO_KSHM_H */
