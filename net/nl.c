// SPDX-License-Identifier: MIT
/*
 * Netlink messages, attributes and the socket, in libmnl's shape (see nl.h).
 */
#include "net/nl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/util.h"

_Static_assert(sizeof(struct nlmsghdr) == 16, "nlmsghdr is 16 bytes");
_Static_assert(sizeof(struct nlattr) == 4, "nlattr is 4 bytes");
_Static_assert(sizeof(struct nlmsgerr) == 20, "nlmsgerr is 20 bytes");

struct nlmsghdr *nl_nlmsg_put_header(void *buf)
{
	struct nlmsghdr *nlh = buf;

	memset(nlh, 0, NLMSG_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	return nlh;
}

void *nl_nlmsg_put_extra_header_check(struct nlmsghdr *nlh, size_t buflen,
				      size_t size)
{
	size_t len = NLMSG_ALIGN(size);
	char *p;

	if (size > buflen || nlh->nlmsg_len > buflen - len)
		return NULL;
	p = (char *)nlh + nlh->nlmsg_len;
	memset(p, 0, len);
	nlh->nlmsg_len += (uint32_t)len;
	return p;
}

void *nl_nlmsg_get_payload(const struct nlmsghdr *nlh)
{
	return (char *)nlh + NLMSG_HDRLEN;
}

void *nl_nlmsg_get_payload_offset(const struct nlmsghdr *nlh, size_t offset)
{
	return (char *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(offset);
}

size_t nl_nlmsg_get_payload_len(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len - NLMSG_HDRLEN;
}

bool nl_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(struct nlmsghdr) &&
	       nlh->nlmsg_len >= sizeof(struct nlmsghdr) &&
	       nlh->nlmsg_len <= (uint32_t)len;
}

struct nlmsghdr *nl_nlmsg_next(const struct nlmsghdr *nlh, int *len)
{
	uint32_t step = NLMSG_ALIGN(nlh->nlmsg_len);

	/* The padding of the last message may be missing. */
	if (step > (uint32_t)*len)
		step = (uint32_t)*len;
	*len -= (int)step;
	return (struct nlmsghdr *)((char *)nlh + step);
}

bool nl_attr_put_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
		       size_t len, const void *data)
{
	struct nlattr *attr;
	size_t total;

	if (len > UINT16_MAX - NL_ATTR_HDRLEN)
		return false;
	total = NLA_ALIGN(NL_ATTR_HDRLEN + len);
	if (nlh->nlmsg_len > buflen || total > buflen - nlh->nlmsg_len)
		return false;
	attr = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);
	attr->nla_type = type;
	attr->nla_len = (uint16_t)(NL_ATTR_HDRLEN + len);
	if (len)
		memcpy((char *)attr + NL_ATTR_HDRLEN, data, len);
	memset((char *)attr + NL_ATTR_HDRLEN + len, 0,
	       total - NL_ATTR_HDRLEN - len);
	nlh->nlmsg_len += (uint32_t)total;
	return true;
}

bool nl_attr_put_u8_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
			  uint8_t value)
{
	return nl_attr_put_check(nlh, buflen, type, sizeof(value), &value);
}

bool nl_attr_put_u32_check(struct nlmsghdr *nlh, size_t buflen,
			   uint16_t type, uint32_t value)
{
	return nl_attr_put_check(nlh, buflen, type, sizeof(value), &value);
}

bool nl_attr_put_strz_check(struct nlmsghdr *nlh, size_t buflen,
			    uint16_t type, const char *s)
{
	return nl_attr_put_check(nlh, buflen, type, strlen(s) + 1, s);
}

uint16_t nl_attr_get_type(const struct nlattr *attr)
{
	return attr->nla_type & NL_ATTR_TYPE_MASK;
}

uint16_t nl_attr_get_payload_len(const struct nlattr *attr)
{
	return (uint16_t)(attr->nla_len - NL_ATTR_HDRLEN);
}

const void *nl_attr_get_payload(const struct nlattr *attr)
{
	return (const char *)attr + NL_ATTR_HDRLEN;
}

bool nl_attr_ok(const struct nlattr *attr, int len)
{
	return len >= (int)sizeof(struct nlattr) &&
	       attr->nla_len >= sizeof(struct nlattr) &&
	       attr->nla_len <= len;
}

int nl_attr_parse_payload(const void *payload, size_t len, nl_attr_cb_t cb,
			  void *data)
{
	const struct nlattr *attr = payload;
	int left, r;

	if (len > INT32_MAX)
		return -EBADMSG;
	left = (int)len;
	while (left > 0) {
		uint16_t step;

		if (!nl_attr_ok(attr, left))
			return -EBADMSG;
		/* NL_ATTR_HDRLEN is 4: an attribute's header is enough. */
		if (attr->nla_len < NL_ATTR_HDRLEN)
			return -EBADMSG;
		r = cb(attr, data);
		if (r != NL_CB_OK)
			return r;
		step = (uint16_t)NLA_ALIGN(attr->nla_len);
		if (step > left)
			step = (uint16_t)left;
		left -= step;
		attr = (const struct nlattr *)((const char *)attr + step);
	}
	return NL_CB_OK;
}

int nl_attr_parse(const struct nlmsghdr *nlh, size_t offset, nl_attr_cb_t cb,
		  void *data)
{
	size_t payload = nl_nlmsg_get_payload_len(nlh);
	size_t skip = NLMSG_ALIGN(offset);

	if (skip > payload)
		return -EBADMSG;
	return nl_attr_parse_payload(nl_nlmsg_get_payload_offset(nlh, offset),
				     payload - skip, cb, data);
}

int nl_attr_validate_len(const struct nlattr *attr, size_t len)
{
	return nl_attr_get_payload_len(attr) == len ? 0 : -EBADMSG;
}

int nl_attr_validate_strz(const struct nlattr *attr)
{
	uint16_t len = nl_attr_get_payload_len(attr);
	const char *s = nl_attr_get_payload(attr);

	if (len == 0 || !memchr(s, '\0', len))
		return -EBADMSG;
	return 0;
}

/* An NLMSG_ERROR message: its error, 0 for an acknowledgement. */
static int nl_error_of(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e;

	if (nl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	e = nl_nlmsg_get_payload(nlh);
	if (e->error > 0 || e->error < -4095)
		return -EBADMSG;
	return e->error;
}

int nl_cb_run(const void *buf, size_t numbytes, uint32_t seq,
	      uint32_t portid, nl_cb_t cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int len, r;

	if (numbytes > INT32_MAX)
		return -EBADMSG;
	len = (int)numbytes;
	while (len > 0) {
		if (!nl_nlmsg_ok(nlh, len))
			return -EBADMSG;
		/* libmnl's errors for each: ESRCH, EPROTO, EINTR. */
		if (portid && nlh->nlmsg_pid && nlh->nlmsg_pid != portid)
			return -ESRCH;
		if (seq && nlh->nlmsg_seq != seq)
			return -EPROTO;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			return -EINTR;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_DONE:
			return NL_CB_STOP;
		case NLMSG_ERROR:
			r = nl_error_of(nlh);
			return r < 0 ? r : NL_CB_STOP;
		case NLMSG_OVERRUN:
			return -ENOSPC;
		default:
			if (!cb)
				break;
			r = cb(nlh, data);
			if (r != NL_CB_OK)
				return r;
		}
		nlh = nl_nlmsg_next(nlh, &len);
	}
	return NL_CB_OK;
}

int nl_socket_open(struct nl_socket *nl)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	socklen_t addrlen = sizeof(addr);

	nl->portid = 0;
	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&addr, &addrlen) < 0) {
		int r = -errno;

		nl_socket_close(nl);
		return r;
	}
	nl->portid = addr.nl_pid;
	return 0;
}

void nl_socket_close(struct nl_socket *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* One datagram into buf, waiting until deadline_ms. Its length or -errno. */
static ssize_t nl_socket_recv(struct nl_socket *nl, void *buf, size_t size,
			      int64_t deadline_ms)
{
	struct sockaddr_nl from;
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };

	for (;;) {
		socklen_t fromlen = sizeof(from);
		uint32_t left = clock_deadline_left_ms(deadline_ms);
		int timeout = left > INT32_MAX ? INT32_MAX : (int)left;
		ssize_t n;
		int r = poll(&pfd, 1, timeout);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -OCIBOOT_ETIMEOUT;
		n = recvfrom(nl->fd, buf, size, MSG_TRUNC,
			     (struct sockaddr *)&from, &fromlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > size)
			return -EMSGSIZE;
		/* Only the kernel (port 0) speaks to us. */
		if (fromlen != sizeof(from) || from.nl_pid != 0)
			continue;
		return n;
	}
}

int nl_socket_talk(struct nl_socket *nl, struct nlmsghdr *nlh, void *buf,
		   size_t size, int64_t deadline_ms, nl_cb_t cb, void *data)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;
	int r;

	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	/* A dump ends in NLMSG_DONE; anything else is acknowledged. Both
	 * bits: NLM_F_ROOT alone is NLM_F_REPLACE on a NEW request. */
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	n = sendto(nl->fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel));
	if (n < 0)
		return -errno;
	if ((size_t)n != nlh->nlmsg_len)
		return -EIO;
	do {
		n = nl_socket_recv(nl, buf, size, deadline_ms);
		if (n < 0)
			return (int)n;
		r = nl_cb_run(buf, (size_t)n, nl->seq, nl->portid, cb, data);
	} while (r == NL_CB_OK);
	return r < 0 ? r : 0;
}
