// SPDX-License-Identifier: MIT
/*
 * DHCP: the message parser over a table of good and bad options, every
 * truncation of a good message, the lease checks, the messages we build,
 * the IPv4/UDP datagram both ways (checked against a checksum written
 * here independently), the engine's exchange, xid and server checks and
 * its backoff, and dhcp_run() over a fake server with a fake clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "lib/endian.h"
#include "lib/util.h"
#include "net/dhcp.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t server[4] = { 10, 0, 0, 1 };
static const uint8_t offered[4] = { 10, 0, 0, 50 };

#define XID 0x01020304u

/* A BOOTREPLY with options opts[n] after the cookie; returns its length. */
static size_t reply(uint8_t *buf, uint32_t xid, const uint8_t *opts,
		    size_t n)
{
	memset(buf, 0, DHCP_OPTIONS_OFFSET);
	buf[0] = 2;
	buf[1] = 1;
	buf[2] = 6;
	be32_store(buf + 4, xid);
	memcpy(buf + 16, offered, 4);
	memcpy(buf + 28, mac, 6);
	be32_store(buf + 236, DHCP_MAGIC_COOKIE);
	memcpy(buf + DHCP_OPTIONS_OFFSET, opts, n);
	return DHCP_OPTIONS_OFFSET + n;
}

#define ACK_OPTS(type) \
	53, 1, type, 54, 4, 10, 0, 0, 1, 1, 4, 255, 255, 255, 0, \
	51, 4, 0, 0, 14, 16

/* A full ACK: every option we read. */
static const uint8_t full_ack[] = {
	ACK_OPTS(5),
	3, 8, 10, 0, 0, 254, 10, 0, 0, 253,
	6, 8, 10, 0, 0, 1, 10, 0, 0, 2,
	12, 4, 'n', 'o', 'd', 'e',
	15, 13, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 't', 'e', 's', 't',
	0,	/* a NUL some servers add, dropped */
	26, 2, 0x05, 0xdc,
	58, 4, 0, 0, 7, 8, 59, 4, 0, 0, 12, 78,
	43, 12, 1, 10, 'h', 't', 't', 'p', ':', '/', '/', 'r', '/', 'x',
	255,
};

static void test_parse_full(void **state)
{
	uint8_t buf[DHCP_MESSAGE_MAX];
	struct dhcp_message m;
	struct error err;
	size_t len = reply(buf, XID, full_ack, sizeof(full_ack));

	error_clear(&err);
	assert_int_equal(dhcp_parse(buf, len, &m, &err), 0);
	assert_int_equal(m.type, DHCP_ACK);
	assert_int_equal(m.xid, XID);
	assert_memory_equal(m.yiaddr, offered, 4);
	assert_memory_equal(m.chaddr, mac, 6);
	assert_true(m.has_server_id);
	assert_memory_equal(m.server_id, server, 4);
	assert_int_equal(m.prefix, 24);
	assert_int_equal(m.router_count, 2);
	assert_memory_equal(m.routers[1], ((uint8_t[]){ 10, 0, 0, 253 }), 4);
	assert_int_equal(m.dns_count, 2);
	assert_memory_equal(m.dns[0], server, 4);
	assert_string_equal(m.hostname, "node");
	assert_string_equal(m.domain, "example.test");
	assert_int_equal(m.mtu, 1500);
	assert_int_equal(m.lease_s, 3600);
	assert_int_equal(m.t1_s, 1800);
	assert_int_equal(m.t2_s, 3150);
	assert_true(m.has_oci);
	assert_string_equal(m.oci, "http://r/x");
	assert_int_equal(dhcp_check_lease(&m, &err), 0);
}

/* Every shorter prefix of a good message is refused. */
static void test_parse_truncated(void **state)
{
	uint8_t buf[DHCP_MESSAGE_MAX];
	struct dhcp_message m;
	struct error err;
	size_t len = reply(buf, XID, full_ack, sizeof(full_ack));

	for (size_t i = 0; i < len; i++) {
		error_clear(&err);
		assert_true(dhcp_parse(buf, i, &m, &err) < 0);
		assert_true(err.why[0] != '\0');
	}
}

static void test_parse_caps(void **state)
{
	static const uint8_t many[] = {
		ACK_OPTS(5),
		6, 24, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
		5, 5, 5, 5, 6, 6, 6, 6,
		255,
	};
	uint8_t buf[DHCP_MESSAGE_MAX + 1];
	struct dhcp_message m;
	struct error err;
	size_t len = reply(buf, XID, many, sizeof(many));

	assert_int_equal(dhcp_parse(buf, len, &m, &err), 0);
	assert_int_equal(m.dns_count, DHCP_DNS_MAX);
	assert_memory_equal(m.dns[3], ((uint8_t[]){ 4, 4, 4, 4 }), 4);

	memset(buf + len, 0, sizeof(buf) - len);
	assert_int_equal(dhcp_parse(buf, DHCP_MESSAGE_MAX + 1, &m, &err),
			 -OCIBOOT_ETOOBIG);
	/* Padding after the end option up to the cap is fine. */
	assert_int_equal(dhcp_parse(buf, DHCP_MESSAGE_MAX, &m, &err), 0);
}

/* Options 52: the rest of the options in file, then sname. */
static void test_parse_overload(void **state)
{
	static const uint8_t opts[] = { ACK_OPTS(2), 52, 1, 3, 255 };
	static const uint8_t in_file[] = { 15, 3, 'a', '.', 'b', 255 };
	static const uint8_t in_sname[] = { 12, 1, 'h', 255 };
	static const uint8_t twice[] = { 53, 1, 5, 255 };
	uint8_t buf[DHCP_MESSAGE_MAX];
	struct dhcp_message m;
	struct error err;
	size_t len = reply(buf, XID, opts, sizeof(opts));

	memcpy(buf + 108, in_file, sizeof(in_file));
	memcpy(buf + 44, in_sname, sizeof(in_sname));
	assert_int_equal(dhcp_parse(buf, len, &m, &err), 0);
	assert_string_equal(m.domain, "a.b");
	assert_string_equal(m.hostname, "h");
	/* The same option in file again is refused. */
	memcpy(buf + 108, twice, sizeof(twice));
	assert_int_equal(dhcp_parse(buf, len, &m, &err), -OCIBOOT_EMALFORMED);
	assert_int_equal(err.reason, DHCP_R_DUPLICATE);
	assert_int_equal(err.offset, 108);
	/* file without its end option. */
	memset(buf + 108, 0, 128);
	buf[108] = 1;	/* option 1 running past the area */
	buf[109] = 200;
	assert_int_equal(dhcp_parse(buf, len, &m, &err), -OCIBOOT_EMALFORMED);
	assert_int_equal(err.reason, DHCP_R_TRUNCATED);
}

struct bad_case {
	const char *name;
	uint8_t opts[40];
	size_t len;
	int reason;
	size_t offset;		/* of the option, SIZE_MAX for none */
};

#define OPTS(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static const struct bad_case bad[] = {
	{ "type of 0 bytes", OPTS(53, 0, 255), DHCP_R_OPTION_LENGTH, 240 },
	{ "type 2 bytes", OPTS(53, 2, 5, 5, 255), DHCP_R_OPTION_LENGTH, 240 },
	{ "type 9", OPTS(53, 1, 9, 255), DHCP_R_OPTION_VALUE, 240 },
	{ "type 0", OPTS(53, 1, 0, 255), DHCP_R_OPTION_VALUE, 240 },
	{ "no type", OPTS(1, 4, 255, 0, 0, 0, 255), DHCP_R_NO_TYPE,
	  SIZE_MAX },
	{ "no end", OPTS(53, 1, 5), DHCP_R_NO_END, 240 },
	{ "only pad", OPTS(0, 0, 0), DHCP_R_NO_END, 240 },
	{ "runs past", OPTS(53, 1, 5, 12, 10, 'a'), DHCP_R_TRUNCATED, 243 },
	{ "no length", OPTS(53, 1, 5, 12), DHCP_R_TRUNCATED, 243 },
	{ "twice", OPTS(53, 1, 5, 53, 1, 5, 255), DHCP_R_DUPLICATE, 243 },
	{ "unknown twice", OPTS(53, 1, 5, 99, 0, 99, 0, 255),
	  DHCP_R_DUPLICATE, 245 },
	{ "mask 3 bytes", OPTS(53, 1, 5, 1, 3, 255, 255, 0, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "mask holes", OPTS(53, 1, 5, 1, 4, 255, 0, 255, 0, 255),
	  DHCP_R_OPTION_VALUE, 243 },
	{ "mask zero", OPTS(53, 1, 5, 1, 4, 0, 0, 0, 0, 255),
	  DHCP_R_OPTION_VALUE, 243 },
	{ "router 5 bytes", OPTS(53, 1, 5, 3, 5, 1, 2, 3, 4, 5, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "router 0 bytes", OPTS(53, 1, 5, 3, 0, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "dns 3 bytes", OPTS(53, 1, 5, 6, 3, 1, 2, 3, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "lease 2 bytes", OPTS(53, 1, 5, 51, 2, 1, 2, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "server id 5", OPTS(53, 1, 5, 54, 5, 1, 2, 3, 4, 5, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "T1 3 bytes", OPTS(53, 1, 5, 58, 3, 1, 2, 3, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "T2 5 bytes", OPTS(53, 1, 5, 59, 5, 1, 2, 3, 4, 5, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "mtu 67", OPTS(53, 1, 5, 26, 2, 0, 67, 255), DHCP_R_OPTION_VALUE,
	  243 },
	{ "mtu 4 bytes", OPTS(53, 1, 5, 26, 4, 0, 0, 5, 220, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "hostname empty", OPTS(53, 1, 5, 12, 0, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "hostname only NUL", OPTS(53, 1, 5, 12, 1, 0, 255),
	  DHCP_R_OPTION_VALUE, 243 },
	{ "hostname space", OPTS(53, 1, 5, 12, 3, 'a', ' ', 'b', 255),
	  DHCP_R_OPTION_VALUE, 243 },
	{ "hostname escape", OPTS(53, 1, 5, 12, 3, 'a', 27, 'b', 255),
	  DHCP_R_OPTION_VALUE, 243 },
	{ "hostname inner NUL", OPTS(53, 1, 5, 12, 3, 'a', 0, 'b', 255),
	  DHCP_R_OPTION_VALUE, 243 },
	{ "domain dotdot", OPTS(53, 1, 5, 15, 4, 'a', '.', '.', 'b', 255),
	  DHCP_R_OPTION_VALUE, 243 },
	{ "domain semicolon", OPTS(53, 1, 5, 15, 3, 'a', ';', 'b', 255),
	  DHCP_R_OPTION_VALUE, 243 },
	{ "overload 4", OPTS(53, 1, 5, 52, 1, 4, 255), DHCP_R_OPTION_VALUE,
	  243 },
	{ "overload 0 bytes", OPTS(53, 1, 5, 52, 0, 255),
	  DHCP_R_OPTION_LENGTH, 243 },
	{ "vendor empty", OPTS(53, 1, 5, 43, 0, 255), DHCP_R_OPTION_LENGTH,
	  243 },
	{ "message empty", OPTS(53, 1, 5, 56, 0, 255), DHCP_R_OPTION_LENGTH,
	  243 },
};

static void test_parse_bad(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t buf[DHCP_MESSAGE_MAX];
		struct dhcp_message m;
		struct error err;
		size_t len = reply(buf, XID, bad[i].opts, bad[i].len);
		int r;

		error_clear(&err);
		r = dhcp_parse(buf, len, &m, &err);
		if (r != -OCIBOOT_EMALFORMED || err.reason != bad[i].reason ||
		    (bad[i].offset != SIZE_MAX &&
		     err.offset != bad[i].offset))
			fail_msg("%s: %d reason %d offset %llu (%s)",
				 bad[i].name, r, err.reason,
				 (unsigned long long)err.offset, err.why);
	}
}

static void test_parse_header(void **state)
{
	static const uint8_t opts[] = { 53, 1, 5, 255 };
	uint8_t buf[DHCP_MESSAGE_MAX];
	struct dhcp_message m;
	struct error err;
	size_t len;
	size_t fields[] = { 0, 1, 2, 236 };

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		len = reply(buf, XID, opts, sizeof(opts));
		buf[fields[i]] ^= 0x40;
		assert_int_equal(dhcp_parse(buf, len, &m, &err),
				 -OCIBOOT_EMALFORMED);
		assert_int_equal(err.reason, DHCP_R_NOT_REPLY);
	}
	len = reply(buf, XID, opts, sizeof(opts));
	assert_int_equal(dhcp_parse(buf, len, &m, &err), 0);
}

/* Option 43: ours, another vendor's, malformed. */
static void test_parse_vendor(void **state)
{
	static const uint8_t pxe[] = { 53, 1, 2, 43, 6, 6, 1, 8, 255, 0, 0,
				       255 };
	static const uint8_t spaced[] = { 53, 1, 2, 43, 5, 1, 3, 'a', ' ', 'b',
					  255 };
	static const uint8_t other_sub[] = { 53, 1, 2, 43, 9, 2, 1, 'x', 1, 3,
					     'a', '/', 'b', 255, 255 };
	static const uint8_t past[] = { 53, 1, 2, 43, 3, 1, 5, 'a', 255 };
	uint8_t buf[DHCP_MESSAGE_MAX];
	struct dhcp_message m;
	struct error err;

	assert_int_equal(dhcp_parse(buf, reply(buf, XID, pxe, sizeof(pxe)),
				    &m, &err), 0);
	assert_false(m.has_oci);
	assert_int_equal(dhcp_parse(buf, reply(buf, XID, spaced,
					       sizeof(spaced)), &m, &err), 0);
	assert_false(m.has_oci);
	assert_int_equal(dhcp_parse(buf, reply(buf, XID, other_sub,
					       sizeof(other_sub)), &m, &err),
			 0);
	assert_true(m.has_oci);
	assert_string_equal(m.oci, "a/b");
	assert_int_equal(dhcp_parse(buf, reply(buf, XID, past, sizeof(past)),
				    &m, &err), 0);
	assert_false(m.has_oci);
}

/* Option 43 sub-option 2: mirrors, single spaces between URLs. */
#define MIRRORS_OPTS(...) \
	{ 53, 1, 2, 43, sizeof((uint8_t[]){ __VA_ARGS__ }), __VA_ARGS__, 255 }

struct mirrors_case {
	const char *name;
	uint8_t opts[64];
	size_t len;
	bool ok;		/* option 43 taken as ours */
	const char *mirrors;	/* NULL: none */
};

#define MC(name, ok, want, ...) \
	{ name, MIRRORS_OPTS(__VA_ARGS__), \
	  sizeof((uint8_t[])MIRRORS_OPTS(__VA_ARGS__)), ok, want }

static const struct mirrors_case mirrors_cases[] = {
	MC("one", true, "http://m", 2, 8, 'h', 't', 't', 'p', ':', '/', '/',
	   'm'),
	MC("two and oci", true, "a:1 b", 1, 1, 'x', 2, 5, 'a', ':', '1', ' ',
	   'b'),
	MC("three", true, "a b c", 2, 5, 'a', ' ', 'b', ' ', 'c'),
	MC("leading space", false, NULL, 1, 1, 'x', 2, 2, ' ', 'a'),
	MC("trailing space", false, NULL, 1, 1, 'x', 2, 2, 'a', ' '),
	MC("two spaces", false, NULL, 2, 4, 'a', ' ', ' ', 'b'),
	MC("a tab", false, NULL, 2, 3, 'a', '\t', 'b'),
	MC("DEL", false, NULL, 2, 2, 'a', 0x7f),
	MC("empty", false, NULL, 2, 0),
	MC("twice", false, NULL, 2, 1, 'a', 2, 1, 'b'),
	MC("past the end", false, NULL, 2, 9, 'a'),
};

static void test_parse_vendor_mirrors(void **state)
{
	uint8_t buf[DHCP_MESSAGE_MAX];
	struct dhcp_message m;
	struct error err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(mirrors_cases); i++) {
		const struct mirrors_case *t = &mirrors_cases[i];
		size_t len = reply(buf, XID, t->opts, t->len);

		if (dhcp_parse(buf, len, &m, &err) != 0)
			fail_msg("%s: %s", t->name, err.why);
		if (m.has_mirrors != (t->mirrors != NULL))
			fail_msg("%s: has_mirrors %d", t->name,
				 m.has_mirrors);
		if (t->mirrors)
			assert_string_equal(m.mirrors, t->mirrors);
		if (!t->ok)
			assert_false(m.has_oci);
	}
}

struct lease_case {
	const char *name;
	uint8_t yiaddr[4];
	bool server_id, subnet, lease;
	uint32_t lease_s, t1, t2;
	bool ok;
	uint32_t want_t1, want_t2;
};

static const struct lease_case leases[] = {
	{ "defaults", { 10, 0, 0, 5 }, true, true, true, 3600, 0, 0, true,
	  1800, 3150 },
	{ "given", { 10, 0, 0, 5 }, true, true, true, 100, 10, 20, true,
	  10, 20 },
	{ "infinite", { 10, 0, 0, 5 }, true, true, true, UINT32_MAX, 0, 0,
	  true, UINT32_MAX, UINT32_MAX },
	{ "T1 = T2", { 10, 0, 0, 5 }, true, true, true, 100, 50, 50,
	  false, 0, 0 },
	{ "T2 = lease", { 10, 0, 0, 5 }, true, true, true, 100, 50, 100,
	  false, 0, 0 },
	{ "T1 over lease", { 10, 0, 0, 5 }, true, true, true, 100, 200, 0,
	  false, 0, 0 },
	{ "lease 1 s", { 10, 0, 0, 5 }, true, true, true, 1, 0, 0,
	  false, 0, 0 },
	{ "no lease", { 10, 0, 0, 5 }, true, true, false, 0, 0, 0,
	  false, 0, 0 },
	{ "no server id", { 10, 0, 0, 5 }, false, true, true, 100, 0, 0,
	  false, 0, 0 },
	{ "no subnet", { 10, 0, 0, 5 }, true, false, true, 100, 0, 0,
	  false, 0, 0 },
	{ "yiaddr 0", { 0, 0, 0, 0 }, true, true, true, 100, 0, 0,
	  false, 0, 0 },
	{ "yiaddr loopback", { 127, 0, 0, 1 }, true, true, true, 100, 0, 0,
	  false, 0, 0 },
	{ "yiaddr multicast", { 224, 0, 0, 1 }, true, true, true, 100, 0, 0,
	  false, 0, 0 },
	{ "yiaddr broadcast", { 255, 255, 255, 255 }, true, true, true, 100,
	  0, 0, false, 0, 0 },
};

static void test_check_lease(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(leases); i++) {
		const struct lease_case *c = &leases[i];
		struct dhcp_message m;
		struct error err;
		int r;

		memset(&m, 0, sizeof(m));
		memcpy(m.yiaddr, c->yiaddr, 4);
		m.has_server_id = c->server_id;
		m.has_subnet = c->subnet;
		m.prefix = 24;
		m.has_lease = c->lease;
		m.lease_s = c->lease_s;
		m.t1_s = c->t1;
		m.t2_s = c->t2;
		error_clear(&err);
		r = dhcp_check_lease(&m, &err);
		if (c->ok != (r == 0))
			fail_msg("%s: %d (%s)", c->name, r, err.why);
		if (c->ok && (m.t1_s != c->want_t1 || m.t2_s != c->want_t2))
			fail_msg("%s: T1 %u T2 %u", c->name, m.t1_s, m.t2_s);
		if (!c->ok)
			assert_int_equal(err.reason, DHCP_R_LEASE);
	}
}

/* The options of a message we built, as code -> (value, len). */
static const uint8_t *find_option(const uint8_t *buf, size_t len,
				  uint8_t code, uint8_t *olen)
{
	size_t i = DHCP_OPTIONS_OFFSET;

	while (i < len && buf[i] != 255) {
		if (buf[i] == 0) {
			i++;
			continue;
		}
		if (buf[i] == code) {
			*olen = buf[i + 1];
			return buf + i + 2;
		}
		i += 2 + buf[i + 1];
	}
	return NULL;
}

static void test_build(void **state)
{
	struct dhcp_request req = { .type = DHCP_DISCOVER, .xid = XID,
				    .secs = 3 };
	uint8_t buf[DHCP_SEND_LEN], olen;
	const uint8_t *v;

	memcpy(req.chaddr, mac, 6);
	assert_int_equal(dhcp_build(&req, buf, sizeof(buf) - 1), -ENOSPC);
	assert_int_equal(dhcp_build(&req, buf, sizeof(buf)), DHCP_SEND_LEN);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[1], 1);
	assert_int_equal(buf[2], 6);
	assert_int_equal(be32_load(buf + 4), XID);
	assert_int_equal(be16_load(buf + 8), 3);
	assert_int_equal(be16_load(buf + 10), 0);	/* no broadcast flag */
	assert_memory_equal(buf + 28, mac, 6);
	assert_int_equal(be32_load(buf + 236), DHCP_MAGIC_COOKIE);
	v = find_option(buf, sizeof(buf), 53, &olen);
	assert_non_null(v);
	assert_int_equal(olen, 1);
	assert_int_equal(v[0], DHCP_DISCOVER);
	v = find_option(buf, sizeof(buf), 60, &olen);
	assert_non_null(v);
	assert_int_equal(olen, 7);
	assert_memory_equal(v, "ociboot", 7);
	v = find_option(buf, sizeof(buf), 61, &olen);
	assert_int_equal(olen, 7);
	assert_int_equal(v[0], 1);
	assert_memory_equal(v + 1, mac, 6);
	v = find_option(buf, sizeof(buf), 55, &olen);
	assert_non_null(memchr(v, 43, olen));
	assert_non_null(memchr(v, 6, olen));
	assert_null(find_option(buf, sizeof(buf), 50, &olen));

	req.type = DHCP_REQUEST;
	req.has_requested = true;
	memcpy(req.requested, offered, 4);
	memcpy(req.server_id, server, 4);
	assert_int_equal(dhcp_build(&req, buf, sizeof(buf)), DHCP_SEND_LEN);
	v = find_option(buf, sizeof(buf), 50, &olen);
	assert_int_equal(olen, 4);
	assert_memory_equal(v, offered, 4);
	v = find_option(buf, sizeof(buf), 54, &olen);
	assert_int_equal(olen, 4);
	assert_memory_equal(v, server, 4);
}

/* RFC 1071's checksum, written out on its own, for the datagrams. */
static uint16_t reference_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)~sum;
}

/* A server's datagram from 10.0.0.1:67 to 10.0.0.50:68 around msg. */
static size_t server_frame(uint8_t *out, const uint8_t *msg, size_t len)
{
	uint8_t *udp = out + 20;
	uint32_t pseudo = 0;

	memset(out, 0, 28);
	out[0] = 0x45;
	be16_store(out + 2, (uint16_t)(28 + len));
	out[8] = 64;
	out[9] = 17;
	memcpy(out + 12, server, 4);
	memcpy(out + 16, offered, 4);
	be16_store(out + 10, reference_sum(out, 20, 0));
	be16_store(udp, 67);
	be16_store(udp + 2, 68);
	be16_store(udp + 4, (uint16_t)(8 + len));
	memcpy(udp + 8, msg, len);
	for (int i = 12; i < 20; i += 2)
		pseudo += be16_load(out + i);
	pseudo += 17 + 8 + (uint32_t)len;
	be16_store(udp + 6, reference_sum(udp, 8 + len, pseudo));
	return 28 + len;
}

static void test_frame(void **state)
{
	uint8_t msg[DHCP_SEND_LEN], frame[DHCP_DATAGRAM_MAX];
	const uint8_t *payload;
	size_t payload_len, len;
	struct error err;
	int n;

	memset(msg, 0x5a, sizeof(msg));
	n = dhcp_frame_build(msg, sizeof(msg), 7, frame, sizeof(frame));
	assert_int_equal(n, 28 + DHCP_SEND_LEN);
	assert_int_equal(reference_sum(frame, 20, 0), 0);
	assert_int_equal(be16_load(frame + 20), 68);
	assert_int_equal(be16_load(frame + 22), 67);
	assert_int_equal(frame[16], 255);
	assert_int_equal(dhcp_frame_build(msg, sizeof(msg), 7, frame, 100),
			 -ENOSPC);
	/* Our own datagram goes the other way: not for us. */
	assert_int_equal(dhcp_frame_parse(frame, (size_t)n, &payload,
					  &payload_len, &err), -EAGAIN);

	len = server_frame(frame, msg, sizeof(msg));
	assert_int_equal(dhcp_frame_parse(frame, len, &payload, &payload_len,
					  &err), 0);
	assert_int_equal(payload_len, sizeof(msg));
	assert_ptr_equal(payload, frame + 28);
	/* Ethernet padding after the datagram is dropped. */
	assert_int_equal(dhcp_frame_parse(frame, len + 10, &payload,
					  &payload_len, &err), 0);
	assert_int_equal(payload_len, sizeof(msg));
	for (size_t i = 0; i < len; i++) {
		int r = dhcp_frame_parse(frame, i, &payload, &payload_len,
					 &err);

		assert_true(r < 0);
	}
	/* A flipped bit anywhere is caught by a checksum or a check. */
	for (size_t i = 0; i < len; i++) {
		int r;

		frame[i] ^= 1;
		r = dhcp_frame_parse(frame, len, &payload, &payload_len, &err);
		frame[i] ^= 1;
		if (r == 0)
			fail_msg("flipped bit at %zu accepted", i);
	}
	/* A zero UDP checksum means none. */
	be16_store(frame + 26, 0);
	assert_int_equal(dhcp_frame_parse(frame, len, &payload, &payload_len,
					  &err), 0);
	/* A fragment is refused. */
	len = server_frame(frame, msg, sizeof(msg));
	be16_store(frame + 6, 0x2000);
	be16_store(frame + 10, 0);
	be16_store(frame + 10, reference_sum(frame, 20, 0));
	assert_int_equal(dhcp_frame_parse(frame, len, &payload, &payload_len,
					  &err), -OCIBOOT_EMALFORMED);
}

/* --- the engine --- */

struct fake_random {
	uint32_t values[16];
	size_t next;
};

static uint32_t fake_random(void *ctx)
{
	struct fake_random *f = ctx;

	return f->values[f->next++ % ARRAY_SIZE(f->values)];
}

static void test_backoff(void **state)
{
	struct fake_random lo = { { 0 }, 0 }, hi;
	struct dhcp_client c;
	static const uint32_t want[] = { 4000, 8000, 16000, 32000, 64000,
					 64000, 64000, 64000 };

	memset(&hi, 0, sizeof(hi));
	for (size_t i = 0; i < ARRAY_SIZE(hi.values); i++)
		hi.values[i] = 2000;	/* 2000 % 2001: +1000 */
	dhcp_client_init(&c, mac, fake_random, &lo, 0);
	for (unsigned a = 1; a <= ARRAY_SIZE(want); a++)
		assert_int_equal(dhcp_client_backoff_ms(&c, a),
				 want[a - 1] - 1000);
	c.random_ctx = &hi;
	for (unsigned a = 1; a <= ARRAY_SIZE(want); a++)
		assert_int_equal(dhcp_client_backoff_ms(&c, a),
				 want[a - 1] + 1000);
	assert_int_equal(dhcp_client_backoff_ms(&c, 1000), 65000);
}

/* The server's message of type to the client c, with its xid. */
static size_t server_message(uint8_t *buf, uint32_t xid, uint8_t type,
			     const uint8_t sid[4])
{
	uint8_t opts[] = { ACK_OPTS(type), 255 };

	memcpy(opts + 5, sid, 4);
	return reply(buf, xid, opts, sizeof(opts));
}

static uint8_t sent_type(const uint8_t *buf, size_t len)
{
	uint8_t olen;
	const uint8_t *v = find_option(buf, len, 53, &olen);

	return v ? v[0] : 0;
}

static void test_engine(void **state)
{
	struct fake_random rnd = { { XID, 500, 1000, 0x0a0b0c0d, 0 }, 0 };
	static const uint8_t other[4] = { 10, 0, 0, 9 };
	uint8_t out[DHCP_SEND_LEN], in[DHCP_MESSAGE_MAX], olen;
	struct dhcp_client c;
	int64_t wake;
	size_t len;
	int n;

	dhcp_client_init(&c, mac, fake_random, &rnd, 1000);
	assert_int_equal(c.xid, XID);
	n = dhcp_client_poll(&c, 1000, out, sizeof(out), &wake);
	assert_int_equal(n, DHCP_SEND_LEN);
	assert_int_equal(sent_type(out, (size_t)n), DHCP_DISCOVER);
	/* 4000 - 1000 + 500 % 2001 */
	assert_int_equal(wake, 1000 + 3500);
	assert_int_equal(dhcp_client_poll(&c, 2000, out, sizeof(out), &wake),
			 0);
	assert_int_equal(wake, 4500);

	/* Another xid, another MAC, an ACK while selecting: ignored. */
	len = server_message(in, XID + 1, DHCP_OFFER, server);
	assert_int_equal(dhcp_client_input(&c, 2000, in, len), 0);
	assert_int_equal(c.state, DHCP_STATE_SELECTING);
	len = server_message(in, XID, DHCP_OFFER, server);
	in[33] ^= 1;
	assert_int_equal(dhcp_client_input(&c, 2000, in, len), 0);
	assert_int_equal(c.state, DHCP_STATE_SELECTING);
	len = server_message(in, XID, DHCP_ACK, server);
	assert_int_equal(dhcp_client_input(&c, 2000, in, len), 0);
	assert_int_equal(c.state, DHCP_STATE_SELECTING);
	/* A malformed one is counted with its reason. */
	len = server_message(in, XID, DHCP_OFFER, server);
	assert_int_equal(dhcp_client_input(&c, 2000, in, len - 1), 0);
	assert_int_equal(c.refused, 1);
	assert_int_equal(c.last_refusal.reason, DHCP_R_NO_END);

	/* Retransmission at the wake time, same xid. */
	n = dhcp_client_poll(&c, 4500, out, sizeof(out), &wake);
	assert_int_equal(sent_type(out, (size_t)n), DHCP_DISCOVER);
	assert_int_equal(be32_load(out + 4), XID);
	assert_int_equal(wake, 4500 + 8000 - 1000 + 1000 % 2001);

	/* The offer: a REQUEST is due at once. */
	len = server_message(in, XID, DHCP_OFFER, server);
	assert_int_equal(dhcp_client_input(&c, 5000, in, len), 0);
	assert_int_equal(c.state, DHCP_STATE_REQUESTING);
	n = dhcp_client_poll(&c, 5000, out, sizeof(out), &wake);
	assert_int_equal(sent_type(out, (size_t)n), DHCP_REQUEST);
	assert_memory_equal(find_option(out, (size_t)n, 54, &olen), server,
			    4);
	assert_memory_equal(find_option(out, (size_t)n, 50, &olen), offered,
			    4);
	assert_int_equal(be16_load(out + 8), 4);	/* secs */

	/* An ACK from another server is not ours to take. */
	len = server_message(in, XID, DHCP_ACK, other);
	assert_int_equal(dhcp_client_input(&c, 5100, in, len), 0);
	assert_int_equal(c.state, DHCP_STATE_REQUESTING);
	/* A NAK from it neither. */
	len = server_message(in, XID, DHCP_NAK, other);
	assert_int_equal(dhcp_client_input(&c, 5100, in, len), 0);
	assert_int_equal(c.state, DHCP_STATE_REQUESTING);
	/* An ACK for another address is refused. */
	len = server_message(in, XID, DHCP_ACK, server);
	in[19] = 51;
	assert_int_equal(dhcp_client_input(&c, 5100, in, len), 0);
	assert_int_equal(c.state, DHCP_STATE_REQUESTING);
	assert_int_equal(c.last_refusal.reason, DHCP_R_LEASE);

	/* The NAK of the chosen server: start over, a new xid, later. */
	len = server_message(in, XID, DHCP_NAK, server);
	assert_int_equal(dhcp_client_input(&c, 5200, in, len), 0);
	assert_int_equal(c.state, DHCP_STATE_SELECTING);
	assert_int_not_equal(c.xid, XID);
	assert_int_equal(c.last_refusal.reason, DHCP_R_NAK);
	assert_int_equal(dhcp_client_poll(&c, 5300, out, sizeof(out), &wake),
			 0);
	assert_int_equal(wake, 5200 + DHCP_NAK_DELAY_MS);
	n = dhcp_client_poll(&c, 6200, out, sizeof(out), &wake);
	assert_int_equal(sent_type(out, (size_t)n), DHCP_DISCOVER);
	assert_int_equal(be32_load(out + 4), c.xid);

	/* Offer, request, ack: bound. */
	len = server_message(in, c.xid, DHCP_OFFER, server);
	assert_int_equal(dhcp_client_input(&c, 6300, in, len), 0);
	n = dhcp_client_poll(&c, 6300, out, sizeof(out), &wake);
	assert_int_equal(sent_type(out, (size_t)n), DHCP_REQUEST);
	len = server_message(in, c.xid, DHCP_ACK, server);
	assert_int_equal(dhcp_client_input(&c, 6400, in, len), 1);
	assert_int_equal(c.state, DHCP_STATE_BOUND);
	assert_memory_equal(c.offer.yiaddr, offered, 4);
	assert_int_equal(dhcp_client_poll(&c, 9999, out, sizeof(out), &wake),
			 0);
	assert_int_equal(wake, INT64_MAX);
}

/* Unanswered REQUESTs start over with DISCOVER. */
static void test_engine_request_tries(void **state)
{
	struct fake_random rnd = { { XID, 0 }, 0 };
	uint8_t out[DHCP_SEND_LEN], in[DHCP_MESSAGE_MAX];
	struct dhcp_client c;
	int64_t now = 0, wake;
	size_t len;
	int n;

	dhcp_client_init(&c, mac, fake_random, &rnd, 0);
	assert_true(dhcp_client_poll(&c, now, out, sizeof(out), &wake) > 0);
	len = server_message(in, XID, DHCP_OFFER, server);
	assert_int_equal(dhcp_client_input(&c, now, in, len), 0);
	for (int i = 0; i < DHCP_REQUEST_TRIES; i++) {
		n = dhcp_client_poll(&c, now, out, sizeof(out), &wake);
		assert_int_equal(sent_type(out, (size_t)n), DHCP_REQUEST);
		now = wake;
	}
	n = dhcp_client_poll(&c, now, out, sizeof(out), &wake);
	assert_int_equal(sent_type(out, (size_t)n), DHCP_DISCOVER);
	assert_int_equal(c.state, DHCP_STATE_SELECTING);
}

/* --- dhcp_run over a fake server and clock --- */

struct fake_server {
	int64_t now;
	bool silent;
	bool garbage;		/* answer with a broken checksum too */
	unsigned discovers, requests;
	uint8_t pending[DHCP_DATAGRAM_MAX];
	size_t pending_len;
	uint8_t extra[DHCP_DATAGRAM_MAX];
	size_t extra_len;
};

static int64_t fake_now(void *ctx)
{
	return ((struct fake_server *)ctx)->now;
}

static int fake_send(void *ctx, const void *buf, size_t len)
{
	struct fake_server *s = ctx;
	const uint8_t *dgram = buf, *msg = dgram + 28;
	uint8_t answer[DHCP_MESSAGE_MAX];
	uint8_t type = sent_type(msg, len - 28);
	size_t n;

	assert_int_equal(reference_sum(dgram, 20, 0), 0);
	if (type == DHCP_DISCOVER)
		s->discovers++;
	else
		s->requests++;
	if (s->silent)
		return 0;
	n = server_message(answer, be32_load(msg + 4),
			   type == DHCP_DISCOVER ? DHCP_OFFER : DHCP_ACK,
			   server);
	s->pending_len = server_frame(s->pending, answer, n);
	if (s->garbage) {
		s->extra_len = server_frame(s->extra, answer, n);
		s->extra[30] ^= 1;	/* inside the message: UDP sum */
	}
	return 0;
}

static ssize_t fake_recv(void *ctx, void *buf, size_t size,
			 int64_t deadline_ms)
{
	struct fake_server *s = ctx;
	size_t n;

	if (s->extra_len) {
		n = s->extra_len;
		s->extra_len = 0;
		memcpy(buf, s->extra, n);
		return (ssize_t)n;
	}
	if (!s->pending_len) {
		s->now = deadline_ms;
		return -OCIBOOT_ETIMEOUT;
	}
	s->now += 5;
	n = s->pending_len;
	s->pending_len = 0;
	memcpy(buf, s->pending, n);
	return (ssize_t)n;
}

static void test_run(void **state)
{
	struct fake_random rnd = { { XID, 0 }, 0 };
	struct fake_server s = { .now = 100, .garbage = true };
	struct dhcp_io io = { &s, fake_now, fake_send, fake_recv };
	struct dhcp_client c;
	struct error err;

	error_clear(&err);
	dhcp_client_init(&c, mac, fake_random, &rnd, s.now);
	assert_int_equal(dhcp_run(&c, &io, 10000, &err), 0);
	assert_int_equal(s.discovers, 1);
	assert_int_equal(s.requests, 1);
	assert_int_equal(c.refused, 2);
	assert_int_equal(c.state, DHCP_STATE_BOUND);
	assert_memory_equal(c.offer.yiaddr, offered, 4);
}

static void test_run_timeout(void **state)
{
	struct fake_random rnd = { { XID, 0 }, 0 };
	struct fake_server s = { .now = 0, .silent = true };
	struct dhcp_io io = { &s, fake_now, fake_send, fake_recv };
	struct dhcp_client c;
	struct error err;
	char line[ERROR_LINE_MAX];

	error_clear(&err);
	dhcp_client_init(&c, mac, fake_random, &rnd, s.now);
	assert_int_equal(dhcp_run(&c, &io, 20000, &err), -OCIBOOT_ETIMEOUT);
	/* Random 0 each time: sends at 0, 3, 10 s (then 25 s). */
	assert_int_equal(s.discovers, 3);
	assert_int_equal(s.now, 20000);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, "DHCP: no answer after 20000 ms: 3 "
			    "messages sent: timed out");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_caps),
		cmocka_unit_test(test_parse_overload),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_header),
		cmocka_unit_test(test_parse_vendor),
		cmocka_unit_test(test_parse_vendor_mirrors),
		cmocka_unit_test(test_check_lease),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_engine),
		cmocka_unit_test(test_engine_request_tries),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_run_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
