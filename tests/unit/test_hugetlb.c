/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hugetlb - regions on a hugetlbfs mount that the test makes in its own
 * mount namespace: host and guest are created and closed again and again,
 * and no mapping of the region may survive a close. (munmap of a length that
 * is not a multiple of the huge page fails with EINVAL: before the fix every
 * close leaked both mappings.)
 *
 *   test_hugetlb      exit 0 pass, 1 fail, 77 skip (not root, no hugetlbfs,
 *                     no huge page to be had)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "folio.h"

#define ROUNDS 16

static char dir[64], path[128];
static long saved_pages = -1;
static int mounted;

static long read_long(const char *file, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strtol(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, strlen(key))) {
			v = strtol(line + strlen(key), NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static int write_pages(long n)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%ld\n", n) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void cleanup(void)
{
	if (path[0])
		unlink(path);
	if (mounted)
		umount(dir);
	if (dir[0])
		rmdir(dir);
	if (saved_pages >= 0)
		write_pages(saved_pages);
}

static int skip(const char *why)
{
	fprintf(stderr, "test_hugetlb: SKIP: %s\n", why);
	return 77;
}

static unsigned maps_of(const char *p)
{
	char line[512];
	unsigned n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return ~0u;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, p) != NULL;
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	struct folio_config cfg;
	struct folio_host *h;
	struct folio_guest *g;
	uint8_t tx[64] = {0x02}, rx[2048];
	const void *tb[1] = {tx};
	void *rb[1] = {rx};
	uint32_t tl[1] = {sizeof(tx)}, rl[1];
	int rc;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: test_hugetlb (no arguments)\n");
		return 2;
	}
	if (geteuid() != 0)
		return skip("needs root to mount hugetlbfs");
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return skip("cannot make a private mount namespace");
	atexit(cleanup);
	snprintf(dir, sizeof(dir), "/tmp/folio-hugetlb-%d-XXXXXX", (int)getpid());
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		return skip("cannot make a temporary directory");
	}
	if (mount("none", dir, "hugetlbfs", 0, NULL))
		return skip("cannot mount hugetlbfs");
	mounted = 1;
	if (read_long("/proc/meminfo", "HugePages_Free:") < 1) {
		long n = read_long("/proc/sys/vm/nr_hugepages", NULL);

		if (n < 0 || write_pages(n + 1))
			return skip("no free huge page and cannot reserve one");
		saved_pages = n;
		if (read_long("/proc/meminfo", "HugePages_Free:") < 1)
			return skip("the kernel could not allocate a huge page");
	}

	folio_config_init(&cfg);
	cfg.ring_entries = 64;
	cfg.slot_size = 256;
	cfg.mtu = 200;
	snprintf(path, sizeof(path), "%s/folio-%d", dir, (int)getpid());
	snprintf(cfg.region, sizeof(cfg.region), "%s", path);
	for (int i = 0; i < ROUNDS; i++) {
		rc = folio_host_create(&cfg, &h);
		if (rc) {
			fprintf(stderr, "test_hugetlb: host create: %s\n", folio_strerror(rc));
			return 1;
		}
		rc = folio_guest_open(&cfg, &g);
		if (rc) {
			fprintf(stderr, "test_hugetlb: guest open: %s\n", folio_strerror(rc));
			return 1;
		}
		(void)folio_host_rx_burst(h, 0, rb, rl, 1); /* host sees the ack */
		if (folio_guest_tx_burst(g, 0, tb, tl, 1) != 1 ||
		    folio_host_rx_burst(h, 0, rb, rl, 1) != 1 || rl[0] != sizeof(tx)) {
			fprintf(stderr, "test_hugetlb: no frame over the hugetlbfs region\n");
			return 1;
		}
		folio_guest_close(g);
		folio_host_close(h);
	}
	unsigned left = maps_of(path);

	if (left) {
		fprintf(stderr, "test_hugetlb: FAIL: %u mappings of the region "
			"left after %d closes\n", left, ROUNDS);
		return 1;
	}
	printf("test_hugetlb: %d host+guest create/close rounds on hugetlbfs, "
	       "no mapping left\n", ROUNDS);
	return 0;
}
