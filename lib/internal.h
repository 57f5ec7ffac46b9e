/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * internal.h - private state shared by the files of libfolio. Nothing here
 * lives in shared memory: these structs are each side's private view.
 */
#ifndef FL_INTERNAL_H
#define FL_INTERNAL_H

#include <stdint.h>

#include "folio.h"
#include "layout.h"

#define fl_likely(x) __builtin_expect(!!(x), 1)
#define fl_unlikely(x) __builtin_expect(!!(x), 0)

/* FOLIO_UNHARDENED builds the same ring without its checks. It exists only
 * so the benchmarks can report the cost of hardening; it is never installed. */
#ifdef FOLIO_UNHARDENED
#define FL_HARDENED 0
#else
#define FL_HARDENED 1
#endif

/* One ring as one side sees it. Pointers and geometry are private copies,
 * computed from the local config (INV_geom). */
struct fl_ring {
	uint32_t *prod;   /* shared: producer index */
	uint32_t *cons;   /* shared: consumer index */
	uint32_t *desc;   /* shared: lengths, written by the producer */
	uint8_t *slots;   /* shared: frame bytes */
	uint32_t mask;
	uint32_t entries;
	uint32_t slot_shift;
	uint32_t max_frame;
	uint32_t head;    /* own index, never read back from memory (INV_own) */
	uint32_t peer;    /* last accepted snapshot of the peer's index */
	uint32_t lent;    /* consumer, zero-copy: frames [head, lent) are lent */
	uint8_t *done;    /* consumer, zero-copy: private given-back flags */
};

struct fl_queue {
	struct fl_ring tx; /* the ring this side produces into */
	struct fl_ring rx; /* the ring this side consumes from */
	uint32_t *ack;     /* shared: guest ack line of this queue */
	/* shared, guest only: the header epoch, re-loaded after the copies of
	 * a burst and before its publication (design.md, section 6); NULL on
	 * the host, which makes its own epochs. */
	const uint32_t *recheck;
	uint32_t state;    /* enum folio_qstate */
	uint32_t epoch;    /* host epoch the queue is attached to */
	uint32_t viol;     /* counter of the violation the ring just saw */
	uint64_t st[FOLIO_STAT__COUNT];
} __attribute__((aligned(64)));

/* Counters have one writer (the queue's thread); another thread may read
 * them with fl_stat_get, so updates are single relaxed stores. */
static inline void fl_stat_add(struct fl_queue *q, unsigned k, uint64_t n)
{
	__atomic_store_n(&q->st[k], q->st[k] + n, __ATOMIC_RELAXED);
}

void fl_queue_stats(const struct fl_queue *q, struct folio_stats *st);
int fl_queue_fail(struct fl_queue *q, const char *side, unsigned qi);

/* Epochs: 0 = never initialised, odd = the host is resetting or gone,
 * even = ready. The host only ever moves it forward. */
static inline int fl_epoch_ready(uint32_t e)
{
	return e && !(e & 1);
}

void fl_ring_init(struct fl_ring *r, uint8_t *region, const struct fl_layout *l,
		  unsigned qi, unsigned dir);
/* Put the ring back to index 0 on this side and publish that (own field). */
void fl_ring_reset_producer(struct fl_ring *r);
void fl_ring_reset_consumer(struct fl_ring *r);

/* Datapath. Return a count, -EINVAL for a caller error, or FOLIO_EPEER with
 * q->viol naming the counter; the endpoint decides whether it was a
 * violation or a host restart, and counts and latches it (fl_queue_fail).
 * FL_ERESTART (never returned to a caller): the epoch at q->recheck moved
 * while the burst was copied; nothing of it was delivered or published. */
#define FL_ERESTART (-(FOLIO_E_BASE + 64))
int fl_ring_produce(struct fl_queue *q, const void *const *bufs,
		    const uint32_t *lens, unsigned n);
/* Header check of a guest (magic, version, digest), each field loaded once:
 * 0, FOLIO_ENOTREADY (magic 0), FOLIO_EMAGIC, FOLIO_EVERSION or FOLIO_EDIGEST. */
int fl_header_check(const struct fl_hdr *hdr, uint64_t digest);
int fl_ring_consume(struct fl_queue *q, void *const *bufs, uint32_t *lens,
		    unsigned n);
int fl_ring_peek(struct fl_queue *q, struct folio_frame *frames, unsigned n);
int fl_ring_done(struct fl_queue *q, const uint32_t *ids, unsigned n);

/* Mapping (map.c). Each mapping of the library is registered, so that a
 * SIGBUS inside it (the file was truncated) replaces it with zero pages and
 * sets lost instead of killing the process (docs/security.md). */
struct fl_map {
	uint8_t *base; /* NULL: free slot */
	uint64_t len;  /* bytes mapped: need, rounded to the file's block */
	int lost;      /* set by the SIGBUS handler */
};

int fl_map_fd(int fd, uint64_t need, struct fl_map **out);
void fl_unmap(struct fl_map *m);
void fl_numa_bind(void *base, uint64_t len, int node);
/* FOLIO_EUNSEALED if fd is a memfd without F_SEAL_SHRINK, else 0. */
int fl_check_sealed(int fd);

static inline int fl_map_lost(const struct fl_map *m)
{
	return __atomic_load_n(&m->lost, __ATOMIC_RELAXED);
}

/* The channel's mapping was lost: latch every call's queue FAILED, once. */
int fl_queue_lost(struct fl_queue *q, const char *side, unsigned qi);

/* Logging (util.c). The library never prints; this reaches the callback. */
void fl_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Value of one hex digit, or -1 (config.c and seal_config.c parse MACs, SCIs
 * and keys with it). */
static inline int fl_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* FL_INTERNAL_H */
