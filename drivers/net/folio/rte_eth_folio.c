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
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_atomic.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "config_keys.h"
#include "folio.h"
#include "folio_lend.h"
#include "fp_devargs.h"
#include "fp_param_string.h"

RTE_LOG_REGISTER(folio_logtype, pmd.net.folio, NOTICE);
#define FL_LOG(level, fmt, ...)                                          \
	rte_log(RTE_LOG_##level, folio_logtype, "net_folio: " fmt "\n", \
		##__VA_ARGS__)

enum fp_role { FP_GUEST, FP_HOST };

#define FP_STASH FOLIO_MAX_BURST
/* Multi-segment frames are gathered into this many bounce buffers per
 * transmit burst; a burst stops early when they are used up. */
#define FP_BOUNCE 32u
/* A guest port whose region is not there yet retries this often. */
#define FP_OPEN_RETRY_MS 20u
/* Host role: how often the watch looks for a guest that left or failed. */
#define FP_WATCH_US 100000u
/* Host role: how long the watch waits for the bursts in flight to end. */
#define FP_PARK_WAIT_US 2000u
/* Default reset_failed: seconds before a failed channel is re-created. */
#define FP_RESET_DEFAULT_S 1u
/* Host rx: bytes of every frame copied into private mbuf memory before the
 * application sees it, so that its headers can not change after the PMD
 * hands it over. Covers Ethernet + VLAN + IPv4 with options + TCP with
 * most options, or IPv6 + TCP. Shorter frames are copied whole. */
#define FP_HDR_COPY 128u

/* Host role: each rx and tx queue marks itself busy for the length of a
 * burst; the watch parks the port while it swaps the endpoint. */
enum { FP_RX, FP_TX };

struct fp_priv;

/* One Folio queue pair; the ethdev rx and tx queue qid both point here. */
struct fp_queue {
	struct fp_priv *priv;
	uint16_t qid;
	uint16_t port;
	struct rte_mempool *mp; /* rx mbufs; NULL until rx setup */
	unsigned stash_n;
	struct rte_mbuf *stash[FP_STASH]; /* preallocated rx mbufs */
	uint64_t rx_nombuf;
	uint64_t tx_bad; /* mbufs dropped: length outside the config */
	/* host: the frames lent out of this queue and their batched give-back
	 * (folio_lend.h). Both the receive burst and the free callback run on
	 * the queue's lcore (see docs/pmd.md); others only read lend.lent. */
	struct fl_lend lend;
	int copy_mode; /* host: last burst was all short frames */
	uint8_t *bounce;       /* FP_BOUNCE * max_frame bytes */
	uint64_t base[FOLIO_STAT__COUNT]; /* counters at the last reset */
	/* host: what earlier endpoints of this port counted, since the last
	 * stats reset; a re-created region starts its counters at zero. */
	uint64_t acc[FOLIO_STAT__COUNT];
	uint32_t busy[2]; /* host: inside a burst, per direction */
	int rx_setup, tx_setup;
};

struct fp_priv {
	enum fp_role role;
	struct folio_config cfg;
	uint32_t max_frame;
	uint32_t zc_min; /* host rx: frames shorter than this are copied */
	/* host rx: frames shorter than this are copied whole; longer ones
	 * lend what follows their first FP_HDR_COPY bytes. */
	uint32_t zc_thresh;
	int scatter; /* the application enabled RTE_ETH_RX_OFFLOAD_SCATTER */
	struct folio_guest *guest; /* published with a release store */
	struct folio_host *host;
	rte_spinlock_t open_lock;
	/* host: serialises the watch's endpoint swap against the control
	 * calls (stats, xstats, link) that read p->host. */
	rte_spinlock_t ctl_lock;
	uint32_t reset_s;     /* reset_failed: seconds, 0 = never */
	struct fl_reset rs;   /* when the watch re-creates the region */
	uint32_t watch_on;    /* the watch re-arms itself while set */
	uint32_t park;        /* the watch holds the datapath out */
	/* 1: bursts fence themselves (no membarrier(2) here); 0: the watch
	 * fences every thread of the process with membarrier instead. */
	int dp_fence;
	uint64_t next_open; /* tsc of the next lazy open attempt */
	int open_err;       /* last error logged by a lazy open */
	int desc_logged;    /* a descriptor hint was logged */
	struct rte_ether_addr mac;
	struct fp_queue *qs[FOLIO_MAX_QUEUES];
};

static void fp_folio_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	rte_log(level <= FOLIO_LOG_ERR ? RTE_LOG_ERR :
		level == FOLIO_LOG_WARN ? RTE_LOG_WARNING : RTE_LOG_INFO,
		folio_logtype, "net_folio: %s\n", msg);
}

/* ---- endpoint access ---------------------------------------------------- */

static int fp_membarrier(int cmd)
{
	return (int)syscall(__NR_membarrier, cmd, 0, 0);
}

static inline struct folio_guest *fp_guest(struct fp_priv *p)
{
	return __atomic_load_n(&p->guest, __ATOMIC_ACQUIRE);
}

/* Open the region if the host has made it. Never blocks: a missing or not
 * yet written region is retried later, at most every FP_OPEN_RETRY_MS. */
static int fp_guest_try_open(struct fp_priv *p, int force)
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
			rte_log(rc == -ENOENT || rc == FOLIO_ESMALL ||
				rc == FOLIO_ENOTREADY ? RTE_LOG_INFO : RTE_LOG_ERR,
				folio_logtype, "net_folio: guest: %s: %s (will retry)\n",
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

/* ---- rx ----------------------------------------------------------------- */

/* Make sure the stash holds n mbufs. @return how many it holds. */
static inline unsigned fp_stash_fill(struct fp_queue *q, unsigned n)
{
	if (q->stash_n < n) {
		unsigned want = FP_STASH - q->stash_n;

		/* Refill in one go; when the pool runs low, take just
		 * what this burst needs. */
		if (rte_pktmbuf_alloc_bulk(q->mp, &q->stash[q->stash_n], want)) {
			want = n - q->stash_n;
			if (rte_pktmbuf_alloc_bulk(q->mp, &q->stash[q->stash_n],
						   want)) {
				q->rx_nombuf++;
				return q->stash_n;
			}
		}
		q->stash_n += want;
	}
	return n;
}

/* Hand out the first k mbufs of the stash's top n; keep the rest. */
static inline void fp_stash_take(struct fp_queue *q, struct rte_mbuf **out,
				 unsigned n, unsigned k)
{
	struct rte_mbuf **top = &q->stash[q->stash_n - n];

	memcpy(out, top, k * sizeof(*out));
	memmove(top, top + k, (n - k) * sizeof(*top));
	q->stash_n -= k;
}

/* The stash holds freshly reset mbufs: only the length and port change. */
static inline void fp_mbuf_set(struct rte_mbuf *m, uint32_t len, uint16_t port)
{
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	m->port = port;
}

static uint16_t fp_guest_rx(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct fp_queue *q = rxq;
	struct folio_guest *g = fp_guest(q->priv);
	void *bufs[FP_STASH];
	uint32_t lens[FP_STASH];
	struct rte_mbuf **top;
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
	top = &q->stash[q->stash_n - n];
	for (unsigned i = 0; i < n; i++)
		bufs[i] = rte_pktmbuf_mtod(top[i], void *);
	/* The one copy: slot -> the application's mbuf. */
	rc = folio_guest_rx_burst(g, q->qid, bufs, lens, n);
	if (rc <= 0)
		return 0; /* idle, host away (ENOTREADY) or failed: counted */
	for (int i = 0; i < rc; i++)
		fp_mbuf_set(top[i], lens[i], q->port);
	fp_stash_take(q, pkts, n, (unsigned)rc);
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
	struct rte_mbuf **top = &q->stash[q->stash_n - n];
	void *bufs[FP_STASH];
	uint32_t lens[FP_STASH];
	int rc;

	for (unsigned i = 0; i < n; i++)
		bufs[i] = rte_pktmbuf_mtod(top[i], void *);
	rc = folio_host_rx_burst(p->host, q->qid, bufs, lens, n);
	if (rc <= 0) {
		if (rc == -EBUSY) /* frames still lent: lend, do not copy */
			q->copy_mode = 0;
		return 0;
	}
	for (int i = 0; i < rc; i++) {
		fp_mbuf_set(top[i], lens[i], q->port);
		if (lens[i] >= p->zc_thresh)
			q->copy_mode = 0; /* lend frames this size from now on */
	}
	fp_stash_take(q, pkts, n, (unsigned)rc);
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
	fl_lend_copy(rte_pktmbuf_mtod(m, void *), fr, FP_HDR_COPY);
	fl_lend_attach(&q->lend, tail, fr, FP_HDR_COPY);
	tail->port = q->port;
	m->data_len = FP_HDR_COPY;
	m->pkt_len = fr->len;
	m->nb_segs = 2;
	m->next = tail;
	m->port = q->port;
}

static uint16_t fp_host_rx_lend(struct fp_queue *q, struct rte_mbuf **pkts,
				uint16_t nb)
{
	struct fp_priv *p = q->priv;
	struct folio_frame fr[FP_STASH];
	struct rte_mbuf *tails[FP_STASH];
	struct rte_mbuf **top;
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
	top = &q->stash[q->stash_n - n];
	for (int i = 0; i < rc; i++) {
		struct rte_mbuf *m = top[i];

		if (fr[i].len < p->zc_thresh || lent == want) {
			rte_memcpy(rte_pktmbuf_mtod(m, void *), fr[i].data,
				   fr[i].len);
			(void)folio_host_rx_done(p->host, q->qid, fr[i].id);
			fp_mbuf_set(m, fr[i].len, q->port);
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
	fp_stash_take(q, pkts, n, (unsigned)rc);
	return (uint16_t)rc;
}

static uint16_t fp_host_rx(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
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
 * mbuf into the slot. @return frames to send; *skip = dropped leading ones.
 */
static inline unsigned fp_tx_gather(struct fp_queue *q, struct rte_mbuf **pkts,
				    unsigned nb, const void **bufs,
				    uint32_t *lens, unsigned *skip)
{
	uint32_t max = q->priv->max_frame;
	unsigned n = 0, bounce = 0, i;

	*skip = 0;
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = m->pkt_len;

		if (unlikely(len < FOLIO_MIN_FRAME || len > max)) {
			if (n)
				break;
			q->tx_bad++;
			rte_pktmbuf_free(m);
			(*skip)++;
			continue;
		}
		if (likely(m->nb_segs == 1)) {
			bufs[n] = rte_pktmbuf_mtod(m, const void *);
		} else {
			uint8_t *b;

			if (bounce == FP_BOUNCE)
				break;
			b = q->bounce + (size_t)bounce++ * max;
			bufs[n] = rte_pktmbuf_read(m, 0, len, b);
		}
		lens[n++] = len;
	}
	return n;
}

static inline uint16_t fp_tx_finish(struct rte_mbuf **pkts, unsigned skip,
				    int rc)
{
	if (rc <= 0)
		return (uint16_t)skip; /* full, peer away, or failed */
	rte_pktmbuf_free_bulk(pkts + skip, (unsigned)rc);
	return (uint16_t)(skip + (unsigned)rc);
}

static uint16_t fp_guest_tx(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct fp_queue *q = txq;
	struct folio_guest *g = fp_guest(q->priv);
	const void *bufs[FP_STASH];
	uint32_t lens[FP_STASH];
	unsigned n, skip;

	if (unlikely(!g)) {
		if (fp_guest_try_open(q->priv, 0))
			return 0;
		g = fp_guest(q->priv);
	}
	n = fp_tx_gather(q, pkts, nb < FP_STASH ? nb : FP_STASH, bufs, lens,
			 &skip);
	/* The one copy: the application's mbuf -> slot. */
	return fp_tx_finish(pkts, skip,
			    n ? folio_guest_tx_burst(g, q->qid, bufs, lens, n) : 0);
}

static uint16_t fp_host_tx(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct fp_queue *q = txq;
	const void *bufs[FP_STASH];
	uint32_t lens[FP_STASH];
	unsigned n, skip;
	uint16_t done;

	if (unlikely(!fp_gate_enter(q, FP_TX)))
		return 0; /* the region is being re-created */
	n = fp_tx_gather(q, pkts, nb < FP_STASH ? nb : FP_STASH, bufs, lens,
			 &skip);
	done = fp_tx_finish(pkts, skip,
			    n ? folio_host_tx_burst(q->priv->host, q->qid, bufs,
						    lens, n) : 0);
	fp_gate_exit(q, FP_TX);
	return done;
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
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
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

static uint32_t fp_lent(struct fp_priv *p)
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

static void fp_watch_stop(struct fp_priv *p, struct rte_eth_dev *dev)
{
	__atomic_store_n(&p->watch_on, 0, __ATOMIC_RELEASE);
	/* Waits for a running callback, which then does not re-arm. */
	rte_eal_alarm_cancel(fp_watch, dev);
}

static int fp_start(struct rte_eth_dev *dev)
{
	struct fp_priv *p = dev->data->dev_private;
	int rc;

	if (p->role == FP_HOST) {
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
	if (q->stash_n)
		rte_pktmbuf_free_bulk(q->stash, q->stash_n);
	q->stash_n = 0;
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
	if (q->stash_n && q->mp != mp) {
		rte_pktmbuf_free_bulk(q->stash, q->stash_n);
		q->stash_n = 0;
	}
	q->mp = mp;
	q->rx_setup = 1;
	dev->data->rx_queues[qid] = q;
	return 0;
}

static int fp_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
			     uint16_t nb_desc, unsigned int socket,
			     const struct rte_eth_txconf *conf)
{
	struct fp_queue *q;

	(void)conf;
	fp_desc_hint(dev, "tx", nb_desc);
	q = fp_queue_get(dev, qid, socket);
	if (!q)
		return -ENOMEM;
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

static int fp_parse(const char *name, const char *args, struct fp_priv *p)
{
	struct rte_kvargs *kv = NULL;
	char err[256];
	int rc = 0, role_set = 0, where_set = 0;

	folio_config_init(&p->cfg);
	p->zc_min = 0;
	p->reset_s = FP_RESET_DEFAULT_S;
	if (!args || !*args) {
		FL_LOG(ERR, "%s: devargs role=guest|host and path= are required", name);
		return -EINVAL;
	}
	kv = rte_kvargs_parse(args, NULL);
	if (!kv) {
		FL_LOG(ERR, "%s: cannot parse devargs '%s'", name, args);
		return -EINVAL;
	}
	/* Unknown keys first, so that a typo is named before anything else. */
	for (unsigned i = 0; i < kv->count; i++) {
		char known[512];

		if (fp_devarg_known(kv->pairs[i].key))
			continue;
		(void)fp_devargs_list(known, sizeof(known), 0); /* fits: 512 */
		FL_LOG(ERR, "%s: unknown devarg '%s' (known: %s)", name,
		       kv->pairs[i].key, known);
		rc = -EINVAL;
		goto out;
	}
	/* A config file first; keys given as devargs override it. */
	for (unsigned i = 0; i < kv->count; i++) {
		if (strcmp(kv->pairs[i].key, "config"))
			continue;
		where_set = 1;
		rc = folio_config_load(&p->cfg, kv->pairs[i].value, err, sizeof(err));
		if (rc) {
			FL_LOG(ERR, "%s: %s", name, err);
			goto out;
		}
	}
	for (unsigned i = 0; i < kv->count; i++) {
		const char *key = kv->pairs[i].key, *val = kv->pairs[i].value;

		if (!val)
			val = "";
		if (!strcmp(key, "config"))
			continue;
		if (!strcmp(key, "role")) {
			role_set = 1;
			if (!strcmp(val, "guest")) {
				p->role = FP_GUEST;
			} else if (!strcmp(val, "host")) {
				p->role = FP_HOST;
			} else {
				FL_LOG(ERR, "%s: role must be guest or host, not '%s'",
				       name, val);
				rc = -EINVAL;
				goto out;
			}
		} else if (!strcmp(key, "zc_min")) {
			char *end;
			unsigned long v = strtoul(val, &end, 10);

			if (!*val || *end || v > 65536) {
				FL_LOG(ERR, "%s: zc_min must be 0..65536", name);
				rc = -EINVAL;
				goto out;
			}
			p->zc_min = (uint32_t)v;
		} else if (!strcmp(key, "reset_failed")) {
			char *end;
			unsigned long v = strtoul(val, &end, 10);

			if (!*val || *end || v > 3600) {
				FL_LOG(ERR, "%s: reset_failed must be 0..3600 seconds (0: never)",
				       name);
				rc = -EINVAL;
				goto out;
			}
			p->reset_s = (uint32_t)v;
		} else if (!strcmp(key, "park")) {
			if (!strcmp(val, "membarrier")) {
				p->dp_fence = 0;
			} else if (!strcmp(val, "fence")) {
				p->dp_fence = 1;
			} else {
				FL_LOG(ERR, "%s: park must be membarrier or fence, not '%s'",
				       name, val);
				rc = -EINVAL;
				goto out;
			}
		} else {
			/* A key of the fixed configuration: its line of the
			 * library's table parses and range-checks it. */
			where_set |= !strcmp(key, "path");
			rc = fl_config_key_set(&p->cfg, fl_config_key_find(
						       strcmp(key, "path") ? key : "region"),
					       val, err, sizeof(err));
			if (rc) {
				FL_LOG(ERR, "%s: %s", name, err);
				goto out;
			}
		}
	}
	/* No silent default region: the channel is named explicitly. */
	if (!role_set || !where_set) {
		FL_LOG(ERR, "%s: devargs role=guest|host and path= (or region in "
		       "config=) are required", name);
		rc = -EINVAL;
		goto out;
	}
	rc = folio_config_validate(&p->cfg, err, sizeof(err));
	if (rc) {
		FL_LOG(ERR, "%s: %s", name, err);
		goto out;
	}
	p->max_frame = folio_config_max_frame(&p->cfg);
	p->zc_thresh = p->zc_min > FP_HDR_COPY ? p->zc_min : FP_HDR_COPY + 1;
	fl_reset_init(&p->rs, p->reset_s);
out:
	rte_kvargs_free(kv);
	return rc;
}

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
