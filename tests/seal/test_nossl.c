/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nossl.c - the library built without OpenSSL (folio_sources with no
 * FOLIO_HAVE_SEAL): it stays libc-only, parses the seal keys, and refuses a
 * config that asks for sealing with a message that names the cause.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "folio.h"

int main(void)
{
	struct folio_config c;
	struct folio_guest *g = NULL;
	char err[256] = "";
	int bad = 0;

	folio_config_init(&c);
	if (folio_seal_available()) {
		fprintf(stderr, "FAIL: folio_seal_available() in a build without OpenSSL\n");
		return 1;
	}
	if (folio_config_validate(&c, err, sizeof(err))) {
		fprintf(stderr, "FAIL: plain config refused: %s\n", err);
		bad = 1;
	}
	if (folio_config_set(&c, "seal", "gcm-aes-128", err, sizeof(err)) ||
	    folio_config_set(&c, "seal_peer_sci", "02:f0:00:00:00:02/1", err, sizeof(err))) {
		fprintf(stderr, "FAIL: seal keys not parsed: %s\n", err);
		return 1;
	}
	if (folio_config_validate(&c, err, sizeof(err)) != -EINVAL ||
	    !strstr(err, "without OpenSSL")) {
		fprintf(stderr, "FAIL: sealed config accepted or unclear: '%s'\n", err);
		bad = 1;
	}
	if (folio_guest_open(&c, &g) != -EINVAL) {
		fprintf(stderr, "FAIL: guest opened a sealed config without OpenSSL\n");
		bad = 1;
	}
	fprintf(stderr, "%s: validate says: %s\n", bad ? "FAIL" : "PASS", err);
	return bad;
}
