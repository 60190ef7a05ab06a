/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lockdown_parse(): the text securityfs shows in
 * /sys/kernel/security/lockdown. Whatever parses must be the one bracketed
 * run of lowercase letters of the input, NUL-terminated within
 * LOCKDOWN_MODE_MAX; a refusal must leave the mode untouched. The input is
 * copied to an exact-size buffer so ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/lockdown.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char mode[LOCKDOWN_MODE_MAX];
	char *buf = malloc(size ? size : 1);
	const char *open;
	int r;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	memset(mode, 'x', sizeof(mode));
	r = lockdown_parse(buf, size, mode);
	if (r < 0) {
		if (r != -OCIBOOT_EMALFORMED || mode[0] != 'x' ||
		    mode[sizeof(mode) - 1] != 'x')
			abort();
	} else {
		open = memchr(buf, '[', size);
		if (!open || r == 0 || r >= LOCKDOWN_MODE_MAX ||
		    strlen(mode) != (size_t)r ||
		    (size_t)(open - buf) + (size_t)r + 2 > size ||
		    memcmp(open + 1, mode, (size_t)r) ||
		    open[r + 1] != ']' || memchr(buf, ']', size) != open + r + 1)
			abort();
		for (int i = 0; i < r; i++)
			if (mode[i] < 'a' || mode[i] > 'z')
				abort();
	}
	free(buf);
	return 0;
}
