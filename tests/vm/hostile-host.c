/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio-vm-hostile: a hostile host for a running guest. For SECONDS it
 * writes boundary and random values into every field the host owns (the
 * header, the host-to-guest rings' prod, desc and slots, the guest-to-host
 * rings' cons), one write every 200 us, while the honest backend runs too.
 * About twenty times a second it restores the honest header under a new
 * even epoch, so that the guest re-attaches and meets the next attack on a
 * fresh queue instead of a latched one. The guest must survive, count the
 * violations and stay bounded.
 *
 *   folio-vm-hostile CONFIG REGION_FILE SECONDS SEED
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <folio.h>

#include "layout.h"

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Values at and around every bound the guest checks, then random ones. */
static uint32_t hostile_value(const struct fl_layout *l, uint32_t near)
{
	const uint32_t v[] = {0, 1, 13, 14, l->max_frame, l->max_frame + 1,
			      l->entries, l->entries + 1, near + l->entries,
			      near + l->entries + 1, near - 1, 0x7fffffffu,
			      0x80000000u, 0xffffffffu};
	uint32_t k = rnd() % (sizeof(v) / sizeof(v[0]) + 4);

	return k < sizeof(v) / sizeof(v[0]) ? v[k] : rnd();
}

int main(int argc, char **argv)
{
	struct folio_config cfg;
	struct fl_layout l;
	char err[256];
	uint8_t *base;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: folio-vm-hostile CONFIG REGION_FILE SECONDS SEED\n");
		return 2;
	}
	folio_config_init(&cfg);
	if (folio_config_load(&cfg, argv[1], err, sizeof(err)) ||
	    folio_config_validate(&cfg, err, sizeof(err))) {
		fprintf(stderr, "folio-vm-hostile: %s\n", err);
		return 1;
	}
	fl_layout_compute(&cfg, &l);
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	base = mmap(NULL, l.region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	rng = strtoull(argv[4], NULL, 10) | 1;
	struct fl_hdr *hdr = (struct fl_hdr *)(void *)base;
	const uint64_t magic = hdr->magic, digest = hdr->digest;
	unsigned long restarts = 0;
	time_t end = time(NULL) + atoi(argv[3]);
	unsigned long writes = 0;
	struct timespec gap = {0, 200000};

	while (time(NULL) < end) {
		unsigned q = rnd() % l.queues;
		uint8_t *h2g = base + fl_ring_off(&l, q, FL_DIR_H2G);
		uint8_t *g2h = base + fl_ring_off(&l, q, FL_DIR_G2H);
		uint32_t *prod = (uint32_t *)(void *)(h2g + FL_RING_PROD_OFF);
		uint32_t *cons = (uint32_t *)(void *)(g2h + FL_RING_CONS_OFF);
		uint32_t *desc = (uint32_t *)(void *)(h2g + FL_RING_DESC_OFF);
		uint32_t i = rnd();

		switch (rnd() % 16) {
		case 0: /* the header, rarely: each change costs a re-attach */
			if (rnd() % 16)
				break;
			if (rnd() % 4) { /* a restart the guest accepts */
				hdr->magic = magic;
				hdr->digest = digest;
				__atomic_store_n(&hdr->epoch, (hdr->epoch | 1) + 1,
						 __ATOMIC_RELEASE);
				restarts++;
			} else if (rnd() % 4 == 0)
				__atomic_store_n(&hdr->epoch, hostile_value(&l, hdr->epoch),
						 __ATOMIC_RELEASE);
			else if (rnd() % 2)
				__atomic_store_n(&hdr->magic, (uint64_t)rnd() << 32 | rnd(),
						 __ATOMIC_RELAXED);
			else
				__atomic_store_n(&hdr->digest, (uint64_t)rnd(), __ATOMIC_RELAXED);
			break;
		case 1:
		case 2:
		case 3:
		case 4:
			__atomic_store_n(prod, hostile_value(&l, *prod), __ATOMIC_RELEASE);
			break;
		case 5:
		case 6:
		case 7:
			__atomic_store_n(cons, hostile_value(&l, *cons), __ATOMIC_RELEASE);
			break;
		case 8:
		case 9:
		case 10:
		case 11:
			__atomic_store_n(&desc[i & l.mask], hostile_value(&l, 0),
					 __ATOMIC_RELAXED);
			break;
		default: /* slot bytes: only the guest's own frames suffer */
			h2g[l.slots_off + ((uint64_t)(i & l.mask) << l.slot_shift) +
			    rnd() % cfg.slot_size] = (uint8_t)rnd();
			break;
		}
		writes++;
		nanosleep(&gap, NULL);
	}
	printf("folio-vm-hostile: %lu hostile writes, %lu epochs published\n",
	       writes, restarts);
	munmap(base, l.region_size);
	close(fd);
	return 0;
}
