// SPDX-License-Identifier: MIT
/*
 * The store's filesystems (init/storefs.c), table-driven: each type
 * blkid_probe_fs() reports maps to its driver, its mount options and its
 * module list; ext2/3 to the ext4 driver and list; anything else to none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "init/storefs.h"
#include "lib/util.h"

struct storefs_case {
	const char *type;
	const char *fstype, *options, *modules;	/* NULL: no entry */
};

static const struct storefs_case cases[] = {
	{ "ext4", "ext4", "noload,errors=remount-ro",
	  "/etc/ociboot/modules.d/ext4" },
	{ "ext3", "ext4", "noload,errors=remount-ro",
	  "/etc/ociboot/modules.d/ext4" },
	{ "ext2", "ext4", "noload,errors=remount-ro",
	  "/etc/ociboot/modules.d/ext4" },
	{ "erofs", "erofs", "noacl,nouser_xattr",
	  "/etc/ociboot/modules.d/erofs" },
	{ "vfat", NULL, NULL, NULL },
	{ "EXT4", NULL, NULL, NULL },
	{ "", NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

static void test_storefs_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct storefs_case *c = &cases[i];
		const struct storefs *fs = storefs_find(c->type);

		if (!c->fstype) {
			assert_null(fs);
			continue;
		}
		assert_non_null(fs);
		assert_string_equal(fs->type, c->type);
		assert_string_equal(fs->fstype, c->fstype);
		assert_string_equal(fs->options, c->options);
		assert_string_equal(fs->modules, c->modules);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storefs_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
