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
#include <stdlib.h>
#include <string.h>

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

#ifndef FOLIO_HAVE_SEAL
/* Unreachable: validation refuses seal on in this build. */
int fl_seal_open(const struct folio_config *cfg, unsigned queues,
		 struct fl_seal **out)
{
	(void)cfg, (void)queues;
	*out = NULL;
	return -ENOTSUP;
}

void fl_seal_close(struct fl_seal *s) { (void)s; }

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
	uint32_t klen = fl_seal_key_len(sc->mode);
	uint8_t key[32], peer[32];
	char err[256];
	struct fl_seal *s;
	EVP_CIPHER *c;
	size_t scratch;
	int rc;

	*out = NULL;
	if (sc->mode == FOLIO_SEAL_OFF || sc->mode > FOLIO_SEAL_GCM_AES_256)
		return -EINVAL;
	rc = fl_seal_load_key("seal_key", sc->key, klen, key, err, sizeof(err));
	if (!rc)
		rc = fl_seal_load_key("seal_peer_key", sc->peer_key[0] ? sc->peer_key :
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
	put_be32(iv, (uint32_t)(sci >> 32));
	put_be32(iv + 4, (uint32_t)sci);
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
