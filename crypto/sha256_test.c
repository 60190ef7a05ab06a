/* SPDX-License-Identifier: MIT */
/*
 * Tests of crypto/sha256.c and crypto/sha256_ni.c. Without arguments: the
 * cmocka tests, whose known answers are the NIST FIPS 180-2 examples and
 * whose random messages are checked against OpenSSL's EVP SHA-256, on each
 * compression function this CPU has (sha256_impl_set forces the generic
 * one, so the fallback is tested on SHA-NI machines too). With arguments it
 * is the driver bench/sha256.sh uses:
 *
 *   sha256 sum auto|generic|sha-ni FILE   print "HEX  FILE" like sha256sum
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "crypto/sha256.h"
#include "crypto/sha256_ni.h"
#include "lib/util.h"

#define RANDOM_MESSAGES		2000
#define RANDOM_LEN_MAX		10000
#define MILLION			1000000
#define DRIVER_BUF_LEN		(1u << 20)

/* --- helpers -------------------------------------------------------------- */

static uint64_t rng_state = 0x6a09e667f3bcc908ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t rng_below(size_t n)
{
	return (size_t)(rng() % n);
}

static void rng_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

/* The implementations to run each test on: generic, and SHA-NI if here. */
static const enum sha256_impl all_impls[] = {
	SHA256_IMPL_GENERIC,
	SHA256_IMPL_SHA_NI,
};

/* Select impl; false (and a note once) when this CPU lacks it. */
static bool use_impl(enum sha256_impl impl)
{
	static bool noted;
	int r = sha256_impl_set(impl);

	if (r == -ENOTSUP) {
		if (!noted)
			print_message("no SHA-NI here: generic only\n");
		noted = true;
		return false;
	}
	assert_int_equal(r, 0);
	assert_int_equal(sha256_impl_get(), impl);
	return true;
}

static int reset_impl(void **state)
{
	assert_int_equal(sha256_impl_set(SHA256_IMPL_AUTO), 0);
	return 0;
}

static void openssl_sha256(const void *data, size_t len,
			   uint8_t out[SHA256_LEN])
{
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sha256(), NULL),
			 1);
	assert_int_equal(n, SHA256_LEN);
}

/* Hash data in chunks no longer than max_chunk (random lengths, >= 1). */
static void hash_chunked(const uint8_t *data, size_t len, size_t max_chunk,
			 uint8_t out[SHA256_LEN])
{
	struct sha256 s;
	size_t done = 0;

	sha256_init(&s);
	while (done < len) {
		size_t n = 1 + rng_below(max_chunk);

		if (n > len - done)
			n = len - done;
		sha256_update(&s, data + done, n);
		done += n;
	}
	sha256_final(&s, out);
}

static void assert_digest_hex(const uint8_t digest[SHA256_LEN],
			      const char *want)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(digest, hex);
	assert_string_equal(hex, want);
}

/* --- known answers (FIPS 180-2 appendix B, and the long message) --------- */

static const struct {
	const char *message;
	const char *digest;
} nist[] = {
	{ "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	/* 448 bits: the padding needs a second block. */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	/* 896 bits. */
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

#define MILLION_A_DIGEST \
	"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

/* Chunk sizes for the known answers: whole, bytes, around a block. */
static const size_t nist_chunks[] = { SIZE_MAX, 1, 3, 63, 64, 65 };

static void test_nist_vectors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_impls); i++) {
		if (!use_impl(all_impls[i]))
			continue;
		for (size_t v = 0; v < ARRAY_SIZE(nist); v++) {
			const char *m = nist[v].message;
			uint8_t d[SHA256_LEN];

			sha256_digest(m, strlen(m), d);
			assert_digest_hex(d, nist[v].digest);
			for (size_t c = 0; c < ARRAY_SIZE(nist_chunks); c++) {
				struct sha256 s;
				size_t len = strlen(m), step = nist_chunks[c];

				sha256_init(&s);
				for (size_t at = 0; at < len; at += step)
					sha256_update(&s, m + at,
						      step < len - at ?
						      step : len - at);
				sha256_final(&s, d);
				assert_digest_hex(d, nist[v].digest);
			}
		}
	}
}

static void test_million_a(void **state)
{
	uint8_t *a = malloc(MILLION);
	uint8_t d[SHA256_LEN];

	assert_non_null(a);
	memset(a, 'a', MILLION);
	for (size_t i = 0; i < ARRAY_SIZE(all_impls); i++) {
		struct sha256 s;

		if (!use_impl(all_impls[i]))
			continue;
		sha256_digest(a, MILLION, d);
		assert_digest_hex(d, MILLION_A_DIGEST);
		/* Byte at a time: every path through the buffering. */
		sha256_init(&s);
		for (size_t k = 0; k < MILLION; k++)
			sha256_update(&s, "a", 1);
		sha256_final(&s, d);
		assert_digest_hex(d, MILLION_A_DIGEST);
		/* 1000 updates of 1000, as in FIPS 180-2 B.3's usual form. */
		sha256_init(&s);
		for (size_t k = 0; k < 1000; k++)
			sha256_update(&s, a, 1000);
		sha256_final(&s, d);
		assert_digest_hex(d, MILLION_A_DIGEST);
	}
	free(a);
}

/* --- against OpenSSL ------------------------------------------------------ */

/* Every length up to four blocks covers each padding case at each offset. */
static void test_every_short_length(void **state)
{
	uint8_t data[4 * SHA256_BLOCK_LEN + 1], want[SHA256_LEN];
	uint8_t got[SHA256_LEN];

	rng_fill(data, sizeof(data));
	for (size_t len = 0; len <= sizeof(data); len++) {
		openssl_sha256(data, len, want);
		for (size_t i = 0; i < ARRAY_SIZE(all_impls); i++) {
			if (!use_impl(all_impls[i]))
				continue;
			sha256_digest(data, len, got);
			assert_memory_equal(got, want, SHA256_LEN);
			hash_chunked(data, len, 70, got);
			assert_memory_equal(got, want, SHA256_LEN);
		}
	}
}

/*
 * Random lengths 0..RANDOM_LEN_MAX at random (unaligned) addresses, cut in
 * random chunks: each implementation, and both switched mid-message, must
 * give OpenSSL's digest.
 */
static void test_random_messages(void **state)
{
	uint8_t *buf = malloc(RANDOM_LEN_MAX + 16);
	bool have_ni = sha256_impl_set(SHA256_IMPL_SHA_NI) == 0;

	assert_non_null(buf);
	for (int n = 0; n < RANDOM_MESSAGES; n++) {
		size_t len = rng_below(RANDOM_LEN_MAX + 1);
		size_t max_chunk = 1 + rng_below(n % 2 ? 200 : 5000);
		uint8_t *data = buf + rng_below(16);
		uint8_t want[SHA256_LEN], got[SHA256_LEN];
		struct sha256 s;
		size_t done = 0;

		rng_fill(data, len);
		openssl_sha256(data, len, want);
		for (size_t i = 0; i < ARRAY_SIZE(all_impls); i++) {
			if (!use_impl(all_impls[i]))
				continue;
			hash_chunked(data, len, max_chunk, got);
			assert_memory_equal(got, want, SHA256_LEN);
		}
		sha256_init(&s);
		while (done < len) {
			size_t k = 1 + rng_below(max_chunk);

			if (k > len - done)
				k = len - done;
			assert_int_equal(sha256_impl_set(have_ni && rng() % 2 ?
				SHA256_IMPL_SHA_NI : SHA256_IMPL_GENERIC), 0);
			sha256_update(&s, data + done, k);
			done += k;
		}
		sha256_final(&s, got);
		assert_memory_equal(got, want, SHA256_LEN);
	}
	free(buf);
}

/* --- the streaming interface ---------------------------------------------- */

/* A copied context carries on independently (fs/verity.c salts this way). */
static void test_context_copy(void **state)
{
	uint8_t salt[32], block[4096], salted[sizeof(salt) + sizeof(block)];
	uint8_t want[SHA256_LEN], got[SHA256_LEN];

	rng_fill(salt, sizeof(salt));
	rng_fill(block, sizeof(block));
	memcpy(salted, salt, sizeof(salt));
	memcpy(salted + sizeof(salt), block, sizeof(block));
	openssl_sha256(salted, sizeof(salted), want);
	for (size_t i = 0; i < ARRAY_SIZE(all_impls); i++) {
		struct sha256 base, fork;

		if (!use_impl(all_impls[i]))
			continue;
		sha256_init(&base);
		sha256_update(&base, salt, sizeof(salt));
		for (int k = 0; k < 3; k++) {
			fork = base;
			sha256_update(&fork, block, sizeof(block));
			sha256_final(&fork, got);
			assert_memory_equal(got, want, SHA256_LEN);
		}
	}
}

/* After final the context hashes a new message from scratch. */
static void test_final_reinitialises(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_impls); i++) {
		struct sha256 s;
		uint8_t d[SHA256_LEN];

		if (!use_impl(all_impls[i]))
			continue;
		sha256_init(&s);
		sha256_update(&s, "something else entirely", 23);
		sha256_final(&s, d);
		sha256_update(&s, "abc", 3);
		sha256_final(&s, d);
		assert_digest_hex(d, nist[1].digest);
		sha256_final(&s, d);
		assert_digest_hex(d, nist[0].digest);
	}
}

/* Zero-length updates, anywhere, change nothing. */
static void test_empty_updates(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_impls); i++) {
		struct sha256 s;
		uint8_t d[SHA256_LEN];

		if (!use_impl(all_impls[i]))
			continue;
		sha256_init(&s);
		sha256_update(&s, NULL, 0);
		sha256_update(&s, "a", 1);
		sha256_update(&s, "", 0);
		sha256_update(&s, "bc", 2);
		sha256_update(&s, "", 0);
		sha256_final(&s, d);
		assert_digest_hex(d, nist[1].digest);
	}
}

/* --- choosing the implementation ------------------------------------------ */

static void test_impl_selection(void **state)
{
	bool ni = sha256_ni_supported();
	enum sha256_impl best = ni ? SHA256_IMPL_SHA_NI : SHA256_IMPL_GENERIC;

	print_message("this CPU: %s\n", sha256_impl_name(best));
	assert_int_equal(sha256_impl_set(SHA256_IMPL_AUTO), 0);
	assert_int_equal(sha256_impl_get(), best);
	assert_int_equal(sha256_impl_set(SHA256_IMPL_GENERIC), 0);
	assert_int_equal(sha256_impl_get(), SHA256_IMPL_GENERIC);
	assert_int_equal(sha256_impl_set(SHA256_IMPL_SHA_NI),
			 ni ? 0 : -ENOTSUP);
	assert_int_equal(sha256_impl_get(),
			 ni ? SHA256_IMPL_SHA_NI : SHA256_IMPL_GENERIC);
	assert_int_equal(sha256_impl_set((enum sha256_impl)7), -EINVAL);
	assert_int_equal(sha256_impl_get(),
			 ni ? SHA256_IMPL_SHA_NI : SHA256_IMPL_GENERIC);
	assert_string_equal(sha256_impl_name(SHA256_IMPL_AUTO), "auto");
	assert_string_equal(sha256_impl_name(SHA256_IMPL_GENERIC), "generic");
	assert_string_equal(sha256_impl_name(SHA256_IMPL_SHA_NI), "sha-ni");
	assert_string_equal(sha256_impl_name((enum sha256_impl)7), "unknown");
}

/* The SHA-NI function alone, on several blocks at once, from a raw state. */
static void test_ni_blocks_direct(void **state)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	/* "abc" padded to one block. */
	uint8_t block[SHA256_BLOCK_LEN] = { 'a', 'b', 'c', 0x80 };
	uint8_t blocks[3 * SHA256_BLOCK_LEN];
	uint32_t h[8], one_by_one[8];
	uint8_t d[SHA256_LEN];

	if (!sha256_ni_supported()) {
		print_message("SKIP: hardware: this CPU has no SHA-NI\n");
		skip();
	}
	block[SHA256_BLOCK_LEN - 1] = 24;
	memcpy(h, iv, sizeof(h));
	sha256_ni_blocks(h, block, 1);
	for (int i = 0; i < 8; i++) {
		d[4 * i] = (uint8_t)(h[i] >> 24);
		d[4 * i + 1] = (uint8_t)(h[i] >> 16);
		d[4 * i + 2] = (uint8_t)(h[i] >> 8);
		d[4 * i + 3] = (uint8_t)h[i];
	}
	assert_digest_hex(d, nist[1].digest);
	/* Zero blocks leave the state alone; n blocks == n calls of one. */
	memcpy(one_by_one, h, sizeof(h));
	sha256_ni_blocks(h, block, 0);
	assert_memory_equal(h, one_by_one, sizeof(h));
	rng_fill(blocks, sizeof(blocks));
	memcpy(h, iv, sizeof(h));
	memcpy(one_by_one, iv, sizeof(h));
	sha256_ni_blocks(h, blocks, 3);
	for (int i = 0; i < 3; i++)
		sha256_ni_blocks(one_by_one, blocks + i * SHA256_BLOCK_LEN, 1);
	assert_memory_equal(h, one_by_one, sizeof(h));
	assert_memory_not_equal(h, iv, sizeof(h));
}

/* --- hex ------------------------------------------------------------------ */

static void test_hex_roundtrip(void **state)
{
	for (int n = 0; n < 100; n++) {
		uint8_t d[SHA256_LEN], back[SHA256_LEN];
		char hex[SHA256_HEX_LEN + 1];

		rng_fill(d, sizeof(d));
		sha256_hex(d, hex);
		assert_int_equal(strlen(hex), SHA256_HEX_LEN);
		assert_int_equal(strspn(hex, "0123456789abcdef"),
				 SHA256_HEX_LEN);
		assert_int_equal(sha256_from_hex(hex, SHA256_HEX_LEN, back), 0);
		assert_memory_equal(back, d, SHA256_LEN);
	}
}

#define HEX_ABC nist[1].digest

/* Characters that must not pass for hex digits, at any position. */
static const char not_hex[] = "GgAF:/@`\x20\x7f\xff";

static void test_from_hex_table(void **state)
{
	static const struct {
		const char *hex;
		int want;
	} cases[] = {
		{ "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015ad",
		  0 },
		{ "00000000000000000000000000000000"
		  "00000000000000000000000000000000",
		  0 },
		{ "ffffffffffffffffffffffffffffffff"
		  "ffffffffffffffffffffffffffffffff",
		  0 },
		/* Upper case is not the canonical OCI form. */
		{ "BA7816BF8F01CFEA414140DE5DAE2223"
		  "B00361A396177A9CB410FF61F20015AD",
		  -EINVAL },
		{ "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015aD",
		  -EINVAL },
		{ "ga7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015ad",
		  -EINVAL },
		{ "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015a ",
		  -EINVAL },
		{ "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015a/",
		  -EINVAL },
		{ "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015a:",
		  -EINVAL },
		{ "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015ad0",
		  -EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t d[SHA256_LEN], untouched[SHA256_LEN];
		int r;

		memset(d, 0x5a, sizeof(d));
		memset(untouched, 0x5a, sizeof(untouched));
		r = sha256_from_hex(cases[i].hex, strlen(cases[i].hex), d);
		assert_int_equal(r, cases[i].want);
		if (r == 0) {
			char hex[SHA256_HEX_LEN + 1];

			sha256_hex(d, hex);
			assert_string_equal(hex, cases[i].hex);
		} else {
			assert_memory_equal(d, untouched, SHA256_LEN);
		}
	}
}

static void test_from_hex_bad_char_anywhere(void **state)
{
	for (size_t at = 0; at < SHA256_HEX_LEN; at++) {
		for (size_t c = 0; c < sizeof(not_hex); c++) {
			char hex[SHA256_HEX_LEN];
			uint8_t d[SHA256_LEN], untouched[SHA256_LEN];

			memcpy(hex, HEX_ABC, sizeof(hex));
			hex[at] = not_hex[c];	/* the NUL too */
			memset(d, 0x3c, sizeof(d));
			memset(untouched, 0x3c, sizeof(untouched));
			assert_int_equal(sha256_from_hex(hex, sizeof(hex), d),
					 -EINVAL);
			assert_memory_equal(d, untouched, SHA256_LEN);
		}
	}
}

/* Every truncation of a valid digest fails without writing. */
static void test_from_hex_truncated(void **state)
{
	for (size_t len = 0; len < SHA256_HEX_LEN; len++) {
		uint8_t d[SHA256_LEN], untouched[SHA256_LEN];
		char *copy = malloc(len ? len : 1);

		/* An exact-size heap copy: ASan sees any read past len. */
		assert_non_null(copy);
		memcpy(copy, HEX_ABC, len);
		memset(d, 0xa5, sizeof(d));
		memset(untouched, 0xa5, sizeof(untouched));
		assert_int_equal(sha256_from_hex(copy, len, d), -EINVAL);
		assert_memory_equal(d, untouched, SHA256_LEN);
		free(copy);
	}
}

/* --- driver --------------------------------------------------------------- */

static int driver_sum(const char *impl_name, const char *path)
{
	static const enum sha256_impl impls[] = {
		SHA256_IMPL_AUTO, SHA256_IMPL_GENERIC, SHA256_IMPL_SHA_NI,
	};
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	struct sha256 s;
	uint8_t *buf;
	ssize_t n;
	int fd, r = -EINVAL;

	for (size_t i = 0; i < ARRAY_SIZE(impls); i++)
		if (streq(impl_name, sha256_impl_name(impls[i])))
			r = sha256_impl_set(impls[i]);
	if (r < 0) {
		fprintf(stderr, "sha256: %s: %s\n", impl_name, strerror(-r));
		return 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	buf = malloc(DRIVER_BUF_LEN);
	if (!buf) {
		close(fd);
		return 1;
	}
	sha256_init(&s);
	while ((n = read(fd, buf, DRIVER_BUF_LEN)) > 0)
		sha256_update(&s, buf, (size_t)n);
	if (n < 0)
		perror(path);
	free(buf);
	close(fd);
	if (n < 0)
		return 1;
	sha256_final(&s, d);
	sha256_hex(d, hex);
	printf("%s  %s\n", hex, path);
	fprintf(stderr, "sha256: %s\n", sha256_impl_name(sha256_impl_get()));
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_nist_vectors, reset_impl),
		cmocka_unit_test_teardown(test_million_a, reset_impl),
		cmocka_unit_test_teardown(test_every_short_length,
					  reset_impl),
		cmocka_unit_test_teardown(test_random_messages, reset_impl),
		cmocka_unit_test_teardown(test_context_copy, reset_impl),
		cmocka_unit_test_teardown(test_final_reinitialises,
					  reset_impl),
		cmocka_unit_test_teardown(test_empty_updates, reset_impl),
		cmocka_unit_test_teardown(test_impl_selection, reset_impl),
		cmocka_unit_test(test_ni_blocks_direct),
		cmocka_unit_test(test_hex_roundtrip),
		cmocka_unit_test(test_from_hex_table),
		cmocka_unit_test(test_from_hex_bad_char_anywhere),
		cmocka_unit_test(test_from_hex_truncated),
	};

	if (argc == 4 && streq(argv[1], "sum"))
		return driver_sum(argv[2], argv[3]);
	if (argc > 1) {
		fprintf(stderr,
			"usage: sha256 sum auto|generic|sha-ni FILE\n");
		return 2;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
