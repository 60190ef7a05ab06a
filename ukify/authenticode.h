/* SPDX-License-Identifier: MIT */
/*
 * Authenticode signatures of PE32+ images, as UEFI Secure Boot checks
 * them, made and read with OpenSSL.
 *
 * The image digest is SHA-256 over: the headers up to SizeOfHeaders less
 * the CheckSum field and the certificate-table directory entry; each
 * section's raw data in file order; then any bytes after the last section
 * that are not the certificate table.
 *
 * A signature is PKCS#7 SignedData over SpcIndirectDataContent
 * (SpcPeImageData + that digest), signed with SHA-256 and RSA, the signer
 * certificate included, with signed attributes contentType,
 * SpcSpOpusInfo (empty), signingTime and messageDigest. signingTime is set
 * from the caller's clock value, never the current time, so the same
 * image, key, certificate and time give the same bytes (RSA PKCS#1 v1.5 is
 * deterministic). It is stored as one WIN_CERTIFICATE (revision 2.0, type
 * PKCS_SIGNED_DATA) appended at the end, padded to 8 bytes, which the
 * certificate directory entry points at; the PE CheckSum is then
 * recomputed over the whole file.
 */
#ifndef OCIBOOT_UKIFY_AUTHENTICODE_H
#define OCIBOOT_UKIFY_AUTHENTICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/sha256.h"
#include "lib/error.h"
#include "ukify/pe.h"

#define AUTHENTICODE_PEM_MAX (64u << 10)	/* bytes of a key or cert */
#define AUTHENTICODE_RSA_BITS_MIN 2048
#define AUTHENTICODE_SUBJECT_MAX 512	/* bytes of a printed subject */

/*
 * The Authenticode SHA-256 digest of buf (pe parsed from the same bytes).
 * Returns 0.
 */
int authenticode_digest(const uint8_t *buf, const struct pe_image *pe,
			uint8_t digest[SHA256_LEN]);

/*
 * Sign the unsigned PE image img[0..len) with the PEM private key (not
 * encrypted; RSA of at least AUTHENTICODE_RSA_BITS_MIN bits) and PEM
 * certificate given as text, signing time signing_time. Writes the signed
 * image to a new malloc'd buffer *out (*out_len bytes, owned by the
 * caller); img is not changed. Returns 0; -OCIBOOT_EMALFORMED when img is
 * not a valid PE32+ image or the key or certificate does not parse;
 * -EEXIST when img is already signed; -EINVAL when the key is not RSA, is
 * too short or does not match the certificate, or the image has no
 * certificate directory entry; -ENOMEM; -EIO when OpenSSL fails otherwise.
 * On failure err (NULL: not wanted) says what was wrong in its why.
 */
int authenticode_sign(const uint8_t *img, size_t len, const char *key_pem,
		      size_t key_len, const char *cert_pem, size_t cert_len,
		      time_t signing_time, uint8_t **out, size_t *out_len,
		      struct error *err);

struct authenticode_info {
	bool digest_matches;		/* signed digest == image digest */
	bool signature_valid;		/* by the embedded signer cert */
	char subject[AUTHENTICODE_SUBJECT_MAX]; /* signer, RFC 2253 */
	char signing_time[32];		/* "YYYY-MM-DD HH:MM:SS" or "" */
};

/*
 * Read the first Authenticode signature of a parsed image: the signer's
 * subject, whether the digest it signs is this image's, and whether the
 * PKCS#7 signature verifies with the signer certificate it carries (the
 * certificate itself is not checked against any trust anchor). Returns 0;
 * -ENOENT when the image is unsigned; -OCIBOOT_EMALFORMED when the
 * certificate table or the PKCS#7 structure does not parse.
 */
int authenticode_inspect(const uint8_t *buf, const struct pe_image *pe,
			 struct authenticode_info *info);

#endif
