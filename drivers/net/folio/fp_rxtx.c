/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_rxtx.c - net_folio's datapath: the receive and transmit bursts of
 * both roles. Guest: one copy each way. Host: receive copies the first
 * FP_HDR_COPY bytes of a frame and, with scatter, lends the rest in place
 * (folio_lend.h), or copies the whole frame; transmit copies. Each host
 * burst passes the watch's gate (fp_watch.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "folio.h"
#include "folio_lend.h"
#include "fp_priv.h"
#include "fp_rxtx.h"
#include "fp_watch.h"

/* ---- rx ----------------------------------------------------------------- */

/*
 * The stash holds raw mbufs, straight from the pool (fp_pool_take): a pool
 * keeps its free mbufs with one reference, one segment and no next, so
 * only the fields an application may have left behind are set again, in
 * fp_mbuf_rx, when a frame fills the mbuf. stash[lo, hi) are the mbufs,
 * room[lo, hi) where their frames go: a burst passes &room[lo] to the
 * library as it is and takes mbufs from lo up. The refill is one block
 * copy out of the lcore's mempool cache (or one bulk get) per stash of
 * frames, off the per-frame path.
 */

/* A pool made by rte_pktmbuf_pool_create keeps each mbuf's data room right
 * behind the mbuf and its private area (rte_pktmbuf_init), and a direct
 * mbuf goes back to its pool with that buf_addr: then where a frame goes
 * is the mbuf's address plus a constant, with no load of buf_addr per
 * mbuf. A pool of pinned external buffers, or one whose objects are laid
 * out otherwise (one mbuf is looked at), keeps the load: 0. */
static uint32_t fp_room_off(struct rte_mempool *mp)
{
	const uint32_t behind = (uint32_t)sizeof(struct rte_mbuf) +
				rte_pktmbuf_priv_size(mp);
	struct rte_mbuf *m;
	uint32_t off = 0;

	if ((rte_pktmbuf_priv_flags(mp) & RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF) ||
	    mp->elt_size < behind + rte_pktmbuf_data_room_size(mp))
		return 0;
	if (rte_mempool_get(mp, (void **)&m))
		return 0; /* no mbuf to look at: the safe form */
	if ((char *)m->buf_addr == (char *)m + behind)
		off = behind + RTE_PKTMBUF_HEADROOM;
	rte_mempool_put(mp, m);
	return off;
}

/* Take at least need and at most room mbufs from mp, raw. From this
 * lcore's cache when it holds need: as many as it has, up to room, in one
 * block copy of the newest pointers (their order does not matter here),
 * instead of the pool's one-by-one reversed copy. Otherwise room, or failing
 * that need, by the pool's own path, which refills the cache. The block
 * copy skips what only a DPDK built with RTE_LIBRTE_MEMPOOL_DEBUG or
 * _STATS does on a get (cookie checks, cache statistics).
 * @return how many were taken: 0 when the pool cannot give need. */
static inline unsigned fp_pool_take(struct rte_mempool *mp,
				    struct rte_mbuf **objs, unsigned need,
				    unsigned room)
{
	struct rte_mempool_cache *c = rte_mempool_default_cache(mp,
								rte_lcore_id());

	if (likely(c != NULL && c->len >= need)) {
		unsigned n = c->len < room ? c->len : room;

		c->len -= n;
		rte_memcpy(objs, &c->objs[c->len], n * sizeof(objs[0]));
		return n;
	}
	if (rte_mempool_get_bulk(mp, (void **)objs, room) == 0)
		return room;
	if (rte_mempool_get_bulk(mp, (void **)objs, need) == 0)
		return need;
	return 0;
}

/* The 8 bytes at rearm_data of a fresh mbuf of this port (headroom, one
 * reference, one segment, the port), and its ol_flags: none, but the
 * flag every mbuf of a pool of pinned external buffers carries. Also where
 * a frame goes in an mbuf of the pool (fp_room_off). */
void fp_rx_rearm_init(struct fp_queue *q)
{
	struct rte_mbuf m;

	memset(&m, 0, sizeof(m));
	m.data_off = RTE_PKTMBUF_HEADROOM;
	rte_mbuf_refcnt_set(&m, 1);
	m.nb_segs = 1;
	m.port = q->port;
	memcpy(&q->rearm, &m.rearm_data, sizeof(q->rearm));
	q->ol_init = (rte_pktmbuf_priv_flags(q->mp) &
		      RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF) ? RTE_MBUF_F_EXTERNAL : 0;
	q->room_off = fp_room_off(q->mp);
}

void fp_stash_release(struct fp_queue *q)
{
	if (q->hi > q->lo) /* raw mbufs, as the pool gave them */
		rte_mempool_put_bulk(q->mp, (void **)&q->stash[q->lo],
				     q->hi - q->lo);
	q->lo = q->hi = 0;
}

/* A stashed mbuf now holds one segment of len bytes. What rte_pktmbuf_reset
 * would clear and an rx burst reports is set; the rest is the pool's.
 * packet_type (0), pkt_len, data_len and vlan_tci (0) sit side by side:
 * on a little-endian CPU they go out as one 8- and one 4-byte store. A
 * frame is never longer than the mbuf's data room (checked at rx queue
 * setup), so len fits data_len. */
static inline void fp_mbuf_rx(uint64_t rearm, uint64_t ol, struct rte_mbuf *m,
			      uint32_t len)
{
	memcpy(&m->rearm_data, &rearm, sizeof(rearm));
	m->ol_flags = ol;
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, pkt_len) !=
			 offsetof(struct rte_mbuf, packet_type) + 4 ||
			 offsetof(struct rte_mbuf, data_len) !=
			 offsetof(struct rte_mbuf, packet_type) + 8 ||
			 offsetof(struct rte_mbuf, vlan_tci) !=
			 offsetof(struct rte_mbuf, packet_type) + 10);
	/* len <= max_frame <= the mbuf's data room, below 65536: it fills
	 * data_len and leaves vlan_tci 0. */
	uint64_t type_len = (uint64_t)len << 32;
	uint32_t data_vlan = len;

	memcpy(&m->packet_type, &type_len, sizeof(type_len));
	memcpy(&m->data_len, &data_vlan, sizeof(data_vlan));
#else
	m->packet_type = 0;
	m->pkt_len = len;
	m->data_len = (uint16_t)len;
	m->vlan_tci = 0;
#endif
}

/* Make sure the stash holds n mbufs. @return how many it holds (n, or
 * fewer when the pool runs dry). */
static inline unsigned fp_stash_fill(struct fp_queue *q, unsigned n)
{
	unsigned have = q->hi - q->lo, want;

	if (likely(have >= n))
		return n;
	/* The few left move to the front, the rest is filled in one go
	 * (as much as this lcore's cache holds, or the whole stash from the
	 * pool); when the pool runs low, just what this burst needs. */
	if (have) {
		memmove(q->stash, &q->stash[q->lo], have * sizeof(q->stash[0]));
		memmove(q->room, &q->room[q->lo], have * sizeof(q->room[0]));
	}
	q->lo = 0;
	q->hi = have;
	want = fp_pool_take(q->mp, &q->stash[have], n - have, FP_STASH - have);
	if (!want) {
		q->rx_nombuf++;
		return have;
	}
	/* Where a frame goes: the headroom is fixed, whatever data_off the
	 * mbuf's last user left. */
	struct rte_mbuf **m = q->stash;
	void **room = q->room;
	const uint32_t off = q->room_off;

	if (likely(off)) {
#pragma GCC unroll 4
		for (unsigned i = have; i < have + want; i++)
			room[i] = (char *)m[i] + off;
	} else {
#pragma GCC unroll 4
		for (unsigned i = have; i < have + want; i++)
			room[i] = (char *)m[i]->buf_addr + RTE_PKTMBUF_HEADROOM;
	}
	q->hi = have + want;
	return n;
}

/* The first k stashed mbufs hold frames of lens[]: set them, hand them
 * out in pkts[]. */
static inline void fp_stash_take(struct fp_queue *q, struct rte_mbuf **pkts,
				 const uint32_t *lens, unsigned k)
{
	struct rte_mbuf **s = &q->stash[q->lo];
	const uint64_t rearm = q->rearm, ol = q->ol_init;

#pragma GCC unroll 4
	for (unsigned i = 0; i < k; i++) {
		pkts[i] = s[i];
		fp_mbuf_rx(rearm, ol, s[i], lens[i]);
	}
	q->lo += k;
}

uint16_t fp_guest_rx(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct fp_queue *q = rxq;
	struct folio_guest *g = fp_guest(q->priv);
	uint32_t lens[FP_STASH];
	unsigned n;
	int rc;

	if (unlikely(!g)) {
		if (fp_guest_try_open(q->priv, 0))
			return 0;
		g = fp_guest(q->priv);
	}
	n = fp_stash_fill(q, nb < FP_STASH ? nb : FP_STASH);
	if (unlikely(!n))
		return 0;
	/* The one copy: slot -> the application's mbuf. */
	rc = folio_guest_rx_burst(g, q->qid, &q->room[q->lo], lens, n);
	if (rc <= 0)
		return 0; /* idle, host away (ENOTREADY) or failed: counted */
	fp_stash_take(q, pkts, lens, (unsigned)rc);
	return (uint16_t)rc;
}

/* Copy mode: every frame is copied into the mbuf in one burst call, and
 * the slots go back to the guest with one index store. Used while frames
 * are short (below zc_min) and none is lent out, since lending needs every
 * older slot given back first. */
static uint16_t fp_host_rx_copy(struct fp_queue *q, struct rte_mbuf **pkts,
				unsigned n)
{
	struct fp_priv *p = q->priv;
	uint32_t lens[FP_STASH];
	int rc;

	rc = folio_host_rx_burst(p->host, q->qid, &q->room[q->lo], lens, n);
	if (rc <= 0) {
		if (rc == -EBUSY) /* frames still lent: lend, do not copy */
			q->copy_mode = 0;
		return 0;
	}
	if (p->scatter) {
		uint32_t longest = 0;

		for (int i = 0; i < rc; i++)
			longest = lens[i] > longest ? lens[i] : longest;
		if (longest >= p->zc_thresh)
			q->copy_mode = 0; /* lend frames this size from now on */
	}
	fp_stash_take(q, pkts, lens, (unsigned)rc);
	return (uint16_t)rc;
}

/* Split a frame: its first FP_HDR_COPY bytes into the head mbuf (private
 * memory: what the application classifies on is fixed from now on), the
 * rest lent in place as a second segment whose external buffer is exactly
 * that rest, with no head- or tailroom into the guest's slot. */
static inline void fp_host_split(struct fp_queue *q, struct rte_mbuf *m,
				 void *room, struct rte_mbuf *tail,
				 const struct folio_frame *fr)
{
	/* The copy is made once, behind a compiler barrier: never re-read. */
	fl_lend_copy(room, fr, FP_HDR_COPY);
	fl_lend_attach(&q->lend, tail, fr, FP_HDR_COPY);
	tail->port = q->port;
	fp_mbuf_rx(q->rearm, q->ol_init, m, FP_HDR_COPY);
	m->pkt_len = fr->len;
	m->nb_segs = 2;
	m->next = tail;
}

static uint16_t fp_host_rx_lend(struct fp_queue *q, struct rte_mbuf **pkts,
				uint16_t nb)
{
	struct fp_priv *p = q->priv;
	struct folio_frame fr[FP_STASH];
	struct rte_mbuf *tails[FP_STASH], **s;
	void **room;
	unsigned n, lent = 0, small = 0, want = 0;
	int rc;

	fl_lend_flush(&q->lend);
	n = fp_stash_fill(q, nb < FP_STASH ? nb : FP_STASH);
	if (unlikely(!n))
		return 0;
	/* Without scatter the application takes one segment: copy whole. */
	if (!p->scatter || (q->copy_mode && q->lend.lent == 0))
		return fp_host_rx_copy(q, pkts, n);
	rc = folio_host_rx_peek(p->host, q->qid, fr, n);
	if (rc <= 0)
		return 0; /* idle, guest absent, or failed: counted */
	for (int i = 0; i < rc; i++)
		want += fr[i].len >= p->zc_thresh;
	/* A second mbuf per lent frame; when the pool is short, copy. */
	if (want && rte_pktmbuf_alloc_bulk(q->mp, tails, want)) {
		q->rx_nombuf++;
		want = 0;
	}
	s = &q->stash[q->lo];
	room = &q->room[q->lo];
	for (int i = 0; i < rc; i++) {
		struct rte_mbuf *m = s[i];

		pkts[i] = m;
		if (fr[i].len < p->zc_thresh || lent == want) {
			rte_memcpy(room[i], fr[i].data, fr[i].len);
			(void)folio_host_rx_done(p->host, q->qid, fr[i].id);
			fp_mbuf_rx(q->rearm, q->ol_init, m, fr[i].len);
			small++;
		} else {
			/* Only the length is trusted; the lent bytes are guest
			 * data that the guest may still change. */
			fp_host_split(q, m, room[i], tails[lent++], &fr[i]);
		}
	}
	if (lent)
		fl_lend_count(&q->lend, lent);
	q->copy_mode = small == (unsigned)rc;
	q->lo += (unsigned)rc;
	return (uint16_t)rc;
}

uint16_t fp_host_rx(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct fp_queue *q = rxq;
	uint16_t n;

	if (unlikely(!fp_gate_enter(q, FP_RX)))
		return 0; /* the region is being re-created */
	n = fp_host_rx_lend(q, pkts, nb);
	fp_gate_exit(q, FP_RX);
	return n;
}

/* ---- tx ----------------------------------------------------------------- */

/*
 * Gather up to nb frames: drop (and count) a leading frame whose length the
 * configuration refuses, stop before a later one so that the mbufs taken
 * stay a prefix. A multi-segment mbuf is gathered into a bounce buffer
 * (two copies); single-segment mbufs are copied once, straight from the
 * mbuf into the slot. The same pass learns whether every frame taken is
 * "plain": one direct segment with one reference from one pool, so that
 * the burst's mbufs go back with one rte_mempool_put_bulk. With fast_free
 * the application has promised the pool and the reference count
 * (RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE); only the segment count is checked.
 * @return frames to send; *skip = dropped leading ones.
 */
static inline unsigned fp_tx_gather(struct fp_queue *q, struct rte_mbuf **pkts,
				    unsigned nb, const void **bufs,
				    uint32_t *lens, unsigned *skip,
				    int *plain, const int fast_free)
{
	uint32_t max = q->priv->max_frame;
	struct rte_mempool *pool = nb ? pkts[0]->pool : NULL;
	unsigned n = 0, bounce = 0, i;
	int all = 1;

	*skip = 0;
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = m->pkt_len;

		/* FOLIO_MIN_FRAME <= len <= max, in one compare. */
		if (unlikely(len - FOLIO_MIN_FRAME > max - FOLIO_MIN_FRAME)) {
			if (n)
				break;
			q->tx_bad++;
			rte_pktmbuf_free(m);
			(*skip)++;
			continue;
		}
		if (likely(m->nb_segs == 1)) {
			bufs[n] = rte_pktmbuf_mtod(m, const void *);
			/* Without a branch: & rather than &&. */
			if (!fast_free)
				all &= (m->pool == pool) &
				       (rte_mbuf_refcnt_read(m) == 1) &
				       RTE_MBUF_DIRECT(m);
		} else {
			uint8_t *b;

			if (bounce == FP_BOUNCE)
				break;
			b = q->bounce + (size_t)bounce++ * max;
			bufs[n] = rte_pktmbuf_read(m, 0, len, b);
			all = 0;
		}
		lens[n++] = len;
	}
	*plain = all;
	return n;
}

/* Both forms of the gather, chosen once per burst by the queue's offload:
 * the constant folds the checks away from the fast-free form. */
static inline unsigned fp_tx_gather_q(struct fp_queue *q,
				      struct rte_mbuf **pkts, unsigned nb,
				      const void **bufs, uint32_t *lens,
				      unsigned *skip, int *plain)
{
	if (nb > FP_STASH)
		nb = FP_STASH;
	if (q->fast_free)
		return fp_tx_gather(q, pkts, nb, bufs, lens, skip, plain, 1);
	return fp_tx_gather(q, pkts, nb, bufs, lens, skip, plain, 0);
}

/* Free the rc mbufs sent, after the skip dropped ones. */
static inline uint16_t fp_tx_finish(struct rte_mbuf **pkts, unsigned skip,
				    int plain, int rc)
{
	if (rc <= 0)
		return (uint16_t)skip; /* full, peer away, or failed */
	if (plain)
		rte_mempool_put_bulk(pkts[skip]->pool, (void **)(pkts + skip),
				     (unsigned)rc);
	else
		rte_pktmbuf_free_bulk(pkts + skip, (unsigned)rc);
	return (uint16_t)(skip + (unsigned)rc);
}

uint16_t fp_guest_tx(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct fp_queue *q = txq;
	struct folio_guest *g = fp_guest(q->priv);
	const void *bufs[FP_STASH];
	uint32_t lens[FP_STASH];
	unsigned n, skip;
	int plain;

	if (unlikely(!g)) {
		if (fp_guest_try_open(q->priv, 0))
			return 0;
		g = fp_guest(q->priv);
	}
	n = fp_tx_gather_q(q, pkts, nb, bufs, lens, &skip, &plain);
	/* The one copy: the application's mbuf -> slot. */
	return fp_tx_finish(pkts, skip, plain,
			    n ? folio_guest_tx_burst(g, q->qid, bufs, lens, n) : 0);
}

uint16_t fp_host_tx(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct fp_queue *q = txq;
	const void *bufs[FP_STASH];
	uint32_t lens[FP_STASH];
	unsigned n, skip;
	uint16_t done;
	int plain;

	if (unlikely(!fp_gate_enter(q, FP_TX)))
		return 0; /* the region is being re-created */
	n = fp_tx_gather_q(q, pkts, nb, bufs, lens, &skip, &plain);
	done = fp_tx_finish(pkts, skip, plain,
			    n ? folio_host_tx_burst(q->priv->host, q->qid, bufs,
						    lens, n) : 0);
	fp_gate_exit(q, FP_TX);
	return done;
}
