/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the TPM responses tpm.c parses. The first input byte
 * chooses the PCR to read; the rest is what the TPM answers, handed to
 * tss2-sys through a fake TCTI (tpm/tpm_fake.h), as tpm_test.c does (this
 * file includes tpm/tpm.c to reach its internals). A read that succeeds
 * must come from a PCR_Read answer laid out exactly as TPM 2.0 part 3 says,
 * selecting that PCR in the sha256 bank, and its digest must be the 32
 * bytes at the end of the answer; a read that fails must leave the digest
 * alone. Either way the TPM closes cleanly.
 *
 * tss2-sys trusts the size in the response header and parses that many
 * bytes of its buffer, whatever the TCTI received; the kernel's TPM driver
 * and tcti-swtpm only deliver responses whose header size is their length.
 * So does this target: it writes the length into the header, as
 * tpm_test.c's truncation test does, and fuzzes everything else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tpm/tpm.c"

#include "lib/endian.h"
#include "tpm/tpm_fake.h"

#define HEADER_LEN 10		/* tag, size, rc */
#define SELECT_LEN_OFFSET 20	/* sizeofSelect, after counter, count, hash */
#define SENTINEL 0x5a

/* The checks a successful read must have made, done again by hand. */
static void check_success(const uint8_t *rsp, size_t len, unsigned pcr,
			  const uint8_t digest[TPM_SHA256_LEN])
{
	size_t select_len, digest_at;

	if (len < SELECT_LEN_OFFSET + 1 || be32_load(rsp + 2) != len)
		abort();
	select_len = rsp[SELECT_LEN_OFFSET];
	digest_at = SELECT_LEN_OFFSET + 1 + select_len + 4 + 2;
	if (be32_load(rsp + 6) != 0 || len != digest_at + TPM_SHA256_LEN ||
	    be32_load(rsp + HEADER_LEN + 4) != 1 ||
	    be16_load(rsp + HEADER_LEN + 8) != TPM2_ALG_SHA256 ||
	    pcr / 8 >= select_len ||
	    !(rsp[SELECT_LEN_OFFSET + 1 + pcr / 8] & (1U << (pcr % 8))) ||
	    memcmp(digest, rsp + digest_at, TPM_SHA256_LEN) != 0)
		abort();
}

static bool untouched(const uint8_t digest[TPM_SHA256_LEN])
{
	for (size_t i = 0; i < TPM_SHA256_LEN; i++)
		if (digest[i] != SENTINEL)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tpm t;
	struct tpm_fake_tcti *f = (struct tpm_fake_tcti *)t.storage;
	uint8_t digest[TPM_SHA256_LEN], rsp[TPM_FAKE_RESPONSE_MAX];
	size_t len;
	unsigned pcr;
	int r;

	if (size < 1 || size - 1 > TPM_FAKE_RESPONSE_MAX)
		return 0;
	pcr = data[0] % TPM_PCR_COUNT;
	len = size - 1;
	memcpy(rsp, data + 1, len);
	if (len >= 6)
		be32_store(rsp + 2, (uint32_t)len);
	memset(&t, 0, sizeof(t));
	tpm_fake_init(f, rsp, len);
	t.tcti = f;
	if (open_sys(&t, sizeof(*f)) < 0)
		abort();
	memset(digest, SENTINEL, sizeof(digest));
	r = tpm_pcr_read_sha256(&t, pcr, digest);
	if (r == 0) {
		if (t.last_rc != 0)
			abort();
		check_success(rsp, len, pcr, digest);
	} else if (r == -EBADF || !untouched(digest)) {
		abort();
	}
	tpm_close(&t);
	if (f->finalized != 1 || t.tcti || t.sys)
		abort();
	return 0;
}
