/* SPDX-License-Identifier: MIT */
/*
 * Absolute http:// and https:// URLs, as a registry, a token realm or a
 * redirect names them:
 *
 *   SCHEME "://" HOST [":" PORT] [PATH ["?" QUERY]]
 *
 * SCHEME is http or https (any case). HOST is a DNS name (letters, digits
 * and '-' in dot-separated labels of 1 to 63 characters, lowercased as
 * stored), a dotted-quad IPv4 address (four decimal numbers, no leading
 * zeros) or an IPv6 address in brackets. PORT is 1 to 65535 (default 80
 * or 443). PATH starts with '/' ("/" when absent); PATH and QUERY hold only
 * RFC 3986 characters (unreserved, sub-delims, ':', '@', '/', '?' and
 * %XX escapes with two hex digits). Refused: user information ("user@"),
 * fragments ("#"), spaces and control bytes, an empty host or port, a
 * trailing dot, and anything over its cap. Strict on purpose: a URL the
 * parser is unsure of is one a server may read differently.
 *
 * struct url has fixed-size fields only; nothing here allocates, logs or
 * touches the system.
 */
#ifndef OCIBOOT_NET_URL_H
#define OCIBOOT_NET_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define URL_HOST_MAX 253	/* a DNS name, RFC 1035 */
#define URL_LABEL_MAX 63
#define URL_PATH_MAX 2048	/* path and query; S3 presigned URLs fit */
/* Bytes that always hold url_format()'s output and its NUL. */
#define URL_STR_MAX (8 + URL_HOST_MAX + 2 + 6 + URL_PATH_MAX + 1)
#define URL_HTTP_PORT 80
#define URL_HTTPS_PORT 443

enum url_host_kind {
	URL_HOST_NAME,		/* host holds a lowercase DNS name */
	URL_HOST_IPV4,		/* address[0..4) holds it, host its text */
	URL_HOST_IPV6,		/* address[0..16) holds it, host its text
				 * (RFC 5952, no brackets) */
};

struct url {
	bool https;
	enum url_host_kind host_kind;
	char host[URL_HOST_MAX + 1];
	uint8_t address[16];		/* network byte order; zero for names */
	uint16_t port;
	char path[URL_PATH_MAX + 1];	/* "/..." with the query, if any */
};

/*
 * Parse s[0..len) (no NUL needed; a NUL inside is refused) into *u.
 * Returns 0, or -OCIBOOT_EMALFORMED / -OCIBOOT_ETOOBIG with *reason set
 * to a static phrase saying what is wrong. *u is written only on success.
 */
int url_parse(const char *s, size_t len, struct url *u, const char **reason);

/*
 * Resolve a Location header value ref[0..len) against base into *out: an
 * absolute URL (parsed as url_parse() does), a network-path reference
 * ("//host/path", base's scheme) or an absolute path ("/path", base's
 * scheme, host and port). Relative paths ("x/y", "../y") are refused: no
 * registry sends them. Returns as url_parse().
 */
int url_resolve(const struct url *base, const char *ref, size_t len,
		struct url *out, const char **reason);

/*
 * "scheme://host[:port]path" into buf[size] (the port only when it is not
 * the scheme's default; IPv6 in brackets). Returns the length, or -ENOSPC
 * (buf holds a cut, NUL-terminated text). URL_STR_MAX always suffices.
 */
int url_format(const struct url *u, char *buf, size_t size);

/*
 * The Host header value, "host" or "host:port" (port when not the
 * default; IPv6 in brackets), into buf[size]. Returns as url_format().
 */
int url_host_header(const struct url *u, char *buf, size_t size);

/* True when a and b have the same scheme, host and port. */
bool url_same_origin(const struct url *a, const struct url *b);

/* True when a and b are the same URL (origin, path and query). */
bool url_equal(const struct url *a, const struct url *b);

#endif
