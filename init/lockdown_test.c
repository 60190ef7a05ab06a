/* SPDX-License-Identifier: MIT */
/*
 * Lockdown mode: the kernel's three texts, malformed ones, truncation at
 * every offset, and reading through a file (also the absent case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/lockdown.h"
#include "lib/util.h"

static const struct {
	const char *text;
	int want;
	const char *mode;
} cases[] = {
	{ "[none] integrity confidentiality\n", 4, "none" },
	{ "none [integrity] confidentiality\n", 9, "integrity" },
	{ "none integrity [confidentiality]\n", 15, "confidentiality" },
	{ "[x]", 1, "x" },
	{ "none integrity confidentiality\n", -OCIBOOT_EMALFORMED, NULL },
	{ "[]", -OCIBOOT_EMALFORMED, NULL },
	{ "[Integrity]", -OCIBOOT_EMALFORMED, NULL },
	{ "[in tegrity]", -OCIBOOT_EMALFORMED, NULL },
	{ "[none] [integrity]", -OCIBOOT_EMALFORMED, NULL },
	{ "] [none]", -OCIBOOT_EMALFORMED, NULL },
	{ "[none]]", -OCIBOOT_EMALFORMED, NULL },
	{ "[none", -OCIBOOT_EMALFORMED, NULL },
	{ "[abcdefghijklmnopqrstuvwxyzabcde]", 31,
	  "abcdefghijklmnopqrstuvwxyzabcde" },
	{ "[abcdefghijklmnopqrstuvwxyzabcdef]", -OCIBOOT_EMALFORMED, NULL },
	{ "", -OCIBOOT_EMALFORMED, NULL },
};

static void test_parse(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char mode[LOCKDOWN_MODE_MAX] = "untouched";
		int r = lockdown_parse(cases[i].text, strlen(cases[i].text),
				       mode);

		if (r != cases[i].want)
			fail_msg("'%s': got %d want %d", cases[i].text, r,
				 cases[i].want);
		assert_string_equal(mode, r >= 0 ? cases[i].mode : "untouched");
	}
}

static void test_truncation(void **state)
{
	static const char text[] = "none [integrity] confidentiality\n";

	for (size_t len = 0; len < sizeof(text); len++) {
		char mode[LOCKDOWN_MODE_MAX];
		char *copy = malloc(len ? len : 1);
		int r;

		assert_non_null(copy);
		memcpy(copy, text, len);
		r = lockdown_parse(copy, len, mode);
		/* Whole only once the closing bracket is in. */
		assert_int_equal(r, len >= 16 ? 9 : -OCIBOOT_EMALFORMED);
		free(copy);
	}
}

static void test_read(void **state)
{
	char path[] = "/tmp/ociboot-lockdown-XXXXXX", mode[LOCKDOWN_MODE_MAX];
	static const char text[] = "none [integrity] confidentiality\n";
	char big[LOCKDOWN_FILE_MAX + 8];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	assert_int_equal(lockdown_read(path, mode), 9);
	assert_string_equal(mode, "integrity");

	memset(big, ' ', sizeof(big));
	assert_int_equal(pwrite(fd, big, sizeof(big), 0), (int)sizeof(big));
	assert_int_equal(lockdown_read(path, mode), -OCIBOOT_ETOOBIG);
	close(fd);
	unlink(path);
	assert_int_equal(lockdown_read(path, mode), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
