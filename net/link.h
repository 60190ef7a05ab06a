/* SPDX-License-Identifier: MIT */
/*
 * Network interfaces over rtnetlink: list them, bring one up, wait for its
 * carrier, set its MTU. Every error names the interface (its what is the
 * interface name, or "interface N" before the name is known).
 *
 * link_parse() reads one RTM_NEWLINK message from the kernel and is the
 * part a test or fuzzer drives with bytes of its own; the others talk to
 * the kernel through a struct nl_socket (net/nl.h). Nothing here
 * allocates or logs.
 */
#ifndef OCIBOOT_NET_LINK_H
#define OCIBOOT_NET_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include "lib/error.h"
#include "net/nl.h"

#define LINK_MAX 16			/* interfaces link_list() keeps */
#define LINK_HWADDR_LEN 6		/* Ethernet */
/* How often link_wait_carrier() asks the kernel again. */
#define LINK_CARRIER_POLL_MS 50
/* Times a dump interrupted by a change (NLM_F_DUMP_INTR) is asked again. */
#define LINK_DUMP_TRIES 3

struct link_info {
	int ifindex;
	char name[IFNAMSIZ];		/* NUL-terminated */
	unsigned flags;			/* IFF_* */
	uint16_t type;			/* ARPHRD_* */
	bool has_hwaddr;
	uint8_t hwaddr[LINK_HWADDR_LEN];
	uint32_t mtu;			/* 0 when the kernel gave none */
	uint8_t operstate;		/* IF_OPER_*, IF_OPER_UNKNOWN if none */
	bool carrier;			/* IFF_LOWER_UP, or IFLA_CARRIER */
};

/*
 * Parse one RTM_NEWLINK message (nlmsg_len already checked to lie in its
 * buffer, as nl_cb_run() does) into *info. The name must be a
 * NUL-terminated string shorter than IFNAMSIZ; a hardware address of an
 * Ethernet link must be 6 bytes; MTU is a u32, operstate and carrier u8.
 * Returns 0, or -EBADMSG with *info unspecified.
 */
int link_parse(const struct nlmsghdr *nlh, struct link_info *info);

/*
 * Every Ethernet interface (ARPHRD_ETHER; not loopback) in the kernel's
 * order, up to LINK_MAX (more are ignored); *count says how many.
 * Returns 0 or -errno/-OCIBOOT_ETIMEOUT with err filled.
 */
int link_list(struct nl_socket *nl, struct link_info *links, size_t max,
	      size_t *count, int64_t deadline_ms, struct error *err);

/* The interface ifindex as it is now. 0 or -errno with err filled. */
int link_get(struct nl_socket *nl, int ifindex, struct link_info *info,
	     int64_t deadline_ms, struct error *err);

/* Set IFF_UP on the interface. 0 or -errno with err filled. */
int link_set_up(struct nl_socket *nl, const struct link_info *link,
		int64_t deadline_ms, struct error *err);

/* Set the interface's MTU (68 and up). 0 or -errno with err filled. */
int link_set_mtu(struct nl_socket *nl, const struct link_info *link,
		 uint32_t mtu, int64_t deadline_ms, struct error *err);

/*
 * Wait until the interface has a carrier (IFF_LOWER_UP), asking every
 * LINK_CARRIER_POLL_MS, until deadline_ms. 0, or -OCIBOOT_ETIMEOUT ("no
 * carrier after N ms") or -errno with err filled; *info is refreshed.
 */
int link_wait_carrier(struct nl_socket *nl, struct link_info *info,
		      int64_t deadline_ms, struct error *err);

#endif
