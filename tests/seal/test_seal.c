/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_seal.c - the sealed channel over a real region: a guest endpoint that
 * seals, and a host endpoint driven by this test, which plays the untrusted
 * host and the MACsec peer behind it with its own framing code.
 *
 *   test_seal            all checks below (exit 0 pass, 1 fail, 77 skip)
 *   test_seal wire MODE  print sealed frames the guest made, for an outside
 *                        decoder (tests/seal/interop.py); MODE 128 or 256
 *   test_seal open MODE  read sealed frames (hex, one a line) on stdin, feed
 *                        them to the guest, print what it delivers
 *
 * Key files, region and temp dir carry the PID and are removed at exit.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "folio.h"
#include "layout.h"

static int failures;
#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);    \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

static char dir[64];
static const uint8_t gmac[6] = {0x02, 0xf0, 0, 0, 0, 0x01};
static const uint64_t peer_sci = 0x02f0000000020001ull; /* host_mac || 1 */
static const uint64_t guest_sci = 0x02f0000000010001ull;
static uint8_t key_g[32], key_p[32]; /* guest's SAK, peer's SAK */

struct pair {
	int fd;
	struct folio_host *h;
	struct folio_guest *g;
	struct folio_config gc;
	uint8_t *map;
	struct fl_layout l;
	unsigned klen;
};

static void cleanup(void)
{
	char p[128];

	if (!dir[0])
		return;
	for (const char *const *n = (const char *const[]){"g128", "p128", "g256",
			"p256", "bad", "open", NULL}; *n; n++) {
		snprintf(p, sizeof(p), "%s/%s", dir, *n);
		unlink(p);
	}
	rmdir(dir);
}

static void write_key(const char *name, const uint8_t *k, unsigned len,
		      mode_t mode, int hex)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(1);
	}
	for (unsigned i = 0; i < len; i++)
		hex ? fprintf(f, "%02x", k[i]) : fputc(k[i], f);
	if (hex)
		fputc('\n', f);
	fclose(f);
	chmod(p, mode);
}

static void set(struct folio_config *c, const char *k, const char *v)
{
	char err[256];

	if (folio_config_set(c, k, v, err, sizeof(err))) {
		fprintf(stderr, "config %s = %s: %s\n", k, v, err);
		exit(1);
	}
}

/* Guest config for suite `bits` (0 = plain), with extra "k=v" settings. */
static void guest_cfg(struct folio_config *c, unsigned bits, const char *extra)
{
	char p[128];

	folio_config_init(c);
	set(c, "ring_entries", "64");
	if (!bits)
		return;
	set(c, "seal", bits == 256 ? "gcm-aes-256" : "gcm-aes-128");
	snprintf(p, sizeof(p), "%s/g%u", dir, bits);
	set(c, "seal_key", p);
	snprintf(p, sizeof(p), "%s/p%u", dir, bits);
	set(c, "seal_peer_key", p);
	set(c, "seal_peer_sci", "02:f0:00:00:00:02/1");
	while (extra && *extra) {
		char k[64], v[64];
		int n = 0;

		if (sscanf(extra, "%63[^=]=%63s%n", k, v, &n) != 2)
			break;
		set(c, k, v);
		extra += n;
		while (*extra == ' ')
			extra++;
	}
}

static int pair_open(struct pair *p, unsigned bits, const char *extra)
{
	struct folio_config hc;
	char err[256];
	int rc;

	memset(p, 0, sizeof(*p));
	p->klen = bits / 8;
	guest_cfg(&p->gc, bits, extra);
	if (folio_config_validate(&p->gc, err, sizeof(err))) {
		fprintf(stderr, "guest config: %s\n", err);
		return -1;
	}
	folio_config_init(&hc);
	set(&hc, "ring_entries", "64");
	hc.mtu = p->gc.mtu + (bits ? FOLIO_SEAL_OVERHEAD : 0); /* the wire MTU */
	p->fd = folio_region_memfd(&hc);
	if (p->fd < 0 || folio_host_create_fd(&hc, p->fd, &p->h))
		return -1;
	rc = folio_guest_open_fd(&p->gc, p->fd, &p->g);
	if (rc) {
		fprintf(stderr, "guest open: %s\n", folio_strerror(rc));
		return -1;
	}
	fl_layout_compute(&hc, &p->l);
	p->map = mmap(NULL, p->l.region_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->fd, 0);
	return p->map == MAP_FAILED ? -1 : 0;
}

static void pair_close(struct pair *p)
{
	folio_guest_close(p->g);
	folio_host_close(p->h);
	munmap(p->map, p->l.region_size);
	close(p->fd);
}

static uint64_t gstat(struct pair *p, unsigned k)
{
	struct folio_stats st;

	folio_guest_stats(p->g, 0, &st);
	return st.v[k];
}

/* Host side: retry while the guest's ack has not been seen yet. */
static int host_tx(struct pair *p, const void *const *b, const uint32_t *l,
		   unsigned n)
{
	int rc;

	for (int i = 0; i < 100; i++) {
		rc = folio_host_tx_burst(p->h, 0, b, l, n);
		if (rc != FOLIO_ENOTREADY)
			return rc;
		usleep(1000);
	}
	return rc;
}

static int host_rx(struct pair *p, void *const *b, uint32_t *l, unsigned n)
{
	int rc;

	for (int i = 0; i < 100; i++) {
		rc = folio_host_rx_burst(p->h, 0, b, l, n);
		if (rc != FOLIO_ENOTREADY)
			return rc;
		usleep(1000);
	}
	return rc;
}

static void be32(uint8_t *o, uint32_t v)
{
	o[0] = (uint8_t)(v >> 24), o[1] = (uint8_t)(v >> 16);
	o[2] = (uint8_t)(v >> 8), o[3] = (uint8_t)v;
}

static void be64(uint8_t *o, uint64_t v)
{
	be32(o, (uint32_t)(v >> 32));
	be32(o + 4, (uint32_t)v);
}

/* The peer's framing, written apart from lib/seal.c: plaintext frame ->
 * MACsec frame with explicit SCI. @return the sealed length. */
static uint32_t t_seal(const uint8_t *key, unsigned klen, uint64_t sci,
		       unsigned an, uint32_t pn, const uint8_t *in, uint32_t len,
		       uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint32_t dl = len - 12;
	uint8_t iv[12];
	int n;

	memcpy(out, in, 12);
	out[12] = 0x88, out[13] = 0xe5;
	out[14] = (uint8_t)(0x2c | an);
	out[15] = (uint8_t)(dl < 48 ? dl : 0);
	be32(out + 16, pn);
	be64(out + 20, sci);
	be64(iv, sci);
	be32(iv + 8, pn);
	EVP_EncryptInit_ex(c, klen == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(),
			   NULL, key, iv);
	EVP_EncryptUpdate(c, NULL, &n, out, 28);
	EVP_EncryptUpdate(c, out + 28, &n, in + 12, (int)dl);
	EVP_EncryptFinal_ex(c, out + 28 + dl, &n);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + 28 + dl);
	EVP_CIPHER_CTX_free(c);
	return len + 32;
}

/* Open a frame with explicit SCI; @return plaintext length or 0. */
static uint32_t t_open(const uint8_t *key, unsigned klen, const uint8_t *f,
		       uint32_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint32_t dl = len - 44;
	uint8_t iv[12];
	int n, ok;

	memcpy(iv, f + 20, 8);
	memcpy(iv + 8, f + 16, 4);
	EVP_DecryptInit_ex(c, klen == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(),
			   NULL, key, iv);
	EVP_DecryptUpdate(c, NULL, &n, f, 28);
	EVP_DecryptUpdate(c, out + 12, &n, f + 28, (int)dl);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(uintptr_t)(f + len - 16));
	ok = EVP_DecryptFinal_ex(c, out + 12 + n, &n) == 1;
	EVP_CIPHER_CTX_free(c);
	memcpy(out, f, 12);
	return ok ? dl + 12 : 0;
}

/* A plaintext frame: to the peer, from the guest, IPv4-ish, seeded body. */
static void make_frame(uint8_t *b, uint32_t len, uint32_t seed)
{
	static const uint8_t pmac[6] = {0x02, 0xf0, 0, 0, 0, 0x02};

	memcpy(b, pmac, 6);
	memcpy(b + 6, gmac, 6);
	b[12] = 0x08, b[13] = 0x00;
	for (uint32_t i = 14; i < len; i++)
		b[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
	if (len >= 18)
		be32(b + 14, seed);
}

static const uint32_t sizes[] = {14, 59, 60, 61, 100, 1514, 1518};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void t_format(unsigned bits)
{
	static uint8_t in[NSIZES][2048], out[NSIZES][2048], pt[2048];
	const void *ib[NSIZES];
	void *ob[NSIZES];
	uint32_t il[NSIZES], ol[NSIZES];
	struct pair p;

	if (pair_open(&p, bits, NULL)) {
		CHECK(0, "pair_open %u", bits);
		return;
	}
	for (unsigned i = 0; i < NSIZES; i++) {
		make_frame(in[i], sizes[i], i);
		ib[i] = in[i], il[i] = sizes[i], ob[i] = out[i];
	}
	CHECK(folio_guest_tx_burst(p.g, 0, ib, il, NSIZES) == (int)NSIZES, "tx");
	CHECK(host_rx(&p, ob, ol, NSIZES) == (int)NSIZES, "host rx");
	for (unsigned i = 0; i < NSIZES; i++) {
		uint8_t *f = out[i];
		uint32_t dl = sizes[i] - 12;

		CHECK(ol[i] == sizes[i] + 32, "len %u -> %u", sizes[i], ol[i]);
		CHECK(f[12] == 0x88 && f[13] == 0xe5, "ethertype");
		CHECK(f[14] == 0x2c, "TCI/AN %#x (want SC|E|C, AN 0)", f[14]);
		CHECK(f[15] == (dl < 48 ? dl : 0), "SL %u for %u bytes", f[15], dl);
		CHECK(f[16] == 0 && f[17] == 0 && f[18] == 0 && f[19] == i + 1,
		      "PN of frame %u", i);
		uint8_t sci[8];
		be64(sci, guest_sci);
		CHECK(!memcmp(f + 20, sci, 8), "SCI");
		CHECK(!memcmp(f, in[i], 12), "addresses in clear");
		CHECK(t_open(key_g, p.klen, f, ol[i], pt) == sizes[i] &&
		      !memcmp(pt, in[i], sizes[i]), "peer cannot open frame %u", i);
	}
	uint32_t big = p.gc.mtu + 19;
	ib[0] = in[0], il[0] = big;
	CHECK(folio_guest_tx_burst(p.g, 0, ib, il, 1) == -EINVAL, "oversize accepted");
	pair_close(&p);
}

/* Send one sealed wire frame from the host; @return frames the guest
 * delivered, and the frame in out. */
static int deliver(struct pair *p, const uint8_t *w, uint32_t wl, uint8_t *out,
		   uint32_t *outl)
{
	const void *b[1] = {w};
	void *o[1] = {out};
	int rc = host_tx(p, b, &wl, 1);

	if (rc != 1)
		return -100 + rc;
	return folio_guest_rx_burst(p->g, 0, o, outl, 1);
}

static void t_receive(unsigned bits)
{
	static uint8_t in[2048], w[2100], out[2048];
	uint32_t ol = 0, wl;
	struct pair p;

	if (pair_open(&p, bits, NULL)) {
		CHECK(0, "pair_open %u", bits);
		return;
	}
	for (unsigned i = 0; i < NSIZES; i++) {
		make_frame(in, sizes[i], 100 + i);
		wl = t_seal(key_p, p.klen, peer_sci, 0, i + 1, in, sizes[i], w);
		CHECK(deliver(&p, w, wl, out, &ol) == 1 && ol == sizes[i] &&
		      !memcmp(out, in, sizes[i]), "guest did not open frame of %u", sizes[i]);
	}
	pair_close(&p);
}

enum tamper { T_CT, T_ICV, T_SA, T_SL, T_TRUNC1, T_SHORT, T_LONG, T_ETYPE, T_V,
	      T_NOE, T_SCB, T_PN0, T_SCI, T_AN, T_REPLAY, T_OLDER, T__N };
static const char *const tname[T__N] = {"ciphertext", "icv", "source MAC", "SL",
	"truncated by 1", "truncated to 40", "one byte more", "ethertype",
	"version bit", "E clear", "SCB with SC", "PN 0", "unknown SCI", "wrong AN", "replay",
	"older PN"};
static const unsigned texpect[T__N] = {
	FOLIO_STAT_SEAL_BAD_ICV, FOLIO_STAT_SEAL_BAD_ICV, FOLIO_STAT_SEAL_BAD_ICV,
	FOLIO_STAT_SEAL_BAD_FRAME, FOLIO_STAT_SEAL_BAD_ICV, FOLIO_STAT_SEAL_BAD_FRAME,
	FOLIO_STAT_SEAL_BAD_ICV, FOLIO_STAT_SEAL_BAD_FRAME, FOLIO_STAT_SEAL_BAD_FRAME,
	FOLIO_STAT_SEAL_BAD_FRAME, FOLIO_STAT_SEAL_BAD_FRAME, FOLIO_STAT_SEAL_BAD_FRAME,
	FOLIO_STAT_SEAL_UNKNOWN_SCI, FOLIO_STAT_SEAL_UNKNOWN_SCI,
	FOLIO_STAT_SEAL_REPLAY, FOLIO_STAT_SEAL_REPLAY};

static void t_tamper(unsigned bits)
{
	static uint8_t in[2048], w[2100], out[2048];
	uint32_t ol, wl, pn = 51;
	struct folio_stats st;
	struct pair p;

	if (pair_open(&p, bits, NULL)) {
		CHECK(0, "pair_open %u", bits);
		return;
	}
	make_frame(in, 200, 7);
	/* PN 50 is accepted first: the replays below resend it, or older. */
	wl = t_seal(key_p, p.klen, peer_sci, 0, 50, in, 200, w);
	CHECK(deliver(&p, w, wl, out, &ol) == 1, "first valid frame");
	for (unsigned t = 0; t < T__N; t++) {
		uint64_t before = gstat(&p, texpect[t]);
		uint32_t use = t == T_REPLAY ? 50 : t == T_OLDER ? 40 : pn++;

		wl = t_seal(key_p, p.klen, t == T_SCI ? peer_sci + 1 : peer_sci,
			    t == T_AN ? 1 : 0, t == T_PN0 ? 0 : use, in, 200, w);
		switch (t) {
		case T_CT: w[100] ^= 1; break;
		case T_ICV: w[wl - 1] ^= 0x80; break;
		case T_SA: w[7] ^= 2; break;
		case T_SL: w[15] = 5; break;
		case T_TRUNC1: wl--; break;
		case T_SHORT: wl = 40; break;
		case T_LONG: w[wl++] = 0; break;
		case T_ETYPE: w[13] = 0x00; break;
		case T_V: w[14] |= 0x80; break;
		case T_NOE: w[14] &= (uint8_t)~0x08; break;
		case T_SCB: w[14] |= 0x10; break;
		default: break;
		}
		CHECK(deliver(&p, w, wl, out, &ol) == 0, "%s: delivered", tname[t]);
		CHECK(gstat(&p, texpect[t]) == before + 1, "%s: not counted as %s",
		      tname[t], folio_stat_name(texpect[t]));
	}
	/* The queue still works, and nothing counted as a ring violation. */
	wl = t_seal(key_p, p.klen, peer_sci, 0, pn++, in, 200, w);
	CHECK(deliver(&p, w, wl, out, &ol) == 1 && !memcmp(out, in, 200),
	      "valid frame after the tampered ones");
	folio_guest_stats(p.g, 0, &st);
	CHECK(st.state == FOLIO_Q_READY, "queue state %s", folio_qstate_name(st.state));
	CHECK(!st.v[FOLIO_STAT_BAD_LENGTH] && !st.v[FOLIO_STAT_BAD_INDEX] &&
	      !st.v[FOLIO_STAT_BAD_HEADER], "ring violation counted");
	pair_close(&p);
}

static void t_window(void)
{
	static uint8_t in[256], w[300], out[256];
	static const struct { uint32_t pn; int ok; } seq[] = {
		{10, 1}, {8, 1}, {7, 1}, {6, 0}, {11, 1}, {11, 1}, {5, 0}};
	uint32_t ol;
	struct pair p;

	if (pair_open(&p, 128, "seal_replay_window=4")) {
		CHECK(0, "pair_open window");
		return;
	}
	make_frame(in, 100, 1);
	for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		uint32_t wl = t_seal(key_p, 16, peer_sci, 0, seq[i].pn, in, 100, w);

		CHECK(deliver(&p, w, wl, out, &ol) == seq[i].ok,
		      "window 4: PN %u after 10 should be %s", seq[i].pn,
		      seq[i].ok ? "accepted" : "dropped");
	}
	pair_close(&p);
}

static void t_pn(void)
{
	static uint8_t in[3][128], out[3][128], rb[80][128];
	const void *ib[80];
	void *ob[80];
	uint32_t il[80], ol[80];
	struct pair p;
	int rc;

	/* Ring full: refused frames never reached a slot; their PNs are used
	 * by the next frames, so the peer sees no gap. */
	if (pair_open(&p, 128, NULL)) {
		CHECK(0, "pair_open");
		return;
	}
	for (unsigned i = 0; i < 80; i++) {
		make_frame(rb[i], 100, i);
		ib[i] = rb[i], il[i] = 100, ob[i] = rb[i];
	}
	CHECK(folio_guest_tx_burst(p.g, 0, ib, il, 80) == 64, "ring of 64");
	CHECK(host_rx(&p, ob, ol, 80) == 64, "host drain");
	CHECK(folio_guest_tx_burst(p.g, 0, ib, il, 1) == 1, "tx after drain");
	CHECK(host_rx(&p, ob, ol, 1) == 1 && rb[0][19] == 65 && rb[0][18] == 0,
	      "PN after a full ring: %u (want 65)", rb[0][19]);
	pair_close(&p);

	if (pair_open(&p, 128, "seal_pn=4294967294")) {
		CHECK(0, "pair_open pn");
		return;
	}
	for (unsigned i = 0; i < 3; i++) {
		make_frame(in[i], 100, i);
		ib[i] = in[i], il[i] = 100, ob[i] = out[i];
	}
	CHECK(folio_guest_tx_burst(p.g, 0, ib, il, 3) == 2, "PN wrap: 2 frames");
	rc = folio_guest_tx_burst(p.g, 0, ib, il, 1);
	CHECK(rc == FOLIO_ESEALPN, "PN exhausted: rc %d (%s)", rc, folio_strerror(rc));
	CHECK(host_rx(&p, ob, ol, 3) == 2 && out[1][16] == 0xff && out[1][19] == 0xff,
	      "last PN 0xffffffff");
	pair_close(&p);
}

static void expect_invalid(const char *extra, unsigned bits, const char *want)
{
	struct folio_config c;
	char err[256] = "";

	guest_cfg(&c, bits, extra);
	int rc = folio_config_validate(&c, err, sizeof(err));

	CHECK(rc == -EINVAL && strstr(err, want), "[%s]: rc %d, message '%s' "
	      "lacks '%s'", extra, rc, err, want);
}

static void t_keys(void)
{
	static const uint8_t k[33] = {1, 2, 3};
	char p[128], q[160];
	struct folio_config c;
	struct pair pr;

	snprintf(p, sizeof(p), "%s/bad", dir);
	snprintf(q, sizeof(q), "seal_key=%s", p);
	write_key("bad", k, 16, 0644, 1);
	expect_invalid(q, 128, "chmod 600");
	write_key("bad", k, 15, 0600, 0);
	expect_invalid(q, 128, "16-byte key");
	write_key("bad", k, 16, 0600, 0);
	expect_invalid(q, 256, "32-byte key");
	write_key("bad", k, 33, 0600, 1);
	expect_invalid(q, 256, "32-byte key");
	write_key("bad", k, 16, 0600, 0);
	guest_cfg(&c, 128, q);
	CHECK(!folio_config_validate(&c, NULL, 0), "a raw 16-byte key");
	expect_invalid("mtu=2000", 128, "too small for sealed");
	expect_invalid("seal_key=/nonexistent/k", 128, "No such file");
	guest_cfg(&c, 128, NULL);
	c.seal.peer_sci = 0;
	CHECK(folio_config_validate(&c, NULL, 0) == -EINVAL, "no peer SCI");
	CHECK(folio_config_set(&c, "seal", "aes", NULL, 0) == -EINVAL, "bad mode");
	CHECK(folio_config_set(&c, "seal_an", "4", NULL, 0) == -EINVAL, "AN 4");
	CHECK(folio_config_set(&c, "seal_peer_sci", "0200000000020001", NULL, 0) == 0 &&
	      c.seal.peer_sci == 0x0200000000020001ull, "SCI as hex");
	CHECK(folio_config_set(&c, "seal_frob", "1", NULL, 0) == -ENOENT, "unknown key");
	/* Seal keys in a config file, and given twice. */
	{
		char cf[160], err[256] = "";
		FILE *f;

		snprintf(cf, sizeof(cf), "%s/open", dir);
		f = fopen(cf, "w");
		if (f) {
			fprintf(f, "seal = gcm-aes-256\nseal_port = 7\nseal_peer_sci = "
				"0200000000020001\nseal = off\n");
			fclose(f);
		}
		folio_config_init(&c);
		CHECK(folio_config_load(&c, cf, err, sizeof(err)) == -EINVAL &&
		      strstr(err, "given twice") && strstr(err, ":4:"),
		      "seal given twice: '%s'", err);
		CHECK(c.seal.mode == FOLIO_SEAL_GCM_AES_256 && c.seal.port == 7,
		      "seal keys from a file");
		unlink(cf);
	}
	/* A host configured without the 32 bytes lays out another region. */
	folio_config_init(&c);
	set(&c, "ring_entries", "64");
	int fd = folio_region_memfd(&c);
	struct folio_host *h = NULL;
	if (fd >= 0 && !folio_host_create_fd(&c, fd, &h)) {
		guest_cfg(&pr.gc, 128, NULL);
		CHECK(folio_guest_open_fd(&pr.gc, fd, &pr.g) == FOLIO_EDIGEST,
		      "sealed guest on a host of the plain MTU");
		folio_host_close(h);
	}
	if (fd >= 0)
		close(fd);
}

static size_t count_hits(const uint8_t *m, size_t len, const char *pat)
{
	size_t n = 0, pl = strlen(pat);

	for (const uint8_t *s = m; (s = memmem(s, len - (size_t)(s - m), pat, pl));
	     s += pl)
		n++;
	return n;
}

/* The host's view: scan the whole region for a plaintext canary. */
static void t_canary(void)
{
	static const char canary[] = "FOLIO-CANARY-7f3a9c";
	static uint8_t f[32][1000];
	const void *b[32];
	uint32_t l[32];
	struct pair p;

	for (unsigned bits = 0; bits <= 256; bits += 128) {
		if (pair_open(&p, bits, NULL)) {
			CHECK(0, "pair_open");
			return;
		}
		for (unsigned i = 0; i < 32; i++) {
			make_frame(f[i], 1000, i);
			for (unsigned o = 40; o + sizeof(canary) < 1000; o += 100)
				memcpy(f[i] + o, canary, sizeof(canary) - 1);
			b[i] = f[i], l[i] = 1000;
		}
		while (folio_guest_tx_burst(p.g, 0, b, l, 32) == FOLIO_ENOTREADY)
			usleep(1000);
		size_t hits = count_hits(p.map, p.l.region_size, canary);

		if (bits)
			CHECK(hits == 0, "gcm-aes-%u: %zu canary hits in the region", bits, hits);
		else
			CHECK(hits >= 32, "plain: only %zu canary hits (scan broken?)", hits);
		fprintf(stderr, "canary: %s run, %zu hits in the region\n",
			bits ? (bits == 128 ? "gcm-aes-128" : "gcm-aes-256") : "plain", hits);
		pair_close(&p);
	}
}

/* A host that rewrites ciphertext while the guest decrypts. */
static volatile int stop_rw, rw_started;
static uint8_t *rw_slots;
static uint32_t rw_stride, rw_entries;

static void *rewriter(void *arg)
{
	uint32_t x = 12345;

	(void)arg;
	rw_started = 1;
	while (!stop_rw) {
		x = x * 1103515245u + 12345u;
		uint8_t *s = rw_slots + (size_t)((x >> 8) % rw_entries) * rw_stride;
		uint32_t off = 28 + (x >> 20) % 1400;

		__atomic_fetch_xor(&s[off], (uint8_t)(1u << (x & 7)), __ATOMIC_RELAXED);
	}
	return NULL;
}

static void t_race(void)
{
	enum { N = 20000, B = 16 };
	static uint8_t in[B][1514], w[B][1546], out[B][1518], ref[1514];
	const void *wb[B];
	void *ob[B];
	uint32_t wl[B], ol[B];
	uint64_t delivered = 0, forged = 0, sent = 0;
	pthread_t th;
	struct pair p;

	if (pair_open(&p, 128, NULL)) {
		CHECK(0, "pair_open");
		return;
	}
	rw_slots = p.map + fl_ring_off(&p.l, 0, FL_DIR_H2G) + p.l.slots_off;
	rw_stride = 1u << p.l.slot_shift;
	rw_entries = p.l.entries;
	stop_rw = 0;
	rw_started = 0;
	pthread_create(&th, NULL, rewriter, NULL);
	while (!rw_started)
		usleep(100);
	/* N frames, and on a busy machine on until the rewriter has hit some
	 * (bounded: 25 N frames). */
	for (uint32_t seq = 0; seq < N || (seq < 25 * N &&
	     !gstat(&p, FOLIO_STAT_SEAL_BAD_ICV)); seq += B) {
		for (unsigned i = 0; i < B; i++) {
			make_frame(in[i], 1514, seq + i);
			wl[i] = t_seal(key_p, 16, peer_sci, 0, seq + i + 1, in[i], 1514, w[i]);
			wb[i] = w[i], ob[i] = out[i];
		}
		int s = host_tx(&p, wb, wl, B);
		int r = folio_guest_rx_burst(p.g, 0, ob, ol, B);

		sent += s > 0 ? (unsigned)s : 0;
		for (int i = 0; i < r; i++) {
			uint32_t q = (uint32_t)out[i][14] << 24 | (uint32_t)out[i][15] << 16 |
				     (uint32_t)out[i][16] << 8 | out[i][17];

			make_frame(ref, 1514, q);
			delivered++;
			if (ol[i] != 1514 || memcmp(out[i], ref, 1514))
				forged++;
		}
	}
	stop_rw = 1;
	pthread_join(th, NULL);
	uint64_t icv = gstat(&p, FOLIO_STAT_SEAL_BAD_ICV);
	uint64_t other = gstat(&p, FOLIO_STAT_SEAL_BAD_FRAME) +
			 gstat(&p, FOLIO_STAT_SEAL_REPLAY);

	fprintf(stderr, "race: %llu sent, %llu delivered, %llu bad_icv, %llu other "
		"drops, %llu forged\n", (unsigned long long)sent,
		(unsigned long long)delivered, (unsigned long long)icv,
		(unsigned long long)other, (unsigned long long)forged);
	CHECK(forged == 0, "%llu forged frames delivered", (unsigned long long)forged);
	CHECK(delivered + icv + other == sent, "frames unaccounted for");
	CHECK(icv > 0, "the rewriter never hit a frame in flight");
	pair_close(&p);
}

static int hexbyte(const char *s)
{
	unsigned v;

	return sscanf(s, "%2x", &v) == 1 ? (int)v : -1;
}

/* Modes for tests/seal/interop.py. */
static int mode_wire(unsigned bits)
{
	static uint8_t in[2048], out[2100];
	const void *b[1] = {in};
	void *o[1] = {out};
	uint32_t l, ol;
	struct pair p;

	if (pair_open(&p, bits, NULL))
		return 1;
	for (unsigned i = 0; i < NSIZES; i++) {
		make_frame(in, sizes[i], i);
		l = sizes[i];
		if (folio_guest_tx_burst(p.g, 0, b, &l, 1) != 1 || host_rx(&p, o, &ol, 1) != 1)
			return 1;
		for (uint32_t j = 0; j < sizes[i]; j++)
			printf("%02x", in[j]);
		putchar(' ');
		for (uint32_t j = 0; j < ol; j++)
			printf("%02x", out[j]);
		putchar('\n');
	}
	pair_close(&p);
	return 0;
}

static int mode_open(unsigned bits)
{
	static char line[8192];
	static uint8_t w[4096], out[2048];
	uint32_t ol;
	struct pair p;

	if (pair_open(&p, bits, NULL))
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		uint32_t n = 0;

		for (char *s = line; hexbyte(s) >= 0 && n < sizeof(w); s += 2)
			w[n++] = (uint8_t)hexbyte(s);
		int rc = deliver(&p, w, n, out, &ol);

		if (rc == 1)
			for (uint32_t j = 0; j < ol; j++)
				printf("%02x", out[j]);
		else
			printf("dropped");
		putchar('\n');
	}
	pair_close(&p);
	return 0;
}

int main(int argc, char **argv)
{
	if (!folio_seal_available()) {
		fprintf(stderr, "SKIP: libfolio built without OpenSSL\n");
		return 77;
	}
	snprintf(dir, sizeof(dir), "/tmp/folio-seal-test.%d", (int)getpid());
	if (mkdir(dir, 0700)) {
		perror(dir);
		return 1;
	}
	atexit(cleanup);
	for (unsigned i = 0; i < 32; i++) {
		key_g[i] = (uint8_t)(0xa0 + i);
		key_p[i] = (uint8_t)(0x50 + 3 * i);
	}
	write_key("g128", key_g, 16, 0600, 1);
	write_key("p128", key_p, 16, 0600, 1);
	write_key("g256", key_g, 32, 0600, 1);
	write_key("p256", key_p, 32, 0600, 0);
	if (argc == 3) {
		unsigned bits = (unsigned)atoi(argv[2]);

		if (!strcmp(argv[1], "wire"))
			return mode_wire(bits);
		if (!strcmp(argv[1], "open"))
			return mode_open(bits);
	}
	if (argc != 1) {
		fprintf(stderr, "usage: test_seal [wire|open 128|256]\n");
		return 2;
	}
	for (unsigned bits = 128; bits <= 256; bits += 128) {
		t_format(bits);
		t_receive(bits);
		t_tamper(bits);
	}
	t_window();
	t_pn();
	t_keys();
	t_canary();
	t_race();
	fprintf(stderr, "%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
