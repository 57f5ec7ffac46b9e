/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_eth_folio.c - net_folio, a DPDK vdev PMD over a Folio region.
 *
 * One port is one Folio channel, in either role:
 *   role=guest  the trusted side, in the CVM. Receive copies each frame once
 *               from its slot into the application's mbuf; transmit copies
 *               each mbuf once into a slot. Nothing else touches the region.
 *   role=host   the backend. Receive never hands the application a byte
 *               it may classify on that the guest can still change: the
 *               first FP_HDR_COPY bytes (L2-L4 headers) of every frame are
 *               copied into the application's mbuf. When the application
 *               enabled RTE_ETH_RX_OFFLOAD_SCATTER, the rest of a longer
 *               frame is lent in place as a second segment, an external
 *               buffer that spans exactly the rest of the frame and nothing
 *               of the slot beyond it (zero copy for the payload); the slot
 *               goes back to the guest when the mbuf is freed. Without
 *               scatter (OVS, most applications) each frame is copied whole
 *               into one segment. Frames shorter than zc_min are copied
 *               whole too, for applications that hold mbufs long: a lent
 *               slot only returns to the guest with all older ones.
 *               Transmit copies.
 *
 * The geometry is the fixed configuration given in the devargs (or a
 * config file); queue count and MTU can not be changed by the application.
 * A peer that is absent, restarting or gone only gives empty bursts; a peer
 * that breaks the protocol latches its queue FAILED, which the xstats show.
 *
 * Host role: a guest that left (FOLIO_EGONE) or failed a queue gets its
 * channel back without a port restart. A watch on the EAL alarm thread
 * re-creates the region with a new epoch reset_failed seconds later, once
 * every queue is parked out of the datapath and no frame is lent; the
 * counters carry over (docs/pmd.md, "Peers coming and going").
 *
 * This file holds the ethdev ops, the queues, the counters and the probe;
 * fp_rxtx.c the bursts, fp_watch.c the host watch, fp_devargs.c the
 * devargs (fp_priv.h is their shared state).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/membarrier.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "folio.h"
#include "folio_lend.h"
#include "fp_devargs.h"
#include "fp_priv.h"
#include "fp_rxtx.h"
#include "fp_watch.h"

RTE_LOG_REGISTER(folio_logtype, pmd.net.folio, NOTICE);

static void fp_folio_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	rte_log(level <= FOLIO_LOG_ERR ? RTE_LOG_ERR :
		level == FOLIO_LOG_WARN ? RTE_LOG_WARNING : RTE_LOG_INFO,
		(uint32_t)folio_logtype, "net_folio: %s\n", msg);
}

/* ---- endpoint access ---------------------------------------------------- */

/* Open the region if the host has made it. Never blocks: a missing or not
 * yet written region is retried later, at most every FP_OPEN_RETRY_MS. */
int fp_guest_try_open(struct fp_priv *p, int force)
{
	struct folio_guest *g = NULL;
	uint64_t now = rte_get_timer_cycles();
	int rc;

	if (!force && now < __atomic_load_n(&p->next_open, __ATOMIC_RELAXED))
		return -EAGAIN;
	if (!rte_spinlock_trylock(&p->open_lock))
		return -EAGAIN;
	if (fp_guest(p)) {
		rte_spinlock_unlock(&p->open_lock);
		return 0;
	}
	rc = folio_guest_open(&p->cfg, &g);
	if (rc == 0) {
		__atomic_store_n(&p->guest, g, __ATOMIC_RELEASE);
		FL_LOG(INFO, "guest attached to %s", p->cfg.region);
		p->open_err = 0;
	} else {
		if (rc != p->open_err)
			rte_log(folio_error_is_transient(rc) ? RTE_LOG_INFO : RTE_LOG_ERR,
				(uint32_t)folio_logtype, "net_folio: guest: %s: %s (will retry)\n",
				p->cfg.region, folio_strerror(rc));
		p->open_err = rc;
		__atomic_store_n(&p->next_open, now + rte_get_timer_hz() *
				 FP_OPEN_RETRY_MS / 1000, __ATOMIC_RELAXED);
	}
	rte_spinlock_unlock(&p->open_lock);
	return rc;
}

static int fp_qstats(struct fp_priv *p, unsigned q, struct folio_stats *st)
{
	struct folio_guest *g;

	memset(st, 0, sizeof(*st));
	if (p->role == FP_HOST)
		return p->host ? folio_host_stats(p->host, q, st) : -ENODEV;
	g = fp_guest(p);
	return g ? folio_guest_stats(g, q, st) : -ENODEV;
}

/* ---- control ------------------------------------------------------------ */

static int fp_configure(struct rte_eth_dev *dev)
{
	struct fp_priv *p = dev->data->dev_private;

	if (dev->data->nb_rx_queues != p->cfg.queues ||
	    dev->data->nb_tx_queues != p->cfg.queues) {
		FL_LOG(ERR, "%s: %u rx / %u tx queues asked, the fixed config has %u",
		       dev->data->name, dev->data->nb_rx_queues,
		       dev->data->nb_tx_queues, p->cfg.queues);
		return -EINVAL;
	}
	if (dev->data->mtu != p->cfg.mtu) {
		FL_LOG(ERR, "%s: MTU %u asked, the fixed config has %u",
		       dev->data->name, dev->data->mtu, p->cfg.mtu);
		return -EINVAL;
	}
	p->scatter = !!(dev->data->dev_conf.rxmode.offloads &
			RTE_ETH_RX_OFFLOAD_SCATTER);
	return 0;
}

static int fp_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct fp_priv *p = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = p->max_frame;
	/* Below the fixed MTU ethdev would refuse by itself; let mtu_set and
	 * configure refuse it, with a message that names the configuration. */
	info->min_mtu = FOLIO_MIN_MTU;
	info->max_mtu = (uint16_t)p->cfg.mtu;
	info->max_rx_queues = (uint16_t)p->cfg.queues;
	info->max_tx_queues = (uint16_t)p->cfg.queues;
	info->min_rx_bufsize = p->max_frame;
	/* The ring is fixed by the configuration: a descriptor count is a
	 * hint, accepted whatever its value (queue setup logs it once when it
	 * differs). The ring really has ring_entries, as the default port
	 * config and rx/txq_info report. */
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->rx_desc_lim.nb_min = 1;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
	/* Fast free: the application promises one pool and one reference
	 * per mbuf, so a sent burst goes back with one bulk put. */
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
				RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* Host role with scatter: frames come as a private header segment
	 * and a lent payload segment. Without it, always one segment. */
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->default_rxportconf.ring_size = (uint16_t)p->cfg.ring_entries;
	info->default_txportconf.ring_size = (uint16_t)p->cfg.ring_entries;
	return 0;
}

static int fp_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct fp_priv *p = dev->data->dev_private;

	if (mtu != p->cfg.mtu) {
		FL_LOG(ERR, "%s: MTU is fixed at %u by the configuration",
		       dev->data->name, p->cfg.mtu);
		return -EINVAL;
	}
	return 0;
}

static int fp_start(struct rte_eth_dev *dev)
{
	struct fp_priv *p = dev->data->dev_private;
	int rc;

	if (p->role == FP_HOST) {
		rc = fp_host_start(dev);
		if (rc)
			return rc;
	} else {
		rc = fp_guest_try_open(p, 1);
		if (rc == FOLIO_EMAGIC || rc == FOLIO_EVERSION ||
		    rc == FOLIO_EDIGEST || rc == -EINVAL) {
			FL_LOG(ERR, "%s: region %s does not match the fixed config",
			       dev->data->name, p->cfg.region);
			return -EINVAL;
		}
		/* Otherwise the host is not there yet: rx/tx retry. */
	}
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	dev->data->dev_link.link_status = RTE_ETH_LINK_UP;
	return 0;
}

static int fp_stop(struct rte_eth_dev *dev)
{
	struct fp_priv *p = dev->data->dev_private;

	if (p->role == FP_HOST)
		fp_watch_stop(p, dev);
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	return 0;
}

static int fp_link_update(struct rte_eth_dev *dev, int wait)
{
	struct fp_priv *p = dev->data->dev_private;
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_UNKNOWN,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = RTE_ETH_LINK_UP,
	};
	struct folio_stats st;

	(void)wait;
	if (!dev->data->dev_started)
		link.link_status = RTE_ETH_LINK_DOWN;
	rte_spinlock_lock(&p->ctl_lock);
	for (unsigned q = 0; q < p->cfg.queues; q++)
		if (fp_qstats(p, q, &st) || st.state != FOLIO_Q_READY)
			link.link_status = RTE_ETH_LINK_DOWN;
	rte_spinlock_unlock(&p->ctl_lock);
	return rte_eth_linkstatus_set(dev, &link);
}

/* A queue's state in *st and its counters in v[]: since the last stats
 * reset, across re-created regions. The caller holds ctl_lock. */
static void fp_qcount(struct fp_priv *p, unsigned q, struct folio_stats *st,
		      uint64_t *v)
{
	struct fp_queue *fq = p->qs[q];

	if (fp_qstats(p, q, st) && fq)
		memcpy(st->v, fq->base, sizeof(st->v));
	for (unsigned k = 0; k < FOLIO_STAT__COUNT; k++)
		v[k] = fq ? fq->acc[k] + st->v[k] - fq->base[k] : st->v[k];
}

static int fp_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *s)
{
	struct fp_priv *p = dev->data->dev_private;

	rte_spinlock_lock(&p->ctl_lock);
	for (unsigned q = 0; q < p->cfg.queues; q++) {
		struct fp_queue *fq = p->qs[q];
		struct folio_stats st;
		uint64_t v[FOLIO_STAT__COUNT];

		if (!fq)
			continue;
		fp_qcount(p, q, &st, v);
		s->ipackets += v[FOLIO_STAT_RX_FRAMES];
		s->ibytes += v[FOLIO_STAT_RX_BYTES];
		s->opackets += v[FOLIO_STAT_TX_FRAMES];
		s->obytes += v[FOLIO_STAT_TX_BYTES];
		s->ierrors += v[FOLIO_STAT_BAD_INDEX] + v[FOLIO_STAT_BAD_LENGTH] +
			      v[FOLIO_STAT_BAD_HEADER];
		s->oerrors += fq->tx_bad;
		s->rx_nombuf += fq->rx_nombuf;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			s->q_ipackets[q] = v[FOLIO_STAT_RX_FRAMES];
			s->q_ibytes[q] = v[FOLIO_STAT_RX_BYTES];
			s->q_opackets[q] = v[FOLIO_STAT_TX_FRAMES];
			s->q_obytes[q] = v[FOLIO_STAT_TX_BYTES];
		}
	}
	rte_spinlock_unlock(&p->ctl_lock);
	return 0;
}

static int fp_stats_reset(struct rte_eth_dev *dev)
{
	struct fp_priv *p = dev->data->dev_private;

	/* The library's counters only grow: remember where they stand. */
	rte_spinlock_lock(&p->ctl_lock);
	for (unsigned q = 0; q < p->cfg.queues; q++) {
		struct fp_queue *fq = p->qs[q];
		struct folio_stats st;

		if (!fq)
			continue;
		if (!fp_qstats(p, q, &st))
			memcpy(fq->base, st.v, sizeof(fq->base));
		memset(fq->acc, 0, sizeof(fq->acc));
		fq->tx_bad = 0;
		fq->rx_nombuf = 0;
	}
	p->rs.resets = 0;
	rte_spinlock_unlock(&p->ctl_lock);
	return 0;
}

/* Per queue: every folio counter, then the queue state (0 detached,
 * 1 ready, 2 failed), the attached epoch and the PMD's own drops; after
 * the queues, the port's count of regions re-created by the host watch. */
#define FP_XSTATS_PER_Q (FOLIO_STAT__COUNT + 4u)
#define FP_XSTATS_PORT 1u

static int fp_xstats_get_names(struct rte_eth_dev *dev,
			       struct rte_eth_xstat_name *names,
			       unsigned int size)
{
	struct fp_priv *p = dev->data->dev_private;
	unsigned total = p->cfg.queues * FP_XSTATS_PER_Q + FP_XSTATS_PORT, i = 0;

	if (!names || size < total)
		return (int)total;
	for (unsigned q = 0; q < p->cfg.queues; q++) {
		for (unsigned k = 0; k < FOLIO_STAT__COUNT; k++)
			snprintf(names[i++].name, RTE_ETH_XSTATS_NAME_SIZE,
				 "q%u_%s", q, folio_stat_name(k));
		snprintf(names[i++].name, RTE_ETH_XSTATS_NAME_SIZE, "q%u_state", q);
		snprintf(names[i++].name, RTE_ETH_XSTATS_NAME_SIZE, "q%u_epoch", q);
		snprintf(names[i++].name, RTE_ETH_XSTATS_NAME_SIZE,
			 "q%u_tx_bad_length", q);
		snprintf(names[i++].name, RTE_ETH_XSTATS_NAME_SIZE,
			 "q%u_rx_nombuf", q);
	}
	snprintf(names[i++].name, RTE_ETH_XSTATS_NAME_SIZE, "restarts");
	return (int)total;
}

static int fp_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
			 unsigned int n)
{
	struct fp_priv *p = dev->data->dev_private;
	unsigned total = p->cfg.queues * FP_XSTATS_PER_Q + FP_XSTATS_PORT, i = 0;

	if (!xs || n < total)
		return (int)total;
	rte_spinlock_lock(&p->ctl_lock);
	for (unsigned q = 0; q < p->cfg.queues; q++) {
		struct fp_queue *fq = p->qs[q];
		struct folio_stats st;
		uint64_t v[FOLIO_STAT__COUNT];

		fp_qcount(p, q, &st, v);
		for (unsigned k = 0; k < FOLIO_STAT__COUNT; k++, i++) {
			xs[i].id = i;
			xs[i].value = v[k];
		}
		xs[i].id = i; xs[i++].value = st.state;
		xs[i].id = i; xs[i++].value = st.epoch;
		xs[i].id = i; xs[i++].value = fq ? fq->tx_bad : 0;
		xs[i].id = i; xs[i++].value = fq ? fq->rx_nombuf : 0;
	}
	xs[i].id = i; xs[i++].value = p->rs.resets;
	rte_spinlock_unlock(&p->ctl_lock);
	return (int)total;
}

static struct fp_queue *fp_queue_get(struct rte_eth_dev *dev, uint16_t qid,
				     unsigned socket)
{
	struct fp_priv *p = dev->data->dev_private;
	struct fp_queue *q = p->qs[qid];

	if (q)
		return q;
	q = rte_zmalloc_socket("net_folio_q", sizeof(*q), RTE_CACHE_LINE_SIZE,
			       (int)socket);
	if (!q)
		return NULL;
	q->priv = p;
	q->qid = qid;
	q->port = dev->data->port_id;
	q->bounce = rte_malloc_socket("net_folio_bounce",
				      (size_t)FP_BOUNCE * p->max_frame, 64,
				      (int)socket);
	if (!q->bounce || (p->role == FP_HOST &&
			   fl_lend_init(&q->lend, p->host, qid, p->cfg.ring_entries,
					(int)socket))) {
		rte_free(q->bounce);
		rte_free(q);
		return NULL;
	}
	p->qs[qid] = q;
	return q;
}

static void fp_queue_put(struct fp_priv *p, uint16_t qid)
{
	struct fp_queue *q = p->qs[qid];

	if (!q || q->rx_setup || q->tx_setup)
		return;
	fp_stash_release(q);
	/* Lent mbufs still point at their slot descriptors: keep them. */
	if (fl_lend_out(&q->lend))
		return;
	rte_free(q->bounce);
	fl_lend_fini(&q->lend);
	rte_free(q);
	p->qs[qid] = NULL;
}

/* A descriptor count other than the ring's is a hint: say so once a port. */
static void fp_desc_hint(struct rte_eth_dev *dev, const char *dir,
			 uint16_t nb_desc)
{
	struct fp_priv *p = dev->data->dev_private;

	if (nb_desc == p->cfg.ring_entries || p->desc_logged)
		return;
	p->desc_logged = 1;
	FL_LOG(NOTICE, "%s: %u %s descriptors asked; the ring has %u entries, "
	       "fixed by the configuration (the count is only a hint)",
	       dev->data->name, nb_desc, dir, p->cfg.ring_entries);
}

static void fp_rxq_info(struct rte_eth_dev *dev, uint16_t qid,
			struct rte_eth_rxq_info *qinfo)
{
	struct fp_priv *p = dev->data->dev_private;
	struct fp_queue *q = p->qs[qid];

	qinfo->mp = q ? q->mp : NULL;
	qinfo->nb_desc = (uint16_t)p->cfg.ring_entries;
	qinfo->rx_buf_size = (uint16_t)p->max_frame;
	/* Host role with scatter: a private header segment, a lent rest. */
	qinfo->scattered_rx = p->role == FP_HOST && p->scatter;
	qinfo->conf.offloads = dev->data->dev_conf.rxmode.offloads;
}

static void fp_txq_info(struct rte_eth_dev *dev, uint16_t qid,
			struct rte_eth_txq_info *qinfo)
{
	struct fp_priv *p = dev->data->dev_private;

	(void)qid;
	qinfo->nb_desc = (uint16_t)p->cfg.ring_entries;
	qinfo->conf.offloads = dev->data->dev_conf.txmode.offloads;
}

static int fp_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
			     uint16_t nb_desc, unsigned int socket,
			     const struct rte_eth_rxconf *conf,
			     struct rte_mempool *mp)
{
	struct fp_priv *p = dev->data->dev_private;
	struct fp_queue *q;
	uint32_t room;

	(void)conf;
	fp_desc_hint(dev, "rx", nb_desc);
	room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	if (room < p->max_frame) {
		FL_LOG(ERR, "%s: mbufs hold %u bytes, frames may have %u",
		       dev->data->name, room, p->max_frame);
		return -EINVAL;
	}
	q = fp_queue_get(dev, qid, socket);
	if (!q)
		return -ENOMEM;
	if (q->mp != mp)
		fp_stash_release(q);
	q->mp = mp;
	fp_rx_rearm_init(q);
	q->rx_setup = 1;
	dev->data->rx_queues[qid] = q;
	return 0;
}

static int fp_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
			     uint16_t nb_desc, unsigned int socket,
			     const struct rte_eth_txconf *conf)
{
	struct fp_queue *q;

	fp_desc_hint(dev, "tx", nb_desc);
	q = fp_queue_get(dev, qid, socket);
	if (!q)
		return -ENOMEM;
	/* ethdev passes only the queue's own offloads: add the port's. */
	q->fast_free = !!((conf->offloads |
			   dev->data->dev_conf.txmode.offloads) &
			  RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE);
	q->tx_setup = 1;
	dev->data->tx_queues[qid] = q;
	return 0;
}

static void fp_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct fp_priv *p = dev->data->dev_private;

	if (p->qs[qid]) {
		p->qs[qid]->rx_setup = 0;
		fp_queue_put(p, qid);
	}
	dev->data->rx_queues[qid] = NULL;
}

static void fp_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct fp_priv *p = dev->data->dev_private;

	if (p->qs[qid]) {
		p->qs[qid]->tx_setup = 0;
		fp_queue_put(p, qid);
	}
	dev->data->tx_queues[qid] = NULL;
}

static int fp_close(struct rte_eth_dev *dev)
{
	struct fp_priv *p = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	fp_stop(dev);
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		fp_rx_queue_release(dev, q);
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		fp_tx_queue_release(dev, q);
	if (p->role == FP_HOST && p->host) {
		uint32_t lent = fp_lent(p);

		if (lent) {
			/* The application still holds frames lent from the
			 * region: keep it mapped rather than pull it away. */
			FL_LOG(WARNING, "%s: %u frames still lent; region kept mapped",
			       dev->data->name, lent);
		} else {
			folio_host_close(p->host);
		}
		p->host = NULL;
	}
	if (p->role == FP_GUEST && fp_guest(p)) {
		folio_guest_close(fp_guest(p));
		p->guest = NULL;
	}
	/* mac_addrs points into the private data: not to be freed. */
	dev->data->mac_addrs = NULL;
	return 0;
}

static int fp_promisc(struct rte_eth_dev *dev)
{
	(void)dev;
	return 0; /* a point-to-point channel: every frame is for us */
}

static const struct eth_dev_ops fp_ops = {
	.dev_configure = fp_configure,
	.dev_start = fp_start,
	.dev_stop = fp_stop,
	.dev_close = fp_close,
	.dev_infos_get = fp_infos_get,
	.link_update = fp_link_update,
	.stats_get = fp_stats_get,
	.stats_reset = fp_stats_reset,
	.xstats_get = fp_xstats_get,
	.xstats_get_names = fp_xstats_get_names,
	.xstats_reset = fp_stats_reset,
	.mtu_set = fp_mtu_set,
	.rx_queue_setup = fp_rx_queue_setup,
	.tx_queue_setup = fp_tx_queue_setup,
	.rx_queue_release = fp_rx_queue_release,
	.tx_queue_release = fp_tx_queue_release,
	.rxq_info_get = fp_rxq_info,
	.txq_info_get = fp_txq_info,
	.promiscuous_enable = fp_promisc,
	.promiscuous_disable = fp_promisc,
	.allmulticast_enable = fp_promisc,
	.allmulticast_disable = fp_promisc,
};

/* ---- probe -------------------------------------------------------------- */

static int fp_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *dev;
	struct fp_priv *p, tmp;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		FL_LOG(ERR, "%s: secondary processes are not supported", name);
		return -ENOTSUP;
	}
	memset(&tmp, 0, sizeof(tmp));
	rc = fp_parse(name, rte_vdev_device_args(vdev), &tmp);
	if (rc)
		return rc;
	folio_set_log(fp_folio_log, NULL);
	dev = rte_eth_vdev_allocate(vdev, sizeof(*p));
	if (!dev)
		return -ENOMEM;
	p = dev->data->dev_private;
	*p = tmp;
	rte_spinlock_init(&p->open_lock);
	rte_spinlock_init(&p->ctl_lock);
	/* The host watch parks the datapath with membarrier(2) when the
	 * kernel allows it (Linux 4.14+), else every burst fences itself. */
	if (p->role == FP_HOST && !p->dp_fence &&
	    fp_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0) {
		p->dp_fence = 1;
		FL_LOG(NOTICE, "%s: membarrier refused; host bursts fence themselves",
		       name);
	}
	memcpy(p->mac.addr_bytes,
	       p->role == FP_GUEST ? p->cfg.guest_mac : p->cfg.host_mac, 6);
	dev->data->mac_addrs = &p->mac;
	dev->data->mtu = (uint16_t)p->cfg.mtu;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	dev->data->dev_link.link_speed = RTE_ETH_SPEED_NUM_UNKNOWN;
	dev->data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	dev->data->dev_link.link_autoneg = RTE_ETH_LINK_FIXED;
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->dev_ops = &fp_ops;
	dev->rx_pkt_burst = p->role == FP_GUEST ? fp_guest_rx : fp_host_rx;
	dev->tx_pkt_burst = p->role == FP_GUEST ? fp_guest_tx : fp_host_tx;
	rte_eth_dev_probing_finish(dev);
	FL_LOG(INFO, "%s: role=%s path=%s queues=%u entries=%u slot=%u mtu=%u",
	       name, p->role == FP_GUEST ? "guest" : "host", p->cfg.region,
	       p->cfg.queues, p->cfg.ring_entries, p->cfg.slot_size, p->cfg.mtu);
	return 0;
}

static int fp_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (!dev)
		return 0;
	fp_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver fp_driver = {
	.probe = fp_probe,
	.remove = fp_remove,
};

RTE_PMD_REGISTER_VDEV(net_folio, fp_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_folio, FP_PARAM_STRING);
