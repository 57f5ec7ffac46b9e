/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio_drv.h - private state of folio.ko. The ring (lib/ring.c) and the
 * configuration (lib/config.c) are the library's; folio_guest.c is the
 * guest endpoint's epoch, attach, ack and violation rules of docs/design.md
 * section 6 and 8, written for a BAR instead of a file descriptor.
 */
#ifndef FOLIO_DRV_H
#define FOLIO_DRV_H

#include <linux/types.h>

#include "folio.h"
#include "internal.h"
#include "layout.h"

/* The guest endpoint over one mapped region. */
struct fk_chan {
	u8 *base;             /* memremap()ed BAR 2 */
	struct fl_hdr *hdr;
	struct fl_layout l;   /* INV_geom: from the module parameters only */
	u64 digest;
};

/* Compare (never adopt) the header with the local configuration: 0,
 * FOLIO_ENOTREADY (no magic yet), FOLIO_EMAGIC, FOLIO_EVERSION, FOLIO_EDIGEST. */
int fk_check_header(const struct fk_chan *c);
/* Point queue qi's rings and ack line into the region; DETACHED. */
void fk_queue_init(struct fk_chan *c, struct fl_queue *q, unsigned int qi);
/* Attach to the host's current epoch if needed: 0 when READY, else the
 * library's code (FOLIO_ENOTREADY, FOLIO_EFAILED, a header code). */
int fk_ready(struct fk_chan *c, struct fl_queue *q);
/* One frame out (1, 0 when the ring is full) or n frames in (count), or
 * a code of fk_ready(); FOLIO_EPEER once when the host broke the rules. */
int fk_tx(struct fk_chan *c, struct fl_queue *q, unsigned int qi,
	  const void *buf, u32 len);
int fk_rx(struct fk_chan *c, struct fl_queue *q, unsigned int qi,
	  void *const *bufs, u32 *lens, unsigned int n);
/* Guest leave: withdraw the ack of an attached queue (design.md 6). */
void fk_leave(struct fl_queue *q);

#endif /* FOLIO_DRV_H */
