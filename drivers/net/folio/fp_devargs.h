/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_devargs.h - the devargs net_folio takes (private). The fixed
 * configuration's keys come from the library's key table (config_keys.h,
 * FL_CONFIG_KEYS) but for its string keys: the region is spelled "path".
 * The PMD's own keys are the two lists below. The probe's "known:" message
 * (fp_keys.c) and RTE_PMD_REGISTER_PARAM_STRING (FP_PARAM_STRING, a
 * literal built by the preprocessor) both come from these lists;
 * fp_devargs.c parses them.
 */
#ifndef FP_DEVARGS_H
#define FP_DEVARGS_H

#include <stddef.h>

#include "config_keys.h"

/* The PMD's own devargs, X(name, what it takes), before and after the
 * configuration's keys. */
#define FP_DEVARGS_FIRST(X)              \
	X(role, "guest|host")            \
	X(path, "<region>")              \
	X(config, "<file>")
#define FP_DEVARGS_LAST(X)               \
	X(zc_min, "<bytes>")             \
	X(reset_failed, "<seconds>")     \
	X(park, "membarrier|fence")

/* What a configuration key takes, by its kind; string keys are not
 * devargs. */
#define FP_CFG_FL_KEY_UINT(f) " " #f "=<n>"
#define FP_CFG_FL_KEY_INT(f) " " #f "=<n>"
#define FP_CFG_FL_KEY_MAC(f) " " #f "=<mac>"
#define FP_CFG_FL_KEY_STR(f)
#define FP_CFG_PARAM(field, kind, pow2, digested, min, max, help) FP_CFG_##kind(field)
#define FP_OWN_PARAM(name, value) " " #name "=" value

/* " role=guest|host path=<region> ... park=membarrier|fence": each key
 * with the space before it, the first one too (a literal can not drop it). */
#define FP_PARAM_STRING                                                   \
	FP_DEVARGS_FIRST(FP_OWN_PARAM) FL_CONFIG_KEYS(FP_CFG_PARAM)       \
	FP_DEVARGS_LAST(FP_OWN_PARAM)

/* One devarg of the PMD's own. */
struct fp_devarg {
	const char *name;
	const char *value; /* what it takes, as FP_PARAM_STRING shows it */
	int first;         /* listed before the configuration's keys */
};

extern const struct fp_devarg fp_devargs[];
extern const unsigned fp_ndevargs;

/* Whether name is a devarg (own, or a configuration key but a string). */
int fp_devarg_known(const char *name);

/* Every devarg's name in order, "role, path, ..., park": own first keys,
 * configuration keys, own last keys.
 * @return bytes written (without the NUL), or -1 when buf is too short. */
int fp_devargs_list(char *buf, size_t len);

struct fp_priv;

/* Parse the devargs args of vdev name into p (role, configuration, host
 * options). Logs what is wrong, naming the key. @return 0 or -EINVAL. */
int fp_parse(const char *name, const char *args, struct fp_priv *p);

#endif
