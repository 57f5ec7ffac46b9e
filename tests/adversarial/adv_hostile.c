/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adv_hostile.c - a victim endpoint against a hostile peer that runs as a
 * thread or as a separate process over one real shared mapping.
 *
 *   adv_hostile <guest|host> <thread|process|honest> [seconds] [rounds]
 *
 * The first word names the victim. The peer runs an honest endpoint on the
 * other halves of the queue, so that real traffic flows, and at random
 * moments writes boundary and random values into every field it owns:
 * indices, descriptors, slot bytes, and (a hostile host) the header. With
 * "honest" it never does, and the victim checks every frame's content: the
 * two-sided ring test that ThreadSanitizer must find clean.
 *
 * The victim checks each call (adv_check_call in adv.h), bounds each call
 * with a watchdog, and, as the guest, runs the leak check: its transmit
 * buffers sit in a private arena filled with a canary, its stack and freed
 * heap are painted with it, and after each round the whole region is
 * scanned: the canary must never be there (INV_leak).
 *
 * The run is made of rounds: a fresh region and endpoints, traffic, the
 * first violation, then more calls to show that the queue stays FAILED.
 * Exit 0 pass, 1 fail; a sanitizer report aborts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adv.h"

#define NBUF 80u
#define ARENA (1u << 20)
#define AFTER_LATCH 300u   /* calls after a violation that must stay FAILED */
#define ROUND_CALLS 20000u /* victim calls per round at most */
#define CALL_LIMIT_S 10    /* a single call stuck this long is a hang */

static const uint8_t canary[8] = {0xde, 0xad, 0xc0, 0xde, 0xfe, 0xed, 0xfa, 0xce};

/* Shared between victim and peer (MAP_SHARED anonymous: survives fork).
 * Not part of the Folio region. */
struct ctl {
	int stop;
	int hostile;
	uint64_t peer_writes;
	uint64_t peer_ops;
	uint64_t peer_restarts;
};

static struct {
	enum adv_side victim;
	int process, honest;
	struct folio_config cfg;
	struct fl_layout l;
	int fd;
	uint8_t *amap; /* the peer's raw mapping for hostile writes */
	struct folio_guest *g;
	struct folio_host *h;
	struct ctl *ctl;
	/* watchdog */
	uint64_t call_start_ns;
	int in_call;
	double max_call_s;
	/* totals */
	uint64_t calls, rx_frames, tx_frames, violations, header_errs;
	uint64_t rounds, failed_checks_after_latch, peer_left;
	int gone_round;
	uint64_t stat_bad[3];
} T;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* ---- the peer ------------------------------------------------------------ */

static void hostile_slot_write(uint8_t *slot, uint32_t at, uint32_t len, uint8_t v)
{
	/* Racy by design with the victim's copy of the same slot. */
	memset(slot + at, v, len);
}

static void hostile_write(uint64_t *s)
{
	enum adv_side attacker = T.victim == ADV_GUEST ? ADV_HOST : ADV_GUEST;
	uint32_t sel = (uint32_t)rnd(s);
	uint64_t off;

	/* Keep header writes to one in four of a hostile host's writes, so
	 * that most rounds end in a ring violation rather than a restart. */
	if (attacker == ADV_HOST && sel % 10 < 5 && (rnd(s) & 3))
		sel = sel / 10 * 10 + 5 + sel % 5;
	off = adv_hostile_field(&T.l, attacker, sel);
	/* Likewise a hostile guest's ack writes: any change of the ack ends
	 * the host's service of the epoch (FOLIO_EGONE). */
	if (attacker == ADV_GUEST && off == FL_CTL_OFF && (rnd(s) & 31))
		off = adv_hostile_field(&T.l, attacker, sel | 1);

	if ((rnd(s) & 7) == 0) {
		unsigned dir = attacker == ADV_HOST ? FL_DIR_H2G : FL_DIR_G2H;
		uint8_t *slot = T.amap + fl_ring_off(&T.l, 0, dir) + T.l.slots_off +
				((rnd(s) & T.l.mask) << T.l.slot_shift);
		uint32_t at = (uint32_t)(rnd(s) % ADV_SLOT_SIZE);

		hostile_slot_write(slot, at, (uint32_t)(rnd(s) % (ADV_SLOT_SIZE - at)),
				   (uint8_t)rnd(s));
		return;
	}
	if (off == 0 || off == 4 || off == 16) {
		/* 64-bit fields are written whole: a flipped bit, zero, or noise. */
		uint64_t *p = (uint64_t *)(void *)(T.amap + (off == 16 ? 16 : 0));
		uint64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED), v;

		switch (rnd(s) % 3) {
		case 0: v = cur ^ (1ull << (rnd(s) & 63)); break;
		case 1: v = 0; break;
		default: v = rnd(s); break;
		}
		__atomic_store_n(p, v, __ATOMIC_RELAXED);
	} else {
		uint32_t *p = (uint32_t *)(void *)(T.amap + off);
		uint32_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);

		__atomic_store_n(p, adv_value(&T.l, (uint32_t)rnd(s), (uint32_t)rnd(s), cur),
				 __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&T.ctl->peer_writes, 1, __ATOMIC_RELAXED);
}

static void fill_frame(uint8_t *p, uint32_t len, uint32_t seq)
{
	/* Frame bytes stay below 0x80, so they never form the canary. */
	memcpy(p, &seq, 4);
	for (uint32_t i = 4; i < len; i++)
		p[i] = (uint8_t)((seq + i) & 0x7f);
	p[3] &= 0x7f;
}

static void *peer_main(void *arg)
{
	uint64_t s = (uint64_t)(uintptr_t)arg | 1;
	static uint8_t *buf[NBUF];
	uint32_t lens[NBUF], seq = 0;
	uint64_t quiet = rnd(&s) % 4000; /* honest traffic before the first write */
	int failed = 0;

	for (unsigned i = 0; i < NBUF; i++)
		if (!buf[i] && !(buf[i] = malloc(ADV_SLOT_SIZE)))
			abort();
	while (!__atomic_load_n(&T.ctl->stop, __ATOMIC_RELAXED)) {
		unsigned n = 1 + (unsigned)(rnd(&s) % 32);
		int rc;

		for (unsigned i = 0; i < n; i++) {
			lens[i] = FOLIO_MIN_FRAME +
				  (uint32_t)(rnd(&s) % (T.l.max_frame - FOLIO_MIN_FRAME + 1));
			if (T.honest)
				lens[i] = FOLIO_MIN_FRAME + (seq + i) % (T.l.max_frame - FOLIO_MIN_FRAME + 1);
			fill_frame(buf[i], lens[i], seq + i);
		}
		if (T.victim == ADV_GUEST)
			rc = folio_host_tx_burst(T.h, 0, (const void *const *)buf, lens, n);
		else
			rc = folio_guest_tx_burst(T.g, 0, (const void *const *)buf, lens, n);
		if (rc > 0)
			seq += (uint32_t)rc;
		if (rc == FOLIO_EPEER || rc == FOLIO_EFAILED)
			failed = 1;
		if (T.victim == ADV_GUEST)
			rc = folio_host_rx_burst(T.h, 0, (void *const *)buf, lens, NBUF);
		else
			rc = folio_guest_rx_burst(T.g, 0, (void *const *)buf, lens, NBUF);
		if (T.honest && rc < 0 && rc != FOLIO_ENOTREADY) {
			fprintf(stderr, "adv: honest peer got %s\n", folio_strerror(rc));
			abort();
		}
		__atomic_fetch_add(&T.ctl->peer_ops, 1, __ATOMIC_RELAXED);
		if (T.honest)
			continue;
		if (quiet) {
			quiet--;
		} else if ((rnd(&s) & 3) == 0) {
			hostile_write(&s);
		}
		/* A hostile host may restart at will: the guest re-attaches.
		 * (Not under TSan: the reset's memset would race by design with
		 * every field the guest reads, not just the slots.) */
#ifndef ADV_NO_RESTART
		if (failed && T.victim == ADV_GUEST && (rnd(&s) & 63) == 0) {
			folio_host_close(T.h);
			if (folio_host_create_fd(&T.cfg, T.fd, &T.h))
				abort();
			failed = 0;
			__atomic_fetch_add(&T.ctl->peer_restarts, 1, __ATOMIC_RELAXED);
		}
#endif
		(void)failed;
		if ((rnd(&s) & 1023) == 0)
			sched_yield();
	}
	return NULL;
}

/* ---- the victim ---------------------------------------------------------- */

static void *watchdog_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&T.ctl->stop, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&T.in_call, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&T.in_call, __ATOMIC_ACQUIRE)) {
			uint64_t st = __atomic_load_n(&T.call_start_ns, __ATOMIC_RELAXED);

			if (now_s() * 1e9 - (double)st > CALL_LIMIT_S * 1e9 &&
			    __atomic_load_n(&T.in_call, __ATOMIC_ACQUIRE)) {
				fprintf(stderr, "adv: a call did not return within %d s\n",
					CALL_LIMIT_S);
				abort();
			}
		}
		usleep(50000);
	}
	return NULL;
}

static void __attribute__((noinline)) paint_stack(void)
{
	volatile uint8_t buf[32768];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = canary[i & 7];
}

static void paint_heap(void)
{
	for (int i = 0; i < 16; i++) {
		uint8_t *p = malloc(4096u << (i & 7));

		if (!p)
			return;
		for (size_t k = 0; k < (4096u << (i & 7)); k++)
			p[k] = canary[k & 7];
		free(p);
	}
}

static int scan_region(void)
{
	/* Any six consecutive bytes of the canary, at any phase. */
	for (uint64_t i = 0; i + 6 <= T.l.region_size; i++) {
		const uint8_t *p = T.amap + i;

		for (unsigned ph = 0; ph < 8; ph++) {
			unsigned k = 0;

			while (k < 6 && p[k] == canary[(ph + k) & 7])
				k++;
			if (k == 6) {
				fprintf(stderr, "adv: canary found in the region at %llu\n",
					(unsigned long long)i);
				return -1;
			}
		}
	}
	return 0;
}

static int victim_stats(struct folio_stats *st)
{
	return T.victim == ADV_GUEST ? folio_guest_stats(T.g, 0, st)
				     : folio_host_stats(T.h, 0, st);
}

static void call_begin(void)
{
	__atomic_store_n(&T.call_start_ns, (uint64_t)(now_s() * 1e9), __ATOMIC_RELAXED);
	__atomic_store_n(&T.in_call, 1, __ATOMIC_RELEASE);
}

static void call_end(double t0)
{
	double d = now_s() - t0;

	__atomic_store_n(&T.in_call, 0, __ATOMIC_RELEASE);
	if (d > T.max_call_s)
		T.max_call_s = d;
	T.calls++;
}

/* The content check of the honest run: sequence numbers in order and the
 * bytes fill_frame wrote. */
static void check_content(uint8_t *const *rx, const uint32_t *lens, int n,
			  uint32_t *expect)
{
	for (int i = 0; i < n; i++) {
		uint32_t seq;

		memcpy(&seq, rx[i], 4);
		seq &= 0x7fffffffu;
		if (seq != (*expect & 0x7fffffffu) ||
		    lens[i] != FOLIO_MIN_FRAME + *expect % (T.l.max_frame - FOLIO_MIN_FRAME + 1)) {
			fprintf(stderr, "adv: honest frame %u out of order or bad length\n",
				*expect);
			abort();
		}
		for (uint32_t k = 4; k < lens[i]; k++)
			if (rx[i][k] != (uint8_t)((*expect + k) & 0x7f)) {
				fprintf(stderr, "adv: honest frame %u corrupted\n", *expect);
				abort();
			}
		(*expect)++;
	}
}

static int run_round(uint64_t seed, double deadline)
{
	static uint8_t *rx[NBUF];
	const void *tx[NBUF];
	uint32_t rxlen[NBUF], txlen[NBUF], expect = 0;
	uint8_t *arena;
	struct adv_latch lt = {0, 0, 0, 0};
	uint64_t s = seed | 1, after = 0;
	pthread_t peer, wd;
	pid_t child = -1;
	int rc;

	memset(T.ctl, 0, sizeof(*T.ctl));
	T.gone_round = 0;
	T.fd = folio_region_memfd(&T.cfg);
	if (T.fd < 0)
		adv_fail("memfd", T.fd);
	T.amap = mmap(NULL, T.l.region_size, PROT_READ | PROT_WRITE, MAP_SHARED, T.fd, 0);
	if (T.amap == MAP_FAILED)
		adv_fail("mmap", -errno);
	for (unsigned i = 0; i < NBUF; i++)
		if (!rx[i] && !(rx[i] = malloc(T.l.max_frame)))
			abort();
	/* Private transmit arena: canary everywhere, frames placed inside. */
	arena = malloc(ARENA);
	if (!arena)
		abort();
	for (size_t k = 0; k < ARENA; k++)
		arena[k] = canary[k & 7];
	paint_heap();
	rc = folio_host_create_fd(&T.cfg, T.fd, &T.h);
	if (!rc)
		rc = folio_guest_open_fd(&T.cfg, T.fd, &T.g);
	if (rc)
		adv_fail("endpoint setup", rc);

	if (T.process) {
		fflush(NULL);
		child = fork();
		if (child < 0)
			adv_fail("fork", -errno);
		if (child == 0) {
			/* Never outlive a victim that aborted. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			peer_main((void *)(uintptr_t)rnd(&s));
			_exit(0);
		}
	} else if (pthread_create(&peer, NULL, peer_main, (void *)(uintptr_t)rnd(&s))) {
		adv_fail("pthread_create", -1);
	}
	if (pthread_create(&wd, NULL, watchdog_main, NULL))
		adv_fail("pthread_create", -1);

	for (unsigned c = 0; c < ROUND_CALLS && now_s() < deadline; c++) {
		struct folio_stats b, a;
		unsigned n = 1 + (unsigned)(rnd(&s) % NBUF);
		double t0;

		if (T.victim == ADV_GUEST && (c & 63) == 0)
			paint_stack();
		victim_stats(&b);
		if (rnd(&s) & 1) {
			for (unsigned i = 0; i < n; i++)
				memset(rx[i], ADV_GUARD, T.l.max_frame);
			t0 = now_s();
			call_begin();
			if (T.victim == ADV_GUEST)
				rc = folio_guest_rx_burst(T.g, 0, (void *const *)rx, rxlen, n);
			else
				rc = folio_host_rx_burst(T.h, 0, (void *const *)rx, rxlen, n);
			call_end(t0);
			victim_stats(&a);
			adv_check_call(T.victim, &lt, rc, n, &b, &a, rxlen, rx, 0);
			if (rc > 0) {
				T.rx_frames += (unsigned)rc;
				if (T.honest)
					check_content(rx, rxlen, rc, &expect);
			}
		} else if (T.victim == ADV_HOST && (rnd(&s) & 3) == 0) {
			/* Zero-copy: lend, check the snapshotted lengths, give
			 * back in a shuffled order. The bytes are not read: the
			 * guest may change them at will. */
			struct folio_frame fr[NBUF];

			t0 = now_s();
			call_begin();
			rc = folio_host_rx_peek(T.h, 0, fr, n);
			call_end(t0);
			victim_stats(&a);
			adv_check_call(T.victim, &lt, rc, n, &b, &a, NULL, NULL, 0);
			for (int i = 0; i < rc; i++)
				if (fr[i].len < FOLIO_MIN_FRAME || fr[i].len > T.l.max_frame)
					adv_fail("lent a frame with an invalid length", rc);
			uint32_t ids[NBUF];
			unsigned nid = 0;

			for (int i = rc - 1; i >= 0; i--) {
				int k = (int)(rnd(&s) % (unsigned)(i + 1));
				uint32_t id = fr[k].id;

				fr[k] = fr[i];
				if (rnd(&s) & 1)
					ids[nid++] = id; /* given back together below */
				else if (folio_host_rx_done(T.h, 0, id))
					adv_fail("rx_done refused a lent frame", -1);
			}
			if (folio_host_rx_done_burst(T.h, 0, ids, nid))
				adv_fail("rx_done_burst refused lent frames", -1);
			if (rc > 0) {
				T.rx_frames += (unsigned)rc;
				expect += (uint32_t)rc;
			}
		} else {
			for (unsigned i = 0; i < n; i++) {
				size_t at = 64 + (size_t)(rnd(&s) % (ARENA / NBUF - 128)) +
					    (size_t)i * (ARENA / NBUF);

				txlen[i] = FOLIO_MIN_FRAME +
					   (uint32_t)(rnd(&s) % (T.l.max_frame - FOLIO_MIN_FRAME + 1));
				if (at + txlen[i] > (size_t)(i + 1) * (ARENA / NBUF))
					at = (size_t)i * (ARENA / NBUF) + 64;
				fill_frame(arena + at, txlen[i], (uint32_t)c);
				tx[i] = arena + at;
			}
			t0 = now_s();
			call_begin();
			if (T.victim == ADV_GUEST)
				rc = folio_guest_tx_burst(T.g, 0, tx, txlen, n);
			else
				rc = folio_host_tx_burst(T.h, 0, tx, txlen, n);
			call_end(t0);
			victim_stats(&a);
			adv_check_call(T.victim, &lt, rc, n, &b, &a, NULL, NULL, 1);
			if (rc > 0)
				T.tx_frames += (unsigned)rc;
			/* Restore the canary where the frames were. */
			for (unsigned i = 0; i < n; i++) {
				size_t at = (size_t)((const uint8_t *)tx[i] - arena);

				for (uint32_t k = 0; k < txlen[i]; k++)
					arena[at + k] = canary[(at + k) & 7];
			}
		}
		if (rc == FOLIO_EPEER)
			T.violations++;
		if (adv_header_error(rc))
			T.header_errs++;
		if (rc == FOLIO_EGONE && !T.gone_round) {
			T.gone_round = 1;
			T.peer_left++;
		}
		if ((lt.latched || lt.gone) && ++after >= AFTER_LATCH &&
		    !(T.victim == ADV_GUEST && (rnd(&s) & 1)))
			break;
		if (!lt.latched && !lt.gone)
			after = 0;
		else if (rc == FOLIO_EFAILED || rc == FOLIO_EGONE)
			T.failed_checks_after_latch++;
	}

	__atomic_store_n(&T.ctl->stop, 1, __ATOMIC_RELAXED);
	if (T.process) {
		int st = 0;

		if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "adv: peer process ended badly (status %d)\n", st);
			return -1;
		}
	} else {
		pthread_join(peer, NULL);
	}
	pthread_join(wd, NULL);

	struct folio_stats a;

	victim_stats(&a);
	T.stat_bad[0] += a.v[FOLIO_STAT_BAD_INDEX];
	T.stat_bad[1] += a.v[FOLIO_STAT_BAD_LENGTH];
	T.stat_bad[2] += a.v[FOLIO_STAT_BAD_HEADER];
	rc = T.victim == ADV_GUEST ? scan_region() : 0;
	folio_guest_close(T.g);
	folio_host_close(T.h);
	munmap(T.amap, T.l.region_size);
	close(T.fd);
	free(arena);
	T.rounds++;
	return rc;
}

int main(int argc, char **argv)
{
	double secs = argc > 3 ? atof(argv[3]) : 10.0, t_end;
	unsigned max_rounds = argc > 4 ? (unsigned)atoi(argv[4]) : 1000;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);

	if (argc < 3 || (strcmp(argv[1], "guest") && strcmp(argv[1], "host")) ||
	    (strcmp(argv[2], "thread") && strcmp(argv[2], "process") &&
	     strcmp(argv[2], "honest"))) {
		fprintf(stderr, "usage: %s guest|host thread|process|honest [seconds] [rounds]\n",
			argv[0]);
		return 2;
	}
	if (getenv("ADV_SEED"))
		seed = strtoull(getenv("ADV_SEED"), NULL, 0);
	T.victim = strcmp(argv[1], "guest") ? ADV_HOST : ADV_GUEST;
	T.process = !strcmp(argv[2], "process");
	T.honest = !strcmp(argv[2], "honest");
	adv_config(&T.cfg, NULL);
	fl_layout_compute(&T.cfg, &T.l);
	adv_tr.l = &T.l;
	T.ctl = mmap(NULL, sizeof(*T.ctl), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (T.ctl == MAP_FAILED)
		return 1;
	printf("adv_hostile: victim %s, peer %s, seed 0x%llx\n", argv[1], argv[2],
	       (unsigned long long)seed);
	t_end = now_s() + secs;
	uint64_t pw = 0, po = 0, pr = 0;

	while (T.rounds < max_rounds && now_s() < t_end) {
		if (run_round(seed + T.rounds * 0x9e3779b97f4a7c15ull, t_end))
			return 1;
		pw += T.ctl->peer_writes;
		po += T.ctl->peer_ops;
		pr += T.ctl->peer_restarts;
		if (T.honest && T.rx_frames == 0) {
			fprintf(stderr, "adv: honest run delivered nothing\n");
			return 1;
		}
	}
	/* The counters account for the returns. */
	if (T.stat_bad[0] + T.stat_bad[1] + T.stat_bad[2] != T.violations + T.header_errs) {
		fprintf(stderr, "adv: counters %llu+%llu+%llu != %llu violations + %llu header errors\n",
			(unsigned long long)T.stat_bad[0], (unsigned long long)T.stat_bad[1],
			(unsigned long long)T.stat_bad[2], (unsigned long long)T.violations,
			(unsigned long long)T.header_errs);
		return 1;
	}
	if (!T.honest && T.violations + T.header_errs + T.peer_left == 0) {
		fprintf(stderr, "adv: the hostile peer never caused a detected violation\n");
		return 1;
	}
	if (T.honest && T.violations + T.header_errs + T.peer_left) {
		fprintf(stderr, "adv: violation reported against an honest peer\n");
		return 1;
	}
	printf("adv_hostile: %llu rounds, %llu victim calls, %llu rx + %llu tx frames, "
	       "%llu violations (bad_index %llu, bad_length %llu, bad_header %llu), "
	       "%llu rounds ended by the guest leaving (EGONE), "
	       "%llu EFAILED/EGONE after latch, peer: %llu ops, %llu hostile writes, "
	       "%llu restarts; longest call %.3f ms; leak scan %s\n",
	       (unsigned long long)T.rounds, (unsigned long long)T.calls,
	       (unsigned long long)T.rx_frames, (unsigned long long)T.tx_frames,
	       (unsigned long long)(T.violations + T.header_errs),
	       (unsigned long long)T.stat_bad[0], (unsigned long long)T.stat_bad[1],
	       (unsigned long long)T.stat_bad[2],
	       (unsigned long long)T.peer_left,
	       (unsigned long long)T.failed_checks_after_latch, (unsigned long long)po,
	       (unsigned long long)pw, (unsigned long long)pr, T.max_call_s * 1e3,
	       T.victim == ADV_GUEST ? "clean" : "n/a (host victim)");
	return 0;
}
