/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_watch.h - the host watch (fp_watch.c) and the gate by which each host
 * burst keeps out of its way (private).
 */
#ifndef FP_WATCH_H
#define FP_WATCH_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#include "fp_priv.h"

struct rte_eth_dev;

/*
 * Enter a host queue's datapath; fails while the watch has the port parked.
 * A Dekker pair: the burst stores busy then loads park, the watch stores
 * park then loads busy. The store-load fence each side needs is, on the
 * burst's side, only a compiler barrier: the watch calls membarrier(2),
 * which runs a full fence on every thread of the process. So a burst costs
 * two plain stores and a load. Where membarrier is refused, bursts fence
 * themselves (dp_fence).
 */
static inline int fp_gate_enter(struct fp_queue *q, unsigned dir)
{
	struct fp_priv *p = q->priv;

	__atomic_store_n(&q->busy[dir], 1, __ATOMIC_RELAXED);
	if (unlikely(p->dp_fence))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	/* Acquire: pairs with the release that ends a swap (new p->host). */
	if (unlikely(__atomic_load_n(&p->park, __ATOMIC_ACQUIRE))) {
		__atomic_store_n(&q->busy[dir], 0, __ATOMIC_RELEASE);
		return 0;
	}
	return 1;
}

static inline void fp_gate_exit(struct fp_queue *q, unsigned dir)
{
	__atomic_store_n(&q->busy[dir], 0, __ATOMIC_RELEASE);
}

/* membarrier(2) with flags 0. @return its result. */
int fp_membarrier(int cmd);

/* Frames the application holds from every queue of the port. */
uint32_t fp_lent(struct fp_priv *p);

/* Start the host side of a port: re-create the region when there is none
 * or a guest left or failed it (and nothing is lent), then arm the watch.
 * @return 0 or a negative errno. */
int fp_host_start(struct rte_eth_dev *dev);

/* Disarm the watch; waits for a running tick. */
void fp_watch_stop(struct fp_priv *p, struct rte_eth_dev *dev);

#endif
