/* SPDX-License-Identifier: MIT */
/*
 * The ip= kernel command line value: how the network is configured, in
 * the form of the kernel's own IP autoconfiguration
 * (Documentation/admin-guide/nfs/nfsroot.rst), which dracut also reads:
 *
 *   ip=off | none                 no network
 *   ip=dhcp | on | any            DHCP on each Ethernet interface in turn
 *   ip=CLIENT:SERVER:GATEWAY:NETMASK:HOSTNAME:DEVICE:AUTOCONF:DNS0:DNS1:NTP0
 *
 * In the long form every field may be empty and trailing fields may be
 * left out. AUTOCONF is dhcp/on/any (DHCP; then only DEVICE is used) or
 * off/none/static (static; so is an empty AUTOCONF when CLIENT is given).
 * A static configuration needs CLIENT and NETMASK (dotted, contiguous, or
 * a prefix length 1..32); GATEWAY, HOSTNAME and DNS0/DNS1 are optional;
 * SERVER and NTP0 are checked and ignored (no NFS root, no NTP here).
 * DEVICE is an interface name (1..15 bytes, no '/', ':' or spaces); empty
 * means each Ethernet interface in turn. Refused: bootp, rarp and both
 * (the kernel's other protocols), more than 10 fields, IPv4 addresses with
 * leading zeros (octal to some parsers) or outside 0..255, a client
 * address that is 0.0.0.0, loopback, multicast or broadcast, a hostname
 * that is not a DNS name.
 *
 * Nothing here allocates or logs or touches the system.
 */
#ifndef OCIBOOT_NET_IPCONFIG_H
#define OCIBOOT_NET_IPCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include "lib/error.h"

#define IPCONFIG_FIELDS_MAX 10
#define IPCONFIG_HOSTNAME_MAX 253	/* a DNS name, RFC 1035 */
#define IPCONFIG_DNS_MAX 2
#define IPCONFIG_VALUE_MAX 512		/* bytes of the whole value */

enum ipconfig_mode {
	IPCONFIG_OFF,		/* no network */
	IPCONFIG_DHCP,
	IPCONFIG_STATIC,
};

struct ipconfig {
	enum ipconfig_mode mode;
	char device[IFNAMSIZ];		/* "" for any */
	/* Static only (zero otherwise); network byte order. */
	uint8_t address[4];
	unsigned prefix;		/* 1..32 */
	bool has_gateway;
	uint8_t gateway[4];
	char hostname[IPCONFIG_HOSTNAME_MAX + 1];	/* "" for none */
	size_t dns_count;
	uint8_t dns[IPCONFIG_DNS_MAX][4];
};

/* Why a value was refused (struct error's reason). */
enum ipconfig_reason {
	IPCONFIG_OK,
	IPCONFIG_EMPTY,
	IPCONFIG_TOO_LONG,
	IPCONFIG_TOO_MANY_FIELDS,
	IPCONFIG_BAD_ADDRESS,
	IPCONFIG_BAD_NETMASK,
	IPCONFIG_BAD_HOSTNAME,
	IPCONFIG_BAD_DEVICE,
	IPCONFIG_BAD_AUTOCONF,
	IPCONFIG_NEEDS_ADDRESS,
	IPCONFIG_NEEDS_NETMASK,
};

/* DHCP on any interface: what no ip= means. */
void ipconfig_default(struct ipconfig *config);

/*
 * Parse value[len] (the text after "ip="). Returns 0 with *config set, or
 * -OCIBOOT_EMALFORMED/-OCIBOOT_ETOOBIG with err filled (what "ip=", why
 * naming the field, reason an enum ipconfig_reason) and *config
 * untouched.
 */
int ipconfig_parse(const char *value, size_t len, struct ipconfig *config,
		   struct error *err);

/*
 * A dotted-quad IPv4 address, strictly: four decimal numbers 0..255
 * without leading zeros. true with out[4] set.
 */
bool ipconfig_parse_ipv4(const char *s, size_t len, uint8_t out[4]);

/*
 * True when name[len] is a DNS host name: labels of 1..63 letters, digits
 * and hyphens (not first or last), joined by dots, 253 bytes at most; an
 * underscore is allowed too (some sites use it).
 */
bool ipconfig_is_hostname(const char *name, size_t len);

#endif
