/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio-hostd - the host backend: Folio guest channels <-> one DPDK port.
 *
 *   folio-hostd [EAL options] -- --guest CONFIG [--guest CONFIG ...]
 *               [--port N] [--stats SEC] [--duration SEC] [--reset-failed SEC]
 *
 * One lcore polls the port and every guest channel. The switch is by MAC:
 * a port frame whose destination is a guest's guest_mac goes to that guest,
 * broadcast and multicast go to every guest, anything else is dropped. A
 * guest frame goes to the port only if its source MAC is that guest's MAC.
 *
 * Guest -> port does not copy the payload: folio_host_rx_peek() lends the
 * slot, and an mbuf is attached to it as an external buffer whose free
 * callback queues the slot; the next poll of that queue gives all freed
 * slots back with one index store (folio_lend.h). The 14-byte Ethernet
 * header is copied into a private head mbuf first, so the source MAC that
 * is checked is the one that is sent: the guest can rewrite its slot at
 * any time. Short frames and ports without multi-segment TX are copied.
 *
 * Port -> guest is one copy, from the mbuf into the slot
 * (folio_host_tx_burst). A chained mbuf is gathered into a private bounce
 * buffer first; that second copy is counted (bounced).
 *
 * A guest that breaks the protocol fails only its own channel. After
 * --reset-failed seconds (default 1, 0 = never) the channel is recreated
 * with a new epoch, which is also how a guest that restarted from zero
 * (a rebooted VM) gets its channel back.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "hostd.h"
#include "tool.h"

static const char *const gstat_name[G__COUNT] = {
	"to_guest", "to_guest_bytes", "to_guest_full", "to_guest_down",
	"to_guest_size", "bounced", "from_guest", "from_guest_bytes", "to_port", "zerocopy",
	"copied", "port_full", "bad_src", "no_mbuf", "peer_err", "peer_left",
};

struct hostd hd = { .zc_min = 256 };

static void usage(void)
{
	fprintf(stderr,
		"usage: folio-hostd [EAL options] -- --guest CONFIG [--guest CONFIG ...]\n"
		"                   [--port N] [--stats SEC] [--duration SEC] [--reset-failed SEC]\n"
		"                   [--idle-spin N] [--zc-min BYTES]\n"
		"  --port N            DPDK port id (default 0)\n"
		"  --stats SEC         print counters every SEC seconds (0..86400; 0 = never)\n"
		"  --duration SEC      exit after SEC seconds (0..31536000; 0 = run until a signal)\n"
		"  --reset-failed SEC  recreate a failed channel after SEC seconds (0..3600;\n"
		"                      default 1; 0 = never)\n"
		"  --idle-spin N       idle polls before sleeping (1..1000000)\n"
		"  --zc-min BYTES      guest frames shorter than this are copied (default 256)\n");
}

static void print_stats(const char *when)
{
	fprintf(stderr, "folio-hostd: %s: port_rx=%" PRIu64 " no_dest=%" PRIu64 "\n",
		when, hd.port_rx, hd.no_dest);
	for (unsigned k = 0; k < hd.nguests; k++) {
		struct guest *g = &hd.guests[k];
		struct folio_stats fs;
		struct tool_line line;

		tool_line_init(&line, "folio-hostd: guest %u region=%s state=%s epoch=%u"
			       " resets=%" PRIu64, k, g->cfg.region,
			       !g->failed ? "ok" : g->left ? "left" : "failed",
			       g->h ? folio_host_epoch(g->h) : 0, g->rs.resets);
		tool_line_counters(&line, gstat_name, g->st, G__COUNT);
		if (g->h) {
			uint64_t viol = 0;

			for (unsigned q = 0; q < g->cfg.queues; q++)
				if (folio_host_stats(g->h, q, &fs) == 0)
					viol += tool_violations(&fs);
			tool_line_add(&line, " violations=%" PRIu64, viol);
		}
		tool_line_print(&line);
	}
}

static int port_setup(uint32_t max_frame)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = 1024, ntx = 1024;
	int rc;

	if (!rte_eth_dev_is_valid_port(hd.port)) {
		fprintf(stderr, "folio-hostd: port %u does not exist (give a --vdev)\n", hd.port);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(hd.port, &info);
	if (rc)
		return rc;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		hd.port_multiseg = 1;
	}
	/* A port whose reported limit is below the guests' frames (net_af_packet
	 * says 1518 but carries what its 2 KiB frames hold) keeps its default. */
	if (max_frame > RTE_ETHER_MAX_LEN && info.max_rx_pktlen >= max_frame)
		conf.rxmode.mtu = max_frame - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	else if (max_frame > RTE_ETHER_MAX_LEN)
		fprintf(stderr, "folio-hostd: port %u reports a max frame of %u < %u; "
			"keeping its default MTU\n", hd.port, info.max_rx_pktlen, max_frame);
	rc = rte_eth_dev_configure(hd.port, 1, 1, &conf);
	if (rc)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(hd.port, &nrx, &ntx);
	if (rc)
		return rc;
	rc = rte_eth_rx_queue_setup(hd.port, 0, nrx, (unsigned int)rte_eth_dev_socket_id(hd.port),
				    NULL, hd.pool);
	if (rc)
		return rc;
	rc = rte_eth_tx_queue_setup(hd.port, 0, ntx, (unsigned int)rte_eth_dev_socket_id(hd.port),
				    NULL);
	if (rc)
		return rc;
	rc = rte_eth_dev_start(hd.port);
	if (rc)
		return rc;
	(void)rte_eth_promiscuous_enable(hd.port);
	return 0;
}

/* The longest --duration: a year. --reset-failed has the PMD's range. */
#define MAX_DURATION_S 31536000.0
#define MAX_STATS_S 86400.0
#define MAX_RESET_S 3600.0

/* Seconds from 0 to max in *out, or a message naming the option. */
static int arg_seconds(const char *opt, const char *s, double max, double *out)
{
	if (tool_parse_seconds(s, max, out) == 0)
		return 0;
	fprintf(stderr, "folio-hostd: --%s: '%s' is not a number of seconds "
		"from 0 to %.0f\n", opt, s, max);
	return -1;
}

/* A decimal whole number from min to max in *out, or a message. */
static int arg_uint(const char *opt, const char *s, unsigned long min,
		    unsigned long max, const char *what, unsigned long *out)
{
	if (tool_parse_ulong(s, min, max, out) == 0)
		return 0;
	fprintf(stderr, "folio-hostd: --%s: '%s' is not %s from %lu to %lu\n",
		opt, s, what, min, max);
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "port", required_argument, NULL, 'p' },
		{ "reset-failed", required_argument, NULL, 'r' },
		{ "zc-min", required_argument, NULL, 'z' },
		TOOL_LOOP_OPTIONS,
	};
	double stats_s = 0, duration_s = 0, reset_s = 1.0;
	uint32_t max_frame = RTE_ETHER_MAX_LEN;
	uint64_t hz, t0, next_stats;
	unsigned long spin = 0, v;
	struct folio_backoff bo;
	int c, rc;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "folio-hostd: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= rc;
	argv += rc;
	tool_init("folio-hostd");
	tool_set_log();
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g': {
			struct guest *g = &hd.guests[hd.nguests];
			char err[256];

			if (hd.nguests == MAX_GUESTS) {
				fprintf(stderr, "folio-hostd: at most %u guests\n", MAX_GUESTS);
				return 2;
			}
			folio_config_init(&g->cfg);
			if (folio_config_load(&g->cfg, optarg, err, sizeof(err)) ||
			    folio_config_validate(&g->cfg, err, sizeof(err))) {
				fprintf(stderr, "folio-hostd: %s\n", err);
				return 2;
			}
			if (!g->cfg.region[0]) {
				fprintf(stderr, "folio-hostd: %s: no region given\n", optarg);
				return 2;
			}
			g->path = optarg;
			hd.nguests++;
			break;
		}
		case 'p':
			if (arg_uint("port", optarg, 0, RTE_MAX_ETHPORTS - 1,
				     "a DPDK port id", &v))
				return 2;
			hd.port = (uint16_t)v;
			break;
		case 'i':
			if (arg_uint("idle-spin", optarg, 1, 1000000, "a spin count", &spin))
				return 2;
			break;
		case 'z':
			if (arg_uint("zc-min", optarg, ETH_HLEN_ + 1, FOLIO_MAX_SLOT,
				     "a frame length", &v))
				return 2;
			hd.zc_min = (uint32_t)v;
			break;
		case 's':
			if (arg_seconds("stats", optarg, MAX_STATS_S, &stats_s))
				return 2;
			break;
		case 'd':
			if (arg_seconds("duration", optarg, MAX_DURATION_S, &duration_s))
				return 2;
			break;
		case 'r':
			if (arg_seconds("reset-failed", optarg, MAX_RESET_S, &reset_s))
				return 2;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (!hd.nguests || optind != argc) {
		usage();
		return 2;
	}
	for (unsigned k = 0; k < hd.nguests; k++) {
		struct guest *g = &hd.guests[k];

		for (unsigned j = 0; j < k; j++) {
			if (!memcmp(hd.guests[j].cfg.guest_mac, g->cfg.guest_mac, 6) ||
			    !strcmp(hd.guests[j].cfg.region, g->cfg.region)) {
				fprintf(stderr, "folio-hostd: guests %u and %u share a MAC or a region\n",
					j, k);
				return 2;
			}
		}
		g->max_frame = folio_config_max_frame(&g->cfg);
		if (g->max_frame > max_frame)
			max_frame = g->max_frame;
		for (unsigned q = 0; q < g->cfg.queues; q++) {
			if (fl_lend_init(&g->lend[q], NULL, (uint16_t)q,
					 g->cfg.ring_entries, SOCKET_ID_ANY)) {
				fprintf(stderr, "folio-hostd: out of memory\n");
				return 1;
			}
		}
		fl_reset_init(&g->rs, reset_s);
	}
	hd.bounce_stride = max_frame;
	hd.bounce = malloc((size_t)BURST * hd.bounce_stride);
	hd.pool = rte_pktmbuf_pool_create("folio_hostd", 8191, 256, 0,
				       (uint16_t)(RTE_PKTMBUF_HEADROOM + RTE_MAX(max_frame, 2048u)),
				       (int)rte_socket_id());
	if (!hd.pool || !hd.bounce) {
		fprintf(stderr, "folio-hostd: cannot allocate mbufs: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	rc = port_setup(max_frame);
	if (rc) {
		fprintf(stderr, "folio-hostd: port %u setup failed: %s\n", hd.port, rte_strerror(-rc));
		return 1;
	}
	for (unsigned k = 0; k < hd.nguests; k++) {
		if (guest_open(&hd.guests[k]))
			return 1;
		fprintf(stderr, "folio-hostd: guest %u: region %s epoch %u\n", k,
			hd.guests[k].cfg.region, folio_host_epoch(hd.guests[k].h));
	}
	(void)tool_signals();
	fprintf(stderr, "folio-hostd: serving %u guest(s) on port %u (zero-copy TX %s)\n",
		hd.nguests, hd.port, hd.port_multiseg ? "on" : "off: port lacks multi-segment TX");

	folio_backoff_init(&bo);
	if (spin)
		bo.spin = (uint32_t)spin;
	/* Idle sleeps are 1-50 us: the default 50 us timer slack would
	 * stretch each of them past the whole range. */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL);
	hz = rte_get_timer_hz();
	t0 = rte_get_timer_cycles();
	next_stats = t0 + (uint64_t)(stats_s * (double)hz);
	while (!tool_stop) {
		unsigned work = port_to_guests() + guests_to_port();
		uint64_t now;

		folio_backoff(&bo, (int)work);
		now = rte_get_timer_cycles();
		if (duration_s > 0 && now - t0 >= (uint64_t)(duration_s * (double)hz))
			break;
		if (stats_s > 0 && now >= next_stats) {
			print_stats("stats");
			next_stats = now + (uint64_t)(stats_s * (double)hz);
		}
		for (unsigned k = 0; k < hd.nguests; k++)
			guest_maybe_reset(&hd.guests[k], now);
	}

	/* Stop the port first: it frees any mbuf still holding a slot while
	 * the regions are still mapped. */
	rte_eth_dev_stop(hd.port);
	rte_eth_dev_close(hd.port);
	for (unsigned k = 0; k < hd.nguests; k++)
		backlog_drop(&hd.guests[k]);
	print_stats("exit");
	for (unsigned k = 0; k < hd.nguests; k++) {
		/* Closing publishes an odd epoch: guests see the host leave. */
		folio_host_close(hd.guests[k].h);
		hd.guests[k].h = NULL;
		for (unsigned q = 0; q < hd.guests[k].cfg.queues; q++)
			fl_lend_fini(&hd.guests[k].lend[q]);
	}
	free(hd.bounce);
	rte_mempool_free(hd.pool);
	rte_eal_cleanup();
	return 0;
}
