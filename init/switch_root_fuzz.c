/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for switch_root_parse_mnt_id(): a /proc/self/fdinfo
 * text. Whatever parses must have had a "mnt_id:" line start and give a
 * non-negative id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/switch_root.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	int id = -1, r;

	if (!copy)
		__builtin_trap();
	memcpy(copy, data, size);
	r = switch_root_parse_mnt_id(copy, size, &id);
	if (r == 0 && (id < 0 || size < 8 || !memmem(copy, size, "mnt_id:", 7)))
		__builtin_trap();
	if (r != 0 && r != -OCIBOOT_EMALFORMED)
		__builtin_trap();
	free(copy);
	return 0;
}
