/* SPDX-License-Identifier: MIT */
/*
 * An image's User as numeric ids, table-driven: every form image-spec
 * allows, names from the image's passwd and group, and the refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "lib/util.h"
#include "service/user.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"www:x:33:34:www:/srv:/bin/sh\n"
	"app:x:1000:1000::/app:/bin/sh\n"
	"broken:x:abc:1:::\n"
	"nogid:x:77\n";
static const char group[] =
	"root:x:0:\n"
	"www-data:x:34:\n"
	"staff:x:50:app\n";

struct user_case {
	const char *user;
	int want;
	uint32_t uid, gid;
};

static const struct user_case cases[] = {
	{ "", 0, 0, 0 },
	{ "0", 0, 0, 0 },
	{ "root", 0, 0, 0 },
	{ "www", 0, 33, 34 },		/* the passwd entry's gid */
	{ "33", 0, 33, 34 },		/* a uid passwd names: its gid */
	{ "4242", 0, 4242, 0 },		/* one it does not: gid 0 */
	{ "1000:100", 0, 1000, 100 },
	{ "app:staff", 0, 1000, 50 },
	{ "app:7", 0, 1000, 7 },
	{ "33:www-data", 0, 33, 34 },
	{ "4294967294:4294967294", 0, 4294967294u, 4294967294u },
	{ "4294967295", -ERANGE, 0, 0 },
	{ "99999999999", -ERANGE, 0, 0 },
	{ "1:4294967295", -ERANGE, 0, 0 },
	{ "nobody", -ENOENT, 0, 0 },
	{ "app:nogroup", -ENOENT, 0, 0 },
	{ "broken", -OCIBOOT_EMALFORMED, 0, 0 },
	{ "nogid", 0, 77, 0 },		/* no gid field: as a bare uid */
	{ "app:", -OCIBOOT_EMALFORMED, 0, 0 },
	{ ":1", -OCIBOOT_EMALFORMED, 0, 0 },
	{ "-1", -ENOENT, 0, 0 },	/* not a number: a name */
	{ "x", -ENOENT, 0, 0 },		/* a prefix of no name */
	{ "ww", -ENOENT, 0, 0 },
};

static void test_cases(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct user_case *c = &cases[i];
		uint32_t uid = 99, gid = 99;
		struct error err;
		int r = user_resolve(c->user, passwd, strlen(passwd), group,
				     strlen(group), &uid, &gid, &err);

		if (r != c->want)
			fail_msg("'%s': got %d (%s), want %d", c->user, r,
				 err.why, c->want);
		if (r < 0) {
			assert_true(error_failed(&err));
			assert_int_equal(uid, 99);
			continue;
		}
		assert_int_equal(uid, c->uid);
		assert_int_equal(gid, c->gid);
	}
}

/* An image without passwd or group: numbers work, names do not. */
static void test_no_files(void **state)
{
	uint32_t uid, gid;
	struct error err;

	assert_int_equal(user_resolve("5:6", "", 0, "", 0, &uid, &gid, &err),
			 0);
	assert_int_equal(uid, 5);
	assert_int_equal(gid, 6);
	assert_int_equal(user_resolve("app", "", 0, "", 0, &uid, &gid, &err),
			 -ENOENT);
	assert_non_null(strstr(err.why, "/etc/passwd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_no_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
