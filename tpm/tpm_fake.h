/* SPDX-License-Identifier: MIT */
/*
 * Test and fuzz fixtures: a TCTI (tss2's transport interface) that talks to
 * no TPM, and one that records what another carries. It keeps the last command sent and answers every receive with a
 * canned response, or with the TSS2_RC a test asks for. A test lays it at
 * the start of struct tpm's storage, points t->tcti at it and sets up the
 * SYS context after it (tpm/tpm.c's open_sys(), reached by including
 * tpm/tpm.c). Nothing here allocates or logs.
 */
#ifndef OCIBOOT_TPM_FAKE_H
#define OCIBOOT_TPM_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tcti.h>

#define TPM_FAKE_RESPONSE_MAX 1024	/* bytes of a canned response */
#define TPM_FAKE_COMMAND_MAX 512	/* bytes of a command kept */

struct tpm_fake_tcti {
	TSS2_TCTI_CONTEXT_COMMON_V2 common;	/* first: the TCTI ABI */
	uint8_t response[TPM_FAKE_RESPONSE_MAX];
	size_t response_len;
	uint8_t command[TPM_FAKE_COMMAND_MAX];
	size_t command_len;
	TSS2_RC transmit_rc;		/* returned by transmit when not 0 */
	TSS2_RC receive_rc;		/* returned by receive when not 0 */
	int32_t timeout;		/* of the last receive */
	int finalized;			/* finalize calls */
};

/*
 * Set up f in place as a TCTI answering every command with rsp[0, len),
 * cut to TPM_FAKE_RESPONSE_MAX bytes. A command longer than
 * TPM_FAKE_COMMAND_MAX is refused with TSS2_TCTI_RC_INSUFFICIENT_BUFFER.
 */
void tpm_fake_init(struct tpm_fake_tcti *f, const uint8_t *rsp, size_t len);

struct tpm;

/*
 * Open t over a fake TCTI laid at the start of t->storage, answering every
 * command with rsp[0, len) (tpm_fake_init()): *t is zeroed first. Returns
 * the fake, or NULL when tss2-sys does not take it.
 */
struct tpm_fake_tcti *tpm_fake_open(struct tpm *t, const uint8_t *rsp,
				    size_t len);

/*
 * A TCTI that passes every command and response through to another TCTI
 * (inner, which it finalizes with itself) and appends the bytes of each,
 * as they cross the transport, to log[0, cap): what an interposer on the
 * TPM bus would see. *len grows; bytes past cap are counted in dropped.
 */
struct tpm_record_tcti {
	TSS2_TCTI_CONTEXT_COMMON_V2 common;	/* first: the TCTI ABI */
	TSS2_TCTI_CONTEXT *inner;
	uint8_t *log;
	size_t len, cap, dropped;
	unsigned commands, responses;
};

void tpm_record_init(struct tpm_record_tcti *r, TSS2_TCTI_CONTEXT *inner,
		     uint8_t *log, size_t cap);

#endif
