/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hello.c - a program built against the installed libfolio only (through
 * pkg-config): one frame each way between a host and a guest endpoint
 * over a sealed memfd, checked byte for byte. Prints the header's version.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <folio.h>

#define TRIES 1000

/* Make one frame move (a call returning 1), retrying while the peer is
 * not ready or the frame not there yet. */
#define RETRY(call, what)                                                        \
	do {                                                                     \
		int rc_ = FOLIO_ENOTREADY;                                       \
		for (int i_ = 0; i_ < TRIES && (rc_ == FOLIO_ENOTREADY || !rc_); \
		     i_++)                                                       \
			rc_ = (call);                                            \
		if (rc_ != 1) {                                                  \
			fprintf(stderr, "hello: %s: %s\n", what,                 \
				rc_ < 0 ? folio_strerror(rc_) : "no frame");     \
			return 1;                                                \
		}                                                                \
	} while (0)

static int check(int rc, const char *what)
{
	if (rc < 0)
		fprintf(stderr, "hello: %s: %s\n", what, folio_strerror(rc));
	return rc < 0;
}

int main(void)
{
	struct folio_config cfg;
	struct folio_host *h;
	struct folio_guest *g;
	static uint8_t out[64], in[2048];
	const void *tx[1] = {out};
	void *rx[1] = {in};
	uint32_t len = sizeof(out), got = 0;
	char err[256];
	int fd;

	folio_config_init(&cfg);
	if (folio_config_set(&cfg, "ring_entries", "64", err, sizeof(err)) ||
	    folio_config_validate(&cfg, err, sizeof(err))) {
		fprintf(stderr, "hello: %s\n", err);
		return 1;
	}
	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	fd = folio_region_memfd(&cfg);
	if (check(fd, "memfd") ||
	    check(folio_host_create_fd(&cfg, fd, &h), "host") ||
	    check(folio_guest_open_fd(&cfg, fd, &g), "guest"))
		return 1;
	/* Guest to host, then host to guest; not-ready until both attached. */
	RETRY(folio_guest_tx_burst(g, 0, tx, &len, 1), "guest tx");
	RETRY(folio_host_rx_burst(h, 0, rx, &got, 1), "host rx");
	if (got != len || memcmp(in, out, len)) {
		fprintf(stderr,
			"hello: the host did not receive the guest's frame\n");
		return 1;
	}
	memset(in, 0, sizeof(in));
	RETRY(folio_host_tx_burst(h, 0, tx, &len, 1), "host tx");
	RETRY(folio_guest_rx_burst(g, 0, rx, &got, 1), "guest rx");
	if (got != len || memcmp(in, out, len)) {
		fprintf(stderr,
			"hello: the guest did not receive the host's frame\n");
		return 1;
	}
	folio_guest_close(g);
	folio_host_close(h);
	close(fd);
	printf("%s\n", FOLIO_VERSION_STRING);
	return 0;
}
