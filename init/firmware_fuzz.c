/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the firmware parsers, the efivarfs boolean variable
 * and boot_params: any input must either parse to exactly what its bytes
 * say or be refused.
 */
#include <stdint.h>
#include <stdlib.h>

#include "init/firmware.h"
#include "lib/util.h"

static void efivar_bool(const uint8_t *data, size_t size)
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
}

static void boot_params(const uint8_t *data, size_t size)
{
	static const enum secure_boot_state expect[] = {
		SECURE_BOOT_UNKNOWN, SECURE_BOOT_UNKNOWN,
		SECURE_BOOT_DISABLED, SECURE_BOOT_ENABLED,
	};
	enum secure_boot_state state = SECURE_BOOT_SETUP_MODE;
	int rc = firmware_parse_boot_params(data, size, &state);
	bool valid = size == BOOT_PARAMS_LEN &&
		     data[BOOT_PARAMS_SECURE_BOOT] < ARRAY_SIZE(expect);

	if (rc == 0) {
		if (!valid || state != expect[data[BOOT_PARAMS_SECURE_BOOT]])
			__builtin_trap();
	} else if (rc != -OCIBOOT_EMALFORMED || valid ||
		   state != SECURE_BOOT_SETUP_MODE) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	efivar_bool(data, size);
	boot_params(data, size);
	return 0;
}
