/* SPDX-License-Identifier: MIT */
/*
 * What the firmware tells the booted kernel about itself: the UEFI Secure
 * Boot state (the SecureBoot and SetupMode variables in efivarfs) and the
 * kernel's lockdown mode. Nothing here logs.
 */
#ifndef OCIBOOT_FIRMWARE_H
#define OCIBOOT_FIRMWARE_H

enum secure_boot_state {
	SECURE_BOOT_UNKNOWN,	/* not booted by UEFI, or no efivarfs */
	SECURE_BOOT_DISABLED,
	SECURE_BOOT_ENABLED,
	SECURE_BOOT_SETUP_MODE,	/* keys not enrolled: nothing is enforced */
};

/*
 * Read the Secure Boot state from an efivarfs mounted at efivars_dir
 * (normally /sys/firmware/efi/efivars). Returns 0 and sets *state, or a
 * negative errno when the variables exist but cannot be read or parsed.
 */
int firmware_secure_boot(const char *efivars_dir,
			 enum secure_boot_state *state);

const char *firmware_secure_boot_name(enum secure_boot_state state);

#endif
