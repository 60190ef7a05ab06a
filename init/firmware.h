/* SPDX-License-Identifier: MIT */
/*
 * What the firmware tells the booted kernel about itself: the UEFI Secure
 * Boot state (the SecureBoot and SetupMode variables in efivarfs) and the
 * kernel's lockdown mode. Nothing here logs or allocates.
 */
#ifndef OCIBOOT_FIRMWARE_H
#define OCIBOOT_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>

enum secure_boot_state {
	SECURE_BOOT_UNKNOWN,	/* not booted by UEFI, or no efivarfs */
	SECURE_BOOT_DISABLED,
	SECURE_BOOT_ENABLED,
	SECURE_BOOT_SETUP_MODE,	/* keys not enrolled: nothing is enforced */
};

/* An efivarfs file: 4-byte little-endian attributes, then the data. */
#define EFIVAR_ATTRIBUTES_LEN 4
/* SecureBoot and SetupMode hold one byte, 0 or 1. */
#define EFIVAR_BOOL_LEN (EFIVAR_ATTRIBUTES_LEN + 1)

/*
 * Read the Secure Boot state from an efivarfs mounted at efivars_dir
 * (normally /sys/firmware/efi/efivars), from the variables
 * SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c and
 * SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c:
 *   SetupMode 1                 -> SECURE_BOOT_SETUP_MODE
 *   SecureBoot 1, SetupMode 0   -> SECURE_BOOT_ENABLED
 *   SecureBoot 0, SetupMode 0   -> SECURE_BOOT_DISABLED
 *   efivars_dir or either variable absent (ENOENT) -> SECURE_BOOT_UNKNOWN
 * Returns 0 and sets *state; or -OCIBOOT_EMALFORMED when a variable is not
 * EFIVAR_BOOL_LEN bytes or its value is not 0 or 1; or another negative
 * errno when a variable exists but cannot be read (-ENOTDIR when efivars_dir
 * is not a directory). *state is written only on success.
 */
int firmware_secure_boot(const char *efivars_dir,
			 enum secure_boot_state *state);

/*
 * Parse the bytes of a boolean efivarfs variable (buf, len): exactly
 * EFIVAR_BOOL_LEN bytes whose last byte is 0 or 1; the attributes are not
 * interpreted. Returns 0 and sets *value, or -OCIBOOT_EMALFORMED (*value
 * untouched). Pure: no I/O.
 */
int firmware_parse_efivar_bool(const void *buf, size_t len, bool *value);

/* A constant lowercase name for a state ("enabled", ...); never NULL. */
const char *firmware_secure_boot_name(enum secure_boot_state state);

#endif
