/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_keys.h - the one table of configuration keys (internal).
 *
 * Every key of struct folio_config is one line of FL_CONFIG_KEYS below:
 * its name (the field's name), kind, whether it must be a power of two,
 * whether the digest covers it, its range, and a few words of help. From
 * it config.c makes fl_config_keys[], over which the parser
 * (folio_config_set), the file reader's "given twice" check, the
 * validator, the formatter, the "known:" list of the error messages and
 * the digest all iterate. Drivers that take the keys in another syntax
 * (net_folio's devargs) use the same table at run time through the calls
 * below, or expand FL_CONFIG_KEYS with a macro of their own where they
 * need a string literal (a help string, RTE_PMD_REGISTER_PARAM_STRING).
 * Adding a key is its field in struct folio_config plus one line here.
 *
 * Order matters for digested keys: the digest hashes them in table order,
 * so a new digested key goes at the end of the digested ones (and changes
 * every digest: both sides must be updated together). Keys that are not
 * digested (local: region, numa_node, a guest's own files) may go anywhere.
 */
#ifndef FL_CONFIG_KEYS_H
#define FL_CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "folio.h"

enum fl_key_kind {
	FL_KEY_UINT, /* uint32_t, decimal digits only, in [min, max] */
	FL_KEY_INT,  /* int32_t, decimal with an optional '-', in [min, max] */
	FL_KEY_MAC,  /* uint8_t[6], six hex pairs separated by ':' */
	FL_KEY_STR,  /* char[size], NUL-terminated; a parsed value has [min, max]
	              * bytes, an empty field set by code means unset */
};

struct fl_config_key {
	const char *name;
	uint8_t kind;     /* enum fl_key_kind */
	uint8_t pow2;     /* FL_KEY_UINT only: must be a power of two */
	uint8_t digested; /* covered by folio_config_digest() */
	int64_t min, max; /* value range; FL_KEY_STR: length range */
	size_t off, size; /* the field in struct folio_config */
	const char *help; /* a few words for usage texts */
};

/*
 * X(field, kind, pow2, digested, min, max, help), one line per key. For
 * FL_KEY_STR, min and max bound the length and help says what the string
 * is ("a region path of 1 to 255 bytes").
 */
#define FL_CONFIG_KEYS(X)                                                      \
	X(queues, FL_KEY_UINT, 0, 1, 1, FOLIO_MAX_QUEUES, "queue pairs")       \
	X(ring_entries, FL_KEY_UINT, 1, 1, FOLIO_MIN_ENTRIES, FOLIO_MAX_ENTRIES, \
	  "entries per ring")                                                  \
	X(slot_size, FL_KEY_UINT, 1, 1, FOLIO_MIN_SLOT, FOLIO_MAX_SLOT,        \
	  "bytes per slot, at least mtu + 18")                                 \
	X(mtu, FL_KEY_UINT, 0, 1, FOLIO_MIN_MTU, FOLIO_MAX_MTU, "largest L3 payload") \
	X(guest_mac, FL_KEY_MAC, 0, 1, 0, 0, "the guest's MAC")                \
	X(host_mac, FL_KEY_MAC, 0, 1, 0, 0, "the host's MAC")                  \
	X(numa_node, FL_KEY_INT, 0, 0, -1, 1023,                               \
	  "NUMA node of the host's mapping, -1: none")                         \
	X(region, FL_KEY_STR, 0, 0, 1, FL_KEY_SIZE(region) - 1, "region path")

/* The field of struct folio_config that a table line describes. */
#define FL_KEY_SIZE(f) sizeof(((struct folio_config *)0)->f)
#define FL_KEY_FIELD(f) offsetof(struct folio_config, f), FL_KEY_SIZE(f)

extern const struct fl_config_key fl_config_keys[];
extern const unsigned fl_config_nkeys;

/* The line of a key, or NULL. */
const struct fl_config_key *fl_config_key_find(const char *name);

/* Parse value into the key's field. On error the config is untouched.
 * @return 0 or -EINVAL with a message naming the key and what is expected
 * (the value is quoted shortened, so the expectation always fits). */
int fl_config_key_set(struct folio_config *cfg, const struct fl_config_key *k,
		      const char *value, char *err, size_t errlen);

/* Range check of the value already in the field (no text round trip).
 * @return 0 or -EINVAL with a message. */
int fl_config_key_check(const struct folio_config *cfg,
			const struct fl_config_key *k, char *err, size_t errlen);

/* The value of the key as folio_config_set() reads it back.
 * @return bytes written (without the NUL), or -ENOSPC. */
int fl_config_key_format(const struct folio_config *cfg,
			 const struct fl_config_key *k, char *buf, size_t len);

/* What the key accepts, e.g. "a power of two from 64 to 4096".
 * @return bytes written (without the NUL), or -ENOSPC. */
int fl_config_key_expect(const struct fl_config_key *k, char *buf, size_t len);

/* Every key name, separated by ", ".
 * @return bytes written (without the NUL), or -ENOSPC. */
int fl_config_key_list(char *buf, size_t len);

#endif /* FL_CONFIG_KEYS_H */
