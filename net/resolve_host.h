/* SPDX-License-Identifier: MIT */
/*
 * The host tool's resolver behind net/http.h's hook: getaddrinfo() (so
 * /etc/hosts and the system's DNS). The init plugs its own DNS client
 * into the same hook instead. Host only.
 */
#ifndef OCIBOOT_NET_RESOLVE_HOST_H
#define OCIBOOT_NET_RESOLVE_HOST_H

#include <stddef.h>

#include "lib/error.h"
#include "net/http.h"

/*
 * An http_resolve_fn: the IPv4 and IPv6 addresses of host for TCP, in
 * getaddrinfo()'s order, at most max. ctx is unused. Returns the count
 * (>= 1), or -ENOENT (err: getaddrinfo's reason).
 */
int resolve_host_getaddrinfo(void *ctx, const char *host,
			     struct http_address *out, size_t max,
			     struct error *err);

#endif
