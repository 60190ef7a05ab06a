/* SPDX-License-Identifier: MIT */
/* Hex text to and from bytes; see hex.h. */
#include "lib/hex.h"

#include <stdint.h>

#include "lib/util.h"

static const char lower_digits[] = "0123456789abcdef";
static const char upper_digits[] = "0123456789ABCDEF";

int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hex_digit_value_any_case(char c)
{
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return hex_digit_value(c);
}

bool hex_is_lower(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (hex_digit_value(s[i]) < 0)
			return false;
	return true;
}

static void encode(const void *in, size_t len, char *out,
		   const char digits[16])
{
	const uint8_t *p = in;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

void hex_encode(const void *in, size_t len, char *out)
{
	encode(in, len, out, lower_digits);
}

void hex_encode_upper(const void *in, size_t len, char *out)
{
	encode(in, len, out, upper_digits);
}

/* Check every digit first, so that out is written only on success. */
static ssize_t decode(const char *hex, size_t hex_len, void *out,
		      size_t out_cap, int (*value)(char))
{
	uint8_t *o = out;
	size_t len = hex_len / 2;

	if (hex_len % 2)
		return -OCIBOOT_EMALFORMED;
	for (size_t i = 0; i < hex_len; i++)
		if (value(hex[i]) < 0)
			return -OCIBOOT_EMALFORMED;
	if (len > out_cap || len > HEX_DECODE_MAX)
		return -OCIBOOT_ETOOBIG;
	for (size_t i = 0; i < len; i++)
		o[i] = (uint8_t)(value(hex[2 * i]) << 4 |
				 value(hex[2 * i + 1]));
	return (ssize_t)len;
}

ssize_t hex_decode(const char *hex, size_t hex_len, void *out,
		   size_t out_cap)
{
	return decode(hex, hex_len, out, out_cap, hex_digit_value);
}

ssize_t hex_decode_any_case(const char *hex, size_t hex_len, void *out,
			    size_t out_cap)
{
	return decode(hex, hex_len, out, out_cap, hex_digit_value_any_case);
}
