// SPDX-License-Identifier: BSD-3-Clause
/*
 * folio_main.c - folio.ko: a network device on the Folio ring.
 *
 * Binds the QEMU ivshmem-plain device (1af4:1110); its BAR 2 is the shared
 * region. The netdev folio%d has the configured MAC, a fixed MTU and no
 * offloads. There are no interrupts and no notifications: an hrtimer per
 * queue schedules NAPI, which polls again at once while there is work and
 * backs off, doubling, up to poll_max_us when idle. Transmit copies each
 * skb once into a slot; receive copies each frame once into a new skb.
 * Every index, length and byte goes through lib/ring.c.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/pci.h>

#include "folio_drv.h"
#include "shm.h"

#define FK_BATCH 64u        /* receive skbs kept ready per queue */
#define FK_POLL_MIN_NS 2000u /* first idle interval, doubled up to the max */

static unsigned int queues = 1, ring_entries = 1024, slot_size = 2048;
static unsigned int mtu = 1500, poll_max_us = 200;
static char *guest_mac = "02:f0:00:00:00:01", *host_mac = "02:f0:00:00:00:02";
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "queue pairs, 1..16 (as the config file)");
module_param(ring_entries, uint, 0444);
MODULE_PARM_DESC(ring_entries, "slots per ring, power of two 64..4096");
module_param(slot_size, uint, 0444);
MODULE_PARM_DESC(slot_size, "bytes per slot, power of two 256..65536, >= mtu + 18");
module_param(mtu, uint, 0444);
MODULE_PARM_DESC(mtu, "fixed MTU, 68..9000");
module_param(guest_mac, charp, 0444);
MODULE_PARM_DESC(guest_mac, "this guest's MAC, unicast");
module_param(host_mac, charp, 0444);
MODULE_PARM_DESC(host_mac, "the host's MAC, unicast, != guest_mac");
module_param(poll_max_us, uint, 0444);
MODULE_PARM_DESC(poll_max_us, "longest idle poll interval in us, 1..100000 (default 200)");

static struct folio_config fk_cfg; /* checked once, at module load */

struct fk_queue {
	struct fl_queue q;          /* the library's queue state */
	spinlock_t lock;            /* one context per queue: xmit or poll */
	struct napi_struct napi;
	struct hrtimer timer;
	struct fk_nic *nic;
	unsigned int idx;
	u32 idle_ns;                /* current idle interval */
	unsigned int ncache;
	struct sk_buff *cache[FK_BATCH];
};

struct fk_nic {
	struct fk_chan chan;
	struct net_device *dev;
	struct pci_dev *pdev;
	struct fk_queue *qs[FOLIO_MAX_QUEUES];
};

static void fk_arm(struct fk_queue *fq, u32 ns)
{
	hrtimer_start(&fq->timer, ns_to_ktime(ns), HRTIMER_MODE_REL);
}

static enum hrtimer_restart fk_timer(struct hrtimer *t)
{
	struct fk_queue *fq = container_of(t, struct fk_queue, timer);

	napi_schedule(&fq->napi);
	return HRTIMER_NORESTART;
}

/* The carrier is on while every queue is attached (design.md 6). */
static void fk_carrier(struct fk_nic *n)
{
	bool up = true;

	for (unsigned int i = 0; i < fk_cfg.queues; i++)
		up &= READ_ONCE(n->qs[i]->q.state) == FOLIO_Q_READY;
	if (up && !netif_carrier_ok(n->dev))
		netif_carrier_on(n->dev);
	else if (!up && netif_carrier_ok(n->dev))
		netif_carrier_off(n->dev);
}

/* The library's log hook: rate limited, so a host cannot flood dmesg. */
static void fk_log(void *ctx, int level, const char *msg)
{
	if (level <= FOLIO_LOG_ERR)
		pr_err_ratelimited("folio: %s\n", msg);
	else if (level <= FOLIO_LOG_WARN)
		pr_warn_ratelimited("folio: %s\n", msg);
	else
		pr_info_ratelimited("folio: %s\n", msg);
}

static netdev_tx_t fk_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct fk_nic *n = netdev_priv(dev);
	u16 qi = skb_get_queue_mapping(skb);
	struct fk_queue *fq = n->qs[qi < fk_cfg.queues ? qi : 0];
	int rc;

	/* No NETIF_F_SG: the core hands over linear skbs; linearize is the
	 * fallback for any other path, never a second copy in the common one. */
	if (unlikely(skb_linearize(skb) || skb->len < ETH_HLEN ||
		     skb->len > fk_cfg.mtu + FOLIO_L2_OVERHEAD)) {
		dev->stats.tx_dropped++;
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	spin_lock(&fq->lock);
	rc = fk_tx(&n->chan, &fq->q, fq->idx, skb->data, skb->len); /* the one copy */
	spin_unlock(&fq->lock);
	if (rc == 0) {
		/* Ring full: the poll wakes the queue when the host frees slots. */
		netif_stop_subqueue(dev, qi);
		return NETDEV_TX_BUSY;
	}
	if (rc < 0)
		dev->stats.tx_dropped++;
	dev_consume_skb_any(skb);
	if (READ_ONCE(fq->idle_ns) > FK_POLL_MIN_NS) {
		/* A reply is likely: end the idle back-off now. */
		WRITE_ONCE(fq->idle_ns, FK_POLL_MIN_NS);
		fk_arm(fq, FK_POLL_MIN_NS);
	}
	return NETDEV_TX_OK;
}

/* Receive up to budget frames. The lock covers the ring call only: the
 * stack may transmit on this queue while it takes a frame (a TCP ACK). */
static int fk_rx_burst(struct fk_queue *fq, int budget)
{
	struct net_device *dev = fq->nic->dev;
	u32 lens[FK_BATCH];
	void *bufs[FK_BATCH];
	int done = 0, rc;

	while (done < budget) {
		unsigned int want = min_t(unsigned int, FK_BATCH, budget - done), i;

		while (fq->ncache < want) {
			struct sk_buff *skb = napi_alloc_skb(&fq->napi,
				fk_cfg.mtu + FOLIO_L2_OVERHEAD);

			if (!skb)
				break;
			fq->cache[fq->ncache++] = skb;
		}
		want = min(want, fq->ncache);
		for (i = 0; i < want; i++)
			bufs[i] = fq->cache[i]->data;
		spin_lock(&fq->lock);
		rc = fk_rx(&fq->nic->chan, &fq->q, fq->idx, bufs, lens, want);
		spin_unlock(&fq->lock);
		if (rc <= 0)
			break;
		for (i = 0; i < (unsigned int)rc; i++) {
			struct sk_buff *skb = fq->cache[i];

			skb_put(skb, lens[i]);
			skb->protocol = eth_type_trans(skb, dev);
			napi_gro_receive(&fq->napi, skb);
		}
		fq->ncache -= (unsigned int)rc;
		memmove(fq->cache, fq->cache + rc, fq->ncache * sizeof(fq->cache[0]));
		done += rc;
		if ((unsigned int)rc < want)
			break;
	}
	return done;
}

static int fk_poll(struct napi_struct *napi, int budget)
{
	struct fk_queue *fq = container_of(napi, struct fk_queue, napi);
	struct net_device *dev = fq->nic->dev;
	bool wake = false;
	int done;

	done = fk_rx_burst(fq, budget);
	if (__netif_subqueue_stopped(dev, fq->idx)) {
		spin_lock(&fq->lock);
		/* A hint only: the next transmit checks the window itself. */
		wake = fq->q.state != FOLIO_Q_READY ||
		       fq->q.tx.head - shm_load_acquire(fq->q.tx.cons) < fq->q.tx.entries;
		spin_unlock(&fq->lock);
	}
	if (wake)
		netif_wake_subqueue(dev, fq->idx);
	fk_carrier(fq->nic);
	if (done >= budget)
		return budget; /* more work: NAPI polls again at once */
	if (done > 0 || __netif_subqueue_stopped(dev, fq->idx))
		fq->idle_ns = FK_POLL_MIN_NS;
	else
		fq->idle_ns = min_t(u32, fq->idle_ns * 2, poll_max_us * 1000u);
	if (napi_complete_done(napi, done))
		fk_arm(fq, done > 0 ? 0 : fq->idle_ns);
	return done;
}

static int fk_open(struct net_device *dev)
{
	struct fk_nic *n = netdev_priv(dev);

	for (unsigned int i = 0; i < fk_cfg.queues; i++) {
		n->qs[i]->idle_ns = FK_POLL_MIN_NS;
		napi_enable(&n->qs[i]->napi);
		napi_schedule(&n->qs[i]->napi);
	}
	netif_tx_start_all_queues(dev);
	return 0;
}

static int fk_stop(struct net_device *dev)
{
	struct fk_nic *n = netdev_priv(dev);

	netif_tx_stop_all_queues(dev);
	for (unsigned int i = 0; i < fk_cfg.queues; i++) {
		napi_disable(&n->qs[i]->napi);
		hrtimer_cancel(&n->qs[i]->timer);
	}
	netif_carrier_off(dev);
	return 0;
}

static void fk_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	struct fk_nic *n = netdev_priv(dev);

	for (unsigned int i = 0; i < fk_cfg.queues; i++) {
		const u64 *v = n->qs[i]->q.st;

		s->tx_packets += READ_ONCE(v[FOLIO_STAT_TX_FRAMES]);
		s->tx_bytes += READ_ONCE(v[FOLIO_STAT_TX_BYTES]);
		s->rx_packets += READ_ONCE(v[FOLIO_STAT_RX_FRAMES]);
		s->rx_bytes += READ_ONCE(v[FOLIO_STAT_RX_BYTES]);
		s->rx_errors += READ_ONCE(v[FOLIO_STAT_BAD_INDEX]) +
				READ_ONCE(v[FOLIO_STAT_BAD_LENGTH]);
	}
	s->tx_dropped = dev->stats.tx_dropped;
}

static const struct net_device_ops fk_netdev_ops = {
	.ndo_open = fk_open,
	.ndo_stop = fk_stop,
	.ndo_start_xmit = fk_xmit,
	.ndo_get_stats64 = fk_get_stats64,
	.ndo_validate_addr = eth_validate_addr,
};

/* ethtool -S: the library's counters summed over the queues, then each
 * queue's state, epoch and counters ("q0_bad_index", ...). */
#define FK_NSTATS (FOLIO_STAT__COUNT + fk_cfg.queues * (FOLIO_STAT__COUNT + 2))

static int fk_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? (int)FK_NSTATS : -EOPNOTSUPP;
}

static void fk_get_strings(struct net_device *dev, u32 sset, u8 *p)
{
	if (sset != ETH_SS_STATS)
		return;
	for (unsigned int k = 0; k < FOLIO_STAT__COUNT; k++)
		ethtool_sprintf(&p, "%s", folio_stat_name(k));
	for (unsigned int i = 0; i < fk_cfg.queues; i++) {
		ethtool_sprintf(&p, "q%u_state", i);
		ethtool_sprintf(&p, "q%u_epoch", i);
		for (unsigned int k = 0; k < FOLIO_STAT__COUNT; k++)
			ethtool_sprintf(&p, "q%u_%s", i, folio_stat_name(k));
	}
}

static void fk_get_ethtool_stats(struct net_device *dev,
				 struct ethtool_stats *es, u64 *d)
{
	struct fk_nic *n = netdev_priv(dev);
	u64 *per = d + FOLIO_STAT__COUNT;

	memset(d, 0, FOLIO_STAT__COUNT * sizeof(*d));
	for (unsigned int i = 0; i < fk_cfg.queues; i++) {
		const struct fl_queue *q = &n->qs[i]->q;

		*per++ = READ_ONCE(q->state);
		*per++ = READ_ONCE(q->epoch);
		for (unsigned int k = 0; k < FOLIO_STAT__COUNT; k++) {
			u64 v = READ_ONCE(q->st[k]);

			d[k] += v;
			*per++ = v;
		}
	}
}

static void fk_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *di)
{
	struct fk_nic *n = netdev_priv(dev);

	strscpy(di->driver, KBUILD_MODNAME, sizeof(di->driver));
	strscpy(di->version, FOLIO_VERSION_STRING, sizeof(di->version));
	strscpy(di->bus_info, pci_name(n->pdev), sizeof(di->bus_info));
}

static const struct ethtool_ops fk_ethtool_ops = {
	.get_drvinfo = fk_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_sset_count = fk_sset_count,
	.get_strings = fk_get_strings,
	.get_ethtool_stats = fk_get_ethtool_stats,
};

static void fk_free_queues(struct fk_nic *n)
{
	for (unsigned int i = 0; i < fk_cfg.queues && n->qs[i]; i++) {
		struct fk_queue *fq = n->qs[i];

		fk_leave(&fq->q); /* the host sees the guest leave */
		netif_napi_del(&fq->napi);
		while (fq->ncache)
			dev_kfree_skb(fq->cache[--fq->ncache]);
		kfree(fq);
		n->qs[i] = NULL;
	}
}

static int fk_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct net_device *dev;
	struct fk_nic *n;
	resource_size_t bar;
	int rc;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;
	bar = pci_resource_len(pdev, 2);
	dev = devm_alloc_etherdev_mqs(&pdev->dev, sizeof(*n), fk_cfg.queues,
				      fk_cfg.queues);
	if (!dev)
		return -ENOMEM;
	n = netdev_priv(dev);
	n->dev = dev;
	n->pdev = pdev;
	fl_layout_compute(&fk_cfg, &n->chan.l); /* INV_geom */
	n->chan.digest = folio_config_digest(&fk_cfg);
	if (bar < n->chan.l.region_size) {
		dev_err(&pdev->dev, "BAR 2 has %llu bytes, the configuration needs %llu: not binding\n",
			(unsigned long long)bar, (unsigned long long)n->chan.l.region_size);
		return -ENOSPC;
	}
	if (!devm_request_mem_region(&pdev->dev, pci_resource_start(pdev, 2),
				     bar, KBUILD_MODNAME))
		return -EBUSY;
	/* The BAR is memory (a shared page range under SEV-SNP or TDX). */
	n->chan.base = devm_memremap(&pdev->dev, pci_resource_start(pdev, 2),
				     n->chan.l.region_size, MEMREMAP_WB);
	if (IS_ERR(n->chan.base))
		return PTR_ERR(n->chan.base);
	n->chan.hdr = (struct fl_hdr *)(void *)(n->chan.base + FL_HDR_OFF);
	rc = fk_check_header(&n->chan);
	if (rc && rc != FOLIO_ENOTREADY) {
		dev_err(&pdev->dev, "region header does not match the module parameters: %s: not binding\n",
			folio_strerror(rc));
		return -EINVAL;
	}
	for (unsigned int i = 0; i < fk_cfg.queues; i++) {
		struct fk_queue *fq = kzalloc(sizeof(*fq), GFP_KERNEL);

		if (!fq) {
			rc = -ENOMEM;
			goto fail;
		}
		n->qs[i] = fq;
		fq->nic = n;
		fq->idx = i;
		spin_lock_init(&fq->lock);
		fk_queue_init(&n->chan, &fq->q, i);
		hrtimer_init(&fq->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		fq->timer.function = fk_timer;
		netif_napi_add(dev, &fq->napi, fk_poll);
	}
	SET_NETDEV_DEV(dev, &pdev->dev);
	strscpy(dev->name, "folio%d", sizeof(dev->name));
	dev->netdev_ops = &fk_netdev_ops;
	dev->ethtool_ops = &fk_ethtool_ops;
	dev->mtu = dev->min_mtu = dev->max_mtu = fk_cfg.mtu; /* fixed */
	dev->features = dev->hw_features = 0; /* no offloads */
	eth_hw_addr_set(dev, fk_cfg.guest_mac);
	netif_carrier_off(dev);
	pci_set_drvdata(pdev, n);
	rc = register_netdev(dev);
	if (rc)
		goto fail;
	netdev_info(dev, "Folio on %s: %u queue(s), %u entries, slot %u, mtu %u%s\n",
		    pci_name(pdev), fk_cfg.queues, fk_cfg.ring_entries,
		    fk_cfg.slot_size, fk_cfg.mtu,
		    rc == 0 && fk_check_header(&n->chan) ? ", waiting for the host" : "");
	return 0;
fail:
	fk_free_queues(n);
	return rc;
}

static void fk_remove(struct pci_dev *pdev)
{
	struct fk_nic *n = pci_get_drvdata(pdev);

	unregister_netdev(n->dev);
	fk_free_queues(n);
}

static const struct pci_device_id fk_ids[] = {
	{ PCI_DEVICE(0x1af4, 0x1110) }, /* QEMU ivshmem-plain */
	{ }
};
MODULE_DEVICE_TABLE(pci, fk_ids);

static struct pci_driver fk_driver = {
	.name = KBUILD_MODNAME,
	.id_table = fk_ids,
	.probe = fk_probe,
	.remove = fk_remove,
};

/* Check the parameters as the library checks a config file, so that a bad
 * one refuses the module with the library's own message. */
static int __init fk_init(void)
{
	char err[200];

	folio_config_init(&fk_cfg);
	fk_cfg.queues = queues;
	fk_cfg.ring_entries = ring_entries;
	fk_cfg.slot_size = slot_size;
	fk_cfg.mtu = mtu;
	if (folio_config_set(&fk_cfg, "guest_mac", guest_mac ? guest_mac : "", err, sizeof(err)) ||
	    folio_config_set(&fk_cfg, "host_mac", host_mac ? host_mac : "", err, sizeof(err)) ||
	    folio_config_validate(&fk_cfg, err, sizeof(err))) {
		pr_err("folio: bad module parameter: %s\n", err);
		return -EINVAL;
	}
	if (poll_max_us < 1 || poll_max_us > 100000) {
		pr_err("folio: bad module parameter: poll_max_us = %u: expected 1 to 100000\n",
		       poll_max_us);
		return -EINVAL;
	}
	folio_set_log(fk_log, NULL);
	return pci_register_driver(&fk_driver);
}

static void __exit fk_exit(void)
{
	pci_unregister_driver(&fk_driver);
	folio_set_log(NULL, NULL);
}

module_init(fk_init);
module_exit(fk_exit);
MODULE_LICENSE("Dual BSD/GPL");
MODULE_DESCRIPTION("Folio: a network device on a hardened shared-memory ring");
MODULE_VERSION(FOLIO_VERSION_STRING);
