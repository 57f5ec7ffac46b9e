/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_keys.c - the list of net_folio's devargs, from its own table and
 * the library's configuration key table (fp_devargs.h).
 */
#include <stdio.h>
#include <string.h>

#include "config_keys.h"
#include "fp_devargs.h"

#define FP_OWN_FIRST(name, value) { #name, value, 1 },
#define FP_OWN_LAST(name, value) { #name, value, 0 },
const struct fp_devarg fp_devargs[] = {
	FP_DEVARGS_FIRST(FP_OWN_FIRST)
	FP_DEVARGS_LAST(FP_OWN_LAST)
};
const unsigned fp_ndevargs = sizeof(fp_devargs) / sizeof(fp_devargs[0]);

/* A string key (the region) is given as path=, never by its name. */
static int cfg_key_is_devarg(const struct fl_config_key *k)
{
	return k->kind != FL_KEY_STR;
}

int fp_devarg_known(const char *name)
{
	const struct fl_config_key *k = fl_config_key_find(name);

	for (unsigned i = 0; i < fp_ndevargs; i++)
		if (!strcmp(name, fp_devargs[i].name))
			return 1;
	return k && cfg_key_is_devarg(k);
}

static int add(char *buf, size_t len, size_t *o, const char *name)
{
	int n = snprintf(buf + *o, len - *o, "%s%s", *o ? ", " : "", name);

	if (n < 0 || (size_t)n >= len - *o)
		return -1;
	*o += (size_t)n;
	return 0;
}

int fp_devargs_list(char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (unsigned i = 0; i < fp_ndevargs; i++)
		if (fp_devargs[i].first && add(buf, len, &o, fp_devargs[i].name))
			return -1;
	for (unsigned i = 0; i < fl_config_nkeys; i++)
		if (cfg_key_is_devarg(&fl_config_keys[i]) &&
		    add(buf, len, &o, fl_config_keys[i].name))
			return -1;
	for (unsigned i = 0; i < fp_ndevargs; i++)
		if (!fp_devargs[i].first && add(buf, len, &o, fp_devargs[i].name))
			return -1;
	return (int)o;
}
