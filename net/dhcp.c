// SPDX-License-Identifier: MIT
/*
 * The DHCPv4 client: messages, datagrams and the engine (see dhcp.h).
 */
#include "net/dhcp.h"

#include <errno.h>
#include <string.h>

#include "lib/cursor.h"
#include "lib/endian.h"
#include "lib/util.h"
#include "net/addr.h"
#include "net/ipconfig.h"

/* Fixed-part offsets (RFC 2131 section 2, figure 1). */
#define DHCP_OFF_OP 0
#define DHCP_OFF_HTYPE 1
#define DHCP_OFF_HLEN 2
#define DHCP_OFF_XID 4
#define DHCP_OFF_SECS 8
#define DHCP_OFF_YIADDR 16
#define DHCP_OFF_CHADDR 28
#define DHCP_OFF_SNAME 44
#define DHCP_SNAME_LEN 64
#define DHCP_OFF_FILE 108
#define DHCP_FILE_LEN 128
#define DHCP_OFF_COOKIE 236

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define HTYPE_ETHERNET 1

enum {
	OPT_PAD = 0,
	OPT_SUBNET_MASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_HOSTNAME = 12,
	OPT_DOMAIN = 15,
	OPT_MTU = 26,
	OPT_VENDOR = 43,
	OPT_REQUESTED_IP = 50,
	OPT_LEASE = 51,
	OPT_OVERLOAD = 52,
	OPT_MESSAGE_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PARAMS = 55,
	OPT_MESSAGE = 56,
	OPT_MAX_SIZE = 57,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_VENDOR_CLASS = 60,
	OPT_CLIENT_ID = 61,
	OPT_END = 255,
};

#define OVERLOAD_FILE 1
#define OVERLOAD_SNAME 2

_Static_assert(DHCP_OFF_COOKIE == DHCP_FIXED_LEN, "fixed part");
_Static_assert(DHCP_OFF_FILE + DHCP_FILE_LEN == DHCP_FIXED_LEN, "file");
_Static_assert(DHCP_OFF_SNAME + DHCP_SNAME_LEN == DHCP_OFF_FILE, "sname");
_Static_assert(DHCP_DATAGRAM_MAX == 1500, "an Ethernet MTU");

/* --- parsing --------------------------------------------------------- */

struct dhcp_parse {
	struct dhcp_message *msg;
	uint8_t seen[32];		/* a bit per option code */
	uint8_t overload;
	struct error *err;
};

static int dhcp_refuse(struct error *err, int code, int reason,
		       size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int dhcp_refuse(struct error *err, int code, int reason,
		       size_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, code, "DHCP message", fmt, ap);
	va_end(ap);
	error_reason(err, reason);
	if (offset != SIZE_MAX)
		error_at_offset(err, offset);
	return code;
}

/* Keep name[len] (trailing NULs dropped) if it is a DNS name. */
static bool dhcp_name(const uint8_t *v, size_t len, char *out)
{
	while (len > 0 && v[len - 1] == '\0')
		len--;
	if (len > DHCP_NAME_MAX || !ipconfig_is_hostname((const char *)v, len))
		return false;
	memcpy(out, v, len);
	out[len] = '\0';
	return true;
}

/*
 * One text sub-option of ours into out (DHCP_TEXT_MAX + 1 bytes): not
 * seen before, 1..255 printable bytes; single spaces between words only
 * when spaces is set. False refuses the whole option 43.
 */
static bool dhcp_vendor_text(const uint8_t *p, size_t len, bool spaces,
			     bool *seen, char *out)
{
	if (*seen || len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool space_ok = spaces && p[i] == ' ' && i > 0 &&
				i + 1 < len && p[i - 1] != ' ';

		if ((p[i] <= ' ' && !space_ok) || p[i] >= 0x7f)
			return false;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	*seen = true;
	return true;
}

/*
 * Option 43 as ociboot's: sub-options, 1 the oci= location, 2 the
 * mirrors. False (and nothing kept) when it is not ours.
 */
static bool dhcp_vendor(const uint8_t *v, size_t len, struct dhcp_message *m)
{
	bool oci = false, mirrors = false;
	struct cursor c;

	cursor_init(&c, v, len);
	while (cursor_remaining(&c)) {
		uint8_t code = cursor_u8(&c), sublen;
		const uint8_t *p;
		bool ok = true;

		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			break;
		sublen = cursor_u8(&c);
		p = cursor_take(&c, sublen);
		if (!p)
			return false;
		if (code == DHCP_VENDOR_OCI_LOCATION)
			ok = dhcp_vendor_text(p, sublen, false, &oci, m->oci);
		else if (code == DHCP_VENDOR_MIRRORS)
			ok = dhcp_vendor_text(p, sublen, true, &mirrors,
					      m->mirrors);
		if (!ok)
			return false;
	}
	m->has_oci = oci;
	m->has_mirrors = mirrors;
	return true;
}

/* Printable copy of a NAK's text: \xHH for other bytes. */
static void dhcp_escape(const uint8_t *v, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	if (len > DHCP_NAK_TEXT_MAX)
		len = DHCP_NAK_TEXT_MAX;
	for (size_t i = 0; i < len; i++) {
		if (v[i] >= ' ' && v[i] < 0x7f && v[i] != '\\') {
			out[o++] = (char)v[i];
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = digits[v[i] >> 4];
		out[o++] = digits[v[i] & 15];
	}
	out[o] = '\0';
}

static void dhcp_addresses(const uint8_t *v, size_t len, uint8_t (*out)[4],
			   size_t max, size_t *count)
{
	size_t n = len / 4;

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		memcpy(out[i], v + 4 * i, 4);
	*count = n;
}

/* One option's meaning; at is its offset in the message. */
static int dhcp_option(struct dhcp_parse *s, uint8_t code, const uint8_t *v,
		       uint8_t len, size_t at, bool main_area)
{
	struct dhcp_message *m = s->msg;
	size_t want = 0;
	int p;

	switch (code) {
	case OPT_MESSAGE_TYPE:
	case OPT_OVERLOAD:
		want = 1;
		break;
	case OPT_MTU:
		want = 2;
		break;
	case OPT_SUBNET_MASK:
	case OPT_LEASE:
	case OPT_T1:
	case OPT_T2:
	case OPT_SERVER_ID:
		want = 4;
		break;
	case OPT_ROUTER:
	case OPT_DNS:
		if (len == 0 || len % 4)
			goto bad_length;
		break;
	case OPT_HOSTNAME:
	case OPT_DOMAIN:
	case OPT_MESSAGE:
	case OPT_VENDOR:
		if (len == 0)
			goto bad_length;
		break;
	default:
		return 0;	/* not ours to read */
	}
	if (want && len != want)
		goto bad_length;

	switch (code) {
	case OPT_MESSAGE_TYPE:
		if (v[0] < DHCP_DISCOVER || v[0] > DHCP_INFORM)
			goto bad_value;
		m->type = v[0];
		break;
	case OPT_OVERLOAD:
		if (!main_area || v[0] < 1 || v[0] > 3)
			goto bad_value;
		s->overload = v[0];
		break;
	case OPT_MTU:
		m->mtu = be16_load(v);
		if (m->mtu < DHCP_MTU_MIN)
			goto bad_value;
		break;
	case OPT_SUBNET_MASK:
		p = addr_prefix_of_mask(v);
		if (p < 1)
			goto bad_value;
		m->prefix = (unsigned)p;
		m->has_subnet = true;
		break;
	case OPT_LEASE:
		m->lease_s = be32_load(v);
		m->has_lease = true;
		break;
	case OPT_T1:
		m->t1_s = be32_load(v);
		break;
	case OPT_T2:
		m->t2_s = be32_load(v);
		break;
	case OPT_SERVER_ID:
		memcpy(m->server_id, v, 4);
		m->has_server_id = true;
		break;
	case OPT_ROUTER:
		dhcp_addresses(v, len, m->routers, DHCP_ROUTERS_MAX,
			       &m->router_count);
		break;
	case OPT_DNS:
		dhcp_addresses(v, len, m->dns, DHCP_DNS_MAX, &m->dns_count);
		break;
	case OPT_HOSTNAME:
		if (!dhcp_name(v, len, m->hostname))
			goto bad_value;
		break;
	case OPT_DOMAIN:
		if (!dhcp_name(v, len, m->domain))
			goto bad_value;
		break;
	case OPT_MESSAGE:
		dhcp_escape(v, len, m->nak_text);
		break;
	case OPT_VENDOR:
		/* Another vendor's encapsulation is not an error: it is
		 * simply not an oci= location. */
		if (!dhcp_vendor(v, len, m))
			m->has_oci = m->has_mirrors = false;
		break;
	}
	return 0;

bad_length:
	if (want)
		return dhcp_refuse(s->err, -OCIBOOT_EMALFORMED,
				   DHCP_R_OPTION_LENGTH, at,
				   "option %u has %u bytes, not %zu", code,
				   len, want);
	return dhcp_refuse(s->err, -OCIBOOT_EMALFORMED, DHCP_R_OPTION_LENGTH,
			   at, "option %u has %u bytes%s", code, len,
			   code == OPT_ROUTER || code == OPT_DNS ?
			   " (not a non-zero multiple of 4)" : "");
bad_value:
	return dhcp_refuse(s->err, -OCIBOOT_EMALFORMED, DHCP_R_OPTION_VALUE,
			   at, "option %u has an unusable value", code);
}

/* The options in area[len], which starts at offset base. */
static int dhcp_options(struct dhcp_parse *s, const uint8_t *area,
			size_t len, size_t base, bool main_area)
{
	struct cursor c;
	int r;

	cursor_init(&c, area, len);
	while (cursor_remaining(&c)) {
		size_t at = base + cursor_offset(&c);
		uint8_t code = cursor_u8(&c), olen;
		const uint8_t *v;

		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return 0;
		olen = cursor_u8(&c);
		v = cursor_take(&c, olen);
		if (!v)
			return dhcp_refuse(s->err, -OCIBOOT_EMALFORMED,
					   DHCP_R_TRUNCATED, at,
					   "option %u runs past the end of "
					   "its area", code);
		if (s->seen[code / 8] & (1u << (code % 8)))
			return dhcp_refuse(s->err, -OCIBOOT_EMALFORMED,
					   DHCP_R_DUPLICATE, at,
					   "option %u given twice", code);
		s->seen[code / 8] |= (uint8_t)(1u << (code % 8));
		r = dhcp_option(s, code, v, olen, at, main_area);
		if (r < 0)
			return r;
	}
	return dhcp_refuse(s->err, -OCIBOOT_EMALFORMED, DHCP_R_NO_END, base,
			   "options without an end option");
}

int dhcp_parse(const void *buf, size_t len, struct dhcp_message *msg,
	       struct error *err)
{
	const uint8_t *b = buf;
	struct dhcp_message m;
	struct dhcp_parse s = { .msg = &m, .err = err };
	int r;

	if (len < DHCP_OPTIONS_OFFSET)
		return dhcp_refuse(err, -OCIBOOT_EMALFORMED, DHCP_R_TRUNCATED,
				   SIZE_MAX, "%zu bytes, under the %d of its "
				   "fixed part", len, DHCP_OPTIONS_OFFSET);
	if (len > DHCP_MESSAGE_MAX)
		return dhcp_refuse(err, -OCIBOOT_ETOOBIG, DHCP_R_TRUNCATED,
				   SIZE_MAX, "%zu bytes, over the cap of %d",
				   len, DHCP_MESSAGE_MAX);
	if (b[DHCP_OFF_OP] != BOOTREPLY ||
	    b[DHCP_OFF_HTYPE] != HTYPE_ETHERNET ||
	    b[DHCP_OFF_HLEN] != DHCP_HWADDR_LEN)
		return dhcp_refuse(err, -OCIBOOT_EMALFORMED, DHCP_R_NOT_REPLY,
				   0, "not an Ethernet BOOTREPLY (op %u, htype "
				   "%u, hlen %u)", b[0], b[1], b[2]);
	if (be32_load(b + DHCP_OFF_COOKIE) != DHCP_MAGIC_COOKIE)
		return dhcp_refuse(err, -OCIBOOT_EMALFORMED, DHCP_R_NOT_REPLY,
				   DHCP_OFF_COOKIE, "no DHCP magic cookie");

	memset(&m, 0, sizeof(m));
	m.op = b[DHCP_OFF_OP];
	m.xid = be32_load(b + DHCP_OFF_XID);
	memcpy(m.chaddr, b + DHCP_OFF_CHADDR, DHCP_HWADDR_LEN);
	memcpy(m.yiaddr, b + DHCP_OFF_YIADDR, 4);

	r = dhcp_options(&s, b + DHCP_OPTIONS_OFFSET, len - DHCP_OPTIONS_OFFSET,
			 DHCP_OPTIONS_OFFSET, true);
	if (r == 0 && (s.overload & OVERLOAD_FILE))
		r = dhcp_options(&s, b + DHCP_OFF_FILE, DHCP_FILE_LEN,
				 DHCP_OFF_FILE, false);
	if (r == 0 && (s.overload & OVERLOAD_SNAME))
		r = dhcp_options(&s, b + DHCP_OFF_SNAME, DHCP_SNAME_LEN,
				 DHCP_OFF_SNAME, false);
	if (r < 0)
		return r;
	if (!m.type)
		return dhcp_refuse(err, -OCIBOOT_EMALFORMED, DHCP_R_NO_TYPE,
				   SIZE_MAX, "no message type (option 53)");
	*msg = m;
	return 0;
}

int dhcp_check_lease(struct dhcp_message *m, struct error *err)
{
	char text[ADDR_IPV4_STR_MAX];
	const char *why = NULL;

	if (!addr_ipv4_is_unicast(m->yiaddr))
		why = "its address is not a unicast address";
	else if (!m->has_server_id)
		why = "no server identifier (option 54)";
	else if (!m->has_subnet)
		why = "no subnet mask (option 1)";
	else if (!m->has_lease)
		why = "no lease time (option 51)";
	else if (m->lease_s < 2)
		why = "a lease under 2 seconds";
	if (why)
		return dhcp_refuse(err, -OCIBOOT_EPROTO, DHCP_R_LEASE,
				   SIZE_MAX, "offer of %s: %s",
				   addr_ipv4_str(m->yiaddr, text), why);
	if (m->lease_s == UINT32_MAX) {
		/* Infinite (RFC 2131 section 3.3): no renewal. */
		m->t1_s = m->t2_s = UINT32_MAX;
		return 0;
	}
	if (!m->t1_s)
		m->t1_s = m->lease_s / 2;
	if (!m->t2_s)
		m->t2_s = (uint32_t)((uint64_t)m->lease_s * 7 / 8);
	if (!(m->t1_s < m->t2_s && m->t2_s < m->lease_s))
		return dhcp_refuse(err, -OCIBOOT_EPROTO, DHCP_R_LEASE,
				   SIZE_MAX, "offer of %s: T1 %u, T2 %u and "
				   "lease %u s are not in increasing order",
				   addr_ipv4_str(m->yiaddr, text), m->t1_s,
				   m->t2_s, m->lease_s);
	return 0;
}

/* --- building ---------------------------------------------------------- */

static const uint8_t dhcp_params[] = {
	OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS, OPT_HOSTNAME, OPT_DOMAIN,
	OPT_MTU, OPT_LEASE, OPT_SERVER_ID, OPT_T1, OPT_T2, OPT_VENDOR,
};

static uint8_t *dhcp_put(uint8_t *p, uint8_t code, uint8_t len,
			 const void *v)
{
	*p++ = code;
	*p++ = len;
	memcpy(p, v, len);
	return p + len;
}

int dhcp_build(const struct dhcp_request *req, void *buf, size_t size)
{
	uint8_t *b = buf, *p;
	uint8_t client_id[1 + DHCP_HWADDR_LEN], max_size[2];

	if (size < DHCP_SEND_LEN)
		return -ENOSPC;
	memset(b, 0, DHCP_SEND_LEN);
	b[DHCP_OFF_OP] = BOOTREQUEST;
	b[DHCP_OFF_HTYPE] = HTYPE_ETHERNET;
	b[DHCP_OFF_HLEN] = DHCP_HWADDR_LEN;
	be32_store(b + DHCP_OFF_XID, req->xid);
	be16_store(b + DHCP_OFF_SECS, req->secs);
	memcpy(b + DHCP_OFF_CHADDR, req->chaddr, DHCP_HWADDR_LEN);
	be32_store(b + DHCP_OFF_COOKIE, DHCP_MAGIC_COOKIE);

	p = b + DHCP_OPTIONS_OFFSET;
	p = dhcp_put(p, OPT_MESSAGE_TYPE, 1, &req->type);
	client_id[0] = HTYPE_ETHERNET;
	memcpy(client_id + 1, req->chaddr, DHCP_HWADDR_LEN);
	p = dhcp_put(p, OPT_CLIENT_ID, sizeof(client_id), client_id);
	p = dhcp_put(p, OPT_PARAMS, sizeof(dhcp_params), dhcp_params);
	be16_store(max_size, DHCP_DATAGRAM_MAX);
	p = dhcp_put(p, OPT_MAX_SIZE, sizeof(max_size), max_size);
	p = dhcp_put(p, OPT_VENDOR_CLASS, sizeof(DHCP_VENDOR_CLASS) - 1,
		     DHCP_VENDOR_CLASS);
	if (req->has_requested) {
		p = dhcp_put(p, OPT_REQUESTED_IP, 4, req->requested);
		p = dhcp_put(p, OPT_SERVER_ID, 4, req->server_id);
	}
	*p++ = OPT_END;
	/* 240 + 3 + 9 + 13 + 4 + 9 + 12 + 1 = 291 bytes at most. */
	return DHCP_SEND_LEN;
}

/* --- the IPv4/UDP datagram -------------------------------------------- */

#define IP_HEADER_LEN 20
#define UDP_HEADER_LEN 8
#define IPPROTO_UDP_NUMBER 17
#define IP_TTL_DEFAULT 64
#define IP_FLAG_MF 0x2000
#define IP_FRAG_OFFSET 0x1fff

/* The 16-bit one's-complement sum of buf[len], added to sum. */
static uint32_t dhcp_sum(uint32_t sum, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += be16_load(buf + i);
	if (len & 1)
		sum += (uint32_t)buf[len - 1] << 8;
	return sum;
}

static uint16_t dhcp_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* UDP's checksum over the pseudo header and udp[len]. */
static uint16_t dhcp_udp_sum(const uint8_t *src, const uint8_t *dst,
			     const uint8_t *udp, size_t len)
{
	uint32_t sum = dhcp_sum(0, src, 4);

	sum = dhcp_sum(sum, dst, 4);
	sum += IPPROTO_UDP_NUMBER + (uint32_t)len;
	return dhcp_fold(dhcp_sum(sum, udp, len));
}

int dhcp_frame_build(const void *message, size_t len, uint16_t ip_id,
		     void *buf, size_t size)
{
	static const uint8_t src[4], dst[4] = { 255, 255, 255, 255 };
	uint8_t *ip = buf, *udp = ip + IP_HEADER_LEN;
	size_t total = IP_HEADER_LEN + UDP_HEADER_LEN + len;
	uint16_t sum;

	if (len > DHCP_MESSAGE_MAX || size < total)
		return -ENOSPC;
	memset(ip, 0, IP_HEADER_LEN + UDP_HEADER_LEN);
	ip[0] = 0x45;
	be16_store(ip + 2, (uint16_t)total);
	be16_store(ip + 4, ip_id);
	ip[8] = IP_TTL_DEFAULT;
	ip[9] = IPPROTO_UDP_NUMBER;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	be16_store(ip + 10, dhcp_fold(dhcp_sum(0, ip, IP_HEADER_LEN)));
	be16_store(udp, DHCP_CLIENT_PORT);
	be16_store(udp + 2, DHCP_SERVER_PORT);
	be16_store(udp + 4, (uint16_t)(UDP_HEADER_LEN + len));
	memcpy(udp + UDP_HEADER_LEN, message, len);
	sum = dhcp_udp_sum(src, dst, udp, UDP_HEADER_LEN + len);
	be16_store(udp + 6, sum ? sum : 0xffff);
	return (int)total;
}

static int dhcp_frame_refuse(struct error *err, int code, const char *why)
{
	error_set(err, code, "DHCP datagram", "%s", why);
	error_reason(err, DHCP_R_FRAME);
	return code;
}

int dhcp_frame_parse(const void *buf, size_t len, const uint8_t **message,
		     size_t *message_len, struct error *err)
{
	const uint8_t *ip = buf, *udp;
	size_t header, total, udp_len;

	if (len < IP_HEADER_LEN || ip[0] >> 4 != 4)
		return dhcp_frame_refuse(err, -OCIBOOT_EMALFORMED,
					 "not an IPv4 packet");
	header = (size_t)(ip[0] & 15) * 4;
	total = be16_load(ip + 2);
	if (header < IP_HEADER_LEN || header > len || total < header ||
	    total > len)
		return dhcp_frame_refuse(err, -OCIBOOT_EMALFORMED,
					 "IPv4 lengths do not fit the packet");
	if (dhcp_fold(dhcp_sum(0, ip, header)) != 0)
		return dhcp_frame_refuse(err, -OCIBOOT_EMALFORMED,
					 "IPv4 header checksum is wrong");
	if (ip[9] != IPPROTO_UDP_NUMBER)
		return dhcp_frame_refuse(err, -EAGAIN, "not UDP");
	if (be16_load(ip + 6) & (IP_FLAG_MF | IP_FRAG_OFFSET))
		return dhcp_frame_refuse(err, -OCIBOOT_EMALFORMED,
					 "a fragment");
	udp = ip + header;
	if (total - header < UDP_HEADER_LEN)
		return dhcp_frame_refuse(err, -OCIBOOT_EMALFORMED,
					 "UDP header truncated");
	if (be16_load(udp) != DHCP_SERVER_PORT ||
	    be16_load(udp + 2) != DHCP_CLIENT_PORT)
		return dhcp_frame_refuse(err, -EAGAIN,
					 "not from port 67 to port 68");
	udp_len = be16_load(udp + 4);
	if (udp_len < UDP_HEADER_LEN || udp_len > total - header)
		return dhcp_frame_refuse(err, -OCIBOOT_EMALFORMED,
					 "UDP length does not fit the packet");
	if (be16_load(udp + 6) != 0 &&
	    dhcp_udp_sum(ip + 12, ip + 16, udp, udp_len) != 0)
		return dhcp_frame_refuse(err, -OCIBOOT_EMALFORMED,
					 "UDP checksum is wrong");
	*message = udp + UDP_HEADER_LEN;
	*message_len = udp_len - UDP_HEADER_LEN;
	return 0;
}

/* --- the engine ---------------------------------------------------------- */

static void dhcp_client_restart(struct dhcp_client *c, int64_t send_ms)
{
	c->state = DHCP_STATE_SELECTING;
	c->xid = c->random(c->random_ctx);
	c->attempt = 0;
	c->next_send_ms = send_ms;
	memset(&c->offer, 0, sizeof(c->offer));
}

void dhcp_client_init(struct dhcp_client *c, const uint8_t hwaddr[6],
		      dhcp_random_fn random, void *random_ctx, int64_t now_ms)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->hwaddr, hwaddr, DHCP_HWADDR_LEN);
	c->random = random;
	c->random_ctx = random_ctx;
	c->started_ms = now_ms;
	error_clear(&c->last_refusal);
	dhcp_client_restart(c, now_ms);
}

uint32_t dhcp_client_backoff_ms(struct dhcp_client *c, unsigned attempt)
{
	unsigned shift = attempt > 0 ? attempt - 1 : 0;
	uint32_t base = DHCP_BACKOFF_MAX_MS;
	int32_t jitter;

	if (shift < 5 && (DHCP_BACKOFF_FIRST_MS << shift) < DHCP_BACKOFF_MAX_MS)
		base = (uint32_t)DHCP_BACKOFF_FIRST_MS << shift;
	jitter = (int32_t)(c->random(c->random_ctx) %
			   (2 * DHCP_BACKOFF_JITTER_MS + 1)) -
		 DHCP_BACKOFF_JITTER_MS;
	return (uint32_t)((int32_t)base + jitter);
}

int dhcp_client_poll(struct dhcp_client *c, int64_t now_ms, void *buf,
		     size_t size, int64_t *wake_ms)
{
	struct dhcp_request req;
	int64_t secs;
	int n;

	if (c->state == DHCP_STATE_BOUND) {
		*wake_ms = INT64_MAX;
		return 0;
	}
	if (now_ms < c->next_send_ms) {
		*wake_ms = c->next_send_ms;
		return 0;
	}
	if (c->state == DHCP_STATE_REQUESTING &&
	    c->attempt >= DHCP_REQUEST_TRIES)
		dhcp_client_restart(c, now_ms);

	memset(&req, 0, sizeof(req));
	secs = (now_ms - c->started_ms) / 1000;
	req.secs = secs > UINT16_MAX ? UINT16_MAX : (uint16_t)secs;
	req.xid = c->xid;
	memcpy(req.chaddr, c->hwaddr, DHCP_HWADDR_LEN);
	req.type = DHCP_DISCOVER;
	if (c->state == DHCP_STATE_REQUESTING) {
		req.type = DHCP_REQUEST;
		req.has_requested = true;
		memcpy(req.requested, c->offer.yiaddr, 4);
		memcpy(req.server_id, c->offer.server_id, 4);
	}
	n = dhcp_build(&req, buf, size);
	if (n < 0)
		return n;
	c->attempt++;
	c->sent++;
	c->next_send_ms = now_ms + dhcp_client_backoff_ms(c, c->attempt);
	*wake_ms = c->next_send_ms;
	return n;
}

/* A reply for this exchange that could not be used. */
static int dhcp_client_refused(struct dhcp_client *c, const struct error *e)
{
	c->refused++;
	c->last_refusal = *e;
	return 0;
}

int dhcp_client_input(struct dhcp_client *c, int64_t now_ms,
		      const void *buf, size_t len)
{
	char text[ADDR_IPV4_STR_MAX];
	struct dhcp_message m;
	struct error e;

	error_clear(&e);
	if (c->state == DHCP_STATE_BOUND)
		return 0;
	if (dhcp_parse(buf, len, &m, &e) < 0)
		return dhcp_client_refused(c, &e);
	/* Another client's, or an exchange we gave up: not a refusal. */
	if (m.xid != c->xid || memcmp(m.chaddr, c->hwaddr, DHCP_HWADDR_LEN))
		return 0;

	if (c->state == DHCP_STATE_SELECTING) {
		if (m.type != DHCP_OFFER)
			return 0;
		if (dhcp_check_lease(&m, &e) < 0)
			return dhcp_client_refused(c, &e);
		c->offer = m;
		c->state = DHCP_STATE_REQUESTING;
		c->attempt = 0;
		c->next_send_ms = now_ms;
		return 0;
	}

	/* REQUESTING: only the chosen server speaks now. */
	if (!m.has_server_id ||
	    memcmp(m.server_id, c->offer.server_id, 4) != 0)
		return 0;
	if (m.type == DHCP_NAK) {
		error_set(&e, -OCIBOOT_EPROTO, "DHCP server",
			  "%s refused the request for %s (NAK%s%s)",
			  addr_ipv4_str(m.server_id, text),
			  addr_ipv4_str(c->offer.yiaddr, (char[16]){ 0 }),
			  m.nak_text[0] ? ": " : "", m.nak_text);
		error_reason(&e, DHCP_R_NAK);
		dhcp_client_refused(c, &e);
		dhcp_client_restart(c, now_ms + DHCP_NAK_DELAY_MS);
		return 0;
	}
	if (m.type != DHCP_ACK)
		return 0;
	if (dhcp_check_lease(&m, &e) < 0)
		return dhcp_client_refused(c, &e);
	if (memcmp(m.yiaddr, c->offer.yiaddr, 4) != 0) {
		error_set(&e, -OCIBOOT_EPROTO, "DHCP server",
			  "%s acknowledged another address than it offered",
			  addr_ipv4_str(m.server_id, text));
		error_reason(&e, DHCP_R_LEASE);
		return dhcp_client_refused(c, &e);
	}
	c->offer = m;
	c->state = DHCP_STATE_BOUND;
	return 1;
}

int dhcp_run(struct dhcp_client *c, const struct dhcp_io *io,
	     int64_t deadline_ms, struct error *err)
{
	uint8_t message[DHCP_SEND_LEN];
	uint8_t datagram[DHCP_DATAGRAM_MAX];
	int64_t start = io->now_ms(io->ctx);
	uint16_t ip_id = (uint16_t)c->random(c->random_ctx);

	for (;;) {
		int64_t now = io->now_ms(io->ctx), wake;
		const uint8_t *payload;
		size_t payload_len;
		struct error e;
		ssize_t n;
		int r;

		if (now >= deadline_ms)
			break;
		r = dhcp_client_poll(c, now, message, sizeof(message), &wake);
		if (r < 0)
			return error_set(err, r, "DHCP", "building a message");
		if (r > 0) {
			int len = dhcp_frame_build(message, (size_t)r, ip_id++,
						   datagram, sizeof(datagram));

			if (len < 0)
				return error_set(err, len, "DHCP",
						 "building a datagram");
			r = io->send(io->ctx, datagram, (size_t)len);
			if (r < 0)
				return error_set(err, r, "DHCP",
						 "sending a %s: %s",
						 c->state ==
						 DHCP_STATE_SELECTING ?
						 "DISCOVER" : "REQUEST",
						 ociboot_strerror(r));
		}
		n = io->recv(io->ctx, datagram, sizeof(datagram),
			     wake < deadline_ms ? wake : deadline_ms);
		if (n == -OCIBOOT_ETIMEOUT)
			continue;
		if (n < 0)
			return error_set(err, (int)n, "DHCP", "receiving: %s",
					 ociboot_strerror((int)n));
		error_clear(&e);
		r = dhcp_frame_parse(datagram, (size_t)n, &payload,
				     &payload_len, &e);
		if (r == -EAGAIN)
			continue;
		if (r < 0) {
			dhcp_client_refused(c, &e);
			continue;
		}
		if (dhcp_client_input(c, io->now_ms(io->ctx), payload,
				      payload_len) == 1)
			return 0;
	}
	if (c->refused) {
		char last[ERROR_LINE_MAX];

		error_format(&c->last_refusal, last, sizeof(last));
		return error_set(err, -OCIBOOT_ETIMEOUT, "DHCP",
				 "no lease after %lld ms: %u message%s sent, "
				 "%u repl%s refused, the last: %s",
				 (long long)(io->now_ms(io->ctx) - start),
				 c->sent, c->sent == 1 ? "" : "s", c->refused,
				 c->refused == 1 ? "y" : "ies", last);
	}
	return error_set(err, -OCIBOOT_ETIMEOUT, "DHCP",
			 "no answer after %lld ms: %u message%s sent",
			 (long long)(io->now_ms(io->ctx) - start), c->sent,
			 c->sent == 1 ? "" : "s");
}
