// SPDX-License-Identifier: MIT
/*
 * net_up() and net_resolve() (see net.h).
 */
#include "net/net.h"

#include <errno.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/strbuf.h"
#include "lib/util.h"
#include "net/addr.h"
#include "net/link.h"
#include "net/nl.h"

_Static_assert(NET_DNS_MAX >= IPCONFIG_DNS_MAX, "ip= DNS servers fit");
_Static_assert(DHCP_NAME_MAX >= IPCONFIG_HOSTNAME_MAX, "ip= hostname fits");

void net_config_default(struct net_config *config)
{
	memset(config, 0, sizeof(*config));
	ipconfig_default(&config->ip);
	config->carrier_timeout_ms = NET_CARRIER_TIMEOUT_MS;
}

/* dhcp_io over a net_sys packet socket. */
struct net_dhcp_io {
	const struct net_sys *sys;
	int fd;
	int ifindex;
};

static int64_t net_dhcp_now(void *ctx)
{
	struct net_dhcp_io *io = ctx;

	return io->sys->now_ms(io->sys->ctx);
}

static int net_dhcp_send(void *ctx, const void *buf, size_t len)
{
	struct net_dhcp_io *io = ctx;

	return io->sys->packet_send(io->sys->ctx, io->fd, io->ifindex, buf,
				    len);
}

static ssize_t net_dhcp_recv(void *ctx, void *buf, size_t size,
			     int64_t deadline_ms)
{
	struct net_dhcp_io *io = ctx;

	return io->sys->packet_recv(io->sys->ctx, io->fd, buf, size,
				    deadline_ms);
}

static uint32_t net_random(void *ctx)
{
	const struct net_sys *sys = ctx;

	return sys->random_u32(sys->ctx);
}

int net_dhcp(const struct net_sys *sys, int ifindex, const char *ifname,
	     const uint8_t hwaddr[6], int64_t deadline_ms,
	     struct dhcp_message *lease, struct error *err)
{
	struct net_dhcp_io ctx = { .sys = sys, .ifindex = ifindex };
	struct dhcp_io io = {
		.ctx = &ctx,
		.now_ms = net_dhcp_now,
		.send = net_dhcp_send,
		.recv = net_dhcp_recv,
	};
	struct dhcp_client client;
	int r;

	r = sys->packet_open(sys->ctx, ifindex, &ctx.fd);
	if (r < 0)
		return error_set(err, r, ifname, "DHCP: opening a packet "
				 "socket: %s", ociboot_strerror(r));
	dhcp_client_init(&client, hwaddr, net_random, (void *)sys,
			 sys->now_ms(sys->ctx));
	r = dhcp_run(&client, &io, deadline_ms, err);
	sys->close(sys->ctx, ctx.fd);
	if (r < 0) {
		error_context(err, "%s", ifname);
		return r;
	}
	*lease = client.offer;
	return 0;
}

static void net_from_lease(const struct dhcp_message *lease,
			   struct net_result *out)
{
	out->from_dhcp = true;
	memcpy(out->address, lease->yiaddr, 4);
	out->prefix = lease->prefix;
	out->has_gateway = lease->router_count > 0;
	if (out->has_gateway)
		memcpy(out->gateway, lease->routers[0], 4);
	out->dns_count = lease->dns_count;
	memcpy(out->dns, lease->dns, sizeof(out->dns));
	memcpy(out->hostname, lease->hostname, sizeof(out->hostname));
	memcpy(out->domain, lease->domain, sizeof(out->domain));
	out->mtu = lease->mtu;
	memcpy(out->server_id, lease->server_id, 4);
	out->lease_s = lease->lease_s;
	out->has_oci = lease->has_oci;
	memcpy(out->oci, lease->oci, sizeof(out->oci));
	out->has_mirrors = lease->has_mirrors;
	memcpy(out->mirrors, lease->mirrors, sizeof(out->mirrors));
}

static void net_from_static(const struct ipconfig *ip, struct net_result *out)
{
	memcpy(out->address, ip->address, 4);
	out->prefix = ip->prefix;
	out->has_gateway = ip->has_gateway;
	memcpy(out->gateway, ip->gateway, 4);
	out->dns_count = ip->dns_count;
	memcpy(out->dns, ip->dns, sizeof(ip->dns));
	memcpy(out->hostname, ip->hostname, sizeof(ip->hostname));
}

/* Configure one interface, up with carrier, into *out. */
static int net_configure(struct nl_socket *nl, const struct net_config *config,
			 const struct net_sys *sys, struct link_info *link,
			 int64_t deadline_ms, struct net_result *out,
			 struct error *err)
{
	struct dhcp_message lease;
	int r;

	memset(out, 0, sizeof(*out));
	memcpy(out->ifname, link->name, sizeof(out->ifname));
	out->ifindex = link->ifindex;
	memcpy(out->hwaddr, link->hwaddr, sizeof(out->hwaddr));
	if (config->ip.mode == IPCONFIG_STATIC) {
		net_from_static(&config->ip, out);
	} else {
		r = net_dhcp(sys, link->ifindex, link->name, link->hwaddr,
			     deadline_ms, &lease, err);
		if (r < 0)
			return r;
		net_from_lease(&lease, out);
		if (out->mtu && out->mtu != link->mtu) {
			r = link_set_mtu(nl, link, out->mtu, deadline_ms, err);
			if (r < 0)
				return r;
		}
	}
	r = addr_add_ipv4(nl, link, out->address, out->prefix, deadline_ms,
			  err);
	if (r < 0)
		return r;
	if (out->has_gateway)
		r = addr_add_default_route(nl, link, out->address, out->prefix,
					   out->gateway, deadline_ms, err);
	return r;
}

/* Bring one interface up and configure it, within its share of time. */
static int net_try_link(struct nl_socket *nl, const struct net_config *config,
			const struct net_sys *sys, struct link_info *link,
			int64_t deadline_ms, struct net_result *out,
			struct error *err)
{
	int64_t carrier = clock_deadline_ms(config->carrier_timeout_ms);
	int r;

	r = link_set_up(nl, link, deadline_ms, err);
	if (r < 0)
		return r;
	r = link_wait_carrier(nl, link, carrier < deadline_ms ? carrier
							      : deadline_ms,
			      err);
	if (r < 0)
		return r;
	return net_configure(nl, config, sys, link, deadline_ms, out, err);
}

/* The interfaces to try: all Ethernet ones, or the one ip= names. */
static int net_links(struct nl_socket *nl, const struct net_config *config,
		     struct link_info *links, size_t *count,
		     int64_t deadline_ms, struct error *err)
{
	char names[LINK_MAX * (IFNAMSIZ + 1) + 1];
	struct strbuf sb;
	int r;

	r = link_list(nl, links, LINK_MAX, count, deadline_ms, err);
	if (r < 0)
		return r;
	if (*count == 0)
		return error_set(err, -ENODEV, "network",
				 "no Ethernet interface");
	if (!config->ip.device[0])
		return 0;
	strbuf_init(&sb, names, sizeof(names));
	for (size_t i = 0; i < *count; i++) {
		if (streq(links[i].name, config->ip.device)) {
			links[0] = links[i];
			*count = 1;
			return 0;
		}
		strbuf_printf(&sb, "%s%s", i ? " " : "", links[i].name);
	}
	return error_set(err, -ENODEV, config->ip.device,
			 "ip= names this interface, but the Ethernet ones are: "
			 "%s", names);
}

int net_up(const struct net_config *config, const struct net_sys *sys,
	   int64_t deadline_ms, struct net_result *result, struct error *err)
{
	struct link_info links[LINK_MAX];
	char why[ERROR_WHY_MAX], line[ERROR_LINE_MAX];
	struct nl_socket nl;
	struct strbuf sb;
	size_t count = 0;
	int r;

	if (!sys)
		sys = &net_sys_linux;
	if (config->ip.mode == IPCONFIG_OFF)
		return error_set(err, -ENONET, "network",
				 "ip=off: no network is configured");
	r = nl_socket_open(&nl);
	if (r < 0)
		return error_set(err, r, "network", "opening rtnetlink: %s",
				 ociboot_strerror(r));
	r = net_links(&nl, config, links, &count, deadline_ms, err);
	if (r < 0)
		goto out_close;

	strbuf_init(&sb, why, sizeof(why));
	for (size_t i = 0; i < count; i++) {
		int64_t now = sys->now_ms(sys->ctx);
		int64_t share = now + (deadline_ms - now) /
				      (int64_t)(count - i);
		struct error e;

		error_clear(&e);
		r = net_try_link(&nl, config, sys, &links[i], share, result,
				 &e);
		if (r == 0)
			goto out_close;
		strbuf_printf(&sb, "%s%s", i ? "; " : "",
			      error_format(&e, line, sizeof(line)));
		if (count == 1) {
			*err = e;
			goto out_close;
		}
		if (i + 1 < count && config->link_failed)
			config->link_failed(config->link_failed_ctx, &e);
	}
	strbuf_mark_cut(&sb, "...");
	r = error_set(err, r, "network", "no interface configured: %s", why);
out_close:
	nl_socket_close(&nl);
	return r;
}

/* dns_io over a net_sys. */
static int64_t net_dns_now(void *ctx)
{
	const struct net_sys *sys = ctx;

	return sys->now_ms(sys->ctx);
}

static int net_dns_open(void *ctx, const uint8_t server[4], int *fd)
{
	const struct net_sys *sys = ctx;

	return sys->udp_open(sys->ctx, server, DNS_PORT, fd);
}

static int net_dns_send(void *ctx, int fd, const void *buf, size_t len)
{
	const struct net_sys *sys = ctx;

	return sys->udp_send(sys->ctx, fd, buf, len);
}

static ssize_t net_dns_recv(void *ctx, int fd, void *buf, size_t size,
			    int64_t deadline_ms)
{
	const struct net_sys *sys = ctx;

	return sys->udp_recv(sys->ctx, fd, buf, size, deadline_ms);
}

static void net_dns_close(void *ctx, int fd)
{
	const struct net_sys *sys = ctx;

	sys->close(sys->ctx, fd);
}

int net_resolve(const struct net_result *net, const struct net_sys *sys,
		const char *host, struct dns_answer *answer,
		int64_t deadline_ms, struct error *err)
{
	struct dns_io io = {
		.now_ms = net_dns_now,
		.random_u32 = net_random,
		.open = net_dns_open,
		.send = net_dns_send,
		.recv = net_dns_recv,
		.close = net_dns_close,
	};
	uint8_t literal[4];

	if (!sys)
		sys = &net_sys_linux;
	io.ctx = (void *)sys;
	if (ipconfig_parse_ipv4(host, strlen(host), literal)) {
		memset(answer, 0, sizeof(*answer));
		memcpy(answer->addresses[0], literal, 4);
		answer->count = 1;
		answer->ttl_s = UINT32_MAX;
		return 0;
	}
	if (net->dns_count == 0)
		return error_set(err, -OCIBOOT_ENOTFOUND, host, "no DNS server "
				 "to ask (DHCP gave none; ip= can name two)");
	return dns_resolve(&io, net->dns, net->dns_count, host, answer,
			   deadline_ms, err);
}
