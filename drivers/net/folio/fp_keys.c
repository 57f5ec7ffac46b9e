/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_keys.c - the list of net_folio's devargs, from its own table and
 * the library's configuration key table (fp_devargs.h).
 */
#include <stdio.h>
#include <string.h>

#include "config_keys.h"
#include "fp_devargs.h"

const struct fp_devarg fp_devargs[] = {
	{ "role", "guest|host", 1 },
	{ "path", "<region>", 1 },
	{ "config", "<file>", 1 },
	{ "zc_min", "<bytes>", 0 },
	{ "reset_failed", "<seconds>", 0 },
	{ "park", "membarrier|fence", 0 },
};
const unsigned fp_ndevargs = sizeof(fp_devargs) / sizeof(fp_devargs[0]);

/* The region is given as path=, never as region=. */
static int cfg_key_is_devarg(const struct fl_config_key *k)
{
	return strcmp(k->name, "region") != 0;
}

int fp_devarg_known(const char *name)
{
	const struct fl_config_key *k = fl_config_key_find(name);

	for (unsigned i = 0; i < fp_ndevargs; i++)
		if (!strcmp(name, fp_devargs[i].name))
			return 1;
	return k && cfg_key_is_devarg(k);
}

static int add(char *buf, size_t len, size_t *o, int values, const char *name,
	       const char *value)
{
	int n = snprintf(buf + *o, len - *o, "%s%s%s%s", *o ? (values ? " " : ", ") : "",
			 name, values ? "=" : "", values ? value : "");

	if (n < 0 || (size_t)n >= len - *o)
		return -1;
	*o += (size_t)n;
	return 0;
}

int fp_devargs_list(char *buf, size_t len, int values)
{
	size_t o = 0;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (unsigned i = 0; i < fp_ndevargs; i++)
		if (fp_devargs[i].first &&
		    add(buf, len, &o, values, fp_devargs[i].name, fp_devargs[i].value))
			return -1;
	for (unsigned i = 0; i < fl_config_nkeys; i++) {
		const struct fl_config_key *k = &fl_config_keys[i];

		if (cfg_key_is_devarg(k) &&
		    add(buf, len, &o, values, k->name,
			k->kind == FL_KEY_MAC ? "<mac>" :
			k->kind == FL_KEY_STR ? "<string>" : "<n>"))
			return -1;
	}
	for (unsigned i = 0; i < fp_ndevargs; i++)
		if (!fp_devargs[i].first &&
		    add(buf, len, &o, values, fp_devargs[i].name, fp_devargs[i].value))
			return -1;
	return (int)o;
}
