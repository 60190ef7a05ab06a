/* SPDX-License-Identifier: MIT */
/*
 * Module list parsing (valid lists, errors with their line, caps,
 * truncation at every offset) and module names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/modules.h"
#include "lib/util.h"

struct joined {
	char text[4096];
	int calls;
	int fail_at;		/* call (from 1) that gets -EIO; 0: none */
};

static int join_path(void *ctx, const char *path)
{
	struct joined *j = ctx;
	size_t used = strlen(j->text);

	j->calls++;
	if (j->calls == j->fail_at)
		return -EIO;
	snprintf(j->text + used, sizeof(j->text) - used, "%s%s",
		 used ? "|" : "", path);
	return 0;
}

struct list_case {
	const char *list;
	int want;		/* count, or negative error */
	const char *paths;	/* '|'-joined, for a count */
	unsigned line;		/* for an error */
	const char *reason;	/* substring, for an error */
};

static const struct list_case lists[] = {
	{ "", 0, "", 0, NULL },
	{ "\n\n", 0, "", 0, NULL },
	{ "# only a comment\n", 0, "", 0, NULL },
	{ "/lib/modules/6.1.0-56-amd64/kernel/drivers/md/dm-mod.ko\n", 1,
	  "/lib/modules/6.1.0-56-amd64/kernel/drivers/md/dm-mod.ko", 0, NULL },
	{ "/a.ko\n/b.ko\n/c.ko", 3, "/a.ko|/b.ko|/c.ko", 0, NULL },
	{ "# deps first\n  /a.ko \t\r\n\n\t# x\n/b.ko\r\n", 2, "/a.ko|/b.ko",
	  0, NULL },
	{ "/a.ko # not a comment\n", -OCIBOOT_EMALFORMED, NULL, 1, "blank" },
	{ "/a.ko\na.ko\n", -OCIBOOT_EMALFORMED, NULL, 2, "not absolute" },
	{ "/a.ko\n\n/b\x01.ko\n", -OCIBOOT_EMALFORMED, NULL, 3, "control" },
	{ "/\xc3\xa9.ko", -OCIBOOT_EMALFORMED, NULL, 1, "non-ASCII" },
	{ "/a.ko\n/b.ko\0", -OCIBOOT_EMALFORMED, NULL, 0, "NUL" },
};

/* The line an error is at ("line N"), or 0 for the whole list. */
static unsigned line_of(const struct error *err)
{
	unsigned line = 0;

	if (err->where[0] && sscanf(err->where, "line %u", &line) != 1)
		fail_msg("where '%s' is not a line", err->where);
	return line;
}

static void check_list(const struct list_case *c, size_t len)
{
	struct error err;
	struct joined j = { "", 0, 0 };
	int r;

	r = modules_parse_list(c->list, len, join_path, &j, &err);
	if (r != c->want)
		fail_msg("list '%s': got %d, want %d (%s)", c->list, r,
			 c->want, err.why);
	if (r >= 0) {
		assert_string_equal(j.text, c->paths);
		assert_int_equal(j.calls, r);
		return;
	}
	/* Nothing is loaded before the whole list is checked. */
	assert_int_equal(j.calls, 0);
	assert_int_equal(line_of(&err), c->line);
	assert_non_null(strstr(err.why, c->reason));
	assert_int_equal(err.code, c->want);
}

static void test_lists(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		size_t len = strlen(lists[i].list);

		if (i == ARRAY_SIZE(lists) - 1)
			len += 1;	/* include the NUL */
		check_list(&lists[i], len);
	}
}

static void test_callback_error(void **state)
{
	struct error err;
	struct joined j = { "", 0, 2 };

	assert_int_equal(modules_parse_list("/a.ko\n/b.ko\n/c.ko\n", 18,
					    join_path, &j, &err), -EIO);
	assert_int_equal(j.calls, 2);
	assert_string_equal(j.text, "/a.ko");
	/* NULL callback: only a count. */
	assert_int_equal(modules_parse_list("/a.ko\n/b.ko\n", 12, NULL, NULL,
					    &err), 2);
}

static void test_limits(void **state)
{
	static char list[MODULES_LIST_MAX + 2];
	struct error err;
	size_t len = 0;

	/* MODULES_MAX paths, then one more. */
	for (int i = 0; i < MODULES_MAX; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
					"/m%d.ko\n", i);
	assert_int_equal(modules_parse_list(list, len, NULL, NULL, &err),
			 MODULES_MAX);
	len += (size_t)snprintf(list + len, sizeof(list) - len, "/x.ko\n");
	assert_int_equal(modules_parse_list(list, len, NULL, NULL, &err),
			 -OCIBOOT_ETOOBIG);
	assert_int_equal(line_of(&err), MODULES_MAX + 1);

	/* A path of MODULES_PATH_MAX bytes, then one more. */
	list[0] = '/';
	memset(list + 1, 'a', MODULES_PATH_MAX);
	assert_int_equal(modules_parse_list(list, MODULES_PATH_MAX, NULL, NULL,
					    &err), 1);
	assert_int_equal(modules_parse_list(list, MODULES_PATH_MAX + 1, NULL,
					    NULL, &err), -OCIBOOT_ETOOBIG);
	assert_int_equal(line_of(&err), 1);

	/* The whole list: MODULES_LIST_MAX bytes, then one more. */
	memset(list, '\n', sizeof(list));
	assert_int_equal(modules_parse_list(list, MODULES_LIST_MAX, NULL, NULL,
					    &err), 0);
	assert_int_equal(modules_parse_list(list, MODULES_LIST_MAX + 1, NULL,
					    NULL, &err), -OCIBOOT_ETOOBIG);
}

/* Every prefix: parses to a count or fails, and never calls back on error. */
static void test_truncation(void **state)
{
	size_t prefixes = 0;

	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		size_t full = strlen(lists[i].list);

		for (size_t len = 0; len <= full; len++) {
			struct error err;
			struct joined j = { "", 0, 0 };
			char *copy = malloc(len ? len : 1);
			int r;

			assert_non_null(copy);
			memcpy(copy, lists[i].list, len);
			r = modules_parse_list(copy, len, join_path, &j, &err);
			if (r < 0) {
				assert_int_equal(j.calls, 0);
				assert_int_equal(err.code, r);
				assert_true(err.why[0] != '\0');
			} else {
				assert_int_equal(j.calls, r);
			}
			free(copy);
			prefixes++;
		}
	}
	assert_true(prefixes > 100);

	/* A list cut inside its second path still loads the first whole. */
	{
		struct error err;
		struct joined j = { "", 0, 0 };

		assert_int_equal(modules_parse_list("/a.ko\n/b.k", 10,
						    join_path, &j, &err), 2);
		assert_string_equal(j.text, "/a.ko|/b.k");
	}
}

static void test_names(void **state)
{
	static const struct {
		const char *path;
		int want;
		const char *name;
	} cases[] = {
		{ "/lib/modules/6.1/kernel/drivers/md/dm-verity.ko", 9,
		  "dm_verity" },
		{ "/x/virtio_net.ko", 10, "virtio_net" },
		{ "dm-mod.ko.xz", 6, "dm_mod" },
		{ "/a/b-c.ko.zst", 3, "b_c" },
		{ "/a/b.ko.gz", 1, "b" },
		{ "/a/.ko", -EINVAL, NULL },
		{ "/a/b.o", -EINVAL, NULL },
		{ "/a/b.ko/", -EINVAL, NULL },
		{ "/a/b.ko.bz2", -EINVAL, NULL },
	};
	char name[MODULES_NAME_MAX + 1], long_path[200];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = modules_name(cases[i].path, name, sizeof(name));

		if (r != cases[i].want)
			fail_msg("%s: got %d want %d", cases[i].path, r,
				 cases[i].want);
		if (r >= 0)
			assert_string_equal(name, cases[i].name);
	}
	assert_int_equal(modules_name("/x/abcdef.ko", name, 6), -ENAMETOOLONG);
	assert_int_equal(modules_name("/x/abcdef.ko", name, 7), 6);
	snprintf(long_path, sizeof(long_path), "/%065d.ko", 0);
	assert_int_equal(modules_name(long_path, name, sizeof(name)),
			 -ENAMETOOLONG);
}

static void test_network(void **state)
{
	static const struct {
		const char *path;
		bool network;
	} cases[] = {
		{ "/lib/modules/6.1.0-57-amd64/kernel/drivers/net/virtio_net.ko",
		  true },
		{ "/lib/modules/6.1.0-57-amd64/kernel/drivers/net/ethernet/"
		  "intel/e1000/e1000.ko", true },
		{ "/lib/modules/6.1.0-57-amd64/kernel/net/core/failover.ko",
		  true },
		{ "/lib/modules/6.1.0-57-amd64/kernel/drivers/virtio/"
		  "virtio_pci.ko", false },
		{ "/lib/modules/6.1.0-57-amd64/kernel/drivers/block/"
		  "virtio_blk.ko", false },
		{ "/lib/modules/6.1.0-57-amd64/kernel/fs/ext4/ext4.ko", false },
		{ "/lib/modules/6.1.0-57-amd64/kernel/drivers/netdevsim/x.ko",
		  false },
		{ "/lib/modules/6.1.0-57-amd64/kernel/lib/net.ko", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(modules_is_network(cases[i].path),
				 cases[i].network);
}

static void test_load_missing(void **state)
{
	assert_int_equal(modules_load("/nonexistent/ociboot-test.ko"),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_load_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
