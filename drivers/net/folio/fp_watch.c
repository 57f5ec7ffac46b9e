/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_watch.c - net_folio's host watch. The epoch is region-wide and each
 * queue may be polled by its own lcore, so the queue that sees its guest
 * leave cannot restart the region by itself. An EAL alarm looks for a
 * queue that failed or whose guest left (fl_host_down); reset_failed
 * seconds later (fl_reset) it parks the datapath, waits until nothing is
 * lent, re-creates the region with a new epoch and lets the queues go.
 * The counters carry over. Parking is a Dekker pair with the gate of each
 * burst (fp_watch.h), fenced on the watch's side with membarrier(2).
 */
#include <errno.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_spinlock.h>

#include <ethdev_driver.h>

#include "folio.h"
#include "folio_lend.h"
#include "fp_priv.h"
#include "fp_watch.h"

/* Host role: how often the watch looks for a guest that left or failed. */
#define FP_WATCH_US 100000u
/* Host role: how long the watch waits for the bursts in flight to end. */
#define FP_PARK_WAIT_US 2000u

int fp_membarrier(int cmd)
{
	return (int)syscall(__NR_membarrier, cmd, 0, 0);
}

uint32_t fp_lent(struct fp_priv *p)
{
	uint32_t n = 0;

	for (unsigned q = 0; q < p->cfg.queues; q++)
		if (p->qs[q])
			n += fl_lend_out(&p->qs[q]->lend);
	return n;
}

/* Replace the host endpoint by a fresh one: a new epoch, which a guest that
 * left or failed attaches to afresh. The caller holds ctl_lock and has made
 * sure that no datapath call uses the old endpoint and nothing is lent out
 * of it. What the old endpoint counted carries over in acc. */
static int fp_host_recreate(struct rte_eth_dev *dev, struct fp_priv *p)
{
	int rc;

	if (p->host) {
		for (unsigned q = 0; q < p->cfg.queues; q++) {
			struct fp_queue *fq = p->qs[q];
			struct folio_stats st;

			if (!fq || folio_host_stats(p->host, q, &st))
				continue;
			for (unsigned k = 0; k < FOLIO_STAT__COUNT; k++)
				fq->acc[k] += st.v[k] - fq->base[k];
			memset(fq->base, 0, sizeof(fq->base));
			fq->copy_mode = 0;
		}
	}
	rc = fl_host_recreate(&p->cfg, &p->host);
	/* The new endpoint (or none) has lent nothing. */
	for (unsigned q = 0; q < p->cfg.queues; q++)
		if (p->qs[q])
			fl_lend_rebind(&p->qs[q]->lend, p->host);
	if (rc) {
		FL_LOG(ERR, "%s: host: %s: %s", dev->data->name, p->cfg.region,
		       folio_strerror(rc));
		return fl_errno(rc);
	}
	return 0;
}

/* Park the port's datapath: @return 1 once no burst is running and none
 * can start, 0 (and unparked) when a queue stays inside a burst for
 * FP_PARK_WAIT_US. A polling lcore is inside a burst most of the time;
 * once it sees park, its next burst returns at once, so the wait is the
 * length of the bursts in flight. */
static int fp_park_all(struct fp_priv *p)
{
	uint64_t end;

	__atomic_store_n(&p->park, 1, __ATOMIC_RELAXED);
	if (p->dp_fence) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} else if (fp_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
		/* Registered at probe, so not expected; without the fence
		 * the busy marks prove nothing: do not swap. */
		__atomic_store_n(&p->park, 0, __ATOMIC_RELEASE);
		return 0;
	}
	if (!p->host)
		return 1; /* parked since a failed create: nothing runs */
	end = rte_get_timer_cycles() + rte_get_timer_hz() * FP_PARK_WAIT_US / 1000000;
	for (unsigned q = 0; q < p->cfg.queues; q++) {
		for (unsigned d = 0; p->qs[q] && d < 2; d++) {
			while (__atomic_load_n(&p->qs[q]->busy[d], __ATOMIC_ACQUIRE)) {
				if (rte_get_timer_cycles() > end) {
					__atomic_store_n(&p->park, 0, __ATOMIC_RELEASE);
					return 0;
				}
				rte_pause();
			}
		}
	}
	return 1;
}

static void fp_unpark_all(struct fp_priv *p)
{
	__atomic_store_n(&p->park, 0, __ATOMIC_RELEASE);
}

/*
 * The host watch, on the EAL alarm thread while the port is started: a
 * queue that failed, or whose guest left, makes it re-create the region
 * after reset_failed seconds. The datapath is parked for the swap only, so
 * the application never stops or restarts the port.
 */
static void fp_watch(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct fp_priv *p = dev->data->dev_private;
	uint64_t now = rte_get_timer_cycles();

	rte_spinlock_lock(&p->ctl_lock);
	if (fl_reset_due(&p->rs, fl_host_down(p->host, p->cfg.queues), now) &&
	    fp_park_all(p)) {
		/* Parked: nothing new is lent; wait for what is. */
		if (fp_lent(p) == 0) {
			int ok = fp_host_recreate(dev, p) == 0;

			fl_reset_done(&p->rs, ok, now);
			if (ok)
				FL_LOG(NOTICE, "%s: guest left or failed; region %s re-created, epoch %u",
				       dev->data->name, p->cfg.region,
				       folio_host_epoch(p->host));
		}
		/* Without an endpoint (create failed) the port stays parked
		 * and the watch tries again reset_failed seconds later. */
		if (p->host)
			fp_unpark_all(p);
	}
	rte_spinlock_unlock(&p->ctl_lock);
	if (__atomic_load_n(&p->watch_on, __ATOMIC_ACQUIRE))
		rte_eal_alarm_set(FP_WATCH_US, fp_watch, dev);
}

void fp_watch_stop(struct fp_priv *p, struct rte_eth_dev *dev)
{
	__atomic_store_n(&p->watch_on, 0, __ATOMIC_RELEASE);
	/* Waits for a running callback, which then does not re-arm. */
	rte_eal_alarm_cancel(fp_watch, dev);
}

int fp_host_start(struct rte_eth_dev *dev)
{
	struct fp_priv *p = dev->data->dev_private;
	int rc;

	/* A restart of the port re-arms queues that a guest failed:
	 * a new epoch, which the guest attaches to afresh. Not while
	 * frames are still lent out of the old mapping. */
	rte_spinlock_lock(&p->ctl_lock);
	rc = 0;
	if (!p->host || (fl_host_down(p->host, p->cfg.queues) && fp_lent(p) == 0)) {
		rc = fp_host_recreate(dev, p);
		if (rc == 0)
			FL_LOG(INFO, "%s: host region %s, epoch %u",
			       dev->data->name, p->cfg.region,
			       folio_host_epoch(p->host));
	}
	p->rs.down_at = 0;
	if (rc == 0)
		fp_unpark_all(p);
	rte_spinlock_unlock(&p->ctl_lock);
	if (rc)
		return rc;
	if (p->reset_s) {
		__atomic_store_n(&p->watch_on, 1, __ATOMIC_RELEASE);
		rc = rte_eal_alarm_set(FP_WATCH_US, fp_watch, dev);
		if (rc)
			FL_LOG(WARNING, "%s: no watch (%s): a guest that leaves needs a port restart",
			       dev->data->name, rte_strerror(-rc));
	}
	return 0;
}
