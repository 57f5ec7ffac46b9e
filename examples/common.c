/* SPDX-License-Identifier: BSD-3-Clause */
/* common.c - option parsing shared by the examples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tool.h"

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-c CONFIG] [--KEY VALUE ...] [-n FRAMES] [--duration SEC]\n"
		"  -c CONFIG        the fixed configuration (key = value file)\n"
		"  --KEY VALUE      override one config key (--region, --mtu, --queues,\n"
		"                   --ring_entries, --slot_size, --guest_mac, --host_mac, ...)\n"
		"  -n FRAMES        frames to exchange (guest; default 100000)\n"
		"  --duration SEC   stop after SEC seconds\n", prog);
}

int example_parse(int argc, char **argv, struct example_args *a, const char *prog)
{
	char err[256];
	const char *conf = NULL;
	const char *keys[16], *vals[16];
	int nover = 0;

	folio_config_init(&a->cfg);
	a->frames = 100000;
	a->duration = 0;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(prog);
			exit(0);
		}
		if (!v) {
			fprintf(stderr, "%s: %s needs a value (or unknown option)\n", prog, o);
			return 1;
		}
		i++;
		if (!strcmp(o, "-c")) {
			conf = v;
		} else if (!strcmp(o, "-n")) {
			a->frames = strtoull(v, &end, 10);
			if (*end || !a->frames) {
				fprintf(stderr, "%s: -n '%s': expected a positive count\n", prog, v);
				return 1;
			}
		} else if (!strcmp(o, "--duration")) {
			unsigned long d = strtoul(v, &end, 10);

			if (*end || d > 86400) {
				fprintf(stderr, "%s: --duration '%s': expected 0..86400\n", prog, v);
				return 1;
			}
			a->duration = (unsigned)d;
		} else if (!strncmp(o, "--", 2) && nover < 16) {
			/* A config key: applied after the file, so it overrides it. */
			keys[nover] = o + 2;
			vals[nover++] = v;
		} else {
			fprintf(stderr, "%s: unknown option %s\n", prog, o);
			usage(prog);
			return 1;
		}
	}
	if (conf && folio_config_load(&a->cfg, conf, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	for (int i = 0; i < nover; i++) {
		if (folio_config_set(&a->cfg, keys[i], vals[i], err, sizeof(err))) {
			fprintf(stderr, "%s: --%s: %s\n", prog, keys[i], err);
			return 1;
		}
	}
	if (folio_config_validate(&a->cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	return 0;
}

void example_print_stats(const char *who, const struct folio_stats *st)
{
	struct tool_line l;

	tool_line_init(&l, "%s:", who);
	tool_line_stats(&l, st);
	tool_line_print(&l);
}
