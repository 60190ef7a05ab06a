// SPDX-License-Identifier: MIT
#include "net/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/strbuf.h"
#include "lib/util.h"
#include "version.h"	/* generated: OCIBOOT_VERSION */

/* --- time ----------------------------------------------------------------- */

/* The wait for one socket operation: timeout_ms, cut by the deadline. */
static int wait_budget(const struct http_client *c, uint32_t timeout_ms,
		       uint32_t *out)
{
	uint32_t left;

	if (c->deadline_ms) {
		left = clock_deadline_left_ms(c->deadline_ms);
		if (left == 0)
			return -OCIBOOT_ETIMEOUT;
		if (left < timeout_ms)
			timeout_ms = left;
	}
	*out = timeout_ms;
	return 0;
}

static uint32_t io_timeout(const struct http_client *c)
{
	return c->config.io_timeout_ms ? c->config.io_timeout_ms :
					 HTTP_IO_TIMEOUT_MS;
}

static int wait_fd(int fd, short events, uint32_t timeout_ms)
{
	return clock_poll_until(fd, events, clock_deadline_ms(timeout_ms));
}

/* --- the connection ------------------------------------------------------- */

void http_client_init(struct http_client *c, const struct http_config *cfg)
{
	memset(c, 0, offsetof(struct http_client, conn));
	c->config = *cfg;
	c->conn.fd = -1;
	c->conn.start = c->conn.end = 0;
	c->conn.used = false;
	c->conn.host[0] = '\0';
}

void http_client_close(struct http_client *c)
{
	if (c->conn.fd >= 0)
		close(c->conn.fd);
	c->conn.fd = -1;
	c->conn.start = c->conn.end = 0;
	c->conn.used = false;
}

void http_set_deadline(struct http_client *c, int64_t deadline_ms)
{
	c->deadline_ms = deadline_ms;
}

static bool conn_matches(const struct http_conn *k, const struct url *u)
{
	return k->fd >= 0 && k->https == u->https && k->port == u->port &&
	       streq(k->host, u->host);
}

static int addresses(struct http_client *c, const struct url *u,
		     struct http_address *out, struct error *err)
{
	int n;

	if (u->host_kind == URL_HOST_IPV4 || u->host_kind == URL_HOST_IPV6) {
		out->family = u->host_kind == URL_HOST_IPV4 ? AF_INET :
							      AF_INET6;
		memcpy(out->address, u->address, sizeof(out->address));
		return 1;
	}
	if (!c->config.resolve)
		return error_set(err, -EOPNOTSUPP, NULL, "no resolver for "
				 "host names");
	n = c->config.resolve(c->config.resolve_ctx, u->host, out,
			      HTTP_ADDRESSES_MAX, err);
	if (n == 0)
		return error_set(err, -OCIBOOT_ENOTFOUND, NULL, "the host "
				 "has no address");
	if (n > HTTP_ADDRESSES_MAX)
		n = HTTP_ADDRESSES_MAX;
	return n;
}

static socklen_t to_sockaddr(const struct http_address *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->address, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	memcpy(&in6->sin6_addr, a->address, 16);
	return sizeof(*in6);
}

/* A TCP connection to a, within the connect timeout. Returns the fd. */
static int connect_one(struct http_client *c, const struct http_address *a,
		       uint16_t port)
{
	uint32_t timeout = c->config.connect_timeout_ms ?
			   c->config.connect_timeout_ms :
			   HTTP_CONNECT_TIMEOUT_MS;
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, port, &ss);
	int fd, r, soerr = 0, one = 1;
	socklen_t soerr_len = sizeof(soerr);

	r = wait_budget(c, timeout, &timeout);
	if (r < 0)
		return r;
	fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		if (errno != EINPROGRESS) {
			r = -errno;
			goto out_close;
		}
		r = wait_fd(fd, POLLOUT, timeout);
		if (r < 0)
			goto out_close;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
			       &soerr_len) < 0)
			soerr = errno;
		if (soerr) {
			r = -soerr;
			goto out_close;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
out_close:
	close(fd);
	return r;
}

static int conn_open(struct http_client *c, const struct url *u,
		     struct error *err)
{
	struct http_address addrs[HTTP_ADDRESSES_MAX];
	struct http_conn *k = &c->conn;
	uint32_t timeout;
	int n, fd = -ENOENT, r;

	http_client_close(c);
	if (u->https && !c->config.tls_anchors)
		return error_set(err, -EOPNOTSUPP, NULL, "https needs TLS CA "
				 "certificates, and none were given");
	n = addresses(c, u, addrs, err);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		fd = connect_one(c, &addrs[i], u->port);
		if (fd >= 0 || fd == -OCIBOOT_ETIMEOUT)
			break;
	}
	if (fd < 0)
		return error_set(err, fd, NULL, "cannot connect");
	k->fd = fd;
	k->https = u->https;
	k->port = u->port;
	memcpy(k->host, u->host, sizeof(k->host));
	k->used = false;
	k->start = k->end = 0;
	if (!u->https)
		return 0;
	r = wait_budget(c, io_timeout(c), &timeout);
	if (r == 0)
		r = tls_connect(&k->tls, fd, u->host, c->config.tls_anchors,
				c->config.tls_time, timeout, err);
	else
		error_set(err, r, NULL, "the deadline passed");
	if (r < 0)
		http_client_close(c);
	return r;
}

static int conn_write(struct http_client *c, const char *buf, size_t len,
		      struct error *err)
{
	struct http_conn *k = &c->conn;
	uint32_t timeout;
	int r;

	while (len > 0) {
		ssize_t n;

		r = wait_budget(c, io_timeout(c), &timeout);
		if (r < 0)
			return error_set(err, r, NULL, "the deadline passed");
		if (k->https) {
			k->tls.timeout_ms = timeout;
			return tls_write(&k->tls, buf, len, err);
		}
		n = send(k->fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return error_set(err, -errno, NULL, "sending failed");
		r = wait_fd(k->fd, POLLOUT, timeout);
		if (r < 0)
			return error_set(err, r, NULL, "sending timed out");
	}
	return 0;
}

/* Read what the socket has, up to cap: > 0, 0 at its end, or an error. */
static long conn_read(struct http_client *c, void *buf, size_t cap,
		      struct error *err)
{
	struct http_conn *k = &c->conn;
	uint32_t timeout;
	int r;

	for (;;) {
		ssize_t n;

		r = wait_budget(c, io_timeout(c), &timeout);
		if (r < 0)
			return error_set(err, r, NULL, "the deadline passed");
		if (k->https) {
			k->tls.timeout_ms = timeout;
			return tls_read(&k->tls, buf, cap, err);
		}
		n = read(k->fd, buf, cap);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return error_set(err, -errno, NULL, "receiving failed");
		r = wait_fd(k->fd, POLLIN, timeout);
		if (r < 0)
			return error_set(err, r, NULL, "no answer within %u ms",
					 (unsigned)timeout);
	}
}

/* Read more into the connection's buffer. */
static long conn_fill(struct http_client *c, struct error *err)
{
	struct http_conn *k = &c->conn;
	long n;

	if (k->start > 0 && k->start == k->end)
		k->start = k->end = 0;
	if (k->end == sizeof(k->buf) && k->start > 0) {
		memmove(k->buf, k->buf + k->start, k->end - k->start);
		k->end -= k->start;
		k->start = 0;
	}
	if (k->end == sizeof(k->buf))
		return error_set(err, -OCIBOOT_ETOOBIG, NULL, "the buffer is "
				 "full");
	n = conn_read(c, k->buf + k->end, sizeof(k->buf) - k->end, err);
	if (n > 0)
		k->end += (size_t)n;
	return n;
}

/* --- requests ------------------------------------------------------------- */

static bool header_value_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int http_request_write(const struct http_request *req, char *buf,
		       size_t size)
{
	char host[URL_STR_MAX];
	struct strbuf sb;

	if (!streq(req->method, "GET") && !streq(req->method, "HEAD"))
		return -EINVAL;
	if ((req->accept && !header_value_ok(req->accept)) ||
	    (req->authorization && !header_value_ok(req->authorization)))
		return -EINVAL;
	if (url_host_header(&req->url, host, sizeof(host)) < 0)
		return -OCIBOOT_ETOOBIG;
	strbuf_init(&sb, buf, size);
	strbuf_printf(&sb, "%s %s HTTP/1.1\r\nHost: %s\r\n"
		      "User-Agent: ociboot/%s\r\n", req->method, req->url.path,
		      host, OCIBOOT_VERSION);
	if (req->accept)
		strbuf_printf(&sb, "Accept: %s\r\n", req->accept);
	if (req->authorization)
		strbuf_printf(&sb, "Authorization: %s\r\n",
			      req->authorization);
	if (req->range_first >= 0)
		strbuf_printf(&sb, "Range: bytes=%lld-\r\n",
			      (long long)req->range_first);
	strbuf_puts(&sb, "\r\n");
	if (strbuf_truncated(&sb))
		return -OCIBOOT_ETOOBIG;
	return (int)strbuf_len(&sb);
}

/* Read the head; *got says whether any byte came. */
static int read_head(struct http_client *c, struct http_response *resp,
		     bool *got, struct error *err)
{
	struct http_conn *k = &c->conn;
	int end;
	long n;

	for (;;) {
		end = http_head_end((const char *)k->buf + k->start,
				    k->end - k->start, err);
		if (end < 0)
			return end;
		if (end > 0)
			break;
		n = conn_fill(c, err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return error_set(err, -ECONNRESET, NULL, "the server "
					 "closed the connection before it "
					 "answered");
		*got = true;
	}
	end = http_head_parse((const char *)k->buf + k->start, (size_t)end,
			      &resp->head, err);
	if (end < 0)
		return end;
	k->start += (size_t)http_head_end((const char *)k->buf + k->start,
					  k->end - k->start, NULL);
	return 0;
}

static void start_body(struct http_client *c, const struct http_request *req,
		       struct http_response *resp)
{
	resp->body = http_body_kind(&resp->head, streq(req->method, "HEAD"));
	resp->body_left = resp->body == HTTP_BODY_LENGTH ?
			  (uint64_t)resp->head.content_length : 0;
	resp->body_read = 0;
	http_chunked_init(&resp->chunked);
	resp->done = resp->body == HTTP_BODY_NONE ||
		     (resp->body == HTTP_BODY_LENGTH && resp->body_left == 0);
	if (resp->done && !resp->head.keep_alive)
		http_client_close(c);
}

static int exchange(struct http_client *c, const struct http_request *req,
		    struct http_response *resp, int len, struct error *err)
{
	bool reused = conn_matches(&c->conn, &req->url) && c->conn.used;
	bool got = false;
	int r;

	if (!conn_matches(&c->conn, &req->url)) {
		r = conn_open(c, &req->url, err);
		if (r < 0)
			return r;
	}
	c->conn.used = true;
	r = conn_write(c, c->request, (size_t)len, err);
	if (r == 0)
		r = read_head(c, resp, &got, err);
	if ((r == -ECONNRESET || r == -EPIPE) && reused && !got) {
		/* A kept connection the server had closed: once more. */
		error_clear(err);
		r = conn_open(c, &req->url, err);
		if (r < 0)
			return r;
		c->conn.used = true;
		r = conn_write(c, c->request, (size_t)len, err);
		if (r == 0)
			r = read_head(c, resp, &got, err);
	}
	if (r < 0)
		http_client_close(c);
	return r;
}

static void what_url(struct error *err, const struct url *u)
{
	char text[URL_STR_MAX];

	if (!error_failed(err))
		return;
	url_format(u, text, sizeof(text));
	error_context(err, "%s", text);
}

int http_send(struct http_client *c, const struct http_request *req,
	      struct http_response *resp, struct error *err)
{
	int len, r;

	memset(resp, 0, sizeof(*resp));
	resp->url = req->url;
	len = http_request_write(req, c->request, sizeof(c->request));
	if (len < 0) {
		error_set(err, len, NULL, "the request does not fit or has a "
			  "control character");
		what_url(err, &req->url);
		return len;
	}
	r = exchange(c, req, resp, len, err);
	if (r < 0) {
		what_url(err, &req->url);
		return r;
	}
	start_body(c, req, resp);
	return 0;
}

static bool is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/* The next hop of resp's redirect into *next; checks loops and downgrade. */
static int next_hop(struct http_client *c, const struct http_response *resp,
		    unsigned hops, struct url *next, struct error *err)
{
	const char *h = resp->head.location, *reason;
	char text[URL_STR_MAX];
	int r;

	url_format(&resp->url, text, sizeof(text));
	if (!h[0])
		return error_set(err, -OCIBOOT_EPROTO, text, "redirect %d "
				 "without a Location", resp->head.status);
	r = url_resolve(&resp->url, h, strlen(h), next, &reason);
	if (r < 0)
		return error_set(err, r, text, "redirect to a bad Location: "
				 "%s", reason);
	if (resp->url.https && !next->https)
		return error_set(err, -OCIBOOT_EPROTO, text, "redirect from "
				 "https to http refused");
	for (unsigned i = 0; i <= hops; i++)
		if (url_equal(&c->hops[i], next))
			return error_set(err, -OCIBOOT_EPROTO, text,
					 "redirect loop: "
					 "%s was visited already", h);
	if (hops >= HTTP_REDIRECTS_MAX)
		return error_set(err, -OCIBOOT_ETOOBIG, text, "more than %d "
				 "redirects",
				 HTTP_REDIRECTS_MAX);
	return 0;
}

int http_get(struct http_client *c, const struct http_request *req,
	     struct http_response *resp, struct error *err)
{
	struct http_request hop = *req;
	unsigned hops = 0;
	int r;

	c->hops[0] = req->url;
	for (;;) {
		r = http_send(c, &hop, resp, err);
		if (r < 0)
			return r;
		resp->redirects = hops;
		if (!is_redirect(resp->head.status))
			return 0;
		r = next_hop(c, resp, hops, &hop.url, err);
		http_finish(c, resp);
		if (r < 0)
			return r;
		if (!url_same_origin(&hop.url, &req->url))
			hop.authorization = NULL;
		else
			hop.authorization = req->authorization;
		c->hops[++hops] = hop.url;
	}
}

/* --- bodies --------------------------------------------------------------- */

/* Bytes from the buffer first, then straight from the socket. */
static long take(struct http_client *c, void *buf, size_t cap,
		 struct error *err)
{
	struct http_conn *k = &c->conn;
	size_t have = k->end - k->start;

	if (have > 0) {
		if (have > cap)
			have = cap;
		memcpy(buf, k->buf + k->start, have);
		k->start += have;
		return (long)have;
	}
	return conn_read(c, buf, cap, err);
}

static void body_done(struct http_client *c, struct http_response *resp)
{
	resp->done = true;
	if (!resp->head.keep_alive || resp->body == HTTP_BODY_CLOSE)
		http_client_close(c);
}

static long read_chunked(struct http_client *c, struct http_response *resp,
			 uint8_t *buf, size_t cap, struct error *err)
{
	struct http_conn *k = &c->conn;

	for (;;) {
		size_t have = k->end - k->start, off, len;
		long used;

		if (have == 0) {
			long n = conn_fill(c, err);

			if (n < 0)
				return n;
			if (n == 0)
				return error_set(err, -ECONNRESET, NULL, "the "
						 "server closed the connection "
						 "inside a chunked body");
			continue;
		}
		used = http_chunked_decode(&resp->chunked, k->buf + k->start,
					   have < cap ? have : cap, &off, &len,
					   err);
		if (used < 0)
			return used;
		memcpy(buf, k->buf + k->start + off, len);
		k->start += (size_t)used;
		if (http_chunked_done(&resp->chunked)) {
			body_done(c, resp);
			return (long)len;
		}
		if (len > 0)
			return (long)len;
	}
}

long http_read(struct http_client *c, struct http_response *resp, void *buf,
	       size_t cap, struct error *err)
{
	long n;

	if (resp->done || cap == 0)
		return 0;
	if (c->conn.fd < 0)
		return error_set(err, -ECONNRESET, NULL, "the connection is "
				 "closed");
	switch (resp->body) {
	case HTTP_BODY_LENGTH:
		if (cap > resp->body_left)
			cap = (size_t)resp->body_left;
		n = take(c, buf, cap, err);
		if (n == 0)
			n = error_set(err, -ECONNRESET, NULL, "the server "
				      "closed the connection after %llu of "
				      "%lld body bytes",
				      (unsigned long long)resp->body_read,
				      (long long)resp->head.content_length);
		if (n > 0) {
			resp->body_left -= (uint64_t)n;
			if (resp->body_left == 0)
				body_done(c, resp);
		}
		break;
	case HTTP_BODY_CHUNKED:
		n = read_chunked(c, resp, buf, cap, err);
		break;
	case HTTP_BODY_CLOSE:
		n = take(c, buf, cap, err);
		if (n == 0)
			body_done(c, resp);
		break;
	default:
		n = 0;
		break;
	}
	if (n > 0)
		resp->body_read += (uint64_t)n;
	if (n < 0) {
		what_url(err, &resp->url);
		http_client_close(c);
	}
	return n;
}

void http_finish(struct http_client *c, struct http_response *resp)
{
	uint8_t scratch[4096];
	long n;

	if (resp->done)
		return;
	if (resp->body == HTTP_BODY_CLOSE ||
	    (resp->body == HTTP_BODY_LENGTH &&
	     resp->body_left > HTTP_DISCARD_MAX)) {
		http_client_close(c);
		return;
	}
	while (!resp->done && resp->body_read <= HTTP_DISCARD_MAX) {
		n = http_read(c, resp, scratch, sizeof(scratch), NULL);
		if (n <= 0)
			break;
	}
	if (!resp->done)
		http_client_close(c);
}
