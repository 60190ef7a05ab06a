/* SPDX-License-Identifier: MIT */
/*
 * HTTP response framing: heads that parse (with what the client keeps),
 * heads refused with their code, the end of a head found at every split,
 * and chunked bodies decoded whole and fed one byte at a time, valid and
 * broken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "net/http_parse.h"

struct head_case {
	const char *in;
	int code;		/* 0: parses */
	int status;
	int64_t content_length;
	bool chunked, keep_alive;
	const char *location;
};

#define CRLF "\r\n"
/* A head refused with code. */
#define BAD(in, code) { in, code, 0, 0, false, false, NULL }

static const struct head_case heads[] = {
	{ "HTTP/1.1 200 OK" CRLF "Content-Length: 12" CRLF CRLF, 0, 200, 12,
	  false, true, "" },
	{ "HTTP/1.1 200" CRLF "content-length:0" CRLF CRLF, 0, 200, 0, false,
	  true, "" },
	{ "HTTP/1.0 200 OK" CRLF CRLF, 0, 200, -1, false, false, "" },
	{ "HTTP/1.0 200 OK" CRLF "Connection: Keep-Alive" CRLF CRLF, 0, 200,
	  -1, false, true, "" },
	{ "HTTP/1.1 200 OK" CRLF "Connection: foo, close" CRLF CRLF, 0, 200,
	  -1, false, false, "" },
	{ "HTTP/1.1 200 OK" CRLF "Transfer-Encoding: Chunked" CRLF CRLF, 0,
	  200, -1, true, true, "" },
	{ "HTTP/1.1 307 Temporary Redirect" CRLF
	  "Location: http://s3:9000/b?x=1" CRLF "Content-Length: 0" CRLF CRLF,
	  0, 307, 0, false, true, "http://s3:9000/b?x=1" },
	{ "HTTP/1.1 200 OK" CRLF "Content-Length: 5" CRLF
	  "Content-Length: 5" CRLF CRLF, 0, 200, 5, false, true, "" },
	{ "HTTP/1.1 200 OK" CRLF "X-Empty:" CRLF "X-Obs: \xff\xfe" CRLF CRLF,
	  0, 200, -1, false, true, "" },
	BAD("HTTP/1.1 200 OK" CRLF "Content-Length: 5" CRLF
	  "Content-Length: 6" CRLF CRLF, -OCIBOOT_EMALFORMED),
	{ "HTTP/1.1 200 OK" CRLF "Content-Length: 5, 5" CRLF CRLF,
	  -OCIBOOT_EMALFORMED, 0, 0, 0, 0, NULL },
	{ "HTTP/1.1 200 OK" CRLF "Content-Length: -1" CRLF CRLF,
	  -OCIBOOT_EMALFORMED, 0, 0, 0, 0, NULL },
	BAD("HTTP/1.1 200 OK" CRLF "Content-Length: 1234567890123456789" CRLF
	  CRLF, -OCIBOOT_EMALFORMED),
	{ "HTTP/1.1 200 OK" CRLF "Transfer-Encoding: gzip, chunked" CRLF CRLF,
	  -EOPNOTSUPP, 0, 0, 0, 0, NULL },
	BAD("HTTP/1.1 200 OK" CRLF "Transfer-Encoding: chunked" CRLF
	  "Content-Length: 3" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 200 OK" CRLF "Transfer-Encoding: chunked" CRLF
	  "Transfer-Encoding: chunked" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/2 200" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/2.0 200 OK" CRLF CRLF, -EOPNOTSUPP),
	BAD("HTTP/1.1 20 OK" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 099 OK" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 600 OK" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 2000 OK" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("http/1.1 200 OK" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 200 O\x01K" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 200 OK" CRLF " folded: x" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 200 OK" CRLF "Name : x" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 200 OK" CRLF "NoColon" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 200 OK" CRLF ": x" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 200 OK" CRLF "X: a\x01" CRLF CRLF, -OCIBOOT_EMALFORMED),
	BAD("HTTP/1.1 302 Found" CRLF "Location: /a" CRLF "Location: /b" CRLF
	  CRLF, -OCIBOOT_EMALFORMED),
	{ "HTTP/1.1 302 Found" CRLF "Location:" CRLF CRLF,
	  -OCIBOOT_EMALFORMED, 0, 0, 0, 0, NULL },
	{ "HTTP/1.1 206 Partial" CRLF "Content-Range: bytes 5-3/10" CRLF CRLF,
	  -OCIBOOT_EMALFORMED, 0, 0, 0, 0, NULL },
	BAD("HTTP/1.1 206 Partial" CRLF "Content-Range: bytes 5-10/10" CRLF
	  CRLF, -OCIBOOT_EMALFORMED),
	{ "HTTP/1.1 206 Partial" CRLF "Content-Range: items 1-2/3" CRLF CRLF,
	  -OCIBOOT_EMALFORMED, 0, 0, 0, 0, NULL },
	{ "HTTP/1.1 200 OK" CRLF "X: y" CRLF CRLF "extra",
	  -OCIBOOT_EMALFORMED, 0, 0, 0, 0, NULL },
	BAD("HTTP/1.1 200 OK" CRLF "X: y" CRLF, -OCIBOOT_EMALFORMED),
};

static void test_heads(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(heads); i++) {
		const struct head_case *t = &heads[i];
		struct error err;
		struct http_head h;
		int r;

		error_clear(&err);
		memset(&h, 0x5a, sizeof(h));
		r = http_head_parse(t->in, strlen(t->in), &h, &err);
		if (r != t->code)
			fail_msg("case %zu: %d (%s), want %d", i, r, err.why,
				 t->code);
		if (r < 0) {
			assert_true(err.why[0] != '\0');
			assert_int_equal(((uint8_t *)&h)[0], 0x5a);
			continue;
		}
		assert_int_equal(h.status, t->status);
		assert_int_equal(h.content_length, t->content_length);
		assert_int_equal(h.chunked, t->chunked);
		assert_int_equal(h.keep_alive, t->keep_alive);
		assert_string_equal(h.location, t->location);
	}
}

static void test_kept_fields(void **state)
{
	static const char in[] =
		"HTTP/1.1 206 Partial Content" CRLF
		"Content-Range: bytes 100-199/1000" CRLF
		"Content-Type: application/vnd.oci.image.manifest.v1+json" CRLF
		"Docker-Content-Digest: sha256:abc" CRLF
		"WWW-Authenticate: Basic realm=\"x\"" CRLF
		"WWW-Authenticate: Bearer realm=\"https://a/t\"" CRLF
		"WWW-Authenticate: Bearer realm=\"https://b/t\"" CRLF
		"Retry-After: 99999" CRLF
		"Content-Length: 100" CRLF CRLF;
	struct http_head h;

	assert_int_equal(http_head_parse(in, strlen(in), &h, NULL), 0);
	assert_true(h.has_content_range);
	assert_int_equal(h.range_first, 100);
	assert_int_equal(h.range_last, 199);
	assert_int_equal(h.range_complete, 1000);
	assert_string_equal(h.content_type,
			    "application/vnd.oci.image.manifest.v1+json");
	assert_string_equal(h.docker_digest, "sha256:abc");
	assert_string_equal(h.authenticate, "Bearer realm=\"https://a/t\"");
	assert_int_equal(h.retry_after, HTTP_RETRY_AFTER_MAX);
	assert_int_equal(http_body_kind(&h, false), HTTP_BODY_LENGTH);
	assert_int_equal(http_body_kind(&h, true), HTTP_BODY_NONE);
}

static void test_body_kinds(void **state)
{
	struct http_head h = { .status = 204, .content_length = 5 };

	assert_int_equal(http_body_kind(&h, false), HTTP_BODY_NONE);
	h.status = 304;
	assert_int_equal(http_body_kind(&h, false), HTTP_BODY_NONE);
	h.status = 200;
	h.content_length = -1;
	assert_int_equal(http_body_kind(&h, false), HTTP_BODY_CLOSE);
	h.chunked = true;
	assert_int_equal(http_body_kind(&h, false), HTTP_BODY_CHUNKED);
}

/* The end is found at the same place however the bytes arrive. */
static void test_head_end(void **state)
{
	static const char in[] = "HTTP/1.1 200 OK" CRLF "A: b" CRLF CRLF
				 "body";
	size_t end = strlen(in) - 4;

	for (size_t n = 0; n <= strlen(in); n++) {
		int r = http_head_end(in, n, NULL);

		assert_int_equal(r, n < end ? 0 : (int)end);
	}
	assert_int_equal(http_head_end("HTTP/1.1 200 OK\nA: b\n\n", 22, NULL),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(http_head_end("HTTP/1.1 200 OK\rA", 17, NULL),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(http_head_end(CRLF, 2, NULL), -OCIBOOT_EMALFORMED);
}

static void test_head_caps(void **state)
{
	size_t size = HTTP_HEAD_MAX + 64, n;
	char *big = malloc(size);
	struct error err;

	assert_non_null(big);
	/* One line over the cap. */
	n = (size_t)snprintf(big, size, "HTTP/1.1 200 OK" CRLF "X: ");
	memset(big + n, 'a', HTTP_LINE_MAX + 1);
	assert_int_equal(http_head_end(big, n + HTTP_LINE_MAX + 1, &err),
			 -OCIBOOT_ETOOBIG);
	/* Too many fields. */
	n = (size_t)snprintf(big, size, "HTTP/1.1 200 OK" CRLF);
	for (int i = 0; i <= HTTP_FIELDS_MAX; i++)
		n += (size_t)snprintf(big + n, size - n, "X-%d: y" CRLF, i);
	n += (size_t)snprintf(big + n, size - n, CRLF);
	assert_int_equal(http_head_end(big, n, NULL), (int)n);
	assert_int_equal(http_head_parse(big, n, NULL ? NULL :
		&(struct http_head){ 0 }, &err), -OCIBOOT_ETOOBIG);
	/* A head with no end within the cap. */
	n = 0;
	while (n + 12 < size) {
		memcpy(big + n, "X: abcdefgh" CRLF, 13);
		n += 13;
	}
	assert_int_equal(http_head_end(big, n, &err), -OCIBOOT_ETOOBIG);
	free(big);
}

/* Decode in[0..len) fed step bytes at a time; the payload into out. */
static int decode(const char *in, size_t len, size_t step, char *out,
		  size_t *out_len, size_t *used)
{
	struct http_chunked c;
	size_t pos = 0;

	http_chunked_init(&c);
	*out_len = 0;
	while (pos < len && !http_chunked_done(&c)) {
		size_t n = len - pos < step ? len - pos : step;
		size_t off = 0, dlen = 0, fed = 0;

		while (fed < n && !http_chunked_done(&c)) {
			long r = http_chunked_decode(&c,
				(const uint8_t *)in + pos + fed, n - fed,
				&off, &dlen, NULL);

			if (r < 0)
				return (int)r;
			memcpy(out + *out_len, in + pos + fed + off, dlen);
			*out_len += dlen;
			fed += (size_t)r;
		}
		pos += fed;
	}
	*used = pos;
	return http_chunked_done(&c) ? 1 : 0;
}

struct chunk_case {
	const char *in;
	int code;		/* 1 done, 0 needs more, < 0 error */
	const char *payload;
};

static const struct chunk_case chunks[] = {
	{ "5" CRLF "hello" CRLF "0" CRLF CRLF, 1, "hello" },
	{ "3" CRLF "abc" CRLF "A" CRLF "0123456789" CRLF "0" CRLF CRLF, 1,
	  "abc0123456789" },
	{ "3;name=value" CRLF "abc" CRLF "0;x" CRLF "Trailer: v" CRLF CRLF, 1,
	  "abc" },
	{ "3 ;x" CRLF "abc" CRLF "0" CRLF CRLF, 1, "abc" },
	{ "0" CRLF CRLF, 1, "" },
	{ "5" CRLF "hel", 0, "hel" },
	{ "5" CRLF "hello" CRLF "0" CRLF, 0, "hello" },
	{ "x" CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ "-1" CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ "5\n" "hello" CRLF "0" CRLF CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ "5" CRLF "hello" "0" CRLF CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ "5" CRLF "hello\n" "0" CRLF CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ "3;\x01" CRLF "abc" CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ "1000000000000000" CRLF, -OCIBOOT_ETOOBIG, NULL },
	{ "0" CRLF "bad trailer\x01" CRLF CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ "0" CRLF ": x" CRLF CRLF, -OCIBOOT_EMALFORMED, NULL },
	{ "0" CRLF "\n", -OCIBOOT_EMALFORMED, NULL },
};

static void test_chunked(void **state)
{
	char out[256];

	for (size_t i = 0; i < ARRAY_SIZE(chunks); i++) {
		const struct chunk_case *t = &chunks[i];
		size_t steps[] = { 1, 2, 3, 7, 1000 };

		for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
			size_t out_len, used;
			int r = decode(t->in, strlen(t->in), steps[s], out,
				       &out_len, &used);

			if (r != t->code)
				fail_msg("case %zu step %zu: %d, want %d", i,
					 steps[s], r, t->code);
			if (r >= 0) {
				assert_int_equal(out_len, strlen(t->payload));
				assert_memory_equal(out, t->payload, out_len);
			}
			if (r == 1)
				assert_int_equal(used, strlen(t->in));
		}
	}
}

/* Bytes after the last chunk are not consumed: they are the next reply. */
static void test_chunked_stops(void **state)
{
	static const char in[] = "2" CRLF "ok" CRLF "0" CRLF CRLF "HTTP/1.1";
	char out[16];
	size_t out_len, used;

	assert_int_equal(decode(in, strlen(in), 1000, out, &out_len, &used),
			 1);
	assert_int_equal(used, strlen(in) - 8);
}

static void test_chunked_caps(void **state)
{
	static char line[HTTP_CHUNK_LINE_MAX + 8];
	static char trailer[HTTP_TRAILER_MAX + 64];
	char out[16];
	size_t out_len, used, n;

	memset(line, 0, sizeof(line));
	line[0] = '1';
	line[1] = ';';
	memset(line + 2, 'x', HTTP_CHUNK_LINE_MAX);
	assert_int_equal(decode(line, strlen(line), 1000, out, &out_len,
				&used), -OCIBOOT_ETOOBIG);
	n = (size_t)snprintf(trailer, sizeof(trailer), "0" CRLF);
	while (n + 8 < sizeof(trailer))
		n += (size_t)snprintf(trailer + n, sizeof(trailer) - n,
				      "A: bc" CRLF);
	assert_int_equal(decode(trailer, n, 1000, out, &out_len, &used),
			 -OCIBOOT_ETOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_kept_fields),
		cmocka_unit_test(test_body_kinds),
		cmocka_unit_test(test_head_end),
		cmocka_unit_test(test_head_caps),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_chunked_stops),
		cmocka_unit_test(test_chunked_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
