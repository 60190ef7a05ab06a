/* SPDX-License-Identifier: MIT */
/*
 * What the verity tests of fs/ (the format) and layer/ (the tree builder)
 * share: a deterministic pseudo-random generator (xorshift64, the same
 * sequence every run, so a failure reproduces) and the driver modes' hex
 * output. Test builds only.
 */
#ifndef OCIBOOT_FS_VERITY_FIXTURE_H
#define OCIBOOT_FS_VERITY_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/* The next 64 pseudo-random bits. */
uint64_t verity_fixture_rng(void);

/* n pseudo-random bytes into p. */
void verity_fixture_rng_fill(uint8_t *p, size_t n);

/* p[0, n) (n <= VERITY_SALT_MAX) as lowercase hex on standard output. */
void verity_fixture_print_hex(const uint8_t *p, size_t n);

#endif
