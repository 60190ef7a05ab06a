/* SPDX-License-Identifier: MIT */
#include "oci/oci_ref.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/constants.h"
#include "lib/hex.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define OCI_PORT_DIGITS_MAX 5
#define STR_(x) #x
#define STR(x) STR_(x)

/* A slice of the input: never NUL-terminated, never read past len. */
struct span {
	const char *p;
	size_t len;
};

static struct span span_sub(struct span s, size_t from, size_t to)
{
	return (struct span){ s.p + from, to - from };
}

/* Index of the first byte of s that is in set, or s.len. */
static size_t span_find(struct span s, const char *set)
{
	for (size_t i = 0; i < s.len; i++)
		if (strchr(set, s.p[i]))
			return i;
	return s.len;
}

static bool span_eq(struct span s, const char *word)
{
	return s.len == strlen(word) && memcmp(s.p, word, s.len) == 0;
}

static bool span_starts(struct span s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

static bool span_has(struct span s, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= s.len; i++)
		if (memcmp(s.p + i, needle, n) == 0)
			return true;
	return false;
}

static void span_copy(struct span s, char *dst)
{
	memcpy(dst, s.p, s.len);
	dst[s.len] = '\0';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int malformed(const char **reason, const char *why)
{
	*reason = why;
	return -OCIBOOT_EMALFORMED;
}

static int too_big(const char **reason, const char *why)
{
	*reason = why;
	return -OCIBOOT_ETOOBIG;
}

/* --- tags and digests ------------------------------------------------- */

/* [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127} */
static int parse_tag(struct span s, struct oci_reference *ref,
		     const char **reason)
{
	if (s.len == 0)
		return malformed(reason, "tag is empty");
	if (s.len > OCI_TAG_MAX)
		return too_big(reason, "tag is longer than "
			       STR(OCI_TAG_MAX) " characters");
	if (span_find(s, "@") < s.len)
		return malformed(reason,
				 "give a tag or a digest, not both");
	if (!is_alnum(s.p[0]) && s.p[0] != '_')
		return malformed(reason,
				 "tag must start with a letter, digit or '_'");
	for (size_t i = 1; i < s.len; i++)
		if (!is_alnum(s.p[i]) && !strchr("._-", s.p[i]))
			return malformed(reason,
					 "tag has a character other than a-z, A-Z, 0-9, '_', '.' and '-'");
	span_copy(s, ref->tag);
	return 0;
}

/* s starts after '@'. */
static int parse_digest(struct span s, struct oci_reference *ref,
			const char **reason)
{
	if (!span_starts(s, DIGEST_PREFIX_SHA256))
		return malformed(reason, "digest must start with sha256:");
	s = span_sub(s, DIGEST_PREFIX_SHA256_LEN, s.len);
	if (sha256_from_hex(s.p, s.len, ref->digest) < 0)
		return malformed(reason,
			"sha256 digest is not 64 lowercase hex digits");
	ref->by_digest = true;
	return 0;
}

/* s is "", ":TAG" or "@sha256:HEX". */
static int parse_reference(struct span s, struct oci_reference *ref,
			   const char **reason)
{
	if (s.len == 0) {
		strcpy(ref->tag, OCI_DEFAULT_TAG);
		return 0;
	}
	if (s.p[0] == '@')
		return parse_digest(span_sub(s, 1, s.len), ref, reason);
	return parse_tag(span_sub(s, 1, s.len), ref, reason);
}

/* --- repository ------------------------------------------------------- */

/* Length of the run of [a-z0-9] at s.p[i]. */
static size_t lower_alnum_run(struct span s, size_t i)
{
	size_t n = 0;

	while (i + n < s.len && is_lower_alnum(s.p[i + n]))
		n++;
	return n;
}

/* Length of the separator (\.|_|__|-+) at s.p[i], 0 if none. */
static size_t separator_run(struct span s, size_t i)
{
	size_t n = 0;

	if (s.p[i] == '.')
		return 1;
	if (s.p[i] == '_')
		return (i + 1 < s.len && s.p[i + 1] == '_') ? 2 : 1;
	while (i + n < s.len && s.p[i + n] == '-')
		n++;
	return n;
}

/* One component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static int parse_repository_component(struct span c, const char **reason)
{
	size_t i = 0;

	if (c.len == 0)
		return malformed(reason,
				 "repository has an empty path component");
	for (size_t k = 0; k < c.len; k++) {
		if (c.p[k] >= 'A' && c.p[k] <= 'Z')
			return malformed(reason,
					 "repository must be lowercase");
		if (!is_lower_alnum(c.p[k]) && !strchr("._-", c.p[k]))
			return malformed(reason,
					 "repository has a character other than a-z, 0-9, '.', '_', '-' and '/'");
	}
	for (;;) {
		size_t run = lower_alnum_run(c, i), sep;

		if (run == 0)
			break;
		i += run;
		if (i == c.len)
			return 0;
		sep = separator_run(c, i);
		i += sep;
		if (sep == 0 || i == c.len)
			break;
	}
	return malformed(reason,
			 "repository components must start and end with a-z or 0-9 and separate those with '.', '_', '__' or dashes");
}

static int parse_repository(struct span s, char *out, const char **reason)
{
	size_t start = 0;

	if (s.len == 0)
		return malformed(reason, "repository is empty");
	if (s.len > OCI_REPOSITORY_MAX)
		return too_big(reason,
			       "repository is longer than "
			       STR(OCI_REPOSITORY_MAX) " characters");
	while (start <= s.len) {
		struct span rest = span_sub(s, start, s.len);
		size_t end = start + span_find(rest, "/");
		int err;

		err = parse_repository_component(span_sub(s, start, end),
						 reason);
		if (err < 0)
			return err;
		start = end + 1;
	}
	span_copy(s, out);
	return 0;
}

/* --- hosts ------------------------------------------------------------ */

/* A decimal number of at most max_digits digits, no leading zero. */
static int parse_decimal(struct span s, size_t max_digits, unsigned long *v)
{
	unsigned long n = 0;

	if (s.len == 0 || s.len > max_digits)
		return -EINVAL;
	if (s.len > 1 && s.p[0] == '0')
		return -EINVAL;
	for (size_t i = 0; i < s.len; i++) {
		if (!is_digit(s.p[i]))
			return -EINVAL;
		n = n * 10 + (unsigned long)(s.p[i] - '0');
	}
	*v = n;
	return 0;
}

static int parse_ipv4(struct span s, uint8_t out[4])
{
	uint8_t tmp[4];
	size_t start = 0;

	for (int part = 0; part < 4; part++) {
		struct span rest = span_sub(s, start, s.len);
		size_t end = start + span_find(rest, ".");
		unsigned long v;

		if ((part < 3) != (end < s.len))
			return -EINVAL;
		if (parse_decimal(span_sub(s, start, end), 3, &v) < 0 ||
		    v > 255)
			return -EINVAL;
		tmp[part] = (uint8_t)v;
		start = end + 1;
	}
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

/* 1 to 4 hex digits at s.p[i]; returns how many, 0 if none. */
static size_t parse_hex16(struct span s, size_t i, uint16_t *v)
{
	size_t n = 0;
	unsigned x = 0;
	int d;

	while (n < 4 && i + n < s.len &&
	       (d = hex_digit_value_any_case(s.p[i + n])) >= 0) {
		x = x << 4 | (unsigned)d;
		n++;
	}
	*v = (uint16_t)x;
	return n;
}

/* RFC 4291 section 2.2 text forms, including a dotted-quad tail. */
static int parse_ipv6(struct span s, uint8_t out[16])
{
	uint16_t words[8] = { 0 };
	size_t i = 0, n = 0;
	long gap = -1;

	if (span_starts(s, "::")) {
		gap = 0;
		i = 2;
	}
	while (i < s.len) {
		uint16_t v;
		size_t digits = parse_hex16(s, i, &v);

		if (n == 8 || digits == 0)
			return -EINVAL;
		if (i + digits < s.len && s.p[i + digits] == '.') {
			uint8_t v4[4];

			if (n > 6 || parse_ipv4(span_sub(s, i, s.len), v4) < 0)
				return -EINVAL;
			words[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
			words[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = s.len;
			break;
		}
		words[n++] = v;
		i += digits;
		if (i == s.len)
			break;
		if (s.p[i] != ':' || i + 1 == s.len)
			return -EINVAL;
		i++;
		if (s.p[i] == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = (long)n;
			i++;
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return -EINVAL;
	for (size_t k = 0; k < 8; k++) {
		uint16_t w = 0;

		if (gap < 0 || k < (size_t)gap)
			w = words[k];
		else if (k >= (size_t)gap + 8 - n)
			w = words[k - (8 - n)];
		out[2 * k] = (uint8_t)(w >> 8);
		out[2 * k + 1] = (uint8_t)w;
	}
	return 0;
}

/* RFC 5952: lowercase, no leading zeros, longest zero run (>= 2) as ::. */
static void format_ipv6(const uint8_t a[16], char out[OCI_HOST_MAX + 1])
{
	size_t best = 8, best_len = 0, len = 0;
	char *p = out;

	for (size_t k = 0; k < 8; k++) {
		bool zero = a[2 * k] == 0 && a[2 * k + 1] == 0;

		len = zero ? len + 1 : 0;
		if (len > best_len) {
			best_len = len;
			best = k + 1 - len;
		}
	}
	if (best_len < 2)
		best = 8;
	for (size_t k = 0; k < 8; k++) {
		if (k == best) {
			p += sprintf(p, "::");
			k += best_len - 1;
			continue;
		}
		if (k > 0 && k != best + best_len)
			*p++ = ':';
		p += sprintf(p, "%x", (unsigned)(a[2 * k] << 8 | a[2 * k + 1]));
	}
	*p = '\0';
}

static bool all_digits_and_dots(struct span s)
{
	for (size_t i = 0; i < s.len; i++)
		if (!is_digit(s.p[i]) && s.p[i] != '.')
			return false;
	return true;
}

/* RFC 1123 host name: dot-separated labels of letters, digits and '-'. */
static int parse_dns_name(struct span s, char *out, const char **reason)
{
	size_t start = 0;

	if (s.len > OCI_HOST_MAX)
		return too_big(reason, "host name is longer than "
			       STR(OCI_HOST_MAX) " characters");
	while (start <= s.len) {
		struct span rest = span_sub(s, start, s.len);
		size_t end = start + span_find(rest, ".");
		struct span label = span_sub(s, start, end);

		if (label.len == 0)
			return malformed(reason,
					 "host name has an empty label");
		if (label.len > OCI_LABEL_MAX)
			return too_big(reason,
				       "host name label is longer than "
				       STR(OCI_LABEL_MAX) " characters");
		if (label.p[0] == '-' || label.p[label.len - 1] == '-')
			return malformed(reason,
				"host name label starts or ends with '-'");
		for (size_t i = 0; i < label.len; i++)
			if (!is_alnum(label.p[i]) && label.p[i] != '-')
				return malformed(reason,
						 "host name has a character other than letters, digits, '-' and '.'");
		start = end + 1;
	}
	for (size_t i = 0; i < s.len; i++)
		out[i] = to_lower(s.p[i]);
	out[s.len] = '\0';
	return 0;
}

static int parse_host(struct span s, struct oci_registry *r,
		      const char **reason)
{
	if (s.len == 0)
		return malformed(reason, "host is empty");
	if (s.p[0] == '[') {
		struct span inner = span_sub(s, 1, s.len - 1);

		if (span_find(inner, "%") < inner.len)
			return malformed(reason,
				"IPv6 zone identifiers are not supported");
		if (inner.len > OCI_HOST_MAX ||
		    parse_ipv6(inner, r->address.ipv6) < 0)
			return malformed(reason,
					 "host is not a valid IPv6 address");
		r->host_kind = OCI_HOST_IPV6;
		format_ipv6(r->address.ipv6, r->host);
		return 0;
	}
	if (all_digits_and_dots(s)) {
		if (parse_ipv4(s, r->address.ipv4) < 0)
			return malformed(reason,
					 "host is not a valid IPv4 address (four numbers 0-255, no leading zeros)");
		r->host_kind = OCI_HOST_IPV4;
		span_copy(s, r->host);
		return 0;
	}
	r->host_kind = OCI_HOST_NAME;
	return parse_dns_name(s, r->host, reason);
}

/* HOST[:PORT] with HOST possibly [IPv6]. */
static int parse_authority(struct span s, struct oci_registry *r,
			   const char **reason)
{
	size_t host_end;
	unsigned long port;
	int err;

	if (span_find(s, "@") < s.len)
		return malformed(reason,
				 "user names and passwords in the location are not supported");
	if (s.len > 0 && s.p[0] == '[') {
		host_end = span_find(s, "]");
		if (host_end == s.len)
			return malformed(reason, "'[' without ']' around the IPv6 host");
		host_end++;
		if (host_end < s.len && s.p[host_end] != ':')
			return malformed(reason, "unexpected text after ']'");
	} else {
		host_end = span_find(s, ":");
	}
	err = parse_host(span_sub(s, 0, host_end), r, reason);
	if (err < 0)
		return err;
	r->port = r->https ? 443 : 80;
	if (host_end == s.len)
		return 0;
	if (parse_decimal(span_sub(s, host_end + 1, s.len),
			  OCI_PORT_DIGITS_MAX, &port) < 0 ||
	    port == 0 || port > 65535)
		return malformed(reason,
				 "port is not a number from 1 to 65535");
	r->port = (uint16_t)port;
	return 0;
}

/* s follows "http://" or "https://". */
static int parse_registry(struct span s, struct oci_location *loc,
			  const char **reason)
{
	size_t slash = span_find(s, "/"), ref_start;
	struct span path;
	int err;

	if (slash == s.len)
		return malformed(reason, "missing /REPOSITORY after the host");
	err = parse_authority(span_sub(s, 0, slash), &loc->registry, reason);
	if (err < 0)
		return err;
	path = span_sub(s, slash + 1, s.len);
	ref_start = span_find(path, ":@");
	err = parse_repository(span_sub(path, 0, ref_start),
			       loc->registry.repository, reason);
	if (err < 0)
		return err;
	loc->kind = OCI_LOCATION_REGISTRY;
	return parse_reference(span_sub(path, ref_start, path.len), &loc->ref,
			       reason);
}

/* --- local layouts ---------------------------------------------------- */

static const char *const device_keys[] = {
	[OCI_DEVICE_LABEL] = "LABEL",
	[OCI_DEVICE_PARTLABEL] = "PARTLABEL",
	[OCI_DEVICE_UUID] = "UUID",
	[OCI_DEVICE_PARTUUID] = "PARTUUID",
};

const char *oci_device_key_name(enum oci_device_key key)
{
	if ((size_t)key >= ARRAY_SIZE(device_keys))
		return NULL;
	return device_keys[key];
}

static bool is_uuid_key(enum oci_device_key key)
{
	return key == OCI_DEVICE_UUID || key == OCI_DEVICE_PARTUUID;
}

static int parse_device_value(struct span s, struct oci_device *d,
			      const char **reason)
{
	if (s.len == 0)
		return malformed(reason, "device label or UUID is empty");
	if (s.len > OCI_DEVICE_VALUE_MAX)
		return too_big(reason,
			       "device label or UUID is longer than "
			       STR(OCI_DEVICE_VALUE_MAX) " characters");
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (is_uuid_key(d->key) &&
		    hex_digit_value_any_case(c) < 0 && c != '-')
			return malformed(reason,
					 "UUID has a character other than hex digits and '-'");
		if (!is_uuid_key(d->key) && !is_alnum(c) && !strchr("._+-", c))
			return malformed(reason,
					 "label has a character other than a-z, A-Z, 0-9, '.', '_', '+' and '-'");
	}
	span_copy(s, d->value);
	return 0;
}

/* An absolute path of [A-Za-z0-9._+-] components, no '.', '..' or ''. */
static int parse_layout_path(struct span s, char *out, const char **reason)
{
	size_t start = 1, depth = 0;

	if (s.len == 0 || s.p[0] != '/')
		return malformed(reason,
				 "PATH after the device must be absolute");
	if (s.len > OCI_PATH_MAX)
		return too_big(reason, "PATH is longer than "
			       STR(OCI_PATH_MAX) " characters");
	for (size_t i = 0; i < s.len; i++)
		if (!is_alnum(s.p[i]) && !strchr("._+-/", s.p[i]))
			return malformed(reason,
					 "PATH has a character other than a-z, A-Z, 0-9, '.', '_', '+', '-' and '/'");
	while (s.len > 1 && start <= s.len) {
		struct span rest = span_sub(s, start, s.len);
		size_t end = start + span_find(rest, "/");
		struct span c = span_sub(s, start, end);

		if (c.len == 0)
			return malformed(reason,
					 "PATH has an empty component ('//' or a trailing '/')");
		if (span_eq(c, ".") || span_eq(c, ".."))
			return malformed(reason,
					 "PATH has a '.' or '..' component");
		if (++depth > OCI_PATH_DEPTH_MAX)
			return too_big(reason, "PATH has more than "
				       STR(OCI_PATH_DEPTH_MAX) " components");
		start = end + 1;
	}
	span_copy(s, out);
	return 0;
}

static int parse_device_key(struct span s, struct oci_device *d,
			    const char **reason)
{
	for (size_t k = 0; k < ARRAY_SIZE(device_keys); k++) {
		if (span_eq(s, device_keys[k])) {
			d->key = (enum oci_device_key)k;
			return 0;
		}
	}
	return malformed(reason,
			 "KEY in KEY=VALUE:/PATH must be LABEL, PARTLABEL, UUID or PARTUUID");
}

static int parse_device(struct span s, struct oci_location *loc,
			const char **reason)
{
	struct oci_device *d = &loc->device;
	size_t eq = span_find(s, "="), colon, ref_start;
	struct span rest, path;
	int err;

	err = parse_device_key(span_sub(s, 0, eq), d, reason);
	if (err < 0)
		return err;
	rest = span_sub(s, eq + 1, s.len);
	colon = span_find(rest, ":");
	if (colon == rest.len)
		return malformed(reason, "missing :/PATH after the device");
	err = parse_device_value(span_sub(rest, 0, colon), d, reason);
	if (err < 0)
		return err;
	path = span_sub(rest, colon + 1, rest.len);
	ref_start = span_find(path, ":@");
	err = parse_layout_path(span_sub(path, 0, ref_start), d->path, reason);
	if (err < 0)
		return err;
	loc->kind = OCI_LOCATION_DEVICE;
	return parse_reference(span_sub(path, ref_start, path.len), &loc->ref,
			       reason);
}

/* --- entry points ----------------------------------------------------- */

static int parse_any(struct span s, struct oci_location *loc,
		     const char **reason)
{
	size_t eq = span_find(s, "=");

	if (span_eq(s, "dhcp")) {
		loc->kind = OCI_LOCATION_DHCP;
		return 0;
	}
	if (span_starts(s, "http://")) {
		loc->registry.https = false;
		return parse_registry(span_sub(s, 7, s.len), loc, reason);
	}
	if (span_starts(s, "https://")) {
		loc->registry.https = true;
		return parse_registry(span_sub(s, 8, s.len), loc, reason);
	}
	if (span_has(s, "://"))
		return malformed(reason, "scheme must be http:// or https://");
	if (eq < s.len && eq < span_find(s, ":/"))
		return parse_device(s, loc, reason);
	return malformed(reason,
		"not http://..., https://..., KEY=VALUE:/PATH or dhcp");
}

int oci_location_parse(const char *s, size_t len, struct oci_location *loc,
		       const char **reason)
{
	struct oci_location tmp;
	int err;

	if (len == 0)
		return malformed(reason, "location is empty");
	if (len > OCI_LOCATION_MAX)
		return too_big(reason, "location is longer than "
			       STR(OCI_LOCATION_MAX) " bytes");
	if (memchr(s, '\0', len))
		return malformed(reason, "location contains a NUL byte");
	memset(&tmp, 0, sizeof(tmp));
	err = parse_any((struct span){ s, len }, &tmp, reason);
	if (err < 0)
		return err;
	memcpy(loc, &tmp, sizeof(tmp));
	return 0;
}

/* --- formatting ------------------------------------------------------- */

static void out_reference(struct strbuf *o, const struct oci_reference *ref)
{
	char hex[SHA256_HEX_LEN + 1];

	if (!ref->by_digest) {
		strbuf_puts(o, ":");
		strbuf_puts(o, ref->tag);
		return;
	}
	sha256_hex(ref->digest, hex);
	strbuf_puts(o, "@" DIGEST_PREFIX_SHA256);
	strbuf_puts(o, hex);
}

static void out_registry(struct strbuf *o, const struct oci_registry *r)
{
	strbuf_puts(o, r->https ? "https://" : "http://");
	strbuf_puts(o, r->host_kind == OCI_HOST_IPV6 ? "[" : "");
	strbuf_puts(o, r->host);
	strbuf_puts(o, r->host_kind == OCI_HOST_IPV6 ? "]" : "");
	if (r->port != (r->https ? 443 : 80))
		strbuf_printf(o, ":%u", (unsigned)r->port);
	strbuf_puts(o, "/");
	strbuf_puts(o, r->repository);
}

int oci_location_format(const struct oci_location *loc, char *buf,
			size_t size)
{
	struct strbuf o;
	const char *key;

	strbuf_init(&o, buf, size);
	switch (loc->kind) {
	case OCI_LOCATION_DHCP:
		strbuf_puts(&o, "dhcp");
		break;
	case OCI_LOCATION_REGISTRY:
		out_registry(&o, &loc->registry);
		out_reference(&o, &loc->ref);
		break;
	case OCI_LOCATION_DEVICE:
		key = oci_device_key_name(loc->device.key);
		if (!key)
			return -EINVAL;
		strbuf_puts(&o, key);
		strbuf_puts(&o, "=");
		strbuf_puts(&o, loc->device.value);
		strbuf_puts(&o, ":");
		strbuf_puts(&o, loc->device.path);
		out_reference(&o, &loc->ref);
		break;
	default:
		return -EINVAL;
	}
	if (strbuf_truncated(&o) || size == 0)
		return -ENOSPC;
	return (int)strbuf_len(&o);
}
