/* SPDX-License-Identifier: MIT */
/*
 * The kernel lockdown mode, as securityfs shows it in LOCKDOWN_PATH:
 * "none [integrity] confidentiality\n", the bracketed word being the mode
 * in force. Nothing here allocates or logs.
 */
#ifndef OCIBOOT_INIT_LOCKDOWN_H
#define OCIBOOT_INIT_LOCKDOWN_H

#include <stddef.h>

#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"
#define LOCKDOWN_FILE_MAX 128		/* bytes read from the file */
#define LOCKDOWN_MODE_MAX 32		/* a mode's name, with its NUL */

/*
 * The bracketed word of buf[len] into mode[LOCKDOWN_MODE_MAX]: one to
 * LOCKDOWN_MODE_MAX - 1 lowercase letters, exactly one pair of brackets.
 * Returns its length, or -OCIBOOT_EMALFORMED (mode untouched).
 */
int lockdown_parse(const char *buf, size_t len,
		   char mode[LOCKDOWN_MODE_MAX]);

/*
 * Read and parse path (normally LOCKDOWN_PATH). Returns the mode's length,
 * -ENOENT when the file is absent (no securityfs, or no lockdown LSM),
 * -OCIBOOT_EMALFORMED, -OCIBOOT_ETOOBIG or another -errno.
 */
int lockdown_read(const char *path, char mode[LOCKDOWN_MODE_MAX]);

#endif
