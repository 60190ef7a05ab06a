/* SPDX-License-Identifier: MIT */
/*
 * Bring the network up for the boot: what the init calls once, before it
 * fetches anything (docs/network.md).
 *
 *	struct net_config config;
 *	struct net_result net;
 *
 *	net_config_default(&config);
 *	r = ipconfig_parse(value, len, &config.ip, &err);  (from ip=, if any)
 *	r = net_up(&config, NULL, clock_deadline_ms(30000), &net, &err);
 *	if (r < 0)
 *		log_fatal("network", "%s", error_format(&err, ...));
 *	if (want_oci_from_dhcp && net.has_oci)
 *		oci_location_parse(net.oci, strlen(net.oci), ...);
 *	r = net_resolve(&net, NULL, "registry.example", &answer, deadline,
 *			&err);
 *
 * net_up() lists the Ethernet interfaces (or takes the one ip= names),
 * and for each in turn until one is configured: brings it up, waits for
 * its carrier (config.carrier_timeout_ms), then either gets a DHCP lease
 * (its share of the time left: what remains divided among the interfaces
 * not yet tried) or takes ip='s static configuration, sets the MTU DHCP
 * gave, adds the address and the default route. Every error names the
 * interface; when none could be configured, err says why for each, e.g.
 * "network: eth0: no carrier after 5000 ms; eth1: DHCP: no answer after
 * 25000 ms: 5 messages sent".
 *
 * The clock, the random numbers and the sockets DHCP and DNS use come
 * from a struct net_sys, so a test can run the whole exchange against a
 * fake; NULL means net_sys_linux (CLOCK_MONOTONIC, getrandom(), an
 * AF_PACKET socket, UDP sockets). Interfaces, addresses and routes always
 * go to the kernel over rtnetlink (net/nl.h), and the carrier wait uses
 * lib/clock.h, so deadlines are lib/clock.h deadlines (CLOCK_MONOTONIC
 * milliseconds) and a fake clock must count from the same start. Nothing
 * here allocates or logs.
 */
#ifndef OCIBOOT_NET_NET_H
#define OCIBOOT_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <net/if.h>

#include "lib/error.h"
#include "net/dhcp.h"
#include "net/dns.h"
#include "net/ipconfig.h"

#define NET_CARRIER_TIMEOUT_MS 5000	/* per interface, by default */
#define NET_DNS_MAX DHCP_DNS_MAX
#define NET_OCI_MAX DHCP_TEXT_MAX

struct net_config {
	struct ipconfig ip;		/* ip=, or DHCP on any interface */
	uint32_t carrier_timeout_ms;	/* per interface */
	/*
	 * Called, when not NULL, each time an interface could not be
	 * configured and another is left to try, with why (its what the
	 * interface): the caller logs it, as this module does not.
	 */
	void (*link_failed)(void *ctx, const struct error *why);
	void *link_failed_ctx;
};

/* What the network is, once up. Addresses in network byte order. */
struct net_result {
	char ifname[IFNAMSIZ];
	int ifindex;
	uint8_t hwaddr[6];
	bool from_dhcp;			/* else static, from ip= */
	uint8_t address[4];
	unsigned prefix;
	bool has_gateway;
	uint8_t gateway[4];
	size_t dns_count;
	uint8_t dns[NET_DNS_MAX][4];
	char hostname[DHCP_NAME_MAX + 1];	/* "" when none */
	char domain[DHCP_NAME_MAX + 1];		/* "" when none */
	uint16_t mtu;			/* DHCP's, or 0 */
	/* DHCP only: */
	uint8_t server_id[4];
	uint32_t lease_s;
	/* The oci= location DHCP gave (option 43 sub-option 1, see
	 * net/dhcp.h): printable ASCII, not yet parsed. */
	bool has_oci;
	char oci[NET_OCI_MAX + 1];
	/* Registry mirrors DHCP gave (option 43 sub-option 2): URLs
	 * separated by single spaces, not yet parsed. */
	bool has_mirrors;
	char mirrors[NET_OCI_MAX + 1];
};

/* The system net_up() and net_resolve() use; see net_sys_linux. */
struct net_sys {
	void *ctx;
	int64_t (*now_ms)(void *ctx);
	uint32_t (*random_u32)(void *ctx);
	/* A packet socket on the interface for IPv4 datagrams. */
	int (*packet_open)(void *ctx, int ifindex, int *fd);
	/* Send an IPv4 datagram to the link's broadcast address. */
	int (*packet_send)(void *ctx, int fd, int ifindex, const void *buf,
			   size_t len);
	/* One received IPv4 datagram (none of our own), waiting until
	 * deadline_ms: its length, -OCIBOOT_ETIMEOUT or -errno. */
	ssize_t (*packet_recv)(void *ctx, int fd, void *buf, size_t size,
			       int64_t deadline_ms);
	/* A UDP socket connected to address:port. */
	int (*udp_open)(void *ctx, const uint8_t address[4], uint16_t port,
			int *fd);
	int (*udp_send)(void *ctx, int fd, const void *buf, size_t len);
	/* One datagram: its length (more than size when cut),
	 * -OCIBOOT_ETIMEOUT or -errno. */
	ssize_t (*udp_recv)(void *ctx, int fd, void *buf, size_t size,
			    int64_t deadline_ms);
	void (*close)(void *ctx, int fd);
};

/* CLOCK_MONOTONIC, getrandom(), and the kernel's sockets. */
extern const struct net_sys net_sys_linux;

/* DHCP on any interface, NET_CARRIER_TIMEOUT_MS. */
void net_config_default(struct net_config *config);

/*
 * Configure the network (see above) before deadline_ms. Returns 0 with
 * *result filled, or -ENONET (ip=off), -ENODEV (no interface, or not the
 * one ip= names), -OCIBOOT_ETIMEOUT or another -errno with err filled
 * (what "network"). sys NULL: net_sys_linux.
 */
int net_up(const struct net_config *config, const struct net_sys *sys,
	   int64_t deadline_ms, struct net_result *result,
	   struct error *err);

/*
 * The DHCP exchange alone, on the interface ifindex (up, with carrier),
 * through sys: dhcp_run() over its packet socket. 0 with *lease, or an
 * error naming the interface.
 */
int net_dhcp(const struct net_sys *sys, int ifindex, const char *ifname,
	     const uint8_t hwaddr[6], int64_t deadline_ms,
	     struct dhcp_message *lease, struct error *err);

/*
 * Look host up (an A record) through the DNS servers net has. A dotted
 * quad is returned as it is, without a query. 0 with *answer, or
 * -OCIBOOT_ENOTFOUND, -OCIBOOT_ETIMEOUT, ... with err filled (what the
 * host name).
 * sys NULL: net_sys_linux.
 */
int net_resolve(const struct net_result *net, const struct net_sys *sys,
		const char *host, struct dns_answer *answer,
		int64_t deadline_ms, struct error *err);

#endif
