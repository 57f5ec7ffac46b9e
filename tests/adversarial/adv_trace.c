/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adv_trace.c - drives the endpoint harness of tests/fuzz without libFuzzer,
 * on the trace build of the library: the double-fetch check (INV_once) and
 * the other per-call access checks of adv.h, with plain gcc at -O0 and -O2.
 *
 *   adv_trace <corpus-dir> <random-inputs> [seconds]
 *   adv_trace --selftest
 *
 * Runs every seed of the corpus, then pseudo-random peer programs (some
 * made of seeds with mutated bytes). A breach aborts. --selftest shows that
 * the checker does catch a double fetch: a child that loads one peer field
 * twice in one call must die by SIGABRT.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRACE_MAX_INPUT 4096
#define MAX_SEEDS 64

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static unsigned nseeds;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int selftest(void)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setenv("ADV_SELFTEST", "1", 1);
		/* The expected abort is the test passing: keep its noise short. */
		LLVMFuzzerTestOneInput((const uint8_t *)"SELFTEST", 8);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT) {
		fprintf(stderr, "adv_trace: a double fetch went unnoticed\n");
		return 1;
	}
	printf("adv_trace: selftest: a double fetch is caught\n");
	return 0;
}

static void load_seeds(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && nseeds < MAX_SEEDS) {
		char path[4096];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		seeds[nseeds] = malloc(TRACE_MAX_INPUT);
		seed_len[nseeds] = fread(seeds[nseeds], 1, TRACE_MAX_INPUT, f);
		fclose(f);
		nseeds++;
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	static uint8_t buf[TRACE_MAX_INPUT];
	uint64_t s = 0x5eed5eedull, runs;
	double deadline;
	unsigned long done = 0;

	if (argc > 1 && !strcmp(argv[1], "--selftest"))
		return selftest();
	if (argc < 3) {
		fprintf(stderr, "usage: %s <corpus-dir> <runs> [seconds] | --selftest\n", argv[0]);
		return 2;
	}
	if (getenv("ADV_SEED"))
		s = strtoull(getenv("ADV_SEED"), NULL, 0) | 1;
	load_seeds(argv[1]);
	if (!nseeds) {
		fprintf(stderr, "adv_trace: no seeds in %s\n", argv[1]);
		return 1;
	}
	runs = strtoull(argv[2], NULL, 0);
	deadline = now_s() + (argc > 3 ? atof(argv[3]) : 60.0);
	for (unsigned i = 0; i < nseeds; i++)
		LLVMFuzzerTestOneInput(seeds[i], seed_len[i]);
	for (; done < runs && now_s() < deadline; done++) {
		size_t len;

		if (rnd(&s) & 1) {
			/* A seed with a few bytes changed: deep states, then an attack. */
			unsigned k = (unsigned)(rnd(&s) % nseeds);

			len = seed_len[k];
			memcpy(buf, seeds[k], len);
			for (unsigned m = 1 + (unsigned)(rnd(&s) % 8); m && len; m--)
				buf[rnd(&s) % len] = (uint8_t)rnd(&s);
		} else {
			len = 16 + (size_t)(rnd(&s) % 2048);
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)rnd(&s);
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("adv_trace: %u seeds and %lu generated peer programs, no breach\n",
	       nseeds, done);
	return 0;
}
