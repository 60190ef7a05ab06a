/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for authenticode_inspect(): the signature of a PE image
 * as `ociboot ukify` reads it from any image it is given (a PKCS#7 parsed
 * by OpenSSL, then our reading of SpcIndirectDataContent, its digest and
 * the signer's details).
 *
 * An input starting with "MZ" is a whole image. Any other input is the
 * PKCS#7 DER alone: it is placed, in one WIN_CERTIFICATE (revision 2.0,
 * PKCS_SIGNED_DATA), after a valid two-section fixture image whose
 * certificate directory points at it, so every mutation reaches the
 * signature reader. Whatever is read must be a documented result, with
 * NUL-terminated subject and signing time inside their fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"
#include "lib/util.h"
#include "ukify/authenticode.h"
#include "ukify/pe.h"
#include "ukify/pe_fixture.h"

#define FIXTURE_CAP 0x2000

static struct pe_image pe;

/*
 * No leak detection in this target. What authenticode_inspect() allocates,
 * OpenSSL allocates, and OpenSSL is built without frame pointers, so the
 * stack of each allocation ends at CRYPTO_zalloc(): a leak could not be
 * told to be ours or OpenSSL's own. And OpenSSL 3.0 (3.0.19 here) does
 * leak, in PKCS7_verify(): given content in a memory BIO, as
 * authenticode.c gives it, it copies it into a new one, which it does not
 * free when PKCS7_dataInit() then fails (the seed unknown-digest-algorithm
 * does it); OpenSSL's master no longer makes the copy
 * (crypto/pkcs7/pk7_smime.c). libFuzzer would then run a whole-heap leak
 * check after each such input that adds coverage, up to a thousand of
 * them: ten times the cost of the target itself. The authenticode unit
 * tests, under LeakSanitizer, free on every path they take.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static void check(const uint8_t *buf, size_t len)
{
	struct authenticode_info info;
	int r;

	if (pe_parse(buf, len, &pe) < 0)
		return;
	r = authenticode_inspect(buf, &pe, &info);
	if (r != 0 && r != -ENOENT && r != -OCIBOOT_EMALFORMED &&
	    r != -OCIBOOT_ETOOBIG)
		abort();
	if (!memchr(info.subject, '\0', sizeof(info.subject)) ||
	    !memchr(info.signing_time, '\0', sizeof(info.signing_time)))
		abort();
	if (r != 0 && (info.digest_matches || info.signature_valid ||
		       info.subject[0] || info.signing_time[0]))
		abort();
}

/* The fixture image with der[0..len) as its one signature. */
static void check_signature(const uint8_t *der, size_t len)
{
	size_t image, padded, total;
	uint8_t *buf = malloc(FIXTURE_CAP);
	uint8_t *dir, *whole;

	if (!buf)
		abort();
	image = pe_fixture_simple(buf, FIXTURE_CAP);
	padded = (PE_WIN_CERT_HEADER_LEN + len + 7) & ~(size_t)7;
	total = image + padded;
	whole = malloc(total);
	if (!whole)
		abort();
	memcpy(whole, buf, image);
	memset(whole + image, 0, padded);
	le32_store(whole + image, (uint32_t)(PE_WIN_CERT_HEADER_LEN + len));
	le16_store(whole + image + 4, PE_WIN_CERT_REVISION_2);
	le16_store(whole + image + 6, PE_WIN_CERT_TYPE_PKCS_SIGNED_DATA);
	memcpy(whole + image + PE_WIN_CERT_HEADER_LEN, der, len);
	dir = whole + PE_FIXTURE_OPT + PE_OPT_DATA_DIRS +
	      8 * PE_DIR_CERTIFICATE;
	le32_store(dir, (uint32_t)image);
	le32_store(dir + 4, (uint32_t)padded);
	check(whole, total);
	free(whole);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 'M' && data[1] == 'Z') {
		uint8_t *copy = malloc(size);

		if (!copy)
			abort();
		memcpy(copy, data, size);
		check(copy, size);
		free(copy);
		return 0;
	}
	if (size <= UINT32_MAX - 2 * PE_WIN_CERT_HEADER_LEN)
		check_signature(data, size);
	return 0;
}
