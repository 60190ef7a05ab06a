/* SPDX-License-Identifier: MIT */
/*
 * The DHCPv4 client (RFC 2131, options RFC 2132): its messages, built and
 * parsed from (buf, len), the IPv4/UDP datagram around them on a raw
 * packet socket, and the DISCOVER/OFFER/REQUEST/ACK state machine as an
 * engine that does no I/O (BearSSL's way): the caller feeds it the time
 * and the packets it receives, and sends what it returns. dhcp_run()
 * drives it over any struct dhcp_io, so a test can answer with packets of
 * its own and its own clock and random numbers.
 *
 * Parsing (RFC 2132 lengths, exactly): message type 53 (1 byte), subnet
 * mask 1 (4, contiguous), routers 3 and DNS servers 6 (a multiple of 4;
 * the first DHCP_ROUTERS_MAX / DHCP_DNS_MAX kept), host name 12 and
 * domain name 15 (1..255, trailing NULs dropped, then a DNS name), MTU 26
 * (2, 68 or more), lease 51, T1 58, T2 59 (4 each), server identifier 54
 * (4), overload 52 (1: options go on in file and/or sname), message 56
 * (text of a NAK, kept escaped), vendor-specific 43 (sub-options; see
 * below). An option given twice (RFC 3396 long options) is refused; an
 * option running past its area, a packet without the magic cookie, end
 * option or message type is refused. Unknown options are skipped.
 *
 * The oci= location (docs/network.md): the client sends vendor class
 * identifier (option 60) "ociboot"; a server answers with
 * vendor-specific information (option 43, RFC 2132 section 8.4) holding
 * sub-option 1, DHCP_VENDOR_OCI_LOCATION, whose 1..255 bytes are the
 * location as oci= takes it (printable ASCII; oci/oci_ref.h parses it).
 * dnsmasq: dhcp-option=vendor:ociboot,1,"http://host:5000/repo:tag".
 * Sub-option 2, DHCP_VENDOR_MIRRORS, next to it: registry mirrors,
 * 1..255 bytes of printable ASCII, URLs separated by single spaces
 * ("http://m1:5000 https://m2"), kept as text (init/netcmdline.h parses
 * them as ociboot.mirror= values). Either sub-option given twice, empty,
 * or with other bytes makes the whole option 43 another vendor's (neither
 * is kept); the lease itself is not refused for it.
 *
 * Nothing here allocates or logs; dhcp_run() does I/O only through io.
 */
#ifndef OCIBOOT_NET_DHCP_H
#define OCIBOOT_NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_MAGIC_COOKIE 0x63825363u
#define DHCP_FIXED_LEN 236		/* op .. file, before the cookie */
#define DHCP_OPTIONS_OFFSET 240		/* after the cookie */
#define DHCP_SEND_LEN 300		/* what we send: BOOTP's minimum */
/* The largest message we take: an Ethernet frame's IP payload. */
#define DHCP_MESSAGE_MAX 1472
#define DHCP_IP_UDP_LEN 28		/* IPv4 header (no options) + UDP */
#define DHCP_DATAGRAM_MAX (DHCP_MESSAGE_MAX + DHCP_IP_UDP_LEN)
#define DHCP_HWADDR_LEN 6

#define DHCP_ROUTERS_MAX 4
#define DHCP_DNS_MAX 4
#define DHCP_NAME_MAX 253		/* host and domain names */
#define DHCP_TEXT_MAX 255		/* an option's bytes */
#define DHCP_NAK_TEXT_MAX 64		/* option 56 bytes kept */
#define DHCP_MTU_MIN 68			/* RFC 2132 section 5.1 */

/* The vendor class we send and the sub-option of 43 carrying oci=. */
#define DHCP_VENDOR_CLASS "ociboot"
#define DHCP_VENDOR_OCI_LOCATION 1
#define DHCP_VENDOR_MIRRORS 2

/* Retransmission (RFC 2131 section 4.1): 4 s, doubling to 64 s, each
 * moved by a uniform random -1..+1 s. */
#define DHCP_BACKOFF_FIRST_MS 4000
#define DHCP_BACKOFF_MAX_MS 64000
#define DHCP_BACKOFF_JITTER_MS 1000
/* REQUESTs sent for one offer before starting over with DISCOVER. */
#define DHCP_REQUEST_TRIES 4
/* After a NAK, wait this long before the next DISCOVER. */
#define DHCP_NAK_DELAY_MS 1000

enum dhcp_message_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER,
	DHCP_REQUEST,
	DHCP_DECLINE,
	DHCP_ACK,
	DHCP_NAK,
	DHCP_RELEASE,
	DHCP_INFORM,
};

/* A parsed server message. Addresses in network order. */
struct dhcp_message {
	uint8_t op;
	uint8_t type;			/* enum dhcp_message_type */
	uint32_t xid;
	uint8_t chaddr[DHCP_HWADDR_LEN];
	uint8_t yiaddr[4];
	bool has_server_id;
	uint8_t server_id[4];
	bool has_subnet;
	unsigned prefix;		/* from the subnet mask */
	size_t router_count;
	uint8_t routers[DHCP_ROUTERS_MAX][4];
	size_t dns_count;
	uint8_t dns[DHCP_DNS_MAX][4];
	char hostname[DHCP_NAME_MAX + 1];	/* "" when none */
	char domain[DHCP_NAME_MAX + 1];		/* "" when none */
	uint16_t mtu;			/* 0 when none */
	bool has_lease;
	uint32_t lease_s;
	uint32_t t1_s;			/* 0 when none */
	uint32_t t2_s;			/* 0 when none */
	bool has_oci;
	char oci[DHCP_TEXT_MAX + 1];
	bool has_mirrors;
	char mirrors[DHCP_TEXT_MAX + 1];	/* space-separated URLs */
	char nak_text[DHCP_NAK_TEXT_MAX * 4 + 1];	/* escaped */
};

/* Why a message was refused (struct error's reason). */
enum dhcp_reason {
	DHCP_R_OK,
	DHCP_R_TRUNCATED,	/* shorter than its fixed part or an option */
	DHCP_R_NOT_REPLY,	/* op, htype, hlen or cookie wrong */
	DHCP_R_OPTION_LENGTH,	/* an option's length is not its own */
	DHCP_R_OPTION_VALUE,	/* a value outside its range */
	DHCP_R_DUPLICATE,	/* an option given twice */
	DHCP_R_NO_END,		/* options without the end option */
	DHCP_R_NO_TYPE,		/* no message type */
	DHCP_R_LEASE,		/* an offer or ack that cannot be used */
	DHCP_R_FRAME,		/* the IPv4/UDP datagram around it */
	DHCP_R_NOT_OURS,	/* another client's or another exchange's */
	DHCP_R_NAK,		/* the chosen server said no */
};

/*
 * Parse a server message (BOOTREPLY) from buf[len]. Returns 0 with *msg
 * set, or -OCIBOOT_EMALFORMED/-OCIBOOT_ETOOBIG with err filled (what
 * "DHCP message", why naming the option, offset where it was, reason an
 * enum dhcp_reason).
 */
int dhcp_parse(const void *buf, size_t len, struct dhcp_message *msg,
	       struct error *err);

/*
 * The meaning of an OFFER or ACK: a usable yiaddr (not 0, loopback,
 * multicast or broadcast), a server identifier, a subnet mask, a lease
 * time, and T1 < T2 < lease (the missing ones set to the RFC 2131
 * defaults 0.5 and 0.875 of the lease). Fills the defaults; 0 or
 * -OCIBOOT_EPROTO with err filled (reason DHCP_R_LEASE).
 */
int dhcp_check_lease(struct dhcp_message *msg, struct error *err);

/* What the client sends. */
struct dhcp_request {
	uint8_t type;			/* DHCP_DISCOVER or DHCP_REQUEST */
	uint32_t xid;
	uint16_t secs;
	uint8_t chaddr[DHCP_HWADDR_LEN];
	bool has_requested;		/* option 50 and 54 (REQUEST) */
	uint8_t requested[4];
	uint8_t server_id[4];
};

/*
 * Build the message into buf[size] (DHCP_SEND_LEN bytes or more): a
 * BOOTREQUEST with the magic cookie, type, client identifier 61 (type 1 +
 * the hardware address), parameter request list 55, maximum message size
 * 57, vendor class 60, then 50 and 54 when asked, end, zero padding to
 * DHCP_SEND_LEN. Returns the length or -ENOSPC.
 */
int dhcp_build(const struct dhcp_request *req, void *buf, size_t size);

/*
 * The IPv4 + UDP datagram from 0.0.0.0:68 to 255.255.255.255:67 around
 * message[len], with both checksums, into buf[size]. Returns its length
 * or -ENOSPC.
 */
int dhcp_frame_build(const void *message, size_t len, uint16_t ip_id,
		     void *buf, size_t size);

/*
 * The DHCP message inside an IPv4 datagram received on the packet socket:
 * version 4, a header length 20..60 within the packet, total length
 * within what was received (link padding after it is dropped), not a
 * fragment, the header checksum right, UDP from port 67 to 68 with its
 * length inside the IP payload and its checksum right when not 0.
 * Returns 0 with *message and *message_len pointing into buf, or
 * -OCIBOOT_EMALFORMED (-EAGAIN for a datagram that is simply not DHCP to
 * us: another protocol or port) with err filled.
 */
int dhcp_frame_parse(const void *buf, size_t len, const uint8_t **message,
		     size_t *message_len, struct error *err);

/* --- the client engine --- */

enum dhcp_state {
	DHCP_STATE_SELECTING,	/* DISCOVER sent, waiting for an OFFER */
	DHCP_STATE_REQUESTING,	/* REQUEST sent, waiting for the ACK */
	DHCP_STATE_BOUND,
};

/* The engine's random numbers: a uniform 32-bit value. */
typedef uint32_t (*dhcp_random_fn)(void *ctx);

struct dhcp_client {
	enum dhcp_state state;
	uint8_t hwaddr[DHCP_HWADDR_LEN];
	uint32_t xid;
	unsigned attempt;		/* sent in this state */
	int64_t started_ms;		/* for secs */
	int64_t next_send_ms;
	dhcp_random_fn random;
	void *random_ctx;
	struct dhcp_message offer;	/* REQUESTING, BOUND: the lease */
	unsigned sent;			/* messages sent in all */
	unsigned refused;		/* replies refused in all */
	struct error last_refusal;	/* why the last one was */
};

/*
 * Start: state SELECTING with a random xid, a DISCOVER due at now_ms.
 */
void dhcp_client_init(struct dhcp_client *c, const uint8_t hwaddr[6],
		      dhcp_random_fn random, void *random_ctx, int64_t now_ms);

/*
 * The delay before retransmission number attempt (1 for the first
 * retransmission): DHCP_BACKOFF_FIRST_MS << (attempt - 1), at most
 * DHCP_BACKOFF_MAX_MS, plus a uniform -1..+1 s from c's random.
 */
uint32_t dhcp_client_backoff_ms(struct dhcp_client *c, unsigned attempt);

/*
 * What to send at now_ms: builds the DISCOVER or REQUEST due into
 * buf[size] (DHCP_SEND_LEN or more) and returns its length, or 0 when
 * nothing is due; *wake_ms is when to call again. A REQUEST unanswered
 * DHCP_REQUEST_TRIES times starts over with a DISCOVER (a new xid).
 */
int dhcp_client_poll(struct dhcp_client *c, int64_t now_ms, void *buf,
		     size_t size, int64_t *wake_ms);

/*
 * A DHCP message received at now_ms. Returns 1 when it made the client
 * BOUND (c->offer is the lease), 0 when it moved the exchange on or was
 * ignored (another xid or hardware address, a server not chosen, a
 * message that does not parse or is unusable: counted in c->refused,
 * why in c->last_refusal). A NAK from the chosen server starts over.
 */
int dhcp_client_input(struct dhcp_client *c, int64_t now_ms,
		      const void *buf, size_t len);

/* --- driving it --- */

struct dhcp_io {
	void *ctx;
	int64_t (*now_ms)(void *ctx);
	/* Broadcast one IPv4 datagram on the interface. 0 or -errno. */
	int (*send)(void *ctx, const void *buf, size_t len);
	/* One received IPv4 datagram into buf, waiting until deadline_ms:
	 * its length, -OCIBOOT_ETIMEOUT, or -errno. */
	ssize_t (*recv)(void *ctx, void *buf, size_t size,
			int64_t deadline_ms);
};

/*
 * Run c until BOUND or deadline_ms. Returns 0 with c->offer the lease, or
 * -OCIBOOT_ETIMEOUT ("no answer after N ms: M messages sent", and
 * the last refusal when replies came that were refused) or -errno with
 * err filled; the caller puts the interface name before it.
 */
int dhcp_run(struct dhcp_client *c, const struct dhcp_io *io,
	     int64_t deadline_ms, struct error *err);

#endif
