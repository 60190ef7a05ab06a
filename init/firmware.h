/* SPDX-License-Identifier: MIT */
/*
 * What the firmware tells the booted kernel about itself: the UEFI Secure
 * Boot state -- as the kernel's EFI stub found it (x86 boot_params, in
 * sysfs: no module needed), or from the SecureBoot and SetupMode variables
 * in efivarfs (which tell setup mode apart) -- and the kernel's lockdown
 * mode. Nothing here logs or allocates.
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

/*
 * x86's boot_params as the kernel keeps them (arch/x86/kernel/ksysfs.c),
 * and the byte where the EFI stub put what it found
 * (arch/x86/include/uapi/asm/bootparam.h: secure_boot at 0x1ec, an enum
 * efi_secureboot_mode of include/linux/efi.h). The stub says "disabled"
 * for setup mode too, and for a shim whose MokSBState turned validation
 * off: it is what the kernel enforces.
 */
#define BOOT_PARAMS_PATH "/sys/kernel/boot_params/data"
#define BOOT_PARAMS_SECURE_BOOT 0x1ec
#define BOOT_PARAMS_LEN 4096		/* the zero page: one page */

/*
 * Parse boot_params (buf, len): exactly BOOT_PARAMS_LEN bytes whose
 * secure_boot byte is efi_secureboot_mode_unset (0, not booted through
 * the EFI stub) or _unknown (1) -> SECURE_BOOT_UNKNOWN, _disabled (2) ->
 * SECURE_BOOT_DISABLED, _enabled (3) -> SECURE_BOOT_ENABLED. Returns 0
 * and sets *state, or -OCIBOOT_EMALFORMED (*state untouched). Pure.
 */
int firmware_parse_boot_params(const void *buf, size_t len,
			       enum secure_boot_state *state);

/*
 * The kernel's view: firmware_parse_boot_params() of the file at path
 * (BOOT_PARAMS_PATH). No such file (not x86, no sysfs): 0 and
 * SECURE_BOOT_UNKNOWN. Otherwise as the parser, or -errno of reading.
 */
int firmware_secure_boot_kernel(const char *path,
				enum secure_boot_state *state);

/* A constant lowercase name for a state ("enabled", ...); never NULL. */
const char *firmware_secure_boot_name(enum secure_boot_state state);

#endif
