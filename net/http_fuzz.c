/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the HTTP response framing as the client meets it: find the end of
 * the head, parse it, then decode the rest as a chunked body, whole and
 * again one byte at a time; both ways must give the same payload and the
 * same verdict, and the payload can never be longer than the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/http_parse.h"

static uint8_t whole[1 << 16], bytewise[1 << 16];

/* Decode in[0..len) step bytes at a time. Returns 1 done, 0 more, < 0. */
static long decode(const uint8_t *in, size_t len, size_t step, uint8_t *out,
		   size_t *out_len)
{
	struct http_chunked c;
	size_t pos = 0;

	http_chunked_init(&c);
	*out_len = 0;
	while (pos < len && !http_chunked_done(&c)) {
		size_t n = len - pos < step ? len - pos : step;
		size_t off, dlen;
		long r = http_chunked_decode(&c, in + pos, n, &off, &dlen,
					     NULL);

		if (r < 0)
			return r;
		if ((size_t)r > n || off + dlen > (size_t)r)
			__builtin_trap();
		if (r == 0)
			__builtin_trap();
		if (*out_len + dlen <= sizeof(whole))
			memcpy(out + *out_len, in + pos + off, dlen);
		*out_len += dlen;
		pos += (size_t)r;
	}
	return http_chunked_done(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_head h;
	size_t body = 0, a_len, b_len;
	long a, b;
	int end;

	end = http_head_end((const char *)data, size, NULL);
	if (end > 0) {
		if ((size_t)end > size)
			__builtin_trap();
		if (http_head_parse((const char *)data, (size_t)end, &h,
				    NULL) == 0) {
			if (h.status < 100 || h.status > 599 ||
			    (h.chunked && h.content_length >= 0))
				__builtin_trap();
			(void)http_body_kind(&h, false);
		}
		body = (size_t)end;
	}
	a = decode(data + body, size - body, size, whole, &a_len);
	b = decode(data + body, size - body, 1, bytewise, &b_len);
	if (a != b || (a >= 0 && a_len != b_len) || a_len > size)
		__builtin_trap();
	if (a >= 0 && a_len <= sizeof(whole) && memcmp(whole, bytewise, a_len))
		__builtin_trap();
	return 0;
}
