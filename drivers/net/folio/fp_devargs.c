/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp_devargs.c - net_folio's devargs: role, path, config and the PMD's own
 * keys, and the fixed configuration's keys through the library's key table
 * (fp_devargs.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "config_keys.h"
#include "folio.h"
#include "folio_lend.h"
#include "fp_devargs.h"
#include "fp_priv.h"

/* Default reset_failed: seconds before a failed channel is re-created. */
#define FP_RESET_DEFAULT_S 1u

int fp_parse(const char *name, const char *args, struct fp_priv *p)
{
	struct rte_kvargs *kv = NULL;
	char err[256];
	int rc = 0, role_set = 0, where_set = 0;

	folio_config_init(&p->cfg);
	p->zc_min = 0;
	p->reset_s = FP_RESET_DEFAULT_S;
	if (!args || !*args) {
		FL_LOG(ERR, "%s: devargs role=guest|host and path= are required", name);
		return -EINVAL;
	}
	kv = rte_kvargs_parse(args, NULL);
	if (!kv) {
		FL_LOG(ERR, "%s: cannot parse devargs '%s'", name, args);
		return -EINVAL;
	}
	/* Unknown keys first, so that a typo is named before anything else. */
	for (unsigned i = 0; i < kv->count; i++) {
		char known[512];

		if (fp_devarg_known(kv->pairs[i].key))
			continue;
		(void)fp_devargs_list(known, sizeof(known)); /* fits: 512 */
		FL_LOG(ERR, "%s: unknown devarg '%s' (known: %s)", name,
		       kv->pairs[i].key, known);
		rc = -EINVAL;
		goto out;
	}
	/* A config file first; keys given as devargs override it. */
	for (unsigned i = 0; i < kv->count; i++) {
		if (strcmp(kv->pairs[i].key, "config"))
			continue;
		where_set = 1;
		rc = folio_config_load(&p->cfg, kv->pairs[i].value, err, sizeof(err));
		if (rc) {
			FL_LOG(ERR, "%s: %s", name, err);
			goto out;
		}
	}
	for (unsigned i = 0; i < kv->count; i++) {
		const char *key = kv->pairs[i].key, *val = kv->pairs[i].value;

		if (!val)
			val = "";
		if (!strcmp(key, "config"))
			continue;
		if (!strcmp(key, "role")) {
			role_set = 1;
			if (!strcmp(val, "guest")) {
				p->role = FP_GUEST;
			} else if (!strcmp(val, "host")) {
				p->role = FP_HOST;
			} else {
				FL_LOG(ERR, "%s: role must be guest or host, not '%s'",
				       name, val);
				rc = -EINVAL;
				goto out;
			}
		} else if (!strcmp(key, "zc_min")) {
			char *end;
			unsigned long v = strtoul(val, &end, 10);

			if (!*val || *end || v > 65536) {
				FL_LOG(ERR, "%s: zc_min must be 0..65536", name);
				rc = -EINVAL;
				goto out;
			}
			p->zc_min = (uint32_t)v;
		} else if (!strcmp(key, "reset_failed")) {
			char *end;
			unsigned long v = strtoul(val, &end, 10);

			if (!*val || *end || v > 3600) {
				FL_LOG(ERR, "%s: reset_failed must be 0..3600 seconds (0: never)",
				       name);
				rc = -EINVAL;
				goto out;
			}
			p->reset_s = (uint32_t)v;
		} else if (!strcmp(key, "park")) {
			if (!strcmp(val, "membarrier")) {
				p->dp_fence = 0;
			} else if (!strcmp(val, "fence")) {
				p->dp_fence = 1;
			} else {
				FL_LOG(ERR, "%s: park must be membarrier or fence, not '%s'",
				       name, val);
				rc = -EINVAL;
				goto out;
			}
		} else {
			/* A key of the fixed configuration: its line of the
			 * library's table parses and range-checks it. */
			where_set |= !strcmp(key, "path");
			rc = fl_config_key_set(&p->cfg, fl_config_key_find(
						       strcmp(key, "path") ? key : "region"),
					       val, err, sizeof(err));
			if (rc) {
				FL_LOG(ERR, "%s: %s", name, err);
				goto out;
			}
		}
	}
	/* No silent default region: the channel is named explicitly. */
	if (!role_set || !where_set) {
		FL_LOG(ERR, "%s: devargs role=guest|host and path= (or region in "
		       "config=) are required", name);
		rc = -EINVAL;
		goto out;
	}
	rc = folio_config_validate(&p->cfg, err, sizeof(err));
	if (rc) {
		FL_LOG(ERR, "%s: %s", name, err);
		goto out;
	}
	p->max_frame = folio_config_max_frame(&p->cfg);
	p->zc_thresh = p->zc_min > FP_HDR_COPY ? p->zc_min : FP_HDR_COPY + 1;
	fl_reset_init(&p->rs, p->reset_s);
out:
	rte_kvargs_free(kv);
	return rc;
}
