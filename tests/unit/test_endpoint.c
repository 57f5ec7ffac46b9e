/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest and host endpoints in one process over one sealed memfd. The test
 * plays the hostile peer by writing the peer's fields through its own
 * mapping of the region, and checks that each violation class is detected,
 * counted and latches FAILED, and that setup errors are clear.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "layout.h"

struct env {
	struct folio_config cfg;
	struct fl_layout l;
	int fd;
	uint8_t *map; /* the test's own view: the "peer" writes through it */
	struct folio_host *h;
	struct folio_guest *g;
};

static uint32_t *field(struct env *e, unsigned q, unsigned dir, uint32_t off)
{
	return (uint32_t *)(void *)(e->map + fl_ring_off(&e->l, q, dir) + off);
}

static struct fl_hdr *hdr(struct env *e)
{
	return (struct fl_hdr *)(void *)e->map;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	folio_config_init(&e->cfg);
	e->cfg.queues = 2;
	e->cfg.ring_entries = 64;
	fl_layout_compute(&e->cfg, &e->l);
	e->fd = folio_region_memfd(&e->cfg);
	assert_true(e->fd >= 0);
	e->map = mmap(NULL, e->l.region_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      e->fd, 0);
	assert_true(e->map != MAP_FAILED);
	assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
	assert_int_equal(folio_guest_open_fd(&e->cfg, e->fd, &e->g), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	folio_guest_close(e->g);
	folio_host_close(e->h);
	munmap(e->map, e->l.region_size);
	close(e->fd);
	free(e);
	return 0;
}

static uint8_t frame[2048];

static int gtx(struct env *e, unsigned q, unsigned n, uint32_t len)
{
	const void *b[64];
	uint32_t l[64];

	for (unsigned i = 0; i < n; i++) {
		b[i] = frame;
		l[i] = len;
	}
	return folio_guest_tx_burst(e->g, q, b, l, n);
}

static int htx(struct env *e, unsigned q, unsigned n, uint32_t len)
{
	const void *b[64];
	uint32_t l[64];

	for (unsigned i = 0; i < n; i++) {
		b[i] = frame;
		l[i] = len;
	}
	return folio_host_tx_burst(e->h, q, b, l, n);
}

static uint8_t rxbuf[64][2048];

static int grx(struct env *e, unsigned q, unsigned n)
{
	void *b[64];
	uint32_t l[64];

	for (unsigned i = 0; i < n; i++)
		b[i] = rxbuf[i];
	return folio_guest_rx_burst(e->g, q, b, l, n);
}

static int hrx(struct env *e, unsigned q, unsigned n)
{
	void *b[64];
	uint32_t l[64];

	for (unsigned i = 0; i < n; i++)
		b[i] = rxbuf[i];
	return folio_host_rx_burst(e->h, q, b, l, n);
}

static struct folio_stats gstats(struct env *e, unsigned q)
{
	struct folio_stats s;

	assert_int_equal(folio_guest_stats(e->g, q, &s), 0);
	return s;
}

static struct folio_stats hstats(struct env *e, unsigned q)
{
	struct folio_stats s;

	assert_int_equal(folio_host_stats(e->h, q, &s), 0);
	return s;
}

static void exchange(void **state)
{
	struct env *e = *state;

	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	for (unsigned q = 0; q < 2; q++) {
		assert_int_equal(gtx(e, q, 10, 100), 10);
		assert_int_equal(hrx(e, q, 64), 10);
		assert_memory_equal(rxbuf[9], frame, 100);
		assert_int_equal(htx(e, q, 5, 1518), 5);
		assert_int_equal(grx(e, q, 64), 5);
		assert_memory_equal(rxbuf[4], frame, 1518);
		assert_int_equal(gstats(e, q).state, FOLIO_Q_READY);
		assert_int_equal(hstats(e, q).state, FOLIO_Q_READY);
		assert_int_equal(gstats(e, q).epoch, folio_host_epoch(e->h));
	}
	/* Caller errors are not peer violations. */
	assert_int_equal(gtx(e, 0, 1, 13), -EINVAL);
	assert_int_equal(gtx(e, 0, 1, 1519), -EINVAL);
	assert_int_equal(gtx(e, 2, 1, 100), -EINVAL);
	assert_int_equal(gstats(e, 0).state, FOLIO_Q_READY);
	assert_int_equal(gstats(e, 0).v[FOLIO_STAT_BAD_CALL], 2);
}

/* A hostile host moves its h2g producer index out of the window. */
static void host_bad_index(void **state)
{
	struct env *e = *state;

	assert_int_equal(htx(e, 0, 3, 64), 3);
	*field(e, 0, FL_DIR_H2G, FL_RING_PROD_OFF) = 3 + 65;
	assert_int_equal(grx(e, 0, 8), FOLIO_EPEER);
	struct folio_stats s = gstats(e, 0);

	assert_int_equal(s.state, FOLIO_Q_FAILED);
	assert_int_equal(s.v[FOLIO_STAT_BAD_INDEX], 1);
	assert_int_equal(s.v[FOLIO_STAT_RX_FRAMES], 0);
	/* Latched: every later call on the queue fails, whatever the host does. */
	*field(e, 0, FL_DIR_H2G, FL_RING_PROD_OFF) = 3;
	assert_int_equal(grx(e, 0, 8), FOLIO_EFAILED);
	assert_int_equal(gtx(e, 0, 1, 64), FOLIO_EFAILED);
	assert_int_equal(gstats(e, 0).v[FOLIO_STAT_BAD_INDEX], 1);
	/* The other queue is untouched. */
	assert_int_equal(gtx(e, 1, 1, 64), 1);
	assert_int_equal(gstats(e, 1).state, FOLIO_Q_READY);
}

static void host_bad_length(void **state)
{
	static const uint32_t bad[] = {0, 1, 13, 1519, 2048, 2049, 0xffffffffu};
	struct env *e = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned q = (unsigned)(i & 1);

		/* A fresh epoch for each case: restart the host. */
		folio_host_close(e->h);
		assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
		assert_int_equal(gtx(e, q, 1, 64), 1); /* re-attaches */
		assert_int_equal(htx(e, q, 4, 64), 4);
		field(e, q, FL_DIR_H2G, FL_RING_DESC_OFF)[2] = bad[i];
		assert_int_equal(grx(e, q, 8), FOLIO_EPEER);
		struct folio_stats s = gstats(e, q);

		assert_int_equal(s.state, FOLIO_Q_FAILED);
		/* Counters add up over epochs: one per case on this queue. */
		assert_int_equal(s.v[FOLIO_STAT_BAD_LENGTH], i / 2 + 1);
		assert_int_equal(s.v[FOLIO_STAT_RX_FRAMES], 0); /* nothing delivered */
	}
}

/* A hostile host moves the g2h consumer index (which it owns) backwards
 * or past what the guest produced. */
static void host_bad_consumer(void **state)
{
	struct env *e = *state;

	assert_int_equal(gtx(e, 0, 64, 64), 64); /* ring full */
	*field(e, 0, FL_DIR_G2H, FL_RING_CONS_OFF) = 65;
	assert_int_equal(gtx(e, 0, 1, 64), FOLIO_EPEER);
	assert_int_equal(gstats(e, 0).v[FOLIO_STAT_BAD_INDEX], 1);
	assert_int_equal(gstats(e, 0).state, FOLIO_Q_FAILED);

	assert_int_equal(gtx(e, 1, 64, 64), 64);
	*field(e, 1, FL_DIR_G2H, FL_RING_CONS_OFF) = 0xffffffffu; /* backwards */
	assert_int_equal(gtx(e, 1, 1, 64), FOLIO_EPEER);
	assert_int_equal(gstats(e, 1).state, FOLIO_Q_FAILED);
}

/* A hostile guest, seen from the host: the same checks, the other way. */
static void guest_bad_index_and_length(void **state)
{
	struct env *e = *state;

	assert_int_equal(gtx(e, 0, 2, 64), 2);
	*field(e, 0, FL_DIR_G2H, FL_RING_PROD_OFF) = 0x80000000u;
	assert_int_equal(hrx(e, 0, 8), FOLIO_EPEER);
	assert_int_equal(hstats(e, 0).state, FOLIO_Q_FAILED);
	assert_int_equal(hstats(e, 0).v[FOLIO_STAT_BAD_INDEX], 1);
	assert_int_equal(hrx(e, 0, 8), FOLIO_EFAILED);
	assert_int_equal(htx(e, 0, 1, 64), FOLIO_EFAILED);

	assert_int_equal(gtx(e, 1, 2, 64), 2);
	field(e, 1, FL_DIR_G2H, FL_RING_DESC_OFF)[1] = 0xffffffffu;
	struct folio_frame f[4];

	assert_int_equal(folio_host_rx_peek(e->h, 1, f, 4), FOLIO_EPEER);
	assert_int_equal(hstats(e, 1).v[FOLIO_STAT_BAD_LENGTH], 1);
	/* Queue 0 and 1 failed alone; the guest's own view is unaffected. */
	assert_int_equal(gstats(e, 0).state, FOLIO_Q_READY);
}

/* The guest acks a different epoch: the host does not take its indices. */
static void host_waits_for_ack(void **state)
{
	struct env *e = *state;

	folio_host_close(e->h);
	assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
	/* The guest has not seen the new epoch yet: its ack is stale. */
	assert_int_equal(htx(e, 0, 1, 64), FOLIO_ENOTREADY);
	assert_int_equal(hrx(e, 0, 1), FOLIO_ENOTREADY);
	assert_int_equal(hstats(e, 0).state, FOLIO_Q_DETACHED);
	assert_true(hstats(e, 0).v[FOLIO_STAT_NOT_READY] >= 2);
	assert_int_equal(grx(e, 0, 1), 0); /* guest attaches */
	assert_int_equal(htx(e, 0, 1, 64), 1);
	assert_int_equal(grx(e, 0, 1), 1);
}

/* Host restart: the guest detaches while the epoch is odd, re-attaches to
 * the next one, and traffic resumes with no violation counted. */
static void host_restart(void **state)
{
	struct env *e = *state;
	uint32_t first = folio_host_epoch(e->h);

	assert_int_equal(gtx(e, 0, 5, 64), 5);
	assert_int_equal(htx(e, 0, 5, 64), 5);
	folio_host_close(e->h);
	e->h = NULL;
	assert_int_equal(grx(e, 0, 8), FOLIO_ENOTREADY);
	assert_int_equal(gtx(e, 0, 1, 64), FOLIO_ENOTREADY);
	assert_int_equal(gstats(e, 0).state, FOLIO_Q_DETACHED);
	assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
	assert_int_equal(folio_host_epoch(e->h), first + 2);
	assert_int_equal(grx(e, 0, 8), 0); /* in-flight frames are gone */
	assert_int_equal(gtx(e, 0, 3, 64), 3);
	assert_int_equal(hrx(e, 0, 8), 3);
	struct folio_stats s = gstats(e, 0);

	assert_int_equal(s.state, FOLIO_Q_READY);
	assert_int_equal(s.epoch, first + 2);
	assert_int_equal(s.v[FOLIO_STAT_ATTACH], 2);
	assert_int_equal(s.v[FOLIO_STAT_BAD_INDEX] + s.v[FOLIO_STAT_BAD_LENGTH] +
			 s.v[FOLIO_STAT_BAD_HEADER], 0);
}

/* A FAILED queue stays FAILED until the host moves to a new epoch. */
static void failed_until_new_epoch(void **state)
{
	struct env *e = *state;

	*field(e, 0, FL_DIR_H2G, FL_RING_PROD_OFF) = 1000;
	assert_int_equal(grx(e, 0, 1), FOLIO_EPEER);
	for (int i = 0; i < 10; i++)
		assert_int_equal(grx(e, 0, 1), FOLIO_EFAILED);
	folio_host_close(e->h);
	assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
	assert_int_equal(grx(e, 0, 1), 0);
	assert_int_equal(gstats(e, 0).state, FOLIO_Q_READY);
}

/* The host restarts with another configuration: the guest compares the
 * digest, refuses the epoch and says why. */
static void header_digest_changes(void **state)
{
	struct env *e = *state;
	struct folio_config other = e->cfg;

	other.host_mac[5] = 0x99;
	folio_host_close(e->h);
	assert_int_equal(folio_host_create_fd(&other, e->fd, &e->h), 0);
	assert_int_equal(grx(e, 0, 1), FOLIO_EDIGEST);
	assert_int_equal(gstats(e, 0).state, FOLIO_Q_FAILED);
	assert_int_equal(gstats(e, 0).v[FOLIO_STAT_BAD_HEADER], 1);
	assert_int_equal(grx(e, 0, 1), FOLIO_EFAILED);

	/* A hostile host writes a new even epoch over a wrong magic. */
	hdr(e)->magic = 0x1234;
	hdr(e)->epoch += 2;
	assert_int_equal(gtx(e, 1, 1, 64), FOLIO_EMAGIC);
	assert_int_equal(gstats(e, 1).v[FOLIO_STAT_BAD_HEADER], 1);
	hdr(e)->magic = FL_MAGIC;
	hdr(e)->version = 7;
	hdr(e)->epoch += 2;
	assert_int_equal(gtx(e, 1, 1, 64), FOLIO_EVERSION);
	/* Odd epochs from a hostile host only detach the queue. */
	hdr(e)->epoch += 1;
	assert_int_equal(gtx(e, 1, 1, 64), FOLIO_ENOTREADY);
}

/* A guest that closes withdraws its ack: the host reports it gone, not a
 * violation, until it starts a new epoch. */
static void guest_leaves(void **state)
{
	struct env *e = *state;

	assert_int_equal(gtx(e, 0, 2, 64), 2);
	assert_int_equal(hrx(e, 0, 8), 2);
	folio_guest_close(e->g);
	e->g = NULL;
	assert_int_equal(hrx(e, 0, 8), FOLIO_EGONE);
	assert_int_equal(htx(e, 0, 1, 64), FOLIO_EGONE);
	/* Queue 1 never attached on the host side: merely not ready. */
	assert_int_equal(htx(e, 1, 1, 64), FOLIO_ENOTREADY);
	assert_int_equal(hrx(e, 0, 8), FOLIO_EGONE);
	struct folio_stats s = hstats(e, 0);

	assert_int_equal(s.state, FOLIO_Q_GONE); /* said, not hidden */
	assert_int_equal(s.v[FOLIO_STAT_PEER_LEFT], 1);
	assert_int_equal(s.v[FOLIO_STAT_BAD_INDEX] + s.v[FOLIO_STAT_BAD_LENGTH], 0);
	/* A new guest instance attaches only once the host has a new epoch. */
	assert_int_equal(folio_guest_open_fd(&e->cfg, e->fd, &e->g), 0);
	assert_int_equal(hrx(e, 0, 8), FOLIO_EGONE);
	folio_host_close(e->h);
	assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
	assert_int_equal(gtx(e, 0, 3, 64), 3);
	assert_int_equal(hrx(e, 0, 8), 3);
	assert_int_equal(hstats(e, 0).state, FOLIO_Q_READY);
}

/* A guest that dies leaves its ack behind. Its successor finds the epoch
 * acked, withdraws the ack and waits for a new epoch; it never adopts the
 * rings of its predecessor. */
static void guest_replaced_after_crash(void **state)
{
	struct env *e = *state;
	struct folio_guest *next;

	assert_int_equal(htx(e, 0, 5, 64), 5); /* in flight to the dead guest */
	assert_int_equal(folio_guest_open_fd(&e->cfg, e->fd, &next), 0);
	void *b[8];
	uint32_t l[8];

	for (int i = 0; i < 8; i++)
		b[i] = rxbuf[i];
	assert_int_equal(folio_guest_rx_burst(next, 0, b, l, 8), FOLIO_ENOTREADY);
	assert_int_equal(hrx(e, 0, 8), FOLIO_EGONE);
	assert_int_equal(folio_guest_rx_burst(next, 0, b, l, 8), FOLIO_ENOTREADY);
	folio_host_close(e->h);
	assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
	/* The old frames are gone with the old epoch: nothing is duplicated. */
	assert_int_equal(folio_guest_rx_burst(next, 0, b, l, 8), 0);
	assert_int_equal(htx(e, 0, 2, 64), 2);
	assert_int_equal(folio_guest_rx_burst(next, 0, b, l, 8), 2);
	struct folio_stats s;

	assert_int_equal(folio_guest_stats(next, 0, &s), 0);
	assert_int_equal(s.v[FOLIO_STAT_RX_FRAMES], 2);
	assert_int_equal(s.v[FOLIO_STAT_BAD_INDEX] + s.v[FOLIO_STAT_BAD_LENGTH], 0);
	folio_guest_close(e->g); /* the "dead" one; its queues are stale */
	e->g = next;
}

static void open_errors(void **state)
{
	struct folio_config c;
	struct folio_guest *g = NULL;
	char path[64];
	int fd;

	(void)state;
	folio_config_init(&c);
	snprintf(path, sizeof(path), "/dev/shm/folio-unit-%d", (int)getpid());
	snprintf(c.region, sizeof(c.region), "%s", path);
	unlink(path);
	assert_int_equal(folio_guest_open(&c, &g), -ENOENT);

	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	assert_int_equal(folio_guest_open(&c, &g), FOLIO_ESMALL);
	assert_int_equal(ftruncate(fd, (off_t)folio_region_size(&c)), 0);
	assert_int_equal(folio_guest_open(&c, &g), FOLIO_ENOTREADY); /* zero header */
	uint64_t junk = 0x4242424242424242ull;

	assert_int_equal(pwrite(fd, &junk, 8, 0), 8);
	assert_int_equal(folio_guest_open(&c, &g), FOLIO_EMAGIC);

	struct folio_host *h;
	struct folio_config other = c;

	other.mtu = 1400;
	assert_int_equal(folio_host_create(&other, &h), 0);
	assert_int_equal(folio_guest_open(&c, &g), FOLIO_EDIGEST);
	folio_host_close(h);
	assert_int_equal(folio_host_create(&c, &h), 0);
	assert_int_equal(folio_guest_open(&c, &g), 0);
	folio_guest_close(g);
	folio_host_close(h);

	c.ring_entries = 3;
	assert_int_equal(folio_guest_open(&c, &g), -EINVAL);
	assert_int_equal(folio_host_create(&c, &h), -EINVAL);
	close(fd);
	unlink(path);

	/* A sealed memfd cannot be shrunk under a mapping. */
	folio_config_init(&c);
	fd = folio_region_memfd(&c);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), -1);
	assert_int_equal(errno, EPERM);
	close(fd);
}

/* INV_leak: a guest transmit changes only the guest-owned bytes it must. */
static void guest_writes_only_its_fields(void **state)
{
	struct env *e = *state;
	uint8_t *before = malloc(e->l.region_size);

	memcpy(before, e->map, e->l.region_size);
	assert_int_equal(gtx(e, 1, 2, 100), 2);
	uint64_t ring = fl_ring_off(&e->l, 1, FL_DIR_G2H);

	for (uint64_t off = 0; off < e->l.region_size; off++) {
		if (before[off] == e->map[off])
			continue;
		uint64_t r = off - ring;
		int ok = (r < 4) ||                                     /* prod */
			 (r >= FL_RING_DESC_OFF && r < FL_RING_DESC_OFF + 8) || /* 2 lengths */
			 (r >= e->l.slots_off && r < e->l.slots_off + 100) ||
			 (r >= e->l.slots_off + 2048 && r < e->l.slots_off + 2148);

		if (off < ring || !ok)
			fail_msg("guest wrote byte %llu", (unsigned long long)off);
	}
	free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(exchange, setup, teardown),
		cmocka_unit_test_setup_teardown(host_bad_index, setup, teardown),
		cmocka_unit_test_setup_teardown(host_bad_length, setup, teardown),
		cmocka_unit_test_setup_teardown(host_bad_consumer, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_bad_index_and_length, setup, teardown),
		cmocka_unit_test_setup_teardown(host_waits_for_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(host_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_until_new_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(header_digest_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_replaced_after_crash, setup, teardown),
		cmocka_unit_test(open_errors),
		cmocka_unit_test_setup_teardown(guest_writes_only_its_fields, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
