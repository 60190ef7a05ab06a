/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the module list parser: a list either fails before any callback or
 * yields exactly its count of absolute, printable paths within the caps.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "init/modules.h"
#include "lib/util.h"

static int check_path(void *ctx, const char *path)
{
	int *calls = ctx;
	size_t len = strlen(path);
	char name[MODULES_NAME_MAX + 1];

	if (path[0] != '/' || len > MODULES_PATH_MAX)
		__builtin_trap();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)path[i] <= 0x20 ||
		    (unsigned char)path[i] >= 0x7f)
			__builtin_trap();
	if (modules_name(path, name, sizeof(name)) > MODULES_NAME_MAX)
		__builtin_trap();
	(*calls)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err;
	int calls = 0, r;

	r = modules_parse_list((const char *)data, size, check_path, &calls,
			       &err);
	if (r < 0 && (calls != 0 || err.code != r || !err.why[0]))
		__builtin_trap();
	if (r >= 0 && (r != calls || r > MODULES_MAX))
		__builtin_trap();
	return 0;
}
