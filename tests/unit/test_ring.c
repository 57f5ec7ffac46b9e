/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ring on its own: counter arithmetic across the 2^32 wrap, the window
 * check (INV_window) and the length check (INV_len), driven through the
 * internal ring functions over a private buffer laid out like a region.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

struct pair {
	struct fl_layout l;
	uint8_t *mem;
	struct fl_queue p; /* produces into ring 0 */
	struct fl_queue c; /* consumes from ring 0 */
	uint8_t done[64];
};

static struct pair *pair_new(uint32_t start)
{
	struct folio_config cfg;
	struct pair *t = calloc(1, sizeof(*t));

	folio_config_init(&cfg);
	cfg.ring_entries = 64;
	cfg.slot_size = 256;
	cfg.mtu = 200;
	fl_layout_compute(&cfg, &t->l);
	t->mem = aligned_alloc(4096, t->l.region_size);
	memset(t->mem, 0, t->l.region_size);
	fl_ring_init(&t->p.tx, t->mem, &t->l, 0, FL_DIR_G2H);
	fl_ring_init(&t->c.rx, t->mem, &t->l, 0, FL_DIR_G2H);
	t->c.rx.done = t->done;
	/* Both sides start at the same point just below the wrap. */
	t->p.tx.head = t->p.tx.peer = start;
	t->c.rx.head = t->c.rx.peer = t->c.rx.lent = start;
	*t->p.tx.prod = start;
	*t->p.tx.cons = start;
	return t;
}

static void pair_free(struct pair *t)
{
	free(t->mem);
	free(t);
}

static int produce(struct pair *t, unsigned n, uint8_t tag)
{
	uint8_t buf[FOLIO_MAX_BURST][64];
	const void *b[FOLIO_MAX_BURST];
	uint32_t len[FOLIO_MAX_BURST];

	for (unsigned i = 0; i < n; i++) {
		memset(buf[i], tag + i, sizeof(buf[i]));
		b[i] = buf[i];
		len[i] = 14 + (i % 50);
	}
	return fl_ring_produce(&t->p, b, len, n);
}

static int consume(struct pair *t, unsigned n, uint8_t tag, int check)
{
	uint8_t buf[FOLIO_MAX_BURST][256];
	void *b[FOLIO_MAX_BURST];
	uint32_t len[FOLIO_MAX_BURST];
	int got;

	for (unsigned i = 0; i < n; i++)
		b[i] = buf[i];
	got = fl_ring_consume(&t->c, b, len, n);
	for (int i = 0; check && i < got; i++) {
		assert_int_equal(len[i], 14 + (i % 50));
		for (uint32_t k = 0; k < len[i]; k++)
			assert_int_equal(buf[i][k], (uint8_t)(tag + i));
	}
	return got;
}

/* Counters are free-running u32: the ring works the same across the wrap. */
static void wrap(void **state)
{
	static const uint32_t starts[] = {0, 0xffffffffu - 100, 0xffffffffu - 63,
					  0xffffffffu, 0x7fffffffu};

	(void)state;
	for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		struct pair *t = pair_new(starts[s]);

		for (int round = 0; round < 20; round++) {
			assert_int_equal(produce(t, 40, (uint8_t)round), 40);
			assert_int_equal(consume(t, 64, (uint8_t)round, 1), 40);
		}
		/* Full ring: 64 go in, the 65th is refused and counted. */
		assert_int_equal(produce(t, 64, 1), 64);
		assert_int_equal(produce(t, 1, 1), 0);
		assert_int_equal(t->p.st[FOLIO_STAT_TX_FULL], 1);
		assert_int_equal(consume(t, 64, 1, 1), 64);
		assert_int_equal(consume(t, 64, 1, 1), 0);
		assert_int_equal(t->p.st[FOLIO_STAT_BAD_INDEX] +
				 t->c.st[FOLIO_STAT_BAD_INDEX], 0);
		assert_int_equal(t->p.tx.head, starts[s] + 20 * 40 + 64);
		pair_free(t);
	}
}

/* INV_window on the consumer: prod may be at most one ring ahead of what
 * the consumer released, and may not go backwards. */
static void consumer_window(void **state)
{
	static const uint32_t starts[] = {0, 0xfffffff0u};

	(void)state;
	for (size_t s = 0; s < 2; s++) {
		uint32_t b = starts[s];
		struct pair *t = pair_new(b);

		*t->p.tx.prod = b + 64; /* exactly one ring: accepted */
		for (uint32_t i = 0; i < 64; i++)
			t->p.tx.desc[i] = 14;
		assert_int_equal(consume(t, 10, 0, 0), 10);
		*t->p.tx.prod = b + 10 + 64; /* one ring past what we released */
		assert_int_equal(consume(t, 60, 0, 0), 60);
		assert_int_equal(t->c.rx.peer, b + 74);
		pair_free(t);

		t = pair_new(b);
		*t->p.tx.prod = b + 64;
		for (uint32_t i = 0; i < 64; i++)
			t->p.tx.desc[i] = 14;
		assert_int_equal(consume(t, 10, 0, 0), 10);
		*t->p.tx.prod = b + 10 + 64 + 1; /* window + 1 */
		assert_int_equal(consume(t, 54, 0, 0), 54); /* cached: no reload */
		*t->p.tx.prod = b + 10 + 64 + 1;
		assert_int_equal(consume(t, 1, 0, 0), 1); /* head moved: in window */
		pair_free(t);

		t = pair_new(b);
		*t->p.tx.prod = b + 64;
		for (uint32_t i = 0; i < 64; i++)
			t->p.tx.desc[i] = 14;
		assert_int_equal(consume(t, 10, 0, 0), 10);
		*t->p.tx.prod = b + 10 + 64 + 1; /* window + 1, seen on reload */
		assert_int_equal(consume(t, 60, 0, 0), FOLIO_EPEER);
		assert_int_equal(t->c.viol, FOLIO_STAT_BAD_INDEX);
		pair_free(t);

		t = pair_new(b);
		*t->p.tx.prod = b + 8;
		for (uint32_t i = 0; i < 64; i++)
			t->p.tx.desc[i] = 14;
		assert_int_equal(consume(t, 4, 0, 0), 4);
		*t->p.tx.prod = b + 6; /* backwards, but still >= head */
		assert_int_equal(consume(t, 4, 0, 0), 4);
		assert_int_equal(consume(t, 4, 0, 0), FOLIO_EPEER);
		pair_free(t);

		t = pair_new(b);
		*t->p.tx.prod = b - 1; /* 2^32 - 1 ahead */
		assert_int_equal(consume(t, 4, 0, 0), FOLIO_EPEER);
		pair_free(t);
	}
}

/* INV_window on the producer: cons must lie in [cached cons, head]. */
static void producer_window(void **state)
{
	(void)state;
	struct pair *t = pair_new(0xffffffc0u);

	assert_int_equal(produce(t, 64, 0), 64);
	*t->p.tx.cons = 0xffffffc0u + 65; /* consumed more than was produced */
	assert_int_equal(produce(t, 1, 0), FOLIO_EPEER);
	assert_int_equal(t->p.viol, FOLIO_STAT_BAD_INDEX);
	pair_free(t);

	t = pair_new(100);
	assert_int_equal(produce(t, 64, 0), 64);
	*t->p.tx.cons = 130;
	assert_int_equal(produce(t, 30, 0), 30);
	*t->p.tx.cons = 120; /* backwards */
	assert_int_equal(produce(t, 60, 0), FOLIO_EPEER);
	pair_free(t);
}

/* INV_len: every length outside [14, mtu + 18] is refused before any copy,
 * and a burst with one bad length delivers nothing. */
static void length_checks(void **state)
{
	static const uint32_t bad[] = {0, 1, 13, 219, 256, 257, 0xffffffffu};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pair *t = pair_new(5);

		assert_int_equal(produce(t, 3, 9), 3);
		t->p.tx.desc[(5 + 2) & 63] = bad[i];
		uint32_t cons_before = *t->p.tx.cons;

		assert_int_equal(consume(t, 3, 9, 0), FOLIO_EPEER);
		assert_int_equal(t->c.viol, FOLIO_STAT_BAD_LENGTH);
		assert_int_equal(*t->p.tx.cons, cons_before); /* nothing released */
		assert_int_equal(t->c.st[FOLIO_STAT_RX_FRAMES], 0);
		pair_free(t);
	}
	/* The limits themselves are accepted. */
	struct pair *t = pair_new(0);

	assert_int_equal(produce(t, 2, 0), 2);
	t->p.tx.desc[0] = 14;
	t->p.tx.desc[1] = 218;
	assert_int_equal(consume(t, 2, 0, 0), 2);
	/* The producer refuses to publish a bad length of its own. */
	const void *b[1] = {t->mem};
	uint32_t len[1] = {219};

	assert_int_equal(fl_ring_produce(&t->p, b, len, 1), -EINVAL);
	len[0] = 13;
	assert_int_equal(fl_ring_produce(&t->p, b, len, 1), -EINVAL);
	assert_int_equal(t->p.st[FOLIO_STAT_BAD_CALL], 2);
	pair_free(t);
}

/* A NULL buffer fails the whole burst, wherever it stands in it: nothing
 * of the burst is published, and the ring goes on as before. */
static void null_buffer(void **state)
{
	(void)state;
	for (unsigned at = 0; at < 3; at++) {
		struct pair *t = pair_new(0xfffffffeu); /* the burst wraps */
		uint8_t frame[3][64];
		const void *b[3] = {frame[0], frame[1], frame[2]};
		uint32_t len[3] = {60, 60, 60};
		uint32_t prod = *t->p.tx.prod;

		memset(frame, 0x5a, sizeof(frame));
		b[at] = NULL;
		assert_int_equal(fl_ring_produce(&t->p, b, len, 3), -EINVAL);
		assert_int_equal(t->p.st[FOLIO_STAT_BAD_CALL], 1);
		assert_int_equal(*t->p.tx.prod, prod);
		assert_int_equal(t->p.tx.head, prod);
		assert_int_equal(t->p.st[FOLIO_STAT_TX_FRAMES], 0);
		assert_int_equal(consume(t, 3, 0, 0), 0);
		/* The same slots carry the next, good burst. */
		assert_int_equal(produce(t, 3, 7), 3);
		assert_int_equal(consume(t, 3, 7, 1), 3);
		pair_free(t);
	}
}

/* The copies, short (FL_SHORT_MIN..FL_SHORT_MAX: inline moves) and long
 * (memcpy), byte for byte: every length from the minimum to past the short
 * range, in bursts of one length and in mixed bursts. Nothing past a
 * frame's length reaches the slot (INV_leak) or the receiver's buffer, and
 * the byte counters count what was copied. */
static void copy_lengths(void **state)
{
	enum { N = 8, SRC = 128, DST = 256 };
	uint8_t src[N][SRC], dst[N][DST];
	const void *b[N];
	void *d[N];
	uint32_t len[N], got[N];

	(void)state;
	for (uint32_t first = FOLIO_MIN_FRAME; first <= 100; first++) {
		for (int mixed = 0; mixed < 2; mixed++) {
			struct pair *t = pair_new(0xfffffffcu); /* bursts wrap */
			uint64_t sum = 0;

			memset(t->p.tx.slots, 0xcc, (size_t)t->l.entries << t->l.slot_shift);
			for (unsigned i = 0; i < N; i++) {
				/* mixed: lengths first, first + 1, ... (short and
				 * long together around 33 and 64) */
				len[i] = first + (mixed ? i : 0);
				sum += len[i];
				memset(src[i], 0xee, SRC); /* private bytes past the frame */
				for (uint32_t k = 0; k < len[i]; k++)
					src[i][k] = (uint8_t)(i * 31 + k);
				b[i] = src[i];
				d[i] = dst[i];
			}
			memset(dst, 0xdd, sizeof(dst));
			assert_int_equal(fl_ring_produce(&t->p, b, len, N), N);
			for (unsigned i = 0; i < N; i++) {
				const uint8_t *slot = t->p.tx.slots +
					((size_t)((0xfffffffcu + i) & t->l.mask) << t->l.slot_shift);

				for (uint32_t k = len[i]; k < (1u << t->l.slot_shift); k++)
					assert_int_equal(slot[k], 0xcc);
			}
			assert_int_equal(fl_ring_consume(&t->c, d, got, N), N);
			for (unsigned i = 0; i < N; i++) {
				assert_int_equal(got[i], len[i]);
				assert_memory_equal(dst[i], src[i], len[i]);
				for (uint32_t k = len[i]; k < DST; k++)
					assert_int_equal(dst[i][k], 0xdd);
			}
			assert_int_equal(t->p.st[FOLIO_STAT_TX_BYTES], sum);
			assert_int_equal(t->c.st[FOLIO_STAT_RX_BYTES], sum);
			pair_free(t);
		}
	}
}

static int done1(struct pair *t, uint32_t id)
{
	return fl_ring_done(&t->c, &id, 1);
}

/* Zero-copy lending: frames given back out of order release slots in order. */
static void lend_out_of_order(void **state)
{
	struct folio_frame f[8];

	(void)state;
	struct pair *t = pair_new(0xfffffffcu);

	assert_int_equal(produce(t, 8, 3), 8);
	assert_int_equal(fl_ring_peek(&t->c, f, 8), 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(f[i].id, 0xfffffffcu + (uint32_t)i);
		assert_int_equal(f[i].len, 14 + i);
		assert_int_equal(((const uint8_t *)f[i].data)[0], 3 + i);
	}
	assert_int_equal(done1(t, f[3].id), 0);
	assert_int_equal(done1(t, f[1].id), 0);
	assert_int_equal(*t->p.tx.cons, 0xfffffffcu); /* oldest still lent */
	assert_int_equal(done1(t, f[1].id), -EINVAL); /* twice */
	assert_int_equal(done1(t, f[7].id + 1), -EINVAL); /* not lent */
	assert_int_equal(done1(t, f[0].id - 1), -EINVAL);
	assert_int_equal(done1(t, f[0].id), 0);
	assert_int_equal(*t->p.tx.cons, 0xfffffffcu + 2);
	assert_int_equal(done1(t, f[2].id), 0);
	assert_int_equal(*t->p.tx.cons, 0xfffffffcu + 4);
	for (int i = 4; i < 8; i++)
		assert_int_equal(done1(t, f[i].id), 0);
	assert_int_equal(*t->p.tx.cons, 0xfffffffcu + 8);
	assert_int_equal(t->c.st[FOLIO_STAT_BAD_CALL], 3);
	pair_free(t);
}

/* A burst give-back publishes once and skips ids that are not lent. */
static void give_back_burst(void **state)
{
	struct folio_frame f[16];
	uint32_t ids[20];

	(void)state;
	struct pair *t = pair_new(0xfffffff8u);

	assert_int_equal(produce(t, 16, 0), 16);
	assert_int_equal(fl_ring_peek(&t->c, f, 16), 16);
	for (int i = 0; i < 16; i++)
		ids[i] = f[15 - i].id; /* newest first */
	ids[16] = f[0].id;        /* twice */
	ids[17] = f[15].id + 1;   /* never lent */
	assert_int_equal(fl_ring_done(&t->c, ids, 8), 0);
	assert_int_equal(*t->p.tx.cons, 0xfffffff8u); /* oldest still lent */
	assert_int_equal(fl_ring_done(&t->c, ids + 8, 10), -EINVAL);
	assert_int_equal(*t->p.tx.cons, 0xfffffff8u + 16);
	assert_int_equal(t->c.st[FOLIO_STAT_BAD_CALL], 2);
	assert_int_equal(produce(t, 64, 1), 64); /* every slot is free again */
	pair_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wrap),
		cmocka_unit_test(consumer_window),
		cmocka_unit_test(producer_window),
		cmocka_unit_test(length_checks),
		cmocka_unit_test(null_buffer),
		cmocka_unit_test(copy_lengths),
		cmocka_unit_test(lend_out_of_order),
		cmocka_unit_test(give_back_burst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
