/* SPDX-License-Identifier: MIT */
/*
 * Why a certificate, a chain or a signature was refused: one reason per
 * check, kept distinct up to the line the boot log prints, plus the
 * certificate it was about. Filled by crypto/dn.h, crypto/x509.h and
 * crypto/signature.h next to their -errno / -OCIBOOT_E* return values;
 * every function taking a struct verify_error * accepts NULL.
 */
#ifndef OCIBOOT_VERIFY_ERROR_H
#define OCIBOOT_VERIFY_ERROR_H

#include <stddef.h>
#include <stdint.h>

enum verify_reason {
	VERIFY_OK = 0,
	/* Loading the CA certificates (trust anchors). */
	VERIFY_CA_READ,			/* detail: errno */
	VERIFY_CA_PEM,			/* bad PEM, or no CERTIFICATE */
	VERIFY_CA_EMPTY,		/* no certificate in the CA input */
	VERIFY_CA_MALFORMED,		/* detail: BearSSL error, or 0 */
	VERIFY_CA_NOT_CA,		/* no basicConstraints CA:TRUE */
	VERIFY_CA_TOO_MANY,		/* over X509_ANCHORS_MAX */
	VERIFY_CA_KEY,			/* key type or curve unknown */
	VERIFY_CA_EXPIRED,		/* the issuing CA, at that time */
	/* The certificate chain. */
	VERIFY_CHAIN_PEM,
	VERIFY_CHAIN_EMPTY,
	VERIFY_CHAIN_TOO_LONG,		/* over X509_CHAIN_MAX */
	VERIFY_CERT_TOO_BIG,		/* over X509_CERT_MAX */
	VERIFY_CERT_MALFORMED,		/* detail: BearSSL error, or 0 */
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
	VERIFY_SIGNER_IS_CA,		/* signer has basicConstraints CA */
	/* The signer's subject name. */
	VERIFY_NAME_MALFORMED,
	VERIFY_NAME_TOO_BIG,
	VERIFY_NO_SERIAL_NUMBER,
	VERIFY_TWO_SERIAL_NUMBERS,
	VERIFY_SERIAL_NUMBER_NOT_UUID,
	/* The detached signature. */
	VERIFY_SIGNATURE_MALFORMED,
	VERIFY_SIGNATURE_TOO_BIG,
	VERIFY_SIGNATURE_MISMATCH,
	VERIFY_REASON_COUNT
};

/* Which certificate a reason is about (struct verify_error.cert). */
#define VERIFY_CERT_NONE (-1)	/* none, or not known */
#define VERIFY_CERT_CA (-2)	/* a CA certificate (trust anchor) */
/* 0 is the signer's (product) certificate, 1... the intermediates in the
 * order the chain lists them. */

#define VERIFY_NAME_MAX 256	/* subject / issuer kept for the message */
#define VERIFY_FILE_MAX 96	/* file name kept for the message */

struct verify_error {
	enum verify_reason reason;
	int cert;			/* VERIFY_CERT_* or a chain index */
	int detail;			/* errno or BearSSL BR_ERR_*, or 0 */
	int64_t time;			/* validation time, Unix seconds */
	int64_t not_before;		/* the certificate's validity, */
	int64_t not_after;		/* for the _EXPIRED reasons */
	char subject[VERIFY_NAME_MAX];	/* "" when not known; may end */
	char issuer[VERIFY_NAME_MAX];	/* in "..." when cut short */
	char file[VERIFY_FILE_MAX];	/* CA file being loaded, or "" */
};

/* Reset to VERIFY_OK, no certificate, empty strings. NULL is ignored. */
void verify_error_clear(struct verify_error *e);

/*
 * Set e's reason, certificate and detail, keeping the rest. NULL is
 * ignored. Returns ret, so a failure path can `return verify_fail(...)`.
 */
int verify_fail(struct verify_error *e, int ret, enum verify_reason reason,
		int cert, int detail);

/* A fixed phrase ("certificate not issued by a trusted CA"); never NULL. */
const char *verify_reason_string(enum verify_reason reason);

/*
 * The one-line message for the log: the reason, then what is known (the
 * time, the certificate's position, subject, issuer and validity, the
 * file, BearSSL's code or strerror), e.g.
 *   certificate expired or not yet valid at 2031-01-01T00:00:00Z
 *   (signer certificate 'CN=p, serialNumber=...', valid from
 *   2024-01-01T00:00:00Z to 2025-01-01T00:00:00Z)
 * Written to buf[size] NUL-terminated, cut short when it does not fit.
 * Returns the length written.
 */
size_t verify_error_format(const struct verify_error *e, char *buf,
			   size_t size);

#endif
