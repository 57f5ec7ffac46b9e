/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adv_restart.c - an honest host restart placed exactly between a burst's
 * copies and its publication (docs/design.md, section 6), in lockstep.
 *
 * Linked with the trace build of the library (FOLIO_SHM_TRACE): the trace
 * hook runs before every shared access, so the test can restart the host
 * (close: odd epoch; create on the same memfd: zero everything, next even
 * epoch) right before the guest's k-th slot copy. Before the re-check of the
 * epoch after the copies, the guest delivered such a burst under the old
 * epoch with bytes zeroed by the reset (a torn frame), and reported a
 * transmit burst written into the reset ring as sent.
 *
 *   adv_restart      exit 0 when every case holds, 1 with a message if not
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio.h"
#include "layout.h"
#include "shm.h"

#define N 8u
#define LEN 150u

static struct folio_config cfg;
static struct folio_host *h;
static struct folio_guest *g;
static int fd;
static int failures;

/* The trace hook: when armed, restart the host before the k-th access of
 * kind op (0-based), once. */
static struct {
	int armed;
	enum fl_shm_op op;
	unsigned k, seen, done;
} arm;

static void restart_host(void)
{
	folio_host_close(h);
	h = NULL;
	if (folio_host_create_fd(&cfg, fd, &h)) {
		fprintf(stderr, "adv_restart: host re-create failed\n");
		exit(1);
	}
}

void fl_shm_trace(const void *addr, size_t len, enum fl_shm_op op);
void fl_shm_trace(const void *addr, size_t len, enum fl_shm_op op)
{
	(void)addr;
	(void)len;
	if (!arm.armed || op != arm.op || arm.seen++ != arm.k)
		return;
	arm.armed = 0;
	restart_host();
	arm.done = 1;
}

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "adv_restart: FAIL: %s\n", what);
		failures++;
	}
}

static void fill(uint8_t *b, uint32_t seq)
{
	for (uint32_t i = 0; i < LEN; i++)
		b[i] = (uint8_t)(0x40u + seq * 7u + i);
	b[0] = 0x02; /* never all zero, whatever the pattern */
}

static int intact(const uint8_t *b, uint32_t seq)
{
	uint8_t want[LEN];

	fill(want, seq);
	return !memcmp(b, want, LEN);
}

/* Bring both sides to READY on the current host epoch. */
static void attach(void)
{
	uint8_t buf[2048];
	void *rb[1] = {buf};
	uint32_t rl[1];

	for (int i = 0; i < 4; i++) {
		(void)folio_guest_rx_burst(g, 0, rb, rl, 1);
		(void)folio_host_rx_burst(h, 0, rb, rl, 1);
	}
}

static int host_send(unsigned n, uint32_t seq0)
{
	static uint8_t fr[N][LEN];
	const void *b[N];
	uint32_t l[N];

	for (unsigned i = 0; i < n; i++) {
		fill(fr[i], seq0 + i);
		b[i] = fr[i];
		l[i] = LEN;
	}
	return folio_host_tx_burst(h, 0, b, l, n);
}

static int guest_send(unsigned n, uint32_t seq0)
{
	static uint8_t fr[N][LEN];
	const void *b[N];
	uint32_t l[N];

	for (unsigned i = 0; i < n; i++) {
		fill(fr[i], seq0 + i);
		b[i] = fr[i];
		l[i] = LEN;
	}
	return folio_guest_tx_burst(g, 0, b, l, n);
}

/* Guest receive: the host restarts before the k-th copy of the burst. */
static void rx_case(unsigned k)
{
	static uint8_t buf[N][2048];
	void *rb[N];
	uint32_t rl[N];
	char what[120];
	int rc;

	attach();
	check(host_send(N, 100) == (int)N, "host sends a burst");
	for (unsigned i = 0; i < N; i++)
		rb[i] = buf[i];
	memset(&arm, 0, sizeof(arm));
	arm.armed = 1;
	arm.op = FL_SHM_COPY_FROM;
	arm.k = k;
	rc = folio_guest_rx_burst(g, 0, rb, rl, N);
	check(arm.done, "the restart happened inside the burst");
	snprintf(what, sizeof(what),
		 "restart before copy %u: burst dropped as not-ready (rc %d)", k, rc);
	check(rc == FOLIO_ENOTREADY, what);
	for (int i = 0; i < rc; i++) {
		snprintf(what, sizeof(what), "restart before copy %u: frame %d torn", k, i);
		check(intact(buf[i], 100u + (uint32_t)i), what);
	}
	/* The queue re-attaches to the new epoch and carries frames again. */
	attach();
	check(host_send(2, 500) == 2, "host sends after the restart");
	rc = folio_guest_rx_burst(g, 0, rb, rl, N);
	check(rc == 2 && intact(buf[0], 500) && intact(buf[1], 501),
	      "the new epoch delivers its own frames only");
}

/* Guest transmit: the host restarts before the k-th slot write. */
static void tx_case(unsigned k)
{
	static uint8_t buf[N][2048];
	void *rb[N];
	uint32_t rl[N];
	char what[120];
	int rc;

	attach();
	memset(&arm, 0, sizeof(arm));
	arm.armed = 1;
	arm.op = FL_SHM_COPY_TO;
	arm.k = k;
	rc = guest_send(N, 200);
	check(arm.done, "the restart happened inside the burst");
	snprintf(what, sizeof(what),
		 "restart before slot write %u: burst reported not-ready (rc %d)", k, rc);
	check(rc == FOLIO_ENOTREADY, what);
	for (unsigned i = 0; i < N; i++)
		rb[i] = buf[i];
	attach();
	rc = folio_host_rx_burst(h, 0, rb, rl, N);
	check(rc == 0, "nothing of the dropped burst reaches the new host");
	check(guest_send(1, 600) == 1, "guest sends after the restart");
	rc = folio_host_rx_burst(h, 0, rb, rl, N);
	check(rc == 1 && intact(buf[0], 600), "the new epoch carries new frames");
}

/* Host side: the guest leaves (closes) and a new guest instance opens while
 * the host copies a burst. The guest's leave writes only its ack and its own
 * index, never a slot, so the frames it published are whole. */
static void host_rx_case(void)
{
	static uint8_t buf[N][2048];
	void *rb[N];
	uint32_t rl[N];
	int rc;

	attach();
	check(guest_send(N, 300) == (int)N, "guest sends a burst");
	for (unsigned i = 0; i < N; i++)
		rb[i] = buf[i];
	/* Not through the trace hook: the guest side is driven here by hand
	 * between two host calls, which is the only interleaving an honest
	 * guest can produce on the host's slots (it writes none of them). */
	folio_guest_close(g);
	if (folio_guest_open_fd(&cfg, fd, &g)) {
		fprintf(stderr, "adv_restart: guest re-open failed\n");
		exit(1);
	}
	rc = folio_host_rx_burst(h, 0, rb, rl, N);
	if (rc != FOLIO_EGONE && rc != (int)N)
		fprintf(stderr, "adv_restart: FAIL: host rc %d (%s)\n", rc, folio_strerror(rc)), failures++;
	for (int i = 0; i < rc; i++)
		check(intact(buf[i], 300u + (uint32_t)i), "host frame torn");
	restart_host();
	attach();
	check(guest_send(1, 700) == 1, "the new guest sends on the new epoch");
	rc = folio_host_rx_burst(h, 0, rb, rl, N);
	check(rc == 1 && intact(buf[0], 700), "host receives the new guest only");
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: adv_restart (no arguments)\n");
		return 2;
	}
	folio_config_init(&cfg);
	cfg.queues = 1;
	cfg.ring_entries = 64;
	cfg.slot_size = 256;
	cfg.mtu = 200;
	fd = folio_region_memfd(&cfg);
	if (fd < 0 || folio_host_create_fd(&cfg, fd, &h) ||
	    folio_guest_open_fd(&cfg, fd, &g)) {
		fprintf(stderr, "adv_restart: setup failed\n");
		return 1;
	}
	for (unsigned k = 0; k < N; k++)
		rx_case(k);
	for (unsigned k = 0; k < N; k++)
		tx_case(k);
	host_rx_case();
	folio_guest_close(g);
	folio_host_close(h);
	close(fd);
	if (failures) {
		fprintf(stderr, "adv_restart: %d check(s) failed\n", failures);
		return 1;
	}
	printf("adv_restart: %u receive and %u transmit restarts inside a burst: "
	       "no torn frame, nothing published\n", N, N);
	return 0;
}
