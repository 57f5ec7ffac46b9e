/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio-vm-region-size: what the VM tests need to know about a region,
 * answered from the library's own layout header, so that no script knows a
 * byte offset of the wire layout.
 *
 *   folio-vm-region-size CONFIG          size of the ivshmem backing file: the
 *                                        region size rounded up to a power of
 *                                        two (QEMU's ivshmem-plain needs one)
 *   folio-vm-region-size --epoch FILE    the header's epoch (0: never written)
 *   folio-vm-region-size --ready FILE    exit 0 once the header has its magic
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <folio.h>

#include "layout.h"

static int read_at(const char *path, size_t off, void *out, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		perror(path);
		return -1;
	}
	n = pread(fd, out, len, (off_t)off);
	close(fd);
	if (n != (ssize_t)len) {
		fprintf(stderr, "folio-vm-region-size: %s: short header\n", path);
		return -1;
	}
	return 0;
}

static int size_of(const char *conf)
{
	struct folio_config cfg;
	char err[256];
	uint64_t need, size = 1u << 20;

	folio_config_init(&cfg);
	if (folio_config_load(&cfg, conf, err, sizeof(err)) ||
	    folio_config_validate(&cfg, err, sizeof(err))) {
		fprintf(stderr, "folio-vm-region-size: %s\n", err);
		return 1;
	}
	need = folio_region_size(&cfg);
	while (size < need)
		size <<= 1;
	printf("%llu\n", (unsigned long long)size);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") && argv[1][0] != '-')
		return size_of(argv[1]);
	if (argc == 3 && !strcmp(argv[1], "--epoch")) {
		uint32_t e;

		if (read_at(argv[2], offsetof(struct fl_hdr, epoch), &e, sizeof(e)))
			return 1;
		printf("%u\n", e);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--ready")) {
		uint64_t m;

		if (read_at(argv[2], offsetof(struct fl_hdr, magic), &m, sizeof(m)))
			return 1;
		return m == FL_MAGIC ? 0 : 1;
	}
	fprintf(stderr, "usage: folio-vm-region-size CONFIG\n"
			"       folio-vm-region-size --epoch REGION_FILE\n"
			"       folio-vm-region-size --ready REGION_FILE\n");
	return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
}
