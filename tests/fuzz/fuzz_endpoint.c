/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_endpoint.c - libFuzzer harness over one endpoint of a real region.
 *
 * Built twice: with FUZZ_VICTIM_HOST the victim is the host endpoint and
 * the fuzzer plays a hostile guest; without it the victim is the guest and
 * the fuzzer plays a hostile host. The region is a sealed memfd mapped both
 * by the victim and by this harness. The input is a program for the peer:
 * it runs an honest peer endpoint on the other halves of the queue (so that
 * real traffic flows), writes boundary and random values into every field
 * the peer owns, and schedules writes that land in the middle of the
 * victim's next call, just before its n-th shared access (the trace build
 * of the library calls back on every access): that is the moment between
 * one load of the victim and its use.
 *
 * Every victim call is checked by adv.h (single fetch, ownership, copy
 * length = checked snapshot, work bound) and here: each delivered frame has
 * a valid length and nothing beyond it was written; a violation returns
 * FOLIO_EPEER, bumps exactly one counter and latches the queue FAILED until
 * a new host epoch; the counters match the returns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "adv.h"

#ifdef FUZZ_VICTIM_HOST
#define VICTIM ADV_HOST
#define ATTACKER ADV_GUEST
#else
#define VICTIM ADV_GUEST
#define ATTACKER ADV_HOST
#endif

#define NBUF 80u
#define MAX_OPS 256u
#define MAX_SCHED 16u


struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t rd8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static uint32_t rd16(struct rd *r)
{
	uint32_t v = rd8(r);

	return v | (uint32_t)rd8(r) << 8;
}

static uint32_t rd32(struct rd *r)
{
	uint32_t v = rd16(r);

	return v | rd16(r) << 16;
}

struct sched {
	unsigned at;
	uint64_t off;
	uint32_t vsel, raw;
	int done;
};

static struct {
	int ready;
	int fd;
	uint8_t *map;
	struct fl_layout l;
	struct folio_config cfg;
	struct folio_host *h;
	struct folio_guest *g;
	struct sched s[MAX_SCHED];
	unsigned ns;
	uint8_t *rx[NBUF];
	uint32_t rxlen[NBUF];
	uint8_t *tx[NBUF];
	uint32_t txlen[NBUF];
	uint32_t lent[FOLIO_MAX_ENTRIES];
	unsigned nlent;
	struct adv_latch latch;
} F;

static void fail(const char *what, int rc)
{
	fprintf(stderr, "fuzz: %s (rc %d: %s)\n", what, rc, folio_strerror(rc));
	abort();
}

static void peer_write(uint64_t off, uint32_t vsel, uint32_t raw)
{
	uint32_t *p = (uint32_t *)(void *)(F.map + off);
	uint32_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);

	__atomic_store_n(p, adv_value(&F.l, vsel, raw, cur), __ATOMIC_RELAXED);
}

static void sched_hook(void *ctx, unsigned n)
{
	(void)ctx;
	for (unsigned i = 0; i < F.ns; i++) {
		if (!F.s[i].done && F.s[i].at == n) {
			F.s[i].done = 1;
			peer_write(F.s[i].off, F.s[i].vsel, F.s[i].raw);
		}
	}
}

static int victim_stats(struct folio_stats *st)
{
#ifdef FUZZ_VICTIM_HOST
	return folio_host_stats(F.h, 0, st);
#else
	return folio_guest_stats(F.g, 0, st);
#endif
}

enum vop { V_RX, V_TX, V_PEEK, V_DONE, V_DONE_BURST };

static void victim_call(enum vop op, unsigned n, uint32_t id)
{
	struct folio_stats b, a;
	struct folio_frame fr[NBUF];
	int rc;

	(void)id;
	(void)fr;
	victim_stats(&b);
	for (unsigned i = 0; i < n && op == V_RX; i++)
		memset(F.rx[i], ADV_GUARD, F.l.max_frame);
	adv_call_begin(n);
	switch (op) {
	case V_RX:
#ifdef FUZZ_VICTIM_HOST
		rc = folio_host_rx_burst(F.h, 0, (void *const *)F.rx, F.rxlen, n);
#else
		rc = folio_guest_rx_burst(F.g, 0, (void *const *)F.rx, F.rxlen, n);
#endif
		break;
	case V_TX:
#ifdef FUZZ_VICTIM_HOST
		rc = folio_host_tx_burst(F.h, 0, (const void *const *)F.tx, F.txlen, n);
#else
		rc = folio_guest_tx_burst(F.g, 0, (const void *const *)F.tx, F.txlen, n);
#endif
		break;
#ifdef FUZZ_VICTIM_HOST
	case V_PEEK:
		rc = folio_host_rx_peek(F.h, 0, fr, n);
		break;
	case V_DONE:
		rc = folio_host_rx_done(F.h, 0, id);
		break;
	case V_DONE_BURST:
		/* Every id lent in this input (some already given back, so
		 * refused) and one never lent. */
		F.lent[F.nlent < FOLIO_MAX_ENTRIES ? F.nlent : 0] = id;
		rc = folio_host_rx_done_burst(F.h, 0, F.lent,
					      F.nlent < FOLIO_MAX_ENTRIES ? F.nlent + 1 : F.nlent);
		break;
#endif
	default:
		rc = 0;
	}
	adv_call_end(rc);
	F.ns = 0; /* a schedule lives for one call */
	victim_stats(&a);
	if (op == V_DONE || op == V_DONE_BURST) {
		/* rx_done touches no peer field: only the caller can err. */
		if (rc != 0 && rc != -EINVAL)
			fail("rx_done returned an unexpected code", rc);
		return;
	}
	adv_check_call(VICTIM, &F.latch, rc, n, &b, &a, op == V_RX ? F.rxlen : NULL,
		       op == V_RX ? F.rx : NULL, op == V_TX);
	if (op == V_PEEK && rc > 0) {
		for (int i = 0; i < rc; i++) {
			if (fr[i].len < FOLIO_MIN_FRAME || fr[i].len > F.l.max_frame)
				fail("lent a frame with an invalid length", rc);
			if (F.nlent < FOLIO_MAX_ENTRIES)
				F.lent[F.nlent++] = fr[i].id;
		}
		if (a.v[FOLIO_STAT_RX_FRAMES] - b.v[FOLIO_STAT_RX_FRAMES] != (unsigned)rc)
			fail("rx_frames does not match the lent frames", rc);
	}
}

static void setup_once(void)
{
	adv_config(&F.cfg, NULL);
	fl_layout_compute(&F.cfg, &F.l);
	F.fd = folio_region_memfd(&F.cfg);
	if (F.fd < 0)
		fail("memfd", F.fd);
	F.map = mmap(NULL, F.l.region_size, PROT_READ | PROT_WRITE, MAP_SHARED, F.fd, 0);
	if (F.map == MAP_FAILED)
		fail("mmap", -errno);
	for (unsigned i = 0; i < NBUF; i++) {
		F.rx[i] = malloc(F.l.max_frame); /* exact: ASan sees any overrun */
		F.tx[i] = malloc(F.l.max_frame);
		if (!F.rx[i] || !F.tx[i])
			fail("malloc", -ENOMEM);
		memset(F.tx[i], (int)(0x10 + i), F.l.max_frame);
	}
	adv_tr.l = &F.l;
	adv_tr.victim = VICTIM;
	adv_tr.hook = sched_hook;
	F.ready = 1;
}

static void open_peer(void)
{
#ifdef FUZZ_VICTIM_HOST
	if (folio_guest_open_fd(&F.cfg, F.fd, &F.g))
		fail("peer guest open", -1);
#else
	if (folio_host_create_fd(&F.cfg, F.fd, &F.h))
		fail("peer host create", -1);
#endif
}

static void close_peer(void)
{
#ifdef FUZZ_VICTIM_HOST
	folio_guest_close(F.g);
	F.g = NULL;
#else
	folio_host_close(F.h);
	F.h = NULL;
#endif
}

static void peer_traffic(int send, unsigned n)
{
	/* The honest side may itself fail after hostile writes: its
	 * results do not matter, only the victim's do. */
#ifdef FUZZ_VICTIM_HOST
	if (send)
		(void)folio_guest_tx_burst(F.g, 0, (const void *const *)F.tx, F.txlen, n);
	else
		(void)folio_guest_rx_burst(F.g, 0, (void *const *)F.rx, F.rxlen, n);
#else
	if (send)
		(void)folio_host_tx_burst(F.h, 0, (const void *const *)F.tx, F.txlen, n);
	else
		(void)folio_host_rx_burst(F.h, 0, (void *const *)F.rx, F.rxlen, n);
#endif
}

static void set_lens(struct rd *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		F.txlen[i] = FOLIO_MIN_FRAME + rd8(r) % (F.l.max_frame - FOLIO_MIN_FRAME + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = {data, size};
	int rc;

	if (!F.ready)
		setup_once();
	memset(F.map, 0, F.l.region_size);
	memset(&F.latch, 0, sizeof(F.latch));
	F.nlent = 0;
	F.ns = 0;
	adv_tr.vbase = NULL;
#ifdef FUZZ_VICTIM_HOST
	adv_tr.capture = 1;
	rc = folio_host_create_fd(&F.cfg, F.fd, &F.h);
	if (rc)
		fail("victim host create", rc);
	open_peer();
#else
	open_peer();
	adv_tr.capture = 1;
	rc = folio_guest_open_fd(&F.cfg, F.fd, &F.g);
	if (rc)
		fail("victim guest open", rc);
#endif
	if (!adv_tr.vbase || adv_tr.capture)
		fail("victim mapping not seen by the trace", 0);
	if (size >= 8 && !memcmp(data, "SELFTEST", 8) && getenv("ADV_SELFTEST")) {
		/* Proves the checker can fail: two loads of one peer field
		 * inside one call must abort. */
		const uint32_t *p = (const uint32_t *)(const void *)(adv_tr.vbase +
			fl_ring_off(&F.l, 0, ATTACKER == ADV_HOST ? FL_DIR_H2G : FL_DIR_G2H));

		adv_call_begin(1);
		fl_shm_trace(p, 4, FL_SHM_LOAD);
		fl_shm_trace(p, 4, FL_SHM_LOAD);
		adv_call_end(0);
		return 0;
	}

	for (unsigned ops = 0; ops < MAX_OPS && r.n; ops++) {
		uint8_t op = rd8(&r);
		unsigned n;

		switch (op % 8) {
		case 0: { /* write a peer field now */
			uint32_t sel = rd16(&r), vsel = rd8(&r), raw = rd32(&r);

			peer_write(adv_hostile_field(&F.l, ATTACKER, sel), vsel, raw);
			break;
		}
		case 1: /* write during the victim's next call */
			if (F.ns < MAX_SCHED) {
				struct sched *s = &F.s[F.ns++];

				s->at = rd8(&r) % 48u;
				s->off = adv_hostile_field(&F.l, ATTACKER, rd16(&r));
				s->vsel = rd8(&r);
				s->raw = rd32(&r);
				s->done = 0;
			}
			break;
		case 2:
			victim_call(V_RX, rd8(&r) % NBUF, 0);
			break;
		case 3:
			n = rd8(&r) % NBUF;
			set_lens(&r, n);
			victim_call(V_TX, n, 0);
			break;
		case 4:
			n = rd8(&r) % NBUF;
			set_lens(&r, n);
			peer_traffic(1, n);
			break;
		case 5:
			peer_traffic(0, rd8(&r) % NBUF);
			break;
		case 6: { /* slot bytes of a slot the peer produces */
			uint64_t ring = fl_ring_off(&F.l, 0, ATTACKER == ADV_HOST ?
						     FL_DIR_H2G : FL_DIR_G2H);
			uint32_t slot = rd8(&r) & F.l.mask, at = rd8(&r);
			uint8_t len = rd8(&r), v = rd8(&r);
			uint8_t *p = F.map + ring + F.l.slots_off +
				     ((uint64_t)slot << F.l.slot_shift);

			memset(p + at % ADV_SLOT_SIZE, v,
			       len < ADV_SLOT_SIZE - at % ADV_SLOT_SIZE ? len : ADV_SLOT_SIZE - at % ADV_SLOT_SIZE);
			break;
		}
		default: /* restarts and the zero-copy path */
#ifdef FUZZ_VICTIM_HOST
			n = rd8(&r);
			if (n < 64) {
				victim_call(V_PEEK, n % NBUF, 0);
			} else if (n < 160) {
				uint32_t id = F.nlent ? F.lent[n % F.nlent] : n;

				victim_call(V_DONE, 0, n & 1 ? id : id + n);
			} else if (n < 192) {
				victim_call(V_DONE_BURST, F.nlent + 1, n * 0x9e3779b9u);
			} else {
				close_peer();
				open_peer(); /* the guest re-acks: its indices go back to 0 */
			}
#else
			close_peer();
			open_peer(); /* a real host restart: new epoch */
#endif
			break;
		}
	}
#ifdef FUZZ_VICTIM_HOST
	folio_host_close(F.h);
	folio_guest_close(F.g);
#else
	folio_guest_close(F.g);
	folio_host_close(F.h);
#endif
	F.h = NULL;
	F.g = NULL;
	return 0;
}
