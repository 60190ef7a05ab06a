/* SPDX-License-Identifier: MIT */
/* The store's filesystems; see storefs.h. */
#include "init/storefs.h"

#include "lib/util.h"

#define EXT_OPTIONS "noload,errors=remount-ro"
#define EXT_MODULES MODULES_FS_LIST_DIR "/ext4"

static const struct storefs storefs_table[] = {
	{ "ext4", "ext4", EXT_OPTIONS, EXT_MODULES },
	{ "ext3", "ext4", EXT_OPTIONS, EXT_MODULES },
	{ "ext2", "ext4", EXT_OPTIONS, EXT_MODULES },
	{ "erofs", "erofs", "noacl,nouser_xattr",
	  MODULES_FS_LIST_DIR "/erofs" },
};

const struct storefs *storefs_find(const char *type)
{
	if (!type)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(storefs_table); i++)
		if (streq(storefs_table[i].type, type))
			return &storefs_table[i];
	return NULL;
}
