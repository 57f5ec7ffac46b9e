/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostd.h - folio-hostd's state, shared by its command line and main loop
 * (hostd.c) and its MAC switch between the port and the guests (switch.c).
 */
#ifndef FOLIO_HOSTD_H
#define FOLIO_HOSTD_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "folio.h"
#include "folio_lend.h"

#define BURST 32u
#define BACKLOG 256u /* port frames held per guest while its ring is full */
#define MAX_GUESTS 64u
#define ETH_HLEN_ 14u

enum gstat {
	G_TO_GUEST,      /* port frames delivered into the guest's ring */
	G_TO_GUEST_BYTES,
	G_TO_GUEST_FULL, /* dropped: guest ring full */
	G_TO_GUEST_DOWN, /* dropped: guest not attached or failed */
	G_TO_GUEST_SIZE, /* dropped: shorter than a header or over max frame */
	G_BOUNCED,       /* chained mbufs gathered before the copy */
	G_FROM_GUEST,    /* guest frames taken from the ring */
	G_FROM_GUEST_BYTES,
	G_TO_PORT,       /* guest frames the port accepted */
	G_ZEROCOPY,      /* ... of which sent from the slot in place */
	G_COPIED,        /* ... of which copied into an mbuf */
	G_PORT_FULL,     /* dropped: port TX full */
	G_BAD_SRC,       /* dropped: source MAC is not the guest's */
	G_NO_MBUF,       /* dropped: mbuf pool empty */
	G_PEER_ERR,      /* protocol violations seen (channel failed) */
	G_PEER_LEFT,     /* the guest left its epoch (closed or replaced) */
	G__COUNT
};


struct guest {
	struct folio_config cfg;
	struct folio_host *h;
	const char *path;
	struct fl_lend lend[FOLIO_MAX_QUEUES]; /* per guest-to-host queue */
	struct fl_reset rs;     /* when a failed channel is recreated */
	uint32_t max_frame;
	unsigned txq;           /* queue that last accepted port frames */
	int failed;             /* channel stopped: violation, or guest left */
	int left;               /* ... because the guest left (FOLIO_EGONE) */
	uint64_t st[G__COUNT];
	/* Port frames waiting for room in the guest's ring, oldest first. */
	struct rte_mbuf *bl[BACKLOG];
	unsigned bl_n;
};

/* The daemon: one port, its guests, and what the switch shares. */
struct hostd {
	struct guest guests[MAX_GUESTS];
	unsigned nguests;
	struct rte_mempool *pool;
	uint16_t port;
	int port_multiseg;
	uint8_t *bounce; /* BURST * max frame of all guests */
	uint32_t bounce_stride;
	uint64_t no_dest, port_rx;
	/* Guest frames shorter than this are copied: below it, copying beats
	 * the extbuf bookkeeping. */
	uint32_t zc_min;
};

extern struct hostd hd;

/* (Re)create guest g's region with a new epoch. @return 0 or the error
 * of folio_host_create (the channel then stays failed). */
int guest_open(struct guest *g);

/* Drop the port frames waiting for g (its channel went down). */
void backlog_drop(struct guest *g);

/* Recreate g's channel once it has been failed for --reset-failed seconds
 * and the port holds none of its slots. now: rte_get_timer_cycles(). */
void guest_maybe_reset(struct guest *g, uint64_t now);

/* One poll of the port: its frames to the guests by destination MAC.
 * @return frames moved (for the idle backoff). */
unsigned port_to_guests(void);

/* One poll of every guest queue: its frames to the port.
 * @return frames taken. */
unsigned guests_to_port(void);

#endif
