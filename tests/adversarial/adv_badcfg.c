/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adv_badcfg.c - bad configuration and bad mappings give a clear error and
 * no crash: a missing region, one too small or not a regular file, a wrong
 * magic, version or digest, a header that goes bad at a restart, a
 * violation on one queue (the others go on), and
 * truncation (refused for a sealed memfd; a hazard for a plain file, shown
 * here in a child process and documented in docs/security.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adv.h"

static int failures;
static char path[128];

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
			failures++;                                       \
		}                                                         \
	} while (0)

static void expect_open(const struct folio_config *cfg, int want, const char *what)
{
	struct folio_guest *g = NULL;
	int rc = folio_guest_open(cfg, &g);

	CHECK(rc == want, "%s: got %d (%s), want %d (%s)", what, rc, folio_strerror(rc),
	      want, folio_strerror(want));
	if (!rc)
		folio_guest_close(g);
	else
		printf("ok: %s -> %s\n", what, folio_strerror(rc));
}

static void make_file(off_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || ftruncate(fd, size)) {
		perror(path);
		exit(1);
	}
	close(fd);
}

/* Write through a private mapping of the region file, as a hostile host. */
static void poke(uint64_t off, const void *v, size_t n)
{
	int fd = open(path, O_RDWR);
	uint8_t *p = mmap(NULL, FL_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (fd < 0 || p == MAP_FAILED) {
		perror("poke");
		exit(1);
	}
	memcpy(p + off, v, n);
	munmap(p, FL_PAGE);
	close(fd);
}

/* Write anywhere in the region file, as a hostile peer. */
static void poke_at(uint64_t off, const void *v, size_t n)
{
	int fd = open(path, O_RDWR);

	if (fd < 0 || pwrite(fd, v, n, (off_t)off) != (ssize_t)n) {
		perror("poke_at");
		exit(1);
	}
	close(fd);
}

static void cleanup(void)
{
	unlink(path);
}

int main(void)
{
	struct folio_config cfg, other;
	struct folio_host *h;
	struct folio_guest *g;
	struct folio_stats st;
	struct fl_layout l;
	uint8_t frame[64] = {0}, rxb[ADV_SLOT_SIZE];
	const void *txp[1] = {frame};
	void *rxp[1] = {rxb};
	uint32_t len = sizeof(frame), rlen;
	int rc;

	snprintf(path, sizeof(path), "/dev/shm/folio-adv-badcfg-%d", (int)getpid());
	atexit(cleanup);
	adv_config(&cfg, path);
	fl_layout_compute(&cfg, &l);

	/* 1. Missing, too small, not a regular file, bad config. */
	expect_open(&cfg, -ENOENT, "missing region file");
	make_file(0);
	expect_open(&cfg, FOLIO_ESMALL, "empty region file");
	make_file(FL_PAGE);
	expect_open(&cfg, FOLIO_ESMALL, "region of one page");
	make_file((off_t)l.region_size - 1);
	expect_open(&cfg, FOLIO_ESMALL, "region one byte short");
	make_file((off_t)l.region_size);
	expect_open(&cfg, FOLIO_ENOTREADY, "region never initialised (zero magic)");
	other = cfg;
	snprintf(other.region, sizeof(other.region), "/dev/null");
	expect_open(&other, -EINVAL, "region that is not a regular file");
	other = cfg;
	other.ring_entries = 100;
	expect_open(&other, -EINVAL, "ring_entries not a power of two");

	/* 2. Wrong header: magic, version, digest. */
	CHECK(folio_host_create(&cfg, &h) == 0, "host create");
	uint64_t bad64 = FL_MAGIC ^ 1;
	uint32_t bad32 = FOLIO_LAYOUT_VERSION + 1, good32 = FOLIO_LAYOUT_VERSION;
	uint64_t magic = FL_MAGIC;

	poke(0, &bad64, 8);
	expect_open(&cfg, FOLIO_EMAGIC, "wrong magic");
	poke(0, &magic, 8);
	poke(8, &bad32, 4);
	expect_open(&cfg, FOLIO_EVERSION, "wrong layout version");
	poke(8, &good32, 4);
	other = cfg;
	other.mtu = ADV_MTU - 8;
	expect_open(&other, FOLIO_EDIGEST, "config digest differs (mtu)");
	other = cfg;
	other.guest_mac[5] ^= 0x10;
	expect_open(&other, FOLIO_EDIGEST, "config digest differs (guest MAC)");

	/* 3. The header goes bad at a restart: refused, latched, counted;
	 * an honest restart then brings the queue back. */
	rc = folio_guest_open(&cfg, &g);
	CHECK(rc == 0, "guest open: %s", folio_strerror(rc));
	if (!rc) {
		rc = folio_host_tx_burst(h, 0, txp, &len, 1);
		CHECK(rc == 1, "host tx: %d", rc);
		rc = folio_guest_rx_burst(g, 0, rxp, &rlen, 1);
		CHECK(rc == 1 && rlen == len, "guest rx: %d", rc);
		uint64_t bad_digest = 0x1234;
		uint32_t e = folio_host_epoch(h) + 2;

		poke(16, &bad_digest, 8);
		poke(12, &e, 4);
		rc = folio_guest_rx_burst(g, 0, rxp, &rlen, 1);
		CHECK(rc == FOLIO_EDIGEST, "restart with a bad digest: %s", folio_strerror(rc));
		folio_guest_stats(g, 0, &st);
		CHECK(st.state == FOLIO_Q_FAILED && st.v[FOLIO_STAT_BAD_HEADER] == 1,
		      "bad header not latched/counted: state %u bad_header %llu", st.state,
		      (unsigned long long)st.v[FOLIO_STAT_BAD_HEADER]);
		rc = folio_guest_tx_burst(g, 0, txp, &len, 1);
		CHECK(rc == FOLIO_EFAILED, "after a bad header: %s", folio_strerror(rc));
		printf("ok: header bad at restart -> %s, then %s\n",
		       folio_strerror(FOLIO_EDIGEST), folio_strerror(rc));
		/* Zero magic under a ready epoch is a wrong header too. */
		uint64_t zero = 0;

		e += 2;
		poke(16, &zero, 8);
		poke(0, &zero, 8);
		poke(12, &e, 4);
		rc = folio_guest_rx_burst(g, 0, rxp, &rlen, 1);
		CHECK(rc == FOLIO_EMAGIC, "restart with a zero magic: %s", folio_strerror(rc));
		folio_host_close(h);
		CHECK(folio_host_create(&cfg, &h) == 0, "host restart");
		rc = folio_guest_rx_burst(g, 0, rxp, &rlen, 1);
		folio_guest_stats(g, 0, &st);
		CHECK(rc == 0 && st.state == FOLIO_Q_READY,
		      "honest restart did not re-attach: %s", folio_strerror(rc));
		printf("ok: honest restart re-attaches (epoch %u)\n", st.epoch);
		folio_guest_close(g);
	}
	folio_host_close(h);

	/* 4. A sealed memfd cannot shrink or grow, so the peer cannot make
	 * the other side's accesses fault. */
	int fd = folio_region_memfd(&cfg);

	CHECK(fd >= 0, "memfd: %s", folio_strerror(fd));
	if (fd >= 0) {
		int seals = fcntl(fd, F_GET_SEALS);

		CHECK(seals >= 0 && (seals & F_SEAL_SHRINK) && (seals & F_SEAL_GROW) &&
		      (seals & F_SEAL_SEAL), "memfd seals 0x%x", seals);
		CHECK(ftruncate(fd, FL_PAGE) == -1 && errno == EPERM,
		      "a sealed memfd could be shrunk");
		CHECK(ftruncate(fd, (off_t)l.region_size * 2) == -1 && errno == EPERM,
		      "a sealed memfd could be grown");
		CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == -1,
		      "seals could still be changed");
		CHECK(folio_host_create_fd(&cfg, fd, &h) == 0, "host on memfd");
		CHECK(folio_guest_open_fd(&cfg, fd, &g) == 0, "guest on memfd");
		rc = folio_host_tx_burst(h, 0, txp, &len, 1);
		CHECK(rc == 1, "host tx on memfd: %d", rc);
		rc = folio_guest_rx_burst(g, 0, rxp, &rlen, 1);
		CHECK(rc == 1, "guest rx on memfd: %d", rc);
		printf("ok: sealed memfd refuses shrink and grow (EPERM), traffic flows\n");
		folio_guest_close(g);
		folio_host_close(h);
		close(fd);
	}

	/* 5. Isolation: a violation on queue 0 fails queue 0 only, on either
	 * side; queue 1 goes on carrying frames both ways. */
	other = cfg;
	other.queues = 2;
	struct fl_layout l2;

	fl_layout_compute(&other, &l2);
	CHECK(folio_host_create(&other, &h) == 0, "host create (2 queues)");
	CHECK(folio_guest_open(&other, &g) == 0, "guest open (2 queues)");
	uint32_t huge = 0xffffffffu;

	/* A hostile host: h2g prod of queue 0 far outside the window. */
	poke_at(fl_ring_off(&l2, 0, FL_DIR_H2G) + FL_RING_PROD_OFF, &huge, 4);
	rc = folio_guest_rx_burst(g, 0, rxp, &rlen, 1);
	CHECK(rc == FOLIO_EPEER, "guest q0 with a bad prod: %s", folio_strerror(rc));
	rc = folio_host_tx_burst(h, 1, txp, &len, 1);
	CHECK(rc == 1, "host tx q1: %d", rc);
	rc = folio_guest_rx_burst(g, 1, rxp, &rlen, 1);
	CHECK(rc == 1 && rlen == len, "guest rx q1 after q0 failed: %s", folio_strerror(rc));
	/* A hostile guest: g2h prod of queue 0 backwards. */
	rc = folio_guest_tx_burst(g, 1, txp, &len, 1);
	CHECK(rc == 1, "guest tx q1: %d", rc);
	poke_at(fl_ring_off(&l2, 0, FL_DIR_G2H) + FL_RING_PROD_OFF, &huge, 4);
	rc = folio_host_rx_burst(h, 0, rxp, &rlen, 1);
	CHECK(rc == FOLIO_EPEER, "host q0 with a bad prod: %s", folio_strerror(rc));
	rc = folio_host_rx_burst(h, 1, rxp, &rlen, 1);
	CHECK(rc == 1 && rlen == len, "host rx q1 after q0 failed: %s", folio_strerror(rc));
	folio_host_stats(h, 0, &st);
	CHECK(st.state == FOLIO_Q_FAILED && st.v[FOLIO_STAT_BAD_INDEX] == 1, "host q0 state");
	folio_host_stats(h, 1, &st);
	CHECK(st.state == FOLIO_Q_READY && st.v[FOLIO_STAT_BAD_INDEX] == 0, "host q1 state");
	folio_guest_stats(g, 1, &st);
	CHECK(st.state == FOLIO_Q_READY && st.v[FOLIO_STAT_BAD_INDEX] == 0, "guest q1 state");
	printf("ok: a violation on queue 0 leaves queue 1 working, on both sides\n");
	folio_guest_close(g);
	folio_host_close(h);

	/* 6. A plain file truncated after mapping, by a peer: the access
	 * faults (SIGBUS), the library's handler puts zero pages over the
	 * lost mapping, and each side's next call fails its own channel with
	 * FOLIO_ELOST; the process lives on (docs/security.md). */
	CHECK(folio_host_create(&cfg, &h) == 0, "host create");
	CHECK(folio_guest_open(&cfg, &g) == 0, "guest open");
	fflush(NULL);
	pid_t pid = fork();

	if (pid == 0) {
		if (truncate(path, 0))
			_exit(3);
		/* The next rx touches the header page, now beyond the file. */
		rc = folio_guest_rx_burst(g, 0, rxp, &rlen, 1);
		if (rc != FOLIO_ELOST)
			_exit(4);
		if (folio_guest_rx_burst(g, 0, rxp, &rlen, 1) != FOLIO_EFAILED)
			_exit(5);
		/* The host's mapping is lost only once it touches it. */
		rc = folio_host_tx_burst(h, 0, txp, &len, 1);
		if (rc != FOLIO_ELOST && rc != FOLIO_ENOTREADY && rc < 0)
			_exit(6);
		(void)folio_host_rx_burst(h, 0, rxp, &rlen, 1);
		folio_guest_stats(g, 0, &st);
		if (st.v[FOLIO_STAT_REGION_LOST] != 1 || st.state != FOLIO_Q_FAILED)
			_exit(7);
		folio_guest_close(g);
		folio_host_close(h);
		_exit(0);
	}
	int ws = 0;

	CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid, "fork/wait");
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0,
	      "truncated plain file: the process did not survive with "
	      "FOLIO_ELOST (child %s %d)", WIFSIGNALED(ws) ? "signal" : "exit",
	      WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
	printf("ok: a plain file truncated after mapping fails the channel "
	       "(FOLIO_ELOST), the process lives\n");
	/* Give the file its size back before the host's close writes. */
	CHECK(truncate(path, (off_t)l.region_size) == 0, "restore size");
	folio_guest_close(g);
	folio_host_close(h);

	if (failures) {
		fprintf(stderr, "adv_badcfg: %d failures\n", failures);
		return 1;
	}
	printf("adv_badcfg: all bad configurations refused cleanly\n");
	return 0;
}
