/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region-size: print the size of the ivshmem backing file for a config.
 * QEMU's ivshmem-plain needs a power of two; the guest only checks that the
 * BAR is at least as large as the layout of its own config.
 *
 *   folio-vm-region-size CONFIG
 */
#include <stdio.h>

#include <folio.h>

int main(int argc, char **argv)
{
	struct folio_config cfg;
	char err[256];
	uint64_t need, size = 1u << 20;

	if (argc != 2) {
		fprintf(stderr, "usage: folio-vm-region-size CONFIG\n");
		return 2;
	}
	folio_config_init(&cfg);
	if (folio_config_load(&cfg, argv[1], err, sizeof(err)) ||
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
