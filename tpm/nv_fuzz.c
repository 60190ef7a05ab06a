/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the TPM answers tpm/nv.c, tpm/key.c and
 * tpm/loaded.c take apart: the first byte chooses the command
 * (NV_ReadPublic, NV_Read of up to 64 bytes with a password, GetRandom of
 * up to 32 bytes, a PolicyPCR session, a key's ReadPublic, a Sign under a
 * policy session; from 252 on, the loaded handles counted or flushed),
 * the second its length; the rest is what the TPM answers every command with,
 * handed to tss2-sys through the fake TCTI, the header's size set to the
 * answer's length as a TCTI delivers it (see tpm_fuzz.c). A success must
 * hold what was asked for; a failure must leave the output alone; the TPM
 * closes cleanly either way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"
#include "tpm/key.h"
#include "tpm/loaded.h"
#include "tpm/nv.h"
#include "tpm/tpm_fake.h"

#define INDEX 0x01500111U
#define SENTINEL 0x5a
#define READ_MAX 64
/* First bytes below it choose as they did before the loaded handles came,
 * so that the seeds keep their meaning. */
#define LOADED_FIRST 252

static bool untouched(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != SENTINEL)
			return false;
	return true;
}

static void run_read_public(struct tpm *t)
{
	struct tpm_nv_public pub;

	memset(&pub, SENTINEL, sizeof(pub));
	if (tpm_nv_read_public(t, INDEX, &pub) == 0) {
		if (pub.index != INDEX || pub.size > TPM_NV_DATA_MAX ||
		    pub.policy_len > TPM_NV_POLICY_MAX)
			abort();
	} else if (!untouched((const uint8_t *)&pub, sizeof(pub))) {
		abort();
	}
}

static void run_read(struct tpm *t, size_t len)
{
	uint8_t buf[READ_MAX];
	struct tpm_auth a;

	tpm_auth_password(&a, NULL, 0);
	memset(buf, SENTINEL, sizeof(buf));
	if (tpm_nv_read(t, INDEX, INDEX, &a, buf, len, 0) != 0 &&
	    !untouched(buf, len))
		abort();
	if (!untouched(buf + len, sizeof(buf) - len))
		abort();
}

static void run_random(struct tpm *t, size_t len)
{
	uint8_t buf[TPM_RANDOM_MAX];

	memset(buf, SENTINEL, sizeof(buf));
	if (tpm_get_random(t, buf, len) != 0 && !untouched(buf, len))
		abort();
	if (!untouched(buf + len, sizeof(buf) - len))
		abort();
}

static void run_key(struct tpm *t)
{
	struct tpm_key_public pub;

	memset(&pub, SENTINEL, sizeof(pub));
	if (tpm_key_read_public(t, 0x81000100U, &pub) == 0) {
		if (pub.point[0] != 0x04 || pub.policy_len > TPM_NV_POLICY_MAX)
			abort();
	}
}

static void run_sign(struct tpm *t)
{
	uint8_t digest[TPM_SHA256_LEN] = { 0 }, sig[2 * TPM_KEY_COORD_LEN];

	memset(sig, SENTINEL, sizeof(sig));
	if (tpm_key_sign(t, 0x81000100U, digest, sig) != 0 &&
	    !untouched(sig, sizeof(sig)))
		abort();
}

static void run_session(struct tpm *t)
{
	uint32_t session = 0;

	if (tpm_policy_session_pcr(t, 7, &session) == 0 &&
	    (session >> 24) != 0x03)
		abort();
}

/* A count holds what one answer can list, three times at most. */
static void run_count(struct tpm *t)
{
	struct tpm_loaded l;

	if (tpm_loaded_count(t, &l) == 0 &&
	    (l.objects > TPM_LOADED_MAX || l.sessions > 2 * TPM_LOADED_MAX))
		abort();
}

/* A flush ends, and flushes no more than its rounds allow. */
static void run_flush(struct tpm *t)
{
	struct tpm_loaded f;

	tpm_flush_loaded(t, &f);
	if (f.objects > TPM_FLUSH_ROUNDS * TPM_LOADED_MAX ||
	    f.sessions > 2 * TPM_FLUSH_ROUNDS * TPM_LOADED_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tpm t;
	struct tpm_fake_tcti *f = (struct tpm_fake_tcti *)t.storage;
	uint8_t rsp[TPM_FAKE_RESPONSE_MAX];
	size_t len;

	if (size < 2 || size - 2 > TPM_FAKE_RESPONSE_MAX)
		return 0;
	len = size - 2;
	memcpy(rsp, data + 2, len);
	if (len >= 6)
		be32_store(rsp + 2, (uint32_t)len);
	memset(&t, 0, sizeof(t));
	tpm_fake_init(f, rsp, len);
	if (tpm_open_tcti(&t, sizeof(*f)) < 0)
		abort();
	switch (data[0] < LOADED_FIRST ? data[0] % 6 : 6 + data[0] % 2) {
	case 0:
		run_read_public(&t);
		break;
	case 1:
		run_read(&t, data[1] % (READ_MAX + 1));
		break;
	case 2:
		run_random(&t, data[1] % (TPM_RANDOM_MAX + 1));
		break;
	case 3:
		run_session(&t);
		break;
	case 4:
		run_key(&t);
		break;
	case 5:
		run_sign(&t);
		break;
	case 6:
		run_count(&t);
		break;
	default:
		run_flush(&t);
		break;
	}
	tpm_close(&t);
	if (f->finalized != 1 || t.tcti || t.sys)
		abort();
	return 0;
}
