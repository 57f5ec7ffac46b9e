/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbufs.c - what net_folio does to the application's mbufs, seen from
 * the application: one process, both roles, two channels.
 *
 *   pair A: net_folio0 role=host on region A, net_folio1 role=guest on A;
 *   pair B: net_folio2 role=host with RX_OFFLOAD_SCATTER (lends) on region
 *           B, net_folio3 role=guest with TX_OFFLOAD_MBUF_FAST_FREE on B.
 *
 * Receive: the rx pools are dirtied first (every mbuf taken, its data_off,
 * ol_flags, packet_type, vlan_tci and port set to junk, then freed the way
 * an application frees), so an mbuf the PMD hands out must have been set
 * again field by field: headroom, one reference, one segment (two when
 * lent), the port, no flags, no packet type, no VLAN, the lengths, and the
 * bytes the peer sent.
 * Pair B's rx pools have a per-lcore cache, which the PMD's refill takes
 * from, and a private area behind each mbuf, which moves the data room.
 * Forty more bursts each way make pair B refill from those caches; once
 * the ports are closed, every rx pool holds each of its mbufs once.
 *
 * Transmit: every mbuf a burst reports sent must go back to its own pool
 * exactly once, counted with cache-less pools (rte_mempool_avail_count):
 * plain single-segment mbufs, mbufs with a second reference, indirect
 * clones, a burst mixing two pools, chained segments, and the same on a
 * fast-free queue.
 *
 *   fp_mbufs REGION_A REGION_B [EAL args...]
 *
 * Exit 0 when every check passed, 1 on the first failure (message on
 * stderr), 77 when the EAL or the PMD is not there.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define NB 32u		/* frames per burst, and per case */
#define POOL_N 511u	/* mbufs in every pool */
#define DEADLINE_S 10.0 /* per wait */
#define RX_CACHE 320u	/* per-lcore cache of pair B's rx pools (<= POOL_N / 1.5) */
#define RX_PRIV 64u	/* private bytes behind each of their mbufs */

static unsigned checks, lent_seen;
static uint32_t seqno; /* of the next frame sent */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fp_mbufs: FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

#define CHECK(cond, ...)                  \
	do {                              \
		checks++;                 \
		if (!(cond))              \
			die(__VA_ARGS__); \
	} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A cache-less pool with no private area, counted exactly by
 * rte_mempool_avail_count; pool_ex for rx: with a per-lcore cache (so the
 * PMD's refill takes mbufs from it) and a private area behind each mbuf
 * (so a frame's room is not at a fixed distance from sizeof(mbuf)). */
static struct rte_mempool *pool_ex(const char *name, unsigned cache,
				   uint16_t priv)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create(
		name, POOL_N, cache, priv, RTE_MBUF_DEFAULT_BUF_SIZE,
		SOCKET_ID_ANY);

	if (!mp)
		die("pool %s: %s", name, rte_strerror(rte_errno));
	return mp;
}

static struct rte_mempool *pool(const char *name)
{
	return pool_ex(name, 0, 0);
}

/* Take every mbuf of mp, leave junk in what a reset would clear, give them
 * back the way an application does. */
static void dirty(struct rte_mempool *mp)
{
	struct rte_mbuf *m[POOL_N];
	unsigned n = rte_mempool_avail_count(mp);

	if (rte_pktmbuf_alloc_bulk(mp, m, n))
		die("dirty: alloc");
	for (unsigned i = 0; i < n; i++) {
		rte_pktmbuf_adj(m[i], 0);
		m[i]->data_off = (uint16_t)(RTE_PKTMBUF_HEADROOM / 2 + i % 8);
		m[i]->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_RSS_HASH |
				 RTE_MBUF_F_RX_L4_CKSUM_BAD;
		m[i]->packet_type = 0x1234567u;
		m[i]->vlan_tci = 0xabc;
		m[i]->port = 77;
		m[i]->hash.rss = 0xdeadbeef;
	}
	rte_pktmbuf_free_bulk(m, n);
}

static uint8_t pat(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131u + i * 7u + (i >> 8));
}

/* One frame of len bytes for sequence number seq, in one mbuf of mp or, with
 * segs 2, in two chained mbufs of mp. */
static struct rte_mbuf *frame(struct rte_mempool *mp, uint32_t seq,
			      uint32_t len, unsigned segs)
{
	uint32_t first = segs == 2 ? len / 3 : len;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *t;
	uint8_t *d;

	if (!m || !(d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)first)))
		die("frame: alloc");
	for (uint32_t i = 0; i < first; i++)
		d[i] = pat(seq, i);
	if (segs == 2) {
		t = rte_pktmbuf_alloc(mp);
		if (!t || !(d = (uint8_t *)rte_pktmbuf_append(
				    t, (uint16_t)(len - first))))
			die("frame: alloc");
		for (uint32_t i = first; i < len; i++)
			d[i - first] = pat(seq, i);
		if (rte_pktmbuf_chain(m, t))
			die("frame: chain");
	}
	return m;
}

struct port {
	uint16_t id;
	const char *name;
	struct rte_mempool *rx;
};

static void port_up(struct port *p, uint64_t rx_off, uint64_t tx_off,
		    unsigned rx_cache, uint16_t rx_priv)
{
	struct rte_eth_conf conf;
	struct rte_eth_txconf txc;
	struct rte_eth_dev_info info;

	if (rte_eth_dev_get_port_by_name(p->name, &p->id))
		die("%s: no such port", p->name);
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = rx_off;
	conf.txmode.offloads = tx_off;
	if (rte_eth_dev_info_get(p->id, &info))
		die("%s: info", p->name);
	CHECK((info.tx_offload_capa & tx_off) == tx_off,
	      "%s: tx offloads %#llx not offered", p->name,
	      (unsigned long long)tx_off);
	if (rte_eth_dev_configure(p->id, 1, 1, &conf))
		die("%s: configure", p->name);
	p->rx = pool_ex(p->name, rx_cache, rx_priv);
	dirty(p->rx);
	if (rte_eth_rx_queue_setup(p->id, 0, 256, 0, NULL, p->rx))
		die("%s: rx queue setup", p->name);
	txc = info.default_txconf;
	txc.offloads = tx_off;
	if (rte_eth_tx_queue_setup(p->id, 0, 256, 0, &txc))
		die("%s: tx queue setup", p->name);
	if (rte_eth_dev_start(p->id))
		die("%s: start", p->name);
}

/* Send all n mbufs from tx (retrying while the peer is not there yet or
 * the ring is full), receive them on rx and check each one. lend: rx lends
 * what follows the first 128 bytes of frames longer than that (or, in copy
 * mode, copies them whole). */
static void xfer(struct port *tx, struct port *rx, struct rte_mbuf **m,
		 unsigned n, const uint32_t *seq, int lend)
{
	struct rte_mbuf *got[NB];
	uint32_t lens[NB];
	unsigned sent = 0, recv = 0;
	double end = now_s() + DEADLINE_S;

	for (unsigned i = 0; i < n; i++)
		lens[i] = m[i]->pkt_len;
	while (recv < n) {
		if (now_s() > end)
			die("%s -> %s: %u of %u sent, %u received in %.0f s",
			    tx->name, rx->name, sent, n, recv, DEADLINE_S);
		if (sent < n)
			sent += rte_eth_tx_burst(tx->id, 0, m + sent,
						 (uint16_t)(n - sent));
		unsigned k = rte_eth_rx_burst(rx->id, 0, got,
					      (uint16_t)(n - recv));
		for (unsigned j = 0; j < k; j++, recv++) {
			struct rte_mbuf *g = got[j];
			uint32_t len = lens[recv];
			uint8_t tmp[RTE_ETHER_MAX_LEN];
			const uint8_t *d;
			/* A burst of short frames only puts the queue in copy
			 * mode, where the next long frames are copied whole. */
			int lent = lend && len > 128 && g->nb_segs == 2;

			lent_seen += (unsigned)lent;
			CHECK(g->pool == rx->rx, "%s: mbuf of another pool",
			      rx->name);
			CHECK(g->data_off == RTE_PKTMBUF_HEADROOM,
			      "%s: data_off %u", rx->name, g->data_off);
			CHECK(rte_mbuf_refcnt_read(g) == 1, "%s: refcnt %u",
			      rx->name, rte_mbuf_refcnt_read(g));
			CHECK(g->nb_segs == (lent ? 2 : 1), "%s: %u segments",
			      rx->name, g->nb_segs);
			CHECK(lent ? g->next != NULL : g->next == NULL,
			      "%s: next %p", rx->name, (void *)g->next);
			CHECK(g->port == rx->id, "%s: port %u", rx->name,
			      g->port);
			CHECK(g->ol_flags == 0, "%s: ol_flags %#llx", rx->name,
			      (unsigned long long)g->ol_flags);
			CHECK(g->packet_type == 0, "%s: packet_type %#x",
			      rx->name, g->packet_type);
			CHECK(g->vlan_tci == 0, "%s: vlan_tci %#x", rx->name,
			      g->vlan_tci);
			CHECK(g->pkt_len == len, "%s: pkt_len %u, sent %u",
			      rx->name, g->pkt_len, len);
			CHECK(g->data_len == (lent ? 128 : len),
			      "%s: data_len %u", rx->name, g->data_len);
			d = rte_pktmbuf_read(g, 0, len, tmp);
			CHECK(d != NULL, "%s: read", rx->name);
			for (uint32_t i = 0; i < len; i++)
				CHECK(d[i] == pat(seq[recv], i),
				      "%s: frame %u byte %u: %#x, sent %#x",
				      rx->name, recv, i, d[i],
				      pat(seq[recv], i));
			rte_pktmbuf_free(g);
		}
	}
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a;
	uintptr_t y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* Once the ports are closed, every mbuf of an rx pool is back in it
 * (its ring and caches) exactly once: POOL_N distinct mbufs. */
static void want_whole(struct rte_mempool *mp)
{
	void *m[POOL_N];
	unsigned n = rte_mempool_avail_count(mp);

	CHECK(n == POOL_N, "pool %s holds %u mbufs after close, expected %u",
	      mp->name, n, POOL_N);
	if (rte_mempool_get_bulk(mp, m, n))
		die("pool %s: cannot take its %u mbufs", mp->name, n);
	qsort(m, n, sizeof(m[0]), ptr_cmp);
	for (unsigned i = 1; i < n; i++)
		CHECK(m[i] != m[i - 1], "pool %s holds mbuf %p twice",
		      mp->name, m[i]);
	rte_mempool_put_bulk(mp, m, n);
}

static void want_avail(struct rte_mempool *mp, unsigned want, const char *what)
{
	unsigned n = rte_mempool_avail_count(mp);

	CHECK(n == want, "%s: pool %s holds %u mbufs, expected %u", what,
	      mp->name, n, want);
}

/* The transmit cases on tx (-> rx). fast: tx has fast free, so only the
 * cases within its promise (one pool, one reference) are sent. */
static void tx_cases(struct port *tx, struct port *rx, int fast, int lend)
{
	struct rte_mempool *a, *b, *c;
	struct rte_mbuf *m[NB], *orig[NB];
	uint32_t seq[NB];
	char name[32];

	snprintf(name, sizeof(name), "%s-a", tx->name);
	a = pool(name);
	snprintf(name, sizeof(name), "%s-b", tx->name);
	b = pool(name);
	snprintf(name, sizeof(name), "%s-c", tx->name);
	c = pool(name);

	/* plain: one pool, one reference, one segment */
	for (unsigned i = 0; i < NB; i++)
		m[i] = frame(a, seq[i] = seqno++, 60 + i * 45, 1);
	xfer(tx, rx, m, NB, seq, lend);
	want_avail(a, POOL_N, "plain");

	/* chained segments */
	for (unsigned i = 0; i < NB; i++)
		m[i] = frame(a, seq[i] = seqno++, 100 + i * 40, 2);
	want_avail(a, POOL_N - 2 * NB, "chained, before");
	xfer(tx, rx, m, NB, seq, lend);
	want_avail(a, POOL_N, "chained");

	if (!fast) {
		/* a second reference: the PMD drops one, the mbuf stays */
		for (unsigned i = 0; i < NB; i++) {
			m[i] = frame(a, seq[i] = seqno++, 64 + i, 1);
			rte_mbuf_refcnt_update(m[i], 1);
			orig[i] = m[i];
		}
		xfer(tx, rx, m, NB, seq, lend);
		want_avail(a, POOL_N - NB, "second reference");
		for (unsigned i = 0; i < NB; i++)
			CHECK(rte_mbuf_refcnt_read(orig[i]) == 1,
			      "second reference: refcnt %u",
			      rte_mbuf_refcnt_read(orig[i]));
		rte_pktmbuf_free_bulk(orig, NB);
		want_avail(a, POOL_N, "second reference, freed");

		/* indirect clones in pool c of mbufs in pool a */
		for (unsigned i = 0; i < NB; i++) {
			orig[i] = frame(a, seq[i] = seqno++, 200 + i, 1);
			m[i] = rte_pktmbuf_clone(orig[i], c);
			if (!m[i])
				die("clone");
		}
		xfer(tx, rx, m, NB, seq, lend);
		want_avail(c, POOL_N, "clones");
		want_avail(a, POOL_N - NB, "clones' parents");
		rte_pktmbuf_free_bulk(orig, NB);
		want_avail(a, POOL_N, "clones' parents, freed");

		/* one burst, two pools */
		for (unsigned i = 0; i < NB; i++)
			m[i] = frame(i % 3 ? a : b, seq[i] = seqno++, 90 + i, 1);
		xfer(tx, rx, m, NB, seq, lend);
		want_avail(a, POOL_N, "two pools, a");
		want_avail(b, POOL_N, "two pools, b");
	}
	rte_mempool_free(a);
	rte_mempool_free(b);
	rte_mempool_free(c);
}

/* Plain bursts, enough for the receiver to refill its stash several times
 * (from its pool's cache, when it has one). */
static void plain_rounds(struct port *tx, struct port *rx, int lend,
			 unsigned rounds)
{
	struct rte_mbuf *m[NB];
	struct rte_mempool *a;
	uint32_t seq[NB];
	char name[32];

	snprintf(name, sizeof(name), "%s-p", tx->name);
	a = pool(name);
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < NB; i++)
			m[i] = frame(a, seq[i] = seqno++, 60 + (r + i) % 64, 1);
		xfer(tx, rx, m, NB, seq, lend);
	}
	want_avail(a, POOL_N, "plain rounds");
	rte_mempool_free(a);
}

int main(int argc, char **argv)
{
	struct port ha = { .name = "net_folio0" }, ga = { .name = "net_folio1" };
	struct port hb = { .name = "net_folio2" }, gb = { .name = "net_folio3" };
	char va0[512], va1[512], vb0[512], vb1[512];
	char *eal[64];
	int n = 0;

	if (argc < 3 || argc > 40) {
		fprintf(stderr, "usage: fp_mbufs REGION_A REGION_B [EAL args]\n");
		return 1;
	}
	snprintf(va0, sizeof(va0), "--vdev=net_folio0,role=host,path=%s", argv[1]);
	snprintf(va1, sizeof(va1), "--vdev=net_folio1,role=guest,path=%s", argv[1]);
	snprintf(vb0, sizeof(vb0), "--vdev=net_folio2,role=host,path=%s", argv[2]);
	snprintf(vb1, sizeof(vb1), "--vdev=net_folio3,role=guest,path=%s", argv[2]);
	eal[n++] = argv[0];
	for (int i = 3; i < argc; i++)
		eal[n++] = argv[i];
	eal[n++] = va0;
	eal[n++] = va1;
	eal[n++] = vb0;
	eal[n++] = vb1;
	eal[n] = NULL;
	if (rte_eal_init(n, eal) < 0) {
		fprintf(stderr, "fp_mbufs: SKIP: EAL: %s\n",
			rte_strerror(rte_errno));
		return 77;
	}
	if (rte_eth_dev_count_avail() < 4) {
		fprintf(stderr, "fp_mbufs: SKIP: net_folio ports not probed\n");
		return 77;
	}
	/* Pair A receives into cache-less pools, pair B into pools with a
	 * cache of RX_CACHE and a private area of RX_PRIV bytes. */
	port_up(&ha, 0, 0, 0, 0);
	port_up(&ga, 0, 0, 0, 0);
	port_up(&hb, RTE_ETH_RX_OFFLOAD_SCATTER, 0, RX_CACHE, RX_PRIV);
	port_up(&gb, 0, RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE, RX_CACHE, RX_PRIV);

	tx_cases(&ga, &ha, 0, 0); /* guest tx, host rx (copy) */
	tx_cases(&ha, &ga, 0, 0); /* host tx, guest rx */
	tx_cases(&gb, &hb, 1, 1); /* guest tx fast free, host rx lending */
	tx_cases(&hb, &gb, 0, 0); /* host tx, guest rx */
	CHECK(lent_seen > NB, "the host lent only %u frames", lent_seen);
	plain_rounds(&gb, &hb, 1, 40);
	plain_rounds(&hb, &gb, 0, 40);

	for (uint16_t p = 0; p < 4; p++)
		rte_eth_dev_stop(p);
	for (uint16_t p = 0; p < 4; p++)
		rte_eth_dev_close(p);
	want_whole(ha.rx);
	want_whole(ga.rx);
	want_whole(hb.rx);
	want_whole(gb.rx);
	printf("fp_mbufs: %u checks passed\n", checks);
	rte_eal_cleanup();
	return 0;
}
