/* SPDX-License-Identifier: MIT */
#include "tpm/tpm_fake.h"

#include <string.h>

#include <tss2/tss2_common.h>

#include "tpm/tpm.h"

#define FAKE_MAGIC 0x0c1b007
#define RECORD_MAGIC 0x0c1b00f

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

static struct tpm_record_tcti *record_of(TSS2_TCTI_CONTEXT *ctx)
{
	return (struct tpm_record_tcti *)ctx;
}

static void record(struct tpm_record_tcti *r, const uint8_t *b, size_t n)
{
	size_t room = r->cap - r->len;
	size_t take = n < room ? n : room;

	memcpy(r->log + r->len, b, take);
	r->len += take;
	r->dropped += n - take;
}

static TSS2_RC record_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size,
			       const uint8_t *command)
{
	struct tpm_record_tcti *r = record_of(ctx);

	record(r, command, size);
	r->commands++;
	return Tss2_Tcti_Transmit(r->inner, size, command);
}

static TSS2_RC record_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size,
			      uint8_t *response, int32_t timeout)
{
	struct tpm_record_tcti *r = record_of(ctx);
	TSS2_RC rc = Tss2_Tcti_Receive(r->inner, size, response, timeout);

	if (rc == TSS2_RC_SUCCESS && response) {
		record(r, response, *size);
		r->responses++;
	}
	return rc;
}

static void record_finalize(TSS2_TCTI_CONTEXT *ctx)
{
	struct tpm_record_tcti *r = record_of(ctx);

	if (r->inner)
		Tss2_Tcti_Finalize(r->inner);
	r->inner = NULL;
}

void tpm_record_init(struct tpm_record_tcti *r, TSS2_TCTI_CONTEXT *inner,
		     uint8_t *log, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->common.v1.magic = RECORD_MAGIC;
	r->common.v1.version = 2;
	r->common.v1.transmit = record_transmit;
	r->common.v1.receive = record_receive;
	r->common.v1.finalize = record_finalize;
	r->inner = inner;
	r->log = log;
	r->cap = cap;
}

struct tpm_fake_tcti *tpm_fake_open(struct tpm *t, const uint8_t *rsp,
				    size_t len)
{
	struct tpm_fake_tcti *f = (struct tpm_fake_tcti *)t->storage;

	memset(t, 0, sizeof(*t));
	tpm_fake_init(f, rsp, len);
	return tpm_open_tcti(t, sizeof(*f)) == 0 ? f : NULL;
}
