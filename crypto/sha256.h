/* SPDX-License-Identifier: MIT */
/*
 * Streaming SHA-256, and the hex form OCI digests use.
 *
 * Two compression functions sit under one streaming layer: the x86-64 SHA
 * extensions (crypto/sha256_ni.c, about 7x faster) when the CPU has them,
 * BearSSL's portable code otherwise. The choice is made once, on first use,
 * from cpuid; both give the same digests, and the running state is the same
 * eight words either way. A program linked without crypto/sha256_ni.c
 * still works, using BearSSL only.
 *
 * The caller owns the context; nothing here allocates. A context holds no
 * pointers, so it may be copied to fork a computation (e.g. after a salt).
 */
#ifndef OCIBOOT_SHA256_H
#define OCIBOOT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64
#define SHA256_BLOCK_LEN 64

struct sha256 {
	uint32_t state[8];		/* chaining value, H0..H7 */
	uint64_t count;			/* bytes hashed so far */
	uint8_t buf[SHA256_BLOCK_LEN];	/* the count % 64 bytes pending */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Write the digest to out; the context is re-initialised for reuse. */
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

/*
 * Compression functions. Programs never need these: the best one is picked
 * on first use. Tests and benchmarks use them to exercise or time each one.
 */
enum sha256_impl {
	SHA256_IMPL_AUTO,	/* the best this CPU supports */
	SHA256_IMPL_GENERIC,	/* BearSSL's portable C */
	SHA256_IMPL_SHA_NI,	/* x86-64 SHA extensions + SSE4.1 */
};

/* The implementation in use now: SHA256_IMPL_GENERIC or _SHA_NI. */
enum sha256_impl sha256_impl_get(void);

/* "auto", "generic", "sha-ni", or "unknown" for other values. */
const char *sha256_impl_name(enum sha256_impl impl);

/*
 * Use impl for every later block, in every context (contexts in progress
 * carry on correctly: the state is the same for both). SHA256_IMPL_AUTO
 * returns to the cpuid choice. Returns 0, -ENOTSUP (nothing changed) when
 * this CPU or this program lacks SHA-NI, or -EINVAL for an unknown value.
 * Not meant for use while another thread hashes.
 */
int sha256_impl_set(enum sha256_impl impl);

#endif
