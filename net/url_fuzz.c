/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the URL parser: any input is refused with a reason, or parses and
 * formats to a URL that parses back to the same one; resolving the input
 * as a Location against a fixed base holds to the same rule.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char base_text[] = "https://registry.example:5000/v2/";
	char text[URL_STR_MAX];
	const char *reason = NULL;
	struct url u, again, base;
	int n;

	if (url_parse((const char *)data, size, &u, &reason) < 0) {
		if (!reason || !reason[0])
			__builtin_trap();
	} else {
		n = url_format(&u, text, sizeof(text));
		if (n <= 0 || url_parse(text, (size_t)n, &again, &reason) != 0 ||
		    !url_equal(&u, &again))
			__builtin_trap();
	}
	if (url_parse(base_text, strlen(base_text), &base, &reason) != 0)
		__builtin_trap();
	if (url_resolve(&base, (const char *)data, size, &u, &reason) < 0) {
		if (!reason || !reason[0])
			__builtin_trap();
		return 0;
	}
	n = url_format(&u, text, sizeof(text));
	if (n <= 0 || url_parse(text, (size_t)n, &again, &reason) != 0 ||
	    !url_equal(&u, &again))
		__builtin_trap();
	return 0;
}
