/* SPDX-License-Identifier: MIT */
/* Kernel release from a bzImage; see bzimage.h. */
#include <stdbool.h>

#include "lib/endian.h"
#include "lib/util.h"
#include "ukify/bzimage.h"

/* Offsets in the real-mode setup header (Documentation/x86/boot.rst). */
#define BOOT_FLAG 0x1fe
#define BOOT_FLAG_VALUE 0xaa55
#define HEADER_MAGIC 0x202		/* "HdrS" */
#define PROTOCOL_VERSION 0x206
#define KERNEL_VERSION 0x20e		/* u16: string offset - 0x200 */
#define HEADER_END 0x210
#define PROTOCOL_MIN 0x0200
#define VERSION_BASE 0x200

static bool ends_release(uint8_t c)
{
	return c == ' ' || c == '\0';
}

int bzimage_release(const uint8_t *buf, size_t len,
		    char release[BZIMAGE_RELEASE_MAX + 1])
{
	size_t off, n = 0;

	if (len < HEADER_END || le16_load(buf + BOOT_FLAG) != BOOT_FLAG_VALUE ||
	    memcmp(buf + HEADER_MAGIC, "HdrS", 4) != 0 ||
	    le16_load(buf + PROTOCOL_VERSION) < PROTOCOL_MIN ||
	    le16_load(buf + KERNEL_VERSION) == 0)
		return -OCIBOOT_EMALFORMED;
	off = (size_t)le16_load(buf + KERNEL_VERSION) + VERSION_BASE;
	if (off >= len)
		return -OCIBOOT_EMALFORMED;
	while (n <= BZIMAGE_RELEASE_MAX && off + n < len &&
	       !ends_release(buf[off + n])) {
		if (buf[off + n] < 0x21 || buf[off + n] > 0x7e)
			return -OCIBOOT_EMALFORMED;
		n++;
	}
	if (n == 0 || n > BZIMAGE_RELEASE_MAX || off + n == len)
		return -OCIBOOT_EMALFORMED;
	memcpy(release, buf + off, n);
	release[n] = '\0';
	return 0;
}
