/* SPDX-License-Identifier: MIT */
/*
 * The HTTP client against a small scripted server on loopback (a child
 * process): the request bytes, keep-alive reuse (one connection for
 * several requests), a server that closes the connection, chunked
 * bodies, a body cut short, a redirect loop, a read that times out and a
 * connection refused. The registry logic on top is tested against real
 * servers by net/registry_test.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/util.h"
#include "net/http.h"
#include "version.h"	/* generated: OCIBOOT_VERSION */

static pid_t server_pid;
static uint16_t server_port;
static struct http_client client;

/* --- the server (child) --------------------------------------------------- */

static void reply(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		_exit(1);
}

/* Answer requests on fd until it closes; connections counts accepts. */
static void serve(int fd, int connections)
{
	char req[4096], body[64];
	size_t len = 0;

	for (;;) {
		char *end = memmem(req, len, "\r\n\r\n", 4);
		ssize_t n;

		if (!end) {
			n = read(fd, req + len, sizeof(req) - len);
			if (n <= 0)
				return;
			len += (size_t)n;
			continue;
		}
		*end = '\0';
		if (strncmp(req, "GET /keep ", 10) == 0 ||
		    strncmp(req, "HEAD /keep ", 11) == 0) {
			reply(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
			if (req[0] == 'G')
				reply(fd, "hello");
		} else if (strncmp(req, "GET /count ", 11) == 0) {
			snprintf(body, sizeof(body), "%d", connections);
			dprintf(fd, "HTTP/1.1 200 OK\r\nContent-Length: %zu"
				"\r\n\r\n%s", strlen(body), body);
		} else if (strncmp(req, "GET /close ", 11) == 0) {
			reply(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n"
				  "Content-Length: 2\r\n\r\nok");
			return;
		} else if (strncmp(req, "GET /chunked ", 13) == 0) {
			reply(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
				  "chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n \r\n"
				  "5\r\nworld\r\n0\r\n\r\n");
		} else if (strncmp(req, "GET /short ", 11) == 0) {
			reply(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
				  "\r\nabcd");
			return;
		} else if (strncmp(req, "GET /redir/a ", 13) == 0) {
			reply(fd, "HTTP/1.1 302 Found\r\nLocation: /redir/b\r\n"
				  "Content-Length: 0\r\n\r\n");
		} else if (strncmp(req, "GET /redir/b ", 13) == 0) {
			reply(fd, "HTTP/1.1 302 Found\r\nLocation: /redir/a\r\n"
				  "Content-Length: 0\r\n\r\n");
		} else if (strncmp(req, "GET /slow ", 10) == 0) {
			sleep(3);
			return;
		} else {
			reply(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0"
				  "\r\n\r\n");
		}
		len -= (size_t)(end + 4 - req);
		memmove(req, end + 4, len);
	}
}

static int start_server(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int connections = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
		return -1;
	server_port = ntohs(sin.sin_port);
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c < 0)
				_exit(0);
			serve(c, ++connections);
			close(c);
		}
	}
	close(fd);
	return 0;
}

static int stop_server(void **state)
{
	http_client_close(&client);
	kill(server_pid, SIGTERM);
	waitpid(server_pid, NULL, 0);
	return 0;
}

/* --- the client ----------------------------------------------------------- */

static void setup_client(uint32_t io_timeout_ms)
{
	struct http_config cfg = { .io_timeout_ms = io_timeout_ms };

	http_client_close(&client);
	http_client_init(&client, &cfg);
}

static struct http_request request(const char *path)
{
	struct http_request req = { .method = "GET", .range_first = -1 };
	char text[128];
	const char *reason;

	snprintf(text, sizeof(text), "http://127.0.0.1:%u%s",
		 (unsigned)server_port, path);
	assert_int_equal(url_parse(text, strlen(text), &req.url, &reason), 0);
	return req;
}

/* GET path; the whole body into body[size]. Returns its length or < 0. */
static long get(const char *path, char *body, size_t size)
{
	struct http_request req = request(path);
	struct http_response resp;
	size_t len = 0;
	long n;
	int r;

	r = http_get(&client, &req, &resp, NULL);
	if (r < 0)
		return r;
	while ((n = http_read(&client, &resp, body + len, size - 1 - len,
			      NULL)) > 0)
		len += (size_t)n;
	if (n < 0)
		return n;
	body[len] = '\0';
	return (long)len;
}

static void test_request_bytes(void **state)
{
	struct http_request req = request("/v2/a/blobs/sha256:00?x=1");
	char buf[512], want[512];

	req.accept = "application/json";
	req.authorization = "Bearer abc";
	req.range_first = 1000;
	snprintf(want, sizeof(want), "GET /v2/a/blobs/sha256:00?x=1 HTTP/1.1"
		 "\r\nHost: 127.0.0.1:%u\r\nUser-Agent: ociboot/%s\r\n"
		 "Accept: application/json\r\nAuthorization: Bearer abc\r\n"
		 "Range: bytes=1000-\r\n\r\n", (unsigned)server_port,
		 OCIBOOT_VERSION);
	assert_int_equal(http_request_write(&req, buf, sizeof(buf)),
			 (int)strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(http_request_write(&req, buf, 40), -OCIBOOT_ETOOBIG);
	req.authorization = "Bearer a\r\nX-Evil: 1";
	assert_int_equal(http_request_write(&req, buf, sizeof(buf)), -EINVAL);
	req.authorization = NULL;
	req.method = "POST";
	assert_int_equal(http_request_write(&req, buf, sizeof(buf)), -EINVAL);
}

static void test_keep_alive(void **state)
{
	char body[64];
	long n;

	setup_client(0);
	assert_int_equal(get("/keep", body, sizeof(body)), 5);
	assert_string_equal(body, "hello");
	assert_int_equal(get("/keep", body, sizeof(body)), 5);
	n = get("/count", body, sizeof(body));
	assert_true(n > 0);
	assert_string_equal(body, "1");
	/* The server closes: the next request opens a new connection. */
	assert_int_equal(get("/close", body, sizeof(body)), 2);
	assert_int_equal(client.conn.fd, -1);
	assert_true(get("/count", body, sizeof(body)) > 0);
	assert_string_equal(body, "2");
}

static void test_chunked(void **state)
{
	char body[64];

	setup_client(0);
	assert_int_equal(get("/chunked", body, sizeof(body)), 11);
	assert_string_equal(body, "hello world");
	/* The connection stays usable after the last chunk. */
	assert_int_equal(get("/keep", body, sizeof(body)), 5);
}

static void test_short_body(void **state)
{
	char body[64];

	setup_client(0);
	assert_int_equal(get("/short", body, sizeof(body)), -ECONNRESET);
}

static void test_redirect_loop(void **state)
{
	struct http_request req = request("/redir/a");
	struct http_response resp;
	struct error err;

	setup_client(0);
	error_clear(&err);
	assert_int_equal(http_get(&client, &req, &resp, &err), -OCIBOOT_EPROTO);
	assert_non_null(strstr(err.why, "redirect loop"));
}

static void test_timeout(void **state)
{
	char body[64];
	int64_t start;

	setup_client(300);
	start = clock_now_ms();
	assert_int_equal(get("/slow", body, sizeof(body)), -OCIBOOT_ETIMEOUT);
	assert_true(clock_now_ms() - start < 2000);
	/* The overall deadline cuts a longer io timeout short too. */
	setup_client(10000);
	http_set_deadline(&client, clock_deadline_ms(300));
	start = clock_now_ms();
	assert_int_equal(get("/slow", body, sizeof(body)), -OCIBOOT_ETIMEOUT);
	assert_true(clock_now_ms() - start < 2000);
}

static void test_refused(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct http_request req = request("/");
	struct http_response resp;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	close(fd);	/* bound, never listened: nothing there */
	req.url.port = ntohs(sin.sin_port);
	setup_client(0);
	assert_int_equal(http_get(&client, &req, &resp, NULL), -ECONNREFUSED);
	/* https without anchors is refused before connecting. */
	req.url.https = true;
	assert_int_equal(http_get(&client, &req, &resp, NULL), -EOPNOTSUPP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_bytes),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_short_body),
		cmocka_unit_test(test_redirect_loop),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_refused),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, start_server, stop_server);
}
