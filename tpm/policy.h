/* SPDX-License-Identifier: MIT */
/*
 * TPM 2.0 policy digests computed on the host or in the init, without a
 * TPM: what TPM2_PolicyPCR makes of a policy session's digest (TPM 2.0
 * part 3, 23.7), for the sha256 bank, so that an NV index can be defined
 * with the authPolicy a later policy session will reach.
 *
 * Nothing here allocates, logs or talks to a TPM.
 */
#ifndef OCIBOOT_TPM_POLICY_H
#define OCIBOOT_TPM_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define TPM_POLICY_DIGEST_LEN 32	/* sha256 */
#define TPM_POLICY_PCR_MAX 24		/* PCRs 0..23 */
/* A marshalled TPML_PCR_SELECTION of one sha256 bank over 24 PCRs. */
#define TPM_POLICY_SELECTION_LEN (4 + 2 + 1 + 3)

/*
 * The marshalled TPML_PCR_SELECTION selecting the PCRs of mask (bit n =
 * PCR n, below TPM_POLICY_PCR_MAX) in the sha256 bank, as TPM2_PolicyPCR
 * and TPM2_PCR_Read carry it: count 1, TPM_ALG_SHA256, sizeofSelect 3,
 * the bitmap. Writes TPM_POLICY_SELECTION_LEN bytes to out.
 */
void tpm_policy_pcr_selection(uint32_t mask,
			      uint8_t out[TPM_POLICY_SELECTION_LEN]);

/*
 * Extend *digest (a policy session's digest, all zeros at its start) as
 * TPM2_PolicyPCR does for the PCRs of mask (non-zero, below
 * TPM_POLICY_PCR_MAX) in the sha256 bank having the values values[0..n)
 * (n = the number of bits set in mask, in PCR order, 32 bytes each):
 *   pcrDigest = sha256(values in PCR order)
 *   digest'   = sha256(digest || TPM_CC_PolicyPCR || selection || pcrDigest)
 * Returns 0, or -EINVAL for an empty mask or one with a PCR >= 24 (digest
 * untouched).
 */
int tpm_policy_pcr(uint8_t digest[TPM_POLICY_DIGEST_LEN], uint32_t mask,
		   const uint8_t (*values)[TPM_POLICY_DIGEST_LEN]);

/*
 * The policy digest of a fresh session after PolicyPCR for one PCR of
 * value value: what an NV index readable only with that PCR at that value
 * gets as its authPolicy. Returns 0 or -EINVAL (pcr >= 24).
 */
int tpm_policy_pcr_one(unsigned pcr, const uint8_t value[TPM_POLICY_DIGEST_LEN],
		       uint8_t digest[TPM_POLICY_DIGEST_LEN]);

#endif
