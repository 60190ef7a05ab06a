/* SPDX-License-Identifier: MIT */
/*
 * URL parser: valid forms with their parts and canonical text, invalid
 * forms with the reason's error code, truncation at every offset, and
 * Location resolution against a base.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/util.h"
#include "net/url.h"

struct valid_case {
	const char *in;
	const char *canonical;
	bool https;
	enum url_host_kind kind;
	const char *host;
	unsigned port;
	const char *path;
};

static const struct valid_case valid[] = {
	{ "http://registry.example", "http://registry.example/", false,
	  URL_HOST_NAME, "registry.example", 80, "/" },
	{ "HTTPS://Registry.Example:443/v2/", "https://registry.example/v2/",
	  true, URL_HOST_NAME, "registry.example", 443, "/v2/" },
	{ "http://127.0.0.1:5000/v2/a/b/blobs/sha256:00",
	  "http://127.0.0.1:5000/v2/a/b/blobs/sha256:00", false,
	  URL_HOST_IPV4, "127.0.0.1", 5000, "/v2/a/b/blobs/sha256:00" },
	{ "https://[::1]:8443/x", "https://[::1]:8443/x", true, URL_HOST_IPV6,
	  "::1", 8443, "/x" },
	{ "http://[2001:DB8::0:1]/", "http://[2001:db8::1]/", false,
	  URL_HOST_IPV6, "2001:db8::1", 80, "/" },
	{ "http://h:80", "http://h/", false, URL_HOST_NAME, "h", 80, "/" },
	{ "https://h:80/", "https://h:80/", true, URL_HOST_NAME, "h", 80,
	  "/" },
	{ "http://s3.example/b/k?X-Amz-Signature=ab%2Fcd&x=1",
	  "http://s3.example/b/k?X-Amz-Signature=ab%2Fcd&x=1", false,
	  URL_HOST_NAME, "s3.example", 80, "/b/k?X-Amz-Signature=ab%2Fcd&x=1" },
	{ "http://h?q=1", "http://h/?q=1", false, URL_HOST_NAME, "h", 80,
	  "/?q=1" },
	{ "http://a-b.c1.example/~u/(x)!$&'*+,;=:@",
	  "http://a-b.c1.example/~u/(x)!$&'*+,;=:@", false, URL_HOST_NAME,
	  "a-b.c1.example", 80, "/~u/(x)!$&'*+,;=:@" },
	{ "http://1a/", "http://1a/", false, URL_HOST_NAME, "1a", 80, "/" },
	{ "http://h:65535/", "http://h:65535/", false, URL_HOST_NAME, "h",
	  65535, "/" },
};

struct invalid_case {
	const char *in;
	int code;
};

static const struct invalid_case invalid[] = {
	{ "", -OCIBOOT_EMALFORMED },
	{ "ftp://h/", -OCIBOOT_EMALFORMED },
	{ "http:/h/", -OCIBOOT_EMALFORMED },
	{ "http://", -OCIBOOT_EMALFORMED },
	{ "http:///x", -OCIBOOT_EMALFORMED },
	{ "http://user@h/", -OCIBOOT_EMALFORMED },
	{ "http://user:pw@h/", -OCIBOOT_EMALFORMED },
	{ "http://h:0/", -OCIBOOT_EMALFORMED },
	{ "http://h:65536/", -OCIBOOT_EMALFORMED },
	{ "http://h:/", -OCIBOOT_EMALFORMED },
	{ "http://h:8a/", -OCIBOOT_EMALFORMED },
	{ "http://h:+80/", -OCIBOOT_EMALFORMED },
	{ "http://h:000080/", -OCIBOOT_EMALFORMED },
	{ "http://h./", -OCIBOOT_EMALFORMED },
	{ "http://.h/", -OCIBOOT_EMALFORMED },
	{ "http://a..b/", -OCIBOOT_EMALFORMED },
	{ "http://-a/", -OCIBOOT_EMALFORMED },
	{ "http://a-/", -OCIBOOT_EMALFORMED },
	{ "http://a_b/", -OCIBOOT_EMALFORMED },
	{ "http://1.2.3/", -OCIBOOT_EMALFORMED },
	{ "http://1.2.3.256/", -OCIBOOT_EMALFORMED },
	{ "http://01.2.3.4/", -OCIBOOT_EMALFORMED },
	{ "http://[::1/", -OCIBOOT_EMALFORMED },
	{ "http://[::g]/", -OCIBOOT_EMALFORMED },
	{ "http://[fe80::1%eth0]/", -OCIBOOT_EMALFORMED },
	{ "http://[::1]x/", -OCIBOOT_EMALFORMED },
	{ "http://h/a b", -OCIBOOT_EMALFORMED },
	{ "http://h/a#frag", -OCIBOOT_EMALFORMED },
	{ "http://h#frag", -OCIBOOT_EMALFORMED },
	{ "http://h/%", -OCIBOOT_EMALFORMED },
	{ "http://h/%4", -OCIBOOT_EMALFORMED },
	{ "http://h/%4g", -OCIBOOT_EMALFORMED },
	{ "http://h/\x7f", -OCIBOOT_EMALFORMED },
	{ "http://h/\r\nX: y", -OCIBOOT_EMALFORMED },
	{ "http://h/\"", -OCIBOOT_EMALFORMED },
	{ "http://h/<>", -OCIBOOT_EMALFORMED },
	{ "http://h/\xc3\xa9", -OCIBOOT_EMALFORMED },
	{ "http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaa.b/", -OCIBOOT_ETOOBIG },
};

static void test_valid(void **state)
{
	char text[URL_STR_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(valid); i++) {
		const struct valid_case *t = &valid[i];
		const char *reason = NULL;
		struct url u, again;

		if (url_parse(t->in, strlen(t->in), &u, &reason) != 0)
			fail_msg("%s: %s", t->in, reason);
		assert_int_equal(u.https, t->https);
		assert_int_equal(u.host_kind, t->kind);
		assert_string_equal(u.host, t->host);
		assert_int_equal(u.port, t->port);
		assert_string_equal(u.path, t->path);
		assert_int_equal(url_format(&u, text, sizeof(text)),
				 strlen(t->canonical));
		assert_string_equal(text, t->canonical);
		assert_int_equal(url_parse(text, strlen(text), &again,
					   &reason), 0);
		assert_true(url_equal(&u, &again));
	}
}

static void test_invalid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		const char *reason = NULL;
		struct url u;
		int r;

		memset(&u, 0x5a, sizeof(u));
		r = url_parse(invalid[i].in, strlen(invalid[i].in), &u,
			      &reason);
		if (r != invalid[i].code)
			fail_msg("%s: %d, want %d", invalid[i].in, r,
				 invalid[i].code);
		assert_non_null(reason);
		assert_true(reason[0] != '\0');
		assert_int_equal(((uint8_t *)&u)[0], 0x5a);
	}
}

static void test_nul_and_long(void **state)
{
	static char big[URL_STR_MAX + 16];
	const char *reason;
	struct url u;

	assert_int_equal(url_parse("http://h/\0x", 11, &u, &reason),
			 -OCIBOOT_EMALFORMED);
	memcpy(big, "http://h/", 9);
	memset(big + 9, 'a', sizeof(big) - 9);
	assert_int_equal(url_parse(big, sizeof(big), &u, &reason),
			 -OCIBOOT_ETOOBIG);
	assert_int_equal(url_parse(big, 8 + URL_PATH_MAX, &u, &reason), 0);
	assert_int_equal(url_parse(big, 8 + URL_PATH_MAX + 1, &u, &reason),
			 -OCIBOOT_ETOOBIG);
}

/* Every prefix of a valid URL either parses or is refused with a reason. */
static void test_truncation(void **state)
{
	static const char full[] = "https://[2001:db8::1]:8443/v2/r/x?a=%20";

	for (size_t n = 0; n <= strlen(full); n++) {
		const char *reason = NULL;
		struct url u;
		int r = url_parse(full, n, &u, &reason);

		if (r < 0)
			assert_non_null(reason);
		else
			assert_true(n >= strlen("https://[2001:db8::1]"));
	}
}

struct resolve_case {
	const char *base, *location, *want;	/* want NULL: refused */
};

static const struct resolve_case resolves[] = {
	{ "http://r:5000/v2/a/blobs/x", "http://s3:9000/b?sig=1",
	  "http://s3:9000/b?sig=1" },
	{ "https://r/v2/", "/v2/a/blobs/uploads/1",
	  "https://r/v2/a/blobs/uploads/1" },
	{ "http://r:5000/v2/", "/x", "http://r:5000/x" },
	{ "https://r/v2/", "//cdn.example/x", "https://cdn.example/x" },
	{ "http://[::1]:1/", "/y", "http://[::1]:1/y" },
	{ "http://r/v2/", "x/y", NULL },
	{ "http://r/v2/", "../y", NULL },
	{ "http://r/v2/", "", NULL },
	{ "http://r/v2/", "ftp://x/", NULL },
	{ "http://r/v2/", "/a b", NULL },
};

static void test_resolve(void **state)
{
	char text[URL_STR_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(resolves); i++) {
		const struct resolve_case *t = &resolves[i];
		const char *reason = NULL;
		struct url base, out;
		int r;

		assert_int_equal(url_parse(t->base, strlen(t->base), &base,
					   &reason), 0);
		r = url_resolve(&base, t->location, strlen(t->location), &out,
				&reason);
		if (!t->want) {
			assert_true(r < 0);
			assert_non_null(reason);
			continue;
		}
		if (r != 0)
			fail_msg("%s: %s", t->location, reason);
		url_format(&out, text, sizeof(text));
		assert_string_equal(text, t->want);
	}
}

static void test_origin_and_host_header(void **state)
{
	const char *reason;
	struct url a, b, c;
	char host[URL_STR_MAX];

	assert_int_equal(url_parse("http://h:5000/a", 15, &a, &reason), 0);
	assert_int_equal(url_parse("http://H:5000/b", 15, &b, &reason), 0);
	assert_int_equal(url_parse("https://h:5000/a", 16, &c, &reason), 0);
	assert_true(url_same_origin(&a, &b));
	assert_false(url_equal(&a, &b));
	assert_false(url_same_origin(&a, &c));
	url_host_header(&a, host, sizeof(host));
	assert_string_equal(host, "h:5000");
	assert_int_equal(url_parse("https://[::1]/", 14, &c, &reason), 0);
	url_host_header(&c, host, sizeof(host));
	assert_string_equal(host, "[::1]");
	assert_int_equal(url_format(&a, host, 8), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_nul_and_long),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_origin_and_host_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
