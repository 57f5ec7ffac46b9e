/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio-tapd - the guest side: a TAP interface <-> one Folio queue.
 *
 *   folio-tapd -c CONFIG [--region PATH] [--tap NAME] [--queue N]
 *              [--stats SEC] [--duration SEC]
 *
 * The guest kernel sees an ordinary Ethernet interface (MAC and MTU from
 * the fixed config), so unmodified applications use Folio as their NIC.
 * Frames are moved by polling: io_uring keeps a batch of TAP reads in
 * flight and takes the TAP writes in batches; the channel is polled with
 * folio_guest_rx_burst/tx_burst. Each frame is copied once between the
 * region and a private buffer (by the library); the kernel's copy between
 * the TAP and that buffer is the one every TAP device makes.
 *
 * While the host is away (not started yet, restarting, killed) the calls
 * return FOLIO_ENOTREADY and frames from the TAP are dropped, as a NIC
 * without link would; the library re-attaches to the next host epoch by
 * itself. Nothing is negotiated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#include "folio.h"
#include "tool.h"

#define NREAD 64u   /* TAP reads kept in flight */
#define NWRITE 256u /* TAP write buffers */
#define BURST 32u
#define UD_WRITE (1ull << 32)

enum tstat {
	T_TAP_RX,       /* frames read from the TAP */
	T_TO_HOST,      /* ... accepted by the ring */
	T_TO_HOST_BYTES,
	T_TX_WAIT,      /* polls that found the ring full (frames kept) */
	T_DROP_DOWN,    /* ... dropped: host not attached or channel failed */
	T_DROP_RUNT,    /* ... dropped: shorter than an Ethernet header */
	T_FROM_HOST,    /* frames taken from the ring */
	T_FROM_HOST_BYTES,
	T_TAP_TX,       /* ... written to the TAP */
	T_TAP_TX_ERR,
	T_TAP_TX_DROP,  /* ... dropped: no submission entry */
	T_WBUF_WAIT,    /* polls that left frames in the ring: all writes busy */
	T_READ_ERR,
	T_NOT_READY,    /* calls that found the host away */
	T_PEER_ERR,     /* protocol violations reported by the library */
	T__COUNT
};

static const char *const tstat_name[T__COUNT] = {
	"tap_rx", "to_host", "to_host_bytes", "tx_wait", "drop_down",
	"drop_runt", "from_host", "from_host_bytes", "tap_tx", "tap_tx_err",
	"tap_tx_drop", "wbuf_wait", "read_err", "not_ready", "peer_err",
};

/* How long tap_create() waits for a TAP name still held by a dead owner. */
#define TAP_BUSY_WAIT_MS 50
#define TAP_BUSY_TRIES 200
static uint64_t st[T__COUNT];

/* Longest --stats or --duration: a year. */
#define MAX_SECONDS 31536000.0

static int bad_arg(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "folio-tapd: %s '%s': expected %s\n", opt, val, want);
	return 2;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: folio-tapd -c CONFIG [--region PATH] [--tap NAME] [--queue N]\n"
		"                  [--stats SEC] [--duration SEC] [--idle-spin N]\n"
		"  -c, --config CONFIG  the fixed configuration (key = value file)\n"
		"  --region PATH        override the config's region\n"
		"  --tap NAME           TAP interface to create (default folio0)\n"
		"  --queue N            the queue pair to bridge (default 0)\n"
		"  --stats SEC          print counters every SEC seconds (0: at exit only)\n"
		"  --duration SEC       stop after SEC seconds (0: run until SIGINT/SIGTERM)\n"
		"  --idle-spin N        idle polls before the first sleep (default 1024)\n");
}

static int tap_create(const char *name, const struct folio_config *cfg)
{
	struct ifreq ifr;
	int fd, s;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "folio-tapd: /dev/net/tun: %s\n", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	/*
	 * EBUSY means a previous owner of this TAP name still holds it: a
	 * folio-tapd killed a moment ago whose tun file (also referenced by
	 * its io_uring) the kernel releases asynchronously. Wait for it, for
	 * a bounded time, instead of failing the restart.
	 */
	for (int tries = 0;; tries++) {
		if (ioctl(fd, TUNSETIFF, &ifr) == 0)
			break;
		if (errno == EBUSY && tries < TAP_BUSY_TRIES && !tool_stop) {
			if (tries == 0)
				fprintf(stderr, "folio-tapd: %s is still held by a previous owner; "
						"waiting up to %d s\n", name,
					TAP_BUSY_TRIES * TAP_BUSY_WAIT_MS / 1000);
			usleep(TAP_BUSY_WAIT_MS * 1000);
			continue;
		}
		fprintf(stderr, "folio-tapd: TUNSETIFF %s: %s\n", name, strerror(errno));
		close(fd);
		return -1;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto fail;
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, cfg->guest_mac, 6);
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
		goto fail;
	ifr.ifr_mtu = (int)cfg->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		goto fail;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	close(s);
	return fd;
fail:
	fprintf(stderr, "folio-tapd: configuring %s: %s\n", name, strerror(errno));
	if (s >= 0)
		close(s);
	close(fd);
	return -1;
}

static void print_stats(const char *when, struct folio_guest *g, unsigned q)
{
	struct folio_stats fs;
	struct tool_line l;

	tool_line_init(&l, "folio-tapd: %s:", when);
	tool_line_counters(&l, tstat_name, st, T__COUNT);
	if (g && folio_guest_stats(g, q, &fs) == 0) {
		tool_line_add(&l, " state=%s epoch=%u attach=%" PRIu64 " violations=%" PRIu64,
			      folio_qstate_name(fs.state), fs.epoch,
			      fs.v[FOLIO_STAT_ATTACH], tool_violations(&fs));
		/* Sealed channel: frames dropped on receive (0 when clear). */
		for (unsigned k = FOLIO_STAT_SEAL_BAD_FRAME; k <= FOLIO_STAT_SEAL_REPLAY; k++)
			tool_line_add(&l, " %s=%" PRIu64, folio_stat_name(k), fs.v[k]);
	}
	tool_line_print(&l);
}

struct bridge {
	struct io_uring ring;
	struct folio_guest *g;
	unsigned q;
	int fd;
	uint32_t frame;            /* buffer size: the config's max frame */
	uint8_t *rbuf;             /* NREAD read buffers */
	uint8_t *wbuf;             /* NWRITE write buffers */
	uint32_t wfree[NWRITE];    /* stack of free write buffers */
	unsigned nwfree;
	unsigned pending;          /* SQEs prepared, not yet submitted */
	/* Frames read, waiting for the ring. */
	const void *tx[NREAD];
	uint32_t txlen[NREAD];
	uint32_t txid[NREAD];
	unsigned ntx;
};

static int post_read(struct bridge *b, uint32_t i)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);

	if (!sqe)
		return -1;
	io_uring_prep_read(sqe, b->fd, b->rbuf + (size_t)i * b->frame, b->frame, 0);
	io_uring_sqe_set_data64(sqe, i);
	b->pending++;
	return 0;
}

static void report(int rc, const char *what)
{
	static int last;

	if (rc == FOLIO_ENOTREADY) {
		st[T_NOT_READY]++;
		return;
	}
	if (rc == FOLIO_EPEER)
		st[T_PEER_ERR]++;
	/* Latched errors repeat on every call: say each new one once. */
	if (rc != last || rc == FOLIO_EPEER)
		fprintf(stderr, "folio-tapd: %s: %s\n", what, folio_strerror(rc));
	last = rc;
}

/* Push the frames read so far into the ring. Frames the ring has no room
 * for stay queued and their reads are not re-posted: the TAP's own queue
 * then fills and the kernel pushes back on the sender instead of losing
 * frames. Only while the host is away are frames dropped, as a NIC without
 * link would. */
static unsigned flush_tx(struct bridge *b)
{
	unsigned n = b->ntx, done;
	int rc;

	if (!n)
		return 0;
	rc = folio_guest_tx_burst(b->g, b->q, b->tx, b->txlen, n);
	if (rc >= 0) {
		uint64_t bytes = 0;

		for (int i = 0; i < rc; i++)
			bytes += b->txlen[i];
		st[T_TO_HOST] += (unsigned)rc;
		st[T_TO_HOST_BYTES] += bytes;
		done = (unsigned)rc;
	} else {
		report(rc, "tx");
		st[T_DROP_DOWN] += n;
		done = n;
	}
	for (unsigned i = 0; i < done; i++)
		(void)post_read(b, b->txid[i]);
	if (done < n) {
		st[T_TX_WAIT]++;
		memmove(b->tx, b->tx + done, (n - done) * sizeof(b->tx[0]));
		memmove(b->txlen, b->txlen + done, (n - done) * sizeof(b->txlen[0]));
		memmove(b->txid, b->txid + done, (n - done) * sizeof(b->txid[0]));
	}
	b->ntx = n - done;
	return done;
}

static unsigned reap(struct bridge *b)
{
	struct io_uring_cqe *cqes[NREAD + NWRITE];
	unsigned n = io_uring_peek_batch_cqe(&b->ring, cqes, NREAD + NWRITE);

	for (unsigned i = 0; i < n; i++) {
		uint64_t ud = io_uring_cqe_get_data64(cqes[i]);
		int res = cqes[i]->res;

		if (ud & UD_WRITE) {
			b->wfree[b->nwfree++] = (uint32_t)ud;
			if (res < 0)
				st[T_TAP_TX_ERR]++;
			else
				st[T_TAP_TX]++;
			continue;
		}
		if (res < (int)FOLIO_MIN_FRAME) {
			if (res < 0 && res != -EAGAIN && res != -EINTR)
				st[T_READ_ERR]++;
			else if (res >= 0)
				st[T_DROP_RUNT]++;
			if (res == -EBADFD || res == -EIO)
				tool_stop = 1; /* the interface is gone */
			(void)post_read(b, (uint32_t)ud);
			continue;
		}
		st[T_TAP_RX]++;
		b->tx[b->ntx] = b->rbuf + (size_t)ud * b->frame;
		b->txlen[b->ntx] = (uint32_t)res;
		b->txid[b->ntx] = (uint32_t)ud;
		if (++b->ntx == NREAD)
			flush_tx(b);
	}
	if (n)
		io_uring_cq_advance(&b->ring, n);
	return n;
}

static unsigned from_host(struct bridge *b)
{
	void *bufs[BURST];
	uint32_t lens[BURST], ids[BURST];
	unsigned want = b->nwfree < BURST ? b->nwfree : BURST;
	int rc;

	if (!want) {
		st[T_WBUF_WAIT]++; /* the frames wait in the ring */
		return 0;
	}
	for (unsigned i = 0; i < want; i++) {
		ids[i] = b->wfree[b->nwfree - 1 - i];
		bufs[i] = b->wbuf + (size_t)ids[i] * b->frame;
	}
	rc = folio_guest_rx_burst(b->g, b->q, bufs, lens, want);
	if (rc <= 0) {
		if (rc < 0)
			report(rc, "rx");
		return 0;
	}
	b->nwfree -= (unsigned)rc;
	for (int i = 0; i < rc; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);

		st[T_FROM_HOST]++;
		st[T_FROM_HOST_BYTES] += lens[i];
		if (!sqe) {
			io_uring_submit(&b->ring);
			b->pending = 0;
			sqe = io_uring_get_sqe(&b->ring);
		}
		if (!sqe) {
			st[T_TAP_TX_DROP]++;
			b->wfree[b->nwfree++] = ids[i];
			continue;
		}
		io_uring_prep_write(sqe, b->fd, bufs[i], lens[i], 0);
		io_uring_sqe_set_data64(sqe, UD_WRITE | ids[i]);
		b->pending++;
	}
	return (unsigned)rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "region", required_argument, NULL, 'R' },
		{ "tap", required_argument, NULL, 't' },
		{ "queue", required_argument, NULL, 'q' },
		TOOL_LOOP_OPTIONS,
	};
	const char *cfg_path = NULL, *region = NULL, *tap = "folio0";
	double stats_s = 0, duration_s = 0, t0, deadline = 0, next_stats;
	struct folio_config cfg;
	struct folio_backoff bo;
	struct bridge b;
	char err[256];
	unsigned long q = 0, spin = 0;
	int c, rc;

	tool_init("folio-tapd");
	tool_set_log();
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg_path = optarg; break;
		case 'R': region = optarg; break;
		case 't': tap = optarg; break;
		case 'q':
			if (tool_parse_ulong(optarg, 0, FOLIO_MAX_QUEUES - 1, &q))
				return bad_arg("--queue", optarg, "an integer 0..15");
			break;
		case 'i':
			if (tool_parse_ulong(optarg, 1, 1000000, &spin))
				return bad_arg("--idle-spin", optarg, "an integer 1..1000000");
			break;
		case 's':
			if (tool_parse_seconds(optarg, MAX_SECONDS, &stats_s))
				return bad_arg("--stats", optarg, "seconds, 0..31536000");
			break;
		case 'd':
			if (tool_parse_seconds(optarg, MAX_SECONDS, &duration_s))
				return bad_arg("--duration", optarg, "seconds, 0..31536000");
			break;
		default: /* --help, or an option getopt refused */
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	if (!cfg_path || optind != argc || strlen(tap) >= IFNAMSIZ) {
		usage();
		return 2;
	}
	folio_config_init(&cfg);
	if (folio_config_load(&cfg, cfg_path, err, sizeof(err)) ||
	    (region && folio_config_set(&cfg, "region", region, err, sizeof(err))) ||
	    folio_config_validate(&cfg, err, sizeof(err))) {
		fprintf(stderr, "folio-tapd: %s\n", err);
		return 2;
	}
	if (!cfg.region[0] || q >= cfg.queues) {
		fprintf(stderr, "folio-tapd: %s\n", !cfg.region[0] ? "no region given" :
			"--queue is not below the config's queues");
		return 2;
	}
	if (tool_signals()) {
		fprintf(stderr, "folio-tapd: sigaction: %s\n", strerror(errno));
		return 1;
	}
	t0 = tool_now();
	if (duration_s > 0)
		deadline = t0 + duration_s;

	memset(&b, 0, sizeof(b));
	b.q = (unsigned)q;
	b.frame = folio_config_max_frame(&cfg);
	b.fd = tap_create(tap, &cfg);
	if (b.fd < 0)
		return 1;
	/* Wait for the host: the region may not exist, be unsized or unwritten. */
	rc = tool_guest_open(&cfg, deadline, &b.g);
	if (rc) {
		close(b.fd);
		return tool_stop || deadline > 0 ? 0 : 1;
	}
	b.rbuf = calloc(NREAD, b.frame);
	b.wbuf = calloc(NWRITE, b.frame);
	rc = io_uring_queue_init(NREAD + NWRITE, &b.ring, 0);
	if (!b.rbuf || !b.wbuf || rc < 0) {
		fprintf(stderr, "folio-tapd: io_uring setup: %s\n", strerror(rc < 0 ? -rc : ENOMEM));
		return 1;
	}
	for (uint32_t i = 0; i < NWRITE; i++)
		b.wfree[b.nwfree++] = NWRITE - 1 - i;
	for (uint32_t i = 0; i < NREAD; i++)
		(void)post_read(&b, i);
	fprintf(stderr, "folio-tapd: %s <-> %s queue %u, mtu %u\n", tap, cfg.region, b.q, cfg.mtu);

	folio_backoff_init(&bo);
	if (spin)
		bo.spin = (uint32_t)spin;
	/* Idle sleeps are 1-50 us: the default 50 us timer slack would
	 * stretch each of them past the whole range. */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL);
	next_stats = tool_now() + stats_s;
	for (unsigned iter = 0; !tool_stop; iter++) {
		unsigned work;

		reap(&b);
		work = flush_tx(&b);
		work += from_host(&b);
		if (b.pending) {
			io_uring_submit(&b.ring);
			b.pending = 0;
		}
		folio_backoff(&bo, (int)work);
		if ((iter & 255) == 0 || !work) {
			double t = tool_now();

			if (deadline > 0 && t >= deadline)
				break;
			if (stats_s > 0 && t >= next_stats) {
				print_stats("stats", b.g, b.q);
				next_stats = t + stats_s;
			}
		}
	}
	print_stats("exit", b.g, b.q);
	io_uring_queue_exit(&b.ring); /* cancels the reads in flight */
	close(b.fd);
	folio_guest_close(b.g);
	free(b.rbuf);
	free(b.wbuf);
	return 0;
}
