/* SPDX-License-Identifier: MIT */
#include "crypto/verify_error.h"

#include <stdbool.h>

#include "crypto/cert.h"
#include "crypto/dn.h"
#include "lib/strbuf.h"

static const char *const reasons[VERIFY_REASON_COUNT] = {
	[VERIFY_OK] = "verified",
	[VERIFY_CA_READ] = "cannot read the CA certificate file",
	[VERIFY_CA_PEM] = "CA file is not PEM holding only CERTIFICATE objects",
	[VERIFY_CA_EMPTY] = "no certificate in the CA file",
	[VERIFY_CA_MALFORMED] = "CA certificate is malformed",
	[VERIFY_CA_NOT_CA] =
		"CA certificate lacks basicConstraints CA:TRUE",
	[VERIFY_CA_TOO_MANY] = "too many CA certificates",
	[VERIFY_CA_KEY] = "CA key type, size or curve not supported",
	[VERIFY_CA_EXPIRED] = "CA certificate expired or not yet valid",
	[VERIFY_CHAIN_PEM] = "certificate file is not valid PEM",
	[VERIFY_CHAIN_EMPTY] = "no certificate",
	[VERIFY_CHAIN_TOO_LONG] = "too many certificates in the chain",
	[VERIFY_CERT_TOO_BIG] = "certificate is over the size limit",
	[VERIFY_CERT_MALFORMED] = "certificate is malformed",
	[VERIFY_CHAIN_ORDER] =
		"certificate chain out of order (an issuer name is not the "
		"next certificate's subject)",
	[VERIFY_NOT_TRUSTED] = "certificate not issued by a trusted CA",
	[VERIFY_EXPIRED] = "certificate expired or not yet valid",
	[VERIFY_CERT_SIGNATURE] =
		"certificate signature does not verify with its issuer's key",
	[VERIFY_ISSUER_NOT_CA] = "issuer certificate is not a CA",
	[VERIFY_ISSUER_KEY_USAGE] =
		"issuer key usage does not allow certificate signing",
	[VERIFY_CRITICAL_EXTENSION] =
		"certificate has an unsupported critical extension "
		"(extendedKeyUsage must not be critical)",
	[VERIFY_ALGORITHM] =
		"unsupported certificate signature algorithm or key",
	[VERIFY_RSA_TOO_SHORT] = "RSA key shorter than 2048 bits",
	[VERIFY_RSA_TOO_LONG] = "RSA key longer than 4096 bits",
	[VERIFY_KEY_UNSUPPORTED] =
		"signing key is not RSA, ECDSA P-256 or ECDSA P-384",
	[VERIFY_KEY_USAGE] =
		"key usage does not include digitalSignature",
	[VERIFY_EXTENDED_KEY_USAGE] =
		"extended key usage does not allow code signing",
	[VERIFY_SIGNER_IS_CA] = "signing certificate is a CA certificate "
		"(basicConstraints CA:TRUE or keyUsage keyCertSign)",
	[VERIFY_NO_USAGE] = "signing certificate has neither keyUsage nor "
		"extendedKeyUsage (a manifest signer needs digitalSignature "
		"or codeSigning)",
	[VERIFY_NAME_MALFORMED] = "subject name is malformed",
	[VERIFY_NAME_TOO_BIG] = "subject name is over a size limit",
	[VERIFY_NO_SERIAL_NUMBER] = "no product in subject (a serialNumber, "
		"or a CN \"manifest PRODUCT:<uuid>\")",
	[VERIFY_TWO_SERIAL_NUMBERS] = "two serialNumbers in subject",
	[VERIFY_SERIAL_NUMBER_NOT_UUID] =
		"subject serialNumber is not a canonical UUID",
	[VERIFY_TWO_CN_PRODUCTS] =
		"two subject CNs start with \"manifest PRODUCT:\"",
	[VERIFY_CN_PRODUCT_NOT_UUID] = "subject CN \"manifest PRODUCT:\" is "
		"not followed by a canonical UUID",
	[VERIFY_PRODUCTS_DIFFER] = "subject serialNumber and CN \"manifest "
		"PRODUCT:\" name different products",
	[VERIFY_SIGNATURE_MALFORMED] = "signature is malformed",
	[VERIFY_SIGNATURE_TOO_BIG] = "signature is over the size limit",
	[VERIFY_SIGNATURE_MISMATCH] = "signature does not match",
};

const char *verify_reason_string(enum verify_reason reason)
{
	if ((unsigned)reason >= VERIFY_REASON_COUNT || !reasons[reason])
		return "unknown verification failure";
	return reasons[reason];
}

static bool is_expiry(enum verify_reason r)
{
	return r == VERIFY_EXPIRED || r == VERIFY_CA_EXPIRED;
}

/* PREFIX'NAME' for a DER Name (cut with "..."), or '(unreadable name)'. */
static void put_name(struct strbuf *sb, const char *prefix,
		     const uint8_t *dn, size_t len)
{
	char name[VERIFY_NAME_MAX];

	if (dn_format(dn, len, name, sizeof(name)) < 0 && !name[0])
		strbuf_printf(sb, "%s'(unreadable name)'", prefix);
	else
		strbuf_printf(sb, "%s'%s'", prefix, name);
}

/* "signer certificate 'SUBJECT' issued by 'ISSUER'" into what. */
static void describe(char *what, size_t size, const struct verify_cert *c)
{
	struct strbuf sb;

	strbuf_init(&sb, what, size);
	if (c->position == VERIFY_CERT_CA)
		strbuf_puts(&sb, "CA certificate");
	else if (c->position == 0)
		strbuf_puts(&sb, "signer certificate");
	else if (c->position > 0)
		strbuf_printf(&sb, "intermediate certificate %d",
			      c->position);
	else
		strbuf_puts(&sb, "certificate");
	if (c->subject)
		put_name(&sb, " ", c->subject, c->subject_len);
	if (c->issuer)
		put_name(&sb, " issued by ", c->issuer, c->issuer_len);
	strbuf_mark_cut(&sb, "...");
}

int verify_fail(struct error *e, int ret, enum verify_reason reason,
		const struct verify_cert *cert, int bearssl_code)
{
	char what[ERROR_WHAT_MAX] = "";
	char at[CERT_TIME_STRING_MAX], from[CERT_TIME_STRING_MAX];
	char to[CERT_TIME_STRING_MAX];
	char why[ERROR_WHY_MAX];
	struct strbuf sb;

	if (!e)
		return ret;
	if (cert)
		describe(what, sizeof(what), cert);
	strbuf_init(&sb, why, sizeof(why));
	strbuf_puts(&sb, verify_reason_string(reason));
	if (cert && is_expiry(reason)) {
		cert_time_format(cert->time, at);
		cert_time_format(cert->not_before, from);
		cert_time_format(cert->not_after, to);
		strbuf_printf(&sb, " at %s (valid from %s to %s", at, from,
			      to);
		strbuf_puts(&sb, bearssl_code ? "; " : ")");
	} else if (bearssl_code) {
		strbuf_puts(&sb, " (");
	}
	if (bearssl_code)
		strbuf_printf(&sb, "BearSSL error %d)", bearssl_code);
	error_set(e, ret, what[0] ? what : NULL, "%s", why);
	return error_reason(e, reason);
}

void verify_context(struct error *e, const struct verify_cert *cert)
{
	char what[ERROR_WHAT_MAX];

	if (!error_failed(e))
		return;
	describe(what, sizeof(what), cert);
	error_context(e, "%s", what);
}
