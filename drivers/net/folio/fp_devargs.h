/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_devargs.h - the devargs net_folio takes (private). The fixed
 * configuration's keys come from the library's key table (config_keys.h),
 * with its "region" spelled "path"; the PMD's own keys are listed here.
 * The probe's "known:" message and RTE_PMD_REGISTER_PARAM_STRING (through
 * a header generated at build time by fp_param_gen.c) are both written
 * from these two tables (fp_keys.c); fp_devargs.c parses them.
 */
#ifndef FP_DEVARGS_H
#define FP_DEVARGS_H

#include <stddef.h>

/* One devarg of the PMD's own. */
struct fp_devarg {
	const char *name;
	const char *value; /* what it takes, as PARAM_STRING shows it */
	int first;         /* listed before the configuration's keys */
};

extern const struct fp_devarg fp_devargs[];
extern const unsigned fp_ndevargs;

/* Whether name is a devarg (own or configuration key; not "region"). */
int fp_devarg_known(const char *name);

/*
 * Every devarg in order: own first keys, configuration keys, own last
 * keys. With values: "role=guest|host path=<region> ..." (PARAM_STRING);
 * without: "role, path, ...".
 * @return bytes written (without the NUL), or -1 when buf is too short.
 */
int fp_devargs_list(char *buf, size_t len, int values);

struct fp_priv;

/* Parse the devargs args of vdev name into p (role, configuration, host
 * options). Logs what is wrong, naming the key. @return 0 or -EINVAL. */
int fp_parse(const char *name, const char *args, struct fp_priv *p);

#endif
