/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shm.h - the one accessor family for shared memory.
 *
 * Every load from and store to the shared region goes through these helpers,
 * so that a reader can check the memory ordering at each call site, grep can
 * prove there are no plain accesses, and a test build (FOLIO_SHM_TRACE) can
 * record every access to check INV_once.
 *
 *   shm_load_once      relaxed load of a peer-written u32, taken once (INV_once)
 *   shm_load_block     one load of a run of peer-written u32 fields (lengths),
 *                      each byte read once, into private memory (INV_once)
 *   shm_load_acquire   acquire load; pairs with the peer's shm_store_release
 *   shm_store_once     relaxed store of an own field
 *   shm_store_release  release store; publishes every earlier write
 *   shm_copy_from      the one copy out of a slot into private memory
 *   shm_copy_to        the one copy from private memory into a slot
 *   shm_copy_from_short, shm_copy_to_short
 *                      the same copies for a frame of FL_SHORT_MIN to
 *                      FL_SHORT_MAX bytes, inline, with no call
 *   shm_load_after     relaxed load ordered after every earlier load: the
 *                      re-check of a seqlock (the epoch after a burst's copies)
 *   shm_fence_release  orders earlier stores before every later store: the
 *                      odd epoch before the reset that follows it
 *
 * The bulk helpers end with a compiler barrier (shm_snapshot_done): after it
 * the compiler must treat the shared source as changed, so it can neither
 * re-read the source in place of the private copy nor drop the copy. Without
 * it "checked copy, never re-read" would hold only by today's code
 * generation (INV_once).
 */
#ifndef FL_SHM_H
#define FL_SHM_H

#ifdef __KERNEL__
#include "folio_shm.h" /* folio.ko: drivers/linux, same names */
#else
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum fl_shm_op { FL_SHM_LOAD, FL_SHM_STORE, FL_SHM_COPY_FROM, FL_SHM_COPY_TO };

#ifdef FOLIO_SHM_TRACE
/* Provided by the test that links the trace build of the library. */
void fl_shm_trace(const void *addr, size_t len, enum fl_shm_op op);
#define FL_SHM_TRACE(a, l, o) fl_shm_trace((a), (l), (o))
#else
#define FL_SHM_TRACE(a, l, o) ((void)0)
#endif

static inline uint32_t shm_load_once(const uint32_t *p)
{
	FL_SHM_TRACE(p, 4, FL_SHM_LOAD);
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint64_t shm_load_once64(const uint64_t *p)
{
	FL_SHM_TRACE(p, 8, FL_SHM_LOAD);
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Both pointers escape into an asm that clobbers memory: every byte of the
 * private copy is materialised, and nothing the compiler knew about the
 * shared bytes survives it. */
static inline void shm_snapshot_done(const void *dst, const void *src)
{
	__asm__ __volatile__("" : : "r"(dst), "r"(src) : "memory");
}

static inline void shm_load_block(uint32_t *dst, const uint32_t *src, size_t n)
{
	FL_SHM_TRACE(src, n * sizeof(*src), FL_SHM_LOAD);
	/* A value torn by a concurrent peer write is still just a value:
	 * the caller checks the private copy, never the shared one. */
	memcpy(dst, src, n * sizeof(*src));
	shm_snapshot_done(dst, src);
}

/* ThreadSanitizer does not model fences (gcc warns, -Wtsan). Its build
 * (tests/adversarial, no restarts) gets the x86 meaning: a compiler
 * barrier. */
#ifdef __SANITIZE_THREAD__
#define FL_FENCE(order) __asm__ __volatile__("" : : : "memory")
#else
#define FL_FENCE(order) __atomic_thread_fence(order)
#endif

static inline uint32_t shm_load_after(const uint32_t *p)
{
	FL_SHM_TRACE(p, 4, FL_SHM_LOAD);
	/* Every earlier load (the copies of a burst) completes before this
	 * one: if any of them saw a write made after the peer's
	 * shm_fence_release, this load sees the store before that fence. */
	FL_FENCE(__ATOMIC_ACQUIRE);
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void shm_fence_release(void)
{
	FL_FENCE(__ATOMIC_RELEASE);
}

static inline uint32_t shm_load_acquire(const uint32_t *p)
{
	FL_SHM_TRACE(p, 4, FL_SHM_LOAD);
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void shm_store_once(uint32_t *p, uint32_t v)
{
	FL_SHM_TRACE(p, 4, FL_SHM_STORE);
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void shm_store_once64(uint64_t *p, uint64_t v)
{
	FL_SHM_TRACE(p, 8, FL_SHM_STORE);
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void shm_store_release(uint32_t *p, uint32_t v)
{
	FL_SHM_TRACE(p, 4, FL_SHM_STORE);
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void shm_copy_from(void *dst, const void *src, size_t n)
{
	FL_SHM_TRACE(src, n, FL_SHM_COPY_FROM);
	memcpy(dst, src, n);
	shm_snapshot_done(dst, src);
}

static inline void shm_copy_to(void *dst, const void *src, size_t n)
{
	FL_SHM_TRACE(dst, n, FL_SHM_COPY_TO);
	memcpy(dst, src, n);
}

#endif /* __KERNEL__ */

/* A frame of FL_SHORT_MIN to FL_SHORT_MAX bytes (the caller checks) in four
 * 16-byte moves, the last two ending at the frame's end: no call, no loop.
 * Every move stays inside [0, n). Where two overlap, a byte is moved twice
 * and the destination keeps the second value, one the source held. */
#define FL_SHORT_MIN 33u
#define FL_SHORT_MAX 64u
static inline void shm_move_short(void *dst, const void *src, size_t n)
{
	unsigned char *d = (unsigned char *)dst;
	const unsigned char *s = (const unsigned char *)src;

	__builtin_memcpy(d, s, 16);
	__builtin_memcpy(d + 16, s + 16, 16);
	__builtin_memcpy(d + n - 32, s + n - 32, 16);
	__builtin_memcpy(d + n - 16, s + n - 16, 16);
}

static inline void shm_copy_from_short(void *dst, const void *src, size_t n)
{
	FL_SHM_TRACE(src, n, FL_SHM_COPY_FROM);
	shm_move_short(dst, src, n);
	shm_snapshot_done(dst, src);
}

static inline void shm_copy_to_short(void *dst, const void *src, size_t n)
{
	FL_SHM_TRACE(dst, n, FL_SHM_COPY_TO);
	shm_move_short(dst, src, n);
}

#endif /* FL_SHM_H */
