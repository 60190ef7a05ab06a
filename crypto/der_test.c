/* SPDX-License-Identifier: MIT */
/*
 * Tests of crypto/der.c, table-driven: one TLV read by der_next() from
 * every shape of tag and length DER allows and from the ones it does not
 * (high tag numbers, the indefinite form, lengths longer than their
 * shortest form, over the cap or past the end); der_open()'s exact span;
 * sticky failures; BOOLEAN, positive INTEGER and OID contents; and every
 * length from 0 to past 64 KiB written in its shortest form, read back.
 * The expectations come from X.690's DER rules (8.1.2, 8.1.3, 10.1, 8.2,
 * 8.3, 8.19), not from the reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/der.h"
#include "lib/error.h"
#include "lib/util.h"

#define MAXB 16

/* Bytes, and what der_next() must make of them. */
struct tlv_case {
	const char *what;
	uint8_t in[MAXB];
	size_t n;
	int ret;		/* 0 or -OCIBOOT_EMALFORMED */
	uint8_t tag;		/* when ret == 0 */
	size_t hdr;		/* tag + length bytes */
	size_t len;		/* contents */
};

#define BAD(w, ...)							\
	{ .what = w, .in = { __VA_ARGS__ },				\
	  .n = sizeof((uint8_t[]){ __VA_ARGS__ }),			\
	  .ret = -OCIBOOT_EMALFORMED }
#define GOOD(w, t, h, l, ...)						\
	{ .what = w, .in = { __VA_ARGS__ },				\
	  .n = sizeof((uint8_t[]){ __VA_ARGS__ }), .tag = t, .hdr = h,	\
	  .len = l }

static const struct tlv_case tlv_cases[] = {
	GOOD("empty NULL", 0x05, 2, 0, 0x05, 0x00),
	GOOD("INTEGER 1", DER_INTEGER, 2, 1, 0x02, 0x01, 0x01),
	GOOD("SEQUENCE of one NULL", DER_SEQUENCE, 2, 2,
	     0x30, 0x02, 0x05, 0x00),
	GOOD("only the first TLV is read", DER_INTEGER, 2, 1,
	     0x02, 0x01, 0x07, 0x05, 0x00),
	GOOD("context [0] constructed", DER_CONTEXT(0), 2, 1,
	     0xa0, 0x01, 0x00),
	GOOD("context [3] primitive", DER_CONTEXT_PRIMITIVE(3), 2, 0,
	     0x83, 0x00),
	GOOD("tag number 30, the highest one-byte tag", 0x1e, 2, 0,
	     0x1e, 0x00),
	GOOD("short form 14, filling the buffer", 0x04, 2, 14, 0x04, 0x0e,
	     1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
	BAD("tag number 31: a high tag number follows", 0x1f, 0x01, 0x00),
	BAD("context high tag number", 0xbf, 0x81, 0x01, 0x00),
	BAD("indefinite length", 0x30, 0x80, 0x00, 0x00),
	BAD("long form for a length below 128", 0x04, 0x81, 0x05,
	    1, 2, 3, 4, 5),
	BAD("long form 0x81 0x00", 0x04, 0x81, 0x00),
	BAD("long form with a leading zero byte", 0x04, 0x82, 0x00, 0x80),
	BAD("four length bytes: over the cap", 0x04, 0x84, 0x01, 0x00,
	    0x00, 0x00),
	BAD("0x8f length bytes", 0x04, 0x8f, 0x01),
	BAD("reserved length byte 0xff", 0x04, 0xff, 0x01),
	BAD("long form cut after its first byte", 0x04, 0x82, 0x01),
	BAD("long form with no length bytes at all", 0x04, 0x81),
	BAD("contents one byte short", 0x04, 0x03, 0x01, 0x02),
	BAD("long-form contents past the end", 0x04, 0x81, 0x80, 0x00),
	BAD("a tag with no length", 0x30),
};

static void test_next_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(tlv_cases); i++) {
		const struct tlv_case *k = &tlv_cases[i];
		struct der_cursor c;
		struct der_tlv t = { .tag = 0xee };
		int ret;

		der_init(&c, k->in, k->n);
		ret = der_next(&c, &t);
		if (ret != k->ret)
			fail_msg("%s: der_next gave %d, want %d", k->what,
				 ret, k->ret);
		if (ret < 0) {
			/* Nothing written, and the cursor has failed. */
			assert_int_equal(t.tag, 0xee);
			assert_int_equal(der_peek(&c), -1);
			assert_false(der_at_end(&c));
			continue;
		}
		if (t.tag != k->tag || t.len != k->len ||
		    t.size != k->hdr + k->len || t.start != k->in ||
		    t.value != k->in + k->hdr)
			fail_msg("%s: tag %#x len %zu size %zu", k->what,
				 t.tag, t.len, t.size);
		assert_int_equal(der_at_end(&c), t.size == k->n);
	}
}

/* Every length, written in its shortest form, reads back. */
static size_t put_header(uint8_t *b, uint8_t tag, size_t len)
{
	size_t n = 0;

	b[n++] = tag;
	if (len < 0x80) {
		b[n++] = (uint8_t)len;
	} else if (len < 0x100) {
		b[n++] = 0x81;
		b[n++] = (uint8_t)len;
	} else if (len < 0x10000) {
		b[n++] = 0x82;
		b[n++] = (uint8_t)(len >> 8);
		b[n++] = (uint8_t)len;
	} else {
		b[n++] = 0x83;
		b[n++] = (uint8_t)(len >> 16);
		b[n++] = (uint8_t)(len >> 8);
		b[n++] = (uint8_t)len;
	}
	return n;
}

static void test_every_length(void **state)
{
	size_t cap = 70000 + 8;
	uint8_t *b = calloc(1, cap);
	struct der_cursor c;
	struct der_tlv t;

	(void)state;
	assert_non_null(b);
	for (size_t len = 0; len <= 70000; len += len < 300 ? 1 : 251) {
		size_t h = put_header(b, DER_OCTET_STRING, len);

		der_init(&c, b, h + len);
		assert_int_equal(der_next(&c, &t), 0);
		assert_int_equal(t.len, len);
		assert_int_equal(t.size, h + len);
		assert_true(der_at_end(&c));
		/* One byte short: refused. */
		der_init(&c, b, h + len - 1);
		assert_int_equal(der_next(&c, &t), -OCIBOOT_EMALFORMED);
	}
	free(b);
}

static void test_length_cap(void **state)
{
	/* DER_LEN_MAX itself passes the length check, one more does not;
	 * neither fits the buffer, which is what then refuses the first. */
	const uint8_t at_cap[] = { 0x04, 0x83, 0xff, 0xff, 0xff };
	const uint8_t over[] = { 0x04, 0x84, 0x01, 0x00, 0x00, 0x00 };
	struct der_cursor c;
	struct der_tlv t;

	(void)state;
	assert_true(DER_LEN_MAX == 0x1000000);
	der_init(&c, at_cap, sizeof(at_cap));
	assert_int_equal(der_next(&c, &t), -OCIBOOT_EMALFORMED);
	der_init(&c, over, sizeof(over));
	assert_int_equal(der_next(&c, &t), -OCIBOOT_EMALFORMED);
}

static void test_sticky_and_expect(void **state)
{
	const uint8_t two[] = { 0x02, 0x01, 0x05, 0x05, 0x00 };
	const uint8_t bad_then_good[] = { 0x04, 0x80, 0x05, 0x00 };
	struct der_cursor c;
	struct der_tlv t;

	(void)state;
	/* A wrong tag is refused without consuming anything. */
	der_init(&c, two, sizeof(two));
	assert_int_equal(der_peek(&c), DER_INTEGER);
	assert_int_equal(der_expect(&c, DER_SEQUENCE, &t),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(der_expect(&c, DER_INTEGER, &t), 0);
	assert_int_equal(t.value[0], 5);
	assert_int_equal(der_expect(&c, 0x05, &t), 0);
	assert_true(der_at_end(&c));
	assert_int_equal(der_next(&c, &t), -OCIBOOT_EMALFORMED);
	assert_int_equal(der_peek(&c), -1);

	/* After a failure, even a good TLV is not read. */
	der_init(&c, bad_then_good, sizeof(bad_then_good));
	assert_int_equal(der_next(&c, &t), -OCIBOOT_EMALFORMED);
	assert_int_equal(der_peek(&c), -1);
	assert_int_equal(der_next(&c, &t), -OCIBOOT_EMALFORMED);
	assert_false(der_at_end(&c));
}

static void test_open(void **state)
{
	const uint8_t seq[] = { 0x30, 0x03, 0x02, 0x01, 0x09 };
	const uint8_t trailing[] = { 0x30, 0x03, 0x02, 0x01, 0x09, 0x00 };
	struct der_cursor c, in;
	struct der_tlv t;

	(void)state;
	assert_int_equal(der_open(&c, seq, sizeof(seq), DER_SEQUENCE), 0);
	assert_int_equal(der_expect(&c, DER_INTEGER, &t), 0);
	assert_int_equal(t.value[0], 9);
	assert_true(der_at_end(&c));
	assert_int_equal(der_open(&c, trailing, sizeof(trailing),
				  DER_SEQUENCE), -OCIBOOT_EMALFORMED);
	assert_int_equal(der_open(&c, seq, sizeof(seq), DER_SET),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(der_open(&c, seq, sizeof(seq) - 1, DER_SEQUENCE),
			 -OCIBOOT_EMALFORMED);
	/* der_enter() reads inside a TLV only. */
	der_init(&c, seq, sizeof(seq));
	assert_int_equal(der_next(&c, &t), 0);
	der_enter(&in, &t);
	assert_int_equal(der_next(&in, &t), 0);
	assert_true(der_at_end(&in));
}

struct value_case {
	const char *what;
	uint8_t tag;
	uint8_t v[MAXB];
	size_t n;
	int ret;
	size_t skip;		/* INTEGER: sign bytes dropped */
	bool b;			/* BOOLEAN: the value */
};

static const struct value_case booleans[] = {
	{ "FALSE", DER_BOOLEAN, { 0x00 }, 1, 0, 0, false },
	{ "TRUE", DER_BOOLEAN, { 0xff }, 1, 0, 0, true },
	{ "TRUE as 0x01 (BER, not DER)", DER_BOOLEAN, { 0x01 }, 1,
	  -OCIBOOT_EMALFORMED, 0, false },
	{ "empty", DER_BOOLEAN, { 0 }, 0, -OCIBOOT_EMALFORMED, 0, false },
	{ "two bytes", DER_BOOLEAN, { 0xff, 0xff }, 2, -OCIBOOT_EMALFORMED,
	  0, false },
	{ "an INTEGER", DER_INTEGER, { 0xff }, 1, -OCIBOOT_EMALFORMED, 0,
	  false },
};

static const struct value_case integers[] = {
	{ "1", DER_INTEGER, { 0x01 }, 1, 0, 0, false },
	{ "127", DER_INTEGER, { 0x7f }, 1, 0, 0, false },
	{ "128 with its sign byte", DER_INTEGER, { 0x00, 0x80 }, 2, 0, 1,
	  false },
	{ "a 3-byte one", DER_INTEGER, { 0x01, 0x00, 0x00 }, 3, 0, 0, false },
	{ "zero", DER_INTEGER, { 0x00 }, 1, -OCIBOOT_EMALFORMED, 0, false },
	{ "empty", DER_INTEGER, { 0 }, 0, -OCIBOOT_EMALFORMED, 0, false },
	{ "negative", DER_INTEGER, { 0x80 }, 1, -OCIBOOT_EMALFORMED, 0,
	  false },
	{ "-1", DER_INTEGER, { 0xff }, 1, -OCIBOOT_EMALFORMED, 0, false },
	{ "leading zero before a low bit", DER_INTEGER, { 0x00, 0x7f }, 2,
	  -OCIBOOT_EMALFORMED, 0, false },
	{ "two leading zeros", DER_INTEGER, { 0x00, 0x00, 0x80 }, 3,
	  -OCIBOOT_EMALFORMED, 0, false },
	{ "an OCTET STRING", DER_OCTET_STRING, { 0x01 }, 1,
	  -OCIBOOT_EMALFORMED, 0, false },
};

static struct der_tlv tlv_of(const struct value_case *k)
{
	return (struct der_tlv){ .tag = k->tag, .value = k->v, .len = k->n,
				 .start = k->v, .size = k->n };
}

static void test_boolean(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(booleans); i++) {
		const struct value_case *k = &booleans[i];
		struct der_tlv t = tlv_of(k);
		bool b = !k->b;
		int ret = der_boolean(&t, &b);

		if (ret != k->ret || (ret == 0 && b != k->b))
			fail_msg("BOOLEAN %s: %d %d", k->what, ret, b);
	}
}

static void test_positive_integer(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(integers); i++) {
		const struct value_case *k = &integers[i];
		struct der_tlv t = tlv_of(k);
		const uint8_t *mag = NULL;
		size_t mag_len = 0;
		int ret = der_positive_integer(&t, &mag, &mag_len);

		if (ret != k->ret)
			fail_msg("INTEGER %s: %d, want %d", k->what, ret,
				 k->ret);
		if (ret == 0 &&
		    (mag != k->v + k->skip || mag_len != k->n - k->skip))
			fail_msg("INTEGER %s: magnitude at +%td, %zu bytes",
				 k->what, mag - k->v, mag_len);
	}
}

struct oid_case {
	const char *what;
	uint8_t v[MAXB];
	size_t n;
	const char *dotted;	/* NULL: refused */
};

static const struct oid_case oids[] = {
	{ "commonName", { 0x55, 0x04, 0x03 }, 3, "2.5.4.3" },
	{ "first arc 0", { 0x00 }, 1, "0.0" },
	{ "first arc 1.39", { 0x4f }, 1, "1.39" },
	{ "first byte 80: 2.0", { 0x50 }, 1, "2.0" },
	{ "2.999 in two bytes", { 0x88, 0x37 }, 2, "2.999" },
	{ "codeSigning", { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03 },
	  8, "1.3.6.1.5.5.7.3.3" },
	{ "largest arc, 2^63 - 1",
	  { 0x2a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f }, 10,
	  "1.2.9223372036854775807" },
	{ "arc 2^63", { 0x2a, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
			0x80, 0x00 }, 11, NULL },
	{ "empty", { 0 }, 0, NULL },
	{ "arc with a leading 0x80", { 0x2a, 0x80, 0x01 }, 3, NULL },
	{ "first arc with a leading 0x80", { 0x80, 0x01 }, 2, NULL },
	{ "last arc unterminated", { 0x2a, 0x86 }, 2, NULL },
};

static void test_oid(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(oids); i++) {
		const struct oid_case *k = &oids[i];
		char buf[64];
		int ret = der_oid_format(k->v, k->n, buf, sizeof(buf));

		assert_int_equal(der_oid_check(k->v, k->n),
				 k->dotted ? 0 : -OCIBOOT_EMALFORMED);
		if (!k->dotted) {
			if (ret != -OCIBOOT_EMALFORMED || buf[0])
				fail_msg("OID %s: %d '%s'", k->what, ret, buf);
			continue;
		}
		if (ret != (int)strlen(k->dotted) || strcmp(buf, k->dotted))
			fail_msg("OID %s: %d '%s', want '%s'", k->what, ret,
				 buf, k->dotted);
		/* One byte too small for the NUL: refused, and buf is "". */
		assert_int_equal(der_oid_format(k->v, k->n, buf, (size_t)ret),
				 -OCIBOOT_ETOOBIG);
		assert_string_equal(buf, "");
	}
}

static void test_oid_is(void **state)
{
	const uint8_t cn[] = { 0x55, 0x04, 0x03 };
	const uint8_t enc[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	struct der_cursor c;
	struct der_tlv t;

	(void)state;
	der_init(&c, enc, sizeof(enc));
	assert_int_equal(der_next(&c, &t), 0);
	assert_true(der_oid_is(&t, cn, sizeof(cn)));
	assert_false(der_oid_is(&t, cn, 2));
	t.tag = DER_OCTET_STRING;
	assert_false(der_oid_is(&t, cn, sizeof(cn)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_table),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_length_cap),
		cmocka_unit_test(test_sticky_and_expect),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_boolean),
		cmocka_unit_test(test_positive_integer),
		cmocka_unit_test(test_oid),
		cmocka_unit_test(test_oid_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
