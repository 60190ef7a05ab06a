/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 compression with the x86-64 SHA extensions.
 *
 * SHA256RNDS2 runs two rounds on a state split over two registers, named
 * (as in Intel's manual) from the high lane down: ABEF holds A in lane 3,
 * B in 2, E in 1 and F in 0; CDGH likewise holds C, D, G and H. The round
 * input is W[t] + K[t] in lane 0 and W[t+1] + K[t+1] in lane 1. After two
 * rounds the old ABEF is the new CDGH, so each pair of calls swaps which
 * register plays which part. SHA256MSG1 and SHA256MSG2 compute four message
 * schedule words at a time from the sixteen before them.
 *
 * Only these functions carry target("sha,sse4.1"), so the rest of the
 * program needs no -m flags and runs on CPUs without the extensions as
 * long as crypto/sha256.c asks sha256_ni_supported() first.
 */
#include "crypto/sha256_ni.h"

#include <cpuid.h>
#include <immintrin.h>

#define CPUID_LEAF_FEATURES		1
#define CPUID_LEAF_EXTENDED_FEATURES	7
#define CPUID_1_ECX_SSE4_1		(1u << 19)
#define CPUID_7_EBX_SHA			(1u << 29)

#define SHA_NI_FN static inline \
	__attribute__((always_inline, target("sha,sse4.1")))

static const uint32_t round_constants[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

bool sha256_ni_supported(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(CPUID_LEAF_FEATURES, &eax, &ebx, &ecx, &edx) ||
	    !(ecx & CPUID_1_ECX_SSE4_1))
		return false;
	/* __get_cpuid_count fails when the CPU has no leaf 7. */
	if (!__get_cpuid_count(CPUID_LEAF_EXTENDED_FEATURES, 0,
			       &eax, &ebx, &ecx, &edx))
		return false;
	return ebx & CPUID_7_EBX_SHA;
}

/* H0..H7 from memory into ABEF and CDGH. */
SHA_NI_FN void state_load(const uint32_t state[8], __m128i *abef,
			  __m128i *cdgh)
{
	__m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);

	*abef = _mm_alignr_epi8(cdab, efgh, 8);
	*cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);
}

/* The inverse of state_load(). */
SHA_NI_FN void state_store(uint32_t state[8], __m128i abef, __m128i cdgh)
{
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);

	_mm_storeu_si128((__m128i *)&state[0],
			 _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* Message words 4i..4i+3 of a block, big-endian on the wire. */
SHA_NI_FN __m128i message_load(const uint8_t *block, int i)
{
	const __m128i bswap32 = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
					       0x0405060700010203ULL);

	return _mm_shuffle_epi8(
		_mm_loadu_si128((const __m128i *)(block + 16 * i)), bswap32);
}

/*
 * Schedule words W[t..t+3] from w0 = W[t-16..t-13], w1 = W[t-12..t-9],
 * w2 = W[t-8..t-5] and w3 = W[t-4..t-1]:
 * W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16].
 */
SHA_NI_FN __m128i message_next(__m128i w0, __m128i w1, __m128i w2,
			       __m128i w3)
{
	__m128i sum = _mm_sha256msg1_epu32(w0, w1);

	sum = _mm_add_epi32(sum, _mm_alignr_epi8(w3, w2, 4));
	return _mm_sha256msg2_epu32(sum, w3);
}

/* Rounds 4i..4i+3 with schedule words w. */
SHA_NI_FN void rounds4(__m128i *abef, __m128i *cdgh, __m128i w, int i)
{
	__m128i wk = _mm_add_epi32(w,
		_mm_load_si128((const __m128i *)&round_constants[4 * i]));

	/* *cdgh becomes ABEF after two rounds, and *abef the new CDGH... */
	*cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
	/* ...and back after the next two, which use lanes 2 and 3. */
	*abef = _mm_sha256rnds2_epu32(*abef, *cdgh,
				      _mm_shuffle_epi32(wk, 0x0e));
}

/* One 64-byte block: 64 rounds, then the feed-forward. */
SHA_NI_FN void compress_block(__m128i *abef, __m128i *cdgh,
			      const uint8_t *block)
{
	__m128i abef_in = *abef, cdgh_in = *cdgh;
	__m128i w0 = message_load(block, 0), w1 = message_load(block, 1);
	__m128i w2 = message_load(block, 2), w3 = message_load(block, 3);

	rounds4(abef, cdgh, w0, 0);
	rounds4(abef, cdgh, w1, 1);
	rounds4(abef, cdgh, w2, 2);
	rounds4(abef, cdgh, w3, 3);
	for (int i = 4; i < 16; i++) {
		__m128i w4 = message_next(w0, w1, w2, w3);

		rounds4(abef, cdgh, w4, i);
		w0 = w1;
		w1 = w2;
		w2 = w3;
		w3 = w4;
	}
	*abef = _mm_add_epi32(*abef, abef_in);
	*cdgh = _mm_add_epi32(*cdgh, cdgh_in);
}

__attribute__((target("sha,sse4.1")))
void sha256_ni_blocks(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
	__m128i abef, cdgh;

	state_load(state, &abef, &cdgh);
	for (; nblocks > 0; nblocks--, data += 64)
		compress_block(&abef, &cdgh, data);
	state_store(state, abef, cdgh);
}
