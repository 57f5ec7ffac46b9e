/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_priv.h - net_folio's private state, shared by its three parts:
 *   rte_eth_folio.c  ethdev ops, queues, counters, probe (fp_devargs.c
 *                    parses the devargs);
 *   fp_rxtx.c        the receive and transmit bursts of both roles;
 *   fp_watch.c       the host watch: park, membarrier, region re-creation.
 */
#ifndef FP_PRIV_H
#define FP_PRIV_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "folio.h"
#include "folio_lend.h"

extern int folio_logtype;
#define FL_LOG(level, fmt, ...)                                        \
	rte_log(RTE_LOG_##level, (uint32_t)folio_logtype, "net_folio: " fmt \
		"\n", ##__VA_ARGS__)

enum fp_role { FP_GUEST, FP_HOST };

#define FP_STASH FOLIO_MAX_BURST
/* Multi-segment frames are gathered into this many bounce buffers per
 * transmit burst; a burst stops early when they are used up. */
#define FP_BOUNCE 32u
/* A guest port whose region is not there yet retries this often. */
#define FP_OPEN_RETRY_MS 20u
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
	/* rx mbufs taken raw from mp, not yet reset, in stash[lo, hi); their
	 * frame rooms in room[lo, hi) (fp_rxtx.c) */
	unsigned lo, hi;
	struct rte_mbuf *stash[FP_STASH];
	void *room[FP_STASH];
	uint64_t rearm;   /* rearm_data of a fresh rx mbuf of this port */
	uint64_t ol_init; /* ol_flags of a fresh rx mbuf of mp */
	/* where a frame goes, from the mbuf's own address, when every mbuf
	 * of mp keeps its data room right behind it; 0: from buf_addr */
	uint32_t room_off;
	int fast_free;  /* tx: RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE is on */
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

static inline struct folio_guest *fp_guest(struct fp_priv *p)
{
	return __atomic_load_n(&p->guest, __ATOMIC_ACQUIRE);
}

/* Open the region if the host has made it; never blocks (rte_eth_folio.c).
 * force: try now, whatever the retry interval. @return 0 or an error. */
int fp_guest_try_open(struct fp_priv *p, int force);

#endif
