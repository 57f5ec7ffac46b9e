/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two real processes, host and guest, over one /dev/shm file: 1,000,000
 * frames of random sizes (60 bytes to the largest frame) in each direction
 * at once. Every byte is verified; sequence numbers show that no frame is
 * lost, duplicated or reordered. Exit 0 on success, 1 on failure.
 *
 *   test_twoproc [FRAMES]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <folio.h>

#define BURST 32
#define LIMIT_SEC 240

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t frame_len(int dir, uint64_t seq, uint32_t max)
{
	return 60 + (uint32_t)(mix(seq * 2 + (uint64_t)dir) % (max - 60 + 1));
}

/* Word w of frame seq; the first word is the sequence number itself. */
static uint64_t word(int dir, uint64_t seq, uint32_t w)
{
	return w ? mix((seq << 12) ^ ((uint64_t)dir << 11) ^ w) : seq;
}

static void fill(uint8_t *f, int dir, uint64_t seq, uint32_t len)
{
	uint32_t w;

	for (w = 0; (w + 1) * 8 <= len; w++) {
		uint64_t v = word(dir, seq, w);

		memcpy(f + w * 8, &v, 8);
	}
	uint64_t v = word(dir, seq, w);

	memcpy(f + w * 8, &v, len - w * 8);
}

static int check(const uint8_t *f, uint32_t len, int dir, uint64_t seq,
		 uint32_t max, const char *who)
{
	static uint8_t want[FOLIO_MAX_MTU + FOLIO_L2_OVERHEAD];
	uint32_t wl = frame_len(dir, seq, max);
	uint64_t got_seq;

	memcpy(&got_seq, f, 8);
	if (got_seq != seq) {
		fprintf(stderr, "%s: expected frame %llu, got %llu (lost, "
			"duplicated or reordered)\n", who, (unsigned long long)seq,
			(unsigned long long)got_seq);
		return -1;
	}
	if (len != wl) {
		fprintf(stderr, "%s: frame %llu: length %u, sent %u\n", who,
			(unsigned long long)seq, len, wl);
		return -1;
	}
	fill(want, dir, seq, len);
	if (memcmp(want, f, len)) {
		fprintf(stderr, "%s: frame %llu: payload differs\n", who,
			(unsigned long long)seq);
		return -1;
	}
	return 0;
}

typedef int (*tx_fn)(void *, unsigned, const void *const *, const uint32_t *, unsigned);
typedef int (*rx_fn)(void *, unsigned, void *const *, uint32_t *, unsigned);

static int g_tx(void *e, unsigned q, const void *const *b, const uint32_t *l, unsigned n)
{
	return folio_guest_tx_burst(e, q, b, l, n);
}

static int g_rx(void *e, unsigned q, void *const *b, uint32_t *l, unsigned n)
{
	return folio_guest_rx_burst(e, q, b, l, n);
}

static int h_tx(void *e, unsigned q, const void *const *b, const uint32_t *l, unsigned n)
{
	return folio_host_tx_burst(e, q, b, l, n);
}

static int h_rx(void *e, unsigned q, void *const *b, uint32_t *l, unsigned n)
{
	return folio_host_rx_burst(e, q, b, l, n);
}

/* One side: send `total` frames in direction txdir while receiving and
 * checking `total` frames of the other direction. */
static int run_side(void *ep, tx_fn tx, rx_fn rx, int txdir, uint64_t total,
		    uint32_t max, const char *who)
{
	static uint8_t tbuf[BURST][FOLIO_MAX_MTU + FOLIO_L2_OVERHEAD];
	static uint8_t rbuf[BURST][FOLIO_MAX_MTU + FOLIO_L2_OVERHEAD];
	const void *tp[BURST];
	void *rp[BURST];
	uint32_t tl[BURST], rl[BURST];
	uint64_t sent = 0, got = 0;
	unsigned pending = 0; /* filled but not yet accepted */
	time_t end = time(NULL) + LIMIT_SEC;
	struct folio_backoff idle;

	folio_backoff_init(&idle);
	for (int i = 0; i < BURST; i++)
		rp[i] = rbuf[i];
	while (sent < total || got < total) {
		int work = 0, n;

		if (time(NULL) > end) {
			fprintf(stderr, "%s: timed out: sent %llu, received %llu\n", who,
				(unsigned long long)sent, (unsigned long long)got);
			return -1;
		}
		if (!pending && sent < total) {
			while (pending < BURST && sent + pending < total) {
				tl[pending] = frame_len(txdir, sent + pending, max);
				fill(tbuf[pending], txdir, sent + pending, tl[pending]);
				tp[pending] = tbuf[pending];
				pending++;
			}
		}
		if (pending) {
			n = tx(ep, 0, tp, tl, pending);
			if (n < 0 && n != FOLIO_ENOTREADY) {
				fprintf(stderr, "%s: tx: %s\n", who, folio_strerror(n));
				return -1;
			}
			if (n > 0) {
				/* Keep the refused tail in order for the next try. */
				memmove(tl, tl + n, (pending - (unsigned)n) * sizeof(tl[0]));
				for (unsigned i = 0; i + (unsigned)n < pending; i++)
					memcpy(tbuf[i], tbuf[i + (unsigned)n], tl[i]);
				pending -= (unsigned)n;
				sent += (uint64_t)n;
				work = 1;
			}
		}
		n = rx(ep, 0, rp, rl, BURST);
		if (n < 0 && n != FOLIO_ENOTREADY) {
			fprintf(stderr, "%s: rx: %s\n", who, folio_strerror(n));
			return -1;
		}
		for (int i = 0; i < n; i++, got++) {
			if (got >= total) {
				fprintf(stderr, "%s: more frames than were sent\n", who);
				return -1;
			}
			if (check(rbuf[i], rl[i], !txdir, got, max, who))
				return -1;
		}
		folio_backoff(&idle, work || n > 0);
	}
	return 0;
}

static int print_stats(const char *who, const struct folio_stats *st)
{
	fprintf(stderr, "%s: state=%s", who, folio_qstate_name(st->state));
	for (unsigned i = 0; i < FOLIO_STAT__COUNT; i++)
		fprintf(stderr, " %s=%llu", folio_stat_name(i),
			(unsigned long long)st->v[i]);
	fprintf(stderr, "\n");
	return (int)(st->v[FOLIO_STAT_BAD_INDEX] + st->v[FOLIO_STAT_BAD_LENGTH] +
		     st->v[FOLIO_STAT_BAD_HEADER]);
}

int main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	struct folio_config cfg;
	struct folio_host *h;
	struct folio_stats st;
	int rc, status;
	pid_t pid;

	folio_config_init(&cfg);
	cfg.ring_entries = 256;
	snprintf(cfg.region, sizeof(cfg.region), "/dev/shm/folio-twoproc-%d",
		 (int)getpid());
	uint32_t max = folio_config_max_frame(&cfg);

	rc = folio_host_create(&cfg, &h);
	if (rc) {
		fprintf(stderr, "host: %s\n", folio_strerror(rc));
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		/* The guest: a separate process that only knows the config. */
		struct folio_guest *g;

		/* The parent's host handle is left alone: closing it here would
		 * tell the guest that the host went away. */
		rc = folio_guest_open(&cfg, &g);
		if (rc) {
			fprintf(stderr, "guest: %s\n", folio_strerror(rc));
			_exit(1);
		}
		rc = run_side(g, g_tx, g_rx,
			      0, total, max, "guest");
		folio_guest_stats(g, 0, &st);
		if (print_stats("guest", &st) || st.v[FOLIO_STAT_RX_FRAMES] != total ||
		    st.v[FOLIO_STAT_TX_FRAMES] != total)
			rc = -1;
		_exit(rc ? 1 : 0);
	}
	rc = run_side(h, h_tx, h_rx, 1,
		      total, max, "host");
	if (rc)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	folio_host_stats(h, 0, &st);
	if (print_stats("host", &st) || st.v[FOLIO_STAT_RX_FRAMES] != total ||
	    st.v[FOLIO_STAT_TX_FRAMES] != total)
		rc = -1;
	folio_host_close(h);
	unlink(cfg.region);
	if (rc || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "FAIL\n");
		return 1;
	}
	printf("%llu frames each way, every byte verified\n", (unsigned long long)total);
	return 0;
}
