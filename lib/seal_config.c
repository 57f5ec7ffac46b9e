/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seal_config.c - the sealed channel's config keys, checks and key files.
 * libc only, in every build: a library without OpenSSL still parses the
 * seal keys, so that a config asking for sealing fails validation with a
 * message that names the cause instead of an unknown key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal.h"

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
			int h = fl_hexval(s[i]);

			if (h < 0)
				return -1;
			v = v << 4 | (uint64_t)h;
		}
		*out = v;
		return 0;
	}
	for (i = 0; i < 6; i++) {
		int hi = fl_hexval(s[0]), lo = hi < 0 ? -1 : fl_hexval(s[1]);

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

uint32_t fl_seal_key_len(uint32_t mode)
{
	return mode == FOLIO_SEAL_GCM_AES_256 ? 32u : 16u;
}

/* Load a SAK: a regular file that only its owner may access, holding the
 * key raw (16 or 32 bytes) or as hex digits (32 or 64, an optional
 * newline after them). The text copy is wiped before returning. */
int fl_seal_load_key(const char *what, const char *path, uint32_t klen,
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
				int hi = fl_hexval((char)buf[2 * i]);
				int lo = fl_hexval((char)buf[2 * i + 1]);

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
	rc = fl_seal_load_key("seal_key", sc->key, fl_seal_key_len(sc->mode), key, err, errlen);
	if (!rc && sc->peer_key[0])
		rc = fl_seal_load_key("seal_peer_key", sc->peer_key, fl_seal_key_len(sc->mode), key,
			      err, errlen);
	explicit_bzero(key, sizeof(key));
	return rc;
}

