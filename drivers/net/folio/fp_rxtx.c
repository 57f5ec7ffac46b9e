/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_rxtx.c - net_folio's datapath: the receive and transmit bursts of
 * both roles. Guest: one copy each way. Host: receive copies the first
 * FP_HDR_COPY bytes of a frame and, with scatter, lends the rest in place
 * (folio_lend.h), or copies the whole frame; transmit copies. Each host
 * burst passes the watch's gate (fp_watch.h).
 */
#include <errno.h>
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
 * The stash holds raw mbufs, straight from rte_mempool_get_bulk: a pool
 * keeps its free mbufs with one reference, one segment and no next, so
 * only the fields an application may have left behind are set again, in
 * fp_mbuf_rx, when a frame fills the mbuf. The refill is one bulk get per
 * FP_STASH frames, off the per-frame path.
 */

/* The 8 bytes at rearm_data of a fresh mbuf of this port: data_off at the
 * headroom, one reference, one segment, the port. */
void fp_rx_rearm_init(struct fp_queue *q)
{
	struct rte_mbuf m;

	memset(&m, 0, sizeof(m));
	m.data_off = RTE_PKTMBUF_HEADROOM;
	rte_mbuf_refcnt_set(&m, 1);
	m.nb_segs = 1;
	m.port = q->port;
	memcpy(&q->rearm, &m.rearm_data, sizeof(q->rearm));
}

/* Where a stashed mbuf's frame goes: the headroom is fixed, whatever
 * data_off the mbuf's last user left. */
static inline void *fp_mbuf_room(struct rte_mbuf *m)
{
	return (char *)m->buf_addr + RTE_PKTMBUF_HEADROOM;
}

/* A stashed mbuf now holds one segment of len bytes. What rte_pktmbuf_reset
 * would clear and an rx burst reports is set; the rest is the pool's. */
static inline void fp_mbuf_rx(uint64_t rearm, struct rte_mbuf *m, uint32_t len)
{
	memcpy(&m->rearm_data, &rearm, sizeof(rearm));
	m->ol_flags &= RTE_MBUF_F_EXTERNAL; /* a pinned external buffer stays */
	m->packet_type = 0;
	m->pkt_len = len;
	m->data_len = (uint16_t)len;
	m->vlan_tci = 0;
}

/* Make sure the stash holds n mbufs. @return how many it holds. */
static inline unsigned fp_stash_fill(struct fp_queue *q, unsigned n)
{
	if (q->stash_n < n) {
		unsigned want = FP_STASH - q->stash_n;

		/* Refill in one go; when the pool runs low, take just
		 * what this burst needs. */
		if (rte_mempool_get_bulk(q->mp, (void **)&q->stash[q->stash_n],
					 want)) {
			want = n - q->stash_n;
			if (rte_mempool_get_bulk(q->mp,
						 (void **)&q->stash[q->stash_n],
						 want)) {
				q->rx_nombuf++;
				return q->stash_n;
			}
		}
		q->stash_n += want;
	}
	return n;
}

/* Lay n mbufs from the top of the stash into pkts[0..n) and their frame
 * rooms into bufs[0..n). The stash stays as it is until fp_stash_keep:
 * an mbuf that gets no frame is simply not taken. */
static inline void fp_stash_lay(struct fp_queue *q, struct rte_mbuf **pkts,
				void **bufs, unsigned n)
{
	struct rte_mbuf **top = &q->stash[q->stash_n];

	for (unsigned i = 0; i < n; i++) {
		pkts[i] = *--top;
		bufs[i] = fp_mbuf_room(pkts[i]);
	}
}

/* The first k laid mbufs hold frames of lens[]: set them, take them. */
static inline void fp_stash_keep(struct fp_queue *q, struct rte_mbuf **pkts,
				 const uint32_t *lens, unsigned k)
{
	uint64_t rearm = q->rearm;

	for (unsigned i = 0; i < k; i++)
		fp_mbuf_rx(rearm, pkts[i], lens[i]);
	q->stash_n -= k;
}

uint16_t fp_guest_rx(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct fp_queue *q = rxq;
	struct folio_guest *g = fp_guest(q->priv);
	void *bufs[FP_STASH];
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
	fp_stash_lay(q, pkts, bufs, n);
	/* The one copy: slot -> the application's mbuf. */
	rc = folio_guest_rx_burst(g, q->qid, bufs, lens, n);
	if (rc <= 0)
		return 0; /* idle, host away (ENOTREADY) or failed: counted */
	fp_stash_keep(q, pkts, lens, (unsigned)rc);
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
	void *bufs[FP_STASH];
	uint32_t lens[FP_STASH];
	int rc;

	fp_stash_lay(q, pkts, bufs, n);
	rc = folio_host_rx_burst(p->host, q->qid, bufs, lens, n);
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
	fp_stash_keep(q, pkts, lens, (unsigned)rc);
	return (uint16_t)rc;
}

/* Split a frame: its first FP_HDR_COPY bytes into the head mbuf (private
 * memory: what the application classifies on is fixed from now on), the
 * rest lent in place as a second segment whose external buffer is exactly
 * that rest, with no head- or tailroom into the guest's slot. */
static inline void fp_host_split(struct fp_queue *q, struct rte_mbuf *m,
				 struct rte_mbuf *tail,
				 const struct folio_frame *fr)
{
	/* The copy is made once, behind a compiler barrier: never re-read. */
	fl_lend_copy(fp_mbuf_room(m), fr, FP_HDR_COPY);
	fl_lend_attach(&q->lend, tail, fr, FP_HDR_COPY);
	tail->port = q->port;
	fp_mbuf_rx(q->rearm, m, FP_HDR_COPY);
	m->pkt_len = fr->len;
	m->nb_segs = 2;
	m->next = tail;
}

static uint16_t fp_host_rx_lend(struct fp_queue *q, struct rte_mbuf **pkts,
				uint16_t nb)
{
	struct fp_priv *p = q->priv;
	struct folio_frame fr[FP_STASH];
	struct rte_mbuf *tails[FP_STASH];
	void *bufs[FP_STASH];
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
	fp_stash_lay(q, pkts, bufs, (unsigned)rc);
	for (int i = 0; i < rc; i++) {
		struct rte_mbuf *m = pkts[i];

		if (fr[i].len < p->zc_thresh || lent == want) {
			rte_memcpy(bufs[i], fr[i].data, fr[i].len);
			(void)folio_host_rx_done(p->host, q->qid, fr[i].id);
			fp_mbuf_rx(q->rearm, m, fr[i].len);
			small++;
		} else {
			/* Only the length is trusted; the lent bytes are guest
			 * data that the guest may still change. */
			fp_host_split(q, m, tails[lent++], &fr[i]);
		}
	}
	if (lent)
		fl_lend_count(&q->lend, lent);
	q->copy_mode = small == (unsigned)rc;
	q->stash_n -= (unsigned)rc;
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
	struct rte_mempool *pool = NULL;
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
			if (!fast_free) {
				if (!pool)
					pool = m->pool;
				all &= m->pool == pool &&
				       rte_mbuf_refcnt_read(m) == 1 &&
				       RTE_MBUF_DIRECT(m);
			}
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
