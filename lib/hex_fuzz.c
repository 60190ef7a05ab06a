/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for hex_decode() and hex_decode_any_case(). The input,
 * copied to an exact-size buffer so ASan sees any overread, is decoded with
 * a cap taken from its first byte. Each result must match a plain
 * reference decoder (same verdict, same bytes); what decodes must encode
 * back to the input (lowered, for the any-case decoder); the output must be
 * untouched on failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "lib/util.h"

#define OUT_MAX 256

static int reference_value(uint8_t c, bool any_case)
{
	const char *digits = "0123456789abcdef0123456789ABCDEF";

	for (int i = 0; i < (any_case ? 32 : 16); i++)
		if (digits[i] == c)
			return i % 16;
	return -1;
}

static ssize_t reference(const uint8_t *in, size_t len, uint8_t *out,
			 size_t cap, bool any_case)
{
	if (len % 2)
		return -OCIBOOT_EMALFORMED;
	for (size_t i = 0; i < len; i++)
		if (reference_value(in[i], any_case) < 0)
			return -OCIBOOT_EMALFORMED;
	if (len / 2 > cap)
		return -OCIBOOT_ETOOBIG;
	for (size_t i = 0; i < len / 2; i++)
		out[i] = (uint8_t)(reference_value(in[2 * i], any_case) << 4 |
				   reference_value(in[2 * i + 1], any_case));
	return (ssize_t)(len / 2);
}

static void check(const char *text, size_t len, size_t cap, bool any_case)
{
	uint8_t out[OUT_MAX + 1], want[OUT_MAX];
	char again[2 * OUT_MAX + 1];
	ssize_t r, w;

	memset(out, 0x5a, sizeof(out));
	r = any_case ? hex_decode_any_case(text, len, out, cap) :
		       hex_decode(text, len, out, cap);
	w = reference((const uint8_t *)text, len, want, cap, any_case);
	if (r != w)
		__builtin_trap();
	if (r < 0) {
		for (size_t i = 0; i < sizeof(out); i++)
			if (out[i] != 0x5a)
				__builtin_trap();
		return;
	}
	if (memcmp(out, want, (size_t)r) != 0 || out[r] != 0x5a)
		__builtin_trap();
	hex_encode(out, (size_t)r, again);
	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (again[i] != c)
			__builtin_trap();
	}
	if (again[len] != '\0' || (!any_case && !hex_is_lower(text, len)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap, len;
	char *text;

	if (size < 1)
		return 0;
	cap = data[0] % (OUT_MAX + 1);
	len = size - 1;
	if (len > 2 * OUT_MAX + 2)
		len = 2 * OUT_MAX + 2;
	text = malloc(len ? len : 1);
	if (!text)
		__builtin_trap();
	memcpy(text, data + 1, len);
	check(text, len, cap, false);
	check(text, len, cap, true);
	free(text);
	return 0;
}
