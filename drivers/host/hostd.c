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
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
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

#include "folio.h"
#include "folio_lend.h"

#define BURST 32u
#define BACKLOG 256u /* port frames held per guest while its ring is full */
#define MAX_GUESTS 64u
#define ETH_HLEN_ 14u

enum gstat {
	G_TO_GUEST,      /* port frames delivered into the guest's ring */
	G_TO_GUEST_BYTES,
	G_TO_GUEST_FULL, /* dropped: guest ring full */
	G_TO_GUEST_DOWN, /* dropped: guest not attached or failed */
	G_TO_GUEST_SIZE, /* dropped: shorter than a header or over max frame */
	G_BOUNCED,       /* chained mbufs gathered before the copy */
	G_FROM_GUEST,    /* guest frames taken from the ring */
	G_FROM_GUEST_BYTES,
	G_TO_PORT,       /* guest frames the port accepted */
	G_ZEROCOPY,      /* ... of which sent from the slot in place */
	G_COPIED,        /* ... of which copied into an mbuf */
	G_PORT_FULL,     /* dropped: port TX full */
	G_BAD_SRC,       /* dropped: source MAC is not the guest's */
	G_NO_MBUF,       /* dropped: mbuf pool empty */
	G_PEER_ERR,      /* protocol violations seen (channel failed) */
	G_PEER_LEFT,     /* the guest left its epoch (closed or replaced) */
	G__COUNT
};

static const char *const gstat_name[G__COUNT] = {
	"to_guest", "to_guest_bytes", "to_guest_full", "to_guest_down",
	"to_guest_size", "bounced", "from_guest", "from_guest_bytes", "to_port", "zerocopy",
	"copied", "port_full", "bad_src", "no_mbuf", "peer_err", "peer_left",
};

struct guest {
	struct folio_config cfg;
	struct folio_host *h;
	const char *path;
	struct fl_lend lend[FOLIO_MAX_QUEUES]; /* per guest-to-host queue */
	struct fl_reset rs;     /* when a failed channel is recreated */
	uint32_t max_frame;
	unsigned txq;           /* queue that last accepted port frames */
	int failed;             /* channel stopped: violation, or guest left */
	int left;               /* ... because the guest left (FOLIO_EGONE) */
	uint64_t st[G__COUNT];
	/* Port frames waiting for room in the guest's ring, oldest first. */
	struct rte_mbuf *bl[BACKLOG];
	unsigned bl_n;
};

static struct guest guests[MAX_GUESTS];
static unsigned nguests;
static volatile sig_atomic_t stop;
static struct rte_mempool *pool;
static uint16_t port;
static int port_multiseg;
static uint8_t *bounce; /* BURST * max frame of all guests */
static uint32_t bounce_stride;
static uint64_t no_dest, port_rx;
/* Guest frames shorter than this are copied: below it, copying beats the
 * extbuf bookkeeping. */
static uint32_t zc_min = 256;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void log_cb(void *ctx, int level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "folio-hostd: lib[%d]: %s\n", level, msg);
}

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

/* Frames of guest g the port still holds. */
static uint32_t guest_lent(const struct guest *g)
{
	uint32_t n = 0;

	for (unsigned q = 0; q < g->cfg.queues; q++)
		n += fl_lend_out(&g->lend[q]);
	return n;
}

/* (Re)create the guest's region: a new epoch. */
static int guest_open(struct guest *g)
{
	int rc = fl_host_recreate(&g->cfg, &g->h);

	for (unsigned q = 0; q < g->cfg.queues; q++)
		fl_lend_rebind(&g->lend[q], g->h);
	if (rc) {
		fprintf(stderr, "folio-hostd: %s: cannot create region %s: %s\n",
			g->path, g->cfg.region, folio_strerror(rc));
		g->failed = 1;
		return rc;
	}
	g->failed = 0;
	g->left = 0;
	g->txq = 0;
	return 0;
}

/* Drop a guest's waiting port frames (its channel went down). */
static void backlog_drop(struct guest *g)
{
	g->st[G_TO_GUEST_DOWN] += g->bl_n;
	if (g->bl_n)
		rte_pktmbuf_free_bulk(g->bl, g->bl_n);
	g->bl_n = 0;
}

static void guest_fail(struct guest *g, unsigned q, int rc)
{
	if (g->failed)
		return;
	g->failed = 1;
	g->left = rc == FOLIO_EGONE;
	/* A guest that left is not a violation; both stop the channel until
	 * it is recreated with a new epoch. */
	g->st[rc == FOLIO_EGONE ? G_PEER_LEFT : G_PEER_ERR]++;
	fprintf(stderr, "folio-hostd: guest %u (%s) queue %u: %s; channel stopped\n",
		(unsigned)(g - guests), g->cfg.region, q, folio_strerror(rc));
}

/* A failed channel is recreated (new epoch) --reset-failed seconds after it
 * failed, once nothing is lent from it (folio_lend.h has the policy). */
static void guest_maybe_reset(struct guest *g, uint64_t now)
{
	int ok;

	if (!fl_reset_due(&g->rs, g->failed, now) || guest_lent(g))
		return;
	backlog_drop(g);
	ok = guest_open(g) == 0;
	fl_reset_done(&g->rs, ok, now);
	if (ok)
		fprintf(stderr, "folio-hostd: guest %u (%s): channel reset, epoch %u\n",
			(unsigned)(g - guests), g->cfg.region, folio_host_epoch(g->h));
}

/* Take one reference of m for guest g, or count why not. */
static int queue_to_guest(struct guest *g, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (!g->h || g->failed) {
		g->st[G_TO_GUEST_DOWN]++;
		return 0;
	}
	if (len < ETH_HLEN_ || len > g->max_frame) {
		g->st[G_TO_GUEST_SIZE]++;
		return 0;
	}
	if (g->bl_n == BACKLOG) {
		g->st[G_TO_GUEST_FULL]++;
		return 0;
	}
	g->bl[g->bl_n++] = m;
	return 1;
}

/*
 * Copy a guest's waiting port frames into its ring, oldest first. Frames
 * the ring has no room for wait (up to BACKLOG) for the next poll, so a
 * burst the guest drains a moment later is not lost.
 */
static unsigned flush_to_guest(struct guest *g)
{
	const void *bufs[BURST];
	uint32_t lens[BURST];
	unsigned done = 0, nq = g->cfg.queues;

	while (g->bl_n > done) {
		unsigned n = RTE_MIN(g->bl_n - done, BURST), q = g->txq;
		int rc = FOLIO_ENOTREADY;
		uint64_t bytes = 0;

		for (unsigned i = 0; i < n; i++) {
			struct rte_mbuf *m = g->bl[done + i];

			lens[i] = rte_pktmbuf_pkt_len(m);
			if (m->nb_segs == 1) {
				bufs[i] = rte_pktmbuf_mtod(m, const void *);
			} else {
				/* The one copy needs contiguous bytes: gather a
				 * chained mbuf first (a second copy, counted). */
				bufs[i] = rte_pktmbuf_read(m, 0, lens[i],
							   bounce + (size_t)i * bounce_stride);
				g->st[G_BOUNCED]++;
			}
		}
		/* Port frames go to the first attached queue (tapd serves one). */
		for (unsigned i = 0; i < nq; i++) {
			q = (g->txq + i) % nq;
			rc = folio_host_tx_burst(g->h, q, bufs, lens, n);
			if (rc != FOLIO_ENOTREADY)
				break;
		}
		if (rc < 0) {
			if (rc == FOLIO_EPEER || rc == FOLIO_EFAILED ||
			    rc == FOLIO_EGONE)
				guest_fail(g, q, rc);
			else if (rc != FOLIO_ENOTREADY)
				fprintf(stderr, "folio-hostd: guest %u: %s\n",
					(unsigned)(g - guests), folio_strerror(rc));
			/* Not attached (or failed): dropped, as by a NIC
			 * without link. */
			g->bl_n -= done;
			memmove(g->bl, g->bl + done, g->bl_n * sizeof(g->bl[0]));
			backlog_drop(g);
			return done;
		}
		g->txq = q;
		for (int i = 0; i < rc; i++)
			bytes += lens[i];
		g->st[G_TO_GUEST] += (uint64_t)rc;
		g->st[G_TO_GUEST_BYTES] += bytes;
		rte_pktmbuf_free_bulk(g->bl + done, (unsigned)rc);
		done += (unsigned)rc;
		if ((unsigned)rc < n)
			break;
	}
	if (done) {
		g->bl_n -= done;
		memmove(g->bl, g->bl + done, g->bl_n * sizeof(g->bl[0]));
	}
	return done;
}

static unsigned port_to_guests(void)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = rte_eth_rx_burst(port, 0, pkts, BURST);
	unsigned work = n;

	port_rx += n;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eh;
		struct rte_ether_hdr tmp;
		uint16_t refs = 0;
		int hit = 0;

		eh = rte_pktmbuf_read(m, 0, sizeof(tmp), &tmp);
		if (eh) {
			int mcast = rte_is_multicast_ether_addr(&eh->dst_addr);

			for (unsigned k = 0; k < nguests; k++) {
				struct guest *g = &guests[k];

				if (!mcast && memcmp(eh->dst_addr.addr_bytes,
						     g->cfg.guest_mac, 6))
					continue;
				hit = 1;
				refs = (uint16_t)(refs + queue_to_guest(g, m));
			}
		}
		if (!hit)
			no_dest++;
		if (refs == 0)
			rte_pktmbuf_free(m);
		else if (refs > 1) /* broadcast: one reference per guest */
			rte_mbuf_refcnt_update(m, (int16_t)(refs - 1));
	}
	for (unsigned k = 0; k < nguests; k++)
		work += flush_to_guest(&guests[k]);
	return work;
}

/* Build the mbuf for one lent guest frame, or NULL (frame given back). */
static struct rte_mbuf *frame_mbuf(struct guest *g, unsigned q,
				   const struct folio_frame *f)
{
	struct rte_mbuf *m, *ext;
	struct rte_ether_hdr *eh;
	uint32_t len = f->len;
	int copy = len < zc_min || !port_multiseg;

	m = rte_pktmbuf_alloc(pool);
	if (!m) {
		g->st[G_NO_MBUF]++;
		goto give_back;
	}
	if (copy && len > rte_pktmbuf_tailroom(m)) {
		g->st[G_NO_MBUF]++;
		goto give_back;
	}
	/* The header (or the whole short frame) goes to private memory first:
	 * the source MAC checked is the one sent. */
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(copy ? len : ETH_HLEN_));
	fl_lend_copy(eh, f, copy ? len : ETH_HLEN_);
	if (memcmp(eh->src_addr.addr_bytes, g->cfg.guest_mac, 6) != 0) {
		g->st[G_BAD_SRC]++;
		goto give_back;
	}
	if (copy) {
		(void)folio_host_rx_done(g->h, q, f->id);
		return m;
	}
	ext = rte_pktmbuf_alloc(pool);
	if (!ext) {
		g->st[G_NO_MBUF]++;
		goto give_back;
	}
	fl_lend_attach(&g->lend[q], ext, f, ETH_HLEN_);
	fl_lend_count(&g->lend[q], 1);
	if (rte_pktmbuf_chain(m, ext)) {
		rte_pktmbuf_free(ext); /* queues the slot for give-back */
		goto drop;
	}
	return m;
give_back:
	(void)folio_host_rx_done(g->h, q, f->id);
drop:
	rte_pktmbuf_free(m); /* NULL is fine */
	return NULL;
}

static unsigned guests_to_port(void)
{
	unsigned work = 0;

	for (unsigned k = 0; k < nguests; k++) {
		struct guest *g = &guests[k];

		if (!g->h || g->failed)
			continue;
		for (unsigned q = 0; q < g->cfg.queues; q++) {
			struct folio_frame fr[BURST];
			struct rte_mbuf *pkts[BURST];
			uint16_t segs[BURST];
			unsigned np = 0;
			uint16_t sent;
			int rc;

			fl_lend_flush(&g->lend[q]);
			rc = folio_host_rx_peek(g->h, q, fr, BURST);

			if (rc < 0) {
				if (rc != FOLIO_ENOTREADY)
					guest_fail(g, q, rc);
				if (g->failed)
					break;
				continue;
			}
			for (int i = 0; i < rc; i++) {
				struct rte_mbuf *m = frame_mbuf(g, q, &fr[i]);

				g->st[G_FROM_GUEST]++;
				g->st[G_FROM_GUEST_BYTES] += fr[i].len;
				if (m)
					pkts[np++] = m;
			}
			work += (unsigned)rc;
			if (!np)
				continue;
			/* Count how each frame went before the port may free
			 * it; only the frames it accepted. */
			for (unsigned i = 0; i < np; i++)
				segs[i] = pkts[i]->nb_segs;
			sent = rte_eth_tx_burst(port, 0, pkts, (uint16_t)np);
			g->st[G_TO_PORT] += sent;
			for (unsigned i = 0; i < sent; i++)
				g->st[segs[i] > 1 ? G_ZEROCOPY : G_COPIED]++;
			if (sent < np) {
				/* Freeing queues lent slots for give-back. */
				g->st[G_PORT_FULL] += np - sent;
				rte_pktmbuf_free_bulk(&pkts[sent], np - sent);
			}
		}
	}
	return work;
}

static void print_stats(const char *when)
{
	fprintf(stderr, "folio-hostd: %s: port_rx=%" PRIu64 " no_dest=%" PRIu64 "\n",
		when, port_rx, no_dest);
	for (unsigned k = 0; k < nguests; k++) {
		struct guest *g = &guests[k];
		struct folio_stats fs;
		char line[1024];
		int o;

		o = snprintf(line, sizeof(line), "folio-hostd: guest %u region=%s state=%s epoch=%u"
			     " resets=%" PRIu64, k, g->cfg.region,
			     !g->failed ? "ok" : g->left ? "left" : "failed",
			     g->h ? folio_host_epoch(g->h) : 0, g->rs.resets);
		for (unsigned i = 0; i < G__COUNT && o < (int)sizeof(line); i++)
			o += snprintf(line + o, sizeof(line) - (size_t)o, " %s=%" PRIu64,
				      gstat_name[i], g->st[i]);
		if (g->h) {
			uint64_t viol = 0;

			for (unsigned q = 0; q < g->cfg.queues; q++)
				if (folio_host_stats(g->h, q, &fs) == 0)
					viol += fs.v[FOLIO_STAT_BAD_INDEX] +
						fs.v[FOLIO_STAT_BAD_LENGTH];
			if (o < (int)sizeof(line))
				snprintf(line + o, sizeof(line) - (size_t)o,
					 " violations=%" PRIu64, viol);
		}
		fprintf(stderr, "%s\n", line);
	}
}

static int port_setup(uint32_t max_frame)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = 1024, ntx = 1024;
	int rc;

	if (!rte_eth_dev_is_valid_port(port)) {
		fprintf(stderr, "folio-hostd: port %u does not exist (give a --vdev)\n", port);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc)
		return rc;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		port_multiseg = 1;
	}
	if (max_frame > RTE_ETHER_MAX_LEN)
		conf.rxmode.mtu = max_frame - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (rc)
		return rc;
	rc = rte_eth_rx_queue_setup(port, 0, nrx, (unsigned int)rte_eth_dev_socket_id(port),
				    NULL, pool);
	if (rc)
		return rc;
	rc = rte_eth_tx_queue_setup(port, 0, ntx, (unsigned int)rte_eth_dev_socket_id(port),
				    NULL);
	if (rc)
		return rc;
	rc = rte_eth_dev_start(port);
	if (rc)
		return rc;
	(void)rte_eth_promiscuous_enable(port);
	return 0;
}

/* The longest --duration: a year. --reset-failed has the PMD's range. */
#define MAX_DURATION_S 31536000.0
#define MAX_STATS_S 86400.0
#define MAX_RESET_S 3600.0

/* Seconds from 0 to max in *out, or a message naming the option. */
static int arg_seconds(const char *opt, const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* !(in range) also refuses NaN; ERANGE refuses what cannot be held. */
	if (end == s || *end || errno || !(v >= 0 && v <= max)) {
		fprintf(stderr, "folio-hostd: --%s: '%s' is not a number of seconds "
			"from 0 to %.0f\n", opt, s, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* A decimal whole number from min to max in *out, or a message. Signs,
 * spaces and junk are refused: strtoul would wrap "-1" to ULONG_MAX. */
static int arg_uint(const char *opt, const char *s, unsigned long min,
		    unsigned long max, const char *what, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = isdigit((unsigned char)s[0]) ? strtoul(s, &end, 10) : 0;
	if (!isdigit((unsigned char)s[0]) || *end || errno || v < min || v > max) {
		fprintf(stderr, "folio-hostd: --%s: '%s' is not %s from %lu to %lu\n",
			opt, s, what, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "port", required_argument, NULL, 'p' },
		{ "stats", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "reset-failed", required_argument, NULL, 'r' },
		{ "idle-spin", required_argument, NULL, 'i' },
		{ "zc-min", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
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
	folio_set_log(log_cb, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g': {
			struct guest *g = &guests[nguests];
			char err[256];

			if (nguests == MAX_GUESTS) {
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
			nguests++;
			break;
		}
		case 'p':
			if (arg_uint("port", optarg, 0, RTE_MAX_ETHPORTS - 1,
				     "a DPDK port id", &v))
				return 2;
			port = (uint16_t)v;
			break;
		case 'i':
			if (arg_uint("idle-spin", optarg, 1, 1000000, "a spin count", &spin))
				return 2;
			break;
		case 'z':
			if (arg_uint("zc-min", optarg, ETH_HLEN_ + 1, FOLIO_MAX_SLOT,
				     "a frame length", &v))
				return 2;
			zc_min = (uint32_t)v;
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
	if (!nguests || optind != argc) {
		usage();
		return 2;
	}
	for (unsigned k = 0; k < nguests; k++) {
		struct guest *g = &guests[k];

		for (unsigned j = 0; j < k; j++) {
			if (!memcmp(guests[j].cfg.guest_mac, g->cfg.guest_mac, 6) ||
			    !strcmp(guests[j].cfg.region, g->cfg.region)) {
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
	bounce_stride = max_frame;
	bounce = malloc((size_t)BURST * bounce_stride);
	pool = rte_pktmbuf_pool_create("folio_hostd", 8191, 256, 0,
				       (uint16_t)(RTE_PKTMBUF_HEADROOM + RTE_MAX(max_frame, 2048u)),
				       (int)rte_socket_id());
	if (!pool || !bounce) {
		fprintf(stderr, "folio-hostd: cannot allocate mbufs: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	rc = port_setup(max_frame);
	if (rc) {
		fprintf(stderr, "folio-hostd: port %u setup failed: %s\n", port, rte_strerror(-rc));
		return 1;
	}
	for (unsigned k = 0; k < nguests; k++) {
		if (guest_open(&guests[k]))
			return 1;
		fprintf(stderr, "folio-hostd: guest %u: region %s epoch %u\n", k,
			guests[k].cfg.region, folio_host_epoch(guests[k].h));
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "folio-hostd: serving %u guest(s) on port %u (zero-copy TX %s)\n",
		nguests, port, port_multiseg ? "on" : "off: port lacks multi-segment TX");

	folio_backoff_init(&bo);
	if (spin)
		bo.spin = (uint32_t)spin;
	/* Idle sleeps are 1-50 us: the default 50 us timer slack would
	 * stretch each of them past the whole range. */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL);
	hz = rte_get_timer_hz();
	t0 = rte_get_timer_cycles();
	next_stats = t0 + (uint64_t)(stats_s * (double)hz);
	while (!stop) {
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
		for (unsigned k = 0; k < nguests; k++)
			guest_maybe_reset(&guests[k], now);
	}

	/* Stop the port first: it frees any mbuf still holding a slot while
	 * the regions are still mapped. */
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	for (unsigned k = 0; k < nguests; k++)
		backlog_drop(&guests[k]);
	print_stats("exit");
	for (unsigned k = 0; k < nguests; k++) {
		/* Closing publishes an odd epoch: guests see the host leave. */
		folio_host_close(guests[k].h);
		guests[k].h = NULL;
		for (unsigned q = 0; q < guests[k].cfg.queues; q++)
			fl_lend_fini(&guests[k].lend[q]);
	}
	free(bounce);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
