/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * switch.c - folio-hostd's MAC switch: port frames to the guest whose MAC
 * they name (broadcast and multicast to all), guest frames to the port
 * when their source MAC is the guest's own; and each guest channel's
 * failure and re-creation. hostd.c says how frames are lent and copied.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>

#include "hostd.h"

/* Frames of guest g the port still holds. */
static uint32_t guest_lent(const struct guest *g)
{
	uint32_t n = 0;

	for (unsigned q = 0; q < g->cfg.queues; q++)
		n += fl_lend_out(&g->lend[q]);
	return n;
}

/* (Re)create the guest's region: a new epoch. */
int guest_open(struct guest *g)
{
	int rc = fl_host_recreate(&g->cfg, &g->h);

	for (unsigned q = 0; q < g->cfg.queues; q++)
		fl_lend_rebind(&g->lend[q], g->h);
	if (rc) {
		fprintf(stderr, "folio-hostd: %s: cannot create region %s: %s\n",
			g->path, g->cfg.region, folio_strerror(rc));
		g->failed = 1;
		return rc;
	}
	g->failed = 0;
	g->left = 0;
	g->txq = 0;
	return 0;
}

/* Drop a guest's waiting port frames (its channel went down). */
void backlog_drop(struct guest *g)
{
	g->st[G_TO_GUEST_DOWN] += g->bl_n;
	if (g->bl_n)
		rte_pktmbuf_free_bulk(g->bl, g->bl_n);
	g->bl_n = 0;
}

static void guest_fail(struct guest *g, unsigned q, int rc)
{
	if (g->failed)
		return;
	g->failed = 1;
	g->left = rc == FOLIO_EGONE;
	/* A guest that left is not a violation; both stop the channel until
	 * it is recreated with a new epoch. */
	g->st[rc == FOLIO_EGONE ? G_PEER_LEFT : G_PEER_ERR]++;
	fprintf(stderr, "folio-hostd: guest %u (%s) queue %u: %s; channel stopped\n",
		(unsigned)(g - hd.guests), g->cfg.region, q, folio_strerror(rc));
}

/* A failed channel is recreated (new epoch) --reset-failed seconds after it
 * failed, once nothing is lent from it (folio_lend.h has the policy). */
void guest_maybe_reset(struct guest *g, uint64_t now)
{
	int ok;

	if (!fl_reset_due(&g->rs, g->failed, now) || guest_lent(g))
		return;
	backlog_drop(g);
	ok = guest_open(g) == 0;
	fl_reset_done(&g->rs, ok, now);
	if (ok)
		fprintf(stderr, "folio-hostd: guest %u (%s): channel reset, epoch %u\n",
			(unsigned)(g - hd.guests), g->cfg.region, folio_host_epoch(g->h));
}

/* Take one reference of m for guest g, or count why not. */
static int queue_to_guest(struct guest *g, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (!g->h || g->failed) {
		g->st[G_TO_GUEST_DOWN]++;
		return 0;
	}
	if (len < ETH_HLEN_ || len > g->max_frame) {
		g->st[G_TO_GUEST_SIZE]++;
		return 0;
	}
	if (g->bl_n == BACKLOG) {
		g->st[G_TO_GUEST_FULL]++;
		return 0;
	}
	g->bl[g->bl_n++] = m;
	return 1;
}

/*
 * Copy a guest's waiting port frames into its ring, oldest first. Frames
 * the ring has no room for wait (up to BACKLOG) for the next poll, so a
 * burst the guest drains a moment later is not lost.
 */
static unsigned flush_to_guest(struct guest *g)
{
	const void *bufs[BURST];
	uint32_t lens[BURST];
	unsigned done = 0, nq = g->cfg.queues;

	while (g->bl_n > done) {
		unsigned n = RTE_MIN(g->bl_n - done, BURST), q = g->txq;
		int rc = FOLIO_ENOTREADY;
		uint64_t bytes = 0;

		for (unsigned i = 0; i < n; i++) {
			struct rte_mbuf *m = g->bl[done + i];

			lens[i] = rte_pktmbuf_pkt_len(m);
			if (m->nb_segs == 1) {
				bufs[i] = rte_pktmbuf_mtod(m, const void *);
			} else {
				/* The one copy needs contiguous bytes: gather a
				 * chained mbuf first (a second copy, counted). */
				bufs[i] = rte_pktmbuf_read(m, 0, lens[i],
							   hd.bounce + (size_t)i * hd.bounce_stride);
				g->st[G_BOUNCED]++;
			}
		}
		/* Port frames go to the first attached queue (tapd serves one). */
		for (unsigned i = 0; i < nq; i++) {
			q = (g->txq + i) % nq;
			rc = folio_host_tx_burst(g->h, q, bufs, lens, n);
			if (rc != FOLIO_ENOTREADY)
				break;
		}
		if (rc < 0) {
			if (rc == FOLIO_EPEER || rc == FOLIO_EFAILED || rc == FOLIO_ELOST ||
			    rc == FOLIO_EGONE)
				guest_fail(g, q, rc);
			else if (rc != FOLIO_ENOTREADY)
				fprintf(stderr, "folio-hostd: guest %u: %s\n",
					(unsigned)(g - hd.guests), folio_strerror(rc));
			/* Not attached (or failed): dropped, as by a NIC
			 * without link. */
			g->bl_n -= done;
			memmove(g->bl, g->bl + done, g->bl_n * sizeof(g->bl[0]));
			backlog_drop(g);
			return done;
		}
		g->txq = q;
		for (int i = 0; i < rc; i++)
			bytes += lens[i];
		g->st[G_TO_GUEST] += (uint64_t)rc;
		g->st[G_TO_GUEST_BYTES] += bytes;
		rte_pktmbuf_free_bulk(g->bl + done, (unsigned)rc);
		done += (unsigned)rc;
		if ((unsigned)rc < n)
			break;
	}
	if (done) {
		g->bl_n -= done;
		memmove(g->bl, g->bl + done, g->bl_n * sizeof(g->bl[0]));
	}
	return done;
}

unsigned port_to_guests(void)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = rte_eth_rx_burst(hd.port, 0, pkts, BURST);
	unsigned work = n;

	hd.port_rx += n;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eh;
		struct rte_ether_hdr tmp;
		uint16_t refs = 0;
		int hit = 0;

		eh = rte_pktmbuf_read(m, 0, sizeof(tmp), &tmp);
		if (eh) {
			int mcast = rte_is_multicast_ether_addr(&eh->dst_addr);

			for (unsigned k = 0; k < hd.nguests; k++) {
				struct guest *g = &hd.guests[k];

				if (!mcast && memcmp(eh->dst_addr.addr_bytes,
						     g->cfg.guest_mac, 6))
					continue;
				hit = 1;
				refs = (uint16_t)(refs + queue_to_guest(g, m));
			}
		}
		if (!hit)
			hd.no_dest++;
		if (refs == 0)
			rte_pktmbuf_free(m);
		else if (refs > 1) /* broadcast: one reference per guest */
			rte_mbuf_refcnt_update(m, (int16_t)(refs - 1));
	}
	for (unsigned k = 0; k < hd.nguests; k++)
		work += flush_to_guest(&hd.guests[k]);
	return work;
}

/* Build the mbuf for one lent guest frame, or NULL (frame given back). */
static struct rte_mbuf *frame_mbuf(struct guest *g, unsigned q,
				   const struct folio_frame *f)
{
	struct rte_mbuf *m, *ext;
	struct rte_ether_hdr *eh;
	uint32_t len = f->len;
	int copy = len < hd.zc_min || !hd.port_multiseg;

	m = rte_pktmbuf_alloc(hd.pool);
	if (!m) {
		g->st[G_NO_MBUF]++;
		goto give_back;
	}
	if (copy && len > rte_pktmbuf_tailroom(m)) {
		g->st[G_NO_MBUF]++;
		goto give_back;
	}
	/* The header (or the whole short frame) goes to private memory first:
	 * the source MAC checked is the one sent. */
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(copy ? len : ETH_HLEN_));
	fl_lend_copy(eh, f, copy ? len : ETH_HLEN_);
	if (memcmp(eh->src_addr.addr_bytes, g->cfg.guest_mac, 6) != 0) {
		g->st[G_BAD_SRC]++;
		goto give_back;
	}
	if (copy) {
		(void)folio_host_rx_done(g->h, q, f->id);
		return m;
	}
	ext = rte_pktmbuf_alloc(hd.pool);
	if (!ext) {
		g->st[G_NO_MBUF]++;
		goto give_back;
	}
	fl_lend_attach(&g->lend[q], ext, f, ETH_HLEN_);
	fl_lend_count(&g->lend[q], 1);
	if (rte_pktmbuf_chain(m, ext)) {
		rte_pktmbuf_free(ext); /* queues the slot for give-back */
		goto drop;
	}
	return m;
give_back:
	(void)folio_host_rx_done(g->h, q, f->id);
drop:
	rte_pktmbuf_free(m); /* NULL is fine */
	return NULL;
}

unsigned guests_to_port(void)
{
	unsigned work = 0;

	for (unsigned k = 0; k < hd.nguests; k++) {
		struct guest *g = &hd.guests[k];

		if (!g->h || g->failed)
			continue;
		for (unsigned q = 0; q < g->cfg.queues; q++) {
			struct folio_frame fr[BURST];
			struct rte_mbuf *pkts[BURST];
			uint16_t segs[BURST];
			unsigned np = 0;
			uint16_t sent;
			int rc;

			fl_lend_flush(&g->lend[q]);
			rc = folio_host_rx_peek(g->h, q, fr, BURST);

			if (rc < 0) {
				if (rc != FOLIO_ENOTREADY)
					guest_fail(g, q, rc);
				if (g->failed)
					break;
				continue;
			}
			for (int i = 0; i < rc; i++) {
				struct rte_mbuf *m = frame_mbuf(g, q, &fr[i]);

				g->st[G_FROM_GUEST]++;
				g->st[G_FROM_GUEST_BYTES] += fr[i].len;
				if (m)
					pkts[np++] = m;
			}
			work += (unsigned)rc;
			if (!np)
				continue;
			/* Count how each frame went before the port may free
			 * it; only the frames it accepted. */
			for (unsigned i = 0; i < np; i++)
				segs[i] = pkts[i]->nb_segs;
			sent = rte_eth_tx_burst(hd.port, 0, pkts, (uint16_t)np);
			g->st[G_TO_PORT] += sent;
			for (unsigned i = 0; i < sent; i++)
				g->st[segs[i] > 1 ? G_ZEROCOPY : G_COPIED]++;
			if (sent < np) {
				/* Freeing queues lent slots for give-back. */
				g->st[G_PORT_FULL] += np - sent;
				rte_pktmbuf_free_bulk(&pkts[sent], np - sent);
			}
		}
	}
	return work;
}
