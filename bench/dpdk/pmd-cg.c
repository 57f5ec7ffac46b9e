/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd-cg - the instructions a PMD spends per packet at full bursts, the
 * same way for every PMD: both ends of one channel in one process, one
 * lcore, driven in lock step so that every measured call moves a full
 * burst. Meant to run under
 *
 *   valgrind --tool=callgrind --toggle-collect='cg_*' pmd-cg ...
 *
 * where only the cg_* wrappers below (and what they call: the PMD, the
 * mempool, libfolio) are counted. Debian's PMDs are stripped, so their
 * burst functions have no names to toggle on; the wrappers give every PMD
 * the same, named entry. A wrapper adds the inline rte_eth_*_burst
 * dispatch, a handful of instructions, the same for all.
 *
 *   pmd-cg EAL-ARGS -- --pmd folio|folio-lend|memif|virtio --len BYTES
 *                      [--bursts N] [--burst B] [--dir SOCKET_DIR]
 *                      [--folio-host DEVARGS]
 *
 * The EAL arguments carry no --vdev: the two ports are made here (the
 * "guest" end first, then the "host" end, as the pairs of bench/pmd-race):
 *   folio   net_folio1 role=guest  /  net_folio0 role=host (one region)
 *   folio-lend  the same, the host with RX_OFFLOAD_SCATTER: it lends what
 *           follows a frame's first 128 bytes instead of copying it
 *   memif   net_memif1 role=client /  net_memif0 role=server
 *   virtio  net_virtio_user0       /  net_vhost0
 * Per burst round: allocate B frames (not counted), cg_guest_tx, then
 * cg_host_rx until all B are in, cg_host_free of what came in; and the
 * other way, cg_host_tx, cg_guest_rx, cg_guest_free. Frames are ready-made
 * UDP/IPv4 of --len bytes, one segment, as testpmd's txonly makes them.
 * The first 10% of rounds run through uncounted calls (warm-up).
 *
 * Output, one line per wrapper, for bench/pmd-cg to divide the callgrind
 * totals by:  cg <wrapper> calls=N packets=N
 * Exit 0, 1 on an error (message on stderr).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define MAX_BURST 64u
#define POOL_N 8191u
#define POOL_CACHE 256u
#define LINK_WAIT_S 30.0

struct end {
	const char *name;
	uint16_t port;
};

struct count {
	uint64_t calls, packets;
};

static struct count c_gtx, c_hrx, c_hfree, c_htx, c_grx, c_gfree;

static void fail(const char *what)
{
	fprintf(stderr, "pmd-cg: %s\n", what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The counted entries. noinline: each must stay a function of its own,
 * the one callgrind toggles on. */
#define CG_BURST(fn, call, cnt)                                              \
	__attribute__((noinline)) uint16_t fn(uint16_t port,                 \
					      struct rte_mbuf **m, uint16_t n); \
	__attribute__((noinline)) uint16_t fn(uint16_t port,                 \
					      struct rte_mbuf **m, uint16_t n)  \
	{                                                                    \
		uint16_t k = call(port, 0, m, n);                            \
		cnt.calls++;                                                 \
		cnt.packets += k;                                            \
		return k;                                                    \
	}
CG_BURST(cg_guest_tx, rte_eth_tx_burst, c_gtx)
CG_BURST(cg_host_rx, rte_eth_rx_burst, c_hrx)
CG_BURST(cg_host_tx, rte_eth_tx_burst, c_htx)
CG_BURST(cg_guest_rx, rte_eth_rx_burst, c_grx)

#define CG_FREE(fn, cnt)                                                     \
	__attribute__((noinline)) void fn(struct rte_mbuf **m, unsigned n);  \
	__attribute__((noinline)) void fn(struct rte_mbuf **m, unsigned n)   \
	{                                                                    \
		rte_pktmbuf_free_bulk(m, n);                                 \
		cnt.calls++;                                                 \
		cnt.packets += n;                                            \
	}
CG_FREE(cg_host_free, c_hfree)
CG_FREE(cg_guest_free, c_gfree)

typedef uint16_t burst_fn(uint16_t, struct rte_mbuf **, uint16_t);
typedef void free_fn(struct rte_mbuf **, unsigned);

/* Uncounted twins for the warm-up. */
static uint16_t plain_tx(uint16_t port, struct rte_mbuf **m, uint16_t n)
{
	return rte_eth_tx_burst(port, 0, m, n);
}

static uint16_t plain_rx(uint16_t port, struct rte_mbuf **m, uint16_t n)
{
	return rte_eth_rx_burst(port, 0, m, n);
}

static void plain_free(struct rte_mbuf **m, unsigned n)
{
	rte_pktmbuf_free_bulk(m, n);
}

/* B frames of len bytes: Ethernet, IPv4, UDP, zero payload. */
static void frames(struct rte_mempool *mp, struct rte_mbuf **m, unsigned n,
		   uint32_t len)
{
	if (rte_pktmbuf_alloc_bulk(mp, m, n))
		fail("mbuf pool empty");
	for (unsigned i = 0; i < n; i++) {
		char *d = rte_pktmbuf_append(m[i], (uint16_t)len);
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)d;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		if (!d)
			fail("frame longer than the mbuf");
		memset(d, 0, len);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->total_length = rte_cpu_to_be_16(
			(uint16_t)(len - sizeof(*eh)));
		ip->src_addr = rte_cpu_to_be_32(0xc6120001); /* 198.18.0.1 */
		ip->dst_addr = rte_cpu_to_be_32(0xc6120002);
		udp->src_port = rte_cpu_to_be_16(9);
		udp->dst_port = rte_cpu_to_be_16(9);
		udp->dgram_len = rte_cpu_to_be_16(
			(uint16_t)(len - sizeof(*eh) - sizeof(*ip)));
		m[i]->l2_len = sizeof(*eh);
		m[i]->l3_len = sizeof(*ip);
	}
}

static void end_up(struct end *e, const char *devargs, struct rte_mempool *mp,
		   uint64_t rx_offloads)
{
	struct rte_eth_conf conf;
	char msg[600];

	if (rte_dev_probe(devargs) ||
	    rte_eth_dev_get_port_by_name(e->name, &e->port)) {
		snprintf(msg, sizeof(msg), "cannot make port %s", devargs);
		fail(msg);
	}
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = rx_offloads;
	if (rte_eth_dev_configure(e->port, 1, 1, &conf) ||
	    rte_eth_rx_queue_setup(e->port, 0, 1024, 0, NULL, mp) ||
	    rte_eth_tx_queue_setup(e->port, 0, 1024, 0, NULL) ||
	    rte_eth_dev_start(e->port)) {
		snprintf(msg, sizeof(msg), "cannot start port %s", e->name);
		fail(msg);
	}
}

/* One direction, one round: n frames out of tx, all of them into rx. */
static void round_trip(struct rte_mempool *mp, uint16_t txp, uint16_t rxp,
		       unsigned n, uint32_t len, burst_fn *tx, burst_fn *rx,
		       free_fn *fr)
{
	struct rte_mbuf *m[MAX_BURST], *got[MAX_BURST];
	unsigned sent, in = 0, tries = 0;

	frames(mp, m, n, len);
	sent = tx(txp, m, (uint16_t)n);
	if (sent < n)
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	while (in < sent) {
		unsigned k = rx(rxp, got, (uint16_t)(sent - in));

		fr(got, k);
		in += k;
		if (!k && ++tries > 1000000)
			fail("frames sent did not arrive");
	}
}

/* Until frames go both ways: links up, the guest attached. */
static void wait_ready(struct rte_mempool *mp, struct end *g, struct end *h,
		       uint32_t len)
{
	struct rte_mbuf *m[1], *got[1];
	double end = now_s() + LINK_WAIT_S;
	int gh = 0, hg = 0;

	while (!(gh && hg)) {
		if (now_s() > end)
			fail("the two ends did not connect");
		if (!gh) {
			frames(mp, m, 1, len);
			if (!rte_eth_tx_burst(g->port, 0, m, 1))
				rte_pktmbuf_free(m[0]);
		}
		if (!hg) {
			frames(mp, m, 1, len);
			if (!rte_eth_tx_burst(h->port, 0, m, 1))
				rte_pktmbuf_free(m[0]);
		}
		usleep(1000);
		while (rte_eth_rx_burst(h->port, 0, got, 1)) {
			rte_pktmbuf_free(got[0]);
			gh = 1;
		}
		while (rte_eth_rx_burst(g->port, 0, got, 1)) {
			rte_pktmbuf_free(got[0]);
			hg = 1;
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmd-cg EAL-ARGS -- --pmd folio|folio-lend|memif|virtio --len BYTES\n"
		"              [--bursts N] [--burst B] [--dir DIR] [--folio-host ARGS]\n"
		"  --pmd         which pair to drive (see the head of pmd-cg.c)\n"
		"  --len         frame length, 60..1518\n"
		"  --bursts      counted rounds each way (default 2000)\n"
		"  --burst       frames per round, 1..64 (default 32)\n"
		"  --dir         where the sockets and the region go (default /tmp)\n"
		"  --folio-host  extra devargs of the net_folio host end\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pmd", required_argument, NULL, 'p' },
		{ "len", required_argument, NULL, 'l' },
		{ "bursts", required_argument, NULL, 'n' },
		{ "burst", required_argument, NULL, 'b' },
		{ "dir", required_argument, NULL, 'd' },
		{ "folio-host", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pmd = NULL, *dir = "/tmp", *fhost = "";
	unsigned long len = 0, bursts = 2000, burst = 32, warm;
	char gargs[512], hargs[512], path[256];
	struct end g, h;
	struct rte_mempool *mp;
	uint64_t host_rx_off = 0;
	int ret, c;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		fail("EAL init failed");
	argc -= ret;
	argv += ret;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pmd = optarg; break;
		case 'l': len = strtoul(optarg, NULL, 10); break;
		case 'n': bursts = strtoul(optarg, NULL, 10); break;
		case 'b': burst = strtoul(optarg, NULL, 10); break;
		case 'd': dir = optarg; break;
		case 'f': fhost = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (!pmd || len < 60 || len > RTE_ETHER_MAX_LEN || !bursts ||
	    !burst || burst > MAX_BURST) {
		usage(stderr);
		return 1;
	}
	mp = rte_pktmbuf_pool_create("pmd_cg", POOL_N, POOL_CACHE, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (!mp)
		fail("cannot make the mbuf pool");
	if (!strcmp(pmd, "folio-lend")) {
		host_rx_off = RTE_ETH_RX_OFFLOAD_SCATTER;
		pmd = "folio";
	}
	if (!strcmp(pmd, "folio")) {
		snprintf(path, sizeof(path), "%s/pmd-cg-%d.region", dir, getpid());
		snprintf(hargs, sizeof(hargs), "net_folio0,role=host,path=%s%s%s",
			 path, *fhost ? "," : "", fhost);
		snprintf(gargs, sizeof(gargs), "net_folio1,role=guest,path=%s", path);
		h.name = "net_folio0";
		g.name = "net_folio1";
	} else if (!strcmp(pmd, "memif")) {
		snprintf(path, sizeof(path), "%s/pmd-cg-%d.sock", dir, getpid());
		snprintf(hargs, sizeof(hargs), "net_memif0,role=server,socket=%s", path);
		snprintf(gargs, sizeof(gargs), "net_memif1,role=client,socket=%s", path);
		h.name = "net_memif0";
		g.name = "net_memif1";
	} else if (!strcmp(pmd, "virtio")) {
		snprintf(path, sizeof(path), "%s/pmd-cg-%d.sock", dir, getpid());
		snprintf(hargs, sizeof(hargs), "net_vhost0,iface=%s,queues=1", path);
		snprintf(gargs, sizeof(gargs),
			 "net_virtio_user0,path=%s,queues=1", path);
		h.name = "net_vhost0";
		g.name = "net_virtio_user0";
	} else {
		usage(stderr);
		return 1;
	}
	/* The host end first: it makes the region or listens on the socket. */
	end_up(&h, hargs, mp, host_rx_off);
	end_up(&g, gargs, mp, 0);
	wait_ready(mp, &g, &h, (uint32_t)len);

	warm = bursts / 10 + 1;
	for (unsigned long i = 0; i < warm; i++) {
		round_trip(mp, g.port, h.port, (unsigned)burst, (uint32_t)len,
			   plain_tx, plain_rx, plain_free);
		round_trip(mp, h.port, g.port, (unsigned)burst, (uint32_t)len,
			   plain_tx, plain_rx, plain_free);
	}
	for (unsigned long i = 0; i < bursts; i++) {
		round_trip(mp, g.port, h.port, (unsigned)burst, (uint32_t)len,
			   cg_guest_tx, cg_host_rx, cg_host_free);
		round_trip(mp, h.port, g.port, (unsigned)burst, (uint32_t)len,
			   cg_host_tx, cg_guest_rx, cg_guest_free);
	}
	static const struct {
		const char *name;
		const struct count *c;
	} out[] = {
		{ "cg_guest_tx", &c_gtx }, { "cg_host_rx", &c_hrx },
		{ "cg_host_free", &c_hfree }, { "cg_host_tx", &c_htx },
		{ "cg_guest_rx", &c_grx }, { "cg_guest_free", &c_gfree },
	};
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		printf("cg %s calls=%lu packets=%lu\n", out[i].name,
		       (unsigned long)out[i].c->calls,
		       (unsigned long)out[i].c->packets);
	fflush(stdout);
	rte_eth_dev_stop(g.port);
	rte_eth_dev_stop(h.port);
	rte_eth_dev_close(g.port);
	rte_eth_dev_close(h.port);
	unlink(path);
	rte_eal_cleanup();
	return 0;
}
