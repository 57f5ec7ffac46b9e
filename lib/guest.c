/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * guest.c - the guest endpoint: the trusted side.
 *
 * The guest produces into each queue's guest-to-host ring and consumes from
 * its host-to-guest ring. It copies every frame exactly once, between its
 * private buffers and a slot, and writes nothing to the region but frame
 * bytes, lengths, its own indices and its ack (INV_leak).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "seal.h"
#include "shm.h"

struct folio_guest {
	struct fl_queue *qs;
	struct fl_hdr *hdr;
	struct fl_layout l;
	uint8_t *base;
	struct fl_map *map; /* registered mapping (SIGBUS containment) */
	uint64_t digest;
	struct fl_seal *seal; /* sealed channel, or NULL (seal.c) */
	int fd; /* owned, or -1 */
};

/* Compare (never adopt) the header with the local config. Each field is
 * loaded once. A zero magic under an epoch that is not ready means the host
 * has not written it yet; under a ready epoch e it is a wrong header (an
 * honest host writes the magic before it publishes an even epoch). */
static int check_header(const struct folio_guest *g, uint32_t e)
{
	int rc = fl_header_check(g->hdr, g->digest);

	/* A zero magic under a ready epoch is a wrong header, not a host that
	 * is still laying out. */
	return rc == FOLIO_ENOTREADY && fl_epoch_ready(e) ? FOLIO_EMAGIC : rc;
}

/* Slow path: the host's epoch differs from the one this queue holds. */
static int guest_attach(struct folio_guest *g, struct fl_queue *q, uint32_t e)
{
	int rc;

	if (!fl_epoch_ready(e)) {
		if (q->state == FOLIO_Q_READY)
			__atomic_store_n(&q->state, FOLIO_Q_DETACHED, __ATOMIC_RELAXED);
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	if (e == q->epoch && q->state == FOLIO_Q_FAILED)
		return FOLIO_EFAILED; /* latched until the host moves on */
	if (e == q->epoch && q->state == FOLIO_Q_DETACHED) {
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY; /* refused above: wait for a new one */
	}
	rc = check_header(g, e);
	if (rc) {
		/* The host restarted with another layout: refuse this epoch. */
		fl_stat_add(q, FOLIO_STAT_BAD_HEADER, 1);
		__atomic_store_n(&q->epoch, e, __ATOMIC_RELAXED);
		__atomic_store_n(&q->state, FOLIO_Q_FAILED, __ATOMIC_RELAXED);
		fl_log(FOLIO_LOG_ERR, "guest: host epoch %u: %s", e,
		       folio_strerror(rc));
		return rc;
	}
	if (!q->epoch) {
		uint32_t ack = shm_load_once(q->ack);

		/* This object never attached, yet the epoch was used: an
		 * earlier guest instance acked it and died (ack == e), or
		 * closed (ack == e + 1, "left e"). The host's rings still hold
		 * that instance's state, and a host that has not polled since
		 * could not tell its indices from ours. Mark the epoch left,
		 * so the host sees the guest go, and wait for a new epoch. The
		 * only read of a guest-owned field; the worst a host can do
		 * with it is make the guest wait, which it can do anyway. */
		if (ack == e || ack == e + 1u) {
			shm_store_release(q->ack, e + 1u);
			__atomic_store_n(&q->epoch, e, __ATOMIC_RELAXED);
			fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
			fl_log(FOLIO_LOG_INFO, "guest: epoch %u was used by an "
			       "earlier instance; waiting for the host to restart", e);
			return FOLIO_ENOTREADY;
		}
	}
	fl_ring_reset_producer(&q->tx);
	fl_ring_reset_consumer(&q->rx);
	/* P4: the zeroed indices are visible before the ack that the host
	 * waits for with an acquire load. */
	shm_store_release(q->ack, e);
	__atomic_store_n(&q->epoch, e, __ATOMIC_RELAXED);
	__atomic_store_n(&q->state, FOLIO_Q_READY, __ATOMIC_RELAXED);
	fl_stat_add(q, FOLIO_STAT_ATTACH, 1);
	return 0;
}

static inline int guest_ready(struct folio_guest *g, struct fl_queue *q)
{
	/* P3: pairs with the host's release store of a new epoch, after
	 * which its reset of the rings is visible. */
	uint32_t e = shm_load_acquire(&g->hdr->epoch);

	if (fl_likely(e == q->epoch && q->state == FOLIO_Q_READY))
		return 0;
	return guest_attach(g, q, e);
}

/* A violation seen while the host was restarting is a restart, not an
 * attack: detach and re-attach to the new epoch. Otherwise latch FAILED. */
static int guest_violation(struct folio_guest *g, struct fl_queue *q,
			   unsigned qi)
{
	if (shm_load_acquire(&g->hdr->epoch) != q->epoch) {
		__atomic_store_n(&q->state, FOLIO_Q_DETACHED, __ATOMIC_RELAXED);
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	return fl_queue_fail(q, "guest", qi);
}

static inline struct fl_queue *guest_queue(struct folio_guest *g, unsigned qi)
{
	return fl_likely(g && qi < g->l.queues) ? &g->qs[qi] : NULL;
}

/* Entry of every datapath call: the queue, the arguments, the epoch. */
static inline int guest_enter(struct folio_guest *g, unsigned qi, int args_ok,
			      struct fl_queue **qp)
{
	struct fl_queue *q = guest_queue(g, qi);

	if (fl_unlikely(!q || !args_ok))
		return -EINVAL;
	*qp = q;
	if (fl_unlikely(fl_map_lost(g->map)))
		return fl_queue_lost(q, "guest", qi);
	return guest_ready(g, q);
}

/* Exit: a violation the ring reported is judged and latched here. */
static inline int guest_exit(struct folio_guest *g, struct fl_queue *q,
			     unsigned qi, int rc)
{
	if (fl_unlikely(rc == FL_ERESTART)) {
		/* The host restarted during the burst's copies; the burst was
		 * dropped whole. Re-attach on the next call. */
		__atomic_store_n(&q->state, FOLIO_Q_DETACHED, __ATOMIC_RELAXED);
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	return fl_unlikely(rc == FOLIO_EPEER) ? guest_violation(g, q, qi) : rc;
}

/* Every call ends here. A SIGBUS that the library contained during the
 * call (the region was truncated) voids what the call read: nothing of it
 * is delivered, and the channel is lost (docs/security.md). */
static inline int guest_done(struct folio_guest *g, struct fl_queue *q,
			     unsigned qi, int rc)
{
	if (fl_unlikely(q && fl_map_lost(g->map)))
		return fl_queue_lost(q, "guest", qi);
	return rc;
}

int folio_guest_tx_burst(struct folio_guest *g, unsigned qi,
			 const void *const *bufs, const uint32_t *lens,
			 unsigned n)
{
	struct fl_queue *q = NULL;
	int rc = guest_enter(g, qi, !n || (bufs && lens), &q);

	if (!rc)
		/* With sealing on, the one copy into the slot carries ciphertext. */
		rc = guest_exit(g, q, qi, g->seal ? fl_seal_tx(g->seal, q, qi, bufs, lens, n)
					  : fl_ring_produce(q, bufs, lens, n));
	return guest_done(g, q, qi, rc);
}

int folio_guest_rx_burst(struct folio_guest *g, unsigned qi, void *const *bufs,
			 uint32_t *lens, unsigned n)
{
	struct fl_queue *q = NULL;
	int rc = guest_enter(g, qi, !n || (bufs && lens), &q);

	if (!rc)
		/* With sealing on, only frames whose ICV verified are delivered. */
		rc = guest_exit(g, q, qi, g->seal ? fl_seal_rx(g->seal, q, qi, bufs, lens, n)
					  : fl_ring_consume(q, bufs, lens, n));
	return guest_done(g, q, qi, rc);
}

int folio_guest_stats(const struct folio_guest *g, unsigned qi,
		      struct folio_stats *st)
{
	if (!g || qi >= g->l.queues || !st)
		return -EINVAL;
	fl_queue_stats(&g->qs[qi], st);
	return 0;
}

static int guest_setup(const struct folio_config *cfg, int fd, int owned,
		       struct folio_guest **out)
{
	struct folio_guest *g;
	int rc;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->fd = owned ? fd : -1;
	fl_layout_compute(cfg, &g->l); /* INV_geom: from the local config only */
	g->digest = folio_config_digest(cfg);
	g->qs = aligned_alloc(64, sizeof(struct fl_queue) * g->l.queues);
	rc = g->qs ? fl_check_sealed(fd) : -ENOMEM;
	if (!rc && cfg->seal.mode != FOLIO_SEAL_OFF)
		rc = fl_seal_open(cfg, g->l.queues, &g->seal);
	if (!rc)
		rc = fl_map_fd(fd, g->l.region_size, &g->map);
	if (rc)
		goto fail;
	g->base = g->map->base;
	g->hdr = (struct fl_hdr *)(void *)(g->base + FL_HDR_OFF);
	rc = check_header(g, 0);
	/* A zero magic under a ready epoch is a wrong header, exactly as an
	 * open guest would judge it, not a host that is still starting. */
	if (rc == FOLIO_ENOTREADY &&
	    fl_epoch_ready(shm_load_acquire(&g->hdr->epoch)))
		rc = FOLIO_EMAGIC;
	if (rc) {
		fl_log(FOLIO_LOG_ERR, "guest: %s", folio_strerror(rc));
		goto fail;
	}
	memset(g->qs, 0, sizeof(struct fl_queue) * g->l.queues);
	for (unsigned i = 0; i < g->l.queues; i++) {
		struct fl_queue *q = &g->qs[i];
		struct fl_ctl_line *ctl = (struct fl_ctl_line *)(void *)
			(g->base + FL_CTL_OFF + i * FL_CACHE_LINE);

		fl_ring_init(&q->tx, g->base, &g->l, i, FL_DIR_G2H);
		fl_ring_init(&q->rx, g->base, &g->l, i, FL_DIR_H2G);
		q->ack = &ctl->ack_epoch;
		q->recheck = &g->hdr->epoch;
		q->state = FOLIO_Q_DETACHED;
		/* Attach now if the host is up; otherwise on first use. */
		(void)guest_ready(g, q);
	}
	*out = g;
	return 0;
fail:
	fl_unmap(g->map);
	fl_seal_close(g->seal);
	free(g->qs);
	if (g->fd >= 0)
		close(g->fd);
	free(g);
	return rc;
}

int folio_guest_open_fd(const struct folio_config *cfg, int fd,
			struct folio_guest **out)
{
	if (!cfg || !out || fd < 0 || folio_config_validate(cfg, NULL, 0))
		return -EINVAL;
	return guest_setup(cfg, fd, 0, out);
}

int folio_guest_open(const struct folio_config *cfg, struct folio_guest **out)
{
	char err[200];
	int fd;

	if (!cfg || !out)
		return -EINVAL;
	if (folio_config_validate(cfg, err, sizeof(err))) {
		fl_log(FOLIO_LOG_ERR, "guest: %s", err);
		return -EINVAL;
	}
	fd = open(cfg->region, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int rc = -errno;

		fl_log(FOLIO_LOG_ERR, "guest: %s: %s", cfg->region, strerror(-rc));
		return rc;
	}
	return guest_setup(cfg, fd, 1, out);
}

void folio_guest_close(struct folio_guest *g)
{
	if (!g)
		return;
	/* Withdraw every ack this guest gave, so the host sees it leave: the
	 * odd value epoch + 1 ("left that epoch") also tells a later guest
	 * instance not to attach to the same epoch (design.md, section 6). */
	for (unsigned i = 0; g->base && i < g->l.queues; i++)
		if (g->qs[i].state == FOLIO_Q_READY)
			shm_store_release(g->qs[i].ack, g->qs[i].epoch + 1u);
	fl_unmap(g->map);
	if (g->fd >= 0)
		close(g->fd);
	fl_seal_close(g->seal);
	free(g->qs);
	free(g);
}
