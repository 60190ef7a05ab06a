// SPDX-License-Identifier: MIT
/*
 * net_up() and net_resolve(): what needs no network (ip=off, a literal
 * address, no DNS server, a DHCP exchange with nobody answering through a
 * fake struct net_sys, named by its interface), and a driver for
 * net/net_test.sh, which runs the real thing in network namespaces of its
 * own against dnsmasq:
 *
 *	net up IP_VALUE TIMEOUT_MS [NAME...]
 *
 * brings the network up (IP_VALUE is ip='s value, "" for none), prints
 * what it got as KEY=VALUE lines, then resolves each NAME ("resolve
 * NAME=ADDRESS ..."). A failure prints one line on standard error and
 * exits 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/util.h"
#include "net/addr.h"
#include "net/net.h"

static void test_off(void **state)
{
	struct net_config config;
	struct net_result result;
	struct error err;

	net_config_default(&config);
	assert_int_equal(ipconfig_parse("off", 3, &config.ip, &err), 0);
	assert_int_equal(net_up(&config, NULL, clock_deadline_ms(1000),
				&result, &err), -ENONET);
	assert_string_equal(err.why, "ip=off: no network is configured");
}

static void test_resolve_literal(void **state)
{
	struct net_result net;
	struct dns_answer answer;
	struct error err;

	memset(&net, 0, sizeof(net));
	assert_int_equal(net_resolve(&net, NULL, "10.0.2.100", &answer,
				     clock_deadline_ms(1000), &err), 0);
	assert_int_equal(answer.count, 1);
	assert_memory_equal(answer.addresses[0],
			    ((uint8_t[]){ 10, 0, 2, 100 }), 4);
	error_clear(&err);
	assert_int_equal(net_resolve(&net, NULL, "registry.example", &answer,
				     clock_deadline_ms(1000), &err), -OCIBOOT_ENOTFOUND);
	assert_string_equal(err.what, "registry.example");
}

/* A system where nobody answers DHCP, on a clock of its own. */
struct quiet {
	int64_t now;
	unsigned sent, closed;
	int opened_on;
};

static int64_t quiet_now(void *ctx)
{
	return ((struct quiet *)ctx)->now;
}

static uint32_t quiet_random(void *ctx)
{
	return 0;
}

static int quiet_open(void *ctx, int ifindex, int *fd)
{
	((struct quiet *)ctx)->opened_on = ifindex;
	*fd = 42;
	return 0;
}

static int quiet_send(void *ctx, int fd, int ifindex, const void *buf,
		      size_t len)
{
	assert_int_equal(fd, 42);
	assert_int_equal(len, DHCP_IP_UDP_LEN + DHCP_SEND_LEN);
	((struct quiet *)ctx)->sent++;
	return 0;
}

static ssize_t quiet_recv(void *ctx, int fd, void *buf, size_t size,
			  int64_t deadline_ms)
{
	((struct quiet *)ctx)->now = deadline_ms;
	return -OCIBOOT_ETIMEOUT;
}

static void quiet_close(void *ctx, int fd)
{
	assert_int_equal(fd, 42);
	((struct quiet *)ctx)->closed++;
}

static void test_dhcp_nobody(void **state)
{
	static const uint8_t hw[6] = { 2, 0, 0, 0, 0, 1 };
	struct quiet q = { .now = 50 };
	struct net_sys sys = {
		.ctx = &q,
		.now_ms = quiet_now,
		.random_u32 = quiet_random,
		.packet_open = quiet_open,
		.packet_send = quiet_send,
		.packet_recv = quiet_recv,
		.close = quiet_close,
	};
	struct dhcp_message lease;
	struct error err;
	char line[ERROR_LINE_MAX];

	error_clear(&err);
	assert_int_equal(net_dhcp(&sys, 9, "eth9", hw, 3050, &lease, &err),
			 -OCIBOOT_ETIMEOUT);
	assert_int_equal(q.opened_on, 9);
	assert_int_equal(q.sent, 1);	/* the next is due at 3 s */
	assert_int_equal(q.closed, 1);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, "eth9: DHCP: no answer after 3000 ms: 1 "
			    "message sent: timed out");
}

/* --- the driver --- */

static void print_addr(const char *key, const uint8_t a[4])
{
	char text[ADDR_IPV4_STR_MAX];

	printf("%s=%s\n", key, addr_ipv4_str(a, text));
}

static void print_link_failed(void *ctx, const struct error *why)
{
	char line[ERROR_LINE_MAX];

	printf("skipped: %s\n", error_format(why, line, sizeof(line)));
}

static int drive_up(int argc, char **argv)
{
	struct net_config config;
	struct net_result net;
	struct error err;
	char line[ERROR_LINE_MAX], text[ADDR_IPV4_STR_MAX];
	int64_t deadline;
	int r;

	if (argc < 4) {
		fprintf(stderr,
			"usage: net up IP_VALUE TIMEOUT_MS [NAME...]\n");
		return 2;
	}
	net_config_default(&config);
	config.link_failed = print_link_failed;
	error_clear(&err);
	if (argv[2][0] && ipconfig_parse(argv[2], strlen(argv[2]), &config.ip,
					 &err) < 0)
		goto fail;
	deadline = clock_deadline_ms((uint32_t)strtoul(argv[3], NULL, 10));
	r = net_up(&config, NULL, deadline, &net, &err);
	if (r < 0)
		goto fail;
	printf("ifname=%s\n", net.ifname);
	printf("source=%s\n", net.from_dhcp ? "dhcp" : "static");
	printf("address=%s/%u\n", addr_ipv4_str(net.address, text),
	       net.prefix);
	if (net.has_gateway)
		print_addr("gateway", net.gateway);
	for (size_t i = 0; i < net.dns_count; i++)
		print_addr("dns", net.dns[i]);
	printf("hostname=%s\ndomain=%s\nmtu=%u\n", net.hostname, net.domain,
	       net.mtu);
	if (net.from_dhcp) {
		print_addr("server", net.server_id);
		printf("lease=%u\n", net.lease_s);
	}
	if (net.has_oci)
		printf("oci=%s\n", net.oci);
	for (int i = 4; i < argc; i++) {
		struct dns_answer answer;

		r = net_resolve(&net, NULL, argv[i], &answer, deadline, &err);
		if (r < 0)
			goto fail;
		printf("resolve %s=", argv[i]);
		for (size_t j = 0; j < answer.count; j++)
			printf("%s%s", j ? " " : "",
			       addr_ipv4_str(answer.addresses[j], text));
		printf("\n");
	}
	return 0;
fail:
	fflush(stdout);
	fprintf(stderr, "%s\n", error_format(&err, line, sizeof(line)));
	return 1;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_resolve_literal),
		cmocka_unit_test(test_dhcp_nobody),
	};

	if (argc > 1 && streq(argv[1], "up"))
		return drive_up(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
