/* SPDX-License-Identifier: MIT */
/*
 * The UEFI Secure Boot state, read from boot_params or from efivarfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "init/firmware.h"
#include "lib/fileio.h"
#include "lib/util.h"

/* Both variables live under EFI_GLOBAL_VARIABLE. */
#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SECURE_BOOT_VAR "SecureBoot-" EFI_GLOBAL_GUID
#define SETUP_MODE_VAR "SetupMode-" EFI_GLOBAL_GUID

int firmware_parse_efivar_bool(const void *buf, size_t len, bool *value)
{
	const uint8_t *bytes = buf;

	if (!buf || len != EFIVAR_BOOL_LEN)
		return -OCIBOOT_EMALFORMED;
	if (bytes[EFIVAR_ATTRIBUTES_LEN] > 1)
		return -OCIBOOT_EMALFORMED;
	*value = bytes[EFIVAR_ATTRIBUTES_LEN] == 1;
	return 0;
}

/*
 * The file at dir_fd/path into buf[0, size), size being the one valid
 * length: its length, -OCIBOOT_EMALFORMED when it is longer, or -errno.
 */
static ssize_t read_small(int dir_fd, const char *path, void *buf,
			  size_t size)
{
	ssize_t n = fileio_read_file(dir_fd, path, buf, size, 0);

	return n == -OCIBOOT_ETOOBIG ? -OCIBOOT_EMALFORMED : n;
}

/* Read one boolean variable; -ENOENT when it does not exist. */
static int read_efivar_bool(int dir_fd, const char *name, bool *value)
{
	uint8_t buf[EFIVAR_BOOL_LEN];
	ssize_t len = read_small(dir_fd, name, buf, sizeof(buf));

	if (len < 0)
		return (int)len;
	return firmware_parse_efivar_bool(buf, (size_t)len, value);
}

static enum secure_boot_state classify(bool secure_boot, bool setup_mode)
{
	if (setup_mode)
		return SECURE_BOOT_SETUP_MODE;
	return secure_boot ? SECURE_BOOT_ENABLED : SECURE_BOOT_DISABLED;
}

int firmware_secure_boot(const char *efivars_dir,
			 enum secure_boot_state *state)
{
	_cleanup_close_ int dir_fd = -1;
	bool secure_boot = false, setup_mode = false;
	int r_secure_boot, r_setup_mode;

	if (!efivars_dir || !state)
		return -EINVAL;
	dir_fd = open(efivars_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0) {
		if (errno != ENOENT)
			return -errno;
		*state = SECURE_BOOT_UNKNOWN;
		return 0;
	}

	r_secure_boot = read_efivar_bool(dir_fd, SECURE_BOOT_VAR, &secure_boot);
	if (r_secure_boot < 0 && r_secure_boot != -ENOENT)
		return r_secure_boot;
	r_setup_mode = read_efivar_bool(dir_fd, SETUP_MODE_VAR, &setup_mode);
	if (r_setup_mode < 0 && r_setup_mode != -ENOENT)
		return r_setup_mode;

	if (r_secure_boot == -ENOENT || r_setup_mode == -ENOENT)
		*state = SECURE_BOOT_UNKNOWN;
	else
		*state = classify(secure_boot, setup_mode);
	return 0;
}

/* efi_secureboot_mode (include/linux/efi.h) */
enum {
	EFI_SB_UNSET,
	EFI_SB_UNKNOWN,
	EFI_SB_DISABLED,
	EFI_SB_ENABLED,
};

int firmware_parse_boot_params(const void *buf, size_t len,
			       enum secure_boot_state *state)
{
	const uint8_t *bytes = buf;

	if (!buf || !state || len != BOOT_PARAMS_LEN)
		return -OCIBOOT_EMALFORMED;
	switch (bytes[BOOT_PARAMS_SECURE_BOOT]) {
	case EFI_SB_UNSET:
	case EFI_SB_UNKNOWN:
		*state = SECURE_BOOT_UNKNOWN;
		return 0;
	case EFI_SB_DISABLED:
		*state = SECURE_BOOT_DISABLED;
		return 0;
	case EFI_SB_ENABLED:
		*state = SECURE_BOOT_ENABLED;
		return 0;
	}
	return -OCIBOOT_EMALFORMED;
}

int firmware_secure_boot_kernel(const char *path,
				enum secure_boot_state *state)
{
	uint8_t buf[BOOT_PARAMS_LEN];
	ssize_t len;

	if (!path || !state)
		return -EINVAL;
	len = read_small(AT_FDCWD, path, buf, sizeof(buf));
	if (len == -ENOENT) {
		*state = SECURE_BOOT_UNKNOWN;
		return 0;
	}
	if (len < 0)
		return (int)len;
	return firmware_parse_boot_params(buf, (size_t)len, state);
}

const char *firmware_secure_boot_name(enum secure_boot_state state)
{
	switch (state) {
	case SECURE_BOOT_UNKNOWN: return "unknown";
	case SECURE_BOOT_DISABLED: return "disabled";
	case SECURE_BOOT_ENABLED: return "enabled";
	case SECURE_BOOT_SETUP_MODE: return "setup-mode";
	}
	return "invalid";
}
