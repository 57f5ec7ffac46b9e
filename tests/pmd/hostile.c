/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile.c - a hostile guest for the net_folio host role.
 *
 * It maps the region the way a guest would and writes into the fields that
 * the guest owns (lib/layout.h): each queue's ack_epoch, the producer index,
 * descriptor lengths and slots of the guest-to-host ring, and the consumer
 * index of the host-to-guest ring. The host PMD under test must count every
 * violation, latch only the queue concerned, and never crash or hang.
 *
 *   fp_hostile --region PATH --queues N --entries E --phase boundary
 *       attach every queue, send honest frames, then one violation per queue:
 *       q0 prod = cons + entries + 1, q1 length 0, q2 length 0xffffffff,
 *       q3 prod = 2^32-1, q4 (if any) consumer index of the host's ring
 *       moved past what it produced, found once the host's ring is full.
 *   fp_hostile ... --phase random --seconds S [--seed N] [--follow]
 *       wait for a new epoch, attach, then write random and boundary values
 *       into every guest-owned field for S seconds. With --follow, attach
 *       again to every new epoch the host starts meanwhile, and go on.
 *
 * Exit 0 when the writes were done, 1 on a setup error (message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "folio.h"
#include "layout.h"

struct ring_view {
	uint32_t *prod, *cons, *desc;
	uint8_t *slots;
};

static struct fl_layout lay;
static uint8_t *base;
static uint32_t slot_size;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint32_t get(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static struct ring_view ring(unsigned q, unsigned dir)
{
	uint8_t *r = base + fl_ring_off(&lay, q, dir);
	struct ring_view v = {
		.prod = (uint32_t *)(void *)(r + FL_RING_PROD_OFF),
		.cons = (uint32_t *)(void *)(r + FL_RING_CONS_OFF),
		.desc = (uint32_t *)(void *)(r + FL_RING_DESC_OFF),
		.slots = r + lay.slots_off,
	};
	return v;
}

static uint32_t *ack(unsigned q)
{
	return (uint32_t *)(void *)(base + FL_CTL_OFF + q * FL_CACHE_LINE);
}

static uint32_t *epoch(void)
{
	return (uint32_t *)(void *)(base + 12);
}

/* Wait (bounded) for an even epoch other than `not`. */
static uint32_t wait_epoch(uint32_t not, double secs)
{
	double end = now_s() + secs;

	while (now_s() < end) {
		uint32_t e = get(epoch());

		if (e && !(e & 1u) && e != not)
			return e;
		usleep(1000);
	}
	return 0;
}

static void attach(uint32_t e)
{
	for (unsigned q = 0; q < lay.queues; q++) {
		put(ring(q, FL_DIR_G2H).prod, 0);
		put(ring(q, FL_DIR_H2G).cons, 0);
		put(ack(q), e);
	}
}

/* Produce n honest frames on queue q from index *head, waiting (bounded)
 * for room. @return frames produced. */
static unsigned produce(unsigned q, uint32_t *head, unsigned n, double secs)
{
	struct ring_view r = ring(q, FL_DIR_G2H);
	double end = now_s() + secs;
	unsigned done = 0;

	while (done < n && now_s() < end) {
		uint32_t cons = get(r.cons);

		if (*head - cons >= lay.entries) {
			usleep(100);
			continue;
		}
		uint8_t *s = r.slots + ((size_t)(*head & lay.mask) << lay.slot_shift);

		memset(s, 0xff, 6);            /* broadcast destination */
		memset(s + 6, 0x02, 6);
		s[12] = 0x88;                  /* local experimental ethertype */
		s[13] = 0xb5;
		memset(s + 14, (int)(done & 0xff), 46);
		put(&r.desc[*head & lay.mask], 60);
		(*head)++;
		put(r.prod, *head);
		done++;
	}
	return done;
}

static int wait_consumed(unsigned q, uint32_t head, double secs)
{
	struct ring_view r = ring(q, FL_DIR_G2H);
	double end = now_s() + secs;

	while (now_s() < end) {
		if (get(r.cons) == head)
			return 0;
		usleep(1000);
	}
	return -1;
}

static int phase_boundary(void)
{
	uint32_t e = wait_epoch(0, 20), head[FOLIO_MAX_QUEUES] = { 0 };

	if (!e) {
		fprintf(stderr, "hostile: no host epoch\n");
		return 1;
	}
	attach(e);
	if (lay.queues > 4) /* the host finds this once its ring is full */
		put(ring(4, FL_DIR_H2G).cons, 0xfffffff0u);
	for (unsigned q = 0; q < lay.queues; q++) {
		if (produce(q, &head[q], 16, 10) != 16 ||
		    wait_consumed(q, head[q], 10)) {
			fprintf(stderr, "hostile: host did not take honest frames on q%u\n", q);
			return 1;
		}
	}
	printf("hostile: epoch %u, 16 honest frames taken on each of %u queues\n",
	       e, lay.queues);
	fflush(stdout);
	for (unsigned q = 0; q < lay.queues; q++) {
		struct ring_view r = ring(q, FL_DIR_G2H);

		switch (q) {
		case 0: /* window + 1 */
			put(r.prod, get(r.cons) + lay.entries + 1);
			break;
		case 1:
			put(&r.desc[head[q] & lay.mask], 0);
			put(r.prod, head[q] + 1);
			break;
		case 2:
			put(&r.desc[head[q] & lay.mask], 0xffffffffu);
			put(r.prod, head[q] + 1);
			break;
		case 3:
			put(r.prod, 0xffffffffu);
			break;
		case 4: /* fill the host's ring: it must reload our cons */
			produce(q, &head[q], lay.entries + 8, 10);
			break;
		default: /* slot + 1 */
			put(&r.desc[head[q] & lay.mask], slot_size + 1);
			put(r.prod, head[q] + 1);
			break;
		}
	}
	printf("hostile: boundary values written\n");
	return 0;
}

static uint32_t pick(uint64_t *s, const uint32_t *vals, unsigned n)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	if ((*s >> 40) % 4 == 0)
		return (uint32_t)(*s >> 8); /* plain random */
	return vals[(*s >> 20) % n];
}

static int phase_random(double secs, uint64_t seed, uint32_t old, int follow)
{
	uint32_t e = wait_epoch(old, 20), head[FOLIO_MAX_QUEUES] = { 0 };
	uint64_t s = seed | 1, writes = 0, epochs = 1;
	double end;

	if (!e) {
		fprintf(stderr, "hostile: no new host epoch\n");
		return 1;
	}
	attach(e);
	for (unsigned q = 0; q < lay.queues; q++)
		produce(q, &head[q], 4, 2);
	end = now_s() + secs;
	while (now_s() < end) {
		const uint32_t idx[] = { 0, 1, lay.entries, lay.entries + 1,
					 0x7fffffffu, 0x80000000u, 0xfffffffeu,
					 0xffffffffu };
		const uint32_t len[] = { 0, 1, FOLIO_MIN_FRAME - 1, FOLIO_MIN_FRAME,
					 lay.max_frame, lay.max_frame + 1,
					 slot_size, slot_size + 1, 0xffffffffu };
		unsigned q = (unsigned)(s % lay.queues);
		struct ring_view g2h = ring(q, FL_DIR_G2H), h2g = ring(q, FL_DIR_H2G);

		switch ((s >> 33) % 6) {
		case 0:
			put(g2h.prod, head[q] + pick(&s, idx, 8));
			break;
		case 1:
			put(&g2h.desc[pick(&s, idx, 8) & lay.mask], pick(&s, len, 9));
			put(g2h.prod, ++head[q]);
			break;
		case 2:
			put(h2g.cons, pick(&s, idx, 8));
			break;
		case 3:
			put(ack(q), pick(&s, idx, 8));
			put(ack(q), e);
			break;
		case 4:
			memset(g2h.slots + ((size_t)(s & lay.mask) << lay.slot_shift),
			       (int)(s & 0xff), 64);
			break;
		default:
			produce(q, &head[q], 1, 0.01);
			break;
		}
		pick(&s, idx, 1);
		writes++;
		if (writes % 64 == 0) {
			uint32_t ne = get(epoch());

			usleep(50);
			if (follow && ne && !(ne & 1u) && ne != e) {
				e = ne; /* the host started over: attack again */
				attach(e);
				memset(head, 0, sizeof(head));
				epochs++;
			}
		}
	}
	printf("hostile: epoch %u, %llu random writes in %llu epochs\n", e,
	       (unsigned long long)writes, (unsigned long long)epochs);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "queues", required_argument, NULL, 'q' },
		{ "entries", required_argument, NULL, 'e' },
		{ "phase", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "old-epoch", required_argument, NULL, 'o' },
		{ "follow", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct folio_config cfg;
	const char *phase = "boundary";
	char err[200];
	double secs = 2;
	uint64_t seed = 0x2545f4914f6cdd1dull;
	uint32_t old = 0;
	int follow = 0;
	struct stat st;
	double end;
	int c, fd;

	folio_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': snprintf(cfg.region, sizeof(cfg.region), "%s", optarg); break;
		case 'q': folio_config_set(&cfg, "queues", optarg, err, sizeof(err)); break;
		case 'e': folio_config_set(&cfg, "ring_entries", optarg, err, sizeof(err)); break;
		case 'p': phase = optarg; break;
		case 's': secs = atof(optarg); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'o': old = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'f': follow = 1; break;
		default: return 2;
		}
	}
	if (!cfg.region[0] || folio_config_validate(&cfg, err, sizeof(err))) {
		fprintf(stderr, "hostile: bad arguments\n");
		return 2;
	}
	fl_layout_compute(&cfg, &lay); /* our own geometry, as a guest would */
	slot_size = cfg.slot_size;
	end = now_s() + 20;
	for (;;) { /* the host creates the file: wait for it, bounded */
		fd = open(cfg.region, O_RDWR);
		if (fd >= 0 && !fstat(fd, &st) && (uint64_t)st.st_size >= lay.region_size)
			break;
		if (fd >= 0)
			close(fd);
		if (now_s() > end) {
			fprintf(stderr, "hostile: %s not there\n", cfg.region);
			return 1;
		}
		usleep(10000);
	}
	base = mmap(NULL, lay.region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		fprintf(stderr, "hostile: mmap: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(phase, "boundary"))
		return phase_boundary();
	if (!strcmp(phase, "random"))
		return phase_random(secs, seed, old, follow);
	fprintf(stderr, "hostile: unknown phase %s\n", phase);
	return 2;
}
