/* SPDX-License-Identifier: MIT */
/*
 * TPM 2.0 NV indices, sessions, random bytes and PCR extends through
 * tss2-sys, over a struct tpm opened by tpm/tpm.h. What ociboot keeps in
 * these indices is docs/tpm.md's NV layout (tpm/layout.h); this module
 * only speaks the commands.
 *
 * Authorisation is one struct tpm_auth a command: a password (the owner
 * hierarchy's, or an index's authValue) or a policy session started by
 * tpm_policy_session_pcr(). A password goes in clear over the TPM bus,
 * except once tpm_protect() (tpm/esys.h) turned session protection on:
 * then tpm_nv_write, tpm_nv_write_lock and tpm_hierarchy_change_auth with
 * a password, tpm_get_random and tpm_nv_read_policy_pcr run in salted
 * sessions with parameter encryption (docs/tpm.md "Session protection"). A policy session is used by exactly one
 * command and ended by it (continueSession clear); when that command
 * fails the session is flushed here, so no session is left behind either
 * way.
 *
 * Every function returns 0 or a negative code as tpm/tpm.h says
 * (-OCIBOOT_EPROTO with t->last_rc when the TPM refuses; tpm_rc_base()
 * gives the refusal without its handle/session/parameter number). Nothing
 * here allocates or logs.
 */
#ifndef OCIBOOT_TPM_NV_H
#define OCIBOOT_TPM_NV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpm/tpm.h"

#define TPM_AUTH_MAX 64		/* bytes of a TPM2B_AUTH (sha512's size) */
#define TPM_NV_POLICY_MAX 64	/* bytes of an authPolicy */
#define TPM_NV_DATA_MAX 1024	/* bytes one NV_Read or NV_Write moves */
#define TPM_RANDOM_MAX 32	/* bytes one GetRandom returns at most */

/* Handles and TPM_RC values the callers name. */
#define TPM_RH_OWNER 0x40000001U
#define TPM_RH_LOCKOUT 0x4000000aU
#define TPM_RS_PW 0x40000009U
#define TPM_RC_NV_LOCKED 0x148U
#define TPM_RC_NV_DEFINED 0x14cU
#define TPM_RC_NV_UNINITIALIZED 0x14aU
#define TPM_RC_HANDLE 0x08bU
#define TPM_RC_POLICY_FAIL 0x09dU
#define TPM_RC_BAD_AUTH 0x0a2U
#define TPM_RC_AUTH_FAIL 0x08eU

struct tpm_auth {
	uint32_t session;	/* TPM_RS_PW, or a policy session handle */
	uint16_t len;		/* of the password; 0 for a policy session */
	uint8_t value[TPM_AUTH_MAX];
};

/* The public area of an NV index (TPMS_NV_PUBLIC), sha256 names only. */
struct tpm_nv_public {
	uint32_t index;
	uint32_t attributes;	/* TPMA_NV */
	uint16_t size;		/* dataSize */
	uint16_t policy_len;	/* 0: no authPolicy */
	uint8_t policy[TPM_NV_POLICY_MAX];
};

/* A password authorisation (len <= TPM_AUTH_MAX; 0 for an empty one). */
void tpm_auth_password(struct tpm_auth *a, const void *password, size_t len);

/* The policy session handle as the authorisation of one command. */
void tpm_auth_policy(struct tpm_auth *a, uint32_t session);

/*
 * The TPM_RC a refusal carries, without the handle, session or parameter
 * number format-1 codes add (0x99d -> TPM_RC_POLICY_FAIL 0x09d); 0 when
 * rc is not the TPM's.
 */
uint32_t tpm_rc_base(uint32_t rc);

/*
 * The public area of NV index `index`. The answer must be for that
 * index, with sha256 as nameAlg, a dataSize of at most TPM_NV_DATA_MAX
 * and a name that is sha256 of the public area it came with. Returns 0;
 * -ENOENT when no such index is defined (TPM_RC_HANDLE); other codes as
 * above (-OCIBOOT_EPROTO for an answer that breaks those rules).
 */
int tpm_nv_read_public(struct tpm *t, uint32_t index,
		       struct tpm_nv_public *pub);

/*
 * For tpm/ modules: give the command prepared in t->sys its one
 * authorisation a (none when NULL) and run it; the answer must carry one
 * session area; a policy session the command did not end is flushed.
 */
int tpm_run(struct tpm *t, const struct tpm_auth *a);

/*
 * For tpm/ modules: the answer's parameter area is exactly len bytes.
 * tss2-sys unmarshals a response's parameters within its whole buffer,
 * not within the response's size, so a response cut short before its
 * last parameter parses from stale bytes; every caller checks the length
 * of what it parsed against this. -OCIBOOT_EMALFORMED when it differs.
 */
int tpm_check_params_len(struct tpm *t, size_t len);

/*
 * For tpm/ modules: whether name (name_len bytes, as the TPM answered it)
 * is the sha256 name of the marshalled public area area[0, area_len):
 * TPM_ALG_SHA256's id, then sha256(area). Returns 0 or -OCIBOOT_EPROTO.
 */
int tpm_check_name(const uint8_t *area, size_t area_len, const uint8_t *name,
		   size_t name_len);

/* TPM2_NV_DefineSpace under the owner hierarchy, with an empty authValue. */
int tpm_nv_define(struct tpm *t, const struct tpm_auth *owner,
		  const struct tpm_nv_public *pub);

/* TPM2_NV_UndefineSpace under the owner hierarchy. */
int tpm_nv_undefine(struct tpm *t, const struct tpm_auth *owner,
		    uint32_t index);

/*
 * TPM2_NV_Write of data[0, len) at offset, authorised by auth_handle
 * (TPM_RH_OWNER, or the index itself) with a. len <= TPM_NV_DATA_MAX.
 */
int tpm_nv_write(struct tpm *t, uint32_t auth_handle, uint32_t index,
		 const struct tpm_auth *a, const void *data, size_t len,
		 uint16_t offset);

/* TPM2_NV_WriteLock, authorised as tpm_nv_write is. */
int tpm_nv_write_lock(struct tpm *t, uint32_t auth_handle, uint32_t index,
		      const struct tpm_auth *a);

/*
 * TPM2_NV_Read of exactly len bytes at offset into buf (written only on
 * success; an answer of another length is -OCIBOOT_EPROTO), authorised by
 * auth_handle with a. len <= TPM_NV_DATA_MAX.
 */
int tpm_nv_read(struct tpm *t, uint32_t auth_handle, uint32_t index,
		const struct tpm_auth *a, void *buf, size_t len,
		uint16_t offset);

/* TPM2_NV_ReadLock, authorised as tpm_nv_read is. */
int tpm_nv_read_lock(struct tpm *t, uint32_t auth_handle, uint32_t index,
		     const struct tpm_auth *a);

/*
 * len bytes (len <= TPM_RANDOM_MAX) from the TPM's random number
 * generator into buf; an answer of another length is -OCIBOOT_EPROTO.
 */
int tpm_get_random(struct tpm *t, void *buf, size_t len);

/*
 * Start an unsalted, unbound policy session (sha256) and run
 * TPM2_PolicyPCR on it for PCR pcr of the sha256 bank at its current
 * value: the session then satisfies a PolicyPCR(sha256:pcr = V) authPolicy
 * exactly when the PCR holds V now (the command using it fails with
 * TPM_RC_POLICY_FAIL otherwise). *session gets its handle; on failure
 * nothing is left open.
 */
int tpm_policy_session_pcr(struct tpm *t, unsigned pcr, uint32_t *session);

/*
 * TPM2_NV_Read of index (its own authorisation) through a PolicyPCR
 * session for PCR pcr (tpm_policy_session_pcr()), as tpm_nv_read()
 * reads. With session protection on, the session is salted and the data
 * comes back encrypted (TPMA_SESSION_ENCRYPT).
 */
int tpm_nv_read_policy_pcr(struct tpm *t, uint32_t index, unsigned pcr,
			   void *buf, size_t len, uint16_t offset);

/* TPM2_FlushContext of a session or transient object. */
int tpm_flush(struct tpm *t, uint32_t handle);

/*
 * TPM2_HierarchyChangeAuth of hierarchy (TPM_RH_OWNER, TPM_RH_LOCKOUT)
 * to new_auth[0, len), authorised with its current authorisation a.
 */
int tpm_hierarchy_change_auth(struct tpm *t, uint32_t hierarchy,
			      const struct tpm_auth *a, const void *new_auth,
			      size_t len);

/* TPM2_PCR_Extend of PCR pcr's sha256 bank with digest (empty auth). */
int tpm_pcr_extend_sha256(struct tpm *t, unsigned pcr,
			  const uint8_t digest[TPM_SHA256_LEN]);

#endif
