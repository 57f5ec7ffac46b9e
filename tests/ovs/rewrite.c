/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rewrite.c - a guest that rewrites the headers of frames it has already
 * published, to slip past a switch's rule that classified them first.
 *
 * It maps the region as a guest would (lib/layout.h), attaches every
 * queue, and publishes IPv4/UDP frames to --allow-port on queue 0. While
 * the host has not given a slot back, it keeps flipping the frame's UDP
 * destination port between --allow-port and --deny-port: a host that
 * classifies the guest's bytes in place and reads them again later (to
 * forward them) can see the allowed port first and forward the denied one.
 *
 *   fp_rewrite --region PATH --seconds S --src-mac M --dst-mac M
 *              --src-ip A --dst-ip A --allow-port P --deny-port P
 *              [--entries E]
 *
 * Prints "rewrite: published N frames, M header flips"; exit 0 when frames
 * were published, 1 on a setup error or when the host took none.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
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

#define FRAME_LEN 128u /* 14 + 20 + 8 + 86 bytes of payload */
#define DPORT_OFF 36u  /* Ethernet 14 + IPv4 20 + UDP source port 2 */

static struct fl_layout lay;
static uint8_t *base;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t *u32at(uint64_t off)
{
	return (uint32_t *)(void *)(base + off);
}

static int parse_mac(const char *s, uint8_t *m)
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}

static void frame(uint8_t *f, const uint8_t *smac, const uint8_t *dmac,
		  uint32_t sip, uint32_t dip, uint16_t dport, uint32_t seq)
{
	uint32_t sum = 0;
	uint16_t w;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	w = htons(FRAME_LEN - 14);
	memcpy(f + 16, &w, 2);
	f[22] = 64; /* ttl */
	f[23] = 17; /* udp */
	memcpy(f + 26, &sip, 4);
	memcpy(f + 30, &dip, 4);
	for (unsigned i = 14; i < 34; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	w = htons((uint16_t)~sum);
	memcpy(f + 24, &w, 2);
	w = htons(40000);
	memcpy(f + 34, &w, 2);
	w = htons(dport);
	memcpy(f + DPORT_OFF, &w, 2);
	w = htons(FRAME_LEN - 34);
	memcpy(f + 38, &w, 2); /* UDP checksum 0: none */
	memcpy(f + 42, &seq, 4);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "entries", required_argument, NULL, 'e' },
		{ "seconds", required_argument, NULL, 's' },
		{ "src-mac", required_argument, NULL, 'm' },
		{ "dst-mac", required_argument, NULL, 'M' },
		{ "src-ip", required_argument, NULL, 'i' },
		{ "dst-ip", required_argument, NULL, 'I' },
		{ "allow-port", required_argument, NULL, 'a' },
		{ "deny-port", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct folio_config cfg;
	uint8_t smac[6] = { 0 }, dmac[6] = { 0 };
	struct in_addr sip = { 0 }, dip = { 0 };
	unsigned allow = 0, deny = 0;
	unsigned long long published = 0, flips = 0;
	double secs = 3, end;
	char err[200];
	struct stat st;
	uint32_t e = 0, head = 0;
	int c, fd, bad = 0;

	folio_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': snprintf(cfg.region, sizeof(cfg.region), "%s", optarg); break;
		case 'e': bad |= folio_config_set(&cfg, "ring_entries", optarg, err, sizeof(err)) != 0; break;
		case 's': secs = atof(optarg); break;
		case 'm': bad |= parse_mac(optarg, smac); break;
		case 'M': bad |= parse_mac(optarg, dmac); break;
		case 'i': bad |= inet_pton(AF_INET, optarg, &sip) != 1; break;
		case 'I': bad |= inet_pton(AF_INET, optarg, &dip) != 1; break;
		case 'a': allow = (unsigned)atoi(optarg); break;
		case 'd': deny = (unsigned)atoi(optarg); break;
		case 'h':
			printf("usage: fp_rewrite --region PATH --seconds S --src-mac M --dst-mac M\n"
			       "       --src-ip A --dst-ip A --allow-port P --deny-port P [--entries E]\n"
			       "Publishes UDP frames to the allowed port and flips the port of\n"
			       "published, not yet returned frames to the denied one and back.\n");
			return 0;
		default: return 2;
		}
	}
	if (bad || !cfg.region[0] || !allow || !deny || allow > 65535 || deny > 65535 ||
	    folio_config_validate(&cfg, err, sizeof(err))) {
		fprintf(stderr, "rewrite: bad arguments (see --help)\n");
		return 2;
	}
	fl_layout_compute(&cfg, &lay);
	end = now_s() + 20;
	for (;;) { /* the host makes the region: wait for it, bounded */
		fd = open(cfg.region, O_RDWR);
		if (fd >= 0 && !fstat(fd, &st) && (uint64_t)st.st_size >= lay.region_size)
			break;
		if (fd >= 0)
			close(fd);
		if (now_s() > end) {
			fprintf(stderr, "rewrite: %s not there\n", cfg.region);
			return 1;
		}
		usleep(10000);
	}
	base = mmap(NULL, lay.region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		fprintf(stderr, "rewrite: mmap: %s\n", strerror(errno));
		return 1;
	}
	while (now_s() < end) { /* an even, non-zero epoch: the host is ready */
		e = __atomic_load_n(u32at(12), __ATOMIC_ACQUIRE);
		if (e && !(e & 1u))
			break;
		usleep(1000);
	}
	if (!e || (e & 1u)) {
		fprintf(stderr, "rewrite: no host epoch\n");
		return 1;
	}
	uint8_t *ring = base + fl_ring_off(&lay, 0, FL_DIR_G2H);
	uint32_t *prod = (uint32_t *)(void *)(ring + FL_RING_PROD_OFF);
	uint32_t *cons = (uint32_t *)(void *)(ring + FL_RING_CONS_OFF);
	uint32_t *desc = (uint32_t *)(void *)(ring + FL_RING_DESC_OFF);
	uint8_t *slots = ring + lay.slots_off;
	for (unsigned q = 0; q < lay.queues; q++) {
		uint8_t *r = base + fl_ring_off(&lay, q, FL_DIR_G2H);

		__atomic_store_n((uint32_t *)(void *)(r + FL_RING_PROD_OFF), 0, __ATOMIC_RELEASE);
		r = base + fl_ring_off(&lay, q, FL_DIR_H2G);
		__atomic_store_n((uint32_t *)(void *)(r + FL_RING_CONS_OFF), 0, __ATOMIC_RELEASE);
		__atomic_store_n(u32at(FL_CTL_OFF + q * FL_CACHE_LINE), e, __ATOMIC_RELEASE);
	}
	uint16_t ports[2] = { htons((uint16_t)allow), htons((uint16_t)deny) };
	end = now_s() + secs;
	for (unsigned long long it = 0; now_s() < end; it++) {
		uint32_t cn = __atomic_load_n(cons, __ATOMIC_ACQUIRE);

		/* Keep a few frames in flight, always with the allowed port
		 * when published. */
		while (head - cn < 64u && head - cn < lay.entries) {
			uint8_t *s = slots + ((size_t)(head & lay.mask) << lay.slot_shift);

			frame(s, smac, dmac, sip.s_addr, dip.s_addr, (uint16_t)allow,
			      (uint32_t)published);
			__atomic_store_n(&desc[head & lay.mask], FRAME_LEN, __ATOMIC_RELAXED);
			head++;
			__atomic_store_n(prod, head, __ATOMIC_RELEASE);
			published++;
		}
		/* Flip the published frames the host still holds. */
		for (uint32_t i = cn; i != head; i++) {
			uint8_t *s = slots + ((size_t)(i & lay.mask) << lay.slot_shift);

			__atomic_store_n((uint16_t *)(void *)(s + DPORT_OFF),
					 ports[(it + i) & 1u], __ATOMIC_RELAXED);
			flips++;
		}
	}
	printf("rewrite: published %llu frames, %llu header flips\n", published, flips);
	return published ? 0 : 1;
}
