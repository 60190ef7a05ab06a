/* SPDX-License-Identifier: MIT */
/*
 * The crypto tpm2-tss's ESAPI needs for salted sessions and parameter
 * encryption, over BearSSL, for Esys_SetCryptoCallbacks(): ociboot builds
 * tss2-esys with no crypto backend of its own (scripts/deps.sh).
 *
 *   hash_*     sha1, sha256, sha384, sha512 (br_*_vtable)
 *   hmac_*     HMAC over the same (br_hmac)
 *   get_random2b   getrandom(): the kernel's CSPRNG, waiting until it is
 *                  seeded (the nonces and the ephemeral key must not be
 *                  guessable)
 *   get_ecdh_point an ephemeral P-256 key (br_ec_p256_m31) against the
 *                  TPM key's point: Z = x(d * Q_tpm), Q = the ephemeral
 *                  public point, marshalled into the encrypted salt (ESAPI
 *                  derives the salt from Z with KDFe itself)
 *   aes_*      AES-128/192/256 in CFB-128, the only mode TPM parameter
 *              encryption uses; BearSSL has no CFB, so it is built here
 *              from the block cipher (br_aes_ct64)
 *   rsa_pk_encrypt refuses (TSS2_ESYS_RC_NOT_IMPLEMENTED): ociboot salts
 *                  with an ECC key only; ESAPI requires the pointer
 *   sm4_*      NULL (ESAPI's own NULL default)
 *
 * Hash and HMAC contexts are calloc()ed (fixed size) and freed by finish or
 * abort, as ESAPI expects of a backend. Nothing here logs.
 */
#ifndef OCIBOOT_TPM_CRYPTO_BEARSSL_H
#define OCIBOOT_TPM_CRYPTO_BEARSSL_H

#include <tss2/tss2_esys.h>

/* Fill cb with the BearSSL callbacks (userdata NULL). */
void tpm_crypto_bearssl(ESYS_CRYPTO_CALLBACKS *cb);

#endif
