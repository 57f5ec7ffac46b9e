/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo-host: the host side of the echo example. It creates the region and
 * sends every frame the guest transmits straight back to it.
 *
 *   folio-echo-host -c folio.conf [--region PATH] [--duration SEC]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <folio.h>

#include "common.h"
#include "tool.h"

/* Longest wait for room in the guest's ring before a burst is dropped. */
#define ECHO_TX_WAIT_S 5

int main(int argc, char **argv)
{
	struct example_args a;
	struct folio_host *h;
	struct folio_backoff idle;
	static uint8_t bufs[EXAMPLE_BURST][FOLIO_MAX_MTU + FOLIO_L2_OVERHEAD];
	void *ptr[EXAMPLE_BURST];
	uint32_t lens[EXAMPLE_BURST];
	uint64_t echoed = 0, dropped = 0;
	struct folio_stats st;
	int rc;

	if (example_parse(argc, argv, &a, "folio-echo-host"))
		return 2;
	for (int i = 0; i < EXAMPLE_BURST; i++)
		ptr[i] = bufs[i];

	/* The host makes the region and publishes a new epoch in its header. */
	rc = folio_host_create(&a.cfg, &h);
	if (rc) {
		fprintf(stderr, "echo-host: %s: %s\n", a.cfg.region, folio_strerror(rc));
		return 1;
	}
	fprintf(stderr, "echo-host: serving %s (epoch %u)\n", a.cfg.region,
		folio_host_epoch(h));
	tool_init("echo-host");
	tool_signals();
	folio_backoff_init(&idle);

	double end = a.duration ? tool_now() + a.duration : 0;
	while (!tool_stop && (!end || tool_now() < end)) {
		/* Copy the guest's frames out (lengths already checked)... */
		int n = folio_host_rx_burst(h, 0, ptr, lens, EXAMPLE_BURST);

		if (n == FOLIO_ENOTREADY) { /* no guest attached yet */
			folio_backoff(&idle, 0);
			continue;
		}
		if (n == FOLIO_EGONE) {
			/* The guest closed: start a new epoch for the next one. */
			folio_host_stats(h, 0, &st);
			example_print_stats("echo-host", &st);
			folio_host_close(h);
			rc = folio_host_create(&a.cfg, &h);
			if (rc) {
				fprintf(stderr, "echo-host: %s\n", folio_strerror(rc));
				return 1;
			}
			fprintf(stderr, "echo-host: guest left; serving epoch %u\n",
				folio_host_epoch(h));
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "echo-host: rx: %s\n", folio_strerror(n));
			break;
		}
		/* ...and send them back, waiting while the guest's ring is full,
		 * but not for ever: a guest that stopped reading loses them. */
		double give_up = tool_now() + ECHO_TX_WAIT_S;
		int sent = 0;

		while (sent < n && !tool_stop) {
			int m = folio_host_tx_burst(h, 0, (const void *const *)ptr + sent,
						    lens + sent, (unsigned)(n - sent));
			if (m < 0) {
				fprintf(stderr, "echo-host: tx: %s\n", folio_strerror(m));
				tool_stop = 1;
				break;
			}
			sent += m;
			if (!m && tool_now() >= give_up) {
				fprintf(stderr, "echo-host: the guest's ring stayed full for %d s: "
					"%d frames dropped\n", ECHO_TX_WAIT_S, n - sent);
				dropped += (uint64_t)(n - sent);
				break;
			}
		}
		echoed += (uint64_t)sent;
		folio_backoff(&idle, n);
	}
	folio_host_stats(h, 0, &st);
	example_print_stats("echo-host", &st);
	fprintf(stderr, "echo-host: %llu frames echoed, %llu dropped\n",
		(unsigned long long)echoed, (unsigned long long)dropped);
	folio_host_close(h);
	return (st.state == FOLIO_Q_FAILED) ? 1 : 0;
}
