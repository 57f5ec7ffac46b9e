/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * layout.h - the wire layout of the shared region (docs/design.md, section 3).
 *
 * Only the fixed offsets of the header, the guest control page and the index
 * lines live here. Everything that depends on the configuration (ring size,
 * slot stride, region size) is computed by fl_layout_compute() from the local
 * configuration alone (INV_geom); none of it is ever read from the region.
 */
#ifndef FL_LAYOUT_H
#define FL_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "folio.h"

#define FL_MAGIC 0x4f494c4f46ull /* "FOLIO" read as little-endian bytes */
#define FL_CACHE_LINE 64u
#define FL_PAGE 4096u

/* Region: [header page][guest control page][ring 0][ring 1]...
 * Ring 2q is queue q's guest-to-host ring, ring 2q+1 its host-to-guest ring. */
#define FL_HDR_OFF 0u
#define FL_CTL_OFF 4096u
#define FL_RINGS_OFF 8192u

/* Header, written by the host only. */
struct fl_hdr {
	uint64_t magic;   /* FL_MAGIC */
	uint32_t version; /* FOLIO_LAYOUT_VERSION */
	uint32_t epoch;   /* 0 while the host resets; else its current epoch */
	uint64_t digest;  /* folio_config_digest() of the host's config */
	uint8_t zero[FL_PAGE - 24];
};
_Static_assert(sizeof(struct fl_hdr) == FL_PAGE, "header is one page");
_Static_assert(offsetof(struct fl_hdr, magic) == 0, "magic at 0");
_Static_assert(offsetof(struct fl_hdr, version) == 8, "version at 8");
_Static_assert(offsetof(struct fl_hdr, epoch) == 12, "epoch at 12");
_Static_assert(offsetof(struct fl_hdr, digest) == 16, "digest at 16");

/* Guest control page: one cache line per queue, written by the guest only. */
struct fl_ctl_line {
	uint32_t ack_epoch; /* the host epoch this queue has reset itself for */
	uint8_t zero[FL_CACHE_LINE - 4];
};
_Static_assert(sizeof(struct fl_ctl_line) == FL_CACHE_LINE, "one line");
_Static_assert(FOLIO_MAX_QUEUES * FL_CACHE_LINE <= FL_PAGE, "ctl fits a page");

/* Start of every ring. The producer index and the consumer index each own a
 * cache line, with an unused line after each, so that the adjacent-line
 * prefetcher does not make the two sides fight over one pair of lines. */
#define FL_RING_PROD_OFF 0u
#define FL_RING_CONS_OFF 128u
#define FL_RING_DESC_OFF 256u
/* Descriptors: one u32 length per slot, written by the producer. Sixteen
 * fit in a cache line. Slots start on the next page boundary. */
#define FL_DESC_SIZE 4u

/** Geometry of a region, derived from a validated configuration. */
struct fl_layout {
	uint32_t queues;
	uint32_t entries;
	uint32_t mask;        /* entries - 1 */
	uint32_t slot_shift;  /* log2(slot_size) */
	uint32_t max_frame;   /* mtu + FOLIO_L2_OVERHEAD */
	uint64_t slots_off;   /* from ring start */
	uint64_t ring_bytes;  /* one ring, page aligned */
	uint64_t region_size; /* bytes the region needs */
};

void fl_layout_compute(const struct folio_config *cfg, struct fl_layout *l);

static inline uint64_t fl_ring_off(const struct fl_layout *l, unsigned q,
				   unsigned dir)
{
	return FL_RINGS_OFF + (2ull * q + dir) * l->ring_bytes;
}

#define FL_DIR_G2H 0u
#define FL_DIR_H2G 1u

#endif /* FL_LAYOUT_H */
