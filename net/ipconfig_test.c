// SPDX-License-Identifier: MIT
/*
 * The ip= value: a table of forms the kernel's nfsroot documentation
 * gives and forms refused, each with its reason, every prefix of the long
 * form, and the dotted-quad and host name rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "net/ipconfig.h"

struct good_case {
	const char *in;
	enum ipconfig_mode mode;
	const char *device;
	const char *address;	/* NULL: none */
	unsigned prefix;
	const char *gateway;	/* NULL: none */
	const char *hostname;
	const char *dns0, *dns1;
};

static const struct good_case good[] = {
	{ "dhcp", IPCONFIG_DHCP, "", NULL, 0, NULL, "", NULL, NULL },
	{ "on", IPCONFIG_DHCP, "", NULL, 0, NULL, "", NULL, NULL },
	{ "any", IPCONFIG_DHCP, "", NULL, 0, NULL, "", NULL, NULL },
	{ "off", IPCONFIG_OFF, "", NULL, 0, NULL, "", NULL, NULL },
	{ "none", IPCONFIG_OFF, "", NULL, 0, NULL, "", NULL, NULL },
	{ ":::::eth1:dhcp", IPCONFIG_DHCP, "eth1", NULL, 0, NULL, "", NULL,
	  NULL },
	{ ":::::eth1", IPCONFIG_DHCP, "eth1", NULL, 0, NULL, "", NULL, NULL },
	{ "10.0.2.15::10.0.2.2:255.255.255.0::eth0:off",
	  IPCONFIG_STATIC, "eth0", "10.0.2.15", 24, "10.0.2.2", "", NULL,
	  NULL },
	{ "10.0.2.15::10.0.2.2:255.255.255.0", IPCONFIG_STATIC, "",
	  "10.0.2.15", 24, "10.0.2.2", "", NULL, NULL },
	{ "192.168.1.7:192.168.1.1:192.168.1.1:24:node-7.lab:enp1s0:none:"
	  "192.168.1.53:9.9.9.9:192.168.1.123",
	  IPCONFIG_STATIC, "enp1s0", "192.168.1.7", 24, "192.168.1.1",
	  "node-7.lab", "192.168.1.53", "9.9.9.9" },
	{ "10.1.2.3:::255.255.255.255:::static", IPCONFIG_STATIC, "",
	  "10.1.2.3", 32, NULL, "", NULL, NULL },
	{ "10.1.2.3:::255.0.0.0::::::", IPCONFIG_STATIC, "", "10.1.2.3", 8,
	  NULL, "", NULL, NULL },
	{ "10.1.2.3:::8:::::1.1.1.1", IPCONFIG_STATIC, "", "10.1.2.3", 8,
	  NULL, "", "1.1.1.1", NULL },
	/* Hints with DHCP are dropped: DHCP decides. */
	{ "10.1.2.3::10.1.2.1:24:h:eth0:dhcp", IPCONFIG_DHCP, "eth0", NULL,
	  0, NULL, "", NULL, NULL },
};

struct bad_case {
	const char *in;
	int reason;
	const char *why;
};

static const struct bad_case bad[] = {
	{ "", IPCONFIG_EMPTY, "empty value" },
	{ "bootp", IPCONFIG_BAD_AUTOCONF,
	  "'bootp' is not supported (only DHCP or static)" },
	{ "rarp", IPCONFIG_BAD_AUTOCONF,
	  "'rarp' is not supported (only DHCP or static)" },
	{ "::::::both", IPCONFIG_BAD_AUTOCONF,
	  "autoconf 'both' is not supported (only DHCP or static)" },
	{ "dhcp6", IPCONFIG_BAD_ADDRESS, "client address 'dhcp6'" },
	{ "10.0.0.1:::24::::::::", IPCONFIG_TOO_MANY_FIELDS,
	  "more than 10 fields" },
	{ "10.0.0.1:::24:::maybe", IPCONFIG_BAD_AUTOCONF,
	  "autoconf 'maybe' (want dhcp, on, any, off, none or static)" },
	{ "10.0.0.01:::24", IPCONFIG_BAD_ADDRESS, "client address "
	  "'10.0.0.01'" },
	{ "10.0.0.256:::24", IPCONFIG_BAD_ADDRESS, "client address "
	  "'10.0.0.256'" },
	{ "10.0.0:::24", IPCONFIG_BAD_ADDRESS, "client address '10.0.0'" },
	{ "10.0.0.1.2:::24", IPCONFIG_BAD_ADDRESS,
	  "client address '10.0.0.1.2'" },
	{ " 10.0.0.1:::24", IPCONFIG_BAD_ADDRESS,
	  "client address ' 10.0.0.1'" },
	{ "0.0.0.0:::24", IPCONFIG_BAD_ADDRESS, "client address '0.0.0.0'" },
	{ "127.0.0.1:::8", IPCONFIG_BAD_ADDRESS,
	  "client address '127.0.0.1'" },
	{ "224.0.0.1:::8", IPCONFIG_BAD_ADDRESS,
	  "client address '224.0.0.1'" },
	{ "255.255.255.255:::8", IPCONFIG_BAD_ADDRESS,
	  "client address '255.255.255.255'" },
	{ "10.0.0.1:x::24", IPCONFIG_BAD_ADDRESS, "server address 'x'" },
	{ "10.0.0.1::10.0.0:24", IPCONFIG_BAD_ADDRESS,
	  "gateway address '10.0.0'" },
	{ "10.0.0.1:::255.0.255.0", IPCONFIG_BAD_NETMASK,
	  "netmask '255.0.255.0'" },
	{ "10.0.0.1:::0.0.0.0", IPCONFIG_BAD_NETMASK, "netmask '0.0.0.0'" },
	{ "10.0.0.1:::33", IPCONFIG_BAD_NETMASK, "netmask '33'" },
	{ "10.0.0.1:::0", IPCONFIG_BAD_NETMASK, "netmask '0'" },
	{ "10.0.0.1:::08", IPCONFIG_BAD_NETMASK, "netmask '08'" },
	{ "10.0.0.1:::", IPCONFIG_NEEDS_NETMASK,
	  "a static configuration needs the netmask (field 4)" },
	{ "::10.0.0.254:24:::static", IPCONFIG_NEEDS_ADDRESS,
	  "a static configuration needs the client address (field 1)" },
	{ "10.0.0.1:::24:a..b", IPCONFIG_BAD_HOSTNAME, "hostname 'a..b'" },
	{ "10.0.0.1:::24:-a", IPCONFIG_BAD_HOSTNAME, "hostname '-a'" },
	{ "10.0.0.1:::24:a b", IPCONFIG_BAD_HOSTNAME, "hostname 'a b'" },
	{ "10.0.0.1:::24::eth/0", IPCONFIG_BAD_DEVICE, "device 'eth/0'" },
	{ "10.0.0.1:::24::0123456789abcdef", IPCONFIG_BAD_DEVICE,
	  "device '0123456789abcdef'" },
	{ "10.0.0.1:::24::..", IPCONFIG_BAD_DEVICE, "device '..'" },
	{ "10.0.0.1:::24:::x", IPCONFIG_BAD_AUTOCONF,
	  "autoconf 'x' (want dhcp, on, any, off, none or static)" },
	{ "10.0.0.1:::24::::1.2.3", IPCONFIG_BAD_ADDRESS,
	  "DNS server '1.2.3'" },
	{ "10.0.0.1:::24:::::0.0.0.0", IPCONFIG_BAD_ADDRESS,
	  "DNS server '0.0.0.0'" },
	{ "10.0.0.1:::24::::::ntp", IPCONFIG_BAD_ADDRESS,
	  "NTP server 'ntp'" },
};

static void addr_is(const uint8_t got[4], const char *want)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, want, &a), 1);
	assert_memory_equal(got, &a, 4);
}

static void test_good(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		const struct good_case *c = &good[i];
		struct ipconfig ip;
		struct error err;

		error_clear(&err);
		if (ipconfig_parse(c->in, strlen(c->in), &ip, &err) != 0)
			fail_msg("'%s' refused: %s", c->in, err.why);
		assert_int_equal(ip.mode, c->mode);
		assert_string_equal(ip.device, c->device);
		if (c->address) {
			addr_is(ip.address, c->address);
			assert_int_equal(ip.prefix, c->prefix);
		} else {
			assert_memory_equal(ip.address, "\0\0\0\0", 4);
		}
		assert_int_equal(ip.has_gateway, c->gateway != NULL);
		if (c->gateway)
			addr_is(ip.gateway, c->gateway);
		assert_string_equal(ip.hostname, c->hostname);
		assert_int_equal(ip.dns_count, !!c->dns0 + !!c->dns1);
		if (c->dns0)
			addr_is(ip.dns[0], c->dns0);
		if (c->dns1)
			addr_is(ip.dns[1], c->dns1);
	}
}

static void test_bad(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const struct bad_case *c = &bad[i];
		struct ipconfig ip;
		struct error err;
		int r;

		memset(&ip, 0x5a, sizeof(ip));
		error_clear(&err);
		r = ipconfig_parse(c->in, strlen(c->in), &ip, &err);
		if (r != -OCIBOOT_EMALFORMED || err.reason != c->reason ||
		    strcmp(err.why, c->why) != 0)
			fail_msg("'%s': %d reason %d why '%s'", c->in, r,
				 err.reason, err.why);
		assert_string_equal(err.what, "ip=");
		/* Untouched on failure. */
		assert_int_equal(((uint8_t *)&ip)[0], 0x5a);
	}
}

static void test_caps(void **state)
{
	char value[IPCONFIG_VALUE_MAX + 2];
	struct ipconfig ip;
	struct error err;

	memset(value, ':', sizeof(value));
	assert_int_equal(ipconfig_parse(value, IPCONFIG_VALUE_MAX + 1, &ip,
					&err), -OCIBOOT_ETOOBIG);
	assert_int_equal(err.reason, IPCONFIG_TOO_LONG);
	assert_int_equal(ipconfig_parse("dhcp\0x", 6, &ip, &err),
			 -OCIBOOT_EMALFORMED);
	/* Every prefix of a long form either parses or says why. */
	{
		static const char full[] = "192.168.1.7:192.168.1.1:"
			"192.168.1.1:255.255.255.0:node:eth0:off:"
			"192.168.1.53:9.9.9.9:192.168.1.123";

		for (size_t i = 0; i <= sizeof(full) - 1; i++) {
			int r;

			error_clear(&err);
			r = ipconfig_parse(full, i, &ip, &err);
			assert_true(r == 0 || err.why[0]);
		}
	}
}

/* Against inet_pton over every 1- to 3-digit part and odd forms. */
static void test_ipv4(void **state)
{
	static const char *forms[] = {
		"1.2.3.4", "255.255.255.255", "0.0.0.0", "01.2.3.4",
		"1.2.3.04", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3",
		"256.1.1.1", "1.2.3.4 ", "0x1.2.3.4", "1.2.3.-4", "1234.1.1.1",
		"1.2.3.0000",
	};
	char text[32];
	uint8_t a[4];
	struct in_addr ref;

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		bool ours = ipconfig_parse_ipv4(forms[i], strlen(forms[i]), a);
		bool theirs = inet_pton(AF_INET, forms[i], &ref) == 1;

		/* glibc's inet_pton refuses leading zeros too. */
		if (ours != theirs)
			fail_msg("'%s': ours %d inet_pton %d", forms[i], ours,
				 theirs);
		if (ours)
			assert_memory_equal(a, &ref, 4);
	}
	for (unsigned v = 0; v < 1000; v += 7) {
		snprintf(text, sizeof(text), "10.%u.0.1", v);
		assert_int_equal(ipconfig_parse_ipv4(text, strlen(text), a),
				 inet_pton(AF_INET, text, &ref) == 1);
	}
}

static void test_hostname(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} names[] = {
		{ "a", true }, { "a.b", true }, { "a.b.", true },
		{ "xn--bcher-kva.example", true }, { "a_b", true },
		{ "1.2.3.4", true }, { "", false }, { ".", false },
		{ "a..b", false }, { "-a", false }, { "a-", false },
		{ "a-.b", false }, { "a.-b", false }, { "a b", false },
		{ "a/b", false }, { "\xc3\xa9", false },
	};
	char label[70], longname[300];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (ipconfig_is_hostname(names[i].name,
					 strlen(names[i].name)) != names[i].ok)
			fail_msg("'%s'", names[i].name);
	memset(label, 'a', 64);
	assert_true(ipconfig_is_hostname(label, 63));
	assert_false(ipconfig_is_hostname(label, 64));
	memset(longname, 'a', sizeof(longname));
	for (size_t i = 50; i < sizeof(longname); i += 51)
		longname[i] = '.';
	assert_true(ipconfig_is_hostname(longname, 253));
	assert_false(ipconfig_is_hostname(longname, 254));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_hostname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
