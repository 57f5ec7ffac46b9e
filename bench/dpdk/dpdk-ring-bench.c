/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-ring-bench - the pointer-only limit beside Folio: DPDK's rte_ring,
 * single producer and single consumer, 8-byte elements moved in bursts,
 * producer on the main lcore and consumer on the next one (give the same
 * two CPUs folio-perf uses, e.g. -l 0,1).
 *
 *   dpdk-ring-bench EAL-ARGS -- [-t SECONDS] [-b BURST] [-s RING_SIZE]
 *                                [-i INTERVAL]
 *
 * A ring that moves only a pointer per element is the most any ring can do
 * between the same two CPUs: a ring that also carries the frame's bytes
 * (Folio) moves the same index lines plus the data. Prints one line:
 *   ring elems=N secs=S mpps=RATE mpps_iv_median=MED burst=B size=R
 * where RATE is the whole run's elements per second (in millions) and MED
 * the median of the consumer's per-interval rates, without the first and
 * the last interval (like folio-perf's and testpmd's samples). The
 * consumer checks that elements arrive in sequence; a gap is an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#define MAX_BURST 256u
#define MAX_IV 4096u

static struct rte_ring *ring;
static volatile int stop;
static unsigned burst = 32;
static uint64_t produced;

struct cons {
	uint64_t got, bad;
	double iv[MAX_IV];
	unsigned niv;
	double interval;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int consumer(void *arg)
{
	struct cons *c = arg;
	void *objs[MAX_BURST];
	uint64_t expect = 0, last = 0;
	double t_iv = now_s();

	while (!stop || !rte_ring_empty(ring)) {
		unsigned n = rte_ring_sc_dequeue_burst(ring, objs, burst, NULL);

		for (unsigned i = 0; i < n; i++) {
			if ((uint64_t)(uintptr_t)objs[i] != expect)
				c->bad++;
			expect = (uint64_t)(uintptr_t)objs[i] + 1;
		}
		c->got += n;
		if (!n) {
			rte_pause();
		}
		if ((c->got & 0xfff) < n || !n) {
			double t = now_s();

			if (t - t_iv >= c->interval) {
				if (c->niv < MAX_IV)
					c->iv[c->niv++] = (double)(c->got - last) / (t - t_iv);
				last = c->got;
				t_iv = t;
			}
		}
	}
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dpdk-ring-bench EAL-ARGS -- [-t SECONDS] [-b BURST] "
		"[-s RING_SIZE] [-i INTERVAL]\n"
		"  rte_ring SP/SC, 8-byte elements, BURST per call (default 32),\n"
		"  RING_SIZE entries (power of two, default 1024), for SECONDS\n"
		"  (default 2); producer on the main lcore, consumer on the next.\n");
}

int main(int argc, char **argv)
{
	static struct cons c;
	double secs = 2.0, t0, t1;
	unsigned size = 1024, worker;
	void *objs[MAX_BURST];
	uint64_t seq = 0;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dpdk-ring-bench: EAL init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	c.interval = 0.25;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			fprintf(stderr, "dpdk-ring-bench: '%s' wants a value\n", a);
			return 2;
		}
		if (!strcmp(a, "-t"))
			secs = strtod(v, NULL);
		else if (!strcmp(a, "-b"))
			burst = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "-s"))
			size = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "-i"))
			c.interval = strtod(v, NULL);
		else {
			fprintf(stderr, "dpdk-ring-bench: unknown argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (secs <= 0 || secs > 600 || !burst || burst > MAX_BURST ||
	    size < 2 * burst || (size & (size - 1)) || c.interval <= 0) {
		fprintf(stderr, "dpdk-ring-bench: -t 0..600, -b 1..%u, -s a power of "
			"two >= 2 x burst, -i > 0\n", MAX_BURST);
		return 2;
	}
	worker = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		fprintf(stderr, "dpdk-ring-bench: needs two lcores (e.g. -l 0,1)\n");
		return 2;
	}
	ring = rte_ring_create("ringbench", size, (int)rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!ring) {
		fprintf(stderr, "dpdk-ring-bench: cannot create the ring\n");
		return 1;
	}
	rte_eal_remote_launch(consumer, &c, worker);
	t0 = now_s();
	t1 = t0 + secs;
	while (1) {
		unsigned k;

		for (unsigned i = 0; i < burst; i++)
			objs[i] = (void *)(uintptr_t)(seq + i);
		k = rte_ring_sp_enqueue_burst(ring, objs, burst, NULL);
		seq += k;
		if (k < burst) {
			/* The ones not taken go first in the next burst. */
			rte_pause();
		}
		if ((seq & 0xffff) < k && now_s() >= t1)
			break;
	}
	produced = seq;
	stop = 1;
	rte_eal_wait_lcore(worker);
	t1 = now_s();
	if (c.bad || c.got != produced) {
		fprintf(stderr, "dpdk-ring-bench: %llu out of sequence, %llu of %llu received\n",
			(unsigned long long)c.bad, (unsigned long long)c.got,
			(unsigned long long)produced);
		return 1;
	}
	{
		double med = 0;
		unsigned lo = c.niv >= 3 ? 1 : 0, hi = c.niv >= 3 ? c.niv - 1 : c.niv;

		if (hi > lo) {
			qsort(c.iv + lo, hi - lo, sizeof(double), cmp_d);
			med = c.iv[lo + (hi - lo) / 2];
		}
		printf("ring elems=%llu secs=%.3f mpps=%.3f mpps_iv_median=%.3f burst=%u size=%u\n",
		       (unsigned long long)c.got, t1 - t0,
		       (double)c.got / (t1 - t0) / 1e6, med / 1e6, burst, size);
	}
	rte_ring_free(ring);
	rte_eal_cleanup();
	return 0;
}
