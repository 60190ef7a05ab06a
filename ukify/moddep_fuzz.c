/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: modules.dep parsing and resolution. The input up to
 * its first '|' is modules.dep, the rest modules.builtin; a few names are
 * then resolved, including the first module found.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ukify/moddep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *bar = memchr(text, '|', size);
	size_t dep_len = bar ? (size_t)(bar - text) : size;
	const char *names[3] = { "dm-verity", "a", "loop" };
	size_t order[64], count;
	struct moddep md;

	if (moddep_parse(&md, text, dep_len, bar ? bar + 1 : NULL,
			 bar ? size - dep_len - 1 : 0) < 0)
		return 0;
	if (md.count)
		names[1] = md.modules[0].name;
	if (moddep_resolve(&md, names, 3, order, 64, &count, NULL) == 0)
		for (size_t i = 0; i < count; i++)
			if (order[i] >= md.count ||
			    md.modules[order[i]].builtin)
				__builtin_trap();
	moddep_free(&md);
	return 0;
}
