/* SPDX-License-Identifier: MIT */
/*
 * TPM 2.0 access through tpm2-tss's system API (tss2-sys).
 *
 * The caller owns struct tpm (no allocation happens here; the TCTI and SYS
 * contexts live in the fixed buffers inside it, and point into it, so an open
 * struct tpm must not be copied or moved). Every function returns 0 or a
 * negative error: -errno for system failures, -OCIBOOT_EPROTO when the TPM
 * answered with an error code (kept in t->last_rc so the caller can log it)
 * or with a response that does not match the command, -OCIBOOT_EMALFORMED
 * when the response does not parse, -OCIBOOT_ETIMEOUT when it did not come
 * in time. Nothing here logs.
 */
#ifndef OCIBOOT_TPM_H
#define OCIBOOT_TPM_H

#include <stddef.h>
#include <stdint.h>

#define TPM_SHA256_LEN 32
#define TPM_CONTEXT_MAX 8192	/* TCTI + SYS context storage */
#define TPM_CONF_MAX 256	/* longest conf string, with its NUL */
#define TPM_PCR_COUNT 24	/* PCRs 0..23, as the PC Client spec fixes */
/* Longest wait for one response from a TPM device (not for swtpm). */
#define TPM_COMMAND_TIMEOUT_MS 10000

struct tpm {
	void *tcti;		/* points into storage; NULL when closed */
	void *sys;		/* points into storage; NULL when closed */
	/*
	 * tpm/esys.h's ESAPI context, salt key and salted sessions
	 * (ESYS_TRs) once tpm_protect() succeeded; NULL otherwise.
	 */
	void *esys;
	uint32_t salt_key, hmac_session, policy_session;
	/*
	 * The TSS2_RC of the last failure: a TPM2_RC when the TPM answered
	 * with an error, or a tss2 layer code (TCTI, SYS, MU) otherwise.
	 * 0 when the last call succeeded or failed before or after talking
	 * to the TPM (bad argument, response that does not match).
	 */
	uint32_t last_rc;
	_Alignas(16) unsigned char storage[TPM_CONTEXT_MAX];
};

/*
 * Open a TPM. conf is "device:PATH" for a kernel TPM character device
 * (normally "device:/dev/tpmrm0", the kernel's resource manager), or
 * "swtpm:CONF" for swtpm's socket interface on the host, CONF being
 * tcti-swtpm's "path=/run/swtpm.sock" (the control socket is PATH.ctrl) or
 * "host=H,port=P". Returns 0, or -EINVAL for an empty or unknown conf,
 * -ENAMETOOLONG when conf is TPM_CONF_MAX bytes or longer, -errno when the
 * device or socket cannot be opened (-ENOENT when it does not exist,
 * -ECONNREFUSED when nothing listens), -EIO when it does not answer like a
 * TPM. On failure *t is left closed: tpm_close(t) is then a no-op.
 * The device fd is close-on-exec. swtpm's TCTI copies conf with strdup():
 * that TCTI is for the host only.
 */
int tpm_open(struct tpm *t, const char *conf);

/*
 * Close a TPM opened by tpm_open (also after a failed open, or twice);
 * with session protection on, the salt key is flushed first.
 */
void tpm_close(struct tpm *t);

/*
 * Read PCR pcr of the sha256 bank into digest (written only on success).
 * The response must select exactly that PCR in the sha256 bank and carry
 * exactly one 32-byte digest, with nothing left over. Returns 0; -EINVAL
 * when pcr >= TPM_PCR_COUNT (the TPM is not asked); -EBADF when t is not
 * open; -OCIBOOT_EPROTO when the TPM refuses (t->last_rc says why) or
 * answers for another selection; -OCIBOOT_EMALFORMED when the answer does
 * not parse; -OCIBOOT_ETIMEOUT after about 2 * TPM_COMMAND_TIMEOUT_MS
 * without an answer (then close t: it cannot be used again); -EIO when the
 * transport fails. A response code the TPM sends is returned to us as
 * tss2-sys's own codes are, so one that looks like a tss2 TCTI or SYS code
 * (no TPM sends those) maps as that code would, -EINVAL say.
 */
int tpm_pcr_read_sha256(struct tpm *t, unsigned pcr,
			uint8_t digest[TPM_SHA256_LEN]);

/*
 * For the other modules of tpm/ (tpm/nv.h), which prepare their commands
 * with tss2-sys themselves. tpm_execute() sends the command prepared in
 * t->sys and waits for its answer (TPM_COMMAND_TIMEOUT_MS), returning 0
 * or a code as tpm_pcr_read_sha256() does. tpm_tss_error() maps a failed
 * TSS2_RC to those codes and keeps it in t->last_rc.
 */
int tpm_execute(struct tpm *t);
int tpm_tss_error(struct tpm *t, uint32_t rc);

/*
 * Open t over a TCTI the caller set up at the start of t->storage
 * (tcti_size bytes; a test's or a fuzzer's fake): only the SYS context is
 * initialised. Returns 0 or a code as tpm_open() does.
 */
int tpm_open_tcti(struct tpm *t, size_t tcti_size);

#endif
