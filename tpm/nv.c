/* SPDX-License-Identifier: MIT */
/*
 * NV indices, policy sessions, GetRandom and PCR_Extend over tss2-sys:
 * each command is prepared, given its one authorisation, sent with
 * tpm_execute()'s deadline and its answer taken apart by tss2-sys, then
 * checked here against what was asked. With session protection on
 * (tpm/esys.h), the commands that carry a secret or a password go
 * through ESAPI instead.
 */
#include "tpm/nv.h"

#include <errno.h>
#include <string.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tpm2_types.h>

#include "crypto/sha256.h"
#include "lib/util.h"
#include "tpm/esys.h"

#define RC_FMT1 0x080U
#define RC_FMT1_ERROR_MASK 0x0bfU	/* FMT1 bit, error number, P bit off */
#define RC_FMT0_MASK 0x97fU		/* VER1, WARN, error number */
#define RC_TPM_LAYER_MASK 0xff0000U
/* Bytes of a marshalled TPMS_NV_PUBLIC at most. */
#define NV_PUBLIC_MARSHALLED_MAX (4 + 2 + 4 + 2 + TPM_NV_POLICY_MAX + 2)
#define NAME_LEN (2 + TPM_SHA256_LEN)	/* nameAlg, digest */

_Static_assert(TPM_AUTH_MAX == sizeof(TPMU_HA), "TPM2B_AUTH's size");
_Static_assert(TPM_NV_POLICY_MAX == sizeof(TPMU_HA), "TPM2B_DIGEST's size");
_Static_assert(TPM_NV_DATA_MAX <= TPM2_MAX_NV_BUFFER_SIZE,
	       "an NV buffer holds TPM_NV_DATA_MAX");
_Static_assert(TPM_RANDOM_MAX <= sizeof(TPMU_HA), "a random digest");
_Static_assert(TPM_RH_OWNER == TPM2_RH_OWNER &&
	       TPM_RH_LOCKOUT == TPM2_RH_LOCKOUT && TPM_RS_PW == TPM2_RH_PW,
	       "handles are tss2's");
_Static_assert(TPM_RC_NV_LOCKED == TPM2_RC_NV_LOCKED &&
	       TPM_RC_NV_DEFINED == TPM2_RC_NV_DEFINED &&
	       TPM_RC_NV_UNINITIALIZED == TPM2_RC_NV_UNINITIALIZED &&
	       TPM_RC_HANDLE == TPM2_RC_HANDLE &&
	       TPM_RC_POLICY_FAIL == TPM2_RC_POLICY_FAIL &&
	       TPM_RC_BAD_AUTH == TPM2_RC_BAD_AUTH &&
	       TPM_RC_AUTH_FAIL == TPM2_RC_AUTH_FAIL, "codes are tss2's");

void tpm_auth_password(struct tpm_auth *a, const void *password, size_t len)
{
	memset(a, 0, sizeof(*a));
	a->session = TPM_RS_PW;
	if (len > TPM_AUTH_MAX)
		len = TPM_AUTH_MAX;
	if (len)
		memcpy(a->value, password, len);
	a->len = (uint16_t)len;
}

void tpm_auth_policy(struct tpm_auth *a, uint32_t session)
{
	memset(a, 0, sizeof(*a));
	a->session = session;
}

uint32_t tpm_rc_base(uint32_t rc)
{
	if (rc == 0 || (rc & RC_TPM_LAYER_MASK))
		return 0;
	if (rc & RC_FMT1)
		return rc & RC_FMT1_ERROR_MASK;
	return rc & RC_FMT0_MASK;
}

/* One authorisation for the command prepared in t->sys. */
static int set_auth(struct tpm *t, const struct tpm_auth *a)
{
	TSS2L_SYS_AUTH_COMMAND cmd = { .count = 1 };
	TSS2_RC rc;

	cmd.auths[0].sessionHandle = a->session;
	cmd.auths[0].hmac.size = a->len;
	memcpy(cmd.auths[0].hmac.buffer, a->value, a->len);
	rc = Tss2_Sys_SetCmdAuths(t->sys, &cmd);
	explicit_bzero(&cmd, sizeof(cmd));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	return 0;
}

/*
 * The answer to a command with one session carries exactly one session
 * area, and nothing after it (tss2-sys parses it only when asked).
 */
static int check_response_auth(struct tpm *t)
{
	TSS2L_SYS_AUTH_RESPONSE rsp = { 0 };
	TSS2_RC rc = Tss2_Sys_GetRspAuths(t->sys, &rsp);

	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	return rsp.count == 1 ? 0 : -OCIBOOT_EPROTO;
}

/*
 * Give the prepared command its authorisation (when a is not NULL) and
 * run it. A policy session the TPM did not end (the command failed) is
 * flushed.
 */
int tpm_run(struct tpm *t, const struct tpm_auth *a)
{
	uint32_t last;
	int r;

	if (a) {
		r = set_auth(t, a);
		if (r < 0)
			return r;
	}
	r = tpm_execute(t);
	if (r == 0 && a)
		r = check_response_auth(t);
	if (r < 0 && a && a->session != TPM_RS_PW) {
		last = t->last_rc;
		tpm_flush(t, a->session);
		t->last_rc = last;
	}
	return r;
}

int tpm_check_params_len(struct tpm *t, size_t len)
{
	const uint8_t *params;
	size_t got;
	TSS2_RC rc = Tss2_Sys_GetRpBuffer(t->sys, &got, &params);

	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	return got == len ? 0 : -OCIBOOT_EMALFORMED;
}

static int begin(struct tpm *t)
{
	t->last_rc = 0;
	return t->sys ? 0 : -EBADF;
}

static int check_prepare(struct tpm *t, TSS2_RC rc)
{
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_tss_error(t, rc);
}

int tpm_check_name(const uint8_t *area, size_t area_len, const uint8_t *name,
		   size_t name_len)
{
	uint8_t digest[TPM_SHA256_LEN];

	sha256_digest(area, area_len, digest);
	if (name_len != NAME_LEN || name[0] != (TPM2_ALG_SHA256 >> 8) ||
	    name[1] != (TPM2_ALG_SHA256 & 0xff) ||
	    memcmp(name + 2, digest, TPM_SHA256_LEN) != 0)
		return -OCIBOOT_EPROTO;
	return 0;
}

/* The name the TPM gives an NV index: sha256's id, sha256(public). */
static int check_name(const TPMS_NV_PUBLIC *pub, const TPM2B_NAME *name)
{
	uint8_t buf[NV_PUBLIC_MARSHALLED_MAX];
	size_t len = 0;

	if (Tss2_MU_TPMS_NV_PUBLIC_Marshal(pub, buf, sizeof(buf), &len) !=
	    TSS2_RC_SUCCESS)
		return -OCIBOOT_EPROTO;
	return tpm_check_name(buf, len, name->name, name->size);
}

int tpm_nv_read_public(struct tpm *t, uint32_t index,
		       struct tpm_nv_public *pub)
{
	TPM2B_NV_PUBLIC got = { 0 };
	TPM2B_NAME name = { 0 };
	const TPMS_NV_PUBLIC *p = &got.nvPublic;
	int r = begin(t);

	if (r < 0)
		return r;
	r = check_prepare(t, Tss2_Sys_NV_ReadPublic_Prepare(t->sys, index));
	if (r == 0)
		r = tpm_run(t, NULL);
	if (r < 0)
		return tpm_rc_base(t->last_rc) == TPM_RC_HANDLE ? -ENOENT : r;
	r = check_prepare(t, Tss2_Sys_NV_ReadPublic_Complete(t->sys, &got,
							     &name));
	if (r < 0)
		return r;
	r = tpm_check_params_len(t, 2 + (size_t)got.size + 2 + name.size);
	if (r < 0)
		return r;
	if (p->nvIndex != index || p->nameAlg != TPM2_ALG_SHA256 ||
	    p->dataSize > TPM_NV_DATA_MAX ||
	    p->authPolicy.size > TPM_NV_POLICY_MAX)
		return -OCIBOOT_EPROTO;
	r = check_name(p, &name);
	if (r < 0)
		return r;
	memset(pub, 0, sizeof(*pub));
	pub->index = p->nvIndex;
	pub->attributes = p->attributes;
	pub->size = p->dataSize;
	pub->policy_len = p->authPolicy.size;
	memcpy(pub->policy, p->authPolicy.buffer, p->authPolicy.size);
	return 0;
}

int tpm_nv_define(struct tpm *t, const struct tpm_auth *owner,
		  const struct tpm_nv_public *pub)
{
	TPM2B_NV_PUBLIC info = { 0 };
	TPM2B_AUTH auth = { 0 };
	int r = begin(t);

	if (r < 0)
		return r;
	if (pub->policy_len > TPM_NV_POLICY_MAX ||
	    pub->size > TPM_NV_DATA_MAX)
		return -EINVAL;
	info.nvPublic.nvIndex = pub->index;
	info.nvPublic.nameAlg = TPM2_ALG_SHA256;
	info.nvPublic.attributes = pub->attributes;
	info.nvPublic.authPolicy.size = pub->policy_len;
	memcpy(info.nvPublic.authPolicy.buffer, pub->policy, pub->policy_len);
	info.nvPublic.dataSize = pub->size;
	r = check_prepare(t, Tss2_Sys_NV_DefineSpace_Prepare(t->sys,
				TPM2_RH_OWNER, &auth, &info));
	if (r == 0)
		r = tpm_run(t, owner);
	return r;
}

int tpm_nv_undefine(struct tpm *t, const struct tpm_auth *owner,
		    uint32_t index)
{
	int r = begin(t);

	if (r == 0)
		r = check_prepare(t, Tss2_Sys_NV_UndefineSpace_Prepare(t->sys,
					TPM2_RH_OWNER, index));
	if (r == 0)
		r = tpm_run(t, owner);
	return r;
}

int tpm_nv_write(struct tpm *t, uint32_t auth_handle, uint32_t index,
		 const struct tpm_auth *a, const void *data, size_t len,
		 uint16_t offset)
{
	TPM2B_MAX_NV_BUFFER buf = { 0 };
	int r = begin(t);

	if (r == 0 && t->esys && a && a->session == TPM_RS_PW)
		return tpm_esys_nv_write(t, auth_handle, index, a, data, len,
					 offset);
	if (r < 0)
		return r;
	if (len > TPM_NV_DATA_MAX)
		return -EINVAL;
	buf.size = (uint16_t)len;
	memcpy(buf.buffer, data, len);
	r = check_prepare(t, Tss2_Sys_NV_Write_Prepare(t->sys, auth_handle,
						       index, &buf, offset));
	explicit_bzero(&buf, sizeof(buf));
	if (r == 0)
		r = tpm_run(t, a);
	return r;
}

typedef TSS2_RC lock_prepare_fn(TSS2_SYS_CONTEXT *sys,
				TPMI_RH_NV_AUTH auth_handle,
				TPMI_RH_NV_INDEX index);

/* NV_WriteLock and NV_ReadLock: the same handles, no parameters. */
static int nv_lock(struct tpm *t, lock_prepare_fn *prepare,
		   uint32_t auth_handle, uint32_t index,
		   const struct tpm_auth *a)
{
	int r = begin(t);

	if (r == 0)
		r = check_prepare(t, prepare(t->sys, auth_handle, index));
	if (r == 0)
		r = tpm_run(t, a);
	return r;
}

int tpm_nv_write_lock(struct tpm *t, uint32_t auth_handle, uint32_t index,
		      const struct tpm_auth *a)
{
	if (t->esys && a && a->session == TPM_RS_PW)
		return tpm_esys_nv_write_lock(t, auth_handle, index, a);
	return nv_lock(t, Tss2_Sys_NV_WriteLock_Prepare, auth_handle, index,
		       a);
}

/*
 * The answer's one parameter, a TPM2B of exactly len bytes, into out;
 * then buf is wiped.
 */
static int take_exact(struct tpm *t, int r, uint8_t *buf, uint16_t size,
		      void *out, size_t len)
{
	if (r == 0)
		r = tpm_check_params_len(t, 2 + (size_t)size);
	if (r == 0 && size != len)
		r = -OCIBOOT_EPROTO;
	if (r == 0)
		memcpy(out, buf, len);
	explicit_bzero(buf, size);
	return r;
}

int tpm_nv_read(struct tpm *t, uint32_t auth_handle, uint32_t index,
		const struct tpm_auth *a, void *out, size_t len,
		uint16_t offset)
{
	TPM2B_MAX_NV_BUFFER buf = { 0 };
	int r = begin(t);

	if (r < 0)
		return r;
	if (len > TPM_NV_DATA_MAX)
		return -EINVAL;
	r = check_prepare(t, Tss2_Sys_NV_Read_Prepare(t->sys, auth_handle,
						      index, (UINT16)len,
						      offset));
	if (r == 0)
		r = tpm_run(t, a);
	if (r == 0)
		r = check_prepare(t, Tss2_Sys_NV_Read_Complete(t->sys, &buf));
	return take_exact(t, r, buf.buffer, buf.size, out, len);
}

int tpm_nv_read_lock(struct tpm *t, uint32_t auth_handle, uint32_t index,
		     const struct tpm_auth *a)
{
	return nv_lock(t, Tss2_Sys_NV_ReadLock_Prepare, auth_handle, index, a);
}

int tpm_get_random(struct tpm *t, void *out, size_t len)
{
	TPM2B_DIGEST buf = { 0 };
	int r = begin(t);

	if (r == 0 && t->esys)
		return tpm_esys_get_random(t, out, len);
	if (r < 0)
		return r;
	if (len > TPM_RANDOM_MAX)
		return -EINVAL;
	r = check_prepare(t, Tss2_Sys_GetRandom_Prepare(t->sys, (UINT16)len));
	if (r == 0)
		r = tpm_run(t, NULL);
	if (r == 0)
		r = check_prepare(t, Tss2_Sys_GetRandom_Complete(t->sys, &buf));
	return take_exact(t, r, buf.buffer, buf.size, out, len);
}

static int start_policy_session(struct tpm *t, uint32_t *session)
{
	TPM2B_NONCE nonce = { .size = TPM_SHA256_LEN }, nonce_tpm = { 0 };
	TPM2B_ENCRYPTED_SECRET salt = { 0 };
	TPMT_SYM_DEF symmetric = { .algorithm = TPM2_ALG_NULL };
	TPMI_SH_AUTH_SESSION handle = 0;
	int r;

	/*
	 * An unsalted, unbound session that computes no HMAC: its nonces
	 * key nothing, so the caller's may be zeros.
	 */
	r = check_prepare(t, Tss2_Sys_StartAuthSession_Prepare(t->sys,
				TPM2_RH_NULL, TPM2_RH_NULL, &nonce, &salt,
				TPM2_SE_POLICY, &symmetric, TPM2_ALG_SHA256));
	if (r == 0)
		r = tpm_run(t, NULL);
	if (r == 0)
		r = check_prepare(t, Tss2_Sys_StartAuthSession_Complete(
					t->sys, &handle, &nonce_tpm));
	if (r == 0 && tpm_check_params_len(t, 2 + (size_t)nonce_tpm.size) < 0)
		r = -OCIBOOT_EMALFORMED;
	if (r < 0) {
		if (handle)
			tpm_flush(t, handle);
		return r;
	}
	if ((handle >> 24) != TPM2_HT_POLICY_SESSION) {
		tpm_flush(t, handle);
		return -OCIBOOT_EPROTO;
	}
	*session = handle;
	return 0;
}

int tpm_policy_session_pcr(struct tpm *t, unsigned pcr, uint32_t *session)
{
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPM2B_DIGEST empty = { 0 };
	uint32_t handle;
	int r = begin(t);

	if (r < 0)
		return r;
	if (pcr >= TPM_PCR_COUNT)
		return -EINVAL;
	r = start_policy_session(t, &handle);
	if (r < 0)
		return r;
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t)(1U << (pcr % 8));
	/* An empty pcrDigest: the TPM takes the PCR's value now. */
	r = check_prepare(t, Tss2_Sys_PolicyPCR_Prepare(t->sys, handle,
							&empty, &sel));
	if (r == 0)
		r = tpm_run(t, NULL);
	if (r == 0)
		r = check_prepare(t, Tss2_Sys_PolicyPCR_Complete(t->sys));
	if (r < 0) {
		uint32_t last = t->last_rc;

		tpm_flush(t, handle);
		t->last_rc = last;
		return r;
	}
	*session = handle;
	return 0;
}

int tpm_nv_read_policy_pcr(struct tpm *t, uint32_t index, unsigned pcr,
			   void *out, size_t len, uint16_t offset)
{
	struct tpm_auth a;
	uint32_t session;
	int r;

	if (t->esys)
		return tpm_esys_nv_read_policy_pcr(t, index, pcr, out, len,
						   offset);
	r = tpm_policy_session_pcr(t, pcr, &session);
	if (r < 0)
		return r;
	tpm_auth_policy(&a, session);
	return tpm_nv_read(t, index, index, &a, out, len, offset);
}

int tpm_flush(struct tpm *t, uint32_t handle)
{
	int r = begin(t);

	if (r == 0)
		r = check_prepare(t, Tss2_Sys_FlushContext_Prepare(t->sys,
								   handle));
	if (r == 0)
		r = tpm_run(t, NULL);
	return r;
}

int tpm_hierarchy_change_auth(struct tpm *t, uint32_t hierarchy,
			      const struct tpm_auth *a, const void *new_auth,
			      size_t len)
{
	TPM2B_AUTH auth = { 0 };
	int r = begin(t);

	if (r == 0 && t->esys && a && a->session == TPM_RS_PW)
		return tpm_esys_hierarchy_change_auth(t, hierarchy, a,
						      new_auth, len);
	if (r < 0)
		return r;
	if (len > TPM_AUTH_MAX)
		return -EINVAL;
	auth.size = (uint16_t)len;
	memcpy(auth.buffer, new_auth, len);
	r = check_prepare(t, Tss2_Sys_HierarchyChangeAuth_Prepare(t->sys,
				hierarchy, &auth));
	explicit_bzero(&auth, sizeof(auth));
	if (r == 0)
		r = tpm_run(t, a);
	return r;
}

int tpm_pcr_extend_sha256(struct tpm *t, unsigned pcr,
			  const uint8_t digest[TPM_SHA256_LEN])
{
	TPML_DIGEST_VALUES values = { .count = 1 };
	struct tpm_auth empty;
	int r = begin(t);

	if (r < 0)
		return r;
	if (pcr >= TPM_PCR_COUNT)
		return -EINVAL;
	values.digests[0].hashAlg = TPM2_ALG_SHA256;
	memcpy(values.digests[0].digest.sha256, digest, TPM_SHA256_LEN);
	r = check_prepare(t, Tss2_Sys_PCR_Extend_Prepare(t->sys, pcr,
							 &values));
	tpm_auth_password(&empty, NULL, 0);
	if (r == 0)
		r = tpm_run(t, &empty);
	return r;
}
