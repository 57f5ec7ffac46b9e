/* SPDX-License-Identifier: BSD-3-Clause */
/* error.c - which of the library's return codes are worth a retry. */
#include <errno.h>

#include "folio.h"

int folio_error_is_transient(int code)
{
	/*
	 * The host has not created the region file yet (-ENOENT), has not
	 * sized it yet (FOLIO_ESMALL), or has no ready epoch (FOLIO_ENOTREADY:
	 * starting or restarting). Everything else, FOLIO_EMAGIC, _EVERSION
	 * and _EDIGEST included, is a deployment mistake or a violation that
	 * waiting does not cure.
	 */
	return code == -ENOENT || code == FOLIO_ESMALL || code == FOLIO_ENOTREADY;
}
