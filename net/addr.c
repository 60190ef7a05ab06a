// SPDX-License-Identifier: MIT
/*
 * IPv4 addresses and routes over rtnetlink (see addr.h).
 */
#include "net/addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "lib/util.h"

_Static_assert(sizeof(struct ifaddrmsg) == 8, "ifaddrmsg is 8 bytes");
_Static_assert(sizeof(struct rtmsg) == 12, "rtmsg is 12 bytes");

#define ADDR_REQUEST_MAX 128

const char *addr_ipv4_str(const uint8_t a[4], char *buf)
{
	snprintf(buf, ADDR_IPV4_STR_MAX, "%u.%u.%u.%u", a[0], a[1], a[2],
		 a[3]);
	return buf;
}

bool addr_ipv4_is_unicast(const uint8_t a[4])
{
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

int addr_prefix_of_mask(const uint8_t mask[4])
{
	uint32_t m = (uint32_t)mask[0] << 24 | (uint32_t)mask[1] << 16 |
		     (uint32_t)mask[2] << 8 | mask[3];
	uint32_t inverted = ~m;

	/* Contiguous: the zeros after the ones form 2^k - 1. */
	if (inverted & (inverted + 1))
		return -1;
	return __builtin_popcount(m);
}

void addr_mask_of_prefix(unsigned prefix, uint8_t mask[4])
{
	uint32_t m = prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);

	mask[0] = (uint8_t)(m >> 24);
	mask[1] = (uint8_t)(m >> 16);
	mask[2] = (uint8_t)(m >> 8);
	mask[3] = (uint8_t)m;
}

static bool addr_same_subnet(const uint8_t a[4], const uint8_t b[4],
			     unsigned prefix)
{
	uint8_t mask[4];

	addr_mask_of_prefix(prefix, mask);
	for (int i = 0; i < 4; i++)
		if ((a[i] & mask[i]) != (b[i] & mask[i]))
			return false;
	return true;
}

int addr_add_ipv4(struct nl_socket *nl, const struct link_info *link,
		  const uint8_t address[4], unsigned prefix,
		  int64_t deadline_ms, struct error *err)
{
	NL_BUFFER(req, ADDR_REQUEST_MAX);
	NL_BUFFER(buf, NL_SOCKET_BUFFER_SIZE);
	struct nlmsghdr *nlh = nl_nlmsg_put_header(req);
	struct ifaddrmsg *ifa;
	char text[ADDR_IPV4_STR_MAX];
	bool fits;
	int r;

	if (prefix > 32)
		return error_set(err, -EINVAL, link->name, "prefix /%u",
				 prefix);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = nl_nlmsg_put_extra_header_check(nlh, sizeof(req), sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)link->ifindex;
	fits = nl_attr_put_check(nlh, sizeof(req), IFA_LOCAL, 4, address) &&
	       nl_attr_put_check(nlh, sizeof(req), IFA_ADDRESS, 4, address);
	if (prefix < 31) {
		uint8_t mask[4], broadcast[4];

		addr_mask_of_prefix(prefix, mask);
		for (int i = 0; i < 4; i++)
			broadcast[i] = (uint8_t)(address[i] | ~mask[i]);
		fits = fits && nl_attr_put_check(nlh, sizeof(req),
						 IFA_BROADCAST, 4, broadcast);
	}
	if (!fits)
		return error_set(err, -ENOSPC, link->name, "address request");
	r = nl_socket_talk(nl, nlh, buf, sizeof(buf), deadline_ms, NULL,
			   NULL);
	if (r < 0)
		return error_set(err, r, link->name,
				 "adding address %s/%u: %s",
				 addr_ipv4_str(address, text), prefix,
				 ociboot_strerror(r));
	return 0;
}

/* A route to dst/dst_prefix through gateway (NULL: on-link). */
static int addr_route(struct nl_socket *nl, const struct link_info *link,
		      const uint8_t dst[4], unsigned dst_prefix,
		      const uint8_t *gateway, int64_t deadline_ms)
{
	NL_BUFFER(req, ADDR_REQUEST_MAX);
	NL_BUFFER(buf, NL_SOCKET_BUFFER_SIZE);
	struct nlmsghdr *nlh = nl_nlmsg_put_header(req);
	struct rtmsg *rtm;
	bool fits;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = nl_nlmsg_put_extra_header_check(nlh, sizeof(req), sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)dst_prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_DHCP;
	rtm->rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	fits = nl_attr_put_u32_check(nlh, sizeof(req), RTA_TABLE,
				     RT_TABLE_MAIN) &&
	       nl_attr_put_u32_check(nlh, sizeof(req), RTA_OIF,
				     (uint32_t)link->ifindex);
	if (dst_prefix)
		fits = fits && nl_attr_put_check(nlh, sizeof(req), RTA_DST, 4,
						 dst);
	if (gateway)
		fits = fits && nl_attr_put_check(nlh, sizeof(req),
						 RTA_GATEWAY, 4, gateway);
	if (!fits)
		return -ENOSPC;
	return nl_socket_talk(nl, nlh, buf, sizeof(buf), deadline_ms, NULL,
			      NULL);
}

int addr_add_default_route(struct nl_socket *nl,
			   const struct link_info *link,
			   const uint8_t address[4], unsigned prefix,
			   const uint8_t gateway[4], int64_t deadline_ms,
			   struct error *err)
{
	static const uint8_t any[4];
	char text[ADDR_IPV4_STR_MAX];
	int r;

	if (!addr_same_subnet(address, gateway, prefix)) {
		r = addr_route(nl, link, gateway, 32, NULL, deadline_ms);
		if (r < 0)
			return error_set(err, r, link->name,
					 "adding a route to gateway %s: %s",
					 addr_ipv4_str(gateway, text),
					 ociboot_strerror(r));
	}
	r = addr_route(nl, link, any, 0, gateway, deadline_ms);
	if (r < 0)
		return error_set(err, r, link->name,
				 "adding the default route via %s: %s",
				 addr_ipv4_str(gateway, text),
				 ociboot_strerror(r));
	return 0;
}
