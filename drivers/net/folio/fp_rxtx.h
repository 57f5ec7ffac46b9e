/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_rxtx.h - the bursts of net_folio (fp_rxtx.c), set as the port's
 * rx_pkt_burst and tx_pkt_burst by role (private).
 */
#ifndef FP_RXTX_H
#define FP_RXTX_H

#include <stdint.h>

#include <rte_mbuf.h>

struct fp_queue;

/* Set the template of a fresh rx mbuf for q->port and q->mp: called at
 * rx queue setup, once q->mp is set. */
void fp_rx_rearm_init(struct fp_queue *q);
/* Give the rx stash's mbufs back to q->mp. */
void fp_stash_release(struct fp_queue *q);

/* Guest role: one copy, slot -> mbuf (rx) and mbuf -> slot (tx). */
uint16_t fp_guest_rx(void *rxq, struct rte_mbuf **pkts, uint16_t nb);
uint16_t fp_guest_tx(void *txq, struct rte_mbuf **pkts, uint16_t nb);

/* Host role: rx lends or copies guest frames, tx copies; both pass the
 * watch's gate (fp_watch.h). */
uint16_t fp_host_rx(void *rxq, struct rte_mbuf **pkts, uint16_t nb);
uint16_t fp_host_tx(void *txq, struct rte_mbuf **pkts, uint16_t nb);

#endif
