/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hardening round's regressions, each against a real mapping: a ready
 * epoch over a zero magic, unsafe region files, a transmit that must check
 * before it copies, the log rate limit, the epoch rules of design.md
 * sections 6 and 8, an unsealed memfd, and the checked copy of a lent frame.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "layout.h"

struct env {
	struct folio_config cfg;
	struct fl_layout l;
	int fd;
	uint8_t *map; /* the test's own view: the "peer" writes through it */
	struct folio_host *h;
	struct folio_guest *g;
};

static struct fl_hdr *hdr(struct env *e)
{
	return (struct fl_hdr *)(void *)e->map;
}

static uint32_t *field(struct env *e, unsigned dir, uint32_t off)
{
	return (uint32_t *)(void *)(e->map + fl_ring_off(&e->l, 0, dir) + off);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	folio_config_init(&e->cfg);
	e->cfg.ring_entries = 64;
	fl_layout_compute(&e->cfg, &e->l);
	e->fd = folio_region_memfd(&e->cfg);
	assert_true(e->fd >= 0);
	e->map = mmap(NULL, e->l.region_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      e->fd, 0);
	assert_true(e->map != MAP_FAILED);
	assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
	assert_int_equal(folio_guest_open_fd(&e->cfg, e->fd, &e->g), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	folio_guest_close(e->g);
	folio_host_close(e->h);
	munmap(e->map, e->l.region_size);
	close(e->fd);
	free(e);
	return 0;
}

static uint8_t frame[2048];
static uint8_t rxbuf[8][2048];

static int gtx(struct env *e, unsigned n, uint32_t len)
{
	const void *b[8];
	uint32_t l[8];

	for (unsigned i = 0; i < n; i++) {
		b[i] = frame;
		l[i] = len;
	}
	return folio_guest_tx_burst(e->g, 0, b, l, n);
}

static int hrx(struct env *e, unsigned n)
{
	void *b[8];
	uint32_t l[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = rxbuf[i];
	return folio_host_rx_burst(e->h, 0, b, l, n);
}

static struct folio_stats gstats(struct env *e)
{
	struct folio_stats s;

	assert_int_equal(folio_guest_stats(e->g, 0, &s), 0);
	return s;
}

/* Defect 2: open and an open guest judge the same header the same way. */
static void open_ready_epoch_zero_magic(void **state)
{
	struct env *e = *state;
	struct folio_guest *g2 = NULL;

	hdr(e)->magic = 0;
	assert_true(hdr(e)->epoch && !(hdr(e)->epoch & 1));
	assert_int_equal(folio_guest_open_fd(&e->cfg, e->fd, &g2), FOLIO_EMAGIC);
	hdr(e)->epoch += 2;
	assert_int_equal(gtx(e, 1, 64), FOLIO_EMAGIC);
	/* Not ready (odd), zero magic: a host still starting. */
	hdr(e)->epoch += 1;
	assert_int_equal(folio_guest_open_fd(&e->cfg, e->fd, &g2), FOLIO_ENOTREADY);
}

/* Defect 4: no symlink is followed, no foreign or shared-writable file is
 * adopted. */
static void unsafe_region_files(void **state)
{
	struct folio_config c;
	struct folio_host *h = NULL;
	char victim[96], link[96];
	struct stat st;
	int fd;

	(void)state;
	folio_config_init(&c);
	c.ring_entries = 64;
	snprintf(victim, sizeof(victim), "/dev/shm/folio-harden-victim-%d", (int)getpid());
	snprintf(link, sizeof(link), "/dev/shm/folio-harden-link-%d", (int)getpid());
	unlink(victim);
	unlink(link);
	fd = open(victim, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious", 8), 8);
	assert_int_equal(symlink(victim, link), 0);
	snprintf(c.region, sizeof(c.region), "%s", link);
	assert_int_equal(folio_host_create(&c, &h), FOLIO_EUNSAFE);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 8); /* not grown, not overwritten */
	unlink(link);

	/* Our own file, but writable by others. */
	snprintf(c.region, sizeof(c.region), "%s", victim);
	assert_int_equal(fchmod(fd, 0666), 0);
	assert_int_equal(folio_host_create(&c, &h), FOLIO_EUNSAFE);
	assert_int_equal(fchmod(fd, 0620), 0);
	assert_int_equal(folio_host_create(&c, &h), FOLIO_EUNSAFE);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 8);
	/* Another user's file, even with a safe mode (needs root to make). */
	assert_int_equal(fchmod(fd, 0600), 0);
	if (geteuid() == 0 && fchown(fd, 65534, 65534) == 0) {
		assert_int_equal(folio_host_create(&c, &h), FOLIO_EUNSAFE);
		assert_int_equal(fchown(fd, 0, 0), 0);
	}
	/* Ours and private: adopted. */
	assert_int_equal(folio_host_create(&c, &h), 0);
	folio_host_close(h);
	close(fd);
	unlink(victim);
}

/* Defect 6: a burst with a bad second length leaves nothing in any slot. */
static void tx_checks_before_copy(void **state)
{
	struct env *e = *state;
	uint8_t *slot0 = e->map + fl_ring_off(&e->l, 0, FL_DIR_G2H) + e->l.slots_off;
	uint8_t before[64];
	const void *b[2] = {frame, frame};
	uint32_t l[2] = {64, 5};

	memset(frame, 0x77, sizeof(frame));
	memcpy(before, slot0, sizeof(before));
	assert_int_equal(folio_guest_tx_burst(e->g, 0, b, l, 2), -EINVAL);
	assert_memory_equal(slot0, before, sizeof(before));
	l[1] = 64;
	b[1] = NULL;
	assert_int_equal(folio_guest_tx_burst(e->g, 0, b, l, 2), -EINVAL);
	assert_memory_equal(slot0, before, sizeof(before));
	assert_int_equal(*field(e, FL_DIR_G2H, FL_RING_PROD_OFF), 0);
}

static struct {
	unsigned lines, summaries;
	uint64_t summed;
} logs;

static void count_log(void *ctx, int level, const char *msg)
{
	unsigned long long n;

	(void)ctx;
	(void)level;
	if (sscanf(msg, "libfolio: %llu messages suppressed", &n) == 1) {
		logs.summaries++;
		logs.summed += n;
	} else {
		logs.lines++;
	}
}

/* Defect 10: a host bumping its epoch over a bad digest on every guest
 * call cannot flood the log, and the count of what was held back is exact. */
static void log_rate_limited(void **state)
{
	struct env *e = *state;
	const unsigned calls = 100000;
	struct timespec t0, t1;
	uint64_t sup0 = folio_log_suppressed();

	memset(&logs, 0, sizeof(logs));
	hdr(e)->digest ^= 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	folio_set_log(count_log, NULL);
	for (unsigned i = 0; i < calls; i++) {
		hdr(e)->epoch += 2;
		assert_int_equal(gtx(e, 1, 64), FOLIO_EDIGEST);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	uint64_t sup = folio_log_suppressed() - sup0;

	assert_int_equal(gstats(e).v[FOLIO_STAT_BAD_HEADER], calls);
	assert_int_equal(logs.lines + sup, calls);
	assert_true(logs.lines <= 10u * (unsigned)(secs + 2.0));
	/* After a quiet second the next message reports what was held. */
	sleep(1);
	hdr(e)->epoch += 2;
	assert_int_equal(gtx(e, 1, 64), FOLIO_EDIGEST);
	folio_set_log(NULL, NULL);
	assert_int_equal(logs.summed, folio_log_suppressed() - sup0);
	assert_int_equal(logs.lines + logs.summed, calls + 1);
}

/* Defect 11: the epoch rules of sections 6 and 8, as the code keeps them. */
static void epoch_rules(void **state)
{
	struct env *e = *state;
	uint32_t E = folio_host_epoch(e->h);

	assert_int_equal(gtx(e, 1, 64), 1);
	/* The same even epoch back after an odd one: not resumed. */
	hdr(e)->epoch = E + 1;
	assert_int_equal(gtx(e, 1, 64), FOLIO_ENOTREADY);
	assert_int_equal(gstats(e).state, FOLIO_Q_DETACHED);
	hdr(e)->epoch = E;
	assert_int_equal(gtx(e, 1, 64), FOLIO_ENOTREADY);
	/* A FAILED queue under an odd epoch stays FAILED (not-ready calls),
	 * and FAILED again when its epoch comes back. */
	hdr(e)->epoch = E + 2;
	assert_int_equal(gtx(e, 1, 64), 1);
	*field(e, FL_DIR_H2G, FL_RING_PROD_OFF) = 0x7fffffffu;
	void *b[1] = {rxbuf[0]};
	uint32_t l[1];

	assert_int_equal(folio_guest_rx_burst(e->g, 0, b, l, 1), FOLIO_EPEER);
	hdr(e)->epoch = E + 3;
	assert_int_equal(gtx(e, 1, 64), FOLIO_ENOTREADY);
	assert_int_equal(gstats(e).state, FOLIO_Q_FAILED);
	hdr(e)->epoch = E + 2;
	assert_int_equal(gtx(e, 1, 64), FOLIO_EFAILED);
	assert_int_equal(gstats(e).state, FOLIO_Q_FAILED);
}

/* Defect 11: a header rewritten behind the host's back must not make it
 * publish again the epoch the guest is attached to. */
static void restart_never_reuses_acked_epoch(void **state)
{
	struct env *e = *state;
	uint32_t E = folio_host_epoch(e->h);

	assert_int_equal(gtx(e, 3, 64), 3);
	assert_int_equal(hrx(e, 8), 3);
	assert_int_equal(gtx(e, 2, 64), 2); /* guest indices now at 5 */
	folio_host_close(e->h);
	hdr(e)->epoch = E - 2; /* a hostile writer's header */
	assert_int_equal(folio_host_create_fd(&e->cfg, e->fd, &e->h), 0);
	assert_int_not_equal(folio_host_epoch(e->h), E);
	/* The guest re-attaches to the new epoch and traffic flows. */
	assert_int_equal(gtx(e, 1, 64), 1);
	assert_int_equal(hrx(e, 8), 1);
	assert_int_equal(gstats(e).epoch, folio_host_epoch(e->h));
}

/* Defect 3, guest side: an unsealed memfd is refused. */
static void unsealed_memfd_refused(void **state)
{
	struct folio_config c;
	struct folio_guest *g = NULL;
	struct folio_host *h = NULL;
	int fd;

	(void)state;
	folio_config_init(&c);
	c.ring_entries = 64;
	fd = memfd_create("folio-unsealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)folio_region_size(&c)), 0);
	assert_int_equal(folio_host_create_fd(&c, fd, &h), 0);
	assert_int_equal(folio_guest_open_fd(&c, fd, &g), FOLIO_EUNSEALED);
	/* F_SEAL_SHRINK alone is enough. */
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	assert_int_equal(folio_guest_open_fd(&c, fd, &g), 0);
	folio_guest_close(g);
	folio_host_close(h);
	close(fd);
}

/* The checked copy of a lent frame (hostd's header copy). */
static void frame_copy(void **state)
{
	struct env *e = *state;
	struct folio_frame f;
	uint8_t dst[32];

	memset(frame, 0x5a, sizeof(frame));
	assert_int_equal(gtx(e, 1, 20), 1);
	assert_int_equal(folio_host_rx_peek(e->h, 0, &f, 1), 1);
	memset(dst, 0, sizeof(dst));
	assert_int_equal(folio_frame_copy(dst, &f, 14), 14);
	assert_int_equal(dst[13], 0x5a);
	assert_int_equal(dst[14], 0);
	assert_int_equal(folio_frame_copy(dst, &f, 32), 20);
	assert_int_equal(folio_frame_copy(NULL, &f, 32), 0);
	assert_int_equal(folio_host_rx_done(e->h, 0, f.id), 0);
}

/* The host's caller errors and setup failures: each a clear code. */
static void host_error_paths(void **state)
{
	struct folio_config c, bad;
	struct folio_host *h = NULL;
	struct folio_stats st;
	char dir[96];
	int p[2], fd;
	uint32_t id = 0;

	(void)state;
	folio_config_init(&c);
	c.ring_entries = 64;
	bad = c;
	bad.ring_entries = 3;
	assert_int_equal(folio_host_create(NULL, &h), -EINVAL);
	assert_int_equal(folio_host_create(&bad, &h), -EINVAL);
	assert_int_equal(folio_host_create_fd(&c, -1, &h), -EINVAL);
	/* Not a regular file. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(folio_host_create_fd(&c, p[0], &h), -EINVAL);
	close(p[0]);
	close(p[1]);
	/* A sealed memfd that is too small cannot be grown. */
	fd = memfd_create("folio-small", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK), 0);
	assert_int_equal(folio_host_create_fd(&c, fd, &h), -EPERM);
	close(fd);
	/* A directory at the region path. */
	snprintf(dir, sizeof(dir), "/dev/shm/folio-harden-dir-%d", (int)getpid());
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(c.region, sizeof(c.region), "%s", dir);
	assert_int_equal(folio_host_create(&c, &h), -EISDIR);
	rmdir(dir);
	/* Calls on no host, or on a queue it does not have. */
	assert_int_equal(folio_host_tx_burst(NULL, 0, NULL, NULL, 0), -EINVAL);
	assert_int_equal(folio_host_rx_burst(NULL, 0, NULL, NULL, 0), -EINVAL);
	assert_int_equal(folio_host_rx_peek(NULL, 0, NULL, 0), -EINVAL);
	assert_int_equal(folio_host_rx_done(NULL, 0, 0), -EINVAL);
	assert_int_equal(folio_host_rx_done_burst(NULL, 0, &id, 1), -EINVAL);
	assert_int_equal(folio_host_stats(NULL, 0, &st), -EINVAL);
	assert_int_equal(folio_host_epoch(NULL), 0);
	folio_host_close(NULL);
	fd = folio_region_memfd(&c);
	assert_true(fd >= 0);
	assert_int_equal(folio_host_create_fd(&c, fd, &h), 0);
	assert_int_equal(folio_host_rx_done_burst(h, 0, NULL, 1), -EINVAL);
	assert_int_equal(folio_host_rx_done(h, 5, 0), -EINVAL);
	assert_int_equal(folio_host_stats(h, 5, &st), -EINVAL);
	folio_host_close(h);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(open_ready_epoch_zero_magic, setup, teardown),
		cmocka_unit_test(unsafe_region_files),
		cmocka_unit_test_setup_teardown(tx_checks_before_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(log_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(epoch_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(restart_never_reuses_acked_epoch, setup, teardown),
		cmocka_unit_test(unsealed_memfd_refused),
		cmocka_unit_test_setup_teardown(frame_copy, setup, teardown),
		cmocka_unit_test(host_error_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
