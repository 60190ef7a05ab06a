/* SPDX-License-Identifier: MIT */
#include "crypto/sha256.h"

#include <errno.h>
#include <string.h>

void sha256_init(struct sha256 *s)
{
	br_sha256_init(&s->br);
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	br_sha256_update(&s->br, data, len);
}

void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN])
{
	br_sha256_out(&s->br, out);
	br_sha256_init(&s->br);
}

void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

void sha256_hex(const uint8_t digest[SHA256_LEN],
		char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int sha256_from_hex(const char *hex, size_t len, uint8_t digest[SHA256_LEN])
{
	uint8_t tmp[SHA256_LEN];

	if (len != SHA256_HEX_LEN)
		return -EINVAL;
	for (size_t i = 0; i < SHA256_LEN; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(digest, tmp, sizeof(tmp));
	return 0;
}
