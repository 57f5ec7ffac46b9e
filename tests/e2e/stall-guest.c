/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stall-guest - a guest that transmits and never receives: it sends
 * FRAMES frames to the host, then holds the channel open (without
 * reading the host-to-guest ring) until SIGTERM or SECONDS have passed.
 * An echo host then finds the guest's ring full for as long as it lasts.
 *
 *   stall-guest CONFIG REGION FRAMES SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <folio.h>

#include "tool.h"

int main(int argc, char **argv)
{
	static uint8_t frame[64];
	const void *bufs[32];
	uint32_t lens[32];
	struct folio_config cfg;
	struct folio_guest *g;
	unsigned long frames, secs, sent = 0;
	double end;
	char err[256];

	tool_init("stall-guest");
	if (argc != 5 || tool_parse_ulong(argv[3], 1, 1000000, &frames) ||
	    tool_parse_ulong(argv[4], 1, 3600, &secs)) {
		fprintf(stderr, "usage: stall-guest CONFIG REGION FRAMES SECONDS\n");
		return 2;
	}
	folio_config_init(&cfg);
	if (folio_config_load(&cfg, argv[1], err, sizeof(err)) ||
	    folio_config_set(&cfg, "region", argv[2], err, sizeof(err))) {
		fprintf(stderr, "stall-guest: %s\n", err);
		return 2;
	}
	tool_signals();
	end = tool_now() + (double)secs;
	if (tool_guest_open(&cfg, end, &g))
		return 1;
	for (unsigned i = 0; i < 32; i++) {
		bufs[i] = frame;
		lens[i] = sizeof(frame);
	}
	while (sent < frames && !tool_stop && tool_now() < end) {
		unsigned n = frames - sent < 32 ? (unsigned)(frames - sent) : 32;
		int rc = folio_guest_tx_burst(g, 0, bufs, lens, n);

		if (rc < 0 && rc != FOLIO_ENOTREADY) {
			fprintf(stderr, "stall-guest: tx: %s\n", folio_strerror(rc));
			return 1;
		}
		if (rc > 0)
			sent += (unsigned long)rc;
		else
			usleep(1000);
	}
	fprintf(stderr, "stall-guest: %lu frames sent; not reading\n", sent);
	while (!tool_stop && tool_now() < end)
		usleep(10 * 1000);
	folio_guest_close(g);
	return 0;
}
