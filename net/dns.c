// SPDX-License-Identifier: MIT
/*
 * DNS A lookups (see dns.h).
 */
#include "net/dns.h"

#include <errno.h>
#include <string.h>

#include "lib/cursor.h"
#include "lib/endian.h"
#include "lib/util.h"
#include "net/addr.h"
#include "net/ipconfig.h"

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_CLASS_IN 1
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_OPCODE(f) (((f) >> 11) & 15)
#define DNS_RCODE(f) ((f) & 15)
#define DNS_RCODE_NXDOMAIN 3
#define DNS_POINTER 0xc0

/* A name in wire form, uncompressed, with its length. */
struct dns_name {
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t len;
};

/* name as wire labels; false when it is not a host name. */
static bool dns_name_encode(const char *name, struct dns_name *out)
{
	size_t len = strlen(name), o = 0, start = 0;

	if (!ipconfig_is_hostname(name, len))
		return false;
	if (name[len - 1] == '.')
		len--;
	if (len == 0)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '.')
			continue;
		out->wire[o++] = (uint8_t)(i - start);
		memcpy(out->wire + o, name + start, i - start);
		o += i - start;
		start = i + 1;
	}
	out->wire[o++] = 0;
	out->len = o;
	return true;
}

static uint8_t dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Equal wire names, ASCII case ignored (section 2.3.3). */
static bool dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (dns_lower(a->wire[i]) != dns_lower(b->wire[i]))
			return false;
	return true;
}

/*
 * Expand the name at msg[*pos] into out; *pos moves past it (past its
 * first pointer when compressed). Every pointer must point before the
 * run of labels it ends, so each jump goes further back and expansion
 * always ends; DNS_POINTERS_MAX and the 255-byte cap bound it further.
 * 0, -OCIBOOT_EMALFORMED or -OCIBOOT_ETOOBIG.
 */
static int dns_name_read(const uint8_t *msg, size_t len, size_t *pos,
			 struct dns_name *out)
{
	size_t p = *pos, o = 0, end = SIZE_MAX, run = *pos;
	unsigned pointers = 0;

	for (;;) {
		uint8_t l;

		if (p >= len)
			return -OCIBOOT_EMALFORMED;
		l = msg[p];
		if ((l & DNS_POINTER) == DNS_POINTER) {
			size_t target;

			if (p + 1 >= len)
				return -OCIBOOT_EMALFORMED;
			target = (size_t)(l & 0x3f) << 8 | msg[p + 1];
			if (end == SIZE_MAX)
				end = p + 2;
			/* Before the run of labels that led here: each
			 * jump goes back, so a loop cannot form. */
			if (target >= run || ++pointers > DNS_POINTERS_MAX)
				return -OCIBOOT_ETOOBIG;
			p = run = target;
			continue;
		}
		if (l & DNS_POINTER)
			return -OCIBOOT_EMALFORMED;	/* 0x40, 0x80 types */
		if (l > len - p - 1 || o + 1 + l > DNS_NAME_WIRE_MAX)
			return l > len - p - 1 ? -OCIBOOT_EMALFORMED
					       : -OCIBOOT_ETOOBIG;
		memcpy(out->wire + o, msg + p, 1 + (size_t)l);
		o += 1 + (size_t)l;
		p += 1 + (size_t)l;
		if (l == 0)
			break;
	}
	out->len = o;
	*pos = end == SIZE_MAX ? p : end;
	return 0;
}

int dns_query_build(const char *name, uint16_t id, void *buf, size_t size)
{
	struct dns_name qname;
	uint8_t *b = buf;
	size_t total;

	if (!dns_name_encode(name, &qname))
		return -EINVAL;
	total = DNS_HEADER_LEN + qname.len + 4;
	if (size < total)
		return -ENOSPC;
	memset(b, 0, DNS_HEADER_LEN);
	be16_store(b, id);
	be16_store(b + 2, DNS_FLAG_RD);
	be16_store(b + 4, 1);
	memcpy(b + DNS_HEADER_LEN, qname.wire, qname.len);
	be16_store(b + DNS_HEADER_LEN + qname.len, DNS_TYPE_A);
	be16_store(b + DNS_HEADER_LEN + qname.len + 2, DNS_CLASS_IN);
	return (int)total;
}

struct dns_record {
	struct dns_name owner;
	uint16_t type;
	uint16_t class;
	uint32_t ttl;
	size_t rdata;			/* offset of its data */
	uint16_t rdlength;
};

static int dns_record_read(const uint8_t *msg, size_t len, size_t *pos,
			   struct dns_record *rr)
{
	struct cursor c;
	int r = dns_name_read(msg, len, pos, &rr->owner);

	if (r < 0)
		return r;
	cursor_init(&c, msg + *pos, len - *pos);
	rr->type = cursor_be16(&c);
	rr->class = cursor_be16(&c);
	rr->ttl = cursor_be32(&c);
	rr->rdlength = cursor_be16(&c);
	if (!cursor_skip(&c, rr->rdlength))
		return -OCIBOOT_EMALFORMED;
	rr->rdata = *pos + 10;
	*pos += 10 + (size_t)rr->rdlength;
	return 0;
}

static int dns_refuse(struct error *err, int code, int reason,
		      const char *name, size_t offset, const char *why)
{
	error_set(err, code, name, "DNS answer: %s", why);
	error_reason(err, reason);
	if (offset != SIZE_MAX)
		error_at_offset(err, offset);
	return code;
}

/* Walk the answer records from first: follow CNAMEs, then take As. */
static int dns_answers(const uint8_t *msg, size_t len, size_t first,
		       unsigned count, const struct dns_name *qname,
		       const char *name, struct dns_answer *answer,
		       struct error *err)
{
	struct dns_name target = *qname;
	struct dns_record rr;
	unsigned links = 0;
	bool moved = true;
	size_t pos;
	int r;

	/* Each pass over the records follows at most one link. */
	while (moved) {
		moved = false;
		pos = first;
		for (unsigned i = 0; i < count; i++) {
			size_t at = pos, data;

			r = dns_record_read(msg, len, &pos, &rr);
			if (r < 0)
				return dns_refuse(err, r, DNS_R_MALFORMED, name,
						  at, "a bad answer record");
			if (rr.type != DNS_TYPE_CNAME ||
			    rr.class != DNS_CLASS_IN ||
			    !dns_name_equal(&rr.owner, &target))
				continue;
			if (++links > DNS_CNAME_MAX)
				return dns_refuse(err, -OCIBOOT_ETOOBIG,
						  DNS_R_LOOP, name, at,
						  "a CNAME chain over the cap");
			data = rr.rdata;
			r = dns_name_read(msg, len, &data, &target);
			if (r < 0 || data != rr.rdata + rr.rdlength)
				return dns_refuse(err, -OCIBOOT_EMALFORMED,
						  DNS_R_MALFORMED, name, at,
						  "a bad CNAME record");
			moved = true;
			break;
		}
	}

	memset(answer, 0, sizeof(*answer));
	answer->ttl_s = UINT32_MAX;
	pos = first;
	for (unsigned i = 0; i < count; i++) {
		r = dns_record_read(msg, len, &pos, &rr);
		if (r < 0)
			return dns_refuse(err, r, DNS_R_MALFORMED, name, pos,
					  "a bad answer record");
		if (rr.type != DNS_TYPE_A || rr.class != DNS_CLASS_IN ||
		    !dns_name_equal(&rr.owner, &target))
			continue;
		if (rr.rdlength != 4)
			return dns_refuse(err, -OCIBOOT_EMALFORMED,
					  DNS_R_MALFORMED, name, rr.rdata,
					  "an A record without 4 bytes");
		if (answer->count == DNS_ADDRESSES_MAX)
			continue;
		memcpy(answer->addresses[answer->count++], msg + rr.rdata, 4);
		if (rr.ttl < answer->ttl_s)
			answer->ttl_s = rr.ttl;
	}
	if (answer->count == 0)
		return dns_refuse(err, -OCIBOOT_ENOTFOUND, DNS_R_NO_ADDRESS,
				  name, SIZE_MAX, "the name has no IPv4 address");
	return 0;
}

int dns_answer_parse(const void *buf, size_t len, const char *name,
		     uint16_t id, struct dns_answer *answer,
		     struct error *err)
{
	const uint8_t *msg = buf;
	struct dns_name qname, got;
	struct dns_answer a;
	uint16_t flags, qdcount, ancount;
	size_t pos = DNS_HEADER_LEN;
	int r;

	if (!dns_name_encode(name, &qname))
		return error_set(err, -EINVAL, name, "not a host name");
	if (len > DNS_MESSAGE_MAX)
		return dns_refuse(err, -OCIBOOT_ETOOBIG, DNS_R_TOO_BIG, name,
				  SIZE_MAX, "over 512 bytes");
	if (len < DNS_HEADER_LEN)
		return dns_refuse(err, -OCIBOOT_EMALFORMED, DNS_R_MALFORMED,
				  name, SIZE_MAX, "shorter than its header");
	flags = be16_load(msg + 2);
	qdcount = be16_load(msg + 4);
	ancount = be16_load(msg + 6);
	if (be16_load(msg) != id || !(flags & DNS_FLAG_QR) ||
	    DNS_OPCODE(flags) != 0)
		return dns_refuse(err, -EAGAIN, DNS_R_NOT_OURS, name, 0,
				  "not the answer to our query (id, QR or "
				  "opcode)");
	if (qdcount != 1)
		return dns_refuse(err, -EAGAIN, DNS_R_NOT_OURS, name, 4,
				  "not one question");
	r = dns_name_read(msg, len, &pos, &got);
	if (r < 0)
		return dns_refuse(err, r, DNS_R_MALFORMED, name, pos,
				  "a bad question name");
	if (pos + 4 > len)
		return dns_refuse(err, -OCIBOOT_EMALFORMED, DNS_R_MALFORMED,
				  name, pos, "the question is cut short");
	if (!dns_name_equal(&got, &qname) ||
	    be16_load(msg + pos) != DNS_TYPE_A ||
	    be16_load(msg + pos + 2) != DNS_CLASS_IN)
		return dns_refuse(err, -EAGAIN, DNS_R_NOT_OURS, name,
				  DNS_HEADER_LEN, "another question");
	pos += 4;
	if (flags & DNS_FLAG_TC)
		return dns_refuse(err, -OCIBOOT_EPROTO, DNS_R_TRUNCATED, name,
				  2, "truncated (TC set; no TCP here)");
	if (DNS_RCODE(flags) == DNS_RCODE_NXDOMAIN)
		return dns_refuse(err, -OCIBOOT_ENOTFOUND, DNS_R_NO_NAME,
				  name, 3, "no such name (NXDOMAIN)");
	if (DNS_RCODE(flags) != 0) {
		error_set(err, -OCIBOOT_EPROTO, name,
			  "DNS answer: server failure (RCODE %u)",
			  DNS_RCODE(flags));
		return error_reason(err, DNS_R_SERVER);
	}
	if (ancount > DNS_RECORDS_MAX)
		return dns_refuse(err, -OCIBOOT_ETOOBIG, DNS_R_TOO_BIG, name,
				  6, "more answer records than the cap");
	r = dns_answers(msg, len, pos, ancount, &qname, name, &a, err);
	if (r < 0)
		return r;
	*answer = a;
	return 0;
}

/* One query to one server, waiting until until_ms for its answer. */
static int dns_ask(const struct dns_io *io, const uint8_t server[4],
		   const char *name, struct dns_answer *answer,
		   int64_t until_ms, struct error *err)
{
	uint8_t query[DNS_MESSAGE_MAX], reply[DNS_MESSAGE_MAX];
	uint16_t id = (uint16_t)io->random_u32(io->ctx);
	int fd, n, r;

	n = dns_query_build(name, id, query, sizeof(query));
	if (n < 0)
		return error_set(err, n, name, "not a host name to look up");
	r = io->open(io->ctx, server, &fd);
	if (r < 0)
		return error_set(err, r, name, "opening a UDP socket: %s",
				 ociboot_strerror(r));
	r = io->send(io->ctx, fd, query, (size_t)n);
	if (r < 0) {
		error_set(err, r, name, "sending the query: %s",
			  ociboot_strerror(r));
		goto out_close;
	}
	for (;;) {
		ssize_t got = io->recv(io->ctx, fd, reply, sizeof(reply),
				       until_ms);

		if (got < 0) {
			r = (int)got;
			error_set(err, r, name, "waiting for the answer: %s",
				  ociboot_strerror(r));
			break;
		}
		if ((size_t)got > sizeof(reply)) {
			r = dns_refuse(err, -OCIBOOT_ETOOBIG, DNS_R_TOO_BIG,
				       name, SIZE_MAX, "over 512 bytes");
			break;
		}
		r = dns_answer_parse(reply, (size_t)got, name, id, answer,
				     err);
		if (r != -EAGAIN)
			break;
	}
out_close:
	io->close(io->ctx, fd);
	return r;
}

int dns_resolve(const struct dns_io *io, const uint8_t (*servers)[4],
		size_t count, const char *name, struct dns_answer *answer,
		int64_t deadline_ms, struct error *err)
{
	int64_t start = io->now_ms(io->ctx);
	uint32_t try_ms = DNS_TRY_FIRST_MS;
	char text[ADDR_IPV4_STR_MAX];
	struct error last;
	unsigned asked = 0;

	if (count == 0 || count > DNS_SERVERS_MAX)
		return error_set(err, -EINVAL, name,
				 "%zu DNS servers (want 1 to %d)", count,
				 DNS_SERVERS_MAX);
	error_clear(&last);
	while (io->now_ms(io->ctx) < deadline_ms) {
		bool waited = false;

		for (size_t i = 0; i < count; i++) {
			int64_t now = io->now_ms(io->ctx);
			int64_t until = now + try_ms;
			int r;

			if (now >= deadline_ms)
				break;
			if (until > deadline_ms)
				until = deadline_ms;
			asked++;
			r = dns_ask(io, servers[i], name, answer, until,
				    &last);
			if (r == 0)
				return 0;
			/* "No such name" is an answer, not a failure to
			 * ask again. */
			if (r == -OCIBOOT_ENOTFOUND || r == -EINVAL) {
				*err = last;
				error_context(err, "DNS server %s",
					      addr_ipv4_str(servers[i], text));
				return r;
			}
			if (r == -OCIBOOT_ETIMEOUT)
				waited = true;
			else
				error_context(&last, "DNS server %s",
					      addr_ipv4_str(servers[i], text));
		}
		/* Every server said no at once (a failure RCODE, nothing
		 * listening): asking again now would only spin. */
		if (!waited && error_failed(&last)) {
			*err = last;
			return last.code;
		}
		if (try_ms < DNS_TRY_MAX_MS)
			try_ms *= 2;
	}
	if (error_failed(&last) && last.code != -OCIBOOT_ETIMEOUT) {
		char line[ERROR_LINE_MAX];

		error_format(&last, line, sizeof(line));
		return error_set(err, -OCIBOOT_ETIMEOUT, name,
				 "no usable DNS answer after %lld ms (%u "
				 "queries to %zu servers), the last: %s",
				 (long long)(io->now_ms(io->ctx) - start),
				 asked, count, line);
	}
	return error_set(err, -OCIBOOT_ETIMEOUT, name,
			 "no DNS answer after %lld ms (%u queries to %zu "
			 "servers)", (long long)(io->now_ms(io->ctx) - start),
			 asked, count);
}
