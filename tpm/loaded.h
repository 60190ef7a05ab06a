/* SPDX-License-Identifier: MIT */
/*
 * The transient objects and sessions a TPM holds, counted and flushed
 * (TPM2_GetCapability(TPM_CAP_HANDLES), TPM2_FlushContext), over
 * tss2-sys as tpm/tpm.h's reads are, with its return codes.
 */
#ifndef OCIBOOT_TPM_LOADED_H
#define OCIBOOT_TPM_LOADED_H

#include "tpm/tpm.h"

/*
 * What a TPM holds beside its NV and persistent objects, by handle type
 * (TPM 2.0 part 2, 7.2; part 3, 30.2 TPM2_GetCapability(TPM_CAP_HANDLES)).
 */
struct tpm_loaded {
	unsigned objects;	/* transient objects, 0x80xxxxxx */
	unsigned sessions;	/* sessions loaded (0x02) or saved (0x03) */
};

/*
 * Count them. Through a resource manager (/dev/tpmrm0) a client sees only
 * its own; on a raw device (/dev/tpm0, swtpm's socket) the TPM's whole
 * state. The TPM lists at most TPM_LOADED_MAX of a kind (more is refused):
 * a TPM has room for a few. Returns 0 (*out set), -EBADF when t is not
 * open, -OCIBOOT_EPROTO when the TPM refuses or answers with another
 * capability or a handle outside the range asked, -OCIBOOT_EMALFORMED, or
 * a transport code as tpm_pcr_read_sha256() does.
 */
#define TPM_LOADED_MAX 64
int tpm_loaded_count(struct tpm *t, struct tpm_loaded *out);

/*
 * Flush every transient object and session the TPM lists, after ESAPI's
 * own (tpm_protect_flush()). For one that is the TPM's only user on a raw
 * device, as the init is on /dev/tpm0 before it execs the real init:
 * there nothing is flushed for it when it stops, and what it left would
 * keep its slots until the TPM resets. *flushed (set on every return)
 * counts what went. Returns 0 once the TPM lists none; codes as
 * tpm_loaded_count(), a refused TPM2_FlushContext as -OCIBOOT_EPROTO, and
 * -OCIBOOT_EPROTO too when some are still listed after TPM_FLUSH_ROUNDS
 * rounds of flushing every one listed.
 */
#define TPM_FLUSH_ROUNDS 3
int tpm_flush_loaded(struct tpm *t, struct tpm_loaded *flushed);

#endif
