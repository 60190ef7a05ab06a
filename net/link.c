// SPDX-License-Identifier: MIT
/*
 * Interfaces over rtnetlink (see link.h).
 */
#include "net/link.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_arp.h>
#include <linux/rtnetlink.h>

#include "lib/clock.h"
#include "lib/util.h"

_Static_assert(sizeof(struct ifinfomsg) == 16, "ifinfomsg is 16 bytes");

static int link_attr(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;
	const void *p = nl_attr_get_payload(attr);
	uint16_t len = nl_attr_get_payload_len(attr);

	switch (nl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (nl_attr_validate_strz(attr) < 0 ||
		    strnlen(p, len) >= IFNAMSIZ || strnlen(p, len) == 0)
			return -EBADMSG;
		memcpy(info->name, p, strnlen(p, len) + 1);
		break;
	case IFLA_ADDRESS:
		/* Only Ethernet's is kept; info->type is set already. */
		if (info->type != ARPHRD_ETHER)
			break;
		if (len != LINK_HWADDR_LEN)
			return -EBADMSG;
		memcpy(info->hwaddr, p, LINK_HWADDR_LEN);
		info->has_hwaddr = true;
		break;
	case IFLA_MTU:
		if (nl_attr_validate_len(attr, sizeof(uint32_t)) < 0)
			return -EBADMSG;
		memcpy(&info->mtu, p, sizeof(uint32_t));
		break;
	case IFLA_OPERSTATE:
		if (nl_attr_validate_len(attr, sizeof(uint8_t)) < 0)
			return -EBADMSG;
		info->operstate = *(const uint8_t *)p;
		break;
	case IFLA_CARRIER:
		if (nl_attr_validate_len(attr, sizeof(uint8_t)) < 0)
			return -EBADMSG;
		info->carrier = info->carrier || *(const uint8_t *)p;
		break;
	}
	return NL_CB_OK;
}

int link_parse(const struct nlmsghdr *nlh, struct link_info *info)
{
	const struct ifinfomsg *ifi;
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EBADMSG;
	ifi = nl_nlmsg_get_payload(nlh);
	memset(info, 0, sizeof(*info));
	if (ifi->ifi_index <= 0)
		return -EBADMSG;
	info->ifindex = ifi->ifi_index;
	info->flags = ifi->ifi_flags;
	info->type = ifi->ifi_type;
	info->operstate = IF_OPER_UNKNOWN;
	info->carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
	r = nl_attr_parse(nlh, sizeof(*ifi), link_attr, info);
	if (r < 0)
		return r;
	if (!info->name[0])
		return -EBADMSG;
	return 0;
}

/* "eth0", or "interface 3" when the name is not known. */
static const char *link_what(const struct link_info *link, char *buf,
			     size_t size)
{
	if (link->name[0])
		return link->name;
	snprintf(buf, size, "interface %d", link->ifindex);
	return buf;
}

struct link_list_state {
	struct link_info *links;
	size_t max;
	size_t count;
	int parse_error;
};

static int link_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list_state *s = data;
	struct link_info info;

	if (link_parse(nlh, &info) < 0) {
		s->parse_error = -EBADMSG;
		return -EBADMSG;
	}
	if (info.type != ARPHRD_ETHER || (info.flags & IFF_LOOPBACK) ||
	    !info.has_hwaddr)
		return NL_CB_OK;
	if (s->count < s->max)
		s->links[s->count++] = info;
	return NL_CB_OK;
}

/* A request of type with flags for the interface ifindex (0: all). */
static struct nlmsghdr *link_request(void *buf, size_t size, uint16_t type,
				     uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = nl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = nl_nlmsg_put_extra_header_check(nlh, size, sizeof(*ifi));
	/* Always fits: callers pass NL_SOCKET_BUFFER_SIZE. */
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int link_list(struct nl_socket *nl, struct link_info *links, size_t max,
	      size_t *count, int64_t deadline_ms, struct error *err)
{
	NL_BUFFER(req, 64);
	NL_BUFFER(buf, NL_SOCKET_BUFFER_SIZE);
	struct link_list_state s = { .links = links, .max = max };
	struct nlmsghdr *nlh;
	int r;

	/* A dump the kernel says was interrupted by a change is asked
	 * again, a few times. */
	for (int tries = 0; tries < LINK_DUMP_TRIES; tries++) {
		s.count = 0;
		nlh = link_request(req, sizeof(req), RTM_GETLINK, NLM_F_DUMP,
				   0);
		r = nl_socket_talk(nl, nlh, buf, sizeof(buf), deadline_ms,
				   link_list_cb, &s);
		if (r != -EINTR)
			break;
	}
	if (r < 0)
		return error_set(err, r, "network interfaces",
				 "listing them over rtnetlink: %s",
				 ociboot_strerror(r));
	*count = s.count;
	return 0;
}

struct link_get_state {
	struct link_info *info;
	bool found;
};

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_get_state *s = data;
	int r = link_parse(nlh, s->info);

	if (r < 0)
		return r;
	s->found = true;
	return NL_CB_OK;
}

int link_get(struct nl_socket *nl, int ifindex, struct link_info *info,
	     int64_t deadline_ms, struct error *err)
{
	NL_BUFFER(req, 64);
	NL_BUFFER(buf, NL_SOCKET_BUFFER_SIZE);
	struct link_info got;
	struct link_get_state s = { .info = &got };
	struct nlmsghdr *nlh;
	int r;

	nlh = link_request(req, sizeof(req), RTM_GETLINK, 0, ifindex);
	r = nl_socket_talk(nl, nlh, buf, sizeof(buf), deadline_ms,
			   link_get_cb, &s);
	if (r == 0 && (!s.found || got.ifindex != ifindex))
		r = -EPROTO;
	if (r < 0) {
		char what[32];

		return error_set(err, r, link_what(info, what, sizeof(what)),
				 "reading its state over rtnetlink: %s",
				 ociboot_strerror(r));
	}
	*info = got;
	return 0;
}

int link_set_up(struct nl_socket *nl, const struct link_info *link,
		int64_t deadline_ms, struct error *err)
{
	NL_BUFFER(req, 64);
	NL_BUFFER(buf, NL_SOCKET_BUFFER_SIZE);
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	char what[32];
	int r;

	nlh = link_request(req, sizeof(req), RTM_NEWLINK, 0, link->ifindex);
	ifi = nl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	r = nl_socket_talk(nl, nlh, buf, sizeof(buf), deadline_ms, NULL,
			   NULL);
	if (r < 0)
		return error_set(err, r, link_what(link, what, sizeof(what)),
				 "bringing it up: %s", ociboot_strerror(r));
	return 0;
}

int link_set_mtu(struct nl_socket *nl, const struct link_info *link,
		 uint32_t mtu, int64_t deadline_ms, struct error *err)
{
	NL_BUFFER(req, 64);
	NL_BUFFER(buf, NL_SOCKET_BUFFER_SIZE);
	struct nlmsghdr *nlh;
	char what[32];
	int r;

	nlh = link_request(req, sizeof(req), RTM_NEWLINK, 0, link->ifindex);
	if (!nl_attr_put_u32_check(nlh, sizeof(req), IFLA_MTU, mtu))
		return error_set(err, -ENOSPC, link->name, "MTU request");
	r = nl_socket_talk(nl, nlh, buf, sizeof(buf), deadline_ms, NULL,
			   NULL);
	if (r < 0)
		return error_set(err, r, link_what(link, what, sizeof(what)),
				 "setting its MTU to %u: %s", mtu,
				 ociboot_strerror(r));
	return 0;
}

int link_wait_carrier(struct nl_socket *nl, struct link_info *info,
		      int64_t deadline_ms, struct error *err)
{
	int64_t start = clock_now_ms();
	int r;

	for (;;) {
		r = link_get(nl, info->ifindex, info, deadline_ms, err);
		if (r < 0)
			return r;
		if (info->carrier)
			return 0;
		if (clock_deadline_passed(deadline_ms))
			return error_set(err, -OCIBOOT_ETIMEOUT, info->name,
					 "no carrier after %lld ms",
					 (long long)(clock_now_ms() - start));
		r = clock_sleep_ms(LINK_CARRIER_POLL_MS);
		if (r < 0)
			return error_set(err, r, info->name,
					 "waiting for carrier");
	}
}
