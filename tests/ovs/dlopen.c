/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dlopen.c - load a DPDK plugin the way an application that links only the
 * public DPDK libraries does (ovs-vswitchd-dpdk): dlopen(RTLD_NOW) from a
 * process that has no DPDK library loaded, so that every symbol the plugin
 * uses must come from the libraries it declares itself.
 *
 *   fp_dlopen PLUGIN.so
 *
 * Exit 0 when it loads, 1 with the loader's message on stderr otherwise.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	void *h;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: fp_dlopen PLUGIN.so\n"
			"Loads PLUGIN.so with RTLD_NOW and no library preloaded.\n");
		return argc == 2 ? 0 : 2;
	}
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "fp_dlopen: %s\n", dlerror());
		return 1;
	}
	printf("fp_dlopen: %s loaded\n", argv[1]);
	return 0;
}
