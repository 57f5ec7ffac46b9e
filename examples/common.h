/* SPDX-License-Identifier: BSD-3-Clause */
/* common.h - option parsing shared by the examples. */
#ifndef EXAMPLE_COMMON_H
#define EXAMPLE_COMMON_H

#include <folio.h>

#define EXAMPLE_BURST 32

struct example_args {
	struct folio_config cfg;
	unsigned long long frames; /* -n */
	unsigned duration;         /* --duration, seconds; 0: no limit */
};

/* Returns 0, or non-zero after printing the error; --help prints the
 * usage and exits 0. */
int example_parse(int argc, char **argv, struct example_args *a, const char *prog);

void example_print_stats(const char *who, const struct folio_stats *st);

#endif
