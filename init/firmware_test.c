/* SPDX-License-Identifier: MIT */
/*
 * firmware: the efivarfs variable parser and the boot_params parser,
 * table-driven, and the Secure Boot state read from a temporary directory
 * of fake variable files and from fake boot_params files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "init/firmware.h"
#include "lib/util.h"

#define SB_NAME "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SM_NAME "SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define STATE_UNTOUCHED ((enum secure_boot_state)0x5a)
#define BIG_FILE_LEN 4096

/* Boot services + runtime access: what firmware sets on both variables. */
#define ATTRS 0x06, 0x00, 0x00, 0x00

/* --- the pure parser ----------------------------------------------------- */

struct parse_case {
	const char *name;
	uint8_t bytes[8];
	size_t len;
	int rc;
	bool value;
};

static const struct parse_case parse_cases[] = {
	{ "one", { ATTRS, 1 }, 5, 0, true },
	{ "zero", { ATTRS, 0 }, 5, 0, false },
	{ "attributes ignored", { 0xff, 0xff, 0xff, 0xff, 1 }, 5, 0, true },
	{ "non-volatile zero", { 0x07, 0, 0, 0, 0 }, 5, 0, false },
	{ "value two", { ATTRS, 2 }, 5, -OCIBOOT_EMALFORMED, false },
	{ "value 0xff", { ATTRS, 0xff }, 5, -OCIBOOT_EMALFORMED, false },
	{ "value 0x80", { ATTRS, 0x80 }, 5, -OCIBOOT_EMALFORMED, false },
	{ "empty", { 0 }, 0, -OCIBOOT_EMALFORMED, false },
	{ "attributes only", { ATTRS }, 4, -OCIBOOT_EMALFORMED, false },
	{ "one byte only", { 1 }, 1, -OCIBOOT_EMALFORMED, false },
	{ "two data bytes", { ATTRS, 1, 0 }, 6, -OCIBOOT_EMALFORMED, false },
	{ "trailing zeros", { ATTRS, 0, 0, 0 }, 8, -OCIBOOT_EMALFORMED, false },
};

static void test_parse_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		bool value = !c->value;
		bool before = value;
		int rc;

		print_message("parse: %s\n", c->name);
		rc = firmware_parse_efivar_bool(c->bytes, c->len, &value);
		assert_int_equal(rc, c->rc);
		if (rc == 0)
			assert_true(value == c->value);
		else
			assert_true(value == before);
	}
}

static void test_parse_null(void **state)
{
	bool value = true;

	assert_int_equal(firmware_parse_efivar_bool(NULL, 5, &value),
			 -OCIBOOT_EMALFORMED);
	assert_true(value);
}

/* Every proper prefix of a valid variable is malformed, output untouched. */
static void test_parse_truncated(void **state)
{
	static const uint8_t valid[EFIVAR_BOOL_LEN] = { ATTRS, 1 };

	for (size_t len = 0; len < sizeof(valid); len++) {
		/* An exact-size heap copy lets ASan catch over-reads. */
		uint8_t *copy = malloc(len ? len : 1);
		bool value = false;

		assert_non_null(copy);
		memcpy(copy, valid, len);
		assert_int_equal(firmware_parse_efivar_bool(copy, len, &value),
				 -OCIBOOT_EMALFORMED);
		assert_false(value);
		free(copy);
	}
}

/* Only the data bytes 0 and 1 are accepted, whatever the attributes. */
static void test_parse_every_byte(void **state)
{
	for (unsigned v = 0; v < 256; v++) {
		uint8_t buf[EFIVAR_BOOL_LEN] = { (uint8_t)v, 0, 0, 0,
						 (uint8_t)v };
		bool value = false;
		int rc = firmware_parse_efivar_bool(buf, sizeof(buf), &value);

		if (v <= 1) {
			assert_int_equal(rc, 0);
			assert_true(value == (v == 1));
		} else {
			assert_int_equal(rc, -OCIBOOT_EMALFORMED);
		}
	}
}

/* --- reading a directory ------------------------------------------------- */

/* A variable file in a test case: absent, or these bytes. */
struct var_file {
	bool present;
	uint8_t bytes[8];
	size_t len;
};

#define ABSENT { false, { 0 }, 0 }
#define VAR(v) { true, { ATTRS, v }, 5 }
#define RAW(len_, ...) { true, { __VA_ARGS__ }, len_ }

struct dir_case {
	const char *name;
	struct var_file secure_boot;
	struct var_file setup_mode;
	int rc;
	enum secure_boot_state state;
};

static const struct dir_case dir_cases[] = {
	{ "enabled", VAR(1), VAR(0), 0, SECURE_BOOT_ENABLED },
	{ "disabled", VAR(0), VAR(0), 0, SECURE_BOOT_DISABLED },
	{ "setup mode", VAR(0), VAR(1), 0, SECURE_BOOT_SETUP_MODE },
	{ "setup mode wins", VAR(1), VAR(1), 0, SECURE_BOOT_SETUP_MODE },
	{ "no variables", ABSENT, ABSENT, 0, SECURE_BOOT_UNKNOWN },
	{ "no SetupMode", VAR(1), ABSENT, 0, SECURE_BOOT_UNKNOWN },
	{ "no SecureBoot", ABSENT, VAR(0), 0, SECURE_BOOT_UNKNOWN },
	{ "SecureBoot 2", VAR(2), VAR(0), -OCIBOOT_EMALFORMED, 0 },
	{ "SetupMode 2", VAR(1), VAR(2), -OCIBOOT_EMALFORMED, 0 },
	{ "SecureBoot empty", RAW(0, 0), VAR(0), -OCIBOOT_EMALFORMED, 0 },
	{ "SecureBoot short", RAW(4, ATTRS), VAR(0), -OCIBOOT_EMALFORMED, 0 },
	{ "SecureBoot long", RAW(6, ATTRS, 1, 0), VAR(0),
	  -OCIBOOT_EMALFORMED, 0 },
	{ "SetupMode short", VAR(1), RAW(2, 6, 0), -OCIBOOT_EMALFORMED, 0 },
	{ "malformed beside absent", VAR(7), ABSENT, -OCIBOOT_EMALFORMED, 0 },
	{ "absent beside malformed", ABSENT, RAW(1, 0), -OCIBOOT_EMALFORMED,
	  0 },
};

struct tmp {
	char dir[PATH_MAX];
};

static void path_in(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	assert_true(n > 0 && n < PATH_MAX);
}

static void write_file(const char *dir, const char *name, const void *buf,
		       size_t len)
{
	char path[PATH_MAX];
	int fd;

	path_in(path, dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void remove_entry(const char *dir, const char *name)
{
	char path[PATH_MAX];

	path_in(path, dir, name);
	if (unlink(path) < 0 && errno == EISDIR)
		assert_int_equal(rmdir(path), 0);
}

static void put_var(const char *dir, const char *name,
		    const struct var_file *v)
{
	char path[PATH_MAX];

	path_in(path, dir, name);
	unlink(path);
	if (v->present)
		write_file(dir, name, v->bytes, v->len);
}

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int setup_tmp(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/firmware-test.XXXXXX",
		 base ? base : "/tmp");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown_tmp(void **state)
{
	struct tmp *t = *state;

	remove_entry(t->dir, SB_NAME);
	remove_entry(t->dir, SM_NAME);
	remove_entry(t->dir, "not-a-dir");
	rmdir(t->dir);
	free(t);
	return 0;
}

static void test_dir_table(void **state)
{
	struct tmp *t = *state;
	int fds = count_open_fds();

	for (size_t i = 0; i < ARRAY_SIZE(dir_cases); i++) {
		const struct dir_case *c = &dir_cases[i];
		enum secure_boot_state got = STATE_UNTOUCHED;
		int rc;

		print_message("efivars: %s\n", c->name);
		put_var(t->dir, SB_NAME, &c->secure_boot);
		put_var(t->dir, SM_NAME, &c->setup_mode);
		rc = firmware_secure_boot(t->dir, &got);
		assert_int_equal(rc, c->rc);
		if (rc == 0)
			assert_int_equal(got, c->state);
		else
			assert_int_equal(got, STATE_UNTOUCHED);
	}
	assert_int_equal(count_open_fds(), fds);
}

static void test_dir_absent(void **state)
{
	struct tmp *t = *state;
	enum secure_boot_state got = STATE_UNTOUCHED;
	char path[PATH_MAX];

	path_in(path, t->dir, "no-such-dir");
	assert_int_equal(firmware_secure_boot(path, &got), 0);
	assert_int_equal(got, SECURE_BOOT_UNKNOWN);
}

static void test_dir_is_a_file(void **state)
{
	struct tmp *t = *state;
	enum secure_boot_state got = STATE_UNTOUCHED;
	char path[PATH_MAX];

	write_file(t->dir, "not-a-dir", "x", 1);
	path_in(path, t->dir, "not-a-dir");
	assert_int_equal(firmware_secure_boot(path, &got), -ENOTDIR);
	assert_int_equal(got, STATE_UNTOUCHED);
}

/* A file far over the size cap is rejected without reading it all. */
static void test_var_big(void **state)
{
	static const struct var_file zero = VAR(0);
	struct tmp *t = *state;
	enum secure_boot_state got = STATE_UNTOUCHED;
	uint8_t *big = calloc(1, BIG_FILE_LEN);

	assert_non_null(big);
	big[EFIVAR_ATTRIBUTES_LEN] = 1;
	write_file(t->dir, SB_NAME, big, BIG_FILE_LEN);
	put_var(t->dir, SM_NAME, &zero);
	assert_int_equal(firmware_secure_boot(t->dir, &got),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(got, STATE_UNTOUCHED);
	free(big);
}

/* A variable that cannot be read is an error, not "unknown". */
static void test_var_unreadable(void **state)
{
	static const struct var_file zero = VAR(0);
	struct tmp *t = *state;
	enum secure_boot_state got = STATE_UNTOUCHED;
	char path[PATH_MAX];

	remove_entry(t->dir, SB_NAME);
	path_in(path, t->dir, SB_NAME);
	assert_int_equal(mkdir(path, 0755), 0);
	put_var(t->dir, SM_NAME, &zero);
	assert_int_equal(firmware_secure_boot(t->dir, &got), -EISDIR);
	assert_int_equal(got, STATE_UNTOUCHED);
	assert_int_equal(rmdir(path), 0);
}

/* --- boot_params ----------------------------------------------------------- */

struct params_case {
	const char *name;
	size_t len;
	int byte;		/* at BOOT_PARAMS_SECURE_BOOT; -1: leave 0 */
	int rc;
	enum secure_boot_state state;
};

static const struct params_case params_cases[] = {
	{ "unset (not the EFI stub)", BOOT_PARAMS_LEN, 0, 0,
	  SECURE_BOOT_UNKNOWN },
	{ "unknown", BOOT_PARAMS_LEN, 1, 0, SECURE_BOOT_UNKNOWN },
	{ "disabled", BOOT_PARAMS_LEN, 2, 0, SECURE_BOOT_DISABLED },
	{ "enabled", BOOT_PARAMS_LEN, 3, 0, SECURE_BOOT_ENABLED },
	{ "4", BOOT_PARAMS_LEN, 4, -OCIBOOT_EMALFORMED, STATE_UNTOUCHED },
	{ "0xff", BOOT_PARAMS_LEN, 0xff, -OCIBOOT_EMALFORMED,
	  STATE_UNTOUCHED },
	{ "empty", 0, -1, -OCIBOOT_EMALFORMED, STATE_UNTOUCHED },
	{ "up to the byte only", BOOT_PARAMS_SECURE_BOOT + 1, 3,
	  -OCIBOOT_EMALFORMED, STATE_UNTOUCHED },
	{ "a byte short", BOOT_PARAMS_LEN - 1, 3, -OCIBOOT_EMALFORMED,
	  STATE_UNTOUCHED },
	{ "a byte over", BOOT_PARAMS_LEN + 1, 3, -OCIBOOT_EMALFORMED,
	  STATE_UNTOUCHED },
};

static void test_params_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(params_cases); i++) {
		const struct params_case *c = &params_cases[i];
		/* Exact size on the heap: ASan sees any read past it. */
		uint8_t *buf = calloc(1, c->len ? c->len : 1);
		enum secure_boot_state got = STATE_UNTOUCHED;

		print_message("boot_params: %s\n", c->name);
		assert_non_null(buf);
		if (c->byte >= 0)
			buf[BOOT_PARAMS_SECURE_BOOT] = (uint8_t)c->byte;
		assert_int_equal(firmware_parse_boot_params(buf, c->len, &got),
				 c->rc);
		assert_int_equal(got, c->state);
		free(buf);
	}
	assert_int_equal(firmware_parse_boot_params(NULL, BOOT_PARAMS_LEN,
						    NULL), -OCIBOOT_EMALFORMED);
}

/* The file: read whole; absent is "unknown"; a directory is an error. */
static void test_params_file(void **state)
{
	struct tmp *t = *state;
	enum secure_boot_state got = STATE_UNTOUCHED;
	uint8_t *buf = calloc(1, BOOT_PARAMS_LEN * 2);
	char path[PATH_MAX];

	assert_non_null(buf);
	buf[BOOT_PARAMS_SECURE_BOOT] = 3;
	write_file(t->dir, "data", buf, BOOT_PARAMS_LEN);
	path_in(path, t->dir, "data");
	assert_int_equal(firmware_secure_boot_kernel(path, &got), 0);
	assert_int_equal(got, SECURE_BOOT_ENABLED);
	write_file(t->dir, "long", buf, BOOT_PARAMS_LEN * 2);
	path_in(path, t->dir, "long");
	got = STATE_UNTOUCHED;
	assert_int_equal(firmware_secure_boot_kernel(path, &got),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(got, STATE_UNTOUCHED);
	path_in(path, t->dir, "absent");
	assert_int_equal(firmware_secure_boot_kernel(path, &got), 0);
	assert_int_equal(got, SECURE_BOOT_UNKNOWN);
	got = STATE_UNTOUCHED;
	assert_int_equal(firmware_secure_boot_kernel(t->dir, &got), -EISDIR);
	assert_int_equal(got, STATE_UNTOUCHED);
	assert_int_equal(firmware_secure_boot_kernel(NULL, &got), -EINVAL);
	free(buf);
	remove_entry(t->dir, "data");
	remove_entry(t->dir, "long");
}

static void test_bad_arguments(void **state)
{
	enum secure_boot_state got = STATE_UNTOUCHED;

	assert_int_equal(firmware_secure_boot(NULL, &got), -EINVAL);
	assert_int_equal(firmware_secure_boot("/", NULL), -EINVAL);
	assert_int_equal(got, STATE_UNTOUCHED);
}

static void test_names(void **state)
{
	static const struct {
		enum secure_boot_state state;
		const char *name;
	} names[] = {
		{ SECURE_BOOT_UNKNOWN, "unknown" },
		{ SECURE_BOOT_DISABLED, "disabled" },
		{ SECURE_BOOT_ENABLED, "enabled" },
		{ SECURE_BOOT_SETUP_MODE, "setup-mode" },
		{ STATE_UNTOUCHED, "invalid" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_string_equal(firmware_secure_boot_name(names[i].state),
				    names[i].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_every_byte),
		cmocka_unit_test_setup_teardown(test_dir_table, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dir_absent, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dir_is_a_file, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_var_big, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_var_unreadable,
						setup_tmp, teardown_tmp),
		cmocka_unit_test(test_params_table),
		cmocka_unit_test_setup_teardown(test_params_file, setup_tmp,
						teardown_tmp),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
