/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adv.h - shared helpers of the adversarial tests and the fuzz harnesses:
 * the test configuration, a map of who owns each byte of the region, the
 * hostile value generator, and the access checker that the trace build of
 * the library (FOLIO_SHM_TRACE) reports every shared-memory access to.
 *
 * The checker enforces, per datapath call of the victim endpoint:
 *   INV_once    each peer-written field is loaded at most once;
 *   INV_own     the victim stores only to fields it owns, and never loads
 *               them back (one exception: a guest that never attached
 *               loads its ack once, to see an earlier instance's);
 *   INV_len     every copy out of a slot has the length that was loaded
 *               from its descriptor, and all descriptors of the burst were
 *               loaded before the first copy; copies stay inside one slot;
 *   INV_bounded the number of shared accesses is O(burst).
 * A breach prints one line on stderr and aborts: a test failure, or a
 * crash that libFuzzer records.
 */
#ifndef ADV_H
#define ADV_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio.h"
#include "layout.h"
#include "shm.h"

/* Small geometry: many wrap-arounds per second, slot size > max frame so
 * that "slot+1" and "max_frame+1" are different attacks. */
#define ADV_ENTRIES 64u
#define ADV_SLOT_SIZE 256u
#define ADV_MTU 200u

static inline void adv_config(struct folio_config *cfg, const char *region)
{
	folio_config_init(cfg);
	cfg->queues = 1;
	cfg->ring_entries = ADV_ENTRIES;
	cfg->slot_size = ADV_SLOT_SIZE;
	cfg->mtu = ADV_MTU;
	if (region)
		snprintf(cfg->region, sizeof(cfg->region), "%s", region);
}

enum adv_side { ADV_NONE = 0, ADV_GUEST = 1, ADV_HOST = 2 };
enum adv_kind { ADV_PAD, ADV_HDR, ADV_ACK, ADV_PROD, ADV_CONS, ADV_DESC, ADV_SLOT };

struct adv_field {
	enum adv_side owner;
	enum adv_kind kind;
	unsigned q, dir; /* ring fields */
	uint32_t index;  /* desc or slot number */
	uint64_t start;  /* first byte of the field (slot: of the slot) */
};

/* Who owns the byte at offset off (docs/design.md, section 3). */
static inline struct adv_field adv_classify(const struct fl_layout *l,
					    uint64_t off)
{
	struct adv_field f = {ADV_NONE, ADV_PAD, 0, 0, 0, off};

	if (off < FL_CTL_OFF) {
		f.owner = ADV_HOST;
		f.kind = off < 24 ? ADV_HDR : ADV_PAD;
		return f;
	}
	if (off < FL_RINGS_OFF) {
		uint64_t q = (off - FL_CTL_OFF) / FL_CACHE_LINE;

		if (q < l->queues && (off - FL_CTL_OFF) % FL_CACHE_LINE < 4) {
			f.owner = ADV_GUEST;
			f.kind = ADV_ACK;
			f.q = (unsigned)q;
			f.start = FL_CTL_OFF + q * FL_CACHE_LINE;
		}
		return f;
	}
	if (off >= l->region_size)
		return f;
	uint64_t r = (off - FL_RINGS_OFF) / l->ring_bytes;
	uint64_t in = (off - FL_RINGS_OFF) % l->ring_bytes;
	uint64_t rbase = FL_RINGS_OFF + r * l->ring_bytes;
	/* The producer of ring 2q (g2h) is the guest, of 2q+1 the host. */
	enum adv_side prod = (r & 1) ? ADV_HOST : ADV_GUEST;
	enum adv_side cons = (r & 1) ? ADV_GUEST : ADV_HOST;

	f.q = (unsigned)(r / 2);
	f.dir = (unsigned)(r & 1);
	if (in < FL_RING_PROD_OFF + 4) {
		f.owner = prod, f.kind = ADV_PROD, f.start = rbase;
	} else if (in >= FL_RING_CONS_OFF && in < FL_RING_CONS_OFF + 4) {
		f.owner = cons, f.kind = ADV_CONS, f.start = rbase + FL_RING_CONS_OFF;
	} else if (in >= FL_RING_DESC_OFF &&
		   in < FL_RING_DESC_OFF + (uint64_t)l->entries * FL_DESC_SIZE) {
		f.owner = prod, f.kind = ADV_DESC;
		f.index = (uint32_t)((in - FL_RING_DESC_OFF) / FL_DESC_SIZE);
		f.start = rbase + FL_RING_DESC_OFF + f.index * FL_DESC_SIZE;
	} else if (in >= l->slots_off) {
		f.owner = prod, f.kind = ADV_SLOT;
		f.index = (uint32_t)((in - l->slots_off) >> l->slot_shift);
		f.start = rbase + l->slots_off + ((uint64_t)f.index << l->slot_shift);
	}
	return f;
}

/* Offsets of the 32-bit fields a hostile side may write. sel picks one;
 * descriptor numbers come from the high bits of sel. */
static inline uint64_t adv_hostile_field(const struct fl_layout *l,
					 enum adv_side attacker, uint32_t sel)
{
	uint64_t g2h = fl_ring_off(l, 0, FL_DIR_G2H), h2g = fl_ring_off(l, 0, FL_DIR_H2G);
	uint32_t d = (sel >> 4) & l->mask;

	if (attacker == ADV_HOST) {
		switch (sel % 10) {
		case 0: return 0;  /* magic, low half */
		case 1: return 4;  /* magic, high half */
		case 2: return 8;  /* version */
		case 3: return 12; /* epoch */
		case 4: return 16; /* digest, low half */
		case 5: return h2g + FL_RING_PROD_OFF;
		case 6: return g2h + FL_RING_CONS_OFF;
		default: return h2g + FL_RING_DESC_OFF + 4ull * d;
		}
	}
	switch (sel % 8) {
	case 0: return FL_CTL_OFF; /* ack of queue 0 */
	case 1: case 2: return g2h + FL_RING_PROD_OFF;
	case 3: return h2g + FL_RING_CONS_OFF;
	default: return g2h + FL_RING_DESC_OFF + 4ull * d;
	}
}

/* A hostile value for a field that now holds cur: the boundaries of the
 * brief (window+1, 2^32-1, backwards, jumps; lengths 0, 1, 13, slot+1,
 * 0xffffffff) and plain random values. */
static inline uint32_t adv_value(const struct fl_layout *l, uint32_t sel,
				 uint32_t raw, uint32_t cur)
{
	switch (sel % 16) {
	case 0: return raw;
	case 1: return 0;
	case 2: return 1;
	case 3: return 13;
	case 4: return ADV_SLOT_SIZE + 1;
	case 5: return 0xffffffffu;
	case 6: return l->max_frame;
	case 7: return l->max_frame + 1;
	case 8: return cur + l->entries + 1; /* window + 1 */
	case 9: return cur + l->entries;     /* the edge of the window */
	case 10: return cur - 1;             /* backwards */
	case 11: return cur - (raw & 0xffff); /* far backwards */
	case 12: return cur + (raw & 0xff);  /* jump */
	case 13: return cur + 1;
	case 14: return FOLIO_MIN_FRAME + raw % (l->max_frame - FOLIO_MIN_FRAME + 1);
	default: return 0x80000000u + cur;
	}
}

/* ---- the access checker of the trace build ------------------------------ */

#define ADV_MAX_LOADS 1024u

struct adv_tracer {
	const struct fl_layout *l;
	enum adv_side victim;
	uint8_t *vbase;      /* the victim's own mapping */
	int capture;         /* next access names vbase (offset 0 = magic) */
	int active;          /* inside one datapath call of the victim */
	unsigned burst;      /* the burst asked for, for the work bound */
	unsigned accesses;
	unsigned copies;
	unsigned epoch_loads;
	unsigned ack_loads;
	unsigned nloads;
	uint64_t loads[ADV_MAX_LOADS];
	uint32_t snap[FOLIO_MAX_ENTRIES]; /* desc values as loaded, by slot */
	uint8_t have_snap[FOLIO_MAX_ENTRIES];
	/* Called before each traced access of an active call (may write). */
	void (*hook)(void *ctx, unsigned n);
	void *hook_ctx;
	/* totals, for the report */
	uint64_t calls, total_accesses, max_accesses;
};

static struct adv_tracer adv_tr;

static void adv_die(const char *what, uint64_t off)
{
	fprintf(stderr, "adv: %s victim: %s (offset %llu)\n",
		adv_tr.victim == ADV_GUEST ? "guest" : "host", what,
		(unsigned long long)off);
	abort();
}

static inline void adv_call_begin(unsigned burst)
{
	adv_tr.active = 1;
	adv_tr.burst = burst;
	adv_tr.accesses = adv_tr.copies = adv_tr.epoch_loads = adv_tr.nloads = 0;
	adv_tr.ack_loads = 0;
	memset(adv_tr.have_snap, 0, adv_tr.l->entries);
}

static inline void adv_call_end(int rc)
{
	adv_tr.active = 0;
	adv_tr.calls++;
	adv_tr.total_accesses += adv_tr.accesses;
	if (adv_tr.accesses > adv_tr.max_accesses)
		adv_tr.max_accesses = adv_tr.accesses;
	/* The header epoch is loaded once per call by the host's reader (it
	 * never is), and at most twice by the guest: at entry, then either
	 * after the copies of a burst (the seqlock re-check) or to tell a host
	 * restart from a violation. */
	(void)rc;
	if (adv_tr.epoch_loads > (adv_tr.victim == ADV_GUEST ? 2u : 1u))
		adv_die("header epoch loaded more often than allowed", 12);
}

/* Provided to the trace build of the library. */
/* One u32 field loaded by the victim, at offset off of the region. */
static void adv_trace_load(const struct fl_layout *l, const void *addr,
			   uint64_t off, enum adv_side me, enum adv_side peer)
{
	struct adv_field f = adv_classify(l, off);

	/* The one read of an own field: a guest that never attached
	 * looks whether an earlier instance acked this epoch. */
	if (me == ADV_GUEST && f.kind == ADV_ACK) {
		if (++adv_tr.ack_loads > 1)
			adv_die("own ack loaded twice in one call", off);
		return;
	}
	if (f.owner != peer || f.kind == ADV_SLOT || f.kind == ADV_PAD)
		adv_die("load of a field the victim owns (or padding)", off);
	if (f.kind == ADV_HDR && off == 12) {
		adv_tr.epoch_loads++;
		return;
	}
	for (unsigned i = 0; i < adv_tr.nloads; i++)
		if (adv_tr.loads[i] == off)
			adv_die("double fetch of a peer field", off);
	if (adv_tr.nloads < ADV_MAX_LOADS)
		adv_tr.loads[adv_tr.nloads++] = off;
	if (f.kind == ADV_DESC) {
		if (adv_tr.copies)
			adv_die("descriptor loaded after a copy of the burst", off);
		/* Single-threaded here: memory now holds what the
		 * library is about to load. */
		adv_tr.snap[f.index] = __atomic_load_n((const uint32_t *)addr,
						      __ATOMIC_RELAXED);
		adv_tr.have_snap[f.index] = 1;
	}
}

void fl_shm_trace(const void *addr, size_t len, enum fl_shm_op op);
void fl_shm_trace(const void *addr, size_t len, enum fl_shm_op op)
{
	const struct fl_layout *l = adv_tr.l;

	if (adv_tr.capture) {
		adv_tr.vbase = (uint8_t *)(uintptr_t)addr;
		adv_tr.capture = 0;
		return;
	}
	if (!adv_tr.active || !adv_tr.vbase)
		return;
	if ((const uint8_t *)addr < adv_tr.vbase ||
	    (const uint8_t *)addr + len > adv_tr.vbase + l->region_size)
		adv_die("access outside the region", 0);
	uint64_t off = (uint64_t)((const uint8_t *)addr - adv_tr.vbase);
	enum adv_side me = adv_tr.victim;
	enum adv_side peer = me == ADV_GUEST ? ADV_HOST : ADV_GUEST;
	struct adv_field f = adv_classify(l, off);

	if (adv_tr.hook)
		adv_tr.hook(adv_tr.hook_ctx, adv_tr.accesses);
	adv_tr.accesses++;
	/* INV_bounded: header + ack + two indices + per frame desc + copy. */
	if (adv_tr.accesses > 16u + 3u * (adv_tr.burst < FOLIO_MAX_BURST ?
					 adv_tr.burst : FOLIO_MAX_BURST))
		adv_die("more shared accesses than the burst allows", off);
	switch (op) {
	case FL_SHM_LOAD:
		/* A bulk load (the lengths of a burst) is one load of each
		 * u32 field it covers. */
		for (size_t k = 0; k < (len + 3) / 4; k++)
			adv_trace_load(l, (const uint8_t *)addr + 4 * k,
				       off + 4 * k, me, peer);
		break;
	case FL_SHM_STORE:
		if (f.owner != me || f.kind == ADV_SLOT || f.kind == ADV_PAD ||
		    f.kind == ADV_HDR)
			adv_die("store to a field the victim does not own", off);
		break;
	case FL_SHM_COPY_TO:
		if (f.owner != me || f.kind != ADV_SLOT || off != f.start ||
		    len < FOLIO_MIN_FRAME || len > l->max_frame)
			adv_die("copy into something other than an own slot", off);
		break;
	case FL_SHM_COPY_FROM:
		if (f.owner != peer || f.kind != ADV_SLOT || off != f.start ||
		    len > l->max_frame)
			adv_die("copy out of something other than a peer slot", off);
		if (!adv_tr.have_snap[f.index] || adv_tr.snap[f.index] != len)
			adv_die("copy length is not the checked snapshot", off);
		adv_tr.copies++;
		break;
	}
}

static inline int adv_header_error(int rc)
{
	return rc == FOLIO_EMAGIC || rc == FOLIO_EVERSION || rc == FOLIO_EDIGEST;
}

/* What a victim remembers of its last violation. */
struct adv_latch {
	int latched;
	int gone; /* host victim: the guest withdrew its ack (FOLIO_EGONE) */
	uint32_t epoch;
	uint64_t attach;
};

static void adv_fail(const char *what, int rc)
{
	fprintf(stderr, "adv: %s (rc %d: %s)\n", what, rc, folio_strerror(rc));
	abort();
}

/*
 * The checks of every victim call, from its return and its counters before
 * (b) and after (a): a violation returns FOLIO_EPEER (or, for the guest, a
 * header error), moves exactly one bad_* counter and latches FAILED; no
 * bad_* counter moves otherwise; a latched queue stays FAILED until it
 * attaches to a new host epoch; frame counters match the return; each
 * delivered frame (rxlen/rx, bytes beyond the length preset to ADV_GUARD)
 * has a valid length and nothing was written past it.
 */
#define ADV_GUARD 0xa5
static inline void adv_check_call(enum adv_side victim, struct adv_latch *lt,
				  int rc, unsigned n, const struct folio_stats *b,
				  const struct folio_stats *a, const uint32_t *rxlen,
				  uint8_t *const *rx, int tx)
{
	uint32_t max_frame = adv_tr.l->max_frame;

	uint64_t bad_b = b->v[FOLIO_STAT_BAD_INDEX] + b->v[FOLIO_STAT_BAD_LENGTH] +
			 b->v[FOLIO_STAT_BAD_HEADER];
	uint64_t bad_a = a->v[FOLIO_STAT_BAD_INDEX] + a->v[FOLIO_STAT_BAD_LENGTH] +
			 a->v[FOLIO_STAT_BAD_HEADER];

	/* A host whose guest withdrew its ack serves that epoch no more. */
	if (lt->gone && rc != FOLIO_EGONE)
		adv_fail("the host served a guest that left", rc);
	if (rc == FOLIO_EGONE) {
		uint64_t left = a->v[FOLIO_STAT_PEER_LEFT] - b->v[FOLIO_STAT_PEER_LEFT];

		if (victim != ADV_HOST || bad_a != bad_b || a->state != FOLIO_Q_GONE ||
		    left != (lt->gone ? 0u : 1u))
			adv_fail("FOLIO_EGONE without the guest leaving once", rc);
		lt->gone = 1;
		return;
	}
	if (rc == FOLIO_EPEER || adv_header_error(rc)) {
		if (adv_header_error(rc) && victim != ADV_GUEST)
			adv_fail("header error on the host side", rc);
		if (bad_a != bad_b + 1 || a->state != FOLIO_Q_FAILED)
			adv_fail("violation not counted once, or queue not FAILED", rc);
		if (adv_header_error(rc) &&
		    a->v[FOLIO_STAT_BAD_HEADER] != b->v[FOLIO_STAT_BAD_HEADER] + 1)
			adv_fail("header error not counted as bad_header", rc);
		if (lt->latched && a->v[FOLIO_STAT_ATTACH] == lt->attach &&
		    rc == FOLIO_EPEER)
			adv_fail("EPEER again on a latched queue", rc);
		lt->latched = 1;
		lt->epoch = a->epoch;
		lt->attach = a->v[FOLIO_STAT_ATTACH];
		return;
	}
	if (bad_a != bad_b)
		adv_fail("a bad_* counter moved without EPEER", rc);
	if (lt->latched) {
		if (a->v[FOLIO_STAT_ATTACH] == lt->attach) {
			/* No new epoch was attached: FAILED must hold. */
			if (a->state != FOLIO_Q_FAILED ||
			    !(rc == FOLIO_EFAILED ||
			      (victim == ADV_GUEST && rc == FOLIO_ENOTREADY)))
				adv_fail("queue left FAILED within one host epoch", rc);
			return;
		}
		if (victim != ADV_GUEST || a->epoch == lt->epoch)
			adv_fail("re-attached to the epoch it failed in", rc);
		lt->latched = 0;
	}
	if (rc == FOLIO_EFAILED)
		adv_fail("EFAILED on a queue that did not fail", rc);
	if (rc < 0) {
		if (rc != FOLIO_ENOTREADY && rc != -EBUSY)
			adv_fail("unexpected error", rc);
		return;
	}
	if ((unsigned)rc > n)
		adv_fail("more frames than asked for", rc);
	if (rxlen) {
		if (a->v[FOLIO_STAT_RX_FRAMES] - b->v[FOLIO_STAT_RX_FRAMES] != (unsigned)rc)
			adv_fail("rx_frames does not match the return", rc);
		for (int i = 0; i < rc; i++) {
			uint32_t len = rxlen[i];

			if (len < FOLIO_MIN_FRAME || len > max_frame)
				adv_fail("delivered a frame with an invalid length", rc);
			for (uint32_t k = len; k < max_frame; k++)
				if (rx[i][k] != ADV_GUARD)
					adv_fail("wrote past the delivered length", rc);
		}
	}
	if (tx && a->v[FOLIO_STAT_TX_FRAMES] - b->v[FOLIO_STAT_TX_FRAMES] != (unsigned)rc)
		adv_fail("tx_frames does not match the return", rc);
}

#endif /* ADV_H */
