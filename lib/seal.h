/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seal.h - the sealed channel's private interface (seal.c, and
 * seal_config.c for its keys): MACsec
 * (IEEE 802.1AE) GCM-AES done by the guest inside its one copy per frame.
 *
 * Built with OpenSSL's libcrypto when the build found it (FOLIO_HAVE_SEAL);
 * otherwise seal.c keeps only the config parser, and a config that asks for
 * sealing fails validation with a message that says so.
 */
#ifndef FL_SEAL_H
#define FL_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

struct fl_seal;

/* Bytes that sealing adds to every frame on the region: the digest and the
 * layout cover the wire MTU, mtu + this. */
static inline uint32_t fl_seal_overhead(const struct folio_config *cfg)
{
	return cfg->seal.mode != FOLIO_SEAL_OFF ? FOLIO_SEAL_OVERHEAD : 0;
}

#ifdef __KERNEL__
/* folio.ko compiles config.c but has no seal layer: sealing is a userspace
 * guest's feature (OpenSSL, key files). No seal key exists there, so a module
 * parameter can never turn it on, and the config stays "seal = off". */
static inline void fl_seal_config_init(struct folio_config *cfg)
{
	memset(&cfg->seal, 0, sizeof(cfg->seal));
}
static inline int fl_seal_key_index(const char *name)
{
	(void)name;
	return -1;
}
static inline int fl_seal_config_set(struct folio_config *cfg, const char *key,
				     const char *value, char *err, size_t errlen)
{
	(void)cfg; (void)key; (void)value; (void)err; (void)errlen;
	return -ENOENT;
}
static inline int fl_seal_validate(const struct folio_config *cfg, char *err,
				   size_t errlen)
{
	(void)cfg; (void)err; (void)errlen;
	return 0;
}
#else
/* Defaults of the seal keys (called by folio_config_init). */
void fl_seal_config_init(struct folio_config *cfg);

/* Index of a seal key (0..15), or -1 if name is not one. */
int fl_seal_key_index(const char *name);

/* Parse one seal_* key. @return 0, -EINVAL (message in err), or -ENOENT
 * if key is not a seal key (err untouched). */
int fl_seal_config_set(struct folio_config *cfg, const char *key,
		       const char *value, char *err, size_t errlen);

/* The seal checks of folio_config_validate(): OpenSSL present, slot room,
 * peer SCI, key files (size, permissions). 0 or -EINVAL with a message. */
int fl_seal_validate(const struct folio_config *cfg, char *err, size_t errlen);
#endif /* __KERNEL__ */

/* SAK length of a cipher suite: 16 or 32 bytes. */
uint32_t fl_seal_key_len(uint32_t mode);

/* Read a key file (regular, owner-only, raw or hex of klen bytes) into key.
 * @return 0 or -EINVAL with a message in err naming `what` and the path. */
int fl_seal_load_key(const char *what, const char *path, uint32_t klen,
		     uint8_t *key, char *err, size_t errlen);

/* Per-endpoint seal state for `queues` queues, keys loaded and checked.
 * @return 0, -EINVAL (bad keys), -ENOMEM, -ENOTSUP (built without OpenSSL). */
int fl_seal_open(const struct folio_config *cfg, unsigned queues,
		 struct fl_seal **out);
void fl_seal_close(struct fl_seal *s);

/* The guest's transmit and receive with sealing on: the same contract as
 * fl_ring_produce / fl_ring_consume, on plaintext frames. Receive returns
 * only frames whose ICV verified; the others are dropped and counted. */
int fl_seal_tx(struct fl_seal *s, struct fl_queue *q, unsigned qi,
	       const void *const *bufs, const uint32_t *lens, unsigned n);
int fl_seal_rx(struct fl_seal *s, struct fl_queue *q, unsigned qi,
	       void *const *bufs, uint32_t *lens, unsigned n);

#endif /* FL_SEAL_H */
