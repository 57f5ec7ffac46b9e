/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seal-peer.c - a sealed Folio guest on a raw Ethernet link, for the
 * interop check with the Linux kernel's macsec (tests/seal/vm-macsec.sh).
 *
 * One process holds both ends of a memfd region: the host endpoint moves
 * frames between an AF_PACKET socket and the ring, unchanged, and the guest
 * endpoint seals and opens them with the config's keys. The guest answers
 * ARP for its address and ICMP echo requests, so a `ping` through a Linux
 * macsec0 on the other end of the link succeeds only if both directions
 * interoperate. On exit it prints its counters on stderr.
 *
 * usage: seal-peer -c GUEST.conf -i IFACE -a IPv4 [-d SECONDS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "folio.h"

static volatile sig_atomic_t stop;

static void on_signal(int s)
{
	(void)s;
	stop = 1;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Answer a plaintext frame in place; @return the reply length or 0. */
static uint32_t answer(uint8_t *f, uint32_t len, const uint8_t mac[6],
		       const uint8_t ip[4], uint64_t *pings)
{
	uint16_t et = (uint16_t)(f[12] << 8 | f[13]);

	if (et == 0x0806 && len >= 42 && f[21] == 1 && !memcmp(f + 38, ip, 4)) {
		memcpy(f, f + 6, 6);
		memcpy(f + 6, mac, 6);
		f[21] = 2;
		memcpy(f + 32, f + 22, 10);  /* target = the asker */
		memcpy(f + 22, mac, 6);
		memcpy(f + 28, ip, 4);
		return 42;
	}
	if (et == 0x0800 && len >= 42 && f[23] == 1 && !memcmp(f + 30, ip, 4)) {
		uint32_t ihl = (f[14] & 0xfu) * 4u, tot = (uint32_t)(f[16] << 8 | f[17]);
		uint8_t t[6];

		if (tot + 14 > len || ihl < 20 || 14 + ihl + 8 > len || f[14 + ihl] != 8)
			return 0;
		memcpy(t, f, 6);
		memcpy(f, f + 6, 6);
		memcpy(f + 6, t, 6);
		memcpy(t, f + 26, 4);
		memcpy(f + 26, f + 30, 4);
		memcpy(f + 30, t, 4);
		f[14 + ihl] = 0;
		f[14 + ihl + 2] = f[14 + ihl + 3] = 0;
		uint16_t c = csum(f + 14 + ihl, tot - ihl);
		f[14 + ihl + 2] = (uint8_t)(c >> 8);
		f[14 + ihl + 3] = (uint8_t)c;
		(*pings)++;
		return 14 + tot;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *ifname = NULL, *addr = NULL;
	struct folio_config gc, hc;
	struct folio_host *h = NULL;
	struct folio_guest *g = NULL;
	static uint8_t wire[4096], plain[2048];
	uint64_t pings = 0, in = 0, out = 0;
	double secs = 60;
	char err[256];
	uint8_t ip[4];
	int o, fd, rc;

	while ((o = getopt(argc, argv, "c:i:a:d:h")) != -1) {
		switch (o) {
		case 'c': conf = optarg; break;
		case 'i': ifname = optarg; break;
		case 'a': addr = optarg; break;
		case 'd': secs = atof(optarg); break;
		default:
			fprintf(stderr, "usage: seal-peer -c GUEST.conf -i IFACE -a IPv4 [-d SECONDS]\n"
				"  a sealed Folio guest answering ARP and ping on IFACE\n");
			return o == 'h' ? 0 : 2;
		}
	}
	if (!conf || !ifname || !addr || inet_pton(AF_INET, addr, ip) != 1) {
		fprintf(stderr, "seal-peer: -c, -i and -a are required (-h for help)\n");
		return 2;
	}
	folio_config_init(&gc);
	if (folio_config_load(&gc, conf, err, sizeof(err)) ||
	    folio_config_validate(&gc, err, sizeof(err))) {
		fprintf(stderr, "seal-peer: %s\n", err);
		return 2;
	}
	hc = gc; /* the host: no keys, the wire MTU */
	hc.mtu += gc.seal.mode ? FOLIO_SEAL_OVERHEAD : 0;
	hc.seal.mode = FOLIO_SEAL_OFF;
	fd = folio_region_memfd(&hc);
	if (fd < 0 || (rc = folio_host_create_fd(&hc, fd, &h)) ||
	    (rc = folio_guest_open_fd(&gc, fd, &g))) {
		fprintf(stderr, "seal-peer: region: %s\n", folio_strerror(fd < 0 ? fd : rc));
		return 1;
	}
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)if_nametoindex(ifname)};
	if (s < 0 || !sll.sll_ifindex || bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "seal-peer: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fprintf(stderr, "seal-peer: up on %s as %s\n", ifname, addr);
	time_t end = time(NULL) + (time_t)secs;
	while (!stop && time(NULL) < end) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);

		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t n = recvfrom(s, wire, sizeof(wire), 0, (struct sockaddr *)&from, &fl);
		if (n < 14 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		const void *wb[1] = {wire};
		void *pb[1] = {plain};
		uint32_t wl = (uint32_t)n, pl = 0;

		if (folio_host_tx_burst(h, 0, wb, &wl, 1) != 1)
			continue; /* too long for the ring, or not attached yet */
		in++;
		if (folio_guest_rx_burst(g, 0, pb, &pl, 1) != 1)
			continue; /* dropped and counted by the seal layer */
		uint32_t rl = answer(plain, pl, gc.guest_mac, ip, &pings);
		const void *rb[1] = {plain};
		void *ob[1] = {wire};

		if (!rl || folio_guest_tx_burst(g, 0, rb, &rl, 1) != 1 ||
		    folio_host_rx_burst(h, 0, ob, &wl, 1) != 1)
			continue;
		if (send(s, wire, wl, 0) == (ssize_t)wl)
			out++;
	}
	struct folio_stats st;

	folio_guest_stats(g, 0, &st);
	fprintf(stderr, "seal-peer: exit: frames_in=%" PRIu64 " frames_out=%" PRIu64
		" pings=%" PRIu64, in, out, pings);
	for (unsigned k = FOLIO_STAT_SEAL_BAD_FRAME; k <= FOLIO_STAT_SEAL_REPLAY; k++)
		fprintf(stderr, " %s=%" PRIu64, folio_stat_name(k), st.v[k]);
	fprintf(stderr, " state=%s\n", folio_qstate_name(st.state));
	folio_guest_close(g);
	folio_host_close(h);
	close(fd);
	close(s);
	return 0;
}
