/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio_lend.h - what both host backends (folio-hostd and net_folio's host
 * role) do with guest frames lent in place: the external-buffer slot table,
 * the batched give-back, the copy of the bytes a host classifies on, and
 * the policy that re-creates the region of a guest that left or failed.
 *
 * Public DPDK API only (rte_mbuf.h, rte_malloc.h), so that folio-hostd
 * still builds with a distribution's libdpdk-dev alone.
 *
 * Threading: one lcore drives a queue. The free callback of a lent mbuf
 * writes the queue's give-back list without a lock, so a lent mbuf is freed
 * on the lcore that polls its queue, or while that queue is not polled.
 */
#ifndef FOLIO_LEND_H
#define FOLIO_LEND_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_mbuf.h>

#include "folio.h"

struct fl_lend;

/* One ring entry: the shared info of the external buffer on its slot. */
struct fl_lend_slot {
	struct rte_mbuf_ext_shared_info shinfo;
	struct fl_lend *l;
	uint32_t id;
};

/* The lending state of one guest-to-host queue. */
struct fl_lend {
	/* The endpoint the lent frames belong to. The free callback uses
	 * this, not the backend's own pointer, which may be gone. */
	struct folio_host *host;
	uint16_t q;
	int iova_va;   /* the IOVA of a slot is its virtual address */
	uint32_t mask; /* ring_entries - 1 */
	/* Frames attached to mbufs and not yet freed. Written by the queue's
	 * lcore only; others read it with fl_lend_out(). */
	uint32_t lent;
	/* Ids of freed lent frames, given back together by fl_lend_flush().
	 * One tight loop of index stores per burst keeps the consumer index
	 * line in this core's cache, where a store per mbuf free would bounce
	 * it to the guest's core and back for every frame. */
	uint32_t nret;
	uint32_t *ret;
	struct fl_lend_slot *slot;
};

/**
 * Set up the lending state of queue q of endpoint h (h may be NULL until
 * the region exists; see fl_lend_rebind()), for a ring of entries slots,
 * with memory on NUMA socket (SOCKET_ID_ANY for any).
 * @return 0, or -ENOMEM.
 */
int fl_lend_init(struct fl_lend *l, struct folio_host *h, uint16_t q,
		 uint32_t entries, int socket);

/** Free what fl_lend_init() allocated. Only once nothing is lent. */
void fl_lend_fini(struct fl_lend *l);

/**
 * Point the queue at a new endpoint (a re-created region). Frames freed but
 * not yet given back belonged to the old one and are forgotten. Only once
 * nothing is lent.
 */
void fl_lend_rebind(struct fl_lend *l, struct folio_host *h);

/** Frames still lent out of this queue (acquire: pairs with the free). */
static inline uint32_t fl_lend_out(const struct fl_lend *l)
{
	return __atomic_load_n(&l->lent, __ATOMIC_ACQUIRE);
}

/** Give every freed lent frame back to the guest: one call, one store. */
static inline void fl_lend_flush(struct fl_lend *l)
{
	if (l->nret) {
		(void)folio_host_rx_done_burst(l->host, l->q, l->ret, l->nret);
		l->nret = 0;
	}
}

/**
 * Attach m to the bytes [off, f->len) of lent frame f as a read-only
 * external buffer: exactly the frame's bytes, no more of the slot. Freeing
 * m queues the slot for fl_lend_flush(). The caller counts n attached
 * frames with fl_lend_count() once per burst.
 */
static inline void fl_lend_attach(struct fl_lend *l, struct rte_mbuf *m,
				  const struct folio_frame *f, uint32_t off)
{
	struct fl_lend_slot *s = &l->slot[f->id & l->mask];
	uint8_t *data = (uint8_t *)(uintptr_t)f->data + off;
	uint16_t len = (uint16_t)(f->len - off);

	s->id = f->id;
	rte_mbuf_ext_refcnt_set(&s->shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, data,
				  l->iova_va ? (rte_iova_t)(uintptr_t)data : RTE_BAD_IOVA,
				  len, &s->shinfo);
	m->data_len = len;
	m->pkt_len = len;
}

/** Count n frames attached by fl_lend_attach() in this burst. */
static inline void fl_lend_count(struct fl_lend *l, uint32_t n)
{
	__atomic_store_n(&l->lent, l->lent + n, __ATOMIC_RELAXED);
}

/**
 * Copy the first n bytes of lent frame f into private memory. The compiler
 * barrier after the copy keeps it a real copy: what the caller checks and
 * then uses is read from dst, never again from the slot, which the guest
 * may rewrite at any time.
 */
static inline void fl_lend_copy(void *dst, const struct folio_frame *f,
				uint32_t n)
{
	memcpy(dst, f->data, n);
	rte_compiler_barrier();
}

/* ---- re-creation of a region whose guest left or failed ---------------- */

/* When a host re-creates the region of a guest that left or broke the
 * protocol: once the channel has been down for hold timer cycles and
 * nothing is lent out of it. The new region has a new epoch, which a
 * restarted guest attaches to. A failed create is retried hold later. */
struct fl_reset {
	uint64_t hold;    /* timer cycles; 0 = never */
	uint64_t down_at; /* timer cycles when first seen down; 0 = up */
	uint64_t resets;  /* regions re-created */
};

/** Set the hold time in seconds (0 = never re-create; at most 3600). */
void fl_reset_init(struct fl_reset *r, double seconds);

/**
 * Feed the channel's state at time now (rte_get_timer_cycles()).
 * @return 1 when it has been down for the hold time: re-create it now (if
 * nothing is lent), then call fl_reset_done(); 0 otherwise.
 */
int fl_reset_due(struct fl_reset *r, int down, uint64_t now);

/** The region was re-created (ok = 1), or its creation failed (ok = 0). */
void fl_reset_done(struct fl_reset *r, int ok, uint64_t now);

/**
 * Whether the guest has left or failed any of the first queues queues of
 * h: a queue latched FAILED, or not ready after the guest withdrew its
 * ack (FOLIO_STAT_PEER_LEFT). A NULL h counts as down.
 */
int fl_host_down(const struct folio_host *h, unsigned queues);

/**
 * Replace *h (closed if not NULL) with a new endpoint for cfg: a new
 * epoch. On failure *h is NULL.
 * @return 0, or the error of folio_host_create().
 */
int fl_host_recreate(const struct folio_config *cfg, struct folio_host **h);

/** A folio or errno code as a negative errno for DPDK (-EIO for a folio one). */
static inline int fl_errno(int rc)
{
	return rc < 0 && rc > -FOLIO_E_BASE ? rc : -EIO;
}

#endif
