/* SPDX-License-Identifier: MIT */
/*
 * Session protection (docs/tpm.md "Session protection"): the commands
 * that carry a secret go through tpm2-tss's ESAPI with a salted session
 * and parameter encryption (AES-128-CFB), so that neither the secret nor
 * the authorization that writes it crosses the TPM bus in clear.
 *
 * tpm_protect() opens an ESAPI context over the TCTI of an open struct
 * tpm (tss2-sys keeps working beside it: both are synchronous and take
 * turns) with BearSSL as its crypto (tpm/crypto_bearssl.h), and creates
 * the salt key: an ECC P-256 restricted decryption primary in the null
 * hierarchy (no authorization needed, gone at the next TPM reset; ESAPI
 * encrypts each session's salt to it with ECDH + KDFe). From then on
 * tpm/nv.h routes these through here:
 *
 *   tpm_nv_write, tpm_nv_write_lock, tpm_hierarchy_change_auth with a
 *     password: an HMAC session salted to the salt key, the password as
 *     the handle's authValue (it keys the HMAC and is never sent), and
 *     TPMA_SESSION_DECRYPT (the command's first parameter, the data or the
 *     new authorization, goes encrypted);
 *   tpm_get_random: the same session with TPMA_SESSION_ENCRYPT (the
 *     random bytes come back encrypted);
 *   tpm_nv_read_policy_pcr: a salted PolicyPCR session with
 *     TPMA_SESSION_ENCRYPT (the index's data comes back encrypted).
 *
 * One HMAC session and one policy session serve every command of an
 * open t (continueSession; each new salted session costs an ECDH on both
 * sides); one that a command failed in is flushed, and the next command
 * starts another. The salt key is flushed once a session has started
 * (created again for the next one); the sessions are flushed by
 * tpm_protect_flush() and tpm_close(). Codes as tpm/nv.h says; ESAPI's
 * own failures map as tss2-sys's do (tpm_tss_error()). ESAPI allocates its context and
 * per-object records (fixed sizes) with calloc().
 */
#ifndef OCIBOOT_TPM_ESYS_H
#define OCIBOOT_TPM_ESYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpm/nv.h"

/*
 * Turn session protection on for t (open with tpm_open or
 * tpm_open_tcti): 0, or a code as tpm/nv.h says (-EOPNOTSUPP, say, when
 * the TPM cannot make a P-256 key); t is then left unprotected but open.
 * Calling it again is a no-op.
 */
int tpm_protect(struct tpm *t);

/* Whether tpm_protect() succeeded on t. */
bool tpm_protected(const struct tpm *t);

/*
 * Flush t's sessions and salt key now; protection stays on, and the next
 * protected command starts a session again. For a caller done with
 * protected commands for a while: a resource manager (/dev/tpmrm0) saves
 * and reloads each loaded session around every command, whichever
 * sessions it uses.
 */
void tpm_protect_flush(struct tpm *t);

/* For tpm/tpm.c: flush the salt key and free the ESAPI context. */
void tpm_unprotect(struct tpm *t);

/* The protected forms of tpm/nv.h's commands of the same names. */
int tpm_esys_nv_write(struct tpm *t, uint32_t auth_handle, uint32_t index,
		      const struct tpm_auth *a, const void *data, size_t len,
		      uint16_t offset);
int tpm_esys_nv_write_lock(struct tpm *t, uint32_t auth_handle,
			   uint32_t index, const struct tpm_auth *a);
int tpm_esys_hierarchy_change_auth(struct tpm *t, uint32_t hierarchy,
				   const struct tpm_auth *a,
				   const void *new_auth, size_t len);
int tpm_esys_get_random(struct tpm *t, void *buf, size_t len);
int tpm_esys_nv_read_policy_pcr(struct tpm *t, uint32_t index, unsigned pcr,
				void *buf, size_t len, uint16_t offset);

#endif
