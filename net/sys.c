// SPDX-License-Identifier: MIT
/*
 * net_sys_linux: the real clock, random numbers and sockets behind
 * net_up() and net_resolve() (see net.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>

#include "lib/clock.h"
#include "lib/util.h"
#include "net/net.h"

/*
 * getrandom() without waiting for the pool (Linux 5.6): ids and jitter
 * must not stall an early boot. The kernel's value, named here because
 * older C libraries do not define it.
 */
#define NET_GRND_INSECURE 0x0004

static int64_t sys_now_ms(void *ctx)
{
	return clock_now_ms();
}

static uint32_t sys_random_u32(void *ctx)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), NET_GRND_INSECURE) == sizeof(v) ||
	    getrandom(&v, sizeof(v), GRND_NONBLOCK) == sizeof(v))
		return v;
	/* No usable pool: the clock's low bits still vary. */
	return (uint32_t)clock_now_ns() * 2654435761u;
}

/* Wait until fd is readable: 0, -OCIBOOT_ETIMEOUT at deadline_ms, -errno. */
static int sys_wait(int fd, int64_t deadline_ms)
{
	return clock_poll_until(fd, POLLIN, deadline_ms);
}

static int sys_packet_open(void *ctx, int ifindex, int *fd)
{
	struct sockaddr_ll addr = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = ifindex,
	};
	int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	static const int on = 1;

	if (s < 0)
		return -errno;
	if (setsockopt(s, SOL_PACKET, PACKET_AUXDATA, &on, sizeof(on)) < 0 ||
	    bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;

		close(s);
		return r;
	}
	*fd = s;
	return 0;
}

static int sys_packet_send(void *ctx, int fd, int ifindex, const void *buf,
			   size_t len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
	};
	ssize_t n;

	memset(to.sll_addr, 0xff, ETH_ALEN);
	n = sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * A datagram whose checksum the kernel has not filled in yet (sent from
 * this host through a veth, or handed on by a NIC with checksum offload:
 * PACKET_AUXDATA's TP_STATUS_CSUMNOTREADY) carries only the pseudo-header
 * sum in its UDP checksum. Its bytes never crossed a wire unchecked, so
 * its UDP checksum is set to 0, "none" (RFC 768), as systemd-networkd and
 * dhcpcd skip the check for such packets.
 */
static void sys_checksum_not_ready(uint8_t *ip, size_t len)
{
	size_t header;

	if (len < 20 || ip[0] >> 4 != 4 || ip[9] != IPPROTO_UDP)
		return;
	header = (size_t)(ip[0] & 15) * 4;
	if (header >= 20 && header + 8 <= len)
		ip[header + 6] = ip[header + 7] = 0;
}

static ssize_t sys_packet_recv(void *ctx, int fd, void *buf, size_t size,
			       int64_t deadline_ms)
{
	for (;;) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		} control;
		struct sockaddr_ll from;
		struct iovec iov = { .iov_base = buf, .iov_len = size };
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = &control,
			.msg_controllen = sizeof(control),
		};
		struct cmsghdr *cmsg;
		bool not_ready = false;
		ssize_t n;
		int r = sys_wait(fd, deadline_ms);

		if (r < 0)
			return r;
		n = recvmsg(fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		/* Our own broadcasts come back as PACKET_OUTGOING; a cut
		 * datagram is of no use. */
		if (from.sll_pkttype == PACKET_OUTGOING || (size_t)n > size)
			continue;
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg;
		     cmsg = CMSG_NXTHDR(&msg, cmsg)) {
			struct tpacket_auxdata aux;

			if (cmsg->cmsg_level != SOL_PACKET ||
			    cmsg->cmsg_type != PACKET_AUXDATA ||
			    cmsg->cmsg_len < CMSG_LEN(sizeof(aux)))
				continue;
			memcpy(&aux, CMSG_DATA(cmsg), sizeof(aux));
			not_ready = aux.tp_status & TP_STATUS_CSUMNOTREADY;
		}
		if (not_ready)
			sys_checksum_not_ready(buf, (size_t)n);
		return n;
	}
}

static int sys_udp_open(void *ctx, const uint8_t address[4], uint16_t port,
			int *fd)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -errno;
	memcpy(&to.sin_addr, address, 4);
	if (connect(s, (struct sockaddr *)&to, sizeof(to)) < 0) {
		int r = -errno;

		close(s);
		return r;
	}
	*fd = s;
	return 0;
}

static int sys_udp_send(void *ctx, int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static ssize_t sys_udp_recv(void *ctx, int fd, void *buf, size_t size,
			    int64_t deadline_ms)
{
	for (;;) {
		ssize_t n;
		int r = sys_wait(fd, deadline_ms);

		if (r < 0)
			return r;
		n = recv(fd, buf, size, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* An ICMP port unreachable: nothing listens there. */
		if (n < 0)
			return -errno;
		return n;
	}
}

static void sys_close(void *ctx, int fd)
{
	close(fd);
}

const struct net_sys net_sys_linux = {
	.now_ms = sys_now_ms,
	.random_u32 = sys_random_u32,
	.packet_open = sys_packet_open,
	.packet_send = sys_packet_send,
	.packet_recv = sys_packet_recv,
	.udp_open = sys_udp_open,
	.udp_send = sys_udp_send,
	.udp_recv = sys_udp_recv,
	.close = sys_close,
};
