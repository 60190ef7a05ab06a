/* SPDX-License-Identifier: MIT */
/*
 * The kernel release ("6.1.0-56-amd64") of an x86 bzImage, read from the
 * version string its setup header points at, as `file` and systemd's
 * ukify do. The kernel is an input file: it is read as untrusted.
 */
#ifndef OCIBOOT_UKIFY_BZIMAGE_H
#define OCIBOOT_UKIFY_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define BZIMAGE_RELEASE_MAX 64		/* bytes, as struct utsname allows */

/*
 * Write the release (the version string's first word) of the bzImage
 * buf[0..len) to release, NUL-terminated. Returns 0; -OCIBOOT_EMALFORMED
 * when buf is not a bzImage (no 0xAA55 boot flag or "HdrS" magic), its
 * header predates boot protocol 2.00, it has no version string, or the
 * string is empty, unterminated within BZIMAGE_RELEASE_MAX bytes or not
 * printable. release is written only on success.
 */
int bzimage_release(const uint8_t *buf, size_t len,
		    char release[BZIMAGE_RELEASE_MAX + 1]);

#endif
