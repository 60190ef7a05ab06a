/* SPDX-License-Identifier: MIT */
/*
 * An HTTP/1.1 client for registries and the object stores they redirect
 * to: GET and HEAD, over TCP or TLS (net/tls.h), one connection kept open
 * and reused while requests go to the same origin (keep-alive), bodies
 * framed by Content-Length or chunked (net/http_parse.h), redirects
 * followed across hosts, Range requests for resuming.
 *
 *	struct http_client *c = &static_client;	 (about 150 KiB)
 *	struct http_response resp;
 *	struct http_request req = { .method = "GET", .url = u,
 *				    .range_first = -1 };
 *
 *	http_client_init(c, &config);
 *	r = http_get(c, &req, &resp, &err);
 *	while (r == 0 && (n = http_read(c, &resp, buf, sizeof(buf), &err)) > 0)
 *		use(buf, n);
 *	http_client_close(c);
 *
 * Host names go through the caller's resolver hook (struct http_config),
 * so the init plugs in its DNS client and the host tool getaddrinfo();
 * IP literals need none. Every address the hook gives is tried in turn.
 *
 * Deadlines: connecting to one address waits at most connect_timeout_ms;
 * every read and write waits at most io_timeout_ms for the socket; and
 * nothing waits past the overall deadline http_set_deadline() sets.
 *
 * Redirects (301, 302, 303, 307, 308 with a Location) are followed by
 * http_get() up to HTTP_REDIRECTS_MAX hops; a Location seen before in the
 * same chain is refused as a loop, as is a redirect from https to http.
 * The Authorization header is sent to the origin of the request only,
 * never to the host a redirect leads to (an object store's signed URL
 * carries its own authority; a registry token must not leak there).
 *
 * Caps: the response head as net/http_parse.h; a request line and header
 * block of HTTP_REQUEST_MAX bytes. Error and redirect bodies are read
 * away up to HTTP_DISCARD_MAX bytes, else the connection is closed.
 *
 * Errors: -errno from sockets (-ECONNREFUSED, -ECONNRESET...),
 * -OCIBOOT_ETIMEOUT, -OCIBOOT_EMALFORMED / _ETOOBIG / -EOPNOTSUPP from the
 * framing, -OCIBOOT_EPROTO (a body cut short: -ECONNRESET), TLS errors
 * (net/tls.h); err's what names the URL. Nothing here logs or allocates.
 */
#ifndef OCIBOOT_NET_HTTP_H
#define OCIBOOT_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/x509.h"
#include "lib/error.h"
#include "net/http_parse.h"
#include "net/tls.h"
#include "net/url.h"

#define HTTP_ADDRESSES_MAX 8		/* addresses tried for one host */
#define HTTP_REDIRECTS_MAX 5		/* hops http_get() follows */
#define HTTP_REQUEST_MAX 16384		/* request line + header block */
#define HTTP_DISCARD_MAX 65536		/* body read away to keep a conn */
#define HTTP_BUFFER_SIZE (HTTP_HEAD_MAX + 16384)
#define HTTP_CONNECT_TIMEOUT_MS 10000	/* defaults of struct http_config */
#define HTTP_IO_TIMEOUT_MS 30000

/* One address of a host, in network byte order. */
struct http_address {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t address[16];		/* 4 bytes for AF_INET */
};

/*
 * The resolver hook: the addresses of host (a DNS name, never an IP
 * literal) into out[0..max). Returns how many (>= 1) or a negative error
 * with err filled (-OCIBOOT_ENOTFOUND: no such name; -OCIBOOT_ETIMEOUT...).
 */
typedef int (*http_resolve_fn)(void *ctx, const char *host,
			       struct http_address *out, size_t max,
			       struct error *err);

struct http_config {
	http_resolve_fn resolve;	/* NULL: only IP literals work */
	void *resolve_ctx;
	uint32_t connect_timeout_ms;	/* 0: HTTP_CONNECT_TIMEOUT_MS */
	uint32_t io_timeout_ms;		/* 0: HTTP_IO_TIMEOUT_MS */
	/* Anchors for https (net/tls.h); NULL: https is refused. */
	const struct x509_trust_store *tls_anchors;
	int64_t tls_time;		/* Unix seconds certificates are
					 * checked at (the caller's policy) */
};

struct http_request {
	const char *method;		/* "GET" or "HEAD" */
	struct url url;
	const char *accept;		/* NULL: no Accept header */
	const char *authorization;	/* "Bearer ..." for url's origin */
	int64_t range_first;		/* >= 0: "Range: bytes=N-" */
};

struct http_response {
	struct http_head head;
	struct url url;			/* the URL that answered */
	unsigned int redirects;		/* hops followed to get there */
	enum http_body_kind body;
	uint64_t body_left;		/* HTTP_BODY_LENGTH */
	uint64_t body_read;		/* payload bytes read so far */
	struct http_chunked chunked;
	bool done;			/* the body was read to its end */
};

struct http_conn {
	int fd;				/* -1 when closed */
	bool https;
	char host[URL_HOST_MAX + 1];
	uint16_t port;
	bool used;			/* a request went over it */
	size_t start, end;		/* unread bytes in buf[start, end) */
	struct tls_conn tls;
	uint8_t buf[HTTP_BUFFER_SIZE];
};

struct http_client {
	struct http_config config;
	int64_t deadline_ms;		/* 0: none */
	struct http_conn conn;
	struct url hops[HTTP_REDIRECTS_MAX + 1];
	char request[HTTP_REQUEST_MAX];
};

/* Set up c with a copy of *config; no connection yet. */
void http_client_init(struct http_client *c, const struct http_config *cfg);

/* Close the connection, if open (safe to call twice). */
void http_client_close(struct http_client *c);

/* Nothing waits past deadline_ms (clock_now_ms() time; 0: no deadline). */
void http_set_deadline(struct http_client *c, int64_t deadline_ms);

/*
 * The request's bytes into buf[size]: request line, Host, User-Agent,
 * Accept, Authorization, Range, then the empty line. Returns the length,
 * -OCIBOOT_ETOOBIG when it does not fit, -EINVAL for a method other than
 * GET or HEAD or a header value with a control character.
 */
int http_request_write(const struct http_request *req, char *buf,
		       size_t size);

/*
 * Send req (one exchange, no redirects) and read the response head into
 * *resp. Reuses the open connection when it goes to req's origin; when a
 * reused connection turns out closed before any response byte, connects
 * once more and resends. Returns 0 (whatever the status) or an error.
 */
int http_send(struct http_client *c, const struct http_request *req,
	      struct http_response *resp, struct error *err);

/*
 * http_send(), following redirects as said above; req->url is left as
 * given, resp->url is where the answer came from. Returns 0 with the
 * final response's head (any status but a redirect), or an error
 * (-OCIBOOT_EPROTO for a loop, -OCIBOOT_ETOOBIG for too many hops).
 */
int http_get(struct http_client *c, const struct http_request *req,
	     struct http_response *resp, struct error *err);

/*
 * Read body bytes into buf[0..cap): > 0, or 0 once the body ended
 * (exactly as framed; then the connection is kept for reuse when the
 * server allows), or an error: -ECONNRESET when the server closed before
 * the framed end, a framing error of a chunked body, a timeout.
 */
long http_read(struct http_client *c, struct http_response *resp, void *buf,
	       size_t cap, struct error *err);

/*
 * Finish with resp: read away a remaining body of at most
 * HTTP_DISCARD_MAX bytes so the connection can be reused, else close it.
 */
void http_finish(struct http_client *c, struct http_response *resp);

#endif
