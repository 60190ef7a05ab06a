/* SPDX-License-Identifier: MIT */
/*
 * Why a certificate, a chain or a signature was refused: one reason per
 * check, kept distinct up to the line the boot log prints. crypto/dn.h,
 * crypto/x509.h and crypto/signature.h fill a struct error (lib/error.h)
 * next to their -errno / -OCIBOOT_E* return values, with the reason as
 * its error_reason and the certificate it was about (position, subject,
 * issuer, validity) already rendered into its what and why; every
 * function taking a struct error * accepts NULL.
 */
#ifndef OCIBOOT_VERIFY_ERROR_H
#define OCIBOOT_VERIFY_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

enum verify_reason {
	VERIFY_OK = 0,
	/* Loading the CA certificates (trust anchors). */
	VERIFY_CA_READ,			/* code: -errno */
	VERIFY_CA_PEM,			/* bad PEM, or no CERTIFICATE */
	VERIFY_CA_EMPTY,		/* no certificate in the CA input */
	VERIFY_CA_MALFORMED,		/* with the BearSSL error, if any */
	VERIFY_CA_NOT_CA,		/* no basicConstraints CA:TRUE */
	VERIFY_CA_TOO_MANY,		/* over X509_ANCHORS_MAX */
	VERIFY_CA_KEY,			/* key type or curve unknown */
	VERIFY_CA_EXPIRED,		/* the issuing CA, at that time */
	/* The certificate chain. */
	VERIFY_CHAIN_PEM,
	VERIFY_CHAIN_EMPTY,
	VERIFY_CHAIN_TOO_LONG,		/* over X509_CHAIN_MAX */
	VERIFY_CERT_TOO_BIG,		/* over X509_CERT_MAX */
	VERIFY_CERT_MALFORMED,		/* with the BearSSL error, if any */
	VERIFY_CHAIN_ORDER,		/* issuer is not the next one */
	VERIFY_NOT_TRUSTED,		/* no trusted CA issued the chain */
	VERIFY_EXPIRED,			/* outside notBefore..notAfter */
	VERIFY_CERT_SIGNATURE,		/* an issuer's signature fails */
	VERIFY_ISSUER_NOT_CA,
	VERIFY_ISSUER_KEY_USAGE,	/* issuer lacks keyCertSign */
	VERIFY_CRITICAL_EXTENSION,	/* e.g. a critical extendedKeyUsage */
	VERIFY_ALGORITHM,		/* unsupported signature algorithm */
	VERIFY_RSA_TOO_SHORT,		/* under 2048 bits */
	VERIFY_RSA_TOO_LONG,		/* over 4096 bits */
	VERIFY_KEY_UNSUPPORTED,		/* not RSA, P-256 or P-384 */
	VERIFY_KEY_USAGE,		/* no digitalSignature */
	VERIFY_EXTENDED_KEY_USAGE,	/* EKU without codeSigning */
	VERIFY_SIGNER_IS_CA,		/* signer has basicConstraints CA or
					 * keyUsage keyCertSign */
	VERIFY_NO_USAGE,		/* neither keyUsage nor EKU */
	/* The signer's subject name. */
	VERIFY_NAME_MALFORMED,
	VERIFY_NAME_TOO_BIG,
	VERIFY_NO_SERIAL_NUMBER,
	VERIFY_TWO_SERIAL_NUMBERS,
	VERIFY_SERIAL_NUMBER_NOT_UUID,
	VERIFY_TWO_CN_PRODUCTS,		/* two CNs naming a product */
	VERIFY_CN_PRODUCT_NOT_UUID,
	VERIFY_PRODUCTS_DIFFER,		/* serialNumber, CN disagree */
	/* The detached signature. */
	VERIFY_SIGNATURE_MALFORMED,
	VERIFY_SIGNATURE_TOO_BIG,
	VERIFY_SIGNATURE_MISMATCH,
	VERIFY_REASON_COUNT
};

/* Which certificate a reason is about (struct verify_cert.position). */
#define VERIFY_CERT_NONE (-1)	/* none, or not known */
#define VERIFY_CERT_CA (-2)	/* a CA certificate (trust anchor) */
/* 0 is the signer's (product) certificate, 1... the intermediates in the
 * order the chain lists them. */

#define VERIFY_NAME_MAX 256	/* subject / issuer kept for the message */

/*
 * The certificate a failure is about, as far as it is known. Names are
 * DER (rendered with dn_format(), cut with "..." past VERIFY_NAME_MAX);
 * the times are shown only with the _EXPIRED reasons.
 */
struct verify_cert {
	int position;			/* VERIFY_CERT_* or a chain index */
	const uint8_t *subject;		/* DER Name, or NULL */
	size_t subject_len;
	const uint8_t *issuer;		/* DER Name, or NULL */
	size_t issuer_len;
	int64_t not_before;		/* the certificate's validity */
	int64_t not_after;
	int64_t time;			/* the validation time */
};

/*
 * Fill e (NULL is ignored) with a refusal, rendered once, here:
 *   code    ret;
 *   reason  reason (error_reason, so tests and callers branch on it);
 *   what    the certificate: its position ("signer certificate",
 *           "intermediate certificate 1", "CA certificate"), subject and
 *           issuer, e.g. "signer certificate 'CN=p, serialNumber=...'
 *           issued by 'CN=CA'"; empty when cert is NULL;
 *   why     verify_reason_string(reason), then for the _EXPIRED reasons
 *           " at TIME (valid from A to B)", and with bearssl_code != 0
 *           "BearSSL error N" in those parentheses (or its own).
 * The file a failure is about is added by the caller with error_at().
 * Returns ret, so a failure path can `return verify_fail(...)`.
 */
int verify_fail(struct error *e, int ret, enum verify_reason reason,
		const struct verify_cert *cert, int bearssl_code);

/*
 * Name the certificate (as verify_fail() does) in front of what e
 * already says, for a failure found by a function that did not know it
 * (dn_product_uuid() on a subject). Does nothing when e is NULL or holds
 * no failure.
 */
void verify_context(struct error *e, const struct verify_cert *cert);

/* A fixed phrase ("certificate not issued by a trusted CA"); never NULL. */
const char *verify_reason_string(enum verify_reason reason);

#endif
