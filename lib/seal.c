/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seal.c - the sealed channel: MACsec (IEEE 802.1AE) in the guest's copy.
 *
 * Frame on the region (GCM-AES-128 / GCM-AES-256, confidentiality offset 0):
 *
 *   DA(6) SA(6) | 88E5 TCI/AN SL PN(4) SCI(8) | E(user data) | ICV(16)
 *   '------------- AAD: 28 bytes -------------'
 *   user data = the plaintext frame from its EtherType on; IV = SCI || PN.
 *
 * Transmit seals each frame into private scratch memory and the ring then
 * copies the finished bytes into the slot: a GCM implementation may read
 * its output back to hash it (OpenSSL's generic GCM does), and a host that
 * rewrote the slot between the write and that read would get a tag over a
 * ciphertext of its choosing. Receive copies each slot once into private
 * memory (the ring's one copy) and authenticates and decrypts only that
 * copy, so the tag covers exactly the bytes that were decrypted
 * (docs/design.md, "Sealed channel"). Frames that fail any check are
 * dropped and counted; that is the network's fault, never a ring violation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal.h"

#define ETH_ALEN_ 6
#define MACSEC_ETYPE 0x88e5u
#define TCI_V 0x80u
#define TCI_ES 0x40u
#define TCI_SC 0x20u
#define TCI_SCB 0x10u
#define TCI_E 0x08u
#define TCI_C 0x04u
#define SECTAG_SCI 16u   /* EtherType .. SCI */
#define SECTAG_NOSCI 8u  /* EtherType .. PN */
#define ICV_LEN 16u
#define SL_MAX 48u       /* user data shorter than this sets SL */
#define SEAL_CHUNK 16u   /* frames sealed per ring call: scratch stays in L1/L2 */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int folio_seal_available(void)
{
#ifdef FOLIO_HAVE_SEAL
	return 1;
#else
	return 0;
#endif
}

void fl_seal_config_init(struct folio_config *cfg)
{
	memset(&cfg->seal, 0, sizeof(cfg->seal));
	cfg->seal.port = 1;
	cfg->seal.pn = 1;
}

/* ---- config keys (parsed in every build) ---------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* "0200000000020001" (16 hex digits, as `ip macsec show` prints it) or
 * "02:00:00:00:00:02/1" (MAC / decimal port). */
static int parse_sci(const char *s, uint64_t *out)
{
	uint64_t v = 0, port;
	int i;

	if (strlen(s) == 16) {
		for (i = 0; i < 16; i++) {
			int h = hexval(s[i]);

			if (h < 0)
				return -1;
			v = v << 4 | (uint64_t)h;
		}
		*out = v;
		return 0;
	}
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0)
			return -1;
		v = v << 8 | (uint64_t)(hi << 4 | lo);
		s += 2;
		if (*s++ != (i < 5 ? ':' : '/'))
			return -1;
	}
	if (parse_uint(s, 65535, &port))
		return -1;
	*out = v << 16 | port;
	return 0;
}

static int set_path(char *dst, size_t cap, const char *key, const char *value,
		    char *err, size_t errlen)
{
	size_t n = strlen(value);

	if (n == 0 || n >= cap)
		return fail(err, errlen, "%s = '%s': expected a path of 1 to %zu bytes",
			    key, value, cap - 1);
	memcpy(dst, value, n + 1);
	return 0;
}

static const char *const seal_keys[] = {
	"seal", "seal_key", "seal_peer_key", "seal_peer_sci", "seal_port",
	"seal_an", "seal_peer_an", "seal_pn", "seal_replay_window",
};

int fl_seal_key_index(const char *name)
{
	for (unsigned i = 0; i < sizeof(seal_keys) / sizeof(seal_keys[0]); i++)
		if (!strcmp(name, seal_keys[i]))
			return (int)i;
	return -1;
}

int fl_seal_config_set(struct folio_config *cfg, const char *key,
		       const char *value, char *err, size_t errlen)
{
	struct folio_seal_config *sc = &cfg->seal;
	uint64_t v;

	if (!strcmp(key, "seal")) {
		if (!strcmp(value, "off"))
			sc->mode = FOLIO_SEAL_OFF;
		else if (!strcmp(value, "gcm-aes-128"))
			sc->mode = FOLIO_SEAL_GCM_AES_128;
		else if (!strcmp(value, "gcm-aes-256"))
			sc->mode = FOLIO_SEAL_GCM_AES_256;
		else
			return fail(err, errlen, "seal = '%s': expected off, "
				    "gcm-aes-128 or gcm-aes-256", value);
		return 0;
	}
	if (!strcmp(key, "seal_key"))
		return set_path(sc->key, sizeof(sc->key), key, value, err, errlen);
	if (!strcmp(key, "seal_peer_key"))
		return set_path(sc->peer_key, sizeof(sc->peer_key), key, value,
				err, errlen);
	if (!strcmp(key, "seal_peer_sci")) {
		if (parse_sci(value, &sc->peer_sci))
			return fail(err, errlen, "seal_peer_sci = '%s': expected 16 "
				    "hex digits (MAC and port, as ip macsec shows "
				    "it) or MAC/port such as 02:00:00:00:00:02/1",
				    value);
		return 0;
	}
	if (!strcmp(key, "seal_port")) {
		if (parse_uint(value, 65535, &v) || v == 0)
			return fail(err, errlen, "seal_port = '%s': expected 1 to 65535",
				    value);
		sc->port = (uint16_t)v;
		return 0;
	}
	if (!strcmp(key, "seal_an") || !strcmp(key, "seal_peer_an")) {
		if (parse_uint(value, 3, &v))
			return fail(err, errlen, "%s = '%s': expected 0 to 3", key,
				    value);
		if (key[5] == 'a')
			sc->an = (uint8_t)v;
		else
			sc->peer_an = (uint8_t)v;
		return 0;
	}
	if (!strcmp(key, "seal_pn")) {
		if (parse_uint(value, UINT32_MAX, &v) || v == 0)
			return fail(err, errlen, "seal_pn = '%s': expected 1 to %u",
				    value, UINT32_MAX);
		sc->pn = (uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "seal_replay_window")) {
		if (parse_uint(value, UINT32_MAX, &v))
			return fail(err, errlen, "seal_replay_window = '%s': expected "
				    "0 (strict order) to %u", value, UINT32_MAX);
		sc->replay_window = (uint32_t)v;
		return 0;
	}
	return -ENOENT;
}

static uint32_t key_len(uint32_t mode)
{
	return mode == FOLIO_SEAL_GCM_AES_256 ? 32u : 16u;
}

/* Load a SAK: a regular file that only its owner may access, holding the
 * key raw (16 or 32 bytes) or as hex digits (32 or 64, an optional
 * newline after them). The text copy is wiped before returning. */
static int load_key(const char *what, const char *path, uint32_t klen,
		    uint8_t *key, char *err, size_t errlen)
{
	uint8_t buf[160];
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	if (!path[0])
		return fail(err, errlen, "%s is required when seal is on", what);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return fail(err, errlen, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		rc = fail(err, errlen, "%s %s: not a regular file", what, path);
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = fail(err, errlen, "%s %s: mode %04o lets group or others "
			  "access the key; chmod 600 it", what, path,
			  (unsigned)(st.st_mode & 07777));
	} else {
		n = read(fd, buf, sizeof(buf));
		size_t t = n > 0 ? (size_t)n : 0;

		while (t > 2 * klen && (buf[t - 1] == '\n' || buf[t - 1] == '\r'))
			t--;
		if (n == (ssize_t)klen) {
			memcpy(key, buf, klen);
		} else if (t == 2 * klen) {
			for (uint32_t i = 0; i < klen && !rc; i++) {
				int hi = hexval((char)buf[2 * i]);
				int lo = hexval((char)buf[2 * i + 1]);

				if (hi < 0 || lo < 0)
					rc = fail(err, errlen, "%s %s: not hex", what,
						  path);
				else
					key[i] = (uint8_t)(hi << 4 | lo);
			}
		} else {
			rc = fail(err, errlen, "%s %s: %zd bytes; the cipher needs "
				  "a %u-byte key (%u raw bytes or %u hex digits)",
				  what, path, n, klen, klen, 2 * klen);
		}
	}
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

int fl_seal_validate(const struct folio_config *cfg, char *err, size_t errlen)
{
	const struct folio_seal_config *sc = &cfg->seal;
	uint8_t key[32];
	int rc;

	if (sc->mode == FOLIO_SEAL_OFF)
		return 0;
	if (!folio_seal_available())
		return fail(err, errlen, "seal is on, but this libfolio was built "
			    "without OpenSSL (libcrypto 3.0); install libssl-dev "
			    "and rebuild, or set seal = off");
	if (sc->mode > FOLIO_SEAL_GCM_AES_256)
		return fail(err, errlen, "seal mode %u is not a cipher suite", sc->mode);
	if (cfg->slot_size < cfg->mtu + FOLIO_L2_OVERHEAD + FOLIO_SEAL_OVERHEAD)
		return fail(err, errlen, "slot_size = %u is too small for sealed "
			    "frames of mtu = %u: needs at least %u (mtu + %u + %u "
			    "of SecTAG and ICV), rounded up to a power of two",
			    cfg->slot_size, cfg->mtu,
			    cfg->mtu + FOLIO_L2_OVERHEAD + FOLIO_SEAL_OVERHEAD,
			    FOLIO_L2_OVERHEAD, FOLIO_SEAL_OVERHEAD);
	if (cfg->mtu + FOLIO_SEAL_OVERHEAD > FOLIO_MAX_MTU)
		return fail(err, errlen, "mtu = %u: with seal on, the host carries "
			    "mtu + %u, which must stay <= %u", cfg->mtu,
			    FOLIO_SEAL_OVERHEAD, FOLIO_MAX_MTU);
	if (!sc->peer_sci)
		return fail(err, errlen, "seal is on but seal_peer_sci is not set");
	if (sc->an > 3 || sc->peer_an > 3 || !sc->pn || !sc->port)
		return fail(err, errlen, "seal_an/seal_peer_an must be 0..3, "
			    "seal_pn and seal_port >= 1");
	rc = load_key("seal_key", sc->key, key_len(sc->mode), key, err, errlen);
	if (!rc && sc->peer_key[0])
		rc = load_key("seal_peer_key", sc->peer_key, key_len(sc->mode), key,
			      err, errlen);
	explicit_bzero(key, sizeof(key));
	return rc;
}

#ifndef FOLIO_HAVE_SEAL

int fl_seal_open(const struct folio_config *cfg, unsigned queues,
		 struct fl_seal **out)
{
	(void)cfg;
	(void)queues;
	*out = NULL;
	return -ENOTSUP;
}

void fl_seal_close(struct fl_seal *s)
{
	(void)s;
}

int fl_seal_tx(struct fl_seal *s, struct fl_queue *q, unsigned qi,
	       const void *const *bufs, const uint32_t *lens, unsigned n)
{
	(void)s, (void)q, (void)qi, (void)bufs, (void)lens, (void)n;
	return -ENOTSUP;
}

int fl_seal_rx(struct fl_seal *s, struct fl_queue *q, unsigned qi,
	       void *const *bufs, uint32_t *lens, unsigned n)
{
	(void)s, (void)q, (void)qi, (void)bufs, (void)lens, (void)n;
	return -ENOTSUP;
}

#else /* FOLIO_HAVE_SEAL */

#include <openssl/evp.h>

/* One queue's two directions. They may run on different threads (a DPDK
 * receive and transmit queue), so nothing is shared between them. */
struct seal_dir {
	EVP_CIPHER_CTX *ctx;
	uint8_t *scratch;  /* SEAL_CHUNK wire frames, private */
	uint64_t pn;       /* tx: next PN (> UINT32_MAX: exhausted);
			    * rx: one past the highest PN accepted */
	uint32_t said;     /* tx: exhaustion logged */
};

struct seal_q {
	struct seal_dir tx;
	struct seal_dir rx;
} __attribute__((aligned(64)));

struct fl_seal {
	unsigned queues;
	uint32_t max_inner; /* plaintext frame bound: mtu + 18 */
	uint32_t wire_max;  /* sealed bound: max_inner + 32 */
	uint32_t window;
	uint8_t an, peer_an;
	uint8_t sci[8];     /* ours, big-endian */
	uint64_t peer_sci;
	struct seal_q *q;
};

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static int dir_init(struct seal_dir *d, const EVP_CIPHER *c, const uint8_t *key,
		    int enc, size_t scratch)
{
	d->ctx = EVP_CIPHER_CTX_new();
	d->scratch = aligned_alloc(64, scratch);
	if (!d->ctx || !d->scratch)
		return -ENOMEM;
	memset(d->scratch, 0, scratch);
	if (EVP_CipherInit_ex(d->ctx, c, NULL, key, NULL, enc) != 1)
		return -EINVAL;
	return 0;
}

static void dir_free(struct seal_dir *d, size_t scratch)
{
	EVP_CIPHER_CTX_free(d->ctx);
	if (d->scratch)
		explicit_bzero(d->scratch, scratch);
	free(d->scratch);
}

int fl_seal_open(const struct folio_config *cfg, unsigned queues,
		 struct fl_seal **out)
{
	const struct folio_seal_config *sc = &cfg->seal;
	uint32_t klen = key_len(sc->mode);
	uint8_t key[32], peer[32];
	char err[256];
	struct fl_seal *s;
	EVP_CIPHER *c;
	size_t scratch;
	int rc;

	*out = NULL;
	if (sc->mode == FOLIO_SEAL_OFF || sc->mode > FOLIO_SEAL_GCM_AES_256)
		return -EINVAL;
	rc = load_key("seal_key", sc->key, klen, key, err, sizeof(err));
	if (!rc)
		rc = load_key("seal_peer_key", sc->peer_key[0] ? sc->peer_key :
			      sc->key, klen, peer, err, sizeof(err));
	if (rc) {
		fl_log(FOLIO_LOG_ERR, "guest: seal: %s", err);
		goto wipe;
	}
	c = EVP_CIPHER_fetch(NULL, klen == 32 ? "AES-256-GCM" : "AES-128-GCM", NULL);
	s = calloc(1, sizeof(*s));
	if (s)
		s->q = aligned_alloc(64, sizeof(*s->q) * queues);
	if (!c || !s || !s->q) {
		rc = c ? -ENOMEM : -ENOTSUP;
		fl_log(FOLIO_LOG_ERR, "guest: seal: %s", c ? "out of memory" :
		       "OpenSSL has no AES-GCM cipher");
		if (s)
			free(s->q);
		free(s);
		EVP_CIPHER_free(c);
		goto wipe;
	}
	memset(s->q, 0, sizeof(*s->q) * queues);
	s->queues = queues;
	s->max_inner = folio_config_max_frame(cfg);
	s->wire_max = s->max_inner + FOLIO_SEAL_OVERHEAD;
	s->window = sc->replay_window;
	s->an = sc->an;
	s->peer_an = sc->peer_an;
	s->peer_sci = sc->peer_sci;
	memcpy(s->sci, cfg->guest_mac, 6);
	s->sci[6] = (uint8_t)(sc->port >> 8);
	s->sci[7] = (uint8_t)sc->port;
	scratch = (size_t)SEAL_CHUNK * s->wire_max;
	for (unsigned i = 0; i < queues && !rc; i++) {
		rc = dir_init(&s->q[i].tx, c, key, 1, scratch);
		if (!rc)
			rc = dir_init(&s->q[i].rx, c, peer, 0, scratch);
		s->q[i].tx.pn = sc->pn;
		s->q[i].rx.pn = 1;
	}
	EVP_CIPHER_free(c);
	if (rc) {
		fl_log(FOLIO_LOG_ERR, "guest: seal: cipher setup failed");
		fl_seal_close(s);
		goto wipe;
	}
	*out = s;
wipe:
	explicit_bzero(key, sizeof(key));
	explicit_bzero(peer, sizeof(peer));
	return rc;
}

void fl_seal_close(struct fl_seal *s)
{
	if (!s)
		return;
	for (unsigned i = 0; s->q && i < s->queues; i++) {
		dir_free(&s->q[i].tx, (size_t)SEAL_CHUNK * s->wire_max);
		dir_free(&s->q[i].rx, (size_t)SEAL_CHUNK * s->wire_max);
	}
	free(s->q);
	explicit_bzero(s, sizeof(*s));
	free(s);
}

/* Seal one plaintext frame p (len in [14, max_inner]) into w, private. */
static int seal_one(const struct fl_seal *s, struct seal_dir *d, uint8_t *w,
		    const uint8_t *p, uint32_t len, uint32_t pn)
{
	uint32_t dl = len - 2 * ETH_ALEN_;
	uint8_t iv[12];
	int ol = 0, fl = 0;

	memcpy(w, p, 2 * ETH_ALEN_);
	w[12] = (uint8_t)(MACSEC_ETYPE >> 8);
	w[13] = (uint8_t)MACSEC_ETYPE;
	w[14] = (uint8_t)(TCI_SC | TCI_E | TCI_C | s->an);
	w[15] = (uint8_t)(dl < SL_MAX ? dl : 0);
	put_be32(w + 16, pn);
	memcpy(w + 20, s->sci, 8);
	memcpy(iv, s->sci, 8);
	put_be32(iv + 8, pn);
	if (EVP_EncryptInit_ex(d->ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(d->ctx, NULL, &ol, w, 12 + SECTAG_SCI) != 1 ||
	    EVP_EncryptUpdate(d->ctx, w + 12 + SECTAG_SCI, &ol, p + 12, (int)dl) != 1 ||
	    EVP_EncryptFinal_ex(d->ctx, w + 12 + SECTAG_SCI + ol, &fl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_GCM_GET_TAG, ICV_LEN,
				w + 12 + SECTAG_SCI + dl) != 1)
		return -EIO;
	return 0;
}

int fl_seal_tx(struct fl_seal *s, struct fl_queue *q, unsigned qi,
	       const void *const *bufs, const uint32_t *lens, unsigned n)
{
	struct seal_dir *d = &s->q[qi].tx;
	const void *wb[SEAL_CHUNK];
	uint32_t wl[SEAL_CHUNK];
	unsigned done = 0;

	if (n > FOLIO_MAX_BURST)
		n = FOLIO_MAX_BURST;
	/* The ring's own length rule, on the plaintext: a bad one voids the
	 * whole burst before anything is sealed. */
	for (unsigned i = 0; i < n; i++) {
		if (fl_unlikely(lens[i] - FOLIO_MIN_FRAME > s->max_inner - FOLIO_MIN_FRAME ||
				!bufs[i])) {
			fl_stat_add(q, FOLIO_STAT_BAD_CALL, 1);
			return -EINVAL;
		}
	}
	while (done < n) {
		unsigned k = n - done < SEAL_CHUNK ? n - done : SEAL_CHUNK, m;
		int rc;

		for (m = 0; m < k && d->pn <= UINT32_MAX; m++) {
			uint8_t *w = d->scratch + (size_t)m * s->wire_max;

			if (seal_one(s, d, w, bufs[done + m], lens[done + m],
				     (uint32_t)d->pn))
				return done ? (int)done : -EIO;
			wb[m] = w;
			wl[m] = lens[done + m] + FOLIO_SEAL_OVERHEAD;
			d->pn++;
		}
		if (!m) {
			/* A static key must never reuse a nonce: stop. */
			if (!d->said) {
				d->said = 1;
				fl_log(FOLIO_LOG_ERR, "guest queue %u: seal: transmit "
				       "packet numbers exhausted; the queue sends no "
				       "more frames until it is opened with a new key",
				       qi);
			}
			return done ? (int)done : FOLIO_ESEALPN;
		}
		rc = fl_ring_produce(q, wb, wl, m);
		if (rc < 0)
			return done ? (int)done : rc;
		if ((unsigned)rc < m) {
			/* The ring took only rc: the others never left private
			 * memory, so their PNs were never seen and are reused. */
			d->pn -= m - (unsigned)rc;
			return (int)(done + (unsigned)rc);
		}
		done += m;
	}
	return (int)done;
}

/* Count a dropped frame; log the 1st, 2nd, 4th, 8th... of each kind. */
static void drop(struct fl_queue *q, unsigned qi, unsigned stat)
{
	uint64_t c = q->st[stat] + 1;

	fl_stat_add(q, stat, 1);
	if (!(c & (c - 1)))
		fl_log(FOLIO_LOG_WARN, "guest queue %u: seal: frame dropped (%s, "
		       "%llu so far)", qi, folio_stat_name(stat),
		       (unsigned long long)c);
}

/* Check and open one sealed frame f of len bytes (private memory) into
 * out. @return the plaintext length, or 0 with the frame counted as
 * dropped. out is wiped when the ICV does not verify. */
static uint32_t open_one(const struct fl_seal *s, struct seal_dir *d,
			 struct fl_queue *q, unsigned qi, uint8_t *out,
			 const uint8_t *f, uint32_t len)
{
	uint32_t tci, taglen, dl, sl, pn;
	uint64_t sci, lowest;
	uint8_t iv[12];
	int ol = 0, fl = 0;

	if (len < 12 + SECTAG_NOSCI + 2 + ICV_LEN ||
	    (f[12] << 8 | f[13]) != MACSEC_ETYPE)
		goto bad;
	tci = f[14];
	/* Only confidentiality-protected frames (E and C set), version 0,
	 * and never an explicit SCI together with ES or SCB. */
	if ((tci & TCI_V) || (tci & (TCI_E | TCI_C)) != (TCI_E | TCI_C) ||
	    ((tci & TCI_SC) && (tci & (TCI_ES | TCI_SCB))) || (f[15] & 0xc0))
		goto bad;
	taglen = (tci & TCI_SC) ? SECTAG_SCI : SECTAG_NOSCI;
	if (len < 12 + taglen + 2 + ICV_LEN)
		goto bad;
	dl = len - 12 - taglen - ICV_LEN;
	sl = f[15] & 0x3fu;
	if ((sl ? dl != sl : dl < SL_MAX) || 12 + dl > s->max_inner)
		goto bad;
	pn = get_be32(f + 16);
	if (!pn)
		goto bad;
	if (tci & TCI_SC)
		sci = get_be64(f + 20);
	else if (tci & TCI_ES) /* end station: SCI = source MAC || port 1 */
		sci = (get_be64(f + 4) & 0xffffffffffffull) << 16 | 1;
	else
		sci = s->peer_sci;
	if (sci != s->peer_sci || (tci & 3u) != s->peer_an) {
		drop(q, qi, FOLIO_STAT_SEAL_UNKNOWN_SCI);
		return 0;
	}
	lowest = d->pn > s->window ? d->pn - s->window : 1;
	if (pn < lowest) {
		drop(q, qi, FOLIO_STAT_SEAL_REPLAY);
		return 0;
	}
	put_be64(iv, sci);
	put_be32(iv + 8, pn);
	if (EVP_DecryptInit_ex(d->ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_DecryptUpdate(d->ctx, NULL, &ol, f, (int)(12 + taglen)) != 1 ||
	    EVP_DecryptUpdate(d->ctx, out + 12, &ol, f + 12 + taglen, (int)dl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_GCM_SET_TAG, ICV_LEN,
				(void *)(uintptr_t)(f + len - ICV_LEN)) != 1 ||
	    EVP_DecryptFinal_ex(d->ctx, out + 12 + ol, &fl) != 1) {
		explicit_bzero(out + 12, dl);
		drop(q, qi, FOLIO_STAT_SEAL_BAD_ICV);
		return 0;
	}
	memcpy(out, f, 12);
	if (pn >= d->pn)
		d->pn = (uint64_t)pn + 1;
	return 12 + dl;
bad:
	drop(q, qi, FOLIO_STAT_SEAL_BAD_FRAME);
	return 0;
}

int fl_seal_rx(struct fl_seal *s, struct fl_queue *q, unsigned qi,
	       void *const *bufs, uint32_t *lens, unsigned n)
{
	struct seal_dir *d = &s->q[qi].rx;
	void *wb[SEAL_CHUNK];
	uint32_t wl[SEAL_CHUNK];
	unsigned out = 0, taken = 0;

	if (n > FOLIO_MAX_BURST)
		n = FOLIO_MAX_BURST;
	for (unsigned i = 0; i < SEAL_CHUNK; i++)
		wb[i] = d->scratch + (size_t)i * s->wire_max;
	/* INV_bounded: at most n frames are taken from the ring per call,
	 * however many of them are dropped. */
	while (taken < n) {
		unsigned k = n - taken < SEAL_CHUNK ? n - taken : SEAL_CHUNK;
		/* The ring's one copy: each slot byte is read once, into
		 * scratch; everything below reads only that private copy. */
		int rc = fl_ring_consume(q, wb, wl, k);

		if (rc < 0)
			return out ? (int)out : rc;
		for (int i = 0; i < rc; i++) {
			uint32_t l = open_one(s, d, q, qi, bufs[out], wb[i], wl[i]);

			if (l)
				lens[out++] = l;
		}
		taken += (unsigned)rc;
		if ((unsigned)rc < k)
			break;
	}
	return (int)out;
}

#endif /* FOLIO_HAVE_SEAL */
