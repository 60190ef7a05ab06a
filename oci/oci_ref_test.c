/* SPDX-License-Identifier: MIT */
/*
 * oci= location parser: valid and invalid forms, truncation at every offset,
 * round trips through the canonical form, and the grammar checked against
 * independent references (POSIX regex for the distribution-spec patterns,
 * inet_pton/inet_ntop for addresses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_ref.h"
#include "lib/util.h"

#define DIGEST_HEX \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct valid_case {
	const char *in;
	const char *canonical;
	enum oci_location_kind kind;
	const char *host;		/* registry host, or device value */
	unsigned port;
	const char *where;		/* repository, or device path */
	const char *tag;		/* NULL when by digest */
};

static const struct valid_case valid[] = {
	{ "dhcp", "dhcp", OCI_LOCATION_DHCP, NULL, 0, NULL, NULL },
	{ "http://registry.example/foo", "http://registry.example/foo:latest",
	  OCI_LOCATION_REGISTRY, "registry.example", 80, "foo", "latest" },
	{ "https://Registry.Example/foo/bar:v1.2",
	  "https://registry.example/foo/bar:v1.2",
	  OCI_LOCATION_REGISTRY, "registry.example", 443, "foo/bar", "v1.2" },
	{ "http://10.0.2.100:5000/ociboot/system:prod",
	  "http://10.0.2.100:5000/ociboot/system:prod",
	  OCI_LOCATION_REGISTRY, "10.0.2.100", 5000, "ociboot/system", "prod" },
	{ "http://h:80/r:latest", "http://h/r:latest",
	  OCI_LOCATION_REGISTRY, "h", 80, "r", "latest" },
	{ "https://h:80/r", "https://h:80/r:latest",
	  OCI_LOCATION_REGISTRY, "h", 80, "r", "latest" },
	{ "http://h:443/r", "http://h:443/r:latest",
	  OCI_LOCATION_REGISTRY, "h", 443, "r", "latest" },
	{ "http://localhost:65535/a", "http://localhost:65535/a:latest",
	  OCI_LOCATION_REGISTRY, "localhost", 65535, "a", "latest" },
	{ "https://[::1]:8443/x/y@sha256:" DIGEST_HEX,
	  "https://[::1]:8443/x/y@sha256:" DIGEST_HEX,
	  OCI_LOCATION_REGISTRY, "::1", 8443, "x/y", NULL },
	{ "http://[2001:DB8:0:0:1:0:0:1]/r",
	  "http://[2001:db8::1:0:0:1]/r:latest",
	  OCI_LOCATION_REGISTRY, "2001:db8::1:0:0:1", 80, "r", "latest" },
	{ "http://[::ffff:192.0.2.1]/r", "http://[::ffff:c000:201]/r:latest",
	  OCI_LOCATION_REGISTRY, "::ffff:c000:201", 80, "r", "latest" },
	{ "http://[1:2:3:4:5:6:7:8]/r", "http://[1:2:3:4:5:6:7:8]/r:latest",
	  OCI_LOCATION_REGISTRY, "1:2:3:4:5:6:7:8", 80, "r", "latest" },
	{ "http://[1::]/r", "http://[1::]/r:latest",
	  OCI_LOCATION_REGISTRY, "1::", 80, "r", "latest" },
	{ "http://[1:0:0:2:0:0:0:3]/r", "http://[1:0:0:2::3]/r:latest",
	  OCI_LOCATION_REGISTRY, "1:0:0:2::3", 80, "r", "latest" },
	{ "http://h/a.b_c__d--e/f-g:_T.a-g", "http://h/a.b_c__d--e/f-g:_T.a-g",
	  OCI_LOCATION_REGISTRY, "h", 80, "a.b_c__d--e/f-g", "_T.a-g" },
	{ "http://my-host.example.com/r", "http://my-host.example.com/r:latest",
	  OCI_LOCATION_REGISTRY, "my-host.example.com", 80, "r", "latest" },
	{ "http://0.0.0.0/r", "http://0.0.0.0/r:latest",
	  OCI_LOCATION_REGISTRY, "0.0.0.0", 80, "r", "latest" },
	{ "http://h1/r", "http://h1/r:latest",
	  OCI_LOCATION_REGISTRY, "h1", 80, "r", "latest" },
	{ "LABEL=ociboot:/oci", "LABEL=ociboot:/oci:latest",
	  OCI_LOCATION_DEVICE, "ociboot", 0, "/oci", "latest" },
	{ "PARTLABEL=store-A_1.x:/var/lib/oci:stable",
	  "PARTLABEL=store-A_1.x:/var/lib/oci:stable",
	  OCI_LOCATION_DEVICE, "store-A_1.x", 0, "/var/lib/oci", "stable" },
	{ "UUID=0a1B-C2d3:/:v1", "UUID=0a1B-C2d3:/:v1",
	  OCI_LOCATION_DEVICE, "0a1B-C2d3", 0, "/", "v1" },
	{ "PARTUUID=8c8f8eff-ac95-4770-814a-55aaf1c70a38:/layout@sha256:"
	  DIGEST_HEX,
	  "PARTUUID=8c8f8eff-ac95-4770-814a-55aaf1c70a38:/layout@sha256:"
	  DIGEST_HEX,
	  OCI_LOCATION_DEVICE, "8c8f8eff-ac95-4770-814a-55aaf1c70a38", 0,
	  "/layout", NULL },
	{ "LABEL=a:/..a/.b/c..:t", "LABEL=a:/..a/.b/c..:t",
	  OCI_LOCATION_DEVICE, "a", 0, "/..a/.b/c..", "t" },
};

struct invalid_case {
	const char *in;
	int err;
	const char *reason;	/* a substring of the reason */
};

static const struct invalid_case invalid[] = {
	{ "", -OCIBOOT_EMALFORMED, "empty" },
	{ "DHCP", -OCIBOOT_EMALFORMED, "not http" },
	{ "dhcp ", -OCIBOOT_EMALFORMED, "not http" },
	{ "registry.example/foo", -OCIBOOT_EMALFORMED, "not http" },
	{ "ftp://h/r", -OCIBOOT_EMALFORMED, "scheme" },
	{ "HTTP://h/r", -OCIBOOT_EMALFORMED, "scheme" },
	{ "http://h", -OCIBOOT_EMALFORMED, "missing /REPOSITORY" },
	{ "http:///r", -OCIBOOT_EMALFORMED, "host is empty" },
	{ "http://h/", -OCIBOOT_EMALFORMED, "repository is empty" },
	{ "http://h/r/", -OCIBOOT_EMALFORMED, "empty path component" },
	{ "http://h//r", -OCIBOOT_EMALFORMED, "empty path component" },
	{ "http://h/Foo", -OCIBOOT_EMALFORMED, "lowercase" },
	{ "http://h/a..b", -OCIBOOT_EMALFORMED, "separate" },
	{ "http://h/a___b", -OCIBOOT_EMALFORMED, "separate" },
	{ "http://h/-a", -OCIBOOT_EMALFORMED, "separate" },
	{ "http://h/a-", -OCIBOOT_EMALFORMED, "separate" },
	{ "http://h/a.-b", -OCIBOOT_EMALFORMED, "separate" },
	{ "http://h/a b", -OCIBOOT_EMALFORMED, "character" },
	{ "http://h/a?x=1", -OCIBOOT_EMALFORMED, "character" },
	{ "http://h/r:", -OCIBOOT_EMALFORMED, "tag is empty" },
	{ "http://h/r:.x", -OCIBOOT_EMALFORMED, "tag must start" },
	{ "http://h/r:-x", -OCIBOOT_EMALFORMED, "tag must start" },
	{ "http://h/r:a/b", -OCIBOOT_EMALFORMED, "tag has a character" },
	{ "http://h/r:a:b", -OCIBOOT_EMALFORMED, "tag has a character" },
	{ "http://h/r:t@sha256:" DIGEST_HEX, -OCIBOOT_EMALFORMED,
	  "not both" },
	{ "http://h/r@sha512:" DIGEST_HEX, -OCIBOOT_EMALFORMED, "sha256:" },
	{ "http://h/r@sha256:" "0123", -OCIBOOT_EMALFORMED, "64 lowercase" },
	{ "http://h/r@sha256:"
	  "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	  -OCIBOOT_EMALFORMED, "64 lowercase" },
	{ "http://h/r@sha256:" DIGEST_HEX "0", -OCIBOOT_EMALFORMED,
	  "64 lowercase" },
	{ "http://h:0/r", -OCIBOOT_EMALFORMED, "port" },
	{ "http://h:65536/r", -OCIBOOT_EMALFORMED, "port" },
	{ "http://h:/r", -OCIBOOT_EMALFORMED, "port" },
	{ "http://h:080/r", -OCIBOOT_EMALFORMED, "port" },
	{ "http://h:8x/r", -OCIBOOT_EMALFORMED, "port" },
	{ "http://h:1:2/r", -OCIBOOT_EMALFORMED, "port" },
	{ "http://user@h/r", -OCIBOOT_EMALFORMED, "user names" },
	{ "http://user:pw@h/r", -OCIBOOT_EMALFORMED, "user names" },
	{ "http://-h/r", -OCIBOOT_EMALFORMED, "starts or ends" },
	{ "http://h-/r", -OCIBOOT_EMALFORMED, "starts or ends" },
	{ "http://h..x/r", -OCIBOOT_EMALFORMED, "empty label" },
	{ "http://h./r", -OCIBOOT_EMALFORMED, "empty label" },
	{ "http://h_x/r", -OCIBOOT_EMALFORMED, "character" },
	{ "http://1.2.3/r", -OCIBOOT_EMALFORMED, "IPv4" },
	{ "http://1.2.3.256/r", -OCIBOOT_EMALFORMED, "IPv4" },
	{ "http://01.2.3.4/r", -OCIBOOT_EMALFORMED, "IPv4" },
	{ "http://1.2.3.4.5/r", -OCIBOOT_EMALFORMED, "IPv4" },
	{ "http://[::1/r", -OCIBOOT_EMALFORMED, "without ']'" },
	{ "http://[::1]x/r", -OCIBOOT_EMALFORMED, "after ']'" },
	{ "http://[]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[fe80::1%25eth0]/r", -OCIBOOT_EMALFORMED, "zone" },
	{ "http://[1:2:3:4:5:6:7:8:9]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[1:2:3:4:5:6:7]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[1::2::3]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[1:2:3:4::5:6:7:8]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[:1::2]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[1::2:]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[12345::]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[::g]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[1:2:3:4:5:6:7:1.2.3.4]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[::1.2.3]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "http://[:::]/r", -OCIBOOT_EMALFORMED, "IPv6" },
	{ "label=x:/p", -OCIBOOT_EMALFORMED, "KEY" },
	{ "ID=x:/p", -OCIBOOT_EMALFORMED, "KEY" },
	{ "=x:/p", -OCIBOOT_EMALFORMED, "KEY" },
	{ "LABEL=x", -OCIBOOT_EMALFORMED, "missing :/PATH" },
	{ "LABEL=:/p", -OCIBOOT_EMALFORMED, "empty" },
	{ "LABEL=x:p", -OCIBOOT_EMALFORMED, "absolute" },
	{ "LABEL=x:", -OCIBOOT_EMALFORMED, "absolute" },
	{ "LABEL=a b:/p", -OCIBOOT_EMALFORMED, "label has a character" },
	{ "LABEL=a/b:/p", -OCIBOOT_EMALFORMED, "label has a character" },
	{ "UUID=xyz:/p", -OCIBOOT_EMALFORMED, "UUID" },
	{ "LABEL=x:/a/../b", -OCIBOOT_EMALFORMED, "'..'" },
	{ "LABEL=x:/..", -OCIBOOT_EMALFORMED, "'..'" },
	{ "LABEL=x:/a/./b", -OCIBOOT_EMALFORMED, "'..'" },
	{ "LABEL=x:/a//b", -OCIBOOT_EMALFORMED, "empty component" },
	{ "LABEL=x:/a/", -OCIBOOT_EMALFORMED, "empty component" },
	{ "LABEL=x:/a b", -OCIBOOT_EMALFORMED, "PATH has a character" },
	{ "LABEL=x:/a\\b", -OCIBOOT_EMALFORMED, "PATH has a character" },
	{ "LABEL=x:/p:", -OCIBOOT_EMALFORMED, "tag is empty" },
	{ "LABEL=x:/p@md5:00", -OCIBOOT_EMALFORMED, "sha256:" },
};

static void check_valid(const struct valid_case *c)
{
	struct oci_location loc, again;
	char buf[OCI_LOCATION_STR_MAX];
	const char *reason = NULL;
	int n;

	memset(&loc, 0xa5, sizeof(loc));
	n = oci_location_parse(c->in, strlen(c->in), &loc, &reason);
	if (n != 0)
		fail_msg("%s: %s", c->in, reason);
	assert_int_equal(loc.kind, c->kind);
	n = oci_location_format(&loc, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(c->canonical));
	assert_string_equal(buf, c->canonical);

	/* The canonical form parses back to the same structure. */
	assert_int_equal(oci_location_parse(buf, (size_t)n, &again, &reason),
			 0);
	assert_memory_equal(&loc, &again, sizeof(loc));

	if (c->kind == OCI_LOCATION_REGISTRY) {
		assert_string_equal(loc.registry.host, c->host);
		assert_int_equal(loc.registry.port, c->port);
		assert_string_equal(loc.registry.repository, c->where);
	} else if (c->kind == OCI_LOCATION_DEVICE) {
		assert_string_equal(loc.device.value, c->host);
		assert_string_equal(loc.device.path, c->where);
	}
	if (c->kind == OCI_LOCATION_DHCP)
		return;
	if (c->tag) {
		assert_false(loc.ref.by_digest);
		assert_string_equal(loc.ref.tag, c->tag);
	} else {
		char hex[SHA256_HEX_LEN + 1];

		assert_true(loc.ref.by_digest);
		assert_string_equal(loc.ref.tag, "");
		sha256_hex(loc.ref.digest, hex);
		assert_string_equal(hex, DIGEST_HEX);
	}
}

static void test_valid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid); i++)
		check_valid(&valid[i]);
}

static void test_invalid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		const struct invalid_case *c = &invalid[i];
		struct oci_location loc, untouched;
		const char *reason = NULL;
		int err;

		memset(&loc, 0x5a, sizeof(loc));
		memcpy(&untouched, &loc, sizeof(loc));
		err = oci_location_parse(c->in, strlen(c->in), &loc, &reason);
		if (err != c->err || !reason || !strstr(reason, c->reason))
			fail_msg("%s: got %d '%s', want %d '...%s...'", c->in,
				 err, reason ? reason : "(none)", c->err,
				 c->reason);
		assert_memory_equal(&loc, &untouched, sizeof(loc));
	}
}

/* A prefix either fails with a reason or parses and round-trips. */
static void check_prefix(const char *in, size_t len)
{
	struct oci_location loc, again;
	char buf[OCI_LOCATION_STR_MAX];
	const char *reason = NULL;
	char *copy = malloc(len ? len : 1);	/* exact size for ASan */
	int err, n;

	assert_non_null(copy);
	memcpy(copy, in, len);
	err = oci_location_parse(copy, len, &loc, &reason);
	if (err < 0) {
		assert_true(err == -OCIBOOT_EMALFORMED ||
			    err == -OCIBOOT_ETOOBIG);
		assert_non_null(reason);
		assert_true(strlen(reason) > 0);
	} else {
		assert_int_equal(err, 0);
		n = oci_location_format(&loc, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(oci_location_parse(buf, (size_t)n, &again,
						    &reason), 0);
		assert_memory_equal(&loc, &again, sizeof(loc));
	}
	free(copy);
}

static void test_truncation(void **state)
{
	size_t ok = 0;

	for (size_t i = 0; i < ARRAY_SIZE(valid); i++) {
		const char *in = valid[i].in;

		for (size_t len = 0; len <= strlen(in); len++)
			check_prefix(in, len);
		ok++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		const char *in = invalid[i].in;

		for (size_t len = 0; len <= strlen(in); len++)
			check_prefix(in, len);
	}
	assert_int_equal(ok, ARRAY_SIZE(valid));

	/* Specific prefixes that must fail. */
	{
		struct oci_location loc;
		const char *reason;

		assert_int_equal(oci_location_parse("http://h/r", 8, &loc,
						    &reason),
				 -OCIBOOT_EMALFORMED);
		assert_int_equal(oci_location_parse("dhcp", 3, &loc, &reason),
				 -OCIBOOT_EMALFORMED);
		assert_int_equal(oci_location_parse("https://h/r", 9, &loc,
						    &reason),
				 -OCIBOOT_EMALFORMED);
	}
}

static void test_limits(void **state)
{
	char in[OCI_LOCATION_MAX + 64], label[80];
	struct oci_location loc;
	const char *reason;

	/* A NUL byte inside the given length is refused. */
	assert_int_equal(oci_location_parse("dhcp\0", 5, &loc, &reason),
			 -OCIBOOT_EMALFORMED);
	assert_non_null(strstr(reason, "NUL"));

	memset(in, 'a', sizeof(in));
	assert_int_equal(oci_location_parse(in, OCI_LOCATION_MAX + 1, &loc,
					    &reason), -OCIBOOT_ETOOBIG);

	/* Tag of exactly 128 characters, then 129. */
	snprintf(in, sizeof(in), "http://h/r:%0128d", 0);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason), 0);
	assert_int_equal(strlen(loc.ref.tag), OCI_TAG_MAX);
	snprintf(in, sizeof(in), "http://h/r:%0129d", 0);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason),
			 -OCIBOOT_ETOOBIG);

	/* Repository of 255 characters, then 256. */
	snprintf(in, sizeof(in), "http://h/%0255d", 0);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason), 0);
	snprintf(in, sizeof(in), "http://h/%0256d", 0);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason),
			 -OCIBOOT_ETOOBIG);

	/* DNS label of 63, then 64. */
	memset(label, 'x', 64);
	label[63] = '\0';
	snprintf(in, sizeof(in), "http://%s/r", label);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason), 0);
	label[63] = 'x';
	label[64] = '\0';
	snprintf(in, sizeof(in), "http://%s/r", label);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason),
			 -OCIBOOT_ETOOBIG);

	/* Host of 253 characters (63.63.63.61), then 255. */
	memset(label, 'x', 63);
	label[63] = '\0';
	snprintf(in, sizeof(in), "http://%s.%s.%s.%.61s/r", label, label,
		 label, label);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason), 0);
	assert_int_equal(strlen(loc.registry.host), OCI_HOST_MAX);
	snprintf(in, sizeof(in), "http://%s.%s.%s.%.63s/r", label, label,
		 label, label);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason),
			 -OCIBOOT_ETOOBIG);

	/* Device value of 64, then 65. */
	snprintf(in, sizeof(in), "LABEL=%064d:/p", 0);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason), 0);
	snprintf(in, sizeof(in), "LABEL=%065d:/p", 0);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason),
			 -OCIBOOT_ETOOBIG);

	/* Path depth of 32, then 33. */
	strcpy(in, "LABEL=x:");
	for (int i = 0; i < 32; i++)
		strcat(in, "/a");
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason), 0);
	strcat(in, "/a");
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason),
			 -OCIBOOT_ETOOBIG);

	/* Path of 255, then 256. */
	snprintf(in, sizeof(in), "LABEL=x:/%0254d", 0);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason), 0);
	snprintf(in, sizeof(in), "LABEL=x:/%0255d", 0);
	assert_int_equal(oci_location_parse(in, strlen(in), &loc, &reason),
			 -OCIBOOT_ETOOBIG);
}

static void test_format_errors(void **state)
{
	struct oci_location loc;
	const char *reason;
	char small[8];

	assert_int_equal(oci_location_parse("http://h/r", 10, &loc, &reason),
			 0);
	/* "http://h/r:latest" is 17 characters: 17 bytes is one short. */
	{
		char buf[18];

		assert_int_equal(oci_location_format(&loc, buf, 17), -ENOSPC);
		assert_int_equal(oci_location_format(&loc, buf, 18), 17);
		assert_string_equal(buf, "http://h/r:latest");
	}
	assert_int_equal(oci_location_format(&loc, small, 0), -ENOSPC);
	assert_int_equal(oci_location_format(&loc, small, sizeof(small)),
			 -ENOSPC);
	loc.kind = (enum oci_location_kind)42;
	assert_int_equal(oci_location_format(&loc, small, sizeof(small)),
			 -EINVAL);
	assert_null(oci_device_key_name((enum oci_device_key)4));
	assert_string_equal(oci_device_key_name(OCI_DEVICE_PARTUUID),
			    "PARTUUID");
}

/* --- against independent references ---------------------------------- */

/* Deterministic generator so failures reproduce. */
static uint32_t rng = 12345;

static uint32_t next_random(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 16;
}

static void random_string(char *out, size_t max, const char *alphabet)
{
	size_t n = 1 + next_random() % max, k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[next_random() % k];
	out[n] = '\0';
}

static bool regex_matches(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

/* The distribution-spec grammar, verbatim, through POSIX ERE. */
static void test_repository_against_regex(void **state)
{
	static const char name_re[] =
		"^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*"
		"(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$";
	regex_t re;
	size_t accepted = 0, rejected = 0;

	assert_int_equal(regcomp(&re, name_re, REG_EXTENDED | REG_NOSUB), 0);
	for (int i = 0; i < 200000; i++) {
		char repo[24], in[64];
		struct oci_location loc;
		const char *reason;
		bool ours, ref;

		random_string(repo, 12, "ab0._-/A");
		snprintf(in, sizeof(in), "http://h/%s", repo);
		ours = oci_location_parse(in, strlen(in), &loc, &reason) == 0;
		ref = regex_matches(&re, repo);
		if (ours != ref)
			fail_msg("repository '%s': ours %d, regex %d", repo,
				 ours, ref);
		accepted += ours;
		rejected += !ours;
	}
	regfree(&re);
	/* Both outcomes were exercised. */
	assert_true(accepted > 1000 && rejected > 1000);
}

static void test_tag_against_regex(void **state)
{
	regex_t re;
	size_t accepted = 0, rejected = 0;

	assert_int_equal(regcomp(&re, "^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$",
				 REG_EXTENDED | REG_NOSUB), 0);
	for (int i = 0; i < 100000; i++) {
		char tag[24], in[64];
		struct oci_location loc;
		const char *reason;
		bool ours, ref;

		random_string(tag, 8, "aZ9._-:/");
		snprintf(in, sizeof(in), "http://h/r:%s", tag);
		ours = oci_location_parse(in, strlen(in), &loc, &reason) == 0;
		ref = regex_matches(&re, tag);
		if (ours != ref)
			fail_msg("tag '%s': ours %d, regex %d", tag, ours,
				 ref);
		accepted += ours;
		rejected += !ours;
	}
	regfree(&re);
	assert_true(accepted > 1000 && rejected > 1000);
}

/* IPv4 and IPv6 hosts against libc's inet_pton and inet_ntop. */
static void check_address(int family, const char *text)
{
	unsigned char want[16];
	char in[128], want_text[INET6_ADDRSTRLEN];
	struct oci_location loc;
	const char *reason;
	bool ours, ref;

	ref = inet_pton(family, text, want) == 1;
	if (family == AF_INET6)
		snprintf(in, sizeof(in), "http://[%s]/r", text);
	else
		snprintf(in, sizeof(in), "http://%s/r", text);
	ours = oci_location_parse(in, strlen(in), &loc, &reason) == 0;
	if (ours != ref)
		fail_msg("address '%s': ours %d, inet_pton %d", text, ours,
			 ref);
	if (!ours)
		return;
	if (family == AF_INET) {
		assert_int_equal(loc.registry.host_kind, OCI_HOST_IPV4);
		assert_memory_equal(loc.registry.address.ipv4, want, 4);
		return;
	}
	assert_int_equal(loc.registry.host_kind, OCI_HOST_IPV6);
	assert_memory_equal(loc.registry.address.ipv6, want, 16);
	assert_non_null(inet_ntop(AF_INET6, want, want_text,
				  sizeof(want_text)));
	/* glibc prints v4-mapped/compatible addresses dotted; we do not. */
	if (!strchr(want_text, '.'))
		assert_string_equal(loc.registry.host, want_text);
}

static void test_addresses_against_libc(void **state)
{
	static const char *const fixed[] = {
		"::", "::1", "1::", "1:0:0:0:0:0:0:0", "0:0:0:0:0:0:0:1",
		"2001:db8:0:0:1:0:0:1",
		"2001:0db8:0000:0000:0000:ff00:0042:8329",
		"1:0:1:0:0:1:0:1", "1:0:0:1:0:0:1:0", "fe80::1:2",
		"::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5::1.2.3.4",
		"::1.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::",
		"::01.2.3.4", "1:2", "::ffff:1.2.3",
	};
	size_t valid6 = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		check_address(AF_INET6, fixed[i]);
	for (int i = 0; i < 50000; i++) {
		char text[48];

		random_string(text, 20, "0f1a::::.");
		check_address(AF_INET6, text);
		random_string(text, 15, "0123456789....");
		check_address(AF_INET, text);
	}
	/* Random 16-byte addresses with zero runs: formatting vs inet_ntop. */
	for (int i = 0; i < 20000; i++) {
		unsigned char a[16];
		char text[INET6_ADDRSTRLEN];

		for (size_t k = 0; k < 8; k++) {
			unsigned w = next_random() % 3 ? 0 : next_random();

			a[2 * k] = (unsigned char)(w >> 8);
			a[2 * k + 1] = (unsigned char)w;
		}
		assert_non_null(inet_ntop(AF_INET6, a, text, sizeof(text)));
		check_address(AF_INET6, text);
		valid6++;
	}
	assert_int_equal(valid6, 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_repository_against_regex),
		cmocka_unit_test(test_tag_against_regex),
		cmocka_unit_test(test_addresses_against_libc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
