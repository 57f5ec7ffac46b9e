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

static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return *s ? -1 : 0;
}

struct int_key {
	const char *name;
	uint64_t min, max;
	int pow2;
	size_t off;
};

static const struct int_key int_keys[] = {
	{"queues", 1, FOLIO_MAX_QUEUES, 0, offsetof(struct folio_config, queues)},
	{"ring_entries", FOLIO_MIN_ENTRIES, FOLIO_MAX_ENTRIES, 1,
	 offsetof(struct folio_config, ring_entries)},
	{"slot_size", FOLIO_MIN_SLOT, FOLIO_MAX_SLOT, 1,
	 offsetof(struct folio_config, slot_size)},
	{"mtu", FOLIO_MIN_MTU, FOLIO_MAX_MTU, 0, offsetof(struct folio_config, mtu)},
};

int folio_config_set(struct folio_config *cfg, const char *key,
		     const char *value, char *err, size_t errlen)
{
	uint64_t v;

	if (!cfg || !key || !value)
		return fail(err, errlen, -EINVAL, "null argument");

	for (size_t i = 0; i < sizeof(int_keys) / sizeof(int_keys[0]); i++) {
		const struct int_key *k = &int_keys[i];

		if (strcmp(key, k->name))
			continue;
		if (parse_u64(value, &v) || v < k->min || v > k->max ||
		    (k->pow2 && !is_pow2(v)))
			return fail(err, errlen, -EINVAL,
				    "%s = '%s': expected %s from %llu to %llu",
				    key, value, k->pow2 ? "a power of two" : "an integer",
				    (unsigned long long)k->min,
				    (unsigned long long)k->max);
		*(uint32_t *)(void *)((char *)cfg + k->off) = (uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "guest_mac") || !strcmp(key, "host_mac")) {
		uint8_t mac[6];

		if (parse_mac(value, mac))
			return fail(err, errlen, -EINVAL,
				    "%s = '%s': expected a MAC such as 02:f0:00:00:00:01",
				    key, value);
		memcpy(key[0] == 'g' ? cfg->guest_mac : cfg->host_mac, mac, 6);
		return 0;
	}
	if (!strcmp(key, "numa_node")) {
		if (!strcmp(value, "-1")) {
			cfg->numa_node = -1;
			return 0;
		}
		if (parse_u64(value, &v) || v > 1023)
			return fail(err, errlen, -EINVAL,
				    "numa_node = '%s': expected -1 (none) or 0 to 1023",
				    value);
		cfg->numa_node = (int32_t)v;
		return 0;
	}
	if (!strcmp(key, "region")) {
		size_t n = strlen(value);

		if (n == 0 || n >= sizeof(cfg->region))
			return fail(err, errlen, -EINVAL,
				    "region = '%s': expected a path of 1 to %zu bytes",
				    value, sizeof(cfg->region) - 1);
		memcpy(cfg->region, value, n + 1);
		return 0;
	}
	if (!strncmp(key, "seal", 4)) {
		int rc = fl_seal_config_set(cfg, key, value, err, errlen);

		if (rc != -ENOENT)
			return rc;
	}
	return fail(err, errlen, -ENOENT,
		    "unknown key '%s' (known: queues, ring_entries, slot_size, "
		    "mtu, guest_mac, host_mac, numa_node, region, seal*)", key);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

#define NKEYS 8
static const char *const all_keys[NKEYS] = {
	"queues", "ring_entries", "slot_size", "mtu",
	"guest_mac", "host_mac", "numa_node", "region",
};

int folio_config_load(struct folio_config *cfg, const char *path, char *err,
		      size_t errlen)
{
	char line[512], msg[384];
	unsigned seen = 0, lineno = 0;
	FILE *f;
	int rc = 0;

	if (!cfg || !path)
		return fail(err, errlen, -EINVAL, "null argument");
	f = fopen(path, "re");
	if (!f)
		return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));

	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *hash;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = fail(err, errlen, -EINVAL, "%s:%u: line too long",
				  path, lineno);
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
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

		for (unsigned i = 0; i < NKEYS; i++) {
			if (strcmp(key, all_keys[i]))
				continue;
			if (seen & (1u << i)) {
				rc = fail(err, errlen, -EINVAL,
					  "%s:%u: key '%s' given twice", path,
					  lineno, key);
				goto out;
			}
			seen |= 1u << i;
		}
		rc = folio_config_set(cfg, key, val, msg, sizeof(msg));
		if (rc) {
			fail(err, errlen, rc, "%s:%u: %s", path, lineno, msg);
			break;
		}
	}
	if (!rc && ferror(f))
		rc = fail(err, errlen, -EIO, "%s: read error", path);
out:
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
	char msg[160];
	char num[24];

	if (!cfg)
		return fail(err, errlen, -EINVAL, "null config");
	/* Re-run the per-key range checks, for configs filled in by code. */
	for (size_t i = 0; i < sizeof(int_keys) / sizeof(int_keys[0]); i++) {
		struct folio_config tmp = *cfg;
		uint32_t v = *(const uint32_t *)(const void *)
				      ((const char *)cfg + int_keys[i].off);

		snprintf(num, sizeof(num), "%u", v);
		if (folio_config_set(&tmp, int_keys[i].name, num, msg,
				     sizeof(msg)))
			return fail(err, errlen, -EINVAL, "%s", msg);
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
	if (cfg->numa_node < -1)
		return fail(err, errlen, -EINVAL, "numa_node must be -1 or >= 0");
	if (!memchr(cfg->region, '\0', sizeof(cfg->region)))
		return fail(err, errlen, -EINVAL, "region path not terminated");
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

uint64_t folio_config_digest(const struct folio_config *cfg)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv_u32(h, FOLIO_LAYOUT_VERSION);
	h = fnv_u32(h, cfg->queues);
	h = fnv_u32(h, cfg->ring_entries);
	h = fnv_u32(h, cfg->slot_size);
	h = fnv_u32(h, cfg->mtu + fl_seal_overhead(cfg)); /* the wire MTU */
	h = fnv(h, cfg->guest_mac, 6);
	h = fnv(h, cfg->host_mac, 6);
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

static void put_mac(char *b, size_t n, const uint8_t m[6])
{
	snprintf(b, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
}

int folio_config_format(const struct folio_config *cfg, char *buf, size_t len)
{
	char g[18], h[18];
	int n;

	put_mac(g, sizeof(g), cfg->guest_mac);
	put_mac(h, sizeof(h), cfg->host_mac);
	n = snprintf(buf, len,
		     "queues = %u\nring_entries = %u\nslot_size = %u\nmtu = %u\n"
		     "guest_mac = %s\nhost_mac = %s\nnuma_node = %d\nregion = %s\n",
		     cfg->queues, cfg->ring_entries, cfg->slot_size, cfg->mtu, g, h,
		     cfg->numa_node, cfg->region);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
