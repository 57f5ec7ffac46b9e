/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo-guest: the guest side of the echo example. It sends frames of random
 * sizes, each filled with a pattern derived from its sequence number, and
 * checks every byte that comes back.
 *
 *   folio-echo-guest -c folio.conf [--region PATH] [-n FRAMES]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <folio.h>

#include "common.h"
#include "tool.h"

/* Byte i of frame seq. The first 8 bytes carry seq itself. */
static uint8_t pattern(uint64_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131 + i * 7 + (i >> 8));
}

static uint32_t frame_len(uint64_t seq, uint32_t max)
{
	/* Deterministic, so the receiver knows the length to expect. */
	uint64_t x = seq * 0x9e3779b97f4a7c15ull;

	return 60 + (uint32_t)((x >> 33) % (max - 60 + 1));
}

static void fill(uint8_t *f, uint64_t seq, uint32_t len)
{
	memcpy(f, &seq, 8);
	for (uint32_t i = 8; i < len; i++)
		f[i] = pattern(seq, i);
}

/* Runs on private memory only: the frame was copied out of the region. */
static int verify(const uint8_t *f, uint32_t len, uint64_t want, uint32_t max)
{
	uint64_t seq;

	memcpy(&seq, f, 8);
	if (seq != want || len != frame_len(want, max))
		return -1;
	for (uint32_t i = 8; i < len; i++)
		if (f[i] != pattern(seq, i))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct example_args a;
	struct folio_guest *g = NULL;
	static uint8_t tx[EXAMPLE_BURST][FOLIO_MAX_MTU + FOLIO_L2_OVERHEAD];
	static uint8_t rx[EXAMPLE_BURST][FOLIO_MAX_MTU + FOLIO_L2_OVERHEAD];
	const void *txp[EXAMPLE_BURST];
	void *rxp[EXAMPLE_BURST];
	uint32_t txl[EXAMPLE_BURST], rxl[EXAMPLE_BURST];
	uint64_t sent = 0, got = 0;
	int rc = 0;

	if (example_parse(argc, argv, &a, "folio-echo-guest"))
		return 2;
	uint32_t max = folio_config_max_frame(&a.cfg);

	/* The host may still be starting: wait for it for a few seconds. */
	tool_init("echo-guest");
	if (tool_guest_open(&a.cfg, tool_now() + 5, &g))
		return 1;
	for (int i = 0; i < EXAMPLE_BURST; i++)
		rxp[i] = rx[i];

	double deadline = tool_now() + (a.duration ? a.duration : 60);
	struct folio_backoff idle;

	folio_backoff_init(&idle);
	while (got < a.frames) {
		if (tool_now() > deadline) {
			fprintf(stderr, "echo-guest: timed out after %llu of %llu frames\n",
				(unsigned long long)got, (unsigned long long)a.frames);
			break;
		}
		/* Keep at most one ring of frames in flight. */
		unsigned n = 0;

		while (n < EXAMPLE_BURST && sent + n < a.frames &&
		       sent + n - got < a.cfg.ring_entries) {
			txl[n] = frame_len(sent + n, max);
			fill(tx[n], sent + n, txl[n]);
			txp[n] = tx[n];
			n++;
		}
		rc = n ? folio_guest_tx_burst(g, 0, txp, txl, n) : 0;
		if (rc == FOLIO_ENOTREADY) {
			folio_backoff(&idle, 0);
			continue;
		}
		if (rc < 0)
			break;
		sent += (uint64_t)rc;

		rc = folio_guest_rx_burst(g, 0, rxp, rxl, EXAMPLE_BURST);
		if (rc == FOLIO_ENOTREADY) {
			folio_backoff(&idle, 0);
			continue;
		}
		if (rc < 0)
			break;
		folio_backoff(&idle, rc);
		for (int i = 0; i < rc; i++, got++) {
			if (verify(rx[i], rxl[i], got, max)) {
				fprintf(stderr, "echo-guest: frame %llu corrupt\n",
					(unsigned long long)got);
				rc = -EBADMSG;
				goto out;
			}
		}
	}
out:
	if (rc < 0)
		fprintf(stderr, "echo-guest: %s\n", folio_strerror(rc));
	struct folio_stats st;

	folio_guest_stats(g, 0, &st);
	example_print_stats("echo-guest", &st);
	folio_guest_close(g);
	if (got != a.frames)
		return 1;
	printf("echo: %llu frames verified\n", (unsigned long long)got);
	return 0;
}
