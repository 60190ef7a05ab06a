/* SPDX-License-Identifier: MIT */
/*
 * DNS A lookups over UDP (RFC 1035), for registry host names, through the
 * servers DHCP or ip= gave. The message code builds a query and parses
 * its answer from (buf, len); dns_resolve() sends queries through a
 * struct dns_io, so a test supplies its own sockets, clock and random
 * numbers.
 *
 * An answer is taken only when (RFC 1035 section 4.1): it is at most
 * DNS_MESSAGE_MAX bytes (no EDNS is offered, so a server may not send
 * more over UDP), its id is the query's, QR is set, the opcode is 0, TC
 * is clear (a truncated answer is refused: no TCP fallback), RCODE is 0
 * (3, NXDOMAIN, is "no such name"), the one question is ours (name
 * compared without case, type A, class IN). Answer records are looked at
 * up to DNS_RECORDS_MAX; a CNAME chain from the name is followed up to
 * DNS_CNAME_MAX links, in any order; A records (exactly 4 bytes of data,
 * class IN) owned by the end of the chain are kept, up to
 * DNS_ADDRESSES_MAX. Names are expanded with compression pointers
 * (section 4.1.4) that must point before the name that uses them, at
 * most DNS_POINTERS_MAX per name, 255 bytes a name, labels of 63 bytes;
 * the 0x40 and 0x80 label types are refused. Authority and additional
 * sections are not read.
 *
 * The name looked up is used as given (absolute; no search domains).
 * Nothing here allocates or logs.
 */
#ifndef OCIBOOT_NET_DNS_H
#define OCIBOOT_NET_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

#define DNS_PORT 53
#define DNS_HEADER_LEN 12
#define DNS_MESSAGE_MAX 512		/* UDP without EDNS, section 2.3.4 */
#define DNS_NAME_WIRE_MAX 255		/* section 2.3.4 */
#define DNS_LABEL_MAX 63
#define DNS_RECORDS_MAX 64		/* answer records looked at */
#define DNS_CNAME_MAX 8			/* links of a CNAME chain */
#define DNS_POINTERS_MAX 16		/* compression pointers in a name */
#define DNS_ADDRESSES_MAX 8		/* A records kept */
#define DNS_SERVERS_MAX 4
/* Per query, doubling each round over the servers, at most this. */
#define DNS_TRY_FIRST_MS 1000
#define DNS_TRY_MAX_MS 8000

/* Why an answer was refused (struct error's reason). */
enum dns_reason {
	DNS_R_OK,
	DNS_R_MALFORMED,	/* runs past its end, bad name, bad record */
	DNS_R_TOO_BIG,		/* over a cap */
	DNS_R_NOT_OURS,		/* another id, not an answer, other question */
	DNS_R_TRUNCATED,	/* TC set */
	DNS_R_NO_NAME,		/* NXDOMAIN */
	DNS_R_NO_ADDRESS,	/* the name has no A record */
	DNS_R_SERVER,		/* RCODE other than 0 and 3 */
	DNS_R_LOOP,		/* a compression loop or a CNAME chain over
				 * its cap */
};

struct dns_answer {
	size_t count;
	uint8_t addresses[DNS_ADDRESSES_MAX][4];
	uint32_t ttl_s;			/* the smallest TTL of those kept */
};

/*
 * The query for name's A records with id, recursion desired, into
 * buf[size]. name is a host name (net/ipconfig.h's rule; one trailing dot
 * allowed). Returns the length, -EINVAL for a name that is not one, or
 * -ENOSPC.
 */
int dns_query_build(const char *name, uint16_t id, void *buf, size_t size);

/*
 * Parse the answer buf[len] to the query for name with id. Returns 0 with
 * *answer set, or with err filled (what the name, reason an enum
 * dns_reason): -OCIBOOT_EMALFORMED / -OCIBOOT_ETOOBIG, -EAGAIN for a
 * message that is not the answer to this query (another id, question or
 * not an answer: keep waiting), -OCIBOOT_ENOTFOUND for no such name or no
 * A record,
 * -OCIBOOT_EPROTO for a server failure or a truncated answer.
 */
int dns_answer_parse(const void *buf, size_t len, const char *name,
		     uint16_t id, struct dns_answer *answer,
		     struct error *err);

struct dns_io {
	void *ctx;
	int64_t (*now_ms)(void *ctx);
	uint32_t (*random_u32)(void *ctx);
	/* A UDP socket connected to server:53. 0 or -errno. */
	int (*open)(void *ctx, const uint8_t server[4], int *fd);
	int (*send)(void *ctx, int fd, const void *buf, size_t len);
	/* One datagram, waiting until deadline_ms: its length (more than
	 * size when it was cut), -OCIBOOT_ETIMEOUT or -errno. */
	ssize_t (*recv)(void *ctx, int fd, void *buf, size_t size,
			int64_t deadline_ms);
	void (*close)(void *ctx, int fd);
};

/*
 * Look name up through servers[count] (1..DNS_SERVERS_MAX), each in turn,
 * DNS_TRY_FIRST_MS for the first round, doubling up to DNS_TRY_MAX_MS,
 * until an answer or deadline_ms. A message that is not the answer (a
 * spoof with another id or question) is dropped and the wait goes on.
 * A round in which every server failed at once (a failure RCODE, a port
 * nobody listens on) ends the lookup with the last failure rather than
 * asking again at once. Returns 0 with *answer, -OCIBOOT_ENOTFOUND when a
 * server
 * says there is no such name or address, -OCIBOOT_ETIMEOUT ("no DNS
 * answer after M ms (N queries to K servers)"), or another error, with
 * err filled (what the name, context the server).
 */
int dns_resolve(const struct dns_io *io, const uint8_t (*servers)[4],
		size_t count, const char *name, struct dns_answer *answer,
		int64_t deadline_ms, struct error *err);

#endif
