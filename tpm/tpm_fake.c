/* SPDX-License-Identifier: MIT */
#include "tpm/tpm_fake.h"

#include <string.h>

#include <tss2/tss2_common.h>

#define FAKE_MAGIC 0x0c1b007

static struct tpm_fake_tcti *fake_of(TSS2_TCTI_CONTEXT *ctx)
{
	return (struct tpm_fake_tcti *)ctx;
}

static TSS2_RC fake_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size,
			     const uint8_t *command)
{
	struct tpm_fake_tcti *f = fake_of(ctx);

	if (f->transmit_rc)
		return f->transmit_rc;
	if (size > sizeof(f->command))
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	memcpy(f->command, command, size);
	f->command_len = size;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC fake_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size,
			    uint8_t *response, int32_t timeout)
{
	struct tpm_fake_tcti *f = fake_of(ctx);

	f->timeout = timeout;
	if (f->receive_rc)
		return f->receive_rc;
	if (!response) {
		*size = f->response_len;
		return TSS2_RC_SUCCESS;
	}
	if (*size < f->response_len)
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	memcpy(response, f->response, f->response_len);
	*size = f->response_len;
	return TSS2_RC_SUCCESS;
}

static void fake_finalize(TSS2_TCTI_CONTEXT *ctx)
{
	fake_of(ctx)->finalized++;
}

void tpm_fake_init(struct tpm_fake_tcti *f, const uint8_t *rsp, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->common.v1.magic = FAKE_MAGIC;
	f->common.v1.version = 2;
	f->common.v1.transmit = fake_transmit;
	f->common.v1.receive = fake_receive;
	f->common.v1.finalize = fake_finalize;
	if (len > sizeof(f->response))
		len = sizeof(f->response);
	memcpy(f->response, rsp, len);
	f->response_len = len;
}
