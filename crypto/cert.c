/* SPDX-License-Identifier: MIT */
#include "crypto/cert.h"

#include <stdio.h>
#include <string.h>

#include "crypto/der.h"
#include "crypto/dn.h"
#include "lib/constants.h"
#include "lib/util.h"

static const uint8_t oid_basic_constraints[] = { 0x55, 0x1d, 0x13 };
static const uint8_t oid_extended_key_usage[] = { 0x55, 0x1d, 0x25 };
static const uint8_t oid_key_usage[] = { 0x55, 0x1d, 0x0f };
/* id-kp-codeSigning 1.3.6.1.5.5.7.3.3, anyExtendedKeyUsage 2.5.29.37.0 */
static const uint8_t oid_code_signing[] = {
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03
};
static const uint8_t oid_any_eku[] = { 0x55, 0x1d, 0x25, 0x00 };

/* --- time ---------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const uint8_t days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* n decimal digits at s; -1 when one is not a digit. */
static int digits(const uint8_t *s, unsigned n)
{
	int v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int cert_time_parse(uint8_t tag, const uint8_t *s, size_t len, int64_t *out)
{
	int year, mon, day, hour, min, sec;
	size_t ylen;

	if (tag == DER_UTC_TIME && len == 13)
		ylen = 2;
	else if (tag == DER_GENERALIZED_TIME && len == 15)
		ylen = 4;
	else
		return -OCIBOOT_EMALFORMED;
	if (s[len - 1] != 'Z')
		return -OCIBOOT_EMALFORMED;
	year = digits(s, (unsigned)ylen);
	mon = digits(s + ylen, 2);
	day = digits(s + ylen + 2, 2);
	hour = digits(s + ylen + 4, 2);
	min = digits(s + ylen + 6, 2);
	sec = digits(s + ylen + 8, 2);
	if (year < 0 || mon < 1 || mon > 12 || day < 1 || hour < 0 ||
	    hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
		return -OCIBOOT_EMALFORMED;
	if (ylen == 2)
		year += year < 50 ? 2000 : 1900;
	if ((unsigned)day > days_in_month(year, (unsigned)mon))
		return -OCIBOOT_EMALFORMED;
	*out = days_from_civil(year, (unsigned)mon, (unsigned)day) *
		       SECONDS_PER_DAY +
	       hour * 3600 + min * 60 + sec;
	return 0;
}

void cert_time_format(int64_t t, char buf[CERT_TIME_STRING_MAX])
{
	int64_t days = t / SECONDS_PER_DAY, secs = t % SECONDS_PER_DAY, y;
	unsigned m, d;

	if (secs < 0) {
		secs += SECONDS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, CERT_TIME_STRING_MAX, "%04lld-%02u-%02uT%02u:%02u:%02uZ",
		 (long long)y, m, d, (unsigned)(secs / 3600),
		 (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

/* --- certificate --------------------------------------------------------- */

static int read_time(struct der_cursor *c, int64_t *out)
{
	struct der_tlv t;

	if (der_next(c, &t) < 0)
		return -OCIBOOT_EMALFORMED;
	return cert_time_parse(t.tag, t.value, t.len, out);
}

static int read_validity(struct der_cursor *tbs, struct cert_info *ci)
{
	struct der_cursor c;
	struct der_tlv seq;

	if (der_expect(tbs, DER_SEQUENCE, &seq) < 0)
		return -OCIBOOT_EMALFORMED;
	der_enter(&c, &seq);
	if (read_time(&c, &ci->not_before) < 0 ||
	    read_time(&c, &ci->not_after) < 0 || !der_at_end(&c))
		return -OCIBOOT_EMALFORMED;
	return 0;
}

static int read_name(struct der_cursor *tbs, const uint8_t **name,
		     size_t *len)
{
	struct der_tlv t;
	int r;

	if (der_expect(tbs, DER_SEQUENCE, &t) < 0)
		return -OCIBOOT_EMALFORMED;
	r = dn_check(t.start, t.size, NULL);
	if (r < 0)
		return r;
	*name = t.start;
	*len = t.size;
	return 0;
}

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
 *                                  pathLenConstraint INTEGER OPTIONAL } */
static int read_basic_constraints(const struct der_tlv *value,
				  struct cert_info *ci)
{
	struct der_cursor c;
	struct der_tlv t;
	bool ca = false;

	if (der_open(&c, value->value, value->len, DER_SEQUENCE) < 0)
		return -OCIBOOT_EMALFORMED;
	if (der_peek(&c) == DER_BOOLEAN &&
	    (der_next(&c, &t) < 0 || der_boolean(&t, &ca) < 0))
		return -OCIBOOT_EMALFORMED;
	if (der_peek(&c) == DER_INTEGER && der_next(&c, &t) < 0)
		return -OCIBOOT_EMALFORMED;
	if (!der_at_end(&c))
		return -OCIBOOT_EMALFORMED;
	ci->ca = ca;
	return 0;
}

/*
 * KeyUsage ::= BIT STRING { digitalSignature (0), ... decipherOnly (8) }:
 * bit n is the n-th bit from the most significant of the first byte.
 */
static int read_key_usage(const struct der_tlv *value, struct cert_info *ci)
{
	struct der_cursor c;
	struct der_tlv t;
	uint16_t bits = 0;

	der_init(&c, value->value, value->len);
	if (der_expect(&c, DER_BIT_STRING, &t) < 0 || !der_at_end(&c) ||
	    t.len < 2 || t.len > 3 || t.value[0] > 7)
		return -OCIBOOT_EMALFORMED;
	for (size_t i = 1; i < t.len; i++)
		for (unsigned b = 0; b < 8; b++)
			if (t.value[i] & (0x80u >> b))
				bits |= (uint16_t)(1u << ((i - 1) * 8 + b));
	ci->has_key_usage = true;
	ci->key_usage = bits;
	return 0;
}

/* ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId */
static int read_extended_key_usage(const struct der_tlv *value,
				   struct cert_info *ci)
{
	struct der_cursor c;
	struct der_tlv oid;
	bool code_signing = false;
	size_t count = 0;

	if (der_open(&c, value->value, value->len, DER_SEQUENCE) < 0)
		return -OCIBOOT_EMALFORMED;
	if (der_at_end(&c))
		return -OCIBOOT_EMALFORMED;
	while (!der_at_end(&c)) {
		if (++count > CERT_EKU_MAX)
			return -OCIBOOT_ETOOBIG;
		if (der_expect(&c, DER_OID, &oid) < 0 ||
		    der_oid_check(oid.value, oid.len) < 0)
			return -OCIBOOT_EMALFORMED;
		if (der_oid_is(&oid, oid_code_signing,
			       sizeof(oid_code_signing)) ||
		    der_oid_is(&oid, oid_any_eku, sizeof(oid_any_eku)))
			code_signing = true;
	}
	ci->has_eku = true;
	ci->eku_code_signing = code_signing;
	return 0;
}

/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *                          extnValue OCTET STRING } */
static int read_extension(const struct der_tlv *ext, struct der_tlv *oid,
			  struct cert_info *ci)
{
	struct der_cursor c;
	struct der_tlv t, value;
	bool critical = false;

	der_enter(&c, ext);
	if (der_expect(&c, DER_OID, oid) < 0 ||
	    der_oid_check(oid->value, oid->len) < 0)
		return -OCIBOOT_EMALFORMED;
	if (der_peek(&c) == DER_BOOLEAN &&
	    (der_next(&c, &t) < 0 || der_boolean(&t, &critical) < 0))
		return -OCIBOOT_EMALFORMED;
	if (der_expect(&c, DER_OCTET_STRING, &value) < 0 || !der_at_end(&c))
		return -OCIBOOT_EMALFORMED;
	if (der_oid_is(oid, oid_basic_constraints,
		       sizeof(oid_basic_constraints)))
		return read_basic_constraints(&value, ci);
	if (der_oid_is(oid, oid_key_usage, sizeof(oid_key_usage)))
		return read_key_usage(&value, ci);
	if (der_oid_is(oid, oid_extended_key_usage,
		       sizeof(oid_extended_key_usage))) {
		ci->eku_critical = critical;
		return read_extended_key_usage(&value, ci);
	}
	return 0;
}

/* [3] EXPLICIT SEQUENCE SIZE (1..MAX) OF Extension, each OID once. */
static int read_extensions(const struct der_tlv *tagged, struct cert_info *ci)
{
	struct der_tlv ext, oids[CERT_EXTENSIONS_MAX];
	struct der_cursor c;
	size_t count = 0;
	int r;

	if (der_open(&c, tagged->value, tagged->len, DER_SEQUENCE) < 0)
		return -OCIBOOT_EMALFORMED;
	if (der_at_end(&c))
		return -OCIBOOT_EMALFORMED;
	while (!der_at_end(&c)) {
		if (count == CERT_EXTENSIONS_MAX)
			return -OCIBOOT_ETOOBIG;
		if (der_expect(&c, DER_SEQUENCE, &ext) < 0)
			return -OCIBOOT_EMALFORMED;
		r = read_extension(&ext, &oids[count], ci);
		if (r < 0)
			return r;
		for (size_t i = 0; i < count; i++)
			if (der_oid_is(&oids[i], oids[count].value,
				       oids[count].len))
				return -OCIBOOT_EMALFORMED;
		count++;
	}
	return 0;
}

/* version [0] EXPLICIT INTEGER { v1(0), v2(1), v3(2) } DEFAULT v1 */
static int read_version(struct der_cursor *tbs, int *version)
{
	struct der_cursor c;
	struct der_tlv tagged, v;

	*version = 0;
	if (der_peek(tbs) != DER_CONTEXT(0))
		return 0;
	if (der_next(tbs, &tagged) < 0)
		return -OCIBOOT_EMALFORMED;
	der_enter(&c, &tagged);
	if (der_expect(&c, DER_INTEGER, &v) < 0 || !der_at_end(&c) ||
	    v.len != 1 || v.value[0] > 2)
		return -OCIBOOT_EMALFORMED;
	*version = v.value[0];
	return 0;
}

/* The optional fields after subjectPublicKeyInfo. */
static int read_tbs_tail(struct der_cursor *tbs, int version,
			 struct cert_info *ci)
{
	struct der_tlv t;
	int r;

	if (der_peek(tbs) == DER_CONTEXT_PRIMITIVE(1) &&
	    (version < 1 || der_next(tbs, &t) < 0))
		return -OCIBOOT_EMALFORMED;
	if (der_peek(tbs) == DER_CONTEXT_PRIMITIVE(2) &&
	    (version < 1 || der_next(tbs, &t) < 0))
		return -OCIBOOT_EMALFORMED;
	if (der_peek(tbs) == DER_CONTEXT(3)) {
		if (version < 2 || der_next(tbs, &t) < 0)
			return -OCIBOOT_EMALFORMED;
		r = read_extensions(&t, ci);
		if (r < 0)
			return r;
	}
	return der_at_end(tbs) ? 0 : -OCIBOOT_EMALFORMED;
}

static int read_tbs(const struct der_tlv *seq, struct cert_info *ci)
{
	struct der_cursor tbs;
	struct der_tlv t;
	int version, r;

	der_enter(&tbs, seq);
	if (read_version(&tbs, &version) < 0 ||
	    der_expect(&tbs, DER_INTEGER, &t) < 0 || t.len == 0 ||
	    der_expect(&tbs, DER_SEQUENCE, &t) < 0)
		return -OCIBOOT_EMALFORMED;
	r = read_name(&tbs, &ci->issuer, &ci->issuer_len);
	if (r < 0)
		return r;
	r = read_validity(&tbs, ci);
	if (r < 0)
		return r;
	r = read_name(&tbs, &ci->subject, &ci->subject_len);
	if (r < 0)
		return r;
	if (der_expect(&tbs, DER_SEQUENCE, &t) < 0)
		return -OCIBOOT_EMALFORMED;
	return read_tbs_tail(&tbs, version, ci);
}

int cert_parse(const void *der, size_t len, struct cert_info *out)
{
	struct cert_info ci = { 0 };
	struct der_cursor c;
	struct der_tlv tbs, t;
	int r;

	if (len > CERT_MAX)
		return -OCIBOOT_ETOOBIG;
	if (der_open(&c, der, len, DER_SEQUENCE) < 0)
		return -OCIBOOT_EMALFORMED;
	if (der_expect(&c, DER_SEQUENCE, &tbs) < 0)
		return -OCIBOOT_EMALFORMED;
	r = read_tbs(&tbs, &ci);
	if (r < 0)
		return r;
	if (der_expect(&c, DER_SEQUENCE, &t) < 0 ||
	    der_expect(&c, DER_BIT_STRING, &t) < 0 || t.len == 0 ||
	    !der_at_end(&c))
		return -OCIBOOT_EMALFORMED;
	*out = ci;
	return 0;
}
