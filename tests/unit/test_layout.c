/* SPDX-License-Identifier: BSD-3-Clause */
/* Layout computation: every offset follows from the config alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "layout.h"

static void default_layout(void **state)
{
	struct folio_config c;
	struct fl_layout l;

	(void)state;
	folio_config_init(&c);
	fl_layout_compute(&c, &l);
	assert_int_equal(l.entries, 1024);
	assert_int_equal(l.mask, 1023);
	assert_int_equal(l.slot_shift, 11);
	assert_int_equal(l.max_frame, 1518);
	/* 256 bytes of index lines + 1024 * 4 bytes of lengths, to a page. */
	assert_int_equal(l.slots_off, 8192);
	assert_int_equal(l.ring_bytes, 8192 + 1024 * 2048);
	assert_int_equal(l.region_size, 8192 + 2 * (8192 + 1024 * 2048));
	assert_int_equal(folio_region_size(&c), l.region_size);
	assert_int_equal(fl_ring_off(&l, 0, FL_DIR_G2H), 8192);
	assert_int_equal(fl_ring_off(&l, 0, FL_DIR_H2G), 8192 + l.ring_bytes);
}

/* Over the whole config space: rings do not overlap, slots are page
 * aligned, index lines are cache-line separated, the region is the sum. */
static void all_geometries(void **state)
{
	struct folio_config c;
	struct fl_layout l;

	(void)state;
	folio_config_init(&c);
	for (uint32_t q = 1; q <= FOLIO_MAX_QUEUES; q *= 2) {
		for (uint32_t e = FOLIO_MIN_ENTRIES; e <= FOLIO_MAX_ENTRIES; e *= 2) {
			for (uint32_t s = FOLIO_MIN_SLOT; s <= FOLIO_MAX_SLOT; s *= 4) {
				c.queues = q;
				c.ring_entries = e;
				c.slot_size = s;
				c.mtu = s - FOLIO_L2_OVERHEAD < FOLIO_MAX_MTU ?
						s - FOLIO_L2_OVERHEAD : FOLIO_MAX_MTU;
				if (c.mtu < FOLIO_MIN_MTU)
					continue;
				assert_int_equal(folio_config_validate(&c, NULL, 0), 0);
				fl_layout_compute(&c, &l);
				assert_int_equal(l.mask + 1, e);
				assert_int_equal(1u << l.slot_shift, s);
				assert_true(l.slots_off >= FL_RING_DESC_OFF + (uint64_t)e * 4);
				assert_int_equal(l.slots_off % FL_PAGE, 0);
				assert_int_equal(l.ring_bytes % FL_PAGE, 0);
				assert_true(l.max_frame <= s);
				uint64_t last = fl_ring_off(&l, q - 1, FL_DIR_H2G);

				assert_int_equal(last + l.ring_bytes, l.region_size);
				assert_int_equal(l.region_size,
						 FL_RINGS_OFF + 2ull * q * l.ring_bytes);
			}
		}
	}
	/* The largest region still fits comfortably in 64 bits and memory. */
	c.queues = FOLIO_MAX_QUEUES;
	c.ring_entries = FOLIO_MAX_ENTRIES;
	c.slot_size = FOLIO_MAX_SLOT;
	fl_layout_compute(&c, &l);
	assert_true(l.region_size > 8ull << 30);
}

static void fixed_offsets(void **state)
{
	(void)state;
	assert_int_equal(FL_RING_CONS_OFF - FL_RING_PROD_OFF, 2 * FL_CACHE_LINE);
	assert_int_equal(FL_RING_DESC_OFF - FL_RING_CONS_OFF, 2 * FL_CACHE_LINE);
	assert_int_equal(FL_CTL_OFF, sizeof(struct fl_hdr));
	assert_int_equal(FL_RINGS_OFF, FL_CTL_OFF + FL_PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_layout),
		cmocka_unit_test(all_geometries),
		cmocka_unit_test(fixed_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
