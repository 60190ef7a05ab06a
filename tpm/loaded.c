/* SPDX-License-Identifier: MIT */
/* What the TPM holds loaded: counted and flushed; see loaded.h. */
#include <errno.h>
#include <string.h>

#include <tss2/tss2_sys.h>
#include <tss2/tss2_tpm2_types.h>

#include "lib/util.h"
#include "tpm/esys.h"
#include "tpm/loaded.h"

/* The ranges TPM_CAP_HANDLES lists; a session's own type is 0x02 or 0x03. */
static const struct loaded_range {
	uint32_t first;
	uint8_t types[2];	/* the handle types it may list */
	bool session;
} loaded_ranges[] = {
	{ TPM2_TRANSIENT_FIRST, { TPM2_HT_TRANSIENT, TPM2_HT_TRANSIENT },
	  false },
	{ TPM2_LOADED_SESSION_FIRST,
	  { TPM2_HT_HMAC_SESSION, TPM2_HT_POLICY_SESSION }, true },
	{ TPM2_ACTIVE_SESSION_FIRST,
	  { TPM2_HT_HMAC_SESSION, TPM2_HT_POLICY_SESSION }, true },
};

static bool in_range(const struct loaded_range *range, uint32_t handle)
{
	uint8_t type = (uint8_t)(handle >> TPM2_HR_SHIFT);

	return type == range->types[0] || type == range->types[1];
}

/*
 * The handles of one range, checked: the capability asked, at most
 * TPM_LOADED_MAX handles and no more to come, each of the range's types,
 * and parameters that end where the list does.
 */
static int list_handles(struct tpm *t, const struct loaded_range *range,
			TPML_HANDLE *out)
{
	TPMS_CAPABILITY_DATA data = { 0 };
	TPMI_YES_NO more = 0;
	const uint8_t *params;
	size_t len;
	TSS2_RC rc;
	int r;

	rc = Tss2_Sys_GetCapability_Prepare(t->sys, TPM2_CAP_HANDLES,
					    range->first, TPM_LOADED_MAX);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	r = tpm_execute(t);
	if (r < 0)
		return r;
	rc = Tss2_Sys_GetCapability_Complete(t->sys, &more, &data);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	rc = Tss2_Sys_GetRpBuffer(t->sys, &len, &params);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	*out = data.data.handles;
	if (data.capability != TPM2_CAP_HANDLES ||
	    out->count > TPM_LOADED_MAX || more != 0)
		return -OCIBOOT_EPROTO;
	if (len != 1 + 4 + 4 + 4 * (size_t)out->count)
		return -OCIBOOT_EMALFORMED;
	for (uint32_t i = 0; i < out->count; i++)
		if (!in_range(range, out->handle[i]))
			return -OCIBOOT_EPROTO;
	return 0;
}

static void tally(struct tpm_loaded *l, const struct loaded_range *range,
		  unsigned n)
{
	if (range->session)
		l->sessions += n;
	else
		l->objects += n;
}

int tpm_loaded_count(struct tpm *t, struct tpm_loaded *out)
{
	TPML_HANDLE handles;
	int r;

	t->last_rc = 0;
	memset(out, 0, sizeof(*out));
	if (!t->sys)
		return -EBADF;
	for (size_t i = 0; i < ARRAY_SIZE(loaded_ranges); i++) {
		r = list_handles(t, &loaded_ranges[i], &handles);
		if (r < 0)
			return r;
		tally(out, &loaded_ranges[i], handles.count);
	}
	return 0;
}

static int flush_handle(struct tpm *t, uint32_t handle)
{
	TSS2_RC rc;
	int r;

	rc = Tss2_Sys_FlushContext_Prepare(t->sys, handle);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	r = tpm_execute(t);
	if (r < 0)
		return r;
	rc = Tss2_Sys_FlushContext_Complete(t->sys);
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_tss_error(t, rc);
}

/* Flush what one range lists until it lists none, in bounded rounds. */
static int flush_range(struct tpm *t, const struct loaded_range *range,
		       struct tpm_loaded *flushed)
{
	TPML_HANDLE handles;
	int r;

	for (unsigned round = 0;; round++) {
		r = list_handles(t, range, &handles);
		if (r < 0 || handles.count == 0)
			return r;
		if (round == TPM_FLUSH_ROUNDS)
			return -OCIBOOT_EPROTO;
		for (uint32_t i = 0; i < handles.count; i++) {
			r = flush_handle(t, handles.handle[i]);
			if (r < 0)
				return r;
			tally(flushed, range, 1);
		}
	}
}

int tpm_flush_loaded(struct tpm *t, struct tpm_loaded *flushed)
{
	int r;

	memset(flushed, 0, sizeof(*flushed));
	t->last_rc = 0;
	if (!t->sys)
		return -EBADF;
	tpm_protect_flush(t);
	for (size_t i = 0; i < ARRAY_SIZE(loaded_ranges); i++) {
		r = flush_range(t, &loaded_ranges[i], flushed);
		if (r < 0)
			return r;
	}
	return 0;
}
