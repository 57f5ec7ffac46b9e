/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ring.c - the hardened single-producer single-consumer ring.
 *
 * The same code runs on both sides: the guest produces into the
 * guest-to-host ring and consumes from the host-to-guest ring, the host the
 * other way round. Neither side trusts the other, so both check the same
 * things (docs/design.md, section 5).
 *
 * Ordering pairs (each acquire names the release it pairs with):
 *   P1  producer: slot bytes + desc, then shm_store_release(prod)
 *       consumer: shm_load_acquire(prod), then desc + slot bytes
 *   P2  consumer: slot copies, then shm_store_release(cons)
 *       producer: shm_load_acquire(cons), then overwrites those slots
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "shm.h"

void fl_ring_init(struct fl_ring *r, uint8_t *region, const struct fl_layout *l,
		  unsigned qi, unsigned dir)
{
	uint8_t *base = region + fl_ring_off(l, qi, dir);

	memset(r, 0, sizeof(*r));
	r->prod = (uint32_t *)(void *)(base + FL_RING_PROD_OFF);
	r->cons = (uint32_t *)(void *)(base + FL_RING_CONS_OFF);
	r->desc = (uint32_t *)(void *)(base + FL_RING_DESC_OFF);
	r->slots = base + l->slots_off;
	r->mask = l->mask;
	r->entries = l->entries;
	r->slot_shift = l->slot_shift;
	r->max_frame = l->max_frame;
}

void fl_ring_reset_producer(struct fl_ring *r)
{
	r->head = r->peer = r->lent = 0;
	shm_store_once(r->prod, 0);
}

void fl_ring_reset_consumer(struct fl_ring *r)
{
	r->head = r->peer = r->lent = 0;
	if (r->done)
		memset(r->done, 0, r->entries);
	shm_store_once(r->cons, 0);
}

/* A slot's byte offset in the slot array, from a masked index. The
 * consumer's copy loop walks on from there by offset, masked as it
 * advances: every slot it touches is inside the ring whatever the loop's
 * bound, as with a masked index, in one add and one and a frame. */
static inline size_t slot_off(const struct fl_ring *r, uint32_t idx)
{
	return (size_t)(idx & r->mask) << r->slot_shift;
}

static inline uint8_t *slot_addr(const struct fl_ring *r, uint32_t idx)
{
	return r->slots + slot_off(r, idx);
}

_Static_assert(FOLIO_MIN_FRAME < FL_SHORT_MIN && FL_SHORT_MIN >= 32 &&
		       ((FL_SHORT_MAX - FL_SHORT_MIN + 1) &
			(FL_SHORT_MAX - FL_SHORT_MIN)) == 0,
	       "short frames: at least 32 bytes, a range one OR can test");

static inline uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* A length already checked against [FOLIO_MIN_FRAME, max], clamped to max
 * without a branch: under a mispredicted check the copy that follows still
 * cannot run past the slot (Spectre v1; indices are masked already). On
 * x86-64 a compare and a conditional move, which the CPU does not predict;
 * elsewhere a mask. Both sit in asm, so the compiler can neither prove the
 * clamp redundant nor turn it into a branch. */
static inline uint32_t clamp_len(uint32_t len, uint32_t max)
{
#if defined(__x86_64__)
	__asm__("cmpl %1, %0\n\tcmova %1, %0" : "+r"(len) : "r"(max) : "cc");
	return len;
#else
	uint32_t keep = 0u - (uint32_t)(len <= max);

	__asm__("" : "+r"(keep));
	return (len & keep) | (max & ~keep);
#endif
}

/* The seqlock re-check of a guest burst: if the host restarted while the
 * burst's descriptors and slots were read or written, drop the burst. */
static inline int epoch_moved(const struct fl_queue *q)
{
	return q->recheck && fl_unlikely(shm_load_after(q->recheck) != q->epoch);
}

static int violation(struct fl_queue *q, unsigned counter)
{
	q->viol = counter;
	return FOLIO_EPEER;
}

/*
 * Producer: refresh the cached consumer index only when the cached window
 * cannot take the whole burst. INV_window: the consumer may only have moved
 * forward, and never past what we produced: cons in [peer, head].
 */
static inline int producer_space(struct fl_queue *q, struct fl_ring *r,
				 uint32_t want, uint32_t *space)
{
	uint32_t free_slots = r->entries - (r->head - r->peer);

	if (free_slots < want) {
		uint32_t cons = shm_load_acquire(r->cons); /* P2, INV_once */

		if (FL_HARDENED &&
		    fl_unlikely(cons - r->peer > r->head - r->peer))
			return violation(q, FOLIO_STAT_BAD_INDEX);
		r->peer = cons;
		free_slots = r->entries - (r->head - cons);
	}
	*space = free_slots;
	return 0;
}

/* The copies of a produce call, inlined twice: once with short set (every
 * frame of the burst is FL_SHORT_MIN..FL_SHORT_MAX bytes, moved inline),
 * once with memcpy. */
static inline __attribute__((always_inline)) void
produce_copies(const struct fl_ring *r, const void *const *bufs,
	       const uint32_t *lens, uint32_t n, int short_frames)
{
	/* The ring's geometry in locals: the copies may not be assumed to
	 * leave *r alone, so each field would be loaded again per frame. */
	uint8_t *const slots = r->slots;
	uint32_t *const desc = r->desc;
	const uint32_t mask = r->mask, shift = r->slot_shift;
	const uint32_t max = r->max_frame, head = r->head;

#pragma GCC unroll 2
	for (uint32_t i = 0; i < n; i++) {
		uint32_t at = (head + i) & mask, len = clamp_len(lens[i], max);
		uint8_t *slot = slots + ((size_t)at << shift);

		/* INV_leak: only frame bytes and their length reach the slot. */
		if (short_frames)
			shm_copy_to_short(slot, bufs[i], len);
		else
			shm_copy_to(slot, bufs[i], len);
		shm_store_once(&desc[at], len);
	}
}

int fl_ring_produce(struct fl_queue *q, const void *const *bufs,
		    const uint32_t *lens, unsigned n)
{
	struct fl_ring *r = &q->tx;
	uint32_t space, i;
	int rc;

	if (n > FOLIO_MAX_BURST)
		n = FOLIO_MAX_BURST;
	rc = producer_space(q, r, n, &space);
	if (fl_unlikely(rc))
		return rc;
	uint32_t refused = space < n ? n - space : 0;

	n -= refused;
	/* INV_len on our own side: never publish a length the peer must
	 * refuse. Every length and buffer is checked before the first byte
	 * is copied, so a bad one leaves nothing of the burst in a slot
	 * (INV_leak). The lengths in a pass without an early exit, which the
	 * compiler vectorises (it also learns whether every frame is short
	 * and sums the bytes: a checked length is its clamped one, and 256
	 * frames of at most 65536 bytes fit in 32 bits), the buffers in a
	 * second such pass. */
	const uint32_t span = r->max_frame - FOLIO_MIN_FRAME;
	uint32_t bad = 0, over = 0, bytes = 0;

#pragma GCC unroll 4
	for (i = 0; i < n; i++) {
		bad |= (uint32_t)(lens[i] - FOLIO_MIN_FRAME > span);
		over |= lens[i] - FL_SHORT_MIN;
		bytes += lens[i];
	}
#pragma GCC unroll 4
	for (i = 0; i < n; i++)
		bad |= (uint32_t)(bufs[i] == NULL);
	if (fl_unlikely(bad)) {
		fl_stat_add(q, FOLIO_STAT_BAD_CALL, 1);
		return -EINVAL;
	}
	if (over <= FL_SHORT_MAX - FL_SHORT_MIN)
		produce_copies(r, bufs, lens, n, 1);
	else
		produce_copies(r, bufs, lens, n, 0);
	if (n && epoch_moved(q))
		return FL_ERESTART; /* written into a reset ring: not published */
	if (refused) /* counted only once the call is known to succeed */
		fl_stat_add(q, FOLIO_STAT_TX_FULL, refused);
	if (n) {
		r->head += n;
		shm_store_release(r->prod, r->head); /* P1 */
		fl_stat_add(q, FOLIO_STAT_TX_FRAMES, n);
		fl_stat_add(q, FOLIO_STAT_TX_BYTES, bytes);
	}
	return (int)n;
}

/*
 * Consumer: refresh the cached producer index only when the cached window
 * holds fewer frames than asked for. INV_window: the producer may only have
 * moved forward, and at most one ring ahead of what we have released:
 * prod in [peer, base + entries], where base is the oldest unreleased index.
 */
static inline int consumer_avail(struct fl_queue *q, struct fl_ring *r,
				 uint32_t from, uint32_t want, uint32_t *avail)
{
	uint32_t have = r->peer - from;

	if (have < want) {
		uint32_t prod = shm_load_acquire(r->prod); /* P1, INV_once */

		if (FL_HARDENED &&
		    fl_unlikely(prod - r->peer > r->head + r->entries - r->peer))
			return violation(q, FOLIO_STAT_BAD_INDEX);
		r->peer = prod;
		have = prod - from;
	}
	*avail = have;
	return 0;
}

/* Take one snapshot of the burst's lengths and check it (INV_once, INV_len)
 * before any byte of the burst is copied or lent. The lengths are copied out
 * in bulk (two pieces when the burst wraps), then checked in private memory
 * with one unsigned range compare each, which the compiler can vectorise.
 * *short_frames tells whether every length is FL_SHORT_MIN..FL_SHORT_MAX,
 * *bytes their sum (in 32 bits, as in fl_ring_produce; the unhardened
 * build, which trusts its peer, sums the lengths unchecked). */
static inline int snapshot_lens(struct fl_queue *q, const struct fl_ring *r,
				uint32_t from, uint32_t *lens, uint32_t n,
				int *short_frames, uint32_t *bytes)
{
	const uint32_t span = r->max_frame - FOLIO_MIN_FRAME;
	uint32_t at = from & r->mask, first = r->entries - at;
	uint32_t bad = 0, over = 0, sum = 0;

	if (first > n)
		first = n;
	shm_load_block(lens, &r->desc[at], first);
	if (first < n)
		shm_load_block(lens + first, &r->desc[0], n - first);
#pragma GCC unroll 4
	for (uint32_t i = 0; i < n; i++) {
		if (FL_HARDENED)
			bad |= (uint32_t)(lens[i] - FOLIO_MIN_FRAME > span);
		over |= lens[i] - FL_SHORT_MIN;
		sum += lens[i];
	}
	*short_frames = over <= FL_SHORT_MAX - FL_SHORT_MIN;
	*bytes = sum;
	if (fl_unlikely(bad))
		return violation(q, FOLIO_STAT_BAD_LENGTH);
	return 0;
}

/* The copies of a consume call, inlined twice as produce_copies is. */
static inline __attribute__((always_inline)) void
consume_copies(const struct fl_ring *r, void *const *bufs, uint32_t *lens,
	       uint32_t n, int short_frames)
{
	/* As in produce_copies: the geometry in locals. */
	const uint8_t *const slots = r->slots;
	const uint32_t max = r->max_frame;
	const size_t stride = (size_t)1 << r->slot_shift;
	const size_t offs = (size_t)r->mask << r->slot_shift;
	size_t off = slot_off(r, r->head);

#pragma GCC unroll 2
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = clamp_len(lens[i], max);
		const uint8_t *slot = slots + off;

		/* Checked lengths are their clamped ones already; the
		 * unhardened build, which checks nothing, reports the clamp. */
		if (!FL_HARDENED)
			lens[i] = len;
		/* The one copy; everything after it reads private memory only. */
		if (short_frames)
			shm_copy_from_short(bufs[i], slot, len);
		else
			shm_copy_from(bufs[i], slot, len);
		off = (off + stride) & offs;
	}
}

int fl_ring_consume(struct fl_queue *q, void *const *bufs, uint32_t *lens,
		    unsigned n)
{
	struct fl_ring *r = &q->rx;
	uint32_t avail, bytes;
	int rc, short_frames;

	if (fl_unlikely(r->lent != r->head))
		return -EBUSY; /* frames are lent through fl_ring_peek */
	if (n > FOLIO_MAX_BURST)
		n = FOLIO_MAX_BURST;
	rc = consumer_avail(q, r, r->head, n, &avail);
	if (fl_unlikely(rc))
		return rc;
	n = min_u32(n, avail);
	if (!n)
		return 0;
	rc = snapshot_lens(q, r, r->head, lens, n, &short_frames, &bytes);
	if (fl_unlikely(rc))
		return rc;
	if (short_frames)
		consume_copies(r, bufs, lens, n, 1);
	else
		consume_copies(r, bufs, lens, n, 0);
	/* A host restart during the copies may have zeroed any of the bytes
	 * (a torn frame): deliver nothing, release nothing. */
	if (epoch_moved(q))
		return FL_ERESTART;
	r->head += n;
	r->lent = r->head;
	shm_store_release(r->cons, r->head); /* P2 */
	fl_stat_add(q, FOLIO_STAT_RX_FRAMES, n);
	fl_stat_add(q, FOLIO_STAT_RX_BYTES, bytes);
	return (int)n;
}

int fl_ring_peek(struct fl_queue *q, struct folio_frame *frames, unsigned n)
{
	struct fl_ring *r = &q->rx;
	uint32_t avail, bytes, lens[FOLIO_MAX_BURST];
	int rc, short_frames;

	if (n > FOLIO_MAX_BURST)
		n = FOLIO_MAX_BURST;
	rc = consumer_avail(q, r, r->lent, n, &avail);
	if (fl_unlikely(rc))
		return rc;
	n = min_u32(n, avail);
	if (!n)
		return 0;
	rc = snapshot_lens(q, r, r->lent, lens, n, &short_frames, &bytes);
	if (fl_unlikely(rc))
		return rc;
	for (uint32_t i = 0; i < n; i++) {
		frames[i].data = slot_addr(r, r->lent + i);
		frames[i].len = clamp_len(lens[i], r->max_frame);
		frames[i].id = r->lent + i;
	}
	r->lent += n;
	fl_stat_add(q, FOLIO_STAT_RX_FRAMES, n);
	fl_stat_add(q, FOLIO_STAT_RX_BYTES, bytes);
	return (int)n;
}

/* Give back one lent frame; returns 0 or -EINVAL. head moves over the
 * oldest run of given-back frames; the caller publishes cons. */
static inline int give_back(struct fl_queue *q, struct fl_ring *r, uint32_t id)
{
	/* In-order give-back, the common case: the oldest lent frame. Its
	 * flag is never set (flags are cleared as head passes them). */
	if (fl_likely(id == r->head && r->head != r->lent)) {
		r->head++;
	} else {
		if (fl_unlikely(id - r->head >= r->lent - r->head ||
				r->done[id & r->mask])) {
			fl_stat_add(q, FOLIO_STAT_BAD_CALL, 1);
			return -EINVAL;
		}
		r->done[id & r->mask] = 1;
		return 0; /* an older frame is still lent: head cannot move */
	}
	/* Bounded by the number of lent frames (<= entries): INV_bounded. */
	while (r->head != r->lent && r->done[r->head & r->mask]) {
		r->done[r->head & r->mask] = 0;
		r->head++;
	}
	return 0;
}

int fl_ring_done(struct fl_queue *q, const uint32_t *ids, unsigned n)
{
	struct fl_ring *r = &q->rx;
	uint32_t start = r->head;
	int rc = 0;

	for (unsigned i = 0; i < n; i++)
		if (give_back(q, r, ids[i]))
			rc = -EINVAL;
	if (r->head != start)
		shm_store_release(r->cons, r->head); /* P2, once per call */
	return rc;
}

/* The guest's header check, shared by lib/guest.c and folio.ko: each field
 * loaded once (INV_once). A zero magic is a host still laying out. */
int fl_header_check(const struct fl_hdr *hdr, uint64_t digest)
{
	uint64_t magic = shm_load_once64(&hdr->magic);

	if (magic == 0)
		return FOLIO_ENOTREADY;
	if (magic != FL_MAGIC)
		return FOLIO_EMAGIC;
	if (shm_load_once(&hdr->version) != FOLIO_LAYOUT_VERSION)
		return FOLIO_EVERSION;
	if (shm_load_once64(&hdr->digest) != digest)
		return FOLIO_EDIGEST;
	return 0;
}
