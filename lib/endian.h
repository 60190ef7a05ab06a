/* SPDX-License-Identifier: MIT */
/*
 * Loads and stores of fixed-width integers at any alignment, in little-
 * endian (PE, squashfs, GPT, ext4, dm-verity, bzImage) or big-endian (SHA-2,
 * TPM 2.0, DER lengths) byte order, independent of the host's.
 *
 * p points at the first byte; the caller has checked that the 2, 4 or 8
 * bytes are there (a struct cursor does this for parsers). Header only;
 * nothing here allocates or fails.
 */
#ifndef OCIBOOT_LIB_ENDIAN_H
#define OCIBOOT_LIB_ENDIAN_H

#include <stdint.h>

static inline uint16_t le16_load(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t le32_load(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t le64_load(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)le32_load(b) | (uint64_t)le32_load(b + 4) << 32;
}

static inline uint16_t be16_load(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t be32_load(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static inline uint64_t be64_load(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)be32_load(b) << 32 | (uint64_t)be32_load(b + 4);
}

static inline void le16_store(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void le32_store(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void le64_store(void *p, uint64_t v)
{
	uint8_t *b = p;

	le32_store(b, (uint32_t)v);
	le32_store(b + 4, (uint32_t)(v >> 32));
}

static inline void be16_store(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void be32_store(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline void be64_store(void *p, uint64_t v)
{
	uint8_t *b = p;

	be32_store(b, (uint32_t)(v >> 32));
	be32_store(b + 4, (uint32_t)v);
}

#endif
