/* SPDX-License-Identifier: MIT */
/*
 * The machine identity key in the TPM (docs/tpm.md "Machine identity"):
 * an ECDSA P-256 signing key created by the TPM as a primary key of the
 * owner hierarchy, kept at a persistent handle, its private part never
 * leaving the TPM. Its authPolicy is the sealed indices' PolicyPCR(7);
 * userWithAuth and adminWithPolicy make that policy the only way to use
 * it. Codes as tpm/nv.h says; nothing here allocates or logs.
 */
#ifndef OCIBOOT_TPM_KEY_H
#define OCIBOOT_TPM_KEY_H

#include <stdint.h>

#include "tpm/nv.h"
#include "tpm/policy.h"

#define TPM_KEY_POINT_LEN 65	/* 0x04 || X || Y, P-256 */
#define TPM_KEY_COORD_LEN 32
/* TPMA_OBJECT: fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy,
 * noDA, sign. */
#define TPM_KEY_ATTRIBUTES 0x000404b2U

struct tpm_key_public {
	uint32_t attributes;	/* TPMA_OBJECT */
	uint16_t policy_len;
	uint8_t policy[TPM_NV_POLICY_MAX];
	uint8_t point[TPM_KEY_POINT_LEN];	/* uncompressed */
};

/*
 * TPM2_CreatePrimary of the identity key under the owner hierarchy (owner:
 * its authorisation) with authPolicy policy. *handle gets the transient
 * handle (flush or persist it), *pub what the TPM made, checked to be the
 * template asked for (an ECC P-256 ECDSA-sha256 key with those attributes
 * and that policy, a point of two 32-byte coordinates).
 */
int tpm_key_create_primary(struct tpm *t, const struct tpm_auth *owner,
			   const uint8_t policy[TPM_POLICY_DIGEST_LEN],
			   uint32_t *handle, struct tpm_key_public *pub);

/*
 * TPM2_EvictControl: make transient object `transient` persistent at
 * `persistent` (0x81xxxxxx), or, with transient == persistent, remove the
 * persistent one.
 */
int tpm_key_evict_control(struct tpm *t, const struct tpm_auth *owner,
			  uint32_t transient, uint32_t persistent);

/*
 * TPM2_ReadPublic of a key: an ECC P-256 ECDSA-sha256 signing key whose
 * name is sha256 of the public area returned. -ENOENT when the handle
 * holds nothing.
 */
int tpm_key_read_public(struct tpm *t, uint32_t handle,
			struct tpm_key_public *pub);

/*
 * TPM2_Sign of a sha256 digest with the key at handle, authorised by a
 * PolicyPCR(sha256:7) session (the key's policy): the ECDSA signature as
 * r || s, 32 bytes each, into sig. -OCIBOOT_EPROTO with TPM_RC_POLICY_FAIL
 * when PCR 7 is not the value the key was bound to.
 */
int tpm_key_sign(struct tpm *t, uint32_t handle,
		 const uint8_t digest[TPM_SHA256_LEN],
		 uint8_t sig[2 * TPM_KEY_COORD_LEN]);

#endif
