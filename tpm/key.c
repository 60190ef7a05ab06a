/* SPDX-License-Identifier: MIT */
/*
 * The machine identity key: see tpm/key.h.
 */
#include "tpm/key.h"

#include <errno.h>
#include <string.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tpm2_types.h>

#include "lib/util.h"

#define PUBLIC_MARSHALLED_MAX sizeof(TPMT_PUBLIC)

_Static_assert(TPM_KEY_ATTRIBUTES ==
	       (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
		TPMA_OBJECT_NODA | TPMA_OBJECT_SIGN_ENCRYPT),
	       "the identity key's attributes");

static void key_template(TPMT_PUBLIC *p,
			 const uint8_t policy[TPM_POLICY_DIGEST_LEN])
{
	memset(p, 0, sizeof(*p));
	p->type = TPM2_ALG_ECC;
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPM_KEY_ATTRIBUTES;
	p->authPolicy.size = TPM_POLICY_DIGEST_LEN;
	memcpy(p->authPolicy.buffer, policy, TPM_POLICY_DIGEST_LEN);
	p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	p->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
}

/* An ECC P-256 ECDSA-sha256 key, as the template asks; into *pub. */
static int take_public(const TPMT_PUBLIC *p, struct tpm_key_public *pub)
{
	const TPMS_ECC_PARMS *e = &p->parameters.eccDetail;
	const TPMS_ECC_POINT *q = &p->unique.ecc;

	if (p->type != TPM2_ALG_ECC || p->nameAlg != TPM2_ALG_SHA256 ||
	    e->curveID != TPM2_ECC_NIST_P256 ||
	    e->scheme.scheme != TPM2_ALG_ECDSA ||
	    e->scheme.details.ecdsa.hashAlg != TPM2_ALG_SHA256 ||
	    !(p->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT) ||
	    p->authPolicy.size > TPM_NV_POLICY_MAX ||
	    q->x.size != TPM_KEY_COORD_LEN || q->y.size != TPM_KEY_COORD_LEN)
		return -OCIBOOT_EPROTO;
	memset(pub, 0, sizeof(*pub));
	pub->attributes = p->objectAttributes;
	pub->policy_len = p->authPolicy.size;
	memcpy(pub->policy, p->authPolicy.buffer, p->authPolicy.size);
	pub->point[0] = 0x04;
	memcpy(pub->point + 1, q->x.buffer, TPM_KEY_COORD_LEN);
	memcpy(pub->point + 1 + TPM_KEY_COORD_LEN, q->y.buffer,
	       TPM_KEY_COORD_LEN);
	return 0;
}

/* The name the TPM gives an object: sha256's id, sha256(public area). */
static int check_name(const TPMT_PUBLIC *p, const TPM2B_NAME *name)
{
	uint8_t buf[PUBLIC_MARSHALLED_MAX];
	size_t len = 0;

	if (Tss2_MU_TPMT_PUBLIC_Marshal(p, buf, sizeof(buf), &len) !=
	    TSS2_RC_SUCCESS)
		return -OCIBOOT_EPROTO;
	return tpm_check_name(buf, len, name->name, name->size);
}

int tpm_key_create_primary(struct tpm *t, const struct tpm_auth *owner,
			   const uint8_t policy[TPM_POLICY_DIGEST_LEN],
			   uint32_t *handle, struct tpm_key_public *pub)
{
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_PUBLIC in = { 0 }, out = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION creation_pcr = { 0 };
	TPM2B_CREATION_DATA creation = { 0 };
	TPM2B_DIGEST creation_hash = { 0 };
	TPMT_TK_CREATION ticket = { 0 };
	TPM2B_NAME name = { 0 };
	TPM2_HANDLE h = 0;
	TSS2_RC rc;
	int r;

	t->last_rc = 0;
	if (!t->sys)
		return -EBADF;
	key_template(&in.publicArea, policy);
	rc = Tss2_Sys_CreatePrimary_Prepare(t->sys, TPM2_RH_OWNER, &sensitive,
					    &in, &outside, &creation_pcr);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	r = tpm_run(t, owner);
	if (r < 0)
		return r;
	rc = Tss2_Sys_CreatePrimary_Complete(t->sys, &h, &out, &creation,
					     &creation_hash, &ticket, &name);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	r = take_public(&out.publicArea, pub);
	if (r == 0 && (pub->attributes != TPM_KEY_ATTRIBUTES ||
		       pub->policy_len != TPM_POLICY_DIGEST_LEN ||
		       memcmp(pub->policy, policy, TPM_POLICY_DIGEST_LEN)))
		r = -OCIBOOT_EPROTO;
	if (r == 0)
		r = check_name(&out.publicArea, &name);
	if (r < 0) {
		tpm_flush(t, h);
		return r;
	}
	*handle = h;
	return 0;
}

int tpm_key_evict_control(struct tpm *t, const struct tpm_auth *owner,
			  uint32_t transient, uint32_t persistent)
{
	TSS2_RC rc;

	t->last_rc = 0;
	if (!t->sys)
		return -EBADF;
	rc = Tss2_Sys_EvictControl_Prepare(t->sys, TPM2_RH_OWNER, transient,
					   persistent);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	return tpm_run(t, owner);
}

int tpm_key_read_public(struct tpm *t, uint32_t handle,
			struct tpm_key_public *pub)
{
	TPM2B_PUBLIC out = { 0 };
	TPM2B_NAME name = { 0 }, qualified = { 0 };
	TSS2_RC rc;
	int r;

	t->last_rc = 0;
	if (!t->sys)
		return -EBADF;
	rc = Tss2_Sys_ReadPublic_Prepare(t->sys, handle);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	r = tpm_execute(t);
	if (r < 0)
		return tpm_rc_base(t->last_rc) == TPM_RC_HANDLE ? -ENOENT : r;
	rc = Tss2_Sys_ReadPublic_Complete(t->sys, &out, &name, &qualified);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	r = tpm_check_params_len(t, 2 + (size_t)out.size + 2 + name.size + 2 +
				 qualified.size);
	if (r == 0)
		r = check_name(&out.publicArea, &name);
	if (r == 0)
		r = take_public(&out.publicArea, pub);
	return r;
}

int tpm_key_sign(struct tpm *t, uint32_t handle,
		 const uint8_t digest[TPM_SHA256_LEN],
		 uint8_t sig[2 * TPM_KEY_COORD_LEN])
{
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_ECDSA };
	TPMT_TK_HASHCHECK ticket = {
		.tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL,
	};
	TPM2B_DIGEST in = { .size = TPM_SHA256_LEN };
	TPMT_SIGNATURE out = { 0 };
	const TPMS_SIGNATURE_ECC *ecc = &out.signature.ecdsa;
	struct tpm_auth a;
	uint32_t session;
	TSS2_RC rc;
	int r;

	t->last_rc = 0;
	if (!t->sys)
		return -EBADF;
	r = tpm_policy_session_pcr(t, 7, &session);
	if (r < 0)
		return r;
	tpm_auth_policy(&a, session);
	scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	memcpy(in.buffer, digest, TPM_SHA256_LEN);
	rc = Tss2_Sys_Sign_Prepare(t->sys, handle, &in, &scheme, &ticket);
	if (rc != TSS2_RC_SUCCESS) {
		r = tpm_tss_error(t, rc);
		tpm_flush(t, session);
		return r;
	}
	r = tpm_run(t, &a);	/* flushes the session when it fails */
	if (r < 0)
		return r;
	rc = Tss2_Sys_Sign_Complete(t->sys, &out);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	if (tpm_check_params_len(t, 2 + 2 + 2 + (size_t)ecc->signatureR.size +
				 2 + ecc->signatureS.size) < 0)
		return -OCIBOOT_EMALFORMED;
	if (out.sigAlg != TPM2_ALG_ECDSA || ecc->hash != TPM2_ALG_SHA256 ||
	    ecc->signatureR.size > TPM_KEY_COORD_LEN ||
	    ecc->signatureS.size > TPM_KEY_COORD_LEN)
		return -OCIBOOT_EPROTO;
	/* Right-aligned: a TPM may drop leading zero bytes. */
	memset(sig, 0, 2 * TPM_KEY_COORD_LEN);
	memcpy(sig + TPM_KEY_COORD_LEN - ecc->signatureR.size,
	       ecc->signatureR.buffer, ecc->signatureR.size);
	memcpy(sig + 2 * TPM_KEY_COORD_LEN - ecc->signatureS.size,
	       ecc->signatureS.buffer, ecc->signatureS.size);
	return 0;
}
