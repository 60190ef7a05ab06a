/* SPDX-License-Identifier: MIT */
/*
 * Fuzz crypto/sha256.c: the input's first byte picks chunk lengths, the
 * rest is the message. Each implementation, chunked or in one call, and the
 * two switched back and forth between chunks must agree. The whole input
 * also goes to sha256_from_hex, which must accept only what sha256_hex
 * gives back unchanged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/sha256.h"

static void hash_chunked(const uint8_t *data, size_t len, uint8_t seed,
			 bool alternate, uint8_t out[SHA256_LEN])
{
	struct sha256 s;
	size_t done = 0;
	unsigned x = seed | 1u;

	sha256_init(&s);
	while (done < len) {
		size_t n = 1 + x % 131;

		x = x * 1103515245u + 12345u;
		if (n > len - done)
			n = len - done;
		if (alternate)
			sha256_impl_set(x & 0x10000 ? SHA256_IMPL_SHA_NI :
						      SHA256_IMPL_GENERIC);
		sha256_update(&s, data + done, n);
		done += n;
	}
	sha256_final(&s, out);
}

static void check_hash(const uint8_t *data, size_t size)
{
	uint8_t seed = size ? data[0] : 0;
	uint8_t want[SHA256_LEN], got[SHA256_LEN];

	sha256_impl_set(SHA256_IMPL_GENERIC);
	sha256_digest(data, size, want);
	hash_chunked(data, size, seed, false, got);
	if (memcmp(got, want, SHA256_LEN) != 0)
		__builtin_trap();
	/* -ENOTSUP without SHA-NI: then this repeats the generic run. */
	sha256_impl_set(SHA256_IMPL_SHA_NI);
	sha256_digest(data, size, got);
	if (memcmp(got, want, SHA256_LEN) != 0)
		__builtin_trap();
	hash_chunked(data, size, seed, false, got);
	if (memcmp(got, want, SHA256_LEN) != 0)
		__builtin_trap();
	hash_chunked(data, size, seed, true, got);
	if (memcmp(got, want, SHA256_LEN) != 0)
		__builtin_trap();
	sha256_impl_set(SHA256_IMPL_AUTO);
}

static void check_hex(const uint8_t *data, size_t size)
{
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];

	memset(d, 0x77, sizeof(d));
	if (sha256_from_hex((const char *)data, size, d) < 0) {
		for (size_t i = 0; i < sizeof(d); i++)
			if (d[i] != 0x77)
				__builtin_trap();
		return;
	}
	sha256_hex(d, hex);
	if (size != SHA256_HEX_LEN || memcmp(hex, data, size) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_hash(data, size);
	check_hex(data, size);
	return 0;
}
