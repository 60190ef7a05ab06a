// SPDX-License-Identifier: MIT
/*
 * Fuzz what a DHCP server sends: the datagram (IPv4/UDP) around the
 * message, the message and its options, the lease checks, and the engine
 * fed the message in each state. Whatever comes in either parses into
 * bounded, NUL-terminated fields or is refused with a reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/util.h"
#include "net/dhcp.h"

static uint32_t fixed_random(void *ctx)
{
	return 0x01020304;
}

static void check_message(const struct dhcp_message *m)
{
	if (strlen(m->hostname) > DHCP_NAME_MAX ||
	    strlen(m->domain) > DHCP_NAME_MAX ||
	    strlen(m->oci) > DHCP_TEXT_MAX ||
	    strlen(m->nak_text) > DHCP_NAK_TEXT_MAX * 4 ||
	    m->dns_count > DHCP_DNS_MAX || m->router_count > DHCP_ROUTERS_MAX ||
	    m->prefix > 32)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	const uint8_t *message;
	size_t message_len;
	struct dhcp_message m;
	struct dhcp_client c;
	struct error err;
	uint8_t out[DHCP_SEND_LEN];
	int64_t wake;

	error_clear(&err);
	if (dhcp_frame_parse(data, size, &message, &message_len, &err) == 0) {
		if (message < data || message + message_len > data + size)
			__builtin_trap();
	} else if (!err.why[0]) {
		__builtin_trap();
	}

	error_clear(&err);
	if (dhcp_parse(data, size, &m, &err) < 0) {
		if (!err.why[0])
			__builtin_trap();
	} else {
		check_message(&m);
		if (dhcp_check_lease(&m, &err) == 0 &&
		    m.lease_s != UINT32_MAX &&
		    !(m.t1_s < m.t2_s && m.t2_s < m.lease_s))
			__builtin_trap();
	}

	/* The engine, selecting then (after a made-up offer) requesting. */
	dhcp_client_init(&c, mac, fixed_random, NULL, 0);
	if (dhcp_client_poll(&c, 0, out, sizeof(out), &wake) != DHCP_SEND_LEN)
		__builtin_trap();
	if (dhcp_client_input(&c, 1, data, size) < 0)
		__builtin_trap();
	if (c.state == DHCP_STATE_REQUESTING) {
		check_message(&c.offer);
		if (dhcp_client_poll(&c, 1, out, sizeof(out), &wake) !=
		    DHCP_SEND_LEN)
			__builtin_trap();
		dhcp_client_input(&c, 2, data, size);
	}
	return 0;
}
