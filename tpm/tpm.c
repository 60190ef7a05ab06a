/* SPDX-License-Identifier: MIT */
/*
 * TPM 2.0 access over tss2-sys, with tcti-device for the kernel's TPM and
 * tcti-swtpm for swtpm on the host. Both contexts live in struct tpm.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include <tss2/tss2_common.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tcti.h>
#include <tss2/tss2_tcti_device.h>
#include <tss2/tss2_tcti_swtpm.h>
#include <tss2/tss2_tpm2_types.h>

#include "lib/util.h"
#include "tpm/esys.h"
#include "tpm/tpm.h"

#define CONTEXT_ALIGN 16
/* PCRs 0..23 fit three bytes of selection bitmap. */
#define PCR_SELECT_LEN ((TPM_PCR_COUNT + 7) / 8)
#define RC_BASE_MASK 0xffffU

_Static_assert(TPM_PCR_COUNT <= TPM2_PCR_SELECT_MAX * 8,
	       "TPM_PCR_COUNT does not fit a TPMS_PCR_SELECTION");
_Static_assert(TPM_SHA256_LEN == TPM2_SHA256_DIGEST_SIZE,
	       "TPM_SHA256_LEN is not sha256's size");
_Static_assert(sizeof(TSS2_TCTI_CONTEXT_COMMON_V2) <= TPM_CONTEXT_MAX,
	       "no room for a TCTI context");

struct tcti_type {
	const char *prefix;		/* in the conf string */
	TSS2_TCTI_INIT_FUNC init;
	bool has_fd;			/* one fd held while open */
};

static const struct tcti_type tcti_types[] = {
	{ "device:", Tss2_Tcti_Device_Init, true },
	{ "swtpm:", Tss2_Tcti_Swtpm_Init, false },
};

static size_t align_up(size_t n)
{
	return (n + CONTEXT_ALIGN - 1) & ~(size_t)(CONTEXT_ALIGN - 1);
}

int tpm_tss_error(struct tpm *t, uint32_t rc)
{
	t->last_rc = rc;
	switch (rc & TSS2_RC_LAYER_MASK) {
	case TSS2_MU_RC_LAYER:
		return -OCIBOOT_EMALFORMED;
	case TSS2_TCTI_RC_LAYER:
	case TSS2_SYS_RC_LAYER:
	case TSS2_ESAPI_RC_LAYER:
		break;
	default:
		/* The TPM's (or its resource manager's) answer; another
		 * layer there is the TPM's too, and no more valid. */
		return -OCIBOOT_EPROTO;
	}
	switch (rc & RC_BASE_MASK) {
	case TSS2_BASE_RC_TRY_AGAIN:
		return -OCIBOOT_ETIMEOUT;
	case TSS2_BASE_RC_MALFORMED_RESPONSE:
	case TSS2_BASE_RC_INSUFFICIENT_RESPONSE:
		return -OCIBOOT_EMALFORMED;
	case TSS2_BASE_RC_INSUFFICIENT_CONTEXT:
	case TSS2_BASE_RC_INSUFFICIENT_BUFFER:
		return -OCIBOOT_ETOOBIG;
	case TSS2_BASE_RC_BAD_VALUE:
	case TSS2_BASE_RC_BAD_REFERENCE:
		return -EINVAL;
	case TSS2_BASE_RC_MEMORY:
		return -ENOMEM;
	case TSS2_BASE_RC_NOT_IMPLEMENTED:
	case TSS2_BASE_RC_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case TSS2_BASE_RC_RSP_AUTH_FAILED:
		/* ESAPI: the response's HMAC does not verify. */
		return -OCIBOOT_EPROTO;
	}
	return -EIO;
}

static const struct tcti_type *find_tcti(const char *conf, const char **arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(tcti_types); i++) {
		size_t n = strlen(tcti_types[i].prefix);

		if (strncmp(conf, tcti_types[i].prefix, n) == 0) {
			*arg = conf + n;
			return &tcti_types[i];
		}
	}
	return NULL;
}

/* tcti-device opens the TPM without O_CLOEXEC: keep it out of children. */
static int set_tcti_cloexec(TSS2_TCTI_CONTEXT *tcti)
{
	TSS2_TCTI_POLL_HANDLE handle;
	size_t n = 1;
	TSS2_RC rc;

	rc = Tss2_Tcti_GetPollHandles(tcti, &handle, &n);
	if (rc != TSS2_RC_SUCCESS)
		return -EIO;
	if (n != 1 || handle.fd < 0)
		return -EBADF;
	if (fcntl(handle.fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* Initialise the TCTI at the start of storage; *size gets its size. */
static int open_tcti(struct tpm *t, const struct tcti_type *type,
		     const char *arg, size_t *size)
{
	TSS2_TCTI_CONTEXT *tcti = (TSS2_TCTI_CONTEXT *)t->storage;
	TSS2_RC rc;
	int r;

	rc = type->init(NULL, size, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	if (*size > TPM_CONTEXT_MAX)
		return -OCIBOOT_ETOOBIG;

	/* The TCTIs keep errno from the open() or connect() that failed. */
	errno = 0;
	rc = type->init(tcti, size, arg);
	if (rc != TSS2_RC_SUCCESS) {
		int err = errno;

		/* Releases whatever a half-done init kept (fd, strdup). */
		Tss2_Tcti_Finalize(tcti);
		r = tpm_tss_error(t, rc);
		if ((rc & RC_BASE_MASK) == TSS2_BASE_RC_IO_ERROR && err > 0)
			r = -err;
		return r;
	}
	if (type->has_fd) {
		r = set_tcti_cloexec(tcti);
		if (r < 0) {
			Tss2_Tcti_Finalize(tcti);
			return r;
		}
	}
	t->tcti = tcti;
	return 0;
}

/* Initialise the SYS context after the TCTI's tcti_size bytes. */
static int open_sys(struct tpm *t, size_t tcti_size)
{
	TSS2_ABI_VERSION abi = TSS2_ABI_VERSION_CURRENT;
	size_t offset = align_up(tcti_size);
	size_t sys_size = Tss2_Sys_GetContextSize(0);
	TSS2_SYS_CONTEXT *sys;
	TSS2_RC rc;

	if (offset > TPM_CONTEXT_MAX || sys_size > TPM_CONTEXT_MAX - offset)
		return -OCIBOOT_ETOOBIG;
	sys = (TSS2_SYS_CONTEXT *)(t->storage + offset);
	rc = Tss2_Sys_Initialize(sys, sys_size, t->tcti, &abi);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	t->sys = sys;
	return 0;
}

int tpm_open(struct tpm *t, const char *conf)
{
	const struct tcti_type *type;
	const char *arg = NULL;
	size_t tcti_size = 0;
	int r;

	/* A zeroed TCTI area tells Tss2_Tcti_Finalize nothing was set up. */
	memset(t, 0, sizeof(*t));
	if (!conf)
		return -EINVAL;
	if (strnlen(conf, TPM_CONF_MAX) >= TPM_CONF_MAX)
		return -ENAMETOOLONG;
	type = find_tcti(conf, &arg);
	if (!type || !*arg)
		return -EINVAL;

	r = open_tcti(t, type, arg, &tcti_size);
	if (r < 0)
		return r;
	r = open_sys(t, tcti_size);
	if (r < 0) {
		tpm_close(t);
		return r;
	}
	return 0;
}

void tpm_close(struct tpm *t)
{
	tpm_unprotect(t);
	if (t->sys)
		Tss2_Sys_Finalize(t->sys);
	if (t->tcti)
		Tss2_Tcti_Finalize((TSS2_TCTI_CONTEXT *)t->tcti);
	t->sys = NULL;
	t->tcti = NULL;
}

int tpm_execute(struct tpm *t)
{
	TSS2_RC rc;

	rc = Tss2_Sys_ExecuteAsync(t->sys);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	rc = Tss2_Sys_ExecuteFinish(t->sys, TPM_COMMAND_TIMEOUT_MS);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	return 0;
}

/* The sha256 bank with one PCR selected. */
static void select_pcr(TPML_PCR_SELECTION *sel, unsigned pcr)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = PCR_SELECT_LEN;
	sel->pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t)(1U << (pcr % 8));
}

/* Whether the TPM's selection is ours: same bank, same bits set. */
static bool selection_matches(const TPML_PCR_SELECTION *want,
			      const TPML_PCR_SELECTION *got)
{
	const TPMS_PCR_SELECTION *w = &want->pcrSelections[0];
	const TPMS_PCR_SELECTION *g = &got->pcrSelections[0];

	if (got->count != 1 || g->hash != w->hash)
		return false;
	for (size_t i = 0; i < TPM2_PCR_SELECT_MAX; i++) {
		uint8_t wb = i < w->sizeofSelect ? w->pcrSelect[i] : 0;
		uint8_t gb = i < g->sizeofSelect ? g->pcrSelect[i] : 0;

		if (wb != gb)
			return false;
	}
	return true;
}

/*
 * Bytes of a PCR_Read answer's parameters: pcrUpdateCounter, the selection
 * (count, hash, sizeofSelect, bitmap), the digest list (count, size, bytes).
 */
static size_t pcr_read_params_len(const TPML_PCR_SELECTION *sel)
{
	return 4 + 4 + 2 + 1 + sel->pcrSelections[0].sizeofSelect +
	       4 + 2 + TPM_SHA256_LEN;
}

/* The parameters must end exactly where the one digest ends. */
static int check_params_len(struct tpm *t, const TPML_PCR_SELECTION *sel)
{
	const uint8_t *params;
	size_t len;
	TSS2_RC rc;

	rc = Tss2_Sys_GetRpBuffer(t->sys, &len, &params);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	if (len != pcr_read_params_len(sel))
		return -OCIBOOT_EMALFORMED;
	return 0;
}

int tpm_pcr_read_sha256(struct tpm *t, unsigned pcr,
			uint8_t digest[TPM_SHA256_LEN])
{
	TPML_PCR_SELECTION want, got = { 0 };
	TPML_DIGEST values = { 0 };
	UINT32 update_counter = 0;
	TSS2_RC rc;
	int r;

	t->last_rc = 0;
	if (!t->sys)
		return -EBADF;
	if (pcr >= TPM_PCR_COUNT)
		return -EINVAL;
	select_pcr(&want, pcr);

	rc = Tss2_Sys_PCR_Read_Prepare(t->sys, &want);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);
	r = tpm_execute(t);
	if (r < 0)
		return r;
	rc = Tss2_Sys_PCR_Read_Complete(t->sys, &update_counter, &got,
					&values);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_tss_error(t, rc);

	if (!selection_matches(&want, &got))
		return -OCIBOOT_EPROTO;
	if (values.count != 1 || values.digests[0].size != TPM_SHA256_LEN)
		return -OCIBOOT_EPROTO;
	r = check_params_len(t, &got);
	if (r < 0)
		return r;
	memcpy(digest, values.digests[0].buffer, TPM_SHA256_LEN);
	return 0;
}

int tpm_open_tcti(struct tpm *t, size_t tcti_size)
{
	t->esys = NULL;		/* protection is tpm_protect()'s to start */
	t->tcti = t->storage;
	return open_sys(t, tcti_size);
}
