// SPDX-License-Identifier: MIT
/*
 * rtnetlink: the builders write only inside their buffer, replies are
 * read with the kernel's framing (several messages a datagram, done,
 * acknowledgement, error, another sequence number or port), link_parse()
 * over a table of good and bad RTM_NEWLINK messages and every truncation,
 * and, as the independent reference, a real dump of this host's
 * interfaces compared with if_nameindex().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/if_arp.h>
#include <linux/rtnetlink.h>

#include "lib/clock.h"
#include "lib/util.h"
#include "net/link.h"
#include "net/nl.h"

#define SEQ 7
#define PORT 4242

static const uint8_t hw[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static void test_put(void **state)
{
	NL_BUFFER(buf, 64);
	struct nlmsghdr *nlh = nl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	const struct nlattr *attr;

	assert_int_equal(nlh->nlmsg_len, 16);
	ifi = nl_nlmsg_put_extra_header_check(nlh, sizeof(buf), sizeof(*ifi));
	assert_non_null(ifi);
	assert_int_equal(nlh->nlmsg_len, 32);
	assert_true(nl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME,
					   "eth0"));
	/* 4 + 5 bytes, padded to 12. */
	assert_int_equal(nlh->nlmsg_len, 44);
	attr = (const struct nlattr *)(buf + 32);
	assert_int_equal(attr->nla_len, 9);
	assert_int_equal(nl_attr_get_type(attr), IFLA_IFNAME);
	assert_string_equal(nl_attr_get_payload(attr), "eth0");
	assert_int_equal(buf[41] | buf[42] | buf[43], 0);
	assert_true(nl_attr_put_u32_check(nlh, sizeof(buf), IFLA_MTU, 1500));
	assert_int_equal(nlh->nlmsg_len, 52);
	/* 12 bytes left: a u32 fits, a 9-byte attribute does not. */
	assert_false(nl_attr_put_check(nlh, sizeof(buf), 1, 9, "12345678"));
	assert_int_equal(nlh->nlmsg_len, 52);
	assert_true(nl_attr_put_check(nlh, sizeof(buf), 1, 8, "1234567"));
	assert_int_equal(nlh->nlmsg_len, 64);
	assert_false(nl_attr_put_u8_check(nlh, sizeof(buf), 2, 1));
	assert_null(nl_nlmsg_put_extra_header_check(nlh, sizeof(buf), 1));
	assert_false(nl_attr_put_check(nlh, 1 << 20, 1, 70000, buf));
}

/* A RTM_NEWLINK into buf at *off, as the kernel sends it. */
struct link_spec {
	int index;
	unsigned flags;
	uint16_t type;
	const char *name;	/* NULL: no IFLA_IFNAME */
	size_t name_len;	/* bytes of it put, NUL included */
	size_t hw_len;
	size_t mtu_len;
	uint8_t carrier;	/* 2: none */
};

static struct nlmsghdr *put_link(uint8_t *buf, size_t size,
				 const struct link_spec *s)
{
	struct nlmsghdr *nlh = nl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	uint32_t mtu[2] = { 1500, 0 };

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORT;
	nlh->nlmsg_flags = NLM_F_MULTI;
	ifi = nl_nlmsg_put_extra_header_check(nlh, size, sizeof(*ifi));
	ifi->ifi_index = s->index;
	ifi->ifi_flags = s->flags;
	ifi->ifi_type = s->type;
	if (s->name)
		assert_true(nl_attr_put_check(nlh, size, IFLA_IFNAME,
					      s->name_len, s->name));
	if (s->hw_len)
		assert_true(nl_attr_put_check(nlh, size, IFLA_ADDRESS,
					      s->hw_len, hw));
	if (s->mtu_len)
		assert_true(nl_attr_put_check(nlh, size, IFLA_MTU, s->mtu_len,
					      mtu));
	assert_true(nl_attr_put_u8_check(nlh, size, IFLA_OPERSTATE,
					 IF_OPER_UP));
	if (s->carrier != 2)
		assert_true(nl_attr_put_u8_check(nlh, size, IFLA_CARRIER,
						 s->carrier));
	return nlh;
}

struct link_case {
	const char *what;
	struct link_spec spec;
	int want;
};

static const struct link_case links[] = {
	{ "ethernet", { 2, IFF_UP | IFF_LOWER_UP, ARPHRD_ETHER, "eth0", 5, 6,
			4, 2 }, 0 },
	{ "carrier attribute", { 2, IFF_UP, ARPHRD_ETHER, "eth0", 5, 6, 4,
				 1 }, 0 },
	{ "loopback hw length", { 1, IFF_LOOPBACK, ARPHRD_LOOPBACK, "lo", 3,
				  5, 4, 2 }, 0 },
	{ "name of 15", { 3, 0, ARPHRD_ETHER, "0123456789abcde", 16, 6, 4,
			  2 }, 0 },
	{ "name of 16", { 3, 0, ARPHRD_ETHER, "0123456789abcdef", 17, 6, 4,
			  2 }, -EBADMSG },
	{ "name without NUL", { 3, 0, ARPHRD_ETHER, "eth0", 4, 6, 4, 2 },
	  -EBADMSG },
	{ "empty name", { 3, 0, ARPHRD_ETHER, "", 1, 6, 4, 2 }, -EBADMSG },
	{ "no name", { 3, 0, ARPHRD_ETHER, NULL, 0, 6, 4, 2 }, -EBADMSG },
	{ "ether hw of 5", { 3, 0, ARPHRD_ETHER, "eth0", 5, 5, 4, 2 },
	  -EBADMSG },
	{ "mtu of 8", { 3, 0, ARPHRD_ETHER, "eth0", 5, 6, 8, 2 }, -EBADMSG },
	{ "index 0", { 0, 0, ARPHRD_ETHER, "eth0", 5, 6, 4, 2 }, -EBADMSG },
	{ "index -1", { -1, 0, ARPHRD_ETHER, "eth0", 5, 6, 4, 2 }, -EBADMSG },
};

static void test_link_parse(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		const struct link_case *c = &links[i];
		NL_BUFFER(buf, 256);
		struct nlmsghdr *nlh = put_link(buf, sizeof(buf), &c->spec);
		struct link_info info;
		int r = link_parse(nlh, &info);

		if (r != c->want)
			fail_msg("%s: %d", c->what, r);
		if (r < 0)
			continue;
		assert_int_equal(info.ifindex, c->spec.index);
		assert_string_equal(info.name, c->spec.name);
		assert_int_equal(info.mtu, 1500);
		assert_int_equal(info.operstate, IF_OPER_UP);
		assert_int_equal(info.has_hwaddr, c->spec.type == ARPHRD_ETHER);
		if (info.has_hwaddr)
			assert_memory_equal(info.hwaddr, hw, 6);
		assert_int_equal(info.carrier,
				 (c->spec.flags & IFF_LOWER_UP) ||
				 c->spec.carrier == 1);
	}
}

/* Attributes that do not fill the message exactly. */
static void test_link_parse_framing(void **state)
{
	struct link_spec s = { 2, 0, ARPHRD_ETHER, "eth0", 5, 6, 4, 2 };
	NL_BUFFER(buf, 256);
	struct nlmsghdr *nlh = put_link(buf, sizeof(buf), &s);
	struct link_info info;
	struct nlattr *name = (struct nlattr *)(buf + 32);
	uint32_t len = nlh->nlmsg_len;

	assert_int_equal(link_parse(nlh, &info), 0);
	/* An attribute claiming more than is left. */
	name->nla_len = (uint16_t)(len - 32 + 1);
	assert_int_equal(link_parse(nlh, &info), -EBADMSG);
	/* One shorter than its header. */
	name->nla_len = 3;
	assert_int_equal(link_parse(nlh, &info), -EBADMSG);
	name->nla_len = 9;
	/* A message cut inside an attribute. */
	for (uint32_t l = 16; l < len; l++) {
		nlh->nlmsg_len = l;
		if (link_parse(nlh, &info) == 0)
			assert_true(l >= 41);	/* the name whole */
	}
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = RTM_DELLINK;
	assert_int_equal(link_parse(nlh, &info), -EBADMSG);
}

/* A dump's datagram: links, then done; acks and errors. */
struct collect {
	unsigned links;
	int fail_at;
};

static int collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	struct link_info info;
	int r = link_parse(nlh, &info);

	if (r < 0)
		return r;
	if (++c->links == (unsigned)c->fail_at)
		return -ECANCELED;
	return NL_CB_OK;
}

static size_t put_done(uint8_t *buf, uint16_t type, int error)
{
	struct nlmsghdr *nlh = nl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORT;
	e = nl_nlmsg_put_extra_header_check(nlh, 64, sizeof(*e));
	e->error = error;
	return nlh->nlmsg_len;
}

static void test_cb_run(void **state)
{
	struct link_spec s = { 2, 0, ARPHRD_ETHER, "eth0", 5, 6, 4, 2 };
	NL_BUFFER(buf, 1024);
	struct collect c = { 0, 0 };
	size_t len = 0, one;

	put_link(buf, sizeof(buf), &s);
	one = NLMSG_ALIGN(((struct nlmsghdr *)buf)->nlmsg_len);
	len = one;
	put_link(buf + len, sizeof(buf) - len, &s);
	len += one;
	assert_int_equal(nl_cb_run(buf, len, SEQ, PORT, collect_cb, &c),
			 NL_CB_OK);
	assert_int_equal(c.links, 2);
	len += put_done(buf + len, NLMSG_DONE, 0);
	c.links = 0;
	assert_int_equal(nl_cb_run(buf, len, SEQ, PORT, collect_cb, &c),
			 NL_CB_STOP);
	assert_int_equal(c.links, 2);
	/* The callback stops it. */
	c.links = 0;
	c.fail_at = 1;
	assert_int_equal(nl_cb_run(buf, len, SEQ, PORT, collect_cb, &c),
			 -ECANCELED);
	/* Another sequence number or port: not ours. */
	assert_int_equal(nl_cb_run(buf, len, SEQ + 1, PORT, NULL, NULL),
			 -EPROTO);
	assert_int_equal(nl_cb_run(buf, len, SEQ, PORT + 1, NULL, NULL),
			 -ESRCH);
	/* A dump interrupted by a change. */
	((struct nlmsghdr *)buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	assert_int_equal(nl_cb_run(buf, len, SEQ, PORT, NULL, NULL), -EINTR);
	((struct nlmsghdr *)buf)->nlmsg_flags &= ~NLM_F_DUMP_INTR;
	/* Every cut is refused, or ends early with what was whole. */
	for (size_t i = 1; i < len; i++) {
		int r = nl_cb_run(buf, i, SEQ, PORT, NULL, NULL);

		assert_true(r == -EBADMSG || (r == NL_CB_OK &&
					      (i == one || i == 2 * one)));
	}
	/* Acknowledgement, error, and a truncated error. */
	len = put_done(buf, NLMSG_ERROR, 0);
	assert_int_equal(nl_cb_run(buf, len, SEQ, PORT, NULL, NULL),
			 NL_CB_STOP);
	len = put_done(buf, NLMSG_ERROR, -EPERM);
	assert_int_equal(nl_cb_run(buf, len, SEQ, PORT, NULL, NULL), -EPERM);
	len = put_done(buf, NLMSG_ERROR, 5);
	assert_int_equal(nl_cb_run(buf, len, SEQ, PORT, NULL, NULL),
			 -EBADMSG);
	len = put_done(buf, NLMSG_ERROR, -EPERM);
	((struct nlmsghdr *)buf)->nlmsg_len = 20;
	assert_int_equal(nl_cb_run(buf, 20, SEQ, PORT, NULL, NULL), -EBADMSG);
	/* A header claiming less than itself. */
	((struct nlmsghdr *)buf)->nlmsg_len = 8;
	assert_int_equal(nl_cb_run(buf, 16, SEQ, PORT, NULL, NULL), -EBADMSG);
}

/* The kernel's own answer: this host's (or namespace's) interfaces. */
static void test_kernel(void **state)
{
	struct nl_socket nl;
	struct link_info list[LINK_MAX];
	struct if_nameindex *names, *n;
	struct error err;
	size_t count = 0, ether = 0;

	assert_int_equal(nl_socket_open(&nl), 0);
	error_clear(&err);
	assert_int_equal(link_list(&nl, list, LINK_MAX, &count,
				   clock_deadline_ms(5000), &err), 0);
	names = if_nameindex();
	assert_non_null(names);
	for (n = names; n->if_index; n++) {
		struct link_info info;

		memset(&info, 0, sizeof(info));
		info.ifindex = (int)n->if_index;
		assert_int_equal(link_get(&nl, info.ifindex, &info,
					  clock_deadline_ms(5000), &err), 0);
		assert_string_equal(info.name, n->if_name);
		if (info.type == ARPHRD_ETHER && !(info.flags & IFF_LOOPBACK))
			ether++;
	}
	if_freenameindex(names);
	assert_int_equal(count, ether < LINK_MAX ? ether : LINK_MAX);
	/* An index that does not exist. */
	{
		struct link_info info = { .ifindex = 999999, .name = "" };

		assert_int_equal(link_get(&nl, 999999, &info,
					  clock_deadline_ms(5000), &err),
				 -ENODEV);
		assert_string_equal(err.what, "interface 999999");
	}
	nl_socket_close(&nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_link_parse),
		cmocka_unit_test(test_link_parse_framing),
		cmocka_unit_test(test_cb_run),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
