/* SPDX-License-Identifier: MIT */
/*
 * Named constants more than one subsystem uses, so that a number in the
 * code says what it counts. A constant that belongs to one format stays in
 * that format's header (VERITY_BLOCK_SIZE, TAR_BLOCK_SIZE, DER_SEQUENCE);
 * only the ones shared across folders live here. Header only.
 */
#ifndef OCIBOOT_LIB_CONSTANTS_H
#define OCIBOOT_LIB_CONSTANTS_H

/*
 * The unit the kernel counts block devices in (sysfs "size", device-mapper
 * table lengths, loop offsets), whatever the device's logical block size.
 */
#define SECTOR_SIZE 512
#define SECTOR_SHIFT 9		/* SECTOR_SIZE == 1 << SECTOR_SHIFT */

/* Time, as POSIX counts it (no leap seconds). */
#define SECONDS_PER_DAY 86400
#define MS_PER_SECOND 1000
#define NS_PER_MS 1000000
#define NS_PER_SECOND 1000000000

/*
 * The algorithm prefix of an OCI digest string, "sha256:<64 lowercase
 * hex>"; its length without the NUL.
 */
#define DIGEST_PREFIX_SHA256 "sha256:"
#define DIGEST_PREFIX_SHA256_LEN (sizeof(DIGEST_PREFIX_SHA256) - 1)

_Static_assert(SECTOR_SIZE == 1 << SECTOR_SHIFT, "sector shift");
_Static_assert(DIGEST_PREFIX_SHA256_LEN == 7, "sha256: prefix length");

#endif
