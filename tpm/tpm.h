/* SPDX-License-Identifier: MIT */
/*
 * TPM 2.0 access through tpm2-tss's system API (tss2-sys).
 *
 * The caller owns struct tpm (no allocation happens here; the TCTI and SYS
 * contexts live in the fixed buffers inside it). Every function returns 0 or
 * a negative error: -errno for system failures, -OCIBOOT_EPROTO when the TPM
 * answered with an error code (kept in t->last_rc so the caller can log it).
 * Nothing here logs.
 */
#ifndef OCIBOOT_TPM_H
#define OCIBOOT_TPM_H

#include <stddef.h>
#include <stdint.h>

#define TPM_SHA256_LEN 32
#define TPM_CONTEXT_MAX 8192	/* TCTI + SYS context storage */

struct tpm {
	void *tcti;		/* points into storage */
	void *sys;		/* points into storage */
	uint32_t last_rc;	/* last TPM2_RC from the TPM, 0 if none */
	_Alignas(16) unsigned char storage[TPM_CONTEXT_MAX];
};

/*
 * Open a TPM. conf is "device:/dev/tpmrm0" (or any device path), or
 * "swtpm:path=/run/swtpm.sock" for swtpm's socket interface on the host.
 */
int tpm_open(struct tpm *t, const char *conf);
void tpm_close(struct tpm *t);

/* Read one sha256 PCR bank entry. */
int tpm_pcr_read_sha256(struct tpm *t, unsigned pcr,
			uint8_t digest[TPM_SHA256_LEN]);

#endif
