/* SPDX-License-Identifier: MIT */
/*
 * The fields of one DER X.509 certificate that BearSSL's chain validation
 * does not hand back: issuer and subject names, validity, basicConstraints
 * and extendedKeyUsage. Read from untrusted bytes; the structure of the
 * whole certificate is checked (RFC 5280, DER), signatures are not (that
 * is BearSSL's job, crypto/x509.h). Nothing here allocates or logs.
 */
#ifndef OCIBOOT_CERT_H
#define OCIBOOT_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CERT_MAX 4096		/* bytes of one certificate */
#define CERT_EXTENSIONS_MAX 32
#define CERT_EKU_MAX 32		/* key purposes in extendedKeyUsage */
/* cert_time_format() output: "2024-01-31T23:59:59Z" and a NUL; years
 * beyond 9999 or before 0 are printed as they are, so a little more. */
#define CERT_TIME_STRING_MAX 32

/* keyUsage bits (RFC 5280 4.2.1.3), as cert_info.key_usage holds them. */
#define CERT_KU_DIGITAL_SIGNATURE (1u << 0)
#define CERT_KU_NON_REPUDIATION (1u << 1)
#define CERT_KU_KEY_CERT_SIGN (1u << 5)

struct cert_info {
	/* DER Names, pointing inside the certificate. */
	const uint8_t *issuer;
	size_t issuer_len;
	const uint8_t *subject;
	size_t subject_len;
	int64_t not_before;		/* Unix seconds */
	int64_t not_after;
	bool ca;			/* basicConstraints with cA TRUE */
	bool has_key_usage;		/* a keyUsage extension */
	uint16_t key_usage;		/* its bits: CERT_KU_* */
	bool has_eku;			/* an extendedKeyUsage extension */
	bool eku_critical;		/* it is marked critical */
	bool eku_code_signing;		/* codeSigning or anyEKU in it */
};

/*
 * Parse the certificate der[0..len) (exactly one, no trailing bytes) into
 * *out, whose name pointers then point into der. Checks: the Certificate
 * and TBSCertificate layout (version 1 to 3, extensions only in v3), the
 * names' structure (crypto/dn.h), UTCTime / GeneralizedTime in their DER
 * form ("YYMMDDHHMMSSZ", "YYYYMMDDHHMMSSZ") with valid dates, at most
 * CERT_EXTENSIONS_MAX extensions and none twice, and the contents of
 * basicConstraints, keyUsage (a BIT STRING of 1 or 2 bytes) and
 * extendedKeyUsage. Returns 0, -OCIBOOT_ETOOBIG (over
 * CERT_MAX or a cap) or -OCIBOOT_EMALFORMED; *out is written only on
 * success.
 */
int cert_parse(const void *der, size_t len, struct cert_info *out);

/*
 * Parse the contents of a UTCTime (tag DER_UTC_TIME) or GeneralizedTime
 * (DER_GENERALIZED_TIME) into Unix seconds. UTCTime years 50..99 are
 * 1950..1999. Returns 0 or -OCIBOOT_EMALFORMED (*out untouched).
 */
int cert_time_parse(uint8_t tag, const uint8_t *s, size_t len, int64_t *out);

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (UTC, proleptic Gregorian). */
void cert_time_format(int64_t t, char buf[CERT_TIME_STRING_MAX]);

#endif
