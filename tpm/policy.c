/* SPDX-License-Identifier: MIT */
/*
 * Policy digests (TPM 2.0 part 3, 23.7 TPM2_PolicyPCR), for sha256.
 */
#include "tpm/policy.h"

#include <errno.h>
#include <string.h>

#include "crypto/sha256.h"
#include "lib/endian.h"

#define CC_POLICY_PCR 0x0000017fU	/* TPM_CC_PolicyPCR */
#define ALG_SHA256 0x000bU		/* TPM_ALG_SHA256 */
#define SELECT_BYTES 3			/* 24 PCRs */
#define MASK_ALL ((1U << TPM_POLICY_PCR_MAX) - 1)

_Static_assert(TPM_POLICY_DIGEST_LEN == SHA256_LEN, "sha256 policies");
_Static_assert(TPM_POLICY_SELECTION_LEN == 4 + 2 + 1 + SELECT_BYTES,
	       "count, hash, sizeofSelect, bitmap");

void tpm_policy_pcr_selection(uint32_t mask,
			      uint8_t out[TPM_POLICY_SELECTION_LEN])
{
	be32_store(out, 1);
	be16_store(out + 4, ALG_SHA256);
	out[6] = SELECT_BYTES;
	for (unsigned i = 0; i < SELECT_BYTES; i++)
		out[7 + i] = (uint8_t)(mask >> (8 * i));
}

int tpm_policy_pcr(uint8_t digest[TPM_POLICY_DIGEST_LEN], uint32_t mask,
		   const uint8_t (*values)[TPM_POLICY_DIGEST_LEN])
{
	uint8_t selection[TPM_POLICY_SELECTION_LEN], cc[4];
	uint8_t pcr_digest[SHA256_LEN];
	struct sha256 s;
	size_t n = 0;

	if (mask == 0 || (mask & ~MASK_ALL))
		return -EINVAL;
	sha256_init(&s);
	for (unsigned pcr = 0; pcr < TPM_POLICY_PCR_MAX; pcr++)
		if (mask & (1U << pcr))
			sha256_update(&s, values[n++], TPM_POLICY_DIGEST_LEN);
	sha256_final(&s, pcr_digest);

	tpm_policy_pcr_selection(mask, selection);
	be32_store(cc, CC_POLICY_PCR);
	sha256_init(&s);
	sha256_update(&s, digest, TPM_POLICY_DIGEST_LEN);
	sha256_update(&s, cc, sizeof(cc));
	sha256_update(&s, selection, sizeof(selection));
	sha256_update(&s, pcr_digest, sizeof(pcr_digest));
	sha256_final(&s, digest);
	return 0;
}

int tpm_policy_pcr_one(unsigned pcr, const uint8_t value[TPM_POLICY_DIGEST_LEN],
		       uint8_t digest[TPM_POLICY_DIGEST_LEN])
{
	uint8_t zero[TPM_POLICY_DIGEST_LEN] = { 0 };
	int r;

	if (pcr >= TPM_POLICY_PCR_MAX)
		return -EINVAL;
	r = tpm_policy_pcr(zero, 1U << pcr,
			   (const uint8_t (*)[TPM_POLICY_DIGEST_LEN])value);
	if (r == 0)
		memcpy(digest, zero, TPM_POLICY_DIGEST_LEN);
	return r;
}
