// SPDX-License-Identifier: MIT
/*
 * DNS: the query we build, the answer parser over a table of good and bad
 * answers (compression, CNAME chains, caps, pointer loops, spoofs), every
 * truncation of a good answer, and dns_resolve() over fake servers with a
 * fake clock: a silent one, a spoofer, one that says no.
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
#include "net/dns.h"

#define ID 0xbeef
#define NAME "registry.example.test"

/* What dig +noedns sends for NAME, but with our id (RFC 1035 4.1). */
static const uint8_t query_bytes[] = {
	0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	8, 'r', 'e', 'g', 'i', 's', 't', 'r', 'y',
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
	0, 1, 0, 1,
};

static void test_query(void **state)
{
	uint8_t buf[DNS_MESSAGE_MAX];

	assert_int_equal(dns_query_build(NAME, ID, buf, sizeof(buf)),
			 sizeof(query_bytes));
	assert_memory_equal(buf, query_bytes, sizeof(query_bytes));
	assert_int_equal(dns_query_build(NAME ".", ID, buf, sizeof(buf)),
			 sizeof(query_bytes));
	assert_memory_equal(buf, query_bytes, sizeof(query_bytes));
	assert_int_equal(dns_query_build(NAME, ID, buf,
					 sizeof(query_bytes) - 1), -ENOSPC);
	assert_int_equal(dns_query_build("a..b", ID, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(dns_query_build("", ID, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(dns_query_build("-a", ID, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(dns_query_build("a b", ID, buf, sizeof(buf)),
			 -EINVAL);
}

/* An answer: header flags/counts, then the question, then records. */
struct answer {
	uint8_t buf[DNS_MESSAGE_MAX + 64];
	size_t len;
};

static void put(struct answer *a, const void *p, size_t n)
{
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void put16(struct answer *a, uint16_t v)
{
	be16_store(a->buf + a->len, v);
	a->len += 2;
}

static void start(struct answer *a, uint16_t id, uint16_t flags,
		  uint16_t ancount)
{
	a->len = 0;
	put16(a, id);
	put16(a, flags);
	put16(a, 1);
	put16(a, ancount);
	put16(a, 0);
	put16(a, 0);
	put(a, query_bytes + 12, sizeof(query_bytes) - 12);
}

/* A record: owner (wire bytes), type, class IN, ttl, data. */
static void record(struct answer *a, const void *owner, size_t owner_len,
		   uint16_t type, uint32_t ttl, const void *data,
		   uint16_t data_len)
{
	put(a, owner, owner_len);
	put16(a, type);
	put16(a, 1);
	put16(a, (uint16_t)(ttl >> 16));
	put16(a, (uint16_t)ttl);
	put16(a, data_len);
	put(a, data, data_len);
}

static const uint8_t to_question[] = { 0xc0, 12 };	/* pointer to NAME */
static const uint8_t addr1[4] = { 192, 0, 2, 1 }, addr2[4] = { 192, 0, 2, 2 };

static void test_parse_simple(void **state)
{
	struct answer a;
	struct dns_answer out;
	struct error err;

	start(&a, ID, 0x8180, 2);
	record(&a, to_question, 2, 1, 300, addr1, 4);
	record(&a, to_question, 2, 1, 60, addr2, 4);
	error_clear(&err);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 0);
	assert_int_equal(out.count, 2);
	assert_memory_equal(out.addresses[0], addr1, 4);
	assert_memory_equal(out.addresses[1], addr2, 4);
	assert_int_equal(out.ttl_s, 60);
	/* Case does not matter (RFC 1035 2.3.3). */
	assert_int_equal(dns_answer_parse(a.buf, a.len, "Registry.EXAMPLE.test",
					  ID, &out, &err), 0);
	for (size_t i = 0; i < a.len; i++) {
		error_clear(&err);
		assert_true(dns_answer_parse(a.buf, i, NAME, ID, &out, &err) <
			    0);
		assert_true(err.why[0] != '\0');
	}
}

/* CNAME chains, in either order, and records of other names. */
static void test_parse_cname(void **state)
{
	static const uint8_t cdn[] = { 3, 'c', 'd', 'n', 0xc0, 12 + 9 };
	struct answer a;
	struct dns_answer out;
	struct error err;
	size_t cdn_at;

	/* cdn.example.test A addr2 (before the CNAME that leads to it),
	 * NAME CNAME cdn.example.test (a pointer to that owner), and an A
	 * of another name, x.NAME: ignored. */
	start(&a, ID, 0x8180, 3);
	cdn_at = a.len;
	record(&a, cdn, sizeof(cdn), 1, 30, addr2, 4);
	record(&a, to_question, 2, 5, 30,
	       (uint8_t[]){ 0xc0, (uint8_t)cdn_at }, 2);
	record(&a, (uint8_t[]){ 1, 'x', 0xc0, 12 }, 4, 1, 30, addr1, 4);
	error_clear(&err);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 0);
	assert_int_equal(out.count, 1);
	assert_memory_equal(out.addresses[0], addr2, 4);
}

static void test_parse_cname_loop(void **state)
{
	struct answer a;
	struct dns_answer out;
	struct error err;
	size_t self;

	/* NAME CNAME x.NAME; x.NAME CNAME NAME: a loop, capped. */
	start(&a, ID, 0x8180, 2);
	self = a.len;
	record(&a, to_question, 2, 5, 30, (uint8_t[]){ 1, 'x', 0xc0, 12 }, 4);
	record(&a, (uint8_t[]){ 0xc0, (uint8_t)(self + 12) }, 2, 5, 30,
	       to_question, 2);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_ETOOBIG);
	assert_int_equal(err.reason, DNS_R_LOOP);
}

struct bad_case {
	const char *name;
	uint16_t id, flags;
	int code, reason;
};

static const struct bad_case bad_headers[] = {
	{ "other id", ID + 1, 0x8180, -EAGAIN, DNS_R_NOT_OURS },
	{ "a query", ID, 0x0100, -EAGAIN, DNS_R_NOT_OURS },
	{ "opcode 2", ID, 0x9180, -EAGAIN, DNS_R_NOT_OURS },
	{ "truncated", ID, 0x8380, -OCIBOOT_EPROTO, DNS_R_TRUNCATED },
	{ "nxdomain", ID, 0x8183, -OCIBOOT_ENOTFOUND, DNS_R_NO_NAME },
	{ "servfail", ID, 0x8182, -OCIBOOT_EPROTO, DNS_R_SERVER },
	{ "refused", ID, 0x8185, -OCIBOOT_EPROTO, DNS_R_SERVER },
};

static void test_parse_headers(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_headers); i++) {
		const struct bad_case *c = &bad_headers[i];
		struct answer a;
		struct dns_answer out;
		struct error err;
		int r;

		start(&a, c->id, c->flags, 1);
		record(&a, to_question, 2, 1, 300, addr1, 4);
		error_clear(&err);
		r = dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err);
		if (r != c->code || err.reason != c->reason)
			fail_msg("%s: %d reason %d (%s)", c->name, r,
				 err.reason, err.why);
	}
}

/* Answers whose records or names break a rule. */
static void test_parse_bad(void **state)
{
	struct answer a;
	struct dns_answer out;
	struct error err;
	size_t at;

	/* Another question (a spoof for another name). */
	start(&a, ID, 0x8180, 0);
	a.buf[13] = 'R';
	a.buf[14] = 'x';
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -EAGAIN);
	/* Another type in the question. */
	start(&a, ID, 0x8180, 0);
	a.buf[a.len - 3] = 28;
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -EAGAIN);
	/* Two questions. */
	start(&a, ID, 0x8180, 0);
	a.buf[5] = 2;
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -EAGAIN);
	/* No address: NODATA. */
	start(&a, ID, 0x8180, 0);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_ENOTFOUND);
	assert_int_equal(err.reason, DNS_R_NO_ADDRESS);
	/* Only an AAAA. */
	start(&a, ID, 0x8180, 1);
	record(&a, to_question, 2, 28, 30, "0123456789abcdef", 16);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_ENOTFOUND);
	/* An A of 5 bytes. */
	start(&a, ID, 0x8180, 1);
	record(&a, to_question, 2, 1, 30, "12345", 5);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_EMALFORMED);
	/* rdlength past the end. */
	start(&a, ID, 0x8180, 1);
	record(&a, to_question, 2, 1, 30, addr1, 4);
	a.buf[a.len - 5] = 9;
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_EMALFORMED);
	/* A pointer to itself, and forward. */
	start(&a, ID, 0x8180, 1);
	at = a.len;
	record(&a, (uint8_t[]){ 0xc0, (uint8_t)at }, 2, 1, 30, addr1, 4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_ETOOBIG);
	start(&a, ID, 0x8180, 1);
	at = a.len;
	record(&a, (uint8_t[]){ 0xc0, (uint8_t)(at + 2) }, 2, 1, 30, addr1, 4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_ETOOBIG);
	/* A loop through a label: x then a pointer back to the x. */
	start(&a, ID, 0x8180, 1);
	at = a.len;
	record(&a, (uint8_t[]){ 1, 'x', 0xc0, (uint8_t)at }, 4, 1, 30, addr1,
	       4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_ETOOBIG);
	/* Label types 0x40 and 0x80. */
	start(&a, ID, 0x8180, 1);
	record(&a, (uint8_t[]){ 0x41, 'x', 0 }, 3, 1, 30, addr1, 4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_EMALFORMED);
	start(&a, ID, 0x8180, 1);
	record(&a, (uint8_t[]){ 0x81, 'x', 0 }, 3, 1, 30, addr1, 4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_EMALFORMED);
	/* Over the record cap. */
	start(&a, ID, 0x8180, DNS_RECORDS_MAX + 1);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_ETOOBIG);
	/* Over 512 bytes. */
	start(&a, ID, 0x8180, 1);
	record(&a, to_question, 2, 1, 30, addr1, 4);
	assert_int_equal(dns_answer_parse(a.buf, DNS_MESSAGE_MAX + 1, NAME,
					  ID, &out, &err), -OCIBOOT_ETOOBIG);
}

/* A name of 255 wire bytes is the most; a chain of pointers is capped. */
static void test_parse_name_caps(void **state)
{
	struct answer a;
	struct dns_answer out;
	struct error err;
	uint8_t owner[300];
	size_t o = 0;

	/* Labels of 49 and 4 x 50 = 255 bytes with the root: fine (and
	 * another name, so not kept). */
	for (int i = 0; i < 5; i++) {
		owner[o++] = i == 0 ? 49 : 50;
		memset(owner + o, 'a', owner[o - 1]);
		o += owner[o - 1];
	}
	owner[o++] = 0;
	start(&a, ID, 0x8180, 2);
	record(&a, owner, o, 1, 30, addr2, 4);
	record(&a, to_question, 2, 1, 30, addr1, 4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 0);
	assert_int_equal(out.count, 1);
	/* One byte more: 256. */
	o = 0;
	for (int i = 0; i < 5; i++) {
		owner[o++] = 50;
		memset(owner + o, 'a', owner[o - 1]);
		o += owner[o - 1];
	}
	owner[o++] = 0;
	start(&a, ID, 0x8180, 1);
	record(&a, owner, o, 1, 30, addr2, 4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_ETOOBIG);
	/* A label of 64 is not a label. */
	o = 0;
	owner[o++] = 64;
	memset(owner + o, 'a', 64);
	o += 64;
	owner[o++] = 0;
	start(&a, ID, 0x8180, 1);
	record(&a, owner, o, 1, 30, addr2, 4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 -OCIBOOT_EMALFORMED);
}

/* More A records than kept. */
static void test_parse_address_cap(void **state)
{
	struct answer a;
	struct dns_answer out;
	struct error err;

	start(&a, ID, 0x8180, DNS_ADDRESSES_MAX + 3);
	for (int i = 0; i < DNS_ADDRESSES_MAX + 3; i++)
		record(&a, to_question, 2, 1, 30,
		       (uint8_t[]){ 10, 0, 0, (uint8_t)i }, 4);
	assert_int_equal(dns_answer_parse(a.buf, a.len, NAME, ID, &out, &err),
			 0);
	assert_int_equal(out.count, DNS_ADDRESSES_MAX);
	assert_int_equal(out.addresses[DNS_ADDRESSES_MAX - 1][3],
			 DNS_ADDRESSES_MAX - 1);
}

/* --- dns_resolve over fakes --- */

enum fake_kind { SILENT, SPOOF_THEN_ANSWER, NXDOMAIN, REFUSED_PORT };

struct fake_net {
	int64_t now;
	enum fake_kind kinds[DNS_SERVERS_MAX];
	unsigned queries[DNS_SERVERS_MAX];
	int open_fd;
	uint16_t last_id;
	int step;
	unsigned closed;
};

static int64_t net_now(void *ctx)
{
	return ((struct fake_net *)ctx)->now;
}

static uint32_t net_random(void *ctx)
{
	return 0x1234;
}

static int net_open(void *ctx, const uint8_t server[4], int *fd)
{
	struct fake_net *f = ctx;

	*fd = server[3];
	f->open_fd = *fd;
	return 0;
}

static int net_send(void *ctx, int fd, const void *buf, size_t len)
{
	struct fake_net *f = ctx;

	f->queries[fd]++;
	f->last_id = be16_load(buf);
	f->step = 0;
	return 0;
}

static ssize_t net_recv(void *ctx, int fd, void *buf, size_t size,
			int64_t deadline_ms)
{
	struct fake_net *f = ctx;
	struct answer a;

	switch (f->kinds[fd]) {
	case SILENT:
		f->now = deadline_ms;
		return -OCIBOOT_ETIMEOUT;
	case REFUSED_PORT:
		return -ECONNREFUSED;
	case NXDOMAIN:
		start(&a, f->last_id, 0x8183, 0);
		break;
	case SPOOF_THEN_ANSWER:
		if (f->step++ == 0) {
			start(&a, (uint16_t)(f->last_id + 1), 0x8180, 1);
			record(&a, to_question, 2, 1, 30, addr2, 4);
		} else {
			start(&a, f->last_id, 0x8180, 1);
			record(&a, to_question, 2, 1, 30, addr1, 4);
		}
		break;
	}
	memcpy(buf, a.buf, a.len);
	return (ssize_t)a.len;
}

static void net_close(void *ctx, int fd)
{
	((struct fake_net *)ctx)->closed++;
}

static const uint8_t servers[3][4] = {
	{ 10, 0, 0, 0 }, { 10, 0, 0, 1 }, { 10, 0, 0, 2 },
};

static void test_resolve(void **state)
{
	struct fake_net f = { .kinds = { SILENT, REFUSED_PORT,
					 SPOOF_THEN_ANSWER } };
	struct dns_io io = { &f, net_now, net_random, net_open, net_send,
			     net_recv, net_close };
	struct dns_answer out;
	struct error err;

	error_clear(&err);
	assert_int_equal(dns_resolve(&io, servers, 3, NAME, &out, 60000,
				     &err), 0);
	assert_int_equal(out.count, 1);
	assert_memory_equal(out.addresses[0], addr1, 4);	/* not addr2 */
	assert_int_equal(f.now, DNS_TRY_FIRST_MS);
	assert_int_equal(f.queries[0], 1);
	assert_int_equal(f.queries[1], 1);
	assert_int_equal(f.queries[2], 1);
	assert_int_equal(f.closed, 3);
}

static void test_resolve_nxdomain(void **state)
{
	struct fake_net f = { .kinds = { NXDOMAIN, SPOOF_THEN_ANSWER } };
	struct dns_io io = { &f, net_now, net_random, net_open, net_send,
			     net_recv, net_close };
	struct dns_answer out;
	struct error err;
	char line[ERROR_LINE_MAX];

	error_clear(&err);
	assert_int_equal(dns_resolve(&io, servers, 2, NAME, &out, 60000,
				     &err), -OCIBOOT_ENOTFOUND);
	assert_int_equal(f.queries[1], 0);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, "DNS server 10.0.0.0: " NAME ": DNS answer: "
			    "no such name (NXDOMAIN) (at byte 3): not found");
}

static void test_resolve_timeout(void **state)
{
	struct fake_net f = { .kinds = { SILENT, SILENT } };
	struct dns_io io = { &f, net_now, net_random, net_open, net_send,
			     net_recv, net_close };
	struct dns_answer out;
	struct error err;
	char line[ERROR_LINE_MAX];

	error_clear(&err);
	assert_int_equal(dns_resolve(&io, servers, 2, NAME, &out, 10000,
				     &err), -OCIBOOT_ETIMEOUT);
	/* 1 + 1, 2 + 2, then 4 s cut to the 2 s left. */
	assert_int_equal(f.queries[0], 3);
	assert_int_equal(f.queries[1], 2);
	assert_int_equal(f.now, 10000);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, NAME ": no DNS answer after 10000 ms (5 "
			    "queries to 2 servers): timed out");
	assert_int_equal(dns_resolve(&io, servers, 0, NAME, &out, 10000,
				     &err), -EINVAL);
}

/* Every server fails at once: the lookup ends, it does not spin. */
static void test_resolve_all_fail(void **state)
{
	struct fake_net f = { .kinds = { REFUSED_PORT, REFUSED_PORT } };
	struct dns_io io = { &f, net_now, net_random, net_open, net_send,
			     net_recv, net_close };
	struct dns_answer out;
	struct error err;
	char line[ERROR_LINE_MAX];

	error_clear(&err);
	assert_int_equal(dns_resolve(&io, servers, 2, NAME, &out, 10000,
				     &err), -ECONNREFUSED);
	assert_int_equal(f.queries[0], 1);
	assert_int_equal(f.queries[1], 1);
	assert_int_equal(f.now, 0);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, "DNS server 10.0.0.1: " NAME ": waiting for "
			    "the answer: Connection refused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_parse_simple),
		cmocka_unit_test(test_parse_cname),
		cmocka_unit_test(test_parse_cname_loop),
		cmocka_unit_test(test_parse_headers),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_name_caps),
		cmocka_unit_test(test_parse_address_cap),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_nxdomain),
		cmocka_unit_test(test_resolve_timeout),
		cmocka_unit_test(test_resolve_all_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
