/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-pingpong - round-trip latency between two DPDK processes over one
 * port each (net_memif, or net_virtio_user and net_vhost), so that the
 * peers of Folio get the same ping-pong as folio-perf --latency: one frame
 * out, wait for it to come back, one sample.
 *
 *   dpdk-pingpong EAL-ARGS -- --role pong
 *   dpdk-pingpong EAL-ARGS -- --role ping [-n PINGS] [-l LEN]
 *
 * The pong side sends every frame back. The ping side prints one line:
 *   latency_us samples=N min=.. p50=.. p90=.. p99=.. p99_9=.. max=..
 * A ping not answered within 20 ms (the link coming up) is sent again and
 * not counted, nor are the first WARMUP pings. The pong side stops on SIGINT/SIGTERM or after 60 idle s.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

/* Answered pings not counted: the first ones meet a link coming up. */
#define WARMUP 100

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *s, uint64_t n, double p)
{
	uint64_t i = (uint64_t)(p / 100.0 * (double)n + 0.999999);

	if (i)
		i--;
	if (i >= n)
		i = n - 1;
	return (double)s[i] / 1000.0;
}

static int pong(uint16_t port)
{
	struct rte_mbuf *m[32];
	uint64_t last = now_ns();

	while (!stop && now_ns() - last < 60ull * 1000000000ull) {
		uint16_t n = rte_eth_rx_burst(port, 0, m, 32), s = 0;

		if (!n)
			continue;
		last = now_ns();
		while (s < n && !stop) {
			s += rte_eth_tx_burst(port, 0, m + s, (uint16_t)(n - s));
		}
		while (s < n)
			rte_pktmbuf_free(m[s++]);
	}
	return 0;
}

static int ping(uint16_t port, struct rte_mempool *mp, uint64_t count,
		uint32_t len)
{
	uint64_t *lat = malloc(count * sizeof(uint64_t)), got = 0, seq = 0;
	uint64_t deadline = now_ns() + 120ull * 1000000000ull;

	if (!lat)
		return 1;
	while (got < count && !stop && now_ns() < deadline) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *r[8];
		uint64_t t0, sent_seq = ++seq;
		uint8_t *p;
		int done = 0;

		if (!m)
			return 1;
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
		memset(p, 0, len);
		memset(p, 0xff, 6);             /* broadcast destination */
		p[6] = 0x02;                    /* local source */
		p[12] = 0x88;
		p[13] = 0xb5;                   /* local experimental ethertype */
		memcpy(p + 16, &sent_seq, 8);
		t0 = now_ns();
		if (rte_eth_tx_burst(port, 0, &m, 1) != 1) {
			rte_pktmbuf_free(m);
			continue;
		}
		while (!done && !stop && now_ns() - t0 < 20000000ull) {
			uint16_t n = rte_eth_rx_burst(port, 0, r, 8);

			for (uint16_t i = 0; i < n; i++) {
				uint64_t s;

				if (rte_pktmbuf_data_len(r[i]) >= 24) {
					memcpy(&s, rte_pktmbuf_mtod_offset(r[i], uint8_t *, 16), 8);
					if (s == sent_seq) {
						if (seq > WARMUP)
							lat[got++] = now_ns() - t0;
						done = 1;
					}
				}
				rte_pktmbuf_free(r[i]);
			}
		}
	}
	if (!got) {
		fprintf(stderr, "dpdk-pingpong: no answer from the pong side\n");
		return 1;
	}
	qsort(lat, got, sizeof(uint64_t), cmp_u64);
	printf("latency_us samples=%llu min=%.3f p50=%.3f p90=%.3f p99=%.3f p99_9=%.3f max=%.3f\n",
	       (unsigned long long)got, (double)lat[0] / 1000.0, pct(lat, got, 50),
	       pct(lat, got, 90), pct(lat, got, 99), pct(lat, got, 99.9),
	       (double)lat[got - 1] / 1000.0);
	free(lat);
	return got == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct rte_eth_conf conf;
	struct rte_mempool *mp;
	const char *role = NULL;
	uint64_t count = 100000;
	uint32_t len = 64;
	uint16_t port = 0;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dpdk-pingpong: EAL init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			count = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-l") && i + 1 < argc)
			len = (uint32_t)strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: dpdk-pingpong EAL-ARGS -- --role ping|pong "
				"[-n PINGS] [-l LEN]\n");
			return 2;
		}
	}
	if (!role || (strcmp(role, "ping") && strcmp(role, "pong")) || !count ||
	    len < 60 || len > 1518) {
		fprintf(stderr, "dpdk-pingpong: --role ping|pong, -n >= 1, -l 60..1518\n");
		return 2;
	}
	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "dpdk-pingpong: no port (give one --vdev)\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	mp = rte_pktmbuf_pool_create("pp", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	memset(&conf, 0, sizeof(conf));
	if (!mp || rte_eth_dev_configure(port, 1, 1, &conf) ||
	    rte_eth_rx_queue_setup(port, 0, 256, (unsigned)rte_eth_dev_socket_id(port),
				   NULL, mp) ||
	    rte_eth_tx_queue_setup(port, 0, 256, (unsigned)rte_eth_dev_socket_id(port),
				   NULL) ||
	    rte_eth_dev_start(port)) {
		fprintf(stderr, "dpdk-pingpong: port setup failed\n");
		return 1;
	}
	rc = !strcmp(role, "pong") ? pong(port) : ping(port, mp, count, len);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	return rc;
}
