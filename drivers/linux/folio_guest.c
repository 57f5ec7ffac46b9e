// SPDX-License-Identifier: BSD-3-Clause
/*
 * folio_guest.c - the guest endpoint of folio.ko: the rules of lib/guest.c
 * (docs/design.md sections 6 and 8) over a BAR. lib/guest.c opens a file,
 * mmaps it and allocates with libc; this file keeps only its protocol
 * decisions, in the same order, and calls lib/ring.c for every index,
 * length and byte. Callers hold the queue's lock: one context per queue.
 */
#include <linux/errno.h>

#include "folio_drv.h"
#include "shm.h"

int fk_check_header(const struct fk_chan *c)
{
	return fl_header_check(c->hdr, c->digest); /* lib/ring.c */
}

void fk_queue_init(struct fk_chan *c, struct fl_queue *q, unsigned int qi)
{
	struct fl_ctl_line *ctl = (struct fl_ctl_line *)(void *)
		(c->base + FL_CTL_OFF + qi * FL_CACHE_LINE);

	memset(q, 0, sizeof(*q));
	fl_ring_init(&q->tx, c->base, &c->l, qi, FL_DIR_G2H);
	fl_ring_init(&q->rx, c->base, &c->l, qi, FL_DIR_H2G);
	q->ack = &ctl->ack_epoch;
	/* Re-checked after a burst's copies: a restart during them drops
	 * the burst (FL_ERESTART), never a torn frame. */
	q->recheck = &c->hdr->epoch;
	q->state = FOLIO_Q_DETACHED;
}

static void set_state(struct fl_queue *q, u32 state, u32 epoch)
{
	WRITE_ONCE(q->epoch, epoch);
	WRITE_ONCE(q->state, state);
}

/* Slow path: the host's epoch is not the one this queue holds. */
static int attach(struct fk_chan *c, struct fl_queue *q, u32 e)
{
	int rc;

	if (!fl_epoch_ready(e)) {
		if (q->state == FOLIO_Q_READY)
			WRITE_ONCE(q->state, FOLIO_Q_DETACHED);
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	if (e == q->epoch && q->state == FOLIO_Q_FAILED)
		return FOLIO_EFAILED; /* latched until the host moves on */
	if (e == q->epoch && q->state == FOLIO_Q_DETACHED) {
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	rc = fk_check_header(c);
	if (rc) {
		/* A ready epoch over another layout: refuse this epoch. */
		fl_stat_add(q, FOLIO_STAT_BAD_HEADER, 1);
		set_state(q, FOLIO_Q_FAILED, e);
		rc = rc == FOLIO_ENOTREADY ? FOLIO_EMAGIC : rc;
		fl_log(FOLIO_LOG_ERR, "guest: host epoch %u refused: %s", e,
		       folio_strerror(rc));
		return rc;
	}
	if (!q->epoch && (shm_load_once(q->ack) == e ||
			  shm_load_once(q->ack) == e + 1u)) {
		/* Used by an earlier instance: it acked and never left (a
		 * crashed guest kernel, a module killed mid-way; ack == e), or
		 * it left (ack == e + 1). Do not adopt its rings: mark the
		 * epoch left and wait for a new one (design.md, section 6). */
		shm_store_release(q->ack, e + 1u);
		set_state(q, FOLIO_Q_DETACHED, e);
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	fl_ring_reset_producer(&q->tx);
	fl_ring_reset_consumer(&q->rx);
	shm_store_release(q->ack, e); /* P4: zeroed indices before the ack */
	set_state(q, FOLIO_Q_READY, e);
	fl_stat_add(q, FOLIO_STAT_ATTACH, 1);
	return 0;
}

int fk_ready(struct fk_chan *c, struct fl_queue *q)
{
	u32 e = shm_load_acquire(&c->hdr->epoch); /* P3 */

	if (likely(e == q->epoch && q->state == FOLIO_Q_READY))
		return 0;
	return attach(c, q, e);
}

/* A violation seen while the epoch moved is a restart, not an attack. */
static int judge(struct fk_chan *c, struct fl_queue *q, unsigned int qi, int rc)
{
	if (unlikely(rc == FL_ERESTART)) {
		/* The host restarted during the copies; the burst was dropped
		 * whole. Re-attach on the next call. */
		WRITE_ONCE(q->state, FOLIO_Q_DETACHED);
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	if (likely(rc != FOLIO_EPEER))
		return rc;
	if (shm_load_acquire(&c->hdr->epoch) != q->epoch) {
		WRITE_ONCE(q->state, FOLIO_Q_DETACHED);
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	return fl_queue_fail(q, "guest", qi); /* counts, latches, logs */
}

int fk_tx(struct fk_chan *c, struct fl_queue *q, unsigned int qi,
	  const void *buf, u32 len)
{
	int rc = fk_ready(c, q);

	return rc ? rc : judge(c, q, qi, fl_ring_produce(q, &buf, &len, 1));
}

int fk_rx(struct fk_chan *c, struct fl_queue *q, unsigned int qi,
	  void *const *bufs, u32 *lens, unsigned int n)
{
	int rc = fk_ready(c, q);

	return rc ? rc : judge(c, q, qi, fl_ring_consume(q, bufs, lens, n));
}

void fk_leave(struct fl_queue *q)
{
	/* A queue that failed after attaching had acked too. */
	if (q->state != FOLIO_Q_DETACHED)
		shm_store_release(q->ack, q->epoch + 1u); /* "left that epoch" */
	WRITE_ONCE(q->state, FOLIO_Q_DETACHED);
}
