/* SPDX-License-Identifier: MIT */
/*
 * Endian loads and stores: fixed vectors in both byte orders, every store
 * read back by its load, and the C library's htole and htobe conversions
 * as the reference over values at every alignment of a buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <endian.h>
#include <string.h>

#include "lib/endian.h"
#include "lib/util.h"

static const uint8_t bytes[8] = { 0x01, 0x23, 0x45, 0x67,
				  0x89, 0xab, 0xcd, 0xef };

static void test_vectors(void **state)
{
	assert_int_equal(le16_load(bytes), 0x2301);
	assert_int_equal(le32_load(bytes), 0x67452301);
	assert_true(le64_load(bytes) == 0xefcdab8967452301ull);
	assert_int_equal(be16_load(bytes), 0x0123);
	assert_int_equal(be32_load(bytes), 0x01234567);
	assert_true(be64_load(bytes) == 0x0123456789abcdefull);
	/* High bits do not sign-extend. */
	assert_int_equal(le16_load(bytes + 6), 0xefcd);
	assert_int_equal(be32_load(bytes + 4), 0x89abcdefu);
}

static void test_store_vectors(void **state)
{
	uint8_t b[8];

	memset(b, 0, sizeof(b));
	le64_store(b, 0xefcdab8967452301ull);
	assert_memory_equal(b, bytes, 8);
	memset(b, 0, sizeof(b));
	be64_store(b, 0x0123456789abcdefull);
	assert_memory_equal(b, bytes, 8);
	memset(b, 0xee, sizeof(b));
	le16_store(b, 0x2301);
	assert_memory_equal(b, bytes, 2);
	assert_int_equal(b[2], 0xee);		/* nothing past the field */
	memset(b, 0xee, sizeof(b));
	be32_store(b, 0x01234567);
	assert_memory_equal(b, bytes, 4);
	assert_int_equal(b[4], 0xee);
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Against the C library, at each of the 8 alignments. */
static void test_reference(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t buf[16], ref[8];

	for (int round = 0; round < 4096; round++) {
		uint64_t v = next(&x);
		size_t off = (size_t)round % 8;
		uint16_t r16;
		uint32_t r32;
		uint64_t r64;

		r16 = htole16((uint16_t)v);
		memcpy(ref, &r16, 2);
		le16_store(buf + off, (uint16_t)v);
		assert_memory_equal(buf + off, ref, 2);
		assert_int_equal(le16_load(buf + off), (uint16_t)v);

		r16 = htobe16((uint16_t)v);
		memcpy(ref, &r16, 2);
		be16_store(buf + off, (uint16_t)v);
		assert_memory_equal(buf + off, ref, 2);
		assert_int_equal(be16_load(buf + off), (uint16_t)v);

		r32 = htole32((uint32_t)v);
		memcpy(ref, &r32, 4);
		le32_store(buf + off, (uint32_t)v);
		assert_memory_equal(buf + off, ref, 4);
		assert_int_equal(le32_load(buf + off), (uint32_t)v);

		r32 = htobe32((uint32_t)v);
		memcpy(ref, &r32, 4);
		be32_store(buf + off, (uint32_t)v);
		assert_memory_equal(buf + off, ref, 4);
		assert_int_equal(be32_load(buf + off), (uint32_t)v);

		r64 = htole64(v);
		memcpy(ref, &r64, 8);
		le64_store(buf + off, v);
		assert_memory_equal(buf + off, ref, 8);
		assert_true(le64_load(buf + off) == v);

		r64 = htobe64(v);
		memcpy(ref, &r64, 8);
		be64_store(buf + off, v);
		assert_memory_equal(buf + off, ref, 8);
		assert_true(be64_load(buf + off) == v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_store_vectors),
		cmocka_unit_test(test_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
