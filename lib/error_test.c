/* SPDX-License-Identifier: MIT */
/* Tests of lib/error.c: recording, context, escaping, cuts and the line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"

static void test_set_returns_negative_code(void **state)
{
	struct error e;

	assert_int_equal(error_set(&e, -EINVAL, "x", "y"), -EINVAL);
	assert_int_equal(e.code, -EINVAL);
	assert_int_equal(error_set(&e, EIO, NULL, NULL), -EIO);
	assert_int_equal(e.code, -EIO);
	assert_string_equal(e.what, "");
	assert_string_equal(e.why, "");
	assert_int_equal(error_set(NULL, -ENOENT, "x", "y %d", 1), -ENOENT);
	assert_true(error_failed(&e));
	error_clear(&e);
	assert_false(error_failed(&e));
	assert_false(error_failed(NULL));
	assert_true(e.offset == ERROR_NO_OFFSET);
}

static void test_set_resets_where(void **state)
{
	struct error e;

	error_set(&e, -EINVAL, "a", "b");
	error_at(&e, "$.x");
	error_at_offset(&e, 7);
	error_reason(&e, 3);
	error_set(&e, -EIO, "c", "d");
	assert_string_equal(e.where, "");
	assert_true(e.offset == ERROR_NO_OFFSET);
	assert_int_equal(e.reason, 0);
	assert_int_equal(error_reason(&e, 5), -EIO);
	assert_int_equal(e.reason, 5);
	assert_int_equal(error_reason(NULL, 5), 0);
	assert_int_equal(error_at(NULL, "x"), 0);
	assert_int_equal(error_at_offset(NULL, 1), 0);
}

struct format_case {
	int code;
	const char *what, *why, *where;
	uint64_t offset;
	const char *line;
};

static void test_format_table(void **state)
{
	static const struct format_case cases[] = {
		{ -OCIBOOT_EMALFORMED, "index.json", "not JSON", "$.manifests",
		  12, "index.json: not JSON (at $.manifests, byte 12): "
		  "malformed input" },
		{ -ENOENT, "blobs/sha256/ab", "cannot open", NULL,
		  ERROR_NO_OFFSET,
		  "blobs/sha256/ab: cannot open: No such file or directory" },
		{ -OCIBOOT_EVERIFY, "layer 1", NULL, NULL, ERROR_NO_OFFSET,
		  "layer 1: verification failed" },
		{ -OCIBOOT_ETOOBIG, NULL, NULL, "$.a", 3,
		  "at $.a, byte 3: over a size limit" },
		{ -OCIBOOT_ETOOBIG, NULL, NULL, NULL, 0,
		  "at byte 0: over a size limit" },
		{ -EIO, NULL, NULL, NULL, ERROR_NO_OFFSET,
		  "Input/output error" },
		/* why already ends with the cause: not said twice */
		{ -OCIBOOT_EVERIFY, "manifest", "signature: verification "
		  "failed", NULL, ERROR_NO_OFFSET,
		  "manifest: signature: verification failed" },
		{ 0, NULL, NULL, NULL, ERROR_NO_OFFSET, "" },
	};
	char line[ERROR_LINE_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct format_case *c = &cases[i];
		struct error e;

		error_clear(&e);
		if (c->code)
			error_set(&e, c->code, c->what, c->why ? "%s" : NULL,
				  c->why);
		if (c->where)
			error_at(&e, "%s", c->where);
		error_at_offset(&e, c->offset);
		assert_ptr_equal(error_format(&e, line, sizeof(line)), line);
		assert_string_equal(line, c->line);
	}
}

static void test_escapes_untrusted_text(void **state)
{
	struct error e;

	error_set(&e, -EINVAL, "a\nb\x1b", "tab\there \xff");
	assert_string_equal(e.what, "a\\x0ab\\x1b");
	assert_string_equal(e.why, "tab\\x09here \\xff");
	error_at(&e, "%s", "\x7f");
	assert_string_equal(e.where, "\\x7f");
}

static void test_cuts_long_text(void **state)
{
	char long_text[1000], line[40];
	struct error e;

	memset(long_text, 'w', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	error_set(&e, -EINVAL, long_text, "%s", long_text);
	assert_int_equal(strlen(e.what), ERROR_WHAT_MAX - 1);
	assert_string_equal(e.what + ERROR_WHAT_MAX - 4, "...");
	assert_int_equal(strlen(e.why), ERROR_WHY_MAX - 1);
	assert_string_equal(e.why + ERROR_WHY_MAX - 4, "...");
	/* an escape that does not fit is cut too, never overflows */
	memset(long_text, '\n', sizeof(long_text) - 1);
	error_set(&e, -EINVAL, NULL, "%s", long_text);
	assert_int_equal(strlen(e.why), ERROR_WHY_MAX - 1);
	error_format(&e, line, sizeof(line));
	assert_int_equal(strlen(line), sizeof(line) - 1);
	assert_string_equal(line + sizeof(line) - 4, "...");
}

static void test_context(void **state)
{
	char line[ERROR_LINE_MAX];
	struct error e;

	error_clear(&e);
	error_context(&e, "ignored");	/* nothing failed */
	assert_string_equal(e.what, "");
	error_context(NULL, "ignored");
	error_set(&e, -OCIBOOT_EVERIFY, "blobs/sha256/ab", "digest differs");
	error_context(&e, "layer %d", 2);
	error_context(&e, "rootfs image");
	assert_string_equal(e.what, "rootfs image: layer 2: blobs/sha256/ab");
	assert_string_equal(error_format(&e, line, sizeof(line)),
			    "rootfs image: layer 2: blobs/sha256/ab: digest "
			    "differs: verification failed");
	error_set(&e, -EIO, NULL, NULL);
	error_context(&e, "store");
	assert_string_equal(e.what, "store");
}

static void test_full_line_fits(void **state)
{
	char text[ERROR_LINE_MAX], line[ERROR_LINE_MAX];
	struct error e;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	error_set(&e, -OCIBOOT_EMALFORMED, text, "%s", text);
	error_at(&e, "%s", text);
	error_at_offset(&e, UINT64_MAX - 1);
	error_format(&e, line, sizeof(line));
	assert_null(strstr(line, "..." "x"));
	assert_non_null(strstr(line, "malformed input"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_returns_negative_code),
		cmocka_unit_test(test_set_resets_where),
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_escapes_untrusted_text),
		cmocka_unit_test(test_cuts_long_text),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_full_line_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
