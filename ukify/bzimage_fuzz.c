/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the bzImage release reader. An input starting with
 * "MZ" is read as it is; any other is placed right after a valid setup
 * header, from the kernel_version field (0x20e) on, so mutations choose
 * where the version string is and what it says.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ukify/bzimage.h"

#define TAIL_AT 0x20e
#define FIXTURE_LEN 0x1000

static uint8_t fixture[FIXTURE_LEN];

static void check(const uint8_t *data, size_t size)
{
	char release[BZIMAGE_RELEASE_MAX + 1];

	if (bzimage_release(data, size, release) == 0 &&
	    (strlen(release) == 0 || strlen(release) > BZIMAGE_RELEASE_MAX))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* boot flag, jump, "HdrS", protocol 2.15, two unused fields */
	static const uint8_t header[TAIL_AT - 0x1fe] = {
		0x55, 0xaa, 0xeb, 0x66, 'H', 'd', 'r', 'S', 0x0f, 0x02,
	};
	size_t n = size < FIXTURE_LEN - TAIL_AT ? size : FIXTURE_LEN - TAIL_AT;

	if (size >= 2 && data[0] == 'M' && data[1] == 'Z') {
		check(data, size);
		return 0;
	}
	memset(fixture, 0, TAIL_AT);
	memcpy(fixture + 0x1fe, header, sizeof(header));
	memcpy(fixture + TAIL_AT, data, n);
	check(fixture, TAIL_AT + n);
	return 0;
}
