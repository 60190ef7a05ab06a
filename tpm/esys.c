/* SPDX-License-Identifier: MIT */
/*
 * Salted, encrypted sessions over tpm2-tss's ESAPI (tpm/esys.h). What
 * ESAPI does with a salted session is tpm2-tss 4.1.3's
 * src/tss2-esys/api/Esys_StartAuthSession.c (the salt, encrypted by
 * iesys_compute_encrypted_salt() in esys_iutil.c) and esys_iutil.c's
 * iesys_encrypt_param() / iesys_decrypt_param() (AES-CFB of the first
 * command or response parameter, TPM 2.0 part 1, "Session-based
 * encryption").
 */
#include "tpm/esys.h"

#include <errno.h>
#include <string.h>

#include <tss2/tss2_esys.h>

#include "lib/util.h"
#include "tpm/crypto_bearssl.h"

_Static_assert(TPM_AUTH_MAX <= sizeof(((TPM2B_AUTH *)0)->buffer),
	       "a TPM2B_AUTH holds TPM_AUTH_MAX");

/* The session's parameter encryption: AES-128 in CFB mode. */
static const TPMT_SYM_DEF session_sym = {
	.algorithm = TPM2_ALG_AES,
	.keyBits = { .aes = 128 },
	.mode = { .aes = TPM2_ALG_CFB },
};

/*
 * The salt key: an ECC P-256 storage key (restricted, decrypt), the
 * template TCG's EK and SRK templates use for P-256 but in the null
 * hierarchy and with userWithAuth and an empty authValue.
 */
static const TPM2B_PUBLIC salt_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM |
			TPMA_OBJECT_FIXEDPARENT |
			TPMA_OBJECT_SENSITIVEDATAORIGIN |
			TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA |
			TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
		.parameters = { .eccDetail = {
			.symmetric = {
				.algorithm = TPM2_ALG_AES,
				.keyBits = { .aes = 128 },
				.mode = { .aes = TPM2_ALG_CFB },
			},
			.scheme = { .scheme = TPM2_ALG_NULL },
			.curveID = TPM2_ECC_NIST_P256,
			.kdf = { .scheme = TPM2_ALG_NULL },
		} },
	},
};

static ESYS_CONTEXT *ctx_of(const struct tpm *t)
{
	return (ESYS_CONTEXT *)t->esys;
}

bool tpm_protected(const struct tpm *t)
{
	return t->esys != NULL;
}

static int check(struct tpm *t, TSS2_RC rc)
{
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_tss_error(t, rc);
}

static int begin(struct tpm *t)
{
	t->last_rc = 0;
	return t->esys ? 0 : -EBADF;
}

static int create_salt_key(struct tpm *t, ESYS_CONTEXT *ctx, ESYS_TR *key)
{
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };

	return check(t, Esys_CreatePrimary(ctx, ESYS_TR_RH_NULL,
			ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			&sensitive, &salt_template, &outside, &pcrs, key,
			NULL, NULL, NULL, NULL));
}

int tpm_protect(struct tpm *t)
{
	TSS2_ABI_VERSION abi = TSS2_ABI_VERSION_CURRENT;
	ESYS_CRYPTO_CALLBACKS cb;
	ESYS_CONTEXT *ctx = NULL;
	ESYS_TR key = ESYS_TR_NONE;
	int r;

	t->last_rc = 0;
	if (!t->sys || !t->tcti)
		return -EBADF;
	if (t->esys)
		return 0;
	r = check(t, Esys_Initialize(&ctx, (TSS2_TCTI_CONTEXT *)t->tcti,
				     &abi));
	if (r < 0)
		return r;
	tpm_crypto_bearssl(&cb);
	r = check(t, Esys_SetCryptoCallbacks(ctx, &cb));
	if (r == 0)
		r = check(t, Esys_SetTimeout(ctx, TPM_COMMAND_TIMEOUT_MS));
	if (r == 0)
		r = create_salt_key(t, ctx, &key);
	if (r < 0) {
		Esys_Finalize(&ctx);
		return r;
	}
	t->esys = ctx;
	t->salt_key = key;
	t->hmac_session = ESYS_TR_NONE;
	t->policy_session = ESYS_TR_NONE;
	return 0;
}

/* Flush the salt key, if loaded. */
static void drop_salt_key(struct tpm *t)
{
	ESYS_CONTEXT *ctx = ctx_of(t);
	ESYS_TR tr = t->salt_key;

	if (tr == ESYS_TR_NONE)
		return;
	if (Esys_FlushContext(ctx, tr) != TSS2_RC_SUCCESS)
		Esys_TR_Close(ctx, &tr);
	t->salt_key = ESYS_TR_NONE;
}

/*
 * A session salted to the salt key, with attributes attrs. The salt key
 * (created again if an earlier session flushed it) is flushed after: a
 * session needs it only to start, and a resource manager (/dev/tpmrm0)
 * swaps each loaded object in and out of the TPM around every command.
 */
static int start_session(struct tpm *t, TPM2_SE type, TPMA_SESSION attrs,
			 ESYS_TR *session)
{
	ESYS_CONTEXT *ctx = ctx_of(t);
	int r = 0;

	*session = ESYS_TR_NONE;
	if (t->salt_key == ESYS_TR_NONE)
		r = create_salt_key(t, ctx, &t->salt_key);
	if (r == 0)
		r = check(t, Esys_StartAuthSession(ctx, t->salt_key,
				ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				ESYS_TR_NONE, NULL, type, &session_sym,
				TPM2_ALG_SHA256, session));
	drop_salt_key(t);
	if (r < 0)
		return r;
	r = check(t, Esys_TRSess_SetAttributes(ctx, *session, attrs, 0xff));
	if (r < 0) {
		Esys_FlushContext(ctx, *session);
		*session = ESYS_TR_NONE;
	}
	return r;
}

static uint32_t *cached(struct tpm *t, TPM2_SE type)
{
	return type == TPM2_SE_POLICY ? &t->policy_session : &t->hmac_session;
}

/*
 * The salted session of type for the next command, started on first use
 * and kept (continueSession): each costs the TPM and us an ECDH. The HMAC
 * session asks for both directions; ESAPI clears, for each command, the
 * one it has no parameter for (iesys_update_session_flags()).
 */
static int session(struct tpm *t, TPM2_SE type, ESYS_TR *out)
{
	TPMA_SESSION attrs = TPMA_SESSION_CONTINUESESSION |
			     TPMA_SESSION_ENCRYPT;
	uint32_t *s = cached(t, type);
	int r;

	if (type == TPM2_SE_HMAC)
		attrs |= TPMA_SESSION_DECRYPT;
	if (*s == ESYS_TR_NONE) {
		r = start_session(t, type, attrs, out);
		if (r < 0)
			return r;
		*s = *out;
	}
	*out = *s;
	return 0;
}

/* Flush the session of type, if any (also ESAPI's record of it). */
static void drop_session(struct tpm *t, TPM2_SE type)
{
	ESYS_CONTEXT *ctx = ctx_of(t);
	uint32_t *s = cached(t, type);
	ESYS_TR tr = *s;

	if (tr == ESYS_TR_NONE)
		return;
	if (Esys_FlushContext(ctx, tr) != TSS2_RC_SUCCESS)
		Esys_TR_Close(ctx, &tr);
	*s = ESYS_TR_NONE;
}

/*
 * After a command in the session of type returned rc: a failure drops
 * the session (a policy session's digest is then unknown), the next
 * command starts another. Returns rc's code.
 */
static int done(struct tpm *t, TPM2_SE type, TSS2_RC rc)
{
	int r = check(t, rc);
	uint32_t last = t->last_rc;

	if (r < 0)
		drop_session(t, type);
	t->last_rc = last;
	return r;
}

void tpm_unprotect(struct tpm *t)
{
	ESYS_CONTEXT *ctx = ctx_of(t);

	if (!ctx)
		return;
	tpm_protect_flush(t);
	Esys_Finalize(&ctx);
	t->esys = NULL;
}

void tpm_protect_flush(struct tpm *t)
{
	if (!t->esys)
		return;
	drop_session(t, TPM2_SE_HMAC);
	drop_session(t, TPM2_SE_POLICY);
	drop_salt_key(t);
}

/*
 * The ESYS_TR of authorization handle handle (the owner, the lockout
 * hierarchy, or the index nv is the record of) with a's password as its
 * authValue: ESAPI keys the session's HMAC with it and never sends it.
 */
static int auth_object(struct tpm *t, uint32_t handle, uint32_t index,
		       ESYS_TR nv, const struct tpm_auth *a, ESYS_TR *tr)
{
	TPM2B_AUTH auth = { 0 };
	int r;

	if (!a || a->session != TPM_RS_PW || a->len > TPM_AUTH_MAX)
		return -EINVAL;
	if (handle == TPM2_RH_OWNER)
		*tr = ESYS_TR_RH_OWNER;
	else if (handle == TPM2_RH_LOCKOUT)
		*tr = ESYS_TR_RH_LOCKOUT;
	else if (handle == index && nv != ESYS_TR_NONE)
		*tr = nv;
	else
		return -EINVAL;	/* no other use in ociboot */
	auth.size = a->len;
	memcpy(auth.buffer, a->value, a->len);
	r = check(t, Esys_TR_SetAuth(ctx_of(t), *tr, &auth));
	explicit_bzero(&auth, sizeof(auth));
	return r;
}

/* Forget the authValue given to tr: ESAPI keeps a copy. */
static void release_object(struct tpm *t, ESYS_TR tr)
{
	static const TPM2B_AUTH empty = { 0 };

	if (tr != ESYS_TR_NONE)
		Esys_TR_SetAuth(ctx_of(t), tr, &empty);
}

/* An index's record, read from the TPM (its Name goes into the HMAC). */
static int index_object(struct tpm *t, uint32_t index, ESYS_TR *tr)
{
	return check(t, Esys_TR_FromTPMPublic(ctx_of(t), index, ESYS_TR_NONE,
					      ESYS_TR_NONE, ESYS_TR_NONE,
					      tr));
}

int tpm_esys_nv_write(struct tpm *t, uint32_t auth_handle, uint32_t index,
		      const struct tpm_auth *a, const void *data, size_t len,
		      uint16_t offset)
{
	ESYS_CONTEXT *ctx = ctx_of(t);
	TPM2B_MAX_NV_BUFFER buf = { 0 };
	ESYS_TR auth = ESYS_TR_NONE, nv = ESYS_TR_NONE, s;
	int r = begin(t);

	if (r < 0)
		return r;
	if (len > TPM_NV_DATA_MAX)
		return -EINVAL;
	r = index_object(t, index, &nv);
	if (r == 0)
		r = auth_object(t, auth_handle, index, nv, a, &auth);
	if (r == 0)
		r = session(t, TPM2_SE_HMAC, &s);
	if (r == 0) {
		buf.size = (UINT16)len;
		memcpy(buf.buffer, data, len);
		r = done(t, TPM2_SE_HMAC, Esys_NV_Write(ctx, auth, nv, s,
				ESYS_TR_NONE, ESYS_TR_NONE, &buf, offset));
		explicit_bzero(&buf, sizeof(buf));
	}
	release_object(t, auth);
	if (nv != ESYS_TR_NONE)
		Esys_TR_Close(ctx, &nv);
	return r;
}

int tpm_esys_nv_write_lock(struct tpm *t, uint32_t auth_handle,
			   uint32_t index, const struct tpm_auth *a)
{
	ESYS_CONTEXT *ctx = ctx_of(t);
	ESYS_TR auth = ESYS_TR_NONE, nv = ESYS_TR_NONE, s;
	int r = begin(t);

	if (r < 0)
		return r;
	r = index_object(t, index, &nv);
	if (r == 0)
		r = auth_object(t, auth_handle, index, nv, a, &auth);
	/* No parameter to encrypt: the HMAC keeps the password off the bus. */
	if (r == 0)
		r = session(t, TPM2_SE_HMAC, &s);
	if (r == 0)
		r = done(t, TPM2_SE_HMAC, Esys_NV_WriteLock(ctx, auth, nv, s,
				ESYS_TR_NONE, ESYS_TR_NONE));
	release_object(t, auth);
	if (nv != ESYS_TR_NONE)
		Esys_TR_Close(ctx, &nv);
	return r;
}

int tpm_esys_hierarchy_change_auth(struct tpm *t, uint32_t hierarchy,
				   const struct tpm_auth *a,
				   const void *new_auth, size_t len)
{
	ESYS_CONTEXT *ctx = ctx_of(t);
	ESYS_TR auth = ESYS_TR_NONE, s;
	TPM2B_AUTH value = { 0 };
	int r = begin(t);

	if (r < 0)
		return r;
	if (len > TPM_AUTH_MAX ||
	    (hierarchy != TPM2_RH_OWNER && hierarchy != TPM2_RH_LOCKOUT))
		return -EINVAL;
	r = auth_object(t, hierarchy, 0, ESYS_TR_NONE, a, &auth);
	if (r == 0)
		r = session(t, TPM2_SE_HMAC, &s);
	if (r == 0) {
		value.size = (UINT16)len;
		memcpy(value.buffer, new_auth, len);
		r = done(t, TPM2_SE_HMAC, Esys_HierarchyChangeAuth(ctx, auth, s,
				ESYS_TR_NONE, ESYS_TR_NONE, &value));
		explicit_bzero(&value, sizeof(value));
	}
	release_object(t, auth);
	return r;
}

/* Copy an ESAPI-allocated TPM2B's size bytes of exactly len, wipe, free. */
static int take(struct tpm *t, int r, uint8_t *data, UINT16 size, void *out,
		size_t len)
{
	if (r == 0 && size != len)
		r = -OCIBOOT_EPROTO;
	if (r == 0)
		memcpy(out, data, len);
	if (data)
		explicit_bzero(data, size);
	return r;
}

int tpm_esys_get_random(struct tpm *t, void *out, size_t len)
{
	ESYS_CONTEXT *ctx = ctx_of(t);
	TPM2B_DIGEST *got = NULL;
	ESYS_TR s;
	int r = begin(t);

	if (r < 0)
		return r;
	if (len > TPM_RANDOM_MAX)
		return -EINVAL;
	r = session(t, TPM2_SE_HMAC, &s);
	if (r < 0)
		return r;
	r = done(t, TPM2_SE_HMAC, Esys_GetRandom(ctx, s, ESYS_TR_NONE,
			ESYS_TR_NONE, (UINT16)len, &got));
	r = take(t, r, got ? got->buffer : NULL, got ? got->size : 0, out,
		 len);
	Esys_Free(got);
	return r;
}

/* The salted policy session, after PolicyPCR for PCR pcr. */
static int policy_pcr_session(struct tpm *t, unsigned pcr, ESYS_TR *s)
{
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPM2B_DIGEST empty = { 0 };
	int r;

	r = session(t, TPM2_SE_POLICY, s);
	if (r < 0)
		return r;
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t)(1U << (pcr % 8));
	/* An empty pcrDigest: the TPM takes the PCR's value now. */
	return done(t, TPM2_SE_POLICY, Esys_PolicyPCR(ctx_of(t), *s,
			ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &empty,
			&sel));
}

int tpm_esys_nv_read_policy_pcr(struct tpm *t, uint32_t index, unsigned pcr,
				void *out, size_t len, uint16_t offset)
{
	ESYS_CONTEXT *ctx = ctx_of(t);
	TPM2B_MAX_NV_BUFFER *got = NULL;
	ESYS_TR nv = ESYS_TR_NONE, s;
	int r = begin(t);

	if (r < 0)
		return r;
	if (len > TPM_NV_DATA_MAX || pcr >= TPM_PCR_COUNT)
		return -EINVAL;
	r = index_object(t, index, &nv);
	if (r == 0)
		r = policy_pcr_session(t, pcr, &s);
	if (r == 0) {
		/* Used, a policy session starts over: PolicyPCR again. */
		r = done(t, TPM2_SE_POLICY, Esys_NV_Read(ctx, nv, nv, s,
				ESYS_TR_NONE, ESYS_TR_NONE, (UINT16)len,
				offset, &got));
		r = take(t, r, got ? got->buffer : NULL, got ? got->size : 0,
			 out, len);
		Esys_Free(got);
	}
	if (nv != ESYS_TR_NONE)
		Esys_TR_Close(ctx, &nv);
	return r;
}
