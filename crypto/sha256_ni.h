/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 compression with the x86-64 SHA extensions (SHA-NI). Internal to
 * crypto/sha256.c, which picks it when sha256_ni_supported() says so; other
 * code uses crypto/sha256.h.
 */
#ifndef OCIBOOT_SHA256_NI_H
#define OCIBOOT_SHA256_NI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True when this CPU has the SHA extensions (cpuid leaf 7, EBX bit 29) and
 * SSE4.1 (leaf 1, ECX bit 19). Asks cpuid each call; cache the answer.
 */
bool sha256_ni_supported(void);

/*
 * Run the compression function over nblocks 64-byte blocks at data (any
 * alignment), updating the chaining value state (H0..H7, host order).
 * Only call it when sha256_ni_supported() returned true.
 */
void sha256_ni_blocks(uint32_t state[8], const uint8_t *data, size_t nblocks);

#endif
