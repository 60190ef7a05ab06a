/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the oci= location parser: any input either fails with a reason or
 * parses, formats to a canonical string, and that string parses back to the
 * same location and formats to itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "oci/oci_ref.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_location loc, again;
	char text[OCI_LOCATION_STR_MAX], text2[OCI_LOCATION_STR_MAX];
	const char *reason = NULL;
	int n, n2;

	if (oci_location_parse((const char *)data, size, &loc, &reason) < 0) {
		if (!reason || !reason[0])
			__builtin_trap();
		return 0;
	}
	n = oci_location_format(&loc, text, sizeof(text));
	if (n <= 0 || (size_t)n != strlen(text))
		__builtin_trap();
	if (oci_location_parse(text, (size_t)n, &again, &reason) != 0)
		__builtin_trap();
	if (memcmp(&loc, &again, sizeof(loc)) != 0)
		__builtin_trap();
	n2 = oci_location_format(&again, text2, sizeof(text2));
	if (n2 != n || memcmp(text, text2, (size_t)n) != 0)
		__builtin_trap();
	return 0;
}
