/* SPDX-License-Identifier: MIT */
/*
 * Hex: every byte value encoded as printf("%02x") and "%02X" encode it and
 * decoded back; the table of decoder inputs (odd lengths, each character
 * just outside [0-9a-f], upper case refused by the strict decoder and taken
 * by the any-case one, caps exactly met and exceeded), and the output left
 * untouched on every failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lib/hex.h"
#include "lib/util.h"

static void test_digit_values(void **state)
{
	for (int c = 0; c < 256; c++) {
		char ch = (char)c;
		int strict = hex_digit_value(ch);
		int any = hex_digit_value_any_case(ch);
		const char *lower = c ? strchr("0123456789abcdef", c) : NULL;
		const char *upper = c ? strchr("0123456789ABCDEF", c) : NULL;

		if (lower)
			assert_int_equal(strict, lower - "0123456789abcdef");
		else
			assert_int_equal(strict, -1);
		if (lower)
			assert_int_equal(any, strict);
		else if (upper)
			assert_int_equal(any, upper - "0123456789ABCDEF");
		else
			assert_int_equal(any, -1);
	}
}

static void test_encode_every_byte(void **state)
{
	uint8_t all[256], back[256];
	char text[2 * 256 + 1], want[2 * 256 + 1];

	for (int i = 0; i < 256; i++) {
		all[i] = (uint8_t)i;
		snprintf(want + 2 * i, 3, "%02x", i);
	}
	memset(text, 'x', sizeof(text));
	hex_encode(all, sizeof(all), text);
	assert_string_equal(text, want);
	assert_true(hex_is_lower(text, strlen(text)));
	assert_int_equal(hex_decode(text, strlen(text), back, sizeof(back)),
			 256);
	assert_memory_equal(back, all, 256);

	for (int i = 0; i < 256; i++)
		snprintf(want + 2 * i, 3, "%02X", i);
	hex_encode_upper(all, sizeof(all), text);
	assert_string_equal(text, want);
	assert_int_equal(hex_decode_any_case(text, strlen(text), back,
					     sizeof(back)), 256);
	assert_memory_equal(back, all, 256);
}

static void test_encode_empty(void **state)
{
	char text[1] = { 'x' };

	hex_encode("", 0, text);
	assert_int_equal(text[0], '\0');
	hex_encode_upper("", 0, text);
	assert_int_equal(text[0], '\0');
}

struct decode_case {
	const char *hex;
	size_t cap;
	ssize_t strict;		/* hex_decode() */
	ssize_t any;		/* hex_decode_any_case() */
	const char *bytes;	/* on success */
};

#define BAD (-OCIBOOT_EMALFORMED)
#define BIG (-OCIBOOT_ETOOBIG)

static const struct decode_case decode_cases[] = {
	{ "", 0, 0, 0, "" },
	{ "", 4, 0, 0, "" },
	{ "00", 1, 1, 1, "\x00" },
	{ "ff", 1, 1, 1, "\xff" },
	{ "FF", 1, BAD, 1, "\xff" },
	{ "fF", 1, BAD, 1, "\xff" },
	{ "0123456789abcdef", 8, 8, 8, "\x01\x23\x45\x67\x89\xab\xcd\xef" },
	{ "0123456789ABCDEF", 8, BAD, 8,
	  "\x01\x23\x45\x67\x89\xab\xcd\xef" },
	{ "0123456789abcdef", 7, BIG, BIG, NULL },	/* one over the cap */
	{ "0123456789abcdef", 100, 8, 8,
	  "\x01\x23\x45\x67\x89\xab\xcd\xef" },
	{ "a", 4, BAD, BAD, NULL },			/* odd */
	{ "abc", 4, BAD, BAD, NULL },
	{ "0g", 1, BAD, BAD, NULL },
	{ "0G", 1, BAD, BAD, NULL },
	{ "/0", 1, BAD, BAD, NULL },			/* '0' - 1 */
	{ ":0", 1, BAD, BAD, NULL },			/* '9' + 1 */
	{ "`0", 1, BAD, BAD, NULL },			/* 'a' - 1 */
	{ "@0", 1, BAD, BAD, NULL },			/* 'A' - 1 */
	{ " 0", 1, BAD, BAD, NULL },
	{ "0x", 1, BAD, BAD, NULL },
	{ "-1", 1, BAD, BAD, NULL },
	{ "\xc3\xa9", 1, BAD, BAD, NULL },		/* non-ASCII */
	{ "zz", 0, BAD, BAD, NULL },	/* malformed is told before big */
	{ "00", 0, BIG, BIG, NULL },
};

static void check_decode(const struct decode_case *t, bool any, ssize_t want)
{
	uint8_t out[128];
	ssize_t r;

	memset(out, 0xa5, sizeof(out));
	r = any ? hex_decode_any_case(t->hex, strlen(t->hex), out, t->cap) :
		  hex_decode(t->hex, strlen(t->hex), out, t->cap);
	assert_int_equal(r, want);
	if (r >= 0) {
		assert_memory_equal(out, t->bytes, (size_t)r);
		assert_int_equal(out[r], 0xa5);
		return;
	}
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xa5);
}

static void test_decode_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *t = &decode_cases[i];

		print_message("case %zu: \"%s\" cap %zu\n", i, t->hex, t->cap);
		check_decode(t, false, t->strict);
		check_decode(t, true, t->any);
		assert_int_equal(hex_is_lower(t->hex, strlen(t->hex)),
				 strspn(t->hex, "0123456789abcdef") ==
				 strlen(t->hex));
	}
}

/* The length given is what is read: no NUL needed, bytes past it ignored. */
static void test_decode_length_bound(void **state)
{
	uint8_t out[2];

	assert_int_equal(hex_decode("abcdZZ", 4, out, sizeof(out)), 2);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
	assert_int_equal(hex_decode("ab", 0, out, 0), 0);
}

/* hex_is_lower() on the characters around each range. */
static void test_is_lower(void **state)
{
	assert_true(hex_is_lower("", 0));
	assert_true(hex_is_lower("0123456789abcdef", 16));
	assert_false(hex_is_lower("A", 1));
	assert_false(hex_is_lower("g", 1));
	assert_false(hex_is_lower("abc\0", 4));	/* a NUL is not a digit */
	assert_true(hex_is_lower("abcX", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digit_values),
		cmocka_unit_test(test_encode_every_byte),
		cmocka_unit_test(test_encode_empty),
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_decode_length_bound),
		cmocka_unit_test(test_is_lower),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
