/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio-calib - which speed mode the two benchmark CPUs are in right now.
 *
 * Two threads, pinned to the two CPUs the benchmarks use, bounce one cache
 * line between them: the first writes an odd value and waits for the second
 * to answer with the next even one. The time of one round trip is the cost
 * of moving a line from one CPU to the other and back, which is what sets
 * the rate of every shared-memory ring. On a 2-vCPU guest it comes in two
 * clearly separate levels, depending on where the hypervisor runs the
 * vCPUs (sharing a core's caches or not), so a benchmark sample tagged
 * with this figure can be compared with samples of the same mode only.
 *
 *   folio-calib [-A CPU,CPU] [-n ROUNDS] [--split NS] [-h]
 *
 * Prints one line:
 *   calib cpus=0,1 rounds=N rtt_ns=P50 rtt_ns_p10=.. rtt_ns_p90=.. mode=fast|slow
 * where the round trip is the median over blocks of 100 (a block that the
 * scheduler interrupted is an outlier, not the median). mode is "fast"
 * below --split nanoseconds (default 150) and "slow" from there on.
 * Exit status 0, or 2 on a usage error, 1 if a thread cannot run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 100u

static struct {
	_Alignas(64) volatile uint64_t line;
	_Alignas(64) volatile int go;
} sh;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((size_t)cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

struct echo_arg {
	int cpu;
	uint64_t total;
	int err;
};

/* The second CPU: answers each odd value with the next even one. */
static void *echo(void *p)
{
	struct echo_arg *a = p;
	uint64_t want = 1;

	a->err = pin(a->cpu);
	__atomic_store_n(&sh.go, 1, __ATOMIC_RELEASE);
	while (want < a->total) {
		while (__atomic_load_n(&sh.line, __ATOMIC_ACQUIRE) != want)
			__builtin_ia32_pause();
		__atomic_store_n(&sh.line, want + 1, __ATOMIC_RELEASE);
		want += 2;
	}
	return NULL;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: folio-calib [-A CPU,CPU] [-n ROUNDS] [--split NS]\n"
		"  Bounce one cache line between two CPUs ROUNDS times (default\n"
		"  5000, a multiple of 100) and print the median round trip and\n"
		"  the speed mode: fast below NS nanoseconds (default 150), slow\n"
		"  from there on. -A: the two CPUs (default 0,1).\n");
}

int main(int argc, char **argv)
{
	int c0 = 0, c1 = 1;
	unsigned long rounds = 5000, nblk;
	double split = 150.0;
	pthread_t t;
	struct echo_arg ea;
	uint64_t *blk, v = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-A") && val) {
			if (sscanf(val, "%d,%d", &c0, &c1) != 2 || c0 < 0 || c1 < 0 ||
			    c0 == c1) {
				fprintf(stderr, "folio-calib: -A wants two different CPUs, like 0,1 (got '%s')\n", val);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "-n") && val) {
			rounds = strtoul(val, &end, 10);
			if (*end || rounds < BLOCK || rounds > 100000000ul) {
				fprintf(stderr, "folio-calib: -n wants %u..100000000 round trips (got '%s')\n",
					BLOCK, val);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--split") && val) {
			split = strtod(val, &end);
			if (*end || split <= 0) {
				fprintf(stderr, "folio-calib: --split wants a positive number of ns (got '%s')\n", val);
				return 2;
			}
			i++;
		} else {
			fprintf(stderr, "folio-calib: unknown or incomplete argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	nblk = rounds / BLOCK;
	rounds = nblk * BLOCK;
	blk = calloc(nblk, sizeof(*blk));
	if (!blk) {
		fprintf(stderr, "folio-calib: out of memory\n");
		return 1;
	}
	if (pin(c0)) {
		fprintf(stderr, "folio-calib: cannot run on CPU %d\n", c0);
		return 1;
	}
	ea.cpu = c1;
	ea.total = 2 * (uint64_t)rounds + 1;
	ea.err = 0;
	if (pthread_create(&t, NULL, echo, &ea)) {
		fprintf(stderr, "folio-calib: cannot start a thread: %s\n", strerror(errno));
		return 1;
	}
	while (!__atomic_load_n(&sh.go, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	for (unsigned long b = 0; b < nblk; b++) {
		uint64_t t0 = now_ns();

		for (unsigned r = 0; r < BLOCK; r++) {
			__atomic_store_n(&sh.line, v, __ATOMIC_RELEASE);
			while (__atomic_load_n(&sh.line, __ATOMIC_ACQUIRE) != v + 1)
				__builtin_ia32_pause();
			v += 2;
		}
		blk[b] = now_ns() - t0;
	}
	pthread_join(t, NULL);
	if (ea.err) {
		fprintf(stderr, "folio-calib: cannot run on CPU %d\n", c1);
		return 1;
	}
	qsort(blk, nblk, sizeof(*blk), cmp_u64);
	{
		double p50 = (double)blk[nblk / 2] / BLOCK;
		double p10 = (double)blk[nblk / 10] / BLOCK;
		double p90 = (double)blk[nblk * 9 / 10] / BLOCK;

		printf("calib cpus=%d,%d rounds=%lu rtt_ns=%.1f rtt_ns_p10=%.1f rtt_ns_p90=%.1f mode=%s\n",
		       c0, c1, rounds, p50, p10, p90, p50 < split ? "fast" : "slow");
	}
	free(blk);
	return 0;
}
