/* SPDX-License-Identifier: MIT */
/*
 * The streaming layer: buffer partial blocks, pad, and hand whole blocks to
 * one of two compression functions chosen once (see crypto/sha256.h).
 */
#include "crypto/sha256.h"

#include <bearssl_hash.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "crypto/sha256_ni.h"
#include "lib/endian.h"
#include "lib/hex.h"

_Static_assert(sizeof(((struct sha256 *)0)->state) == SHA256_LEN,
	       "the chaining value is the digest's size");

static const uint32_t sha256_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/*
 * SHA256_IMPL_AUTO until the first block, then the implementation in use.
 * Accessed atomically: threads that race on the first block compute the
 * same answer and store the same value.
 */
static enum sha256_impl impl_chosen = SHA256_IMPL_AUTO;

static bool ni_available(void)
{
	return sha256_ni_supported();
}

static enum sha256_impl impl_current(void)
{
	enum sha256_impl impl = __atomic_load_n(&impl_chosen, __ATOMIC_RELAXED);

	if (impl == SHA256_IMPL_AUTO) {
		impl = ni_available() ? SHA256_IMPL_SHA_NI :
					SHA256_IMPL_GENERIC;
		__atomic_store_n(&impl_chosen, impl, __ATOMIC_RELAXED);
	}
	return impl;
}

static void state_to_be(const uint32_t state[8], uint8_t out[SHA256_LEN])
{
	for (int i = 0; i < 8; i++)
		be32_store(out + 4 * i, state[i]);
}

/*
 * BearSSL's compression function, reached through its public state
 * save/restore: given whole blocks only, its buffer is never left holding
 * any, so the state it hands back covers them all.
 */
static void generic_blocks(uint32_t state[8], const uint8_t *data,
			   size_t nblocks)
{
	br_sha256_context br;
	uint8_t be[SHA256_LEN];

	br_sha256_init(&br);
	state_to_be(state, be);
	br_sha256_set_state(&br, be, 0);
	br_sha256_update(&br, data, nblocks * SHA256_BLOCK_LEN);
	br_sha256_state(&br, be);
	for (int i = 0; i < 8; i++)
		state[i] = be32_load(be + 4 * i);
}

static void compress(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
	if (impl_current() == SHA256_IMPL_SHA_NI)
		sha256_ni_blocks(state, data, nblocks);
	else
		generic_blocks(state, data, nblocks);
}

void sha256_init(struct sha256 *s)
{
	memcpy(s->state, sha256_iv, sizeof(s->state));
	s->count = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = s->count % SHA256_BLOCK_LEN;
	size_t nblocks;

	if (!len)
		return;
	s->count += len;
	if (used) {
		size_t take = SHA256_BLOCK_LEN - used;

		if (take > len) {
			memcpy(s->buf + used, p, len);
			return;
		}
		memcpy(s->buf + used, p, take);
		compress(s->state, s->buf, 1);
		p += take;
		len -= take;
	}
	nblocks = len / SHA256_BLOCK_LEN;
	if (nblocks) {
		compress(s->state, p, nblocks);
		p += nblocks * SHA256_BLOCK_LEN;
		len -= nblocks * SHA256_BLOCK_LEN;
	}
	memcpy(s->buf, p, len);
}

/* 0x80, zeros, then the length in bits as 64 bits big-endian. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN])
{
	size_t used = s->count % SHA256_BLOCK_LEN;
	uint64_t bits = s->count << 3;

	s->buf[used++] = 0x80;
	if (used > SHA256_BLOCK_LEN - 8) {
		memset(s->buf + used, 0, SHA256_BLOCK_LEN - used);
		compress(s->state, s->buf, 1);
		used = 0;
	}
	memset(s->buf + used, 0, SHA256_BLOCK_LEN - 8 - used);
	be32_store(s->buf + SHA256_BLOCK_LEN - 8, (uint32_t)(bits >> 32));
	be32_store(s->buf + SHA256_BLOCK_LEN - 4, (uint32_t)bits);
	compress(s->state, s->buf, 1);
	state_to_be(s->state, out);
	sha256_init(s);
}

void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

enum sha256_impl sha256_impl_get(void)
{
	return impl_current();
}

const char *sha256_impl_name(enum sha256_impl impl)
{
	switch (impl) {
	case SHA256_IMPL_AUTO: return "auto";
	case SHA256_IMPL_GENERIC: return "generic";
	case SHA256_IMPL_SHA_NI: return "sha-ni";
	}
	return "unknown";
}

int sha256_impl_set(enum sha256_impl impl)
{
	switch (impl) {
	case SHA256_IMPL_AUTO:
	case SHA256_IMPL_GENERIC:
		break;
	case SHA256_IMPL_SHA_NI:
		if (!ni_available())
			return -ENOTSUP;
		break;
	default:
		return -EINVAL;
	}
	__atomic_store_n(&impl_chosen, impl, __ATOMIC_RELAXED);
	return 0;
}

void sha256_hex(const uint8_t digest[SHA256_LEN],
		char hex[SHA256_HEX_LEN + 1])
{
	hex_encode(digest, SHA256_LEN, hex);
}

int sha256_from_hex(const char *hex, size_t len, uint8_t digest[SHA256_LEN])
{
	if (len != SHA256_HEX_LEN ||
	    hex_decode(hex, len, digest, SHA256_LEN) != SHA256_LEN)
		return -EINVAL;
	return 0;
}
