/* SPDX-License-Identifier: BSD-3-Clause */
/* Config parsing, valid and invalid: every error path of lib/config.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <folio.h>

#include "config_keys.h"

static char err[512];

static int set(struct folio_config *c, const char *k, const char *v)
{
	err[0] = '\0';
	return folio_config_set(c, k, v, err, sizeof(err));
}

static void defaults_are_valid(void **state)
{
	struct folio_config c;

	(void)state;
	folio_config_init(&c);
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(c.queues, 1);
	assert_int_equal(c.ring_entries, 1024);
	assert_int_equal(c.slot_size, 2048);
	assert_int_equal(c.mtu, 1500);
	assert_int_equal(c.numa_node, -1);
	assert_int_equal(folio_config_max_frame(&c), 1518);
}

static void valid_values(void **state)
{
	struct folio_config c;

	(void)state;
	folio_config_init(&c);
	assert_int_equal(set(&c, "queues", "16"), 0);
	assert_int_equal(c.queues, 16);
	assert_int_equal(set(&c, "queues", "1"), 0);
	assert_int_equal(set(&c, "ring_entries", "64"), 0);
	assert_int_equal(set(&c, "ring_entries", "4096"), 0);
	assert_int_equal(c.ring_entries, 4096);
	assert_int_equal(set(&c, "slot_size", "65536"), 0);
	assert_int_equal(set(&c, "slot_size", "256"), 0);
	assert_int_equal(set(&c, "mtu", "68"), 0);
	assert_int_equal(set(&c, "mtu", "9000"), 0);
	assert_int_equal(set(&c, "guest_mac", "02:AB:cd:00:00:09"), 0);
	assert_memory_equal(c.guest_mac, ((uint8_t[]){2, 0xab, 0xcd, 0, 0, 9}), 6);
	assert_int_equal(set(&c, "host_mac", "06:00:00:00:00:01"), 0);
	assert_int_equal(set(&c, "numa_node", "0"), 0);
	assert_int_equal(c.numa_node, 0);
	assert_int_equal(set(&c, "numa_node", "-1"), 0);
	assert_int_equal(set(&c, "region", "/dev/shm/x"), 0);
	assert_string_equal(c.region, "/dev/shm/x");
}

/* Each bad value: -EINVAL, and a message naming the key and the range. */
static void invalid_values(void **state)
{
	static const struct {
		const char *key, *value, *says;
	} bad[] = {
		{"queues", "0", "from 1 to 16"},
		{"queues", "17", "from 1 to 16"},
		{"queues", "", "queues"},
		{"queues", "2x", "queues"},
		{"queues", "-1", "queues"},
		{"queues", " 2", "queues"},
		{"queues", "0x2", "queues"},
		{"queues", "99999999999999999999999", "queues"},
		{"ring_entries", "32", "power of two from 64 to 4096"},
		{"ring_entries", "8192", "power of two"},
		{"ring_entries", "1000", "power of two"},
		{"slot_size", "3000", "power of two from 256 to 65536"},
		{"slot_size", "128", "slot_size"},
		{"slot_size", "131072", "slot_size"},
		{"mtu", "67", "from 68 to 9000"},
		{"mtu", "9001", "mtu"},
		{"guest_mac", "02:00:00:00:00", "guest_mac"},
		{"guest_mac", "02:00:00:00:00:01:02", "guest_mac"},
		{"host_mac", "02-00-00-00-00-01", "host_mac"},
		{"host_mac", "0g:00:00:00:00:01", "host_mac"},
		{"host_mac", "2:0:0:0:0:1", "host_mac"},
		{"numa_node", "-2", "numa_node"},
		{"numa_node", "1024", "numa_node"},
		{"region", "", "region"},
	};
	struct folio_config c, before;

	(void)state;
	folio_config_init(&c);
	before = c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = set(&c, bad[i].key, bad[i].value);

		if (rc != -EINVAL || !strstr(err, bad[i].says))
			fail_msg("%s = '%s': rc %d, message '%s'", bad[i].key,
				 bad[i].value, rc, err);
		/* A refused value leaves the config untouched. */
		assert_memory_equal(&c, &before, sizeof(c));
	}
	char longpath[300];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(set(&c, "region", longpath), -EINVAL);
}

static void unknown_key(void **state)
{
	struct folio_config c;

	(void)state;
	folio_config_init(&c);
	assert_int_equal(set(&c, "queue", "1"), -ENOENT);
	assert_non_null(strstr(err, "unknown key 'queue'"));
	assert_int_equal(folio_config_set(NULL, "mtu", "1500", err, sizeof(err)), -EINVAL);
	assert_int_equal(folio_config_set(&c, NULL, "1", NULL, 0), -EINVAL);
}

static void validate_relations(void **state)
{
	struct folio_config c;

	(void)state;
	folio_config_init(&c);
	c.mtu = 2031; /* needs 2049 bytes: more than the 2048 slot */
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "slot_size"));
	c.mtu = 2030;
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), 0);

	folio_config_init(&c);
	memcpy(c.host_mac, c.guest_mac, 6);
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "differ"));

	folio_config_init(&c);
	c.guest_mac[0] = 0x01; /* multicast */
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	memset(c.guest_mac, 0, 6);
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);

	/* Fields set by code go through the same range checks. */
	folio_config_init(&c);
	c.ring_entries = 100;
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ring_entries"));
	folio_config_init(&c);
	c.queues = 0;
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	folio_config_init(&c);
	c.numa_node = -5;
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_int_equal(folio_config_validate(NULL, err, sizeof(err)), -EINVAL);
}

static char path[64];

static void write_bytes(const char *text, size_t n)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/folio-cfg-%d.conf", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static void write_file(const char *text)
{
	write_bytes(text, strlen(text));
}

static void load_file(void **state)
{
	struct folio_config c;

	(void)state;
	write_file("# a comment\n\n  queues = 4   # trailing comment\n"
		   "ring_entries=256\r\nslot_size = 4096\nmtu = 4000\n"
		   "guest_mac = 02:00:00:00:00:0a\nhost_mac = 02:00:00:00:00:0b\n"
		   "region = /dev/shm/folio-t\n");
	folio_config_init(&c);
	assert_int_equal(folio_config_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.queues, 4);
	assert_int_equal(c.ring_entries, 256);
	assert_int_equal(c.slot_size, 4096);
	assert_int_equal(c.mtu, 4000);
	assert_string_equal(c.region, "/dev/shm/folio-t");
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), 0);
	unlink(path);
}

static void load_errors(void **state)
{
	static const struct {
		const char *text, *says;
		int rc;
	} bad[] = {
		{"queues = 2\nqueues = 3\n", ":2: key 'queues' given twice", -EINVAL},
		{"mtu 1500\n", ":1: expected 'key = value'", -EINVAL},
		{"\n\nfoo = 1\n", ":3: unknown key 'foo'", -ENOENT},
		{"ring_entries = 100\n", ":1: ring_entries = '100'", -EINVAL},
		{"mtu =\n", ":1: mtu = ''", -EINVAL},
	};
	struct folio_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		folio_config_init(&c);
		write_file(bad[i].text);
		int rc = folio_config_load(&c, path, err, sizeof(err));

		if (rc != bad[i].rc || !strstr(err, bad[i].says) || !strstr(err, path))
			fail_msg("case %zu: rc %d message '%s'", i, rc, err);
	}
	/* A line longer than the reader's buffer is refused, not split. */
	char big[1200];

	memset(big, ' ', sizeof(big));
	memcpy(big, "mtu = 1500", 10);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	write_file(big);
	assert_int_equal(folio_config_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too long"));
	unlink(path);
	assert_int_equal(folio_config_load(&c, "/nonexistent/folio.conf", err,
					   sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/folio.conf"));
}

static void format_round_trip(void **state)
{
	struct folio_config a, b;
	char buf[1024];

	(void)state;
	folio_config_init(&a);
	a.queues = 3;
	a.mtu = 9000;
	a.slot_size = 16384;
	a.host_mac[5] = 0x77;
	snprintf(a.region, sizeof(a.region), "/dev/hugepages/folio");
	int n = folio_config_format(&a, buf, sizeof(buf));

	assert_true(n > 0);
	write_file(buf);
	folio_config_init(&b);
	assert_int_equal(folio_config_load(&b, path, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(folio_config_format(&a, buf, 10), -ENOSPC);
	unlink(path);
}

static void digest_covers_the_contract(void **state)
{
	struct folio_config a, b;

	(void)state;
	folio_config_init(&a);
	uint64_t d = folio_config_digest(&a);

	b = a; /* local fields are not digested */
	snprintf(b.region, sizeof(b.region), "/sys/bus/pci/devices/0000:00:03.0/resource2");
	b.numa_node = 1;
	assert_true(folio_config_digest(&b) == d);
	b = a; b.queues = 2;
	assert_true(folio_config_digest(&b) != d);
	b = a; b.ring_entries = 512;
	assert_true(folio_config_digest(&b) != d);
	b = a; b.slot_size = 4096;
	assert_true(folio_config_digest(&b) != d);
	b = a; b.mtu = 1400;
	assert_true(folio_config_digest(&b) != d);
	b = a; b.guest_mac[5] ^= 0x10;
	assert_true(folio_config_digest(&b) != d);
	b = a; b.host_mac[1] ^= 0x01;
	assert_true(folio_config_digest(&b) != d);
}

/* A NUL byte hides the rest of its line from a C-string parser: refused,
 * on a last line without a newline as on any other. */
static void load_nul_bytes(void **state)
{
	static const char last[] = "queues = 2\nmtu = 1500\0junk";
	static const char mid[] = "queues = 2\0 = x\nmtu = 1400\n";
	struct folio_config c;

	(void)state;
	folio_config_init(&c);
	write_bytes(last, sizeof(last) - 1);
	assert_int_equal(folio_config_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: NUL byte"));
	folio_config_init(&c);
	write_bytes(mid, sizeof(mid) - 1);
	assert_int_equal(folio_config_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":1: NUL byte"));
	unlink(path);
}

/* '#' starts a comment at the start of a line or after a blank only. */
static void load_hash_in_value(void **state)
{
	struct folio_config c;

	(void)state;
	write_file("#queues = 3\n  # indented comment\n"
		   "region = /dev/shm/folio#2\nmtu = 1400 # comment\n"
		   "guest_mac = 02:00:00:00:00:0a\t# tab, then a comment\n");
	folio_config_init(&c);
	assert_int_equal(folio_config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.region, "/dev/shm/folio#2");
	assert_int_equal(c.queues, 1);
	assert_int_equal(c.mtu, 1400);
	assert_int_equal(c.guest_mac[5], 0x0a);
	/* Glued to a number, it is part of the value: a clear error. */
	write_file("queues = 4#x\n");
	folio_config_init(&c);
	assert_int_equal(folio_config_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "queues = '4#x'"));
	unlink(path);
}

/* However long the value, the message still says what is expected. */
static void long_value_keeps_the_range(void **state)
{
	struct folio_config c;
	char small[160], v[480], text[520];

	(void)state;
	folio_config_init(&c);
	memset(v, '7', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	assert_int_equal(folio_config_set(&c, "queues", v, small, sizeof(small)), -EINVAL);
	assert_non_null(strstr(small, "from 1 to 16"));
	assert_non_null(strstr(small, "queues = '7777"));
	memset(v, 'a', sizeof(v) - 1);
	assert_int_equal(folio_config_set(&c, "region", v, small, sizeof(small)), -EINVAL);
	assert_non_null(strstr(small, "expected a region path of 1 to 255 bytes"));
	assert_int_equal(folio_config_set(&c, v, "1", small, sizeof(small)), -ENOENT);
	assert_non_null(strstr(small, "(known: queues"));
	/* The same through a file, whose message also names file and line. */
	memset(v, '7', sizeof(v) - 1);
	snprintf(text, sizeof(text), "mtu = %.450s\n", v);
	write_file(text);
	assert_int_equal(folio_config_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "from 68 to 9000"));
	unlink(path);
}

/* The table drives every consumer: each key is known, formatted, listed
 * in the unknown-key message, round-trips, and is range-checked by the
 * validator on the stored value. */
static void one_key_table(void **state)
{
	struct folio_config c, d;
	char buf[1024], one[300], line[340];

	(void)state;
	folio_config_init(&c);
	assert_true(folio_config_format(&c, buf, sizeof(buf)) > 0);
	assert_int_equal(set(&c, "no_such_key", "1"), -ENOENT);
	for (unsigned i = 0; i < fl_config_nkeys; i++) {
		const struct fl_config_key *k = &fl_config_keys[i];

		assert_ptr_equal(fl_config_key_find(k->name), k);
		assert_non_null(strstr(err, k->name));
		assert_true(fl_config_key_format(&c, k, one, sizeof(one)) >= 0);
		snprintf(line, sizeof(line), "%s = %s\n", k->name, one);
		assert_non_null(strstr(buf, line));
		d = c;
		assert_int_equal(folio_config_set(&d, k->name, one, err, sizeof(err)), 0);
		assert_memory_equal(&c, &d, sizeof(c));
		assert_true(fl_config_key_expect(k, one, sizeof(one)) > 0);
	}
	assert_null(fl_config_key_find("queue"));
	assert_null(fl_config_key_find(NULL));
	/* Out-of-range values stored by code, no text involved. */
	folio_config_init(&c);
	c.numa_node = 1024;
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "numa_node = 1024: expected an integer from -1 to 1023"));
	folio_config_init(&c);
	c.slot_size = 3000;
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "slot_size = 3000: expected a power of two"));
	folio_config_init(&c);
	memset(c.region, 'r', sizeof(c.region));
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "region is not terminated"));
	folio_config_init(&c);
	c.region[0] = '\0'; /* unset: an fd-based endpoint needs no path */
	assert_int_equal(folio_config_validate(&c, err, sizeof(err)), 0);
}

/* A driver can expand the same table into a string literal at compile
 * time (a devargs help string): it lists the keys of the run-time table. */
#define KEY_NAME(f, kind, pow2, digested, min, max, help) ", " #f
static void keys_as_a_literal(void **state)
{
	static const char names[] = FL_CONFIG_KEYS(KEY_NAME);
	char list[256];

	(void)state;
	assert_true(fl_config_key_list(list, sizeof(list)) > 0);
	assert_string_equal(names + 2, list);
	assert_int_equal(fl_config_key_list(list, 10), -ENOSPC);
}

/* The digest of the defaults, as the layout version 1 regions carry it:
 * the table order of the digested keys must not change it. */
static void digest_is_stable(void **state)
{
	struct folio_config c;

	(void)state;
	folio_config_init(&c);
	assert_true(folio_config_digest(&c) == 0x544dfffb4186dac7ull);
}

/* Which codes a caller waiting for its peer retries on (folio.h). */
static void transient_codes(void **state)
{
	static const int yes[] = {-ENOENT, FOLIO_ESMALL, FOLIO_ENOTREADY};
	static const int no[] = {0, 1, 64, -EINVAL, -EACCES, -ENOMEM, FOLIO_EPEER,
				 FOLIO_EFAILED, FOLIO_EMAGIC, FOLIO_EVERSION,
				 FOLIO_EDIGEST, FOLIO_EGONE};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_int_equal(folio_error_is_transient(yes[i]), 1);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (folio_error_is_transient(no[i]))
			fail_msg("code %d is not transient", no[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_valid),
		cmocka_unit_test(valid_values),
		cmocka_unit_test(invalid_values),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(validate_relations),
		cmocka_unit_test(load_file),
		cmocka_unit_test(load_errors),
		cmocka_unit_test(format_round_trip),
		cmocka_unit_test(digest_covers_the_contract),
		cmocka_unit_test(load_nul_bytes),
		cmocka_unit_test(load_hash_in_value),
		cmocka_unit_test(long_value_keeps_the_range),
		cmocka_unit_test(one_key_table),
		cmocka_unit_test(digest_is_stable),
		cmocka_unit_test(keys_as_a_literal),
		cmocka_unit_test(transient_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
