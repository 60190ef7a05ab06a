/* SPDX-License-Identifier: MIT */
/*
 * The fixed-buffer text builder: one script of appends of every kind run
 * into buffers of every size from 0 to past what it needs, each an exact-
 * size allocation so ASan sees a write past it. The text must be the
 * prefix of the whole (as snprintf() builds it) that fits, NUL-terminated,
 * with the flag set exactly when something was cut, and appends after a
 * cut ignored. Then the cut mark, a format error, and the empty buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "lib/strbuf.h"
#include "lib/util.h"

static const uint8_t digest[5] = { 0x00, 0x9a, 0xbc, 0xde, 0xff };

/* Everything the script appends, as one snprintf() writes it. */
static size_t whole(char *out, size_t size)
{
	return (size_t)snprintf(out, size, "KEY=%s %d%c%.*s009abcdeff|%s",
				"value", -42, '!', 3, "abcdef", "tail");
}

static void script(struct strbuf *sb)
{
	strbuf_printf(sb, "KEY=%s %d", "value", -42);
	strbuf_putc(sb, '!');
	strbuf_append(sb, "abcdef", 3);
	strbuf_hex(sb, digest, sizeof(digest));
	strbuf_puts(sb, "|");
	strbuf_puts(sb, "");
	strbuf_printf(sb, "%s", "tail");
}

static void test_every_size(void **state)
{
	char want[128];
	size_t full = whole(want, sizeof(want));

	assert_true(full < sizeof(want));
	for (size_t size = 0; size <= full + 2; size++) {
		char *buf = test_malloc(size ? size : 1);
		size_t fits = size ? (size - 1 < full ? size - 1 : full) : 0;
		struct strbuf sb;

		memset(buf, 0x7e, size ? size : 1);
		strbuf_init(&sb, buf, size);
		script(&sb);
		assert_int_equal(strbuf_len(&sb), fits);
		assert_int_equal(strlen(strbuf_str(&sb)), fits);
		assert_memory_equal(strbuf_str(&sb), want, fits);
		assert_int_equal(strbuf_truncated(&sb), size == 0 ||
				 full > size - 1);
		if (size == 0)
			assert_int_equal(buf[0], 0x7e);	/* untouched */
		test_free(buf);
	}
}

/* After a cut, a short piece that would fit is still refused. */
static void test_sticky(void **state)
{
	char buf[8];
	struct strbuf sb;

	strbuf_init(&sb, buf, sizeof(buf));
	strbuf_puts(&sb, "0123456789");
	assert_true(strbuf_truncated(&sb));
	assert_string_equal(buf, "0123456");
	strbuf_init(&sb, buf, sizeof(buf));
	strbuf_puts(&sb, "0123");
	strbuf_puts(&sb, "45678");	/* cut to "456" */
	strbuf_puts(&sb, "");
	strbuf_putc(&sb, 'x');
	strbuf_printf(&sb, "%d", 1);
	strbuf_hex(&sb, "\x01", 1);
	assert_string_equal(buf, "0123456");
	assert_true(strbuf_truncated(&sb));
}

/* Exactly full is not truncated; one byte more is. */
static void test_exact_fit(void **state)
{
	char buf[5];
	struct strbuf sb;

	strbuf_init(&sb, buf, sizeof(buf));
	strbuf_printf(&sb, "%s", "ab");
	strbuf_append(&sb, "cd", 2);
	assert_false(strbuf_truncated(&sb));
	assert_string_equal(buf, "abcd");
	strbuf_append(&sb, "", 0);
	assert_false(strbuf_truncated(&sb));
	strbuf_putc(&sb, 'e');
	assert_true(strbuf_truncated(&sb));
	assert_string_equal(buf, "abcd");
}

struct cut_case {
	size_t size;
	const char *text;
	const char *mark;
	const char *want;
};

static const struct cut_case cut_cases[] = {
	{ 16, "short", "...", "short" },		/* not cut: no mark */
	{ 8, "0123456789", "...", "0123..." },
	{ 4, "0123456789", "...", "..." },
	{ 3, "0123456789", "...", ".." },		/* the mark cut too */
	{ 1, "0123456789", "...", "" },
	{ 8, "0123456789", "", "0123456" },
	{ 6, "012345", "...", "01..." },		/* cut by 1 byte */
};

static void test_mark_cut(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cut_cases); i++) {
		const struct cut_case *t = &cut_cases[i];
		char *buf = test_malloc(t->size);
		struct strbuf sb;

		strbuf_init(&sb, buf, t->size);
		strbuf_puts(&sb, t->text);
		strbuf_mark_cut(&sb, t->mark);
		assert_string_equal(strbuf_str(&sb), t->want);
		assert_int_equal(strbuf_len(&sb), strlen(t->want));
		assert_int_equal(strbuf_truncated(&sb),
				 strlen(t->text) > t->size - 1);
		test_free(buf);
	}
}

/* A format error stops the text where it was and sets the flag. */
static void test_format_error(void **state)
{
	char buf[16];
	struct strbuf sb;

	strbuf_init(&sb, buf, sizeof(buf));
	strbuf_puts(&sb, "ab");
	/* %lc of a value no locale encodes: vsnprintf() fails (EILSEQ). */
	strbuf_printf(&sb, "%lc", (wint_t)0xd800);
	if (!strbuf_truncated(&sb)) {
		print_message("note: this libc formats a lone surrogate\n");
		return;
	}
	assert_string_equal(buf, "ab");
	assert_int_equal(strbuf_len(&sb), 2);
	strbuf_mark_cut(&sb, "...");
	assert_string_equal(buf, "ab...");
}

static void test_empty_buffer(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb, NULL, 0);
	strbuf_puts(&sb, "x");
	strbuf_printf(&sb, "%d", 1);
	strbuf_mark_cut(&sb, "...");
	assert_true(strbuf_truncated(&sb));
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(strbuf_len(&sb), 0);
}

/* Hex longer than the encoder's chunk, against printf("%02x"). */
static void test_hex_long(void **state)
{
	uint8_t bytes[100];
	char buf[2 * sizeof(bytes) + 1], want[2 * sizeof(bytes) + 1];
	struct strbuf sb;

	for (size_t i = 0; i < sizeof(bytes); i++) {
		bytes[i] = (uint8_t)(i * 37 + 5);
		snprintf(want + 2 * i, 3, "%02x", bytes[i]);
	}
	strbuf_init(&sb, buf, sizeof(buf));
	strbuf_hex(&sb, bytes, sizeof(bytes));
	assert_false(strbuf_truncated(&sb));
	assert_string_equal(buf, want);
	strbuf_init(&sb, buf, 70);
	strbuf_hex(&sb, bytes, sizeof(bytes));
	assert_true(strbuf_truncated(&sb));
	assert_int_equal(strbuf_len(&sb), 69);
	assert_memory_equal(buf, want, 69);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_mark_cut),
		cmocka_unit_test(test_format_error),
		cmocka_unit_test(test_empty_buffer),
		cmocka_unit_test(test_hex_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
