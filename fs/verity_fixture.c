/* SPDX-License-Identifier: MIT */
#include "fs/verity_fixture.h"

#include <stdio.h>

#include "fs/verity.h"
#include "lib/hex.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

uint64_t verity_fixture_rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

void verity_fixture_rng_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)verity_fixture_rng();
}

void verity_fixture_print_hex(const uint8_t *p, size_t n)
{
	char hex[2 * VERITY_SALT_MAX + 1];

	if (n > VERITY_SALT_MAX)
		n = VERITY_SALT_MAX;
	hex_encode(p, n, hex);
	fputs(hex, stdout);
}
