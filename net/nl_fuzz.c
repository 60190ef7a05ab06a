// SPDX-License-Identifier: MIT
/*
 * Fuzz the rtnetlink reply path: a datagram as the kernel would send it,
 * framed by nl_cb_run() (sequence 7, port 4242, as the seeds have), each
 * RTM_NEWLINK read by link_parse(). Names come out NUL-terminated and
 * under IFNAMSIZ, or the message is refused.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/util.h"
#include "net/link.h"
#include "net/nl.h"

static int each_link(const struct nlmsghdr *nlh, void *data)
{
	struct link_info info;
	int r = link_parse(nlh, &info);

	if (r < 0)
		return NL_CB_OK;	/* refused; read on */
	if (strnlen(info.name, IFNAMSIZ) >= IFNAMSIZ || !info.name[0] ||
	    info.ifindex <= 0)
		__builtin_trap();
	return NL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	NL_BUFFER(buf, NL_SOCKET_BUFFER_SIZE);
	int r;

	if (size > sizeof(buf))
		return 0;
	/* The kernel's datagrams arrive aligned. */
	memcpy(buf, data, size);
	r = nl_cb_run(buf, size, 7, 4242, each_link, NULL);
	if (r != NL_CB_OK && r != NL_CB_STOP && r >= 0)
		__builtin_trap();
	return 0;
}
