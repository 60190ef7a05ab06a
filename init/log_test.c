/* SPDX-License-Identifier: MIT */
/*
 * Log lines: escaping, the kmsg and console forms, cutting long lines, the
 * console loglevel from /proc/sys/kernel/printk, and when the console gets
 * a line from us.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/log.h"
#include "lib/util.h"

static void test_escape(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "plain text", 10, "plain text" },
		{ "a\nb", 3, "a\\x0ab" },
		{ "tab\there", 8, "tab\\x09here" },
		{ "back\\slash", 10, "back\\\\slash" },
		{ "\x7f\x80\xff", 3, "\\x7f\\x80\\xff" },
		{ "nul\0x", 5, "nul\\x00x" },
		{ "~ !", 3, "~ !" },
		{ "", 0, "" },
	};
	char out[64];
	size_t consumed;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = log_escape(out, sizeof(out), cases[i].in,
				      cases[i].len, &consumed);

		assert_string_equal(out, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
		assert_int_equal(consumed, cases[i].len);
	}
}

/* An escape is never cut in half, at any buffer size. */
static void test_escape_sizes(void **state)
{
	static const char in[] = "a\x01\\b";
	static const char *const want[] = {
		"", "", "a", "a", "a", "a", "a\\x01", "a\\x01",
		"a\\x01\\\\", "a\\x01\\\\b",
	};
	static const size_t consumed_want[] = { 0, 0, 1, 1, 1, 1, 2, 2, 3, 4 };

	for (size_t size = 0; size < ARRAY_SIZE(want); size++) {
		char *out = malloc(size ? size : 1);
		size_t consumed = 99, n;

		assert_non_null(out);
		n = log_escape(out, size, in, 4, &consumed);
		assert_int_equal(consumed, consumed_want[size]);
		if (size > 0) {
			assert_string_equal(out, want[size]);
			assert_int_equal(n, strlen(want[size]));
		} else {
			assert_int_equal(n, 0);
		}
		free(out);
	}
	/* NULL consumed is allowed. */
	{
		char out[8];

		assert_int_equal(log_escape(out, sizeof(out), "ab", 2, NULL),
				 2);
	}
}

static void test_format_line(void **state)
{
	char line[LOG_LINE_MAX + 1];
	size_t off, n;

	n = log_format_line(line, LOG_LEVEL_INFO, "modules",
			    "loaded dm_verity", &off);
	assert_string_equal(line, "<6>ociboot: modules: loaded dm_verity\n");
	assert_int_equal(n, strlen(line));
	assert_int_equal(off, 3);
	assert_string_equal(line + off, "ociboot: modules: loaded dm_verity\n");

	n = log_format_line(line, LOG_LEVEL_ERR, "FATAL", "bad\nline\r",
			    &off);
	assert_string_equal(line, "<3>ociboot: FATAL: bad\\x0aline\\x0d\n");
	assert_int_equal(n, strlen(line));
}

static void test_format_long(void **state)
{
	char line[LOG_LINE_MAX + 1], *msg = malloc(4 * LOG_LINE_MAX);
	size_t off, n;

	assert_non_null(msg);
	/* Exactly fits: no cut. */
	memset(msg, 'x', 4 * LOG_LINE_MAX);
	msg[LOG_LINE_MAX - strlen("<6>ociboot: s: ") - 4] = '\0';
	n = log_format_line(line, LOG_LEVEL_INFO, "s", msg, &off);
	assert_int_equal(n, LOG_LINE_MAX - 3);
	assert_int_equal(line[n - 1], '\n');
	assert_null(strstr(line, "..."));

	/* Far too long: cut with "...", one newline, within the limit. */
	memset(msg, 'x', 4 * LOG_LINE_MAX);
	msg[4 * LOG_LINE_MAX - 1] = '\0';
	n = log_format_line(line, LOG_LEVEL_INFO, "s", msg, &off);
	assert_true(n <= LOG_LINE_MAX);
	assert_int_equal(n, strlen(line));
	assert_memory_equal(line + n - 4, "...\n", 4);
	assert_ptr_equal(strchr(line, '\n'), line + n - 1);

	/* Escapes near the limit are never split. */
	memset(msg, '\x01', 4 * LOG_LINE_MAX);
	msg[4 * LOG_LINE_MAX - 1] = '\0';
	n = log_format_line(line, LOG_LEVEL_INFO, "s", msg, &off);
	assert_true(n <= LOG_LINE_MAX);
	assert_memory_equal(line + n - 8, "\\x01...\n", 8);

	/* An absurd stage is cut too. */
	memset(msg, 's', 2 * LOG_LINE_MAX);
	msg[2 * LOG_LINE_MAX - 1] = '\0';
	n = log_format_line(line, LOG_LEVEL_INFO, msg, "m", &off);
	assert_true(n <= LOG_LINE_MAX);
	assert_int_equal(line[n - 1], '\n');
	free(msg);
}

static void test_console_level(void **state)
{
	static const struct {
		const char *text;
		int want;
	} cases[] = {
		{ "7\t4\t1\t7\n", 7 },
		{ "4\t4\t1\t7\n", 4 },
		{ "15 4 1 7", 15 },
		{ "  1\t4", 1 },
		{ "8\n", 8 },
		{ "16\t4", -EINVAL },
		{ "123", -EINVAL },
		{ "x", -EINVAL },
		{ "", -EINVAL },
		{ "7x", -EINVAL },
		{ "-1", -EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(log_parse_console_level(cases[i].text,
							 strlen(cases[i].text)),
				 cases[i].want);
	/* Truncation: "7\t4..." cut after the first byte is still 7. */
	assert_int_equal(log_parse_console_level("7\t4", 1), 7);
	assert_int_equal(log_parse_console_level("7\t4", 0), -EINVAL);
}

static void test_wants_console(void **state)
{
	/* Kernel default loglevel 7: info (6) is echoed by the kernel. */
	assert_false(log_wants_console(LOG_LEVEL_INFO, 7, false, true));
	assert_false(log_wants_console(LOG_LEVEL_ERR, 7, false, true));
	assert_true(log_wants_console(LOG_LEVEL_DEBUG, 7, false, true));
	/* quiet: loglevel 4 -- only errors (3) are echoed. */
	assert_true(log_wants_console(LOG_LEVEL_INFO, 4, false, true));
	assert_true(log_wants_console(LOG_LEVEL_WARNING, 4, false, true));
	assert_false(log_wants_console(LOG_LEVEL_ERR, 4, false, true));
	/* ignore_loglevel: the kernel prints everything. */
	assert_false(log_wants_console(LOG_LEVEL_DEBUG, 4, true, true));
	/* kmsg did not take the line, or the level is unknown. */
	assert_true(log_wants_console(LOG_LEVEL_ERR, 7, false, false));
	assert_true(log_wants_console(LOG_LEVEL_ERR, -1, false, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_sizes),
		cmocka_unit_test(test_format_line),
		cmocka_unit_test(test_format_long),
		cmocka_unit_test(test_console_level),
		cmocka_unit_test(test_wants_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
