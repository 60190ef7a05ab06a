/* SPDX-License-Identifier: MIT */
#include "crypto/verify_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crypto/cert.h"
#include "lib/util.h"

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
	[VERIFY_KEY_USAGE] = "key usage does not allow digital signatures",
	[VERIFY_EXTENDED_KEY_USAGE] =
		"extended key usage does not allow code signing",
	[VERIFY_SIGNER_IS_CA] = "signing certificate is a CA certificate",
	[VERIFY_NAME_MALFORMED] = "subject name is malformed",
	[VERIFY_NAME_TOO_BIG] = "subject name is over a size limit",
	[VERIFY_NO_SERIAL_NUMBER] = "no serialNumber in subject",
	[VERIFY_TWO_SERIAL_NUMBERS] = "two serialNumbers in subject",
	[VERIFY_SERIAL_NUMBER_NOT_UUID] =
		"subject serialNumber is not a canonical UUID",
	[VERIFY_SIGNATURE_MALFORMED] = "signature is malformed",
	[VERIFY_SIGNATURE_TOO_BIG] = "signature is over the size limit",
	[VERIFY_SIGNATURE_MISMATCH] = "signature does not match",
};

void verify_error_clear(struct verify_error *e)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->reason = VERIFY_OK;
	e->cert = VERIFY_CERT_NONE;
}

int verify_fail(struct verify_error *e, int ret, enum verify_reason reason,
		int cert, int detail)
{
	if (e) {
		e->reason = reason;
		e->cert = cert;
		e->detail = detail;
	}
	return ret;
}

const char *verify_reason_string(enum verify_reason reason)
{
	if ((unsigned)reason >= VERIFY_REASON_COUNT || !reasons[reason])
		return "unknown verification failure";
	return reasons[reason];
}

struct line {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len + 1 >= l->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n;
	if (l->len >= l->size)
		l->len = l->size - 1;
}

static bool is_expiry(enum verify_reason r)
{
	return r == VERIFY_EXPIRED || r == VERIFY_CA_EXPIRED;
}

static void add_certificate(struct line *l, const struct verify_error *e)
{
	char from[CERT_TIME_STRING_MAX], to[CERT_TIME_STRING_MAX];

	if (e->cert == VERIFY_CERT_CA)
		add(l, "CA certificate");
	else if (e->cert == 0)
		add(l, "signer certificate");
	else if (e->cert > 0)
		add(l, "intermediate certificate %d", e->cert);
	else
		add(l, "certificate");
	if (e->subject[0])
		add(l, " '%s'", e->subject);
	if (e->issuer[0])
		add(l, " issued by '%s'", e->issuer);
	if (is_expiry(e->reason)) {
		cert_time_format(e->not_before, from);
		cert_time_format(e->not_after, to);
		add(l, ", valid from %s to %s", from, to);
	}
}

size_t verify_error_format(const struct verify_error *e, char *buf,
			   size_t size)
{
	struct line l = { buf, size, 0 };
	char at[CERT_TIME_STRING_MAX];
	bool about_cert;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	add(&l, "%s", verify_reason_string(e->reason));
	if (is_expiry(e->reason)) {
		cert_time_format(e->time, at);
		add(&l, " at %s", at);
	}
	about_cert = e->cert != VERIFY_CERT_NONE || e->subject[0] ||
		     e->issuer[0];
	if (about_cert || e->file[0] || e->detail) {
		add(&l, " (");
		if (e->file[0])
			add(&l, "%s%s", e->file, about_cert ? ": " : "");
		if (about_cert)
			add_certificate(&l, e);
		if (e->detail)
			add(&l, "%s", about_cert || e->file[0] ? "; " : "");
		if (e->detail && e->reason == VERIFY_CA_READ)
			add(&l, "%s", strerror(e->detail));
		else if (e->detail)
			add(&l, "BearSSL error %d", e->detail);
		add(&l, ")");
	}
	return l.len;
}
