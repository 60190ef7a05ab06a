/* SPDX-License-Identifier: MIT */
/*
 * Streaming SHA-256 over BearSSL, and the hex form OCI digests use.
 * The caller owns the context; nothing here allocates.
 */
#ifndef OCIBOOT_SHA256_H
#define OCIBOOT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl_hash.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

struct sha256 {
	br_sha256_context br;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Write the digest to out; the context may be re-initialised and reused. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);

/* One-shot digest of a buffer. */
void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/* Lowercase hex of a digest into hex[SHA256_HEX_LEN + 1], NUL-terminated. */
void sha256_hex(const uint8_t digest[SHA256_LEN],
		char hex[SHA256_HEX_LEN + 1]);

/*
 * Parse exactly SHA256_HEX_LEN lowercase hex characters into digest.
 * Returns 0, or -EINVAL (digest untouched) on any other input.
 */
int sha256_from_hex(const char *hex, size_t len, uint8_t digest[SHA256_LEN]);

#endif
