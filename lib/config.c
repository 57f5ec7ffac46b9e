/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.c - the fixed deployment configuration: defaults, strict parsing,
 * validation, digest and layout. Nothing here is ever negotiated with the
 * peer; both sides are handed the same values before they start.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio.h"
#include "config_keys.h"
#include "internal.h"
#include "layout.h"
#include "seal.h"

static const uint8_t default_guest_mac[6] = {0x02, 0xf0, 0, 0, 0, 0x01};
static const uint8_t default_host_mac[6] = {0x02, 0xf0, 0, 0, 0, 0x02};

void folio_config_init(struct folio_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->queues = 1;
	cfg->ring_entries = 1024;
	cfg->slot_size = 2048;
	cfg->mtu = 1500;
	memcpy(cfg->guest_mac, default_guest_mac, 6);
	memcpy(cfg->host_mac, default_host_mac, 6);
	cfg->numa_node = -1;
	snprintf(cfg->region, sizeof(cfg->region), "/dev/shm/folio0");
	fl_seal_config_init(cfg);
}

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* The table of config_keys.h as data; the digest hashes the digested keys
 * in this order. */
#define FL_KEY_LINE(f, kind, pow2, digested, min, max, help) \
	{#f, kind, pow2, digested, min, max, FL_KEY_FIELD(f), help},
const struct fl_config_key fl_config_keys[] = {FL_CONFIG_KEYS(FL_KEY_LINE)};
#undef FL_KEY_LINE
const unsigned fl_config_nkeys = sizeof(fl_config_keys) / sizeof(fl_config_keys[0]);

/* folio_config_load() marks the keys it has seen in a 64-bit mask. */
_Static_assert(sizeof(fl_config_keys) / sizeof(fl_config_keys[0]) <= 64,
	       "more keys than the loader's mask holds");

const struct fl_config_key *fl_config_key_find(const char *name)
{
	for (unsigned i = 0; name && i < fl_config_nkeys; i++)
		if (!strcmp(name, fl_config_keys[i].name))
			return &fl_config_keys[i];
	return NULL;
}

/* Decimal only, no sign, no spaces, no trailing text. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* As parse_u64, with an optional leading '-'. */
static int parse_i64(const char *s, int64_t *out)
{
	uint64_t v;
	int neg = *s == '-';

	if (parse_u64(s + neg, &v) || v > INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = fl_hexval(s[0]), lo = hi < 0 ? -1 : fl_hexval(s[1]);

		if (lo < 0)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return *s ? -1 : 0;
}

static int put(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int put(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int fl_config_key_expect(const struct fl_config_key *k, char *buf, size_t len)
{
	switch (k->kind) {
	case FL_KEY_UINT:
	case FL_KEY_INT:
		return put(buf, len, "%s from %lld to %lld",
			   k->pow2 ? "a power of two" : "an integer",
			   (long long)k->min, (long long)k->max);
	case FL_KEY_MAC:
		return put(buf, len, "a MAC such as 02:f0:00:00:00:01");
	default:
		return put(buf, len, "a %s of %lld to %lld bytes", k->help,
			   (long long)k->min, (long long)k->max);
	}
}

int fl_config_key_list(char *buf, size_t len)
{
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < fl_config_nkeys; i++) {
		int n = put(buf + o, len - o, "%s%s", i ? ", " : "", fl_config_keys[i].name);

		if (n < 0)
			return n;
		o += (size_t)n;
	}
	return (int)o;
}

/* Values are quoted at most this long in messages, so that what the key
 * expects always fits in the caller's buffer. */
#define QUOTE_MAX 40

static int bad_value(const struct fl_config_key *k, const char *value,
		     char *err, size_t errlen)
{
	char want[96];
	size_t n = strlen(value);

	fl_config_key_expect(k, want, sizeof(want));
	return fail(err, errlen, -EINVAL, "%s = '%.*s%s': expected %s", k->name,
		    QUOTE_MAX, value, n > QUOTE_MAX ? "..." : "", want);
}

static void *field(struct folio_config *cfg, const struct fl_config_key *k)
{
	return (char *)cfg + k->off;
}

static const void *cfield(const struct folio_config *cfg, const struct fl_config_key *k)
{
	return (const char *)cfg + k->off;
}

/* FL_KEY_UINT and FL_KEY_INT: the field's value, and whether it is allowed. */
static int64_t int_value(const struct folio_config *cfg, const struct fl_config_key *k)
{
	const void *p = cfield(cfg, k);

	if (k->kind == FL_KEY_UINT)
		return *(const uint32_t *)p;
	return *(const int32_t *)p;
}

static int int_ok(const struct fl_config_key *k, int64_t v)
{
	return v >= k->min && v <= k->max && (!k->pow2 || is_pow2((uint64_t)v));
}

int fl_config_key_set(struct folio_config *cfg, const struct fl_config_key *k,
		      const char *value, char *err, size_t errlen)
{
	int64_t v;
	uint8_t mac[6];
	size_t n;

	switch (k->kind) {
	case FL_KEY_UINT:
	case FL_KEY_INT:
		if ((k->kind == FL_KEY_UINT && *value == '-') || parse_i64(value, &v) ||
		    !int_ok(k, v))
			return bad_value(k, value, err, errlen);
		if (k->kind == FL_KEY_UINT)
			*(uint32_t *)field(cfg, k) = (uint32_t)v;
		else
			*(int32_t *)field(cfg, k) = (int32_t)v;
		return 0;
	case FL_KEY_MAC:
		if (parse_mac(value, mac))
			return bad_value(k, value, err, errlen);
		memcpy(field(cfg, k), mac, 6);
		return 0;
	default:
		n = strlen(value);
		if (n < (uint64_t)k->min || n > (uint64_t)k->max || n >= k->size)
			return bad_value(k, value, err, errlen);
		memcpy(field(cfg, k), value, n + 1);
		return 0;
	}
}

int fl_config_key_check(const struct folio_config *cfg,
			const struct fl_config_key *k, char *err, size_t errlen)
{
	char want[96];
	int64_t v;
	const char *s;

	if (k->kind == FL_KEY_MAC)
		return 0; /* any 6 bytes are a MAC; the relations are checked apart */
	if (k->kind == FL_KEY_STR) {
		s = cfield(cfg, k);
		if (!memchr(s, '\0', k->size))
			return fail(err, errlen, -EINVAL, "%s is not terminated", k->name);
		/* Empty, set by code, means unset (a memfd needs no path). */
		v = (int64_t)strlen(s);
		if (v <= k->max)
			return 0;
	} else {
		v = int_value(cfg, k);
		if (int_ok(k, v))
			return 0;
	}
	fl_config_key_expect(k, want, sizeof(want));
	return fail(err, errlen, -EINVAL, "%s = %lld: expected %s", k->name,
		    (long long)v, want);
}

int fl_config_key_format(const struct folio_config *cfg,
			 const struct fl_config_key *k, char *buf, size_t len)
{
	const uint8_t *m = cfield(cfg, k);

	switch (k->kind) {
	case FL_KEY_UINT:
	case FL_KEY_INT:
		return put(buf, len, "%lld", (long long)int_value(cfg, k));
	case FL_KEY_MAC:
		return put(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			   m[3], m[4], m[5]);
	default:
		return put(buf, len, "%.*s", (int)k->size, (const char *)m);
	}
}

int folio_config_set(struct folio_config *cfg, const char *key,
		     const char *value, char *err, size_t errlen)
{
	const struct fl_config_key *k;
	char known[256];

	if (!cfg || !key || !value)
		return fail(err, errlen, -EINVAL, "null argument");
	k = fl_config_key_find(key);
	if (k)
		return fl_config_key_set(cfg, k, value, err, errlen);
	/* The sealed channel's keys (nested, guest-local): seal.c. */
	if (fl_seal_key_index(key) >= 0)
		return fl_seal_config_set(cfg, key, value, err, errlen);
	fl_config_key_list(known, sizeof(known));
	return fail(err, errlen, -ENOENT, "unknown key '%.*s%s' (known: %s, seal_*)",
		    QUOTE_MAX, key, strlen(key) > QUOTE_MAX ? "..." : "", known);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *trim(char *s)
{
	char *e;

	while (is_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && (is_blank(e[-1]) || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * '#' starts a comment at the start of a line (after blanks) or after a
 * blank; elsewhere it is part of the value, so "region = /dev/shm/folio#2"
 * names the file folio#2. Returns the line with the comment cut off.
 */
static void cut_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == '#' && (p == s || is_blank(p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

/* Longest line folio_config_load() reads, newline included. */
#define LINE_MAX_BYTES 511

int folio_config_load(struct folio_config *cfg, const char *path, char *err,
		      size_t errlen)
{
	char msg[384];
	char *line = NULL;
	size_t cap = 0;
	uint64_t seen = 0;
	unsigned lineno = 0;
	ssize_t got;
	FILE *f;
	int rc = 0;

	if (!cfg || !path)
		return fail(err, errlen, -EINVAL, "null argument");
	f = fopen(path, "re");
	if (!f)
		return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));

	errno = 0;
	while ((got = getline(&line, &cap, f)) >= 0) {
		const struct fl_config_key *k;
		char *s, *eq;

		lineno++;
		if (got > LINE_MAX_BYTES) {
			rc = fail(err, errlen, -EINVAL, "%s:%u: line too long (over %d bytes)",
				  path, lineno, LINE_MAX_BYTES);
			break;
		}
		/* A NUL would hide the rest of the line from the parser. */
		if (memchr(line, '\0', (size_t)got)) {
			rc = fail(err, errlen, -EINVAL, "%s:%u: NUL byte in the line",
				  path, lineno);
			break;
		}
		cut_comment(line);
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			rc = fail(err, errlen, -EINVAL,
				  "%s:%u: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);

		k = fl_config_key_find(key);
		int si = k ? -1 : fl_seal_key_index(key);

		if (k || si >= 0) {
			/* Seal keys take the top bits of the mask. */
			uint64_t bit = k ? 1ull << (k - fl_config_keys) : 1ull << (63 - si);

			if (seen & bit) {
				rc = fail(err, errlen, -EINVAL,
					  "%s:%u: key '%s' given twice", path,
					  lineno, key);
				break;
			}
			seen |= bit;
		}
		rc = folio_config_set(cfg, key, val, msg, sizeof(msg));
		if (rc) {
			fail(err, errlen, rc, "%s:%u: %s", path, lineno, msg);
			break;
		}
	}
	if (!rc && ferror(f))
		rc = fail(err, errlen, -EIO, "%s: read error", path);
	free(line);
	fclose(f);
	return rc;
}

static int mac_is_unicast(const uint8_t m[6])
{
	static const uint8_t zero[6];

	return !(m[0] & 1) && memcmp(m, zero, 6);
}

int folio_config_validate(const struct folio_config *cfg, char *err,
			  size_t errlen)
{
	int rc;

	if (!cfg)
		return fail(err, errlen, -EINVAL, "null config");
	/* The per-key range checks, for configs filled in by code. */
	for (unsigned i = 0; i < fl_config_nkeys; i++) {
		rc = fl_config_key_check(cfg, &fl_config_keys[i], err, errlen);
		if (rc)
			return rc;
	}
	if (cfg->slot_size < cfg->mtu + FOLIO_L2_OVERHEAD)
		return fail(err, errlen, -EINVAL,
			    "slot_size = %u is too small for mtu = %u: needs at "
			    "least %u (mtu + %u), rounded up to a power of two",
			    cfg->slot_size, cfg->mtu, cfg->mtu + FOLIO_L2_OVERHEAD,
			    FOLIO_L2_OVERHEAD);
	if (!mac_is_unicast(cfg->guest_mac) || !mac_is_unicast(cfg->host_mac))
		return fail(err, errlen, -EINVAL,
			    "guest_mac and host_mac must be non-zero unicast MACs");
	if (!memcmp(cfg->guest_mac, cfg->host_mac, 6))
		return fail(err, errlen, -EINVAL,
			    "guest_mac and host_mac must differ");
	return fl_seal_validate(cfg, err, errlen);
}

uint32_t folio_config_max_frame(const struct folio_config *cfg)
{
	return cfg->mtu + FOLIO_L2_OVERHEAD;
}

/* FNV-1a, 64 bit, over a fixed little-endian serialisation. The digest only
 * detects a deployment mistake early; it protects nothing, since a hostile
 * host can write any header it likes. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t fnv_u32(uint64_t h, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	return fnv(h, b, 4);
}

/* The digested keys in table order: integers as 4 little-endian bytes,
 * MACs as their 6 bytes, strings as their bytes and the NUL. */
uint64_t folio_config_digest(const struct folio_config *cfg)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv_u32(h, FOLIO_LAYOUT_VERSION);
	for (unsigned i = 0; i < fl_config_nkeys; i++) {
		const struct fl_config_key *k = &fl_config_keys[i];
		const void *p = cfield(cfg, k);

		if (!k->digested)
			continue;
		if (k->kind == FL_KEY_UINT || k->kind == FL_KEY_INT)
			/* mtu: the wire MTU, + 32 when sealed (docs/seal.md). */
			h = fnv_u32(h, (uint32_t)int_value(cfg, k) +
				    (k->off == offsetof(struct folio_config, mtu) ?
				     fl_seal_overhead(cfg) : 0));
		else if (k->kind == FL_KEY_MAC)
			h = fnv(h, p, 6);
		else
			h = fnv(h, p, strnlen(p, k->size - 1) + 1);
	}
	return h;
}

static uint32_t log2u(uint32_t v)
{
	return (uint32_t)__builtin_ctz(v);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void fl_layout_compute(const struct folio_config *cfg, struct fl_layout *l)
{
	l->queues = cfg->queues;
	l->entries = cfg->ring_entries;
	l->mask = cfg->ring_entries - 1;
	l->slot_shift = log2u(cfg->slot_size);
	l->max_frame = folio_config_max_frame(cfg) + fl_seal_overhead(cfg);
	l->slots_off = align_up(FL_RING_DESC_OFF +
				(uint64_t)cfg->ring_entries * FL_DESC_SIZE, FL_PAGE);
	l->ring_bytes = l->slots_off + (uint64_t)cfg->ring_entries * cfg->slot_size;
	l->region_size = FL_RINGS_OFF + 2ull * cfg->queues * l->ring_bytes;
}

uint64_t folio_region_size(const struct folio_config *cfg)
{
	struct fl_layout l;

	fl_layout_compute(cfg, &l);
	return l.region_size;
}

int folio_config_format(const struct folio_config *cfg, char *buf, size_t len)
{
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < fl_config_nkeys; i++) {
		const struct fl_config_key *k = &fl_config_keys[i];
		int n = put(buf + o, len - o, "%s = ", k->name);

		if (n < 0)
			return n;
		o += (size_t)n;
		n = fl_config_key_format(cfg, k, buf + o, len - o);
		if (n < 0)
			return n;
		o += (size_t)n;
		n = put(buf + o, len - o, "\n");
		if (n < 0)
			return n;
		o += (size_t)n;
	}
	return (int)o;
}
