/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio_lend.c - the lending and re-creation code the host backends share
 * (folio_lend.h).
 */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "folio_lend.h"

/* The extbuf free callback: the application is done with the slot. It only
 * records the id; the queue's next burst gives the batch back. */
static void lend_free(void *addr, void *opaque)
{
	struct fl_lend_slot *s = opaque;
	struct fl_lend *l = s->l;

	(void)addr;
	/* At most ring_entries frames are lent, so ret never overflows. */
	l->ret[l->nret++] = s->id;
	/* Release: a reader that sees lent drop also sees nret. */
	__atomic_store_n(&l->lent, l->lent - 1, __ATOMIC_RELEASE);
}

int fl_lend_init(struct fl_lend *l, struct folio_host *h, uint16_t q,
		 uint32_t entries, int socket)
{
	memset(l, 0, sizeof(*l));
	l->slot = rte_zmalloc_socket("folio_lend_slot", sizeof(*l->slot) * entries,
				     RTE_CACHE_LINE_SIZE, socket);
	l->ret = rte_malloc_socket("folio_lend_ret", sizeof(*l->ret) * entries,
				   RTE_CACHE_LINE_SIZE, socket);
	if (!l->slot || !l->ret) {
		fl_lend_fini(l);
		return -ENOMEM;
	}
	l->host = h;
	l->q = q;
	l->mask = entries - 1;
	/* A device that reads the lent bytes by DMA gets their address as the
	 * IOVA where the two are the same; elsewhere none. */
	l->iova_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	for (uint32_t i = 0; i < entries; i++) {
		l->slot[i].l = l;
		l->slot[i].shinfo.free_cb = lend_free;
		l->slot[i].shinfo.fcb_opaque = &l->slot[i];
	}
	return 0;
}

void fl_lend_fini(struct fl_lend *l)
{
	rte_free(l->slot);
	rte_free(l->ret);
	l->slot = NULL;
	l->ret = NULL;
}

void fl_lend_rebind(struct fl_lend *l, struct folio_host *h)
{
	l->host = h;
	l->nret = 0; /* the new endpoint has lent nothing */
}

void fl_reset_init(struct fl_reset *r, double seconds)
{
	r->hold = seconds > 0 ? (uint64_t)(seconds * (double)rte_get_timer_hz()) : 0;
	r->down_at = 0;
	r->resets = 0;
}

int fl_reset_due(struct fl_reset *r, int down, uint64_t now)
{
	if (!down) {
		r->down_at = 0;
		return 0;
	}
	if (!r->down_at) {
		r->down_at = now ? now : 1;
		return 0;
	}
	return r->hold && now - r->down_at >= r->hold;
}

void fl_reset_done(struct fl_reset *r, int ok, uint64_t now)
{
	if (ok) {
		r->resets++;
		r->down_at = 0;
	} else {
		r->down_at = now ? now : 1; /* try again hold later */
	}
}

int fl_host_down(const struct folio_host *h, unsigned queues)
{
	struct folio_stats st;

	if (!h)
		return 1;
	for (unsigned q = 0; q < queues; q++)
		if (!folio_host_stats(h, q, &st) &&
		    (st.state == FOLIO_Q_FAILED || st.state == FOLIO_Q_GONE))
			return 1;
	return 0;
}

int fl_host_recreate(const struct folio_config *cfg, struct folio_host **h)
{
	int rc;

	if (*h)
		folio_host_close(*h);
	*h = NULL;
	rc = folio_host_create(cfg, h);
	if (rc)
		*h = NULL;
	return rc;
}
