/* SPDX-License-Identifier: MIT */
/*
 * IPv4 addresses and routes over rtnetlink (RTM_NEWADDR, RTM_NEWROUTE),
 * as `ip addr add` and `ip route add` do them. Errors name the interface
 * and the address or route. Addresses are 4 bytes in network order.
 * Nothing here allocates or logs.
 */
#ifndef OCIBOOT_NET_ADDR_H
#define OCIBOOT_NET_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "net/link.h"
#include "net/nl.h"

/* "a.b.c.d" and its NUL. */
#define ADDR_IPV4_STR_MAX 16

/* a as dotted quad into buf (ADDR_IPV4_STR_MAX bytes); returns buf. */
const char *addr_ipv4_str(const uint8_t a[4], char *buf);

/*
 * True when a is an address a host may take: not 0.0.0.0/8, loopback
 * (127/8), multicast or reserved (224/3) or the limited broadcast.
 */
bool addr_ipv4_is_unicast(const uint8_t a[4]);

/* The prefix length of a contiguous netmask, or -1 when it is not one. */
int addr_prefix_of_mask(const uint8_t mask[4]);

/* The netmask of a prefix length 0..32. */
void addr_mask_of_prefix(unsigned prefix, uint8_t mask[4]);

/*
 * Add address/prefix (with the subnet's broadcast address for prefixes
 * under 31) to the interface, replacing the same address if present.
 * 0 or -errno with err filled.
 */
int addr_add_ipv4(struct nl_socket *nl, const struct link_info *link,
		  const uint8_t address[4], unsigned prefix,
		  int64_t deadline_ms, struct error *err);

/*
 * Add the default route through gateway on the interface (replacing one
 * that is there). When the gateway is not on the subnet of
 * address/prefix, a host route to it through the interface comes first,
 * as for DHCP servers that hand out /32 addresses. 0 or -errno.
 */
int addr_add_default_route(struct nl_socket *nl,
			   const struct link_info *link,
			   const uint8_t address[4], unsigned prefix,
			   const uint8_t gateway[4], int64_t deadline_ms,
			   struct error *err);

#endif
