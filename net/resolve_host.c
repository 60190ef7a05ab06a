// SPDX-License-Identifier: MIT
#include "net/resolve_host.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int resolve_host_getaddrinfo(void *ctx, const char *host,
			     struct http_address *out, size_t max,
			     struct error *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *list, *a;
	size_t n = 0;
	int r;

	r = getaddrinfo(host, NULL, &hints, &list);
	if (r != 0)
		return error_set(err, -ENOENT, host, "cannot resolve: %s",
				 gai_strerror(r));
	for (a = list; a && n < max; a = a->ai_next) {
		if (a->ai_family == AF_INET) {
			const struct sockaddr_in *in = (void *)a->ai_addr;

			out[n].family = AF_INET;
			memset(out[n].address, 0, sizeof(out[n].address));
			memcpy(out[n].address, &in->sin_addr, 4);
			n++;
		} else if (a->ai_family == AF_INET6) {
			const struct sockaddr_in6 *in6 = (void *)a->ai_addr;

			out[n].family = AF_INET6;
			memcpy(out[n].address, &in6->sin6_addr, 16);
			n++;
		}
	}
	freeaddrinfo(list);
	if (n == 0)
		return error_set(err, -ENOENT, host, "no IPv4 or IPv6 address");
	return (int)n;
}
