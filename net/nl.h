/* SPDX-License-Identifier: MIT */
/*
 * Netlink messages and attributes, built and parsed in a caller's buffer.
 *
 * The names follow libmnl (netfilter.org's minimalistic netlink library)
 * one for one with nl_ in place of mnl_: nl_nlmsg_put_header() is
 * mnl_nlmsg_put_header(), nl_attr_put_u32_check() is
 * mnl_attr_put_u32_check(), nl_attr_parse() is mnl_attr_parse(),
 * nl_cb_run() is mnl_cb_run(), NL_CB_OK is MNL_CB_OK, and so on, with the
 * same arguments. No registry reachable here serves libmnl's source, so
 * these are the few functions it would give; moving to libmnl later is a
 * rename (the one difference: ours return -errno where libmnl returns -1
 * with errno set).
 *
 * Builders write only inside the buffer they are given: every put is a
 * _check variant (libmnl's too) that refuses, writing nothing, an
 * attribute that would not fit. Parsers never read past the length they
 * are given: nl_nlmsg_ok() and nl_attr_ok() are checked before a header is
 * looked at. Buffers must be aligned for struct nlmsghdr (4 bytes); use
 * NL_BUFFER to declare one.
 *
 * The socket functions open NETLINK_ROUTE with O_CLOEXEC, wait with a
 * deadline (lib/clock.h), and check every reply's sequence number and port
 * id. Nothing here allocates or logs.
 */
#ifndef OCIBOOT_NET_NL_H
#define OCIBOOT_NET_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/* Enough for any reply of one interface, address or route (libmnl's
 * MNL_SOCKET_BUFFER_SIZE is the page size, capped at 8192). */
#define NL_SOCKET_BUFFER_SIZE 8192

/* Declares an aligned buffer for netlink messages. */
#define NL_BUFFER(name, size) \
	uint8_t name[size] __attribute__((aligned(NLMSG_ALIGNTO)))

/* What a callback returns (libmnl's MNL_CB_*): stop with an error is a
 * negative errno. */
#define NL_CB_STOP 0
#define NL_CB_OK 1

/* An attribute's header, aligned. */
#define NL_ATTR_HDRLEN NLA_ALIGN(sizeof(struct nlattr))

/* Attribute types carry two flag bits; this is the type without them. */
#define NL_ATTR_TYPE_MASK NLA_TYPE_MASK

typedef int (*nl_attr_cb_t)(const struct nlattr *attr, void *data);
typedef int (*nl_cb_t)(const struct nlmsghdr *nlh, void *data);

/* --- messages --- */

/*
 * A zeroed message header at the start of buf (which has room for at
 * least NLMSG_HDRLEN bytes), nlmsg_len NLMSG_HDRLEN.
 */
struct nlmsghdr *nl_nlmsg_put_header(void *buf);

/*
 * size zeroed bytes after the header (a struct ifinfomsg, ifaddrmsg,
 * rtmsg), aligned; NULL, writing nothing, when the message would exceed
 * buflen.
 */
void *nl_nlmsg_put_extra_header_check(struct nlmsghdr *nlh, size_t buflen,
				      size_t size);

/* Where the payload (the family header) starts. */
void *nl_nlmsg_get_payload(const struct nlmsghdr *nlh);

/* Where the payload continues offset bytes in (its attributes). */
void *nl_nlmsg_get_payload_offset(const struct nlmsghdr *nlh, size_t offset);

/* Bytes of payload: nlmsg_len less the header. */
size_t nl_nlmsg_get_payload_len(const struct nlmsghdr *nlh);

/*
 * True when a whole message header and its nlmsg_len bytes lie within the
 * len bytes at nlh.
 */
bool nl_nlmsg_ok(const struct nlmsghdr *nlh, int len);

/* The message after nlh; *len is reduced by the bytes passed. */
struct nlmsghdr *nl_nlmsg_next(const struct nlmsghdr *nlh, int *len);

/* --- attributes --- */

/*
 * Append an attribute of type with len bytes of data; false, writing
 * nothing, when the message would exceed buflen or len does not fit a
 * netlink attribute.
 */
bool nl_attr_put_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
		       size_t len, const void *data);
bool nl_attr_put_u8_check(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
			  uint8_t value);
bool nl_attr_put_u32_check(struct nlmsghdr *nlh, size_t buflen,
			   uint16_t type, uint32_t value);
/* The string and its NUL. */
bool nl_attr_put_strz_check(struct nlmsghdr *nlh, size_t buflen,
			    uint16_t type, const char *s);

/* The type without the nested and byte-order flags. */
uint16_t nl_attr_get_type(const struct nlattr *attr);
uint16_t nl_attr_get_payload_len(const struct nlattr *attr);
const void *nl_attr_get_payload(const struct nlattr *attr);

/* True when the attribute's header and its nla_len bytes fit in len. */
bool nl_attr_ok(const struct nlattr *attr, int len);

/*
 * Call cb for each attribute of nlh after offset bytes of payload (the
 * family header), in order; stops at the first cb return other than
 * NL_CB_OK and returns it. Returns -EBADMSG when the attributes do not
 * exactly fill the message or offset is past its end.
 */
int nl_attr_parse(const struct nlmsghdr *nlh, size_t offset, nl_attr_cb_t cb,
		  void *data);

/* The same over len bytes of nested attributes at payload. */
int nl_attr_parse_payload(const void *payload, size_t len, nl_attr_cb_t cb,
			  void *data);

/*
 * Attribute payload checks: the exact length of a u8/u16/u32, or a string
 * holding its NUL within the payload. -EBADMSG when they fail.
 */
int nl_attr_validate_len(const struct nlattr *attr, size_t len);
int nl_attr_validate_strz(const struct nlattr *attr);

/* --- replies --- */

/*
 * Run cb on every message in buf[0, numbytes) (one recv()'s worth), as
 * mnl_cb_run() does: a message whose nlmsg_pid is not portid is refused
 * with -ESRCH, one whose nlmsg_seq is not seq with -EPROTO (each check
 * only when the value is non-zero), a dump the kernel marks interrupted
 * (NLM_F_DUMP_INTR: the list changed under it) with -EINTR, to be asked
 * again; NLMSG_NOOP is skipped; NLMSG_DONE stops (returns NL_CB_STOP);
 * NLMSG_ERROR stops with its error (0, an acknowledgement, returns
 * NL_CB_STOP; a truncated one is -EBADMSG); other types go to cb (NULL
 * skips them) and a cb return other than NL_CB_OK stops. Returns NL_CB_OK
 * when the buffer ended with more to come, NL_CB_STOP when the reply is
 * complete, or a negative errno. Bytes that are not whole messages are
 * -EBADMSG. Stricter than libmnl: trailing bytes that are not a whole
 * message and NLMSG_OVERRUN (-ENOSPC) are errors, not skipped.
 */
int nl_cb_run(const void *buf, size_t numbytes, uint32_t seq,
	      uint32_t portid, nl_cb_t cb, void *data);

/* --- the socket --- */

struct nl_socket {
	int fd;
	uint32_t portid;	/* the kernel gave it at bind */
	uint32_t seq;		/* the last sequence number used */
};

/* Open and bind a NETLINK_ROUTE socket (close-on-exec). 0 or -errno. */
int nl_socket_open(struct nl_socket *nl);

/* Close it (safe on a socket that failed to open). */
void nl_socket_close(struct nl_socket *nl);

/*
 * Send the request nlh (nlmsg_seq set to a fresh number, NLM_F_REQUEST
 * and NLM_F_ACK added) and run cb over the replies until the kernel says
 * done, errors or deadline_ms (lib/clock.h) passes. buf[size] receives
 * the replies (NL_BUFFER, at least NL_SOCKET_BUFFER_SIZE bytes). Returns
 * 0, the kernel's -errno, a cb's error, -EBADMSG/-EPROTO for a reply that
 * does not parse or is not ours, or -OCIBOOT_ETIMEOUT.
 */
int nl_socket_talk(struct nl_socket *nl, struct nlmsghdr *nlh, void *buf,
		   size_t size, int64_t deadline_ms, nl_cb_t cb, void *data);

#endif
