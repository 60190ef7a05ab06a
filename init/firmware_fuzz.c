/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the efivarfs boolean variable parser: any input must
 * either parse to exactly what its last byte says or be refused.
 */
#include <stdint.h>
#include <stdlib.h>

#include "init/firmware.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool value = false;
	int rc = firmware_parse_efivar_bool(data, size, &value);

	if (rc == 0) {
		if (size != EFIVAR_BOOL_LEN ||
		    data[EFIVAR_ATTRIBUTES_LEN] != (uint8_t)value)
			__builtin_trap();
	} else if (rc != -OCIBOOT_EMALFORMED || value) {
		__builtin_trap();
	}
	return 0;
}
