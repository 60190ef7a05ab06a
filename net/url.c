// SPDX-License-Identifier: MIT
#include "net/url.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/util.h"

#define URL_PORT_DIGITS_MAX 5

static int refuse(const char **reason, int code, const char *why)
{
	*reason = why;
	return code;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* RFC 3986 unreserved, sub-delims, ':' '@' '/' '?' (not '%', see below). */
static bool is_path_char(char c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("-._~!$&'()*+,;=:@/?",
							    c));
}

/* "http://" or "https://" in any case: the scheme's length, or 0. */
static size_t scheme_len(const char *s, size_t len, bool *https)
{
	static const char *const schemes[] = { "http://", "https://" };

	for (size_t i = 0; i < ARRAY_SIZE(schemes); i++) {
		size_t n = strlen(schemes[i]);

		if (len < n || strncasecmp(s, schemes[i], n) != 0)
			continue;
		*https = i == 1;
		return n;
	}
	return 0;
}

static int parse_name(const char *s, size_t len, struct url *u,
		      const char **reason)
{
	size_t label = 0;
	bool numeric = true;

	if (len > URL_HOST_MAX)
		return refuse(reason, -OCIBOOT_ETOOBIG, "host name is over "
			      "253 characters");
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return refuse(reason, -OCIBOOT_EMALFORMED,
					      "host name has an empty label or "
					      "one ending in '-'");
			label = 0;
			u->host[i] = '.';
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-')
			return refuse(reason, -OCIBOOT_EMALFORMED, "host name "
				      "has a character other than letters, "
				      "digits, '-' and '.'");
		if (label == 0 && c == '-')
			return refuse(reason, -OCIBOOT_EMALFORMED, "host name "
				      "has a label starting with '-'");
		if (++label > URL_LABEL_MAX)
			return refuse(reason, -OCIBOOT_ETOOBIG, "host name "
				      "has a label over 63 characters");
		numeric = numeric && is_digit(c);
		u->host[i] = lower(c);
	}
	if (label == 0 || s[len - 1] == '-')
		return refuse(reason, -OCIBOOT_EMALFORMED, "host name is "
			      "empty, ends in '.' or in '-'");
	if (numeric)
		return refuse(reason, -OCIBOOT_EMALFORMED, "host is neither "
			      "a name nor a dotted-quad IPv4 address");
	u->host[len] = '\0';
	u->host_kind = URL_HOST_NAME;
	return 0;
}

static int parse_ipv6(const char *s, size_t len, struct url *u,
		      const char **reason)
{
	char text[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(text))
		return refuse(reason, -OCIBOOT_EMALFORMED, "IPv6 address "
			      "is empty or too long");
	memcpy(text, s, len);
	text[len] = '\0';
	if (strchr(text, '%') || inet_pton(AF_INET6, text, u->address) != 1)
		return refuse(reason, -OCIBOOT_EMALFORMED, "IPv6 address "
			      "does not parse");
	if (!inet_ntop(AF_INET6, u->address, u->host, sizeof(u->host)))
		return refuse(reason, -OCIBOOT_EMALFORMED, "IPv6 address "
			      "does not format");
	u->host_kind = URL_HOST_IPV6;
	return 0;
}

/* A dotted quad: 1 when s is one (parsed into u), 0 when not. */
static int parse_ipv4(const char *s, size_t len, struct url *u)
{
	char text[INET_ADDRSTRLEN];

	if (len >= sizeof(text))
		return 0;
	memcpy(text, s, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, u->address) != 1)
		return 0;
	memcpy(u->host, text, len + 1);
	u->host_kind = URL_HOST_IPV4;
	return 1;
}

static int parse_port(const char *s, size_t len, struct url *u,
		      const char **reason)
{
	unsigned long port = 0;

	if (len == 0 || len > URL_PORT_DIGITS_MAX)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			goto bad;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	if (port == 0 || port > UINT16_MAX)
		goto bad;
	u->port = (uint16_t)port;
	return 0;
bad:
	return refuse(reason, -OCIBOOT_EMALFORMED, "port is not a number "
		      "from 1 to 65535");
}

/* host[:port] of s[0..len). */
static int parse_authority(const char *s, size_t len, struct url *u,
			   const char **reason)
{
	const char *colon;
	size_t host_len;
	int r;

	if (memchr(s, '@', len))
		return refuse(reason, -OCIBOOT_EMALFORMED, "user information "
			      "(\"user@\") is not allowed");
	if (len > 0 && s[0] == '[') {
		const char *end = memchr(s, ']', len);

		if (!end)
			return refuse(reason, -OCIBOOT_EMALFORMED, "IPv6 "
				      "address has no closing ']'");
		r = parse_ipv6(s + 1, (size_t)(end - s - 1), u, reason);
		if (r < 0)
			return r;
		host_len = (size_t)(end - s) + 1;
		if (host_len < len && s[host_len] != ':')
			return refuse(reason, -OCIBOOT_EMALFORMED, "text after "
				      "the IPv6 address");
	} else {
		colon = memchr(s, ':', len);
		host_len = colon ? (size_t)(colon - s) : len;
		if (host_len == 0)
			return refuse(reason, -OCIBOOT_EMALFORMED,
				      "host is empty");
		if (!parse_ipv4(s, host_len, u)) {
			r = parse_name(s, host_len, u, reason);
			if (r < 0)
				return r;
		}
	}
	u->port = u->https ? URL_HTTPS_PORT : URL_HTTP_PORT;
	if (host_len < len)
		return parse_port(s + host_len + 1, len - host_len - 1, u,
				  reason);
	return 0;
}

/* Check path s[0..len) and store it ("/" when empty). */
static int parse_path(const char *s, size_t len, struct url *u,
		      const char **reason)
{
	if (len == 0) {
		memcpy(u->path, "/", 2);
		return 0;
	}
	if (s[0] != '/' && s[0] != '?')
		return refuse(reason, -OCIBOOT_EMALFORMED, "path does not "
			      "start with '/'");
	if (len + (s[0] == '?') > URL_PATH_MAX)
		return refuse(reason, -OCIBOOT_ETOOBIG, "path and query are "
			      "over 2048 characters");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || !is_hex(s[i + 1]) ||
			    !is_hex(s[i + 2]))
				return refuse(reason, -OCIBOOT_EMALFORMED,
					      "'%' not followed by two hex "
					      "digits");
			i += 2;
			continue;
		}
		if (s[i] == '#')
			return refuse(reason, -OCIBOOT_EMALFORMED, "fragments "
				      "(\"#\") are not allowed");
		if (!is_path_char(s[i]))
			return refuse(reason, -OCIBOOT_EMALFORMED, "path has a "
				      "character URLs do not allow");
	}
	if (s[0] == '?') {
		u->path[0] = '/';
		memcpy(u->path + 1, s, len);
		u->path[len + 1] = '\0';
	} else {
		memcpy(u->path, s, len);
		u->path[len] = '\0';
	}
	return 0;
}

/* authority and path of s[0..len), after the scheme; u->https is set. */
static int parse_rest(const char *s, size_t len, struct url *u,
		      const char **reason)
{
	size_t auth_len = 0;
	int r;

	while (auth_len < len && s[auth_len] != '/' && s[auth_len] != '?' &&
	       s[auth_len] != '#')
		auth_len++;
	r = parse_authority(s, auth_len, u, reason);
	if (r == 0)
		r = parse_path(s + auth_len, len - auth_len, u, reason);
	return r;
}

int url_parse(const char *s, size_t len, struct url *u, const char **reason)
{
	struct url tmp;
	size_t n;
	int r;

	*reason = NULL;
	memset(&tmp, 0, sizeof(tmp));
	if (memchr(s, '\0', len))
		return refuse(reason, -OCIBOOT_EMALFORMED, "URL has a NUL byte");
	if (len >= URL_STR_MAX)
		return refuse(reason, -OCIBOOT_ETOOBIG, "URL is too long");
	n = scheme_len(s, len, &tmp.https);
	if (n == 0)
		return refuse(reason, -OCIBOOT_EMALFORMED, "URL does not start "
			      "with http:// or https://");
	r = parse_rest(s + n, len - n, &tmp, reason);
	if (r < 0)
		return r;
	*u = tmp;
	return 0;
}

int url_resolve(const struct url *base, const char *ref, size_t len,
		struct url *out, const char **reason)
{
	struct url tmp;
	bool https;
	int r;

	*reason = NULL;
	if (memchr(ref, '\0', len))
		return refuse(reason, -OCIBOOT_EMALFORMED, "location has a NUL "
			      "byte");
	if (scheme_len(ref, len, &https))
		return url_parse(ref, len, out, reason);
	if (len >= URL_STR_MAX)
		return refuse(reason, -OCIBOOT_ETOOBIG, "location is too long");
	memset(&tmp, 0, sizeof(tmp));
	tmp.https = base->https;
	if (len >= 2 && ref[0] == '/' && ref[1] == '/') {
		r = parse_rest(ref + 2, len - 2, &tmp, reason);
	} else if (len >= 1 && ref[0] == '/') {
		tmp.host_kind = base->host_kind;
		memcpy(tmp.host, base->host, sizeof(tmp.host));
		memcpy(tmp.address, base->address, sizeof(tmp.address));
		tmp.port = base->port;
		r = parse_path(ref, len, &tmp, reason);
	} else {
		r = refuse(reason, -OCIBOOT_EMALFORMED, "location is a "
			   "relative path (only absolute ones are followed)");
	}
	if (r < 0)
		return r;
	*out = tmp;
	return 0;
}

static bool default_port(const struct url *u)
{
	return u->port == (u->https ? URL_HTTPS_PORT : URL_HTTP_PORT);
}

static void put_host(struct strbuf *sb, const struct url *u)
{
	if (u->host_kind == URL_HOST_IPV6)
		strbuf_printf(sb, "[%s]", u->host);
	else
		strbuf_puts(sb, u->host);
	if (!default_port(u))
		strbuf_printf(sb, ":%u", (unsigned)u->port);
}

int url_format(const struct url *u, char *buf, size_t size)
{
	struct strbuf sb;

	strbuf_init(&sb, buf, size);
	strbuf_puts(&sb, u->https ? "https://" : "http://");
	put_host(&sb, u);
	strbuf_puts(&sb, u->path);
	return strbuf_truncated(&sb) ? -ENOSPC : (int)strbuf_len(&sb);
}

int url_host_header(const struct url *u, char *buf, size_t size)
{
	struct strbuf sb;

	strbuf_init(&sb, buf, size);
	put_host(&sb, u);
	return strbuf_truncated(&sb) ? -ENOSPC : (int)strbuf_len(&sb);
}

bool url_same_origin(const struct url *a, const struct url *b)
{
	return a->https == b->https && a->port == b->port &&
	       streq(a->host, b->host);
}

bool url_equal(const struct url *a, const struct url *b)
{
	return url_same_origin(a, b) && streq(a->path, b->path);
}
