/* SPDX-License-Identifier: MIT */
/*
 * The network boot's command line keys (init/netcmdline.h) through
 * cmdline_parse(): ip= kept as written, ociboot.net_timeout=,
 * ociboot.mirror= (repeatable, in order), ociboot.hosts=, ociboot.cache=;
 * what each
 * refuses, and cmdline_format()'s lines for them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "init/cmdline.h"
#include "lib/util.h"

#define OCI "oci=http://10.0.2.100:5000/ociboot/product:system "

struct good_case {
	const char *line;
	const char *want;	/* cmdline_format()'s network lines */
};

static const struct good_case good_cases[] = {
	{ OCI, "" },
	{ OCI "ip=dhcp", "ip=dhcp\n" },
	{ OCI "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off",
	  "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off\n" },
	{ OCI "ociboot.net_timeout=10", "ociboot.net_timeout=10\n" },
	{ OCI "ociboot.net_timeout=3600", "ociboot.net_timeout=3600\n" },
	{ OCI "ociboot.net_timeout=60", "" },
	{ OCI "ociboot.mirror=http://10.0.2.101:5000 "
	  "ociboot.mirror=https://Mirror.Example",
	  "ociboot.mirror=http://10.0.2.101:5000/\n"
	  "ociboot.mirror=https://mirror.example/\n" },
	{ OCI "ociboot.hosts=registry.test=10.0.2.100",
	  "ociboot.hosts=registry.test=10.0.2.100\n" },
	{ OCI "ociboot.hosts=A.Example=1.2.3.4,b=5.6.7.8",
	  "ociboot.hosts=a.example=1.2.3.4,b=5.6.7.8\n" },
	{ OCI "ociboot.cache=LABEL=ocicache", "ociboot.cache=LABEL=ocicache\n" },
	{ OCI "ociboot.cache=PARTLABEL=cache.A+b_c-1",
	  "ociboot.cache=PARTLABEL=cache.A+b_c-1\n" },
	{ OCI "ociboot.cache=UUID=0A1b2c3d-0000-4000-8000-00000000000F",
	  "ociboot.cache=UUID=0A1b2c3d-0000-4000-8000-00000000000F\n" },
	{ OCI "ociboot.cache=PARTUUID=6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab",
	  "ociboot.cache=PARTUUID=6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab\n" },
	{ OCI "ociboot.cache=LABEL="
	  "a123456789012345678901234567890123456789012345678901234567890123",
	  "ociboot.cache=LABEL="
	  "a123456789012345678901234567890123456789012345678901234567890123\n" },
	{ OCI "ociboot.hosts=r=1.2.3.4 ociboot.cache=LABEL=c",
	  "ociboot.cache=LABEL=c\nociboot.hosts=r=1.2.3.4\n" },
};

/* What follows the lines of the other keys (ociboot.verity= is last). */
static const char *network_lines(const char *out)
{
	const char *p = strstr(out, "ociboot.verity=");

	assert_non_null(p);
	p = strchr(p, '\n');
	assert_non_null(p);
	return p + 1;
}

static void test_good(void **state)
{
	char out[CMDLINE_FORMAT_MAX];
	struct ociboot_config c;
	struct error err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good_cases); i++) {
		const struct good_case *t = &good_cases[i];

		if (cmdline_parse(t->line, strlen(t->line), &c, &err) < 0)
			fail_msg("%s: %s: %s", t->line, err.what, err.why);
		assert_true(cmdline_format(&c, out, sizeof(out)) > 0);
		assert_string_equal(network_lines(out), t->want);
	}
}

static void test_defaults(void **state)
{
	struct ociboot_config c;
	struct error err;
	uint8_t a[4];

	(void)state;
	assert_int_equal(cmdline_parse(OCI, strlen(OCI), &c, &err), 0);
	assert_false(c.net.has_ip);
	assert_int_equal(c.net.timeout_s, NETCMDLINE_TIMEOUT_DEFAULT);
	assert_int_equal(c.net.mirror_count, 0);
	assert_false(netcmdline_host_lookup(&c.net, "registry.test", a));
	assert_false(c.net.has_cache);
}

/* The device ociboot.cache= names, as the store finder takes it. */
static void test_cache(void **state)
{
	static const char line[] = OCI "ociboot.cache=PARTUUID=ABCD-12";
	struct ociboot_config c;
	struct error err;

	(void)state;
	assert_int_equal(cmdline_parse(line, strlen(line), &c, &err), 0);
	assert_true(c.net.has_cache);
	assert_int_equal(c.net.cache.key, OCI_DEVICE_PARTUUID);
	assert_string_equal(c.net.cache.value, "ABCD-12");
	assert_string_equal(c.net.cache.path, "");
}

static void test_lookup(void **state)
{
	static const char line[] = "ociboot.hosts=registry.test=10.0.2.100,"
				   "x.y=192.168.1.1";
	const uint8_t want[4] = { 10, 0, 2, 100 };
	struct ociboot_config c;
	struct error err;
	uint8_t a[4];

	(void)state;
	assert_int_equal(cmdline_parse(line, strlen(line), &c, &err), 0);
	assert_true(netcmdline_host_lookup(&c.net, "REGISTRY.test", a));
	assert_memory_equal(a, want, 4);
	assert_true(netcmdline_host_lookup(&c.net, "x.y", a));
	assert_int_equal(a[0], 192);
	assert_false(netcmdline_host_lookup(&c.net, "registry", a));
}

/* Mirrors from DHCP's list: added only when the command line has none. */
static void test_mirrors_from_list(void **state)
{
	static const char two[] = "http://10.0.2.101:5000 https://M.example";
	static const char with[] = OCI "ociboot.mirror=http://cmd";
	char out[CMDLINE_FORMAT_MAX];
	struct ociboot_config c;
	struct error err;
	const char *why = NULL;

	(void)state;
	assert_int_equal(cmdline_parse(OCI, strlen(OCI), &c, &err), 0);
	assert_int_equal(netcmdline_mirrors_from_list(&c.net, two,
						      strlen(two), &why), 2);
	assert_true(cmdline_format(&c, out, sizeof(out)) > 0);
	assert_string_equal(network_lines(out),
			    "ociboot.mirror=http://10.0.2.101:5000/\n"
			    "ociboot.mirror=https://m.example/\n");
	assert_int_equal(cmdline_parse(with, strlen(with), &c, &err), 0);
	assert_int_equal(netcmdline_mirrors_from_list(&c.net, two,
						      strlen(two), &why), 0);
	assert_int_equal(c.net.mirror_count, 1);

	assert_int_equal(cmdline_parse(OCI, strlen(OCI), &c, &err), 0);
	assert_true(netcmdline_mirrors_from_list(&c.net, "http://a http://b/x",
						 19, &why) < 0);
	assert_string_equal(why, "a mirror is scheme://host[:port] only");
	assert_int_equal(c.net.mirror_count, 0);
	assert_true(netcmdline_mirrors_from_list(&c.net, "http://a  http://b",
						 18, &why) < 0);
	assert_string_equal(why, "needs a value");
	assert_true(netcmdline_mirrors_from_list(&c.net, "", 0, &why) < 0);
	assert_true(netcmdline_mirrors_from_list(&c.net,
		"http://a http://b http://c http://d http://e http://f "
		"http://g http://h http://i", 80, &why) < 0);
	assert_string_equal(why, "more than 8 mirrors");
	assert_int_equal(c.net.mirror_count, 0);
}

struct bad_case {
	const char *line;
	const char *why;
};

static const struct bad_case bad_cases[] = {
	{ "ip", "needs a value" },
	{ "ip=", "needs a value" },
	{ "ip=dhcp ip=off", "given more than once" },
	{ "ociboot.net_timeout=0", "must be a whole number of seconds from 1 "
	  "to 3600" },
	{ "ociboot.net_timeout=3601", NULL },
	{ "ociboot.net_timeout=12s", NULL },
	{ "ociboot.net_timeout=", NULL },
	{ "ociboot.net_timeout=10 ociboot.net_timeout=20",
	  "given more than once" },
	{ "ociboot.mirror=", "needs a value" },
	{ "ociboot.mirror=http://m:5000/v2", "a mirror is scheme://host[:port] "
	  "only" },
	{ "ociboot.mirror=ftp://m", NULL },
	{ "ociboot.mirror=a:1 ociboot.mirror=http://b ociboot.mirror=http://c "
	  "ociboot.mirror=http://d ociboot.mirror=http://e "
	  "ociboot.mirror=http://f ociboot.mirror=http://g "
	  "ociboot.mirror=http://h ociboot.mirror=http://i", NULL },
	{ "ociboot.mirror=http://a ociboot.mirror=http://b "
	  "ociboot.mirror=http://c ociboot.mirror=http://d "
	  "ociboot.mirror=http://e ociboot.mirror=http://f "
	  "ociboot.mirror=http://g ociboot.mirror=http://h "
	  "ociboot.mirror=http://i", "more than 8 mirrors" },
	{ "ociboot.hosts=", "needs a value" },
	{ "ociboot.hosts=registry.test", "each entry must be NAME=IPV4 (a host "
	  "name, a dotted quad)" },
	{ "ociboot.hosts=registry.test=10.0.2", NULL },
	{ "ociboot.hosts=registry.test=010.0.2.1", NULL },
	{ "ociboot.hosts=-bad=1.2.3.4", NULL },
	{ "ociboot.hosts=a=1.2.3.4,", NULL },
	{ "ociboot.hosts=a=1.2.3.4,,b=1.2.3.4", NULL },
	{ "ociboot.hosts=a=1.1.1.1,b=1.1.1.1,c=1.1.1.1,d=1.1.1.1,e=1.1.1.1,"
	  "f=1.1.1.1,g=1.1.1.1,h=1.1.1.1,i=1.1.1.1", "more than 8 host "
	  "entries" },
#define CACHE_FORM "must be LABEL=, PARTLABEL=, UUID= or PARTUUID= and a value"
	{ "ociboot.cache", CACHE_FORM },
	{ "ociboot.cache=", CACHE_FORM },
	{ "ociboot.cache=ocicache", CACHE_FORM },
	{ "ociboot.cache=LABEL=", CACHE_FORM },
	{ "ociboot.cache==x", CACHE_FORM },
	{ "ociboot.cache=label=ocicache", CACHE_FORM },
	{ "ociboot.cache=LABELS=ocicache", CACHE_FORM },
	{ "ociboot.cache=PARTUUI=0a", CACHE_FORM },
	{ "ociboot.cache=LABEL=a/b", "a label has only A-Z, a-z, 0-9, '.', "
	  "'_', '+' and '-'" },
	{ "ociboot.cache=LABEL=a:/oci", "a label has only A-Z, a-z, 0-9, '.', "
	  "'_', '+' and '-'" },
	{ "ociboot.cache=LABEL=a=b", NULL },
	{ "ociboot.cache=UUID=0a1b-xyz", "a UUID has only hex digits and '-'" },
	{ "ociboot.cache=PARTUUID=0a1b:1", "a UUID has only hex digits and "
	  "'-'" },
	{ "ociboot.cache=LABEL="
	  "a1234567890123456789012345678901234567890123456789012345678901234",
	  "the value is longer than 64 bytes" },
	{ "ociboot.cache=LABEL=a ociboot.cache=LABEL=b",
	  "given more than once" },
};

static void test_bad(void **state)
{
	struct ociboot_config c;
	struct error err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *t = &bad_cases[i];

		if (cmdline_parse(t->line, strlen(t->line), &c, &err) == 0)
			fail_msg("accepted: %s", t->line);
		if (t->why && !streq(err.why, t->why))
			fail_msg("%s: why '%s', want '%s'", t->line, err.why,
				 t->why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_mirrors_from_list),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
