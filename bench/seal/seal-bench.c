/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seal-bench.c - what sealing costs the guest, against the crypto alone.
 *
 * One thread, one core, one memfd region. For each frame size it measures:
 *   clear  g2h  folio_guest_tx_burst, plain config
 *   sealed g2h  folio_guest_tx_burst, seal = gcm-aes-128 (or -256)
 *   clear  h2g  folio_guest_rx_burst, plain config
 *   sealed h2g  folio_guest_rx_burst of sealed frames (decrypt + verify)
 *   raw GCM     the same EVP calls per frame (IV, 28-byte AAD, the user
 *               data, tag) on private buffers: the crypto limit
 * Only the guest call is timed, per burst of 32 (TSC, converted with a
 * clock_gettime calibration); a figure is the median burst, so bursts the
 * scheduler cut into do not count. The host side drains or refills the
 * ring between calls.
 * Output: one line per size and mode, or JSON with --json.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <openssl/evp.h>

#include "folio.h"

#define BURST 32u

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double tsc_hz;

static void calibrate(void)
{
	double t0 = now();
	uint64_t c0 = __rdtsc();

	while (now() - t0 < 0.05)
		;
	tsc_hz = (double)(__rdtsc() - c0) / (now() - t0);
}

static char keydir[64];
static unsigned bits = 128;

static void die(const char *what, int rc)
{
	fprintf(stderr, "seal-bench: %s: %s\n", what, folio_strerror(rc));
	exit(1);
}

static void cfg_for(struct folio_config *c, int sealed, int host)
{
	char p[128], err[256];

	folio_config_init(c);
	c->ring_entries = 256;
	if (host && sealed)
		c->mtu += FOLIO_SEAL_OVERHEAD;
	if (!sealed || host)
		return;
	folio_config_set(c, "seal", bits == 256 ? "gcm-aes-256" : "gcm-aes-128", NULL, 0);
	snprintf(p, sizeof(p), "%s/key", keydir);
	folio_config_set(c, "seal_key", p, NULL, 0);
	folio_config_set(c, "seal_peer_sci", "02:f0:00:00:00:01/1", NULL, 0);
	/* Receive replays one sealed frame again and again: accept any PN. */
	folio_config_set(c, "seal_replay_window", "4294967295", NULL, 0);
	if (folio_config_validate(c, err, sizeof(err))) {
		fprintf(stderr, "seal-bench: %s\n", err);
		exit(1);
	}
}

struct run {
	double fps, cyc; /* frames/s and TSC cycles per frame of the timed call */
};

/* Per-burst samples; the median ignores bursts the scheduler cut into. */
#define MAXS 65536u
static uint64_t samp[MAXS];
static unsigned nsamp;

static void sample(uint64_t c)
{
	if (nsamp < MAXS)
		samp[nsamp++] = c;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct run result(unsigned per)
{
	qsort(samp, nsamp, sizeof(samp[0]), cmp_u64);
	double cyc = nsamp ? (double)samp[nsamp / 2] / per : 0;

	nsamp = 0;
	return (struct run){cyc ? tsc_hz / cyc : 0, cyc};
}

static uint8_t frames[BURST][2048], wire[BURST][2100];

static void fill(uint8_t *f, uint32_t len)
{
	static const uint8_t hdr[14] = {0x02, 0xf0, 0, 0, 0, 0x02, 0x02, 0xf0, 0, 0,
					0, 0x01, 0x08, 0x00};

	memcpy(f, hdr, 14);
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7);
}

/* Frame lengths of a burst: one size, or IMIX 7:4:1 of 64, 576, 1518. */
static void lengths(uint32_t size, uint32_t *l)
{
	static const uint32_t imix[12] = {64, 576, 64, 64, 1518, 576, 64, 64, 576, 64, 576, 64};

	for (unsigned i = 0; i < BURST; i++)
		l[i] = size ? size : imix[i % 12];
}

static struct run bench_dir(uint32_t size, int sealed, int g2h, double secs)
{
	struct folio_config gc, hc;
	struct folio_host *h;
	struct folio_guest *g;
	const void *tb[BURST];
	void *rb[BURST];
	uint32_t l[BURST], rl[BURST];
	int fd, rc;

	cfg_for(&gc, sealed, 0);
	cfg_for(&hc, sealed, 1);
	fd = folio_region_memfd(&hc);
	if (fd < 0)
		die("memfd", fd);
	if ((rc = folio_host_create_fd(&hc, fd, &h)) || (rc = folio_guest_open_fd(&gc, fd, &g)))
		die("open", rc);
	lengths(size, l);
	for (unsigned i = 0; i < BURST; i++) {
		fill(frames[i], l[i]);
		rb[i] = wire[i];
	}
	/* Host-to-guest input: the guest's own sealed frames, looped back. */
	for (unsigned i = 0; i < BURST; i++)
		tb[i] = frames[i];
	while ((rc = folio_guest_tx_burst(g, 0, tb, l, BURST)) == FOLIO_ENOTREADY)
		usleep(1000);
	while ((rc = folio_host_rx_burst(h, 0, rb, rl, BURST)) == FOLIO_ENOTREADY)
		usleep(1000);
	if (rc != (int)BURST)
		die("loopback", rc);
	for (unsigned i = 0; i < BURST; i++)
		tb[i] = g2h ? (const void *)frames[i] : (const void *)wire[i];
	double t0 = now();
	while (now() - t0 < secs) {
		for (int k = 0; k < 64; k++) {
			uint64_t c0;

			if (g2h) {
				c0 = __rdtsc();
				rc = folio_guest_tx_burst(g, 0, tb, l, BURST);
				sample(__rdtsc() - c0);
				if (rc != (int)BURST)
					die("tx", rc);
				folio_host_rx_burst(h, 0, rb, rl, BURST);
			} else {
				static uint8_t out[BURST][2048];
				void *ob[BURST];

				for (unsigned i = 0; i < BURST; i++)
					ob[i] = out[i];
				folio_host_tx_burst(h, 0, tb, rl, BURST);
				c0 = __rdtsc();
				rc = folio_guest_rx_burst(g, 0, ob, l, BURST);
				sample(__rdtsc() - c0);
				if (rc != (int)BURST)
					die("rx (frames dropped?)", rc);
			}
		}
	}
	folio_guest_close(g);
	folio_host_close(h);
	close(fd);
	return result(BURST);
}

/* The crypto limit: the per-frame EVP sequence of a sealed frame. */
static struct run bench_raw(uint32_t size, double secs)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	static uint8_t key[32], iv[12], out[2100];
	uint32_t l[BURST];
	uint64_t n = 0;
	int ol;

	lengths(size, l);
	EVP_EncryptInit_ex(c, bits == 256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(),
			   NULL, key, NULL);
	double t0 = now();
	while (now() - t0 < secs) {
		uint64_t c0 = __rdtsc();

		for (unsigned i = 0; i < BURST; i++) {
			iv[11] = (uint8_t)n;
			EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
			EVP_EncryptUpdate(c, NULL, &ol, frames[i], 28);
			EVP_EncryptUpdate(c, out + 28, &ol, frames[i] + 12, (int)(l[i] - 12));
			EVP_EncryptFinal_ex(c, out, &ol);
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + 2000);
			n++;
		}
		sample(__rdtsc() - c0);
	}
	EVP_CIPHER_CTX_free(c);
	return result(BURST);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: seal-bench [--secs S] [--reps N] [--bits 128|256] [--json]\n"
		"  Sealed against clear guest throughput, both directions, at 64, 512,\n"
		"  1518 B and IMIX, beside OpenSSL's AES-GCM doing the same per-frame\n"
		"  work; each figure is the best of N rounds (default 3) of S seconds\n"
		"  (default 0.2). Pin it (taskset -c N) for stable figures.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"secs", 1, NULL, 's'}, {"bits", 1, NULL, 'b'},
					     {"json", 0, NULL, 'j'}, {"reps", 1, NULL, 'r'},
					     {"help", 0, NULL, 'h'}, {0}};
	static const uint32_t sizes[] = {64, 512, 1518, 0};
	double secs = 0.2;
	int json = 0, reps = 3, o;
	char p[128];
	FILE *f;

	while ((o = getopt_long(argc, argv, "s:b:r:jh", opts, NULL)) != -1) {
		switch (o) {
		case 's': secs = atof(optarg); break;
		case 'b': bits = (unsigned)atoi(optarg); break;
		case 'j': json = 1; break;
		case 'r': reps = atoi(optarg); break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if ((bits != 128 && bits != 256) || secs <= 0 || secs > 10 || reps < 1 || reps > 20) {
		usage();
		return 2;
	}
	if (!folio_seal_available()) {
		fprintf(stderr, "seal-bench: libfolio was built without OpenSSL\n");
		return 1;
	}
	snprintf(keydir, sizeof(keydir), "/tmp/folio-seal-bench.%d", (int)getpid());
	mkdir(keydir, 0700);
	snprintf(p, sizeof(p), "%s/key", keydir);
	f = fopen(p, "w");
	if (!f)
		return 1;
	fprintf(f, "%.*s\n", bits / 4, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	fclose(f);
	chmod(p, 0600);
	calibrate();
	if (json)
		printf("{\"bits\":%u,\"tsc_hz\":%.0f,\"rows\":[", bits, tsc_hz);
	else
		printf("# gcm-aes-%u, TSC %.2f GHz, median of bursts of %u, best of %d\n",
		       bits, tsc_hz * 1e-9, BURST, reps),
		printf("%-6s %-4s %12s %8s %12s %8s %12s %8s  %s\n", "size", "dir",
		       "clear fps", "cyc/f", "sealed fps", "cyc/f", "raw gcm ops", "cyc/op",
		       "sealed/raw");
	(void)bench_raw(1518, 0.1); /* warm up: clocks, caches, page faults */
	for (unsigned s = 0; s < 4; s++) {
		struct run raw = {0, 0};

		for (int g2h = 1; g2h >= 0; g2h--) {
			struct run clr = {0, 0}, sea = {0, 0};
			char sz[8];

			/* Best of `reps` interleaved rounds: the machine is shared. */
			for (int r = 0; r < reps; r++) {
				struct run a = bench_raw(sizes[s], secs);
				struct run b = bench_dir(sizes[s], 0, g2h, secs);
				struct run c = bench_dir(sizes[s], 1, g2h, secs);

				raw = a.fps > raw.fps ? a : raw;
				clr = b.fps > clr.fps ? b : clr;
				sea = c.fps > sea.fps ? c : sea;
			}

			snprintf(sz, sizeof(sz), sizes[s] ? "%u" : "imix", sizes[s]);
			if (json)
				printf("%s{\"size\":\"%s\",\"dir\":\"%s\",\"clear_fps\":%.0f,"
				       "\"clear_cyc\":%.1f,\"sealed_fps\":%.0f,\"sealed_cyc\":%.1f,"
				       "\"raw_ops\":%.0f,\"raw_cyc\":%.1f}", s || g2h == 0 ? "," : "",
				       sz, g2h ? "g2h" : "h2g", clr.fps, clr.cyc, sea.fps, sea.cyc,
				       raw.fps, raw.cyc);
			else
				printf("%-6s %-4s %12.0f %8.1f %12.0f %8.1f %12.0f %8.1f  %.2f\n",
				       sz, g2h ? "g2h" : "h2g", clr.fps, clr.cyc, sea.fps, sea.cyc,
				       raw.fps, raw.cyc, sea.fps / raw.fps);
		}
	}
	if (json)
		printf("]}\n");
	unlink(p);
	rmdir(keydir);
	return 0;
}
