/* SPDX-License-Identifier: MIT */
/*
 * The read cursor: a record of every field type parsed whole and cut at
 * every offset (each field read before the cut has its value, the first
 * that does not fit fails the cursor and consumes nothing, every later one
 * fails too), the checks that do not fail the cursor (peek, expect), a
 * sub-cursor for a length-prefixed record, lengths near SIZE_MAX that must
 * not wrap, and outputs left alone on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/cursor.h"
#include "lib/util.h"

/* A record holding one field of each kind, in this order. */
enum field {
	F_U8, F_LE16, F_LE32, F_LE64, F_BE16, F_BE32, F_BE64, F_TAKE3,
	F_SKIP2, F_COPY4, F_EXPECT2, F_ZERO3,
};

static const size_t field_size[] = {
	[F_U8] = 1, [F_LE16] = 2, [F_LE32] = 4, [F_LE64] = 8,
	[F_BE16] = 2, [F_BE32] = 4, [F_BE64] = 8, [F_TAKE3] = 3,
	[F_SKIP2] = 2, [F_COPY4] = 4, [F_EXPECT2] = 2, [F_ZERO3] = 3,
};

static const uint8_t record[] = {
	0x7f,						/* u8 */
	0x34, 0x12,					/* le16 */
	0x78, 0x56, 0x34, 0x12,				/* le32 */
	0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12,	/* le64 */
	0x12, 0x34,					/* be16 */
	0x12, 0x34, 0x56, 0x78,				/* be32 */
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,	/* be64 */
	'a', 'b', 'c',					/* take 3 */
	0xee, 0xee,					/* skip 2 */
	'w', 'x', 'y', 'z',				/* copy 4 */
	'O', 'K',					/* expect "OK" */
	0, 0, 0,					/* zero 3 */
};

_Static_assert(ARRAY_SIZE(field_size) == F_ZERO3 + 1, "one size a field");

/* Read field f; true when its value is the record's. */
static bool read_field(struct cursor *c, enum field f)
{
	uint8_t out[4];

	switch (f) {
	case F_U8: return cursor_u8(c) == 0x7f;
	case F_LE16: return cursor_le16(c) == 0x1234;
	case F_LE32: return cursor_le32(c) == 0x12345678;
	case F_LE64: return cursor_le64(c) == 0x123456789abcdef0ull;
	case F_BE16: return cursor_be16(c) == 0x1234;
	case F_BE32: return cursor_be32(c) == 0x12345678;
	case F_BE64: return cursor_be64(c) == 0x123456789abcdef0ull;
	case F_TAKE3: {
		const uint8_t *p = cursor_take(c, 3);

		return p && memcmp(p, "abc", 3) == 0;
	}
	case F_SKIP2: return cursor_skip(c, 2);
	case F_COPY4:
		memset(out, 0x11, sizeof(out));
		if (!cursor_copy(c, out, 4)) {
			/* out left alone */
			for (size_t i = 0; i < sizeof(out); i++)
				assert_int_equal(out[i], 0x11);
			return false;
		}
		return memcmp(out, "wxyz", 4) == 0;
	case F_EXPECT2: return cursor_expect(c, "OK", 2);
	case F_ZERO3: return cursor_expect_zero(c, 3);
	}
	return false;
}

/* A failed read gives 0 / NULL / false. */
static void assert_read_fails(struct cursor *c, enum field f)
{
	switch (f) {
	case F_U8: assert_int_equal(cursor_u8(c), 0); break;
	case F_LE16: assert_int_equal(cursor_le16(c), 0); break;
	case F_LE32: assert_int_equal(cursor_le32(c), 0); break;
	case F_LE64: assert_true(cursor_le64(c) == 0); break;
	case F_BE16: assert_int_equal(cursor_be16(c), 0); break;
	case F_BE32: assert_int_equal(cursor_be32(c), 0); break;
	case F_BE64: assert_true(cursor_be64(c) == 0); break;
	default: assert_false(read_field(c, f)); break;
	}
	assert_true(cursor_failed(c));
}

static void test_whole_record(void **state)
{
	struct cursor c;

	cursor_init(&c, record, sizeof(record));
	for (enum field f = F_U8; f <= F_ZERO3; f++) {
		size_t before = cursor_offset(&c);

		assert_true(read_field(&c, f));
		assert_int_equal(cursor_offset(&c), before + field_size[f]);
	}
	assert_false(cursor_failed(&c));
	assert_true(cursor_done(&c));
	assert_int_equal(cursor_status(&c), 0);
	assert_int_equal(cursor_remaining(&c), 0);
	assert_int_equal(cursor_offset(&c), sizeof(record));
}

/* The record cut at every length, each cut in its own exact-size copy. */
static void test_truncation_at_every_offset(void **state)
{
	for (size_t len = 0; len < sizeof(record); len++) {
		uint8_t *copy = test_malloc(len ? len : 1);
		size_t end = 0;
		struct cursor c;
		enum field f;

		memcpy(copy, record, len);
		cursor_init(&c, copy, len);
		for (f = F_U8; f <= F_ZERO3; f++) {
			if (end + field_size[f] > len)
				break;
			assert_true(read_field(&c, f));
			end += field_size[f];
		}
		assert_true(f <= F_ZERO3);
		assert_false(cursor_failed(&c));
		assert_int_equal(cursor_remaining(&c), len - end);
		assert_read_fails(&c, f);
		/* Nothing consumed by the read that failed. */
		assert_int_equal(cursor_offset(&c), end);
		assert_int_equal(cursor_remaining(&c), 0);
		assert_int_equal(cursor_status(&c), -OCIBOOT_EMALFORMED);
		assert_false(cursor_done(&c));
		/* Sticky: even reads that would fit now fail. */
		assert_null(cursor_take(&c, 0));
		assert_null(cursor_peek(&c, 0));
		assert_int_equal(cursor_peek_u8(&c), -1);
		for (f = F_U8; f <= F_ZERO3; f++)
			assert_read_fails(&c, f);
		assert_int_equal(cursor_offset(&c), end);
		test_free(copy);
	}
}

static void test_peek(void **state)
{
	static const uint8_t b[] = { 1, 2, 3 };
	struct cursor c;

	cursor_init(&c, b, sizeof(b));
	assert_int_equal(cursor_peek_u8(&c), 1);
	assert_ptr_equal(cursor_peek(&c, 3), b);
	assert_null(cursor_peek(&c, 4));
	assert_false(cursor_failed(&c));	/* a peek never fails it */
	assert_int_equal(cursor_offset(&c), 0);
	assert_true(cursor_skip(&c, 3));
	assert_int_equal(cursor_peek_u8(&c), -1);
	assert_non_null(cursor_peek(&c, 0));
	assert_false(cursor_failed(&c));
}

/* A mismatch is the caller's to judge; only a short read fails. */
static void test_expect_mismatch(void **state)
{
	static const uint8_t b[] = { 'N', 'O', 0, 1, 0 };
	struct cursor c;

	cursor_init(&c, b, sizeof(b));
	assert_false(cursor_expect(&c, "OK", 2));
	assert_false(cursor_failed(&c));
	assert_int_equal(cursor_offset(&c), 2);
	assert_false(cursor_expect_zero(&c, 3));
	assert_false(cursor_failed(&c));
	assert_true(cursor_done(&c));
	assert_true(cursor_expect(&c, "", 0));
	assert_true(cursor_expect_zero(&c, 0));
	assert_false(cursor_expect_zero(&c, 1));
	assert_true(cursor_failed(&c));
}

static void test_fail_by_caller(void **state)
{
	static const uint8_t b[] = { 9, 9 };
	struct cursor c;

	cursor_init(&c, b, sizeof(b));
	cursor_fail(&c);
	assert_true(cursor_failed(&c));
	assert_int_equal(cursor_u8(&c), 0);
	assert_int_equal(cursor_offset(&c), 0);
}

/* Lengths near SIZE_MAX must not wrap p + n. */
static void test_huge_lengths(void **state)
{
	static const uint8_t b[4] = { 0 };
	const size_t huge[] = { SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 3,
				(size_t)1 << (sizeof(size_t) * 8 - 1), 5 };
	uint8_t out = 0x42;

	for (size_t i = 0; i < ARRAY_SIZE(huge); i++) {
		struct cursor c;

		cursor_init(&c, b, sizeof(b));
		assert_true(cursor_skip(&c, 1));
		assert_null(cursor_take(&c, huge[i]));
		assert_true(cursor_failed(&c));
		cursor_init(&c, b, sizeof(b));
		assert_false(cursor_skip(&c, huge[i]));
		cursor_init(&c, b, sizeof(b));
		assert_false(cursor_copy(&c, &out, huge[i]));
		assert_int_equal(out, 0x42);
		cursor_init(&c, b, sizeof(b));
		assert_false(cursor_expect_zero(&c, huge[i]));
		cursor_init(&c, b, sizeof(b));
		assert_null(cursor_peek(&c, huge[i]));
		assert_false(cursor_failed(&c));
		assert_int_equal(cursor_remaining(&c), 4);
	}
}

static void test_empty(void **state)
{
	struct cursor c;

	cursor_init(&c, NULL, 0);
	assert_true(cursor_done(&c));
	assert_non_null(cursor_take(&c, 0));	/* 0 bytes always fit */
	assert_true(cursor_skip(&c, 0));
	assert_false(cursor_failed(&c));
	assert_int_equal(cursor_u8(&c), 0);
	assert_true(cursor_failed(&c));
}

/* Type-length-value records: each value through a sub-cursor. */
static void test_sub(void **state)
{
	static const uint8_t b[] = {
		1, 2, 0xaa, 0xbb,	/* tag 1, length 2 */
		2, 0,			/* tag 2, empty */
		3, 5, 0xcc,		/* tag 3 claims 5 bytes, has 1 */
	};
	struct cursor c, v;

	cursor_init(&c, b, sizeof(b));
	assert_int_equal(cursor_u8(&c), 1);
	v = cursor_sub(&c, cursor_u8(&c));
	assert_int_equal(cursor_be16(&v), 0xaabb);
	assert_true(cursor_done(&v));
	assert_int_equal(cursor_offset(&c), 4);

	assert_int_equal(cursor_u8(&c), 2);
	v = cursor_sub(&c, cursor_u8(&c));
	assert_true(cursor_done(&v));

	assert_int_equal(cursor_u8(&c), 3);
	v = cursor_sub(&c, cursor_u8(&c));
	assert_true(cursor_failed(&c));
	assert_true(cursor_failed(&v));
	assert_int_equal(cursor_remaining(&v), 0);
	assert_int_equal(cursor_u8(&v), 0);
	assert_int_equal(cursor_offset(&c), 8);

	/* A sub-cursor reading past its own end leaves the parent alone. */
	cursor_init(&c, b, sizeof(b));
	v = cursor_sub(&c, 2);
	assert_true(cursor_done(&v) == false);
	assert_int_equal(cursor_le32(&v), 0);
	assert_true(cursor_failed(&v));
	assert_false(cursor_failed(&c));
	assert_int_equal(cursor_u8(&c), 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_record),
		cmocka_unit_test(test_truncation_at_every_offset),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_expect_mismatch),
		cmocka_unit_test(test_fail_by_caller),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_sub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
