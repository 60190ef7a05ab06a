/* SPDX-License-Identifier: MIT */
#include "crypto/dn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crypto/der.h"
#include "lib/hex.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* id-at-serialNumber, 2.5.4.5 */
static const uint8_t oid_serial_number[] = { 0x55, 0x04, 0x05 };
static const uint8_t oid_common_name[] = { 0x55, 0x04, 0x03 };

/* Called for each attribute; new_rdn is true for the first of an RDN. */
typedef int (*dn_visit_fn)(void *ctx, const struct der_tlv *oid,
			   const struct der_tlv *value, bool new_rdn);

/* One RDN: a non-empty SET OF AttributeTypeAndValue. */
static int walk_rdn(const struct der_tlv *set, size_t *count,
		    dn_visit_fn visit, void *ctx)
{
	struct der_cursor atvs, atv;
	struct der_tlv seq, oid, value;
	bool first = true;
	int r;

	der_enter(&atvs, set);
	if (der_at_end(&atvs))
		return -OCIBOOT_EMALFORMED;
	while (!der_at_end(&atvs)) {
		if (++*count > DN_ATTRS_MAX)
			return -OCIBOOT_ETOOBIG;
		if (der_expect(&atvs, DER_SEQUENCE, &seq) < 0)
			return -OCIBOOT_EMALFORMED;
		der_enter(&atv, &seq);
		if (der_expect(&atv, DER_OID, &oid) < 0 ||
		    der_oid_check(oid.value, oid.len) < 0 ||
		    der_next(&atv, &value) < 0 || !der_at_end(&atv))
			return -OCIBOOT_EMALFORMED;
		if (visit) {
			r = visit(ctx, &oid, &value, first);
			if (r < 0)
				return r;
		}
		first = false;
	}
	return 0;
}

/* Check the Name and call visit (if not NULL) for each attribute. */
static int dn_walk(const void *dn, size_t len, dn_visit_fn visit, void *ctx)
{
	struct der_cursor rdns;
	struct der_tlv set;
	size_t count = 0;
	int r;

	if (len > DN_MAX)
		return -OCIBOOT_ETOOBIG;
	if (der_open(&rdns, dn, len, DER_SEQUENCE) < 0)
		return -OCIBOOT_EMALFORMED;
	while (!der_at_end(&rdns)) {
		if (der_expect(&rdns, DER_SET, &set) < 0)
			return -OCIBOOT_EMALFORMED;
		r = walk_rdn(&set, &count, visit, ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

int dn_check(const void *dn, size_t len, struct error *err)
{
	int r = dn_walk(dn, len, NULL, NULL);

	if (r == -OCIBOOT_ETOOBIG)
		return verify_fail(err, r, VERIFY_NAME_TOO_BIG, NULL, 0);
	if (r < 0)
		return verify_fail(err, r, VERIFY_NAME_MALFORMED, NULL, 0);
	return 0;
}

/* --- product ID ---------------------------------------------------------- */

int dn_uuid_normalize(const char *s, size_t len, char out[DN_UUID_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	char tmp[DN_UUID_LEN + 1];

	if (len != DN_UUID_LEN)
		return -EINVAL;
	for (size_t i = 0; i < DN_UUID_LEN; i++) {
		bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
		int v;

		if (hyphen) {
			if (s[i] != '-')
				return -EINVAL;
			tmp[i] = '-';
			continue;
		}
		v = hex_digit_value_any_case(s[i]);
		if (v < 0)
			return -EINVAL;
		tmp[i] = digits[v];
	}
	tmp[DN_UUID_LEN] = '\0';
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

struct product_search {
	unsigned int serials;		/* serialNumber attributes */
	struct der_tlv serial;		/* the first */
	unsigned int cns;		/* CNs starting with DN_CN_PRODUCT */
	struct der_tlv cn;		/* the first */
};

static bool is_string(const struct der_tlv *value)
{
	return value->tag == DER_PRINTABLE_STRING ||
	       value->tag == DER_UTF8_STRING;
}

static bool is_cn_product(const struct der_tlv *value)
{
	size_t n = sizeof(DN_CN_PRODUCT) - 1;

	return is_string(value) && value->len >= n &&
	       memcmp(value->value, DN_CN_PRODUCT, n) == 0;
}

static int find_product(void *ctx, const struct der_tlv *oid,
			const struct der_tlv *value, bool new_rdn)
{
	struct product_search *s = ctx;

	if (der_oid_is(oid, oid_serial_number, sizeof(oid_serial_number))) {
		if (s->serials++ == 0)
			s->serial = *value;
	} else if (der_oid_is(oid, oid_common_name,
			      sizeof(oid_common_name)) &&
		   is_cn_product(value)) {
		if (s->cns++ == 0)
			s->cn = *value;
	}
	return 0;
}

static int product_from_serial(const struct product_search *s,
			       char uuid[DN_UUID_LEN + 1], struct error *err)
{
	if (s->serials > 1)
		return verify_fail(err, -OCIBOOT_EVERIFY,
				   VERIFY_TWO_SERIAL_NUMBERS, NULL, 0);
	if (!is_string(&s->serial) ||
	    dn_uuid_normalize((const char *)s->serial.value, s->serial.len,
			      uuid) < 0)
		return verify_fail(err, -OCIBOOT_EVERIFY,
				   VERIFY_SERIAL_NUMBER_NOT_UUID, NULL, 0);
	return 0;
}

static int product_from_cn(const struct product_search *s,
			   char uuid[DN_UUID_LEN + 1], struct error *err)
{
	size_t n = sizeof(DN_CN_PRODUCT) - 1;

	if (s->cns > 1)
		return verify_fail(err, -OCIBOOT_EVERIFY,
				   VERIFY_TWO_CN_PRODUCTS, NULL, 0);
	if (dn_uuid_normalize((const char *)s->cn.value + n,
			      s->cn.len - n, uuid) < 0)
		return verify_fail(err, -OCIBOOT_EVERIFY,
				   VERIFY_CN_PRODUCT_NOT_UUID, NULL, 0);
	return 0;
}

int dn_product_uuid(const void *dn, size_t len, char uuid[DN_UUID_LEN + 1],
		    struct error *err)
{
	struct product_search s = { 0 };
	char from_serial[DN_UUID_LEN + 1], from_cn[DN_UUID_LEN + 1];
	int r;

	r = dn_check(dn, len, err);
	if (r < 0)
		return r;
	dn_walk(dn, len, find_product, &s);
	if (s.serials == 0 && s.cns == 0)
		return verify_fail(err, -OCIBOOT_EVERIFY,
				   VERIFY_NO_SERIAL_NUMBER, NULL, 0);
	if (s.serials > 0 &&
	    (r = product_from_serial(&s, from_serial, err)) < 0)
		return r;
	if (s.cns > 0 && (r = product_from_cn(&s, from_cn, err)) < 0)
		return r;
	if (s.serials > 0 && s.cns > 0 && !streq(from_serial, from_cn))
		return verify_fail(err, -OCIBOOT_EVERIFY,
				   VERIFY_PRODUCTS_DIFFER, NULL, 0);
	memcpy(uuid, s.serials > 0 ? from_serial : from_cn, DN_UUID_LEN + 1);
	return 0;
}

/* --- one-line rendering -------------------------------------------------- */

struct attr_name {
	uint8_t len;
	uint8_t oid[10];
	const char *name;
};

/* OpenSSL's short names for the attributes names usually carry. */
static const struct attr_name attr_names[] = {
	{ 3, { 0x55, 0x04, 0x03 }, "CN" },
	{ 3, { 0x55, 0x04, 0x04 }, "SN" },
	{ 3, { 0x55, 0x04, 0x05 }, "serialNumber" },
	{ 3, { 0x55, 0x04, 0x06 }, "C" },
	{ 3, { 0x55, 0x04, 0x07 }, "L" },
	{ 3, { 0x55, 0x04, 0x08 }, "ST" },
	{ 3, { 0x55, 0x04, 0x09 }, "street" },
	{ 3, { 0x55, 0x04, 0x0a }, "O" },
	{ 3, { 0x55, 0x04, 0x0b }, "OU" },
	{ 3, { 0x55, 0x04, 0x0c }, "title" },
	{ 3, { 0x55, 0x04, 0x0d }, "description" },
	{ 3, { 0x55, 0x04, 0x0f }, "businessCategory" },
	{ 3, { 0x55, 0x04, 0x11 }, "postalCode" },
	{ 3, { 0x55, 0x04, 0x29 }, "name" },
	{ 3, { 0x55, 0x04, 0x2a }, "GN" },
	{ 3, { 0x55, 0x04, 0x2b }, "initials" },
	{ 3, { 0x55, 0x04, 0x2c }, "generationQualifier" },
	{ 3, { 0x55, 0x04, 0x2e }, "dnQualifier" },
	{ 3, { 0x55, 0x04, 0x41 }, "pseudonym" },
	{ 3, { 0x55, 0x04, 0x61 }, "organizationIdentifier" },
	{ 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 },
	  "emailAddress" },
	{ 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 },
	  "DC" },
	{ 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01 },
	  "UID" },
};

static void put_hex_byte(struct strbuf *o, uint8_t b)
{
	char s[3];

	hex_encode_upper(&b, 1, s);
	strbuf_append(o, s, 2);
}

/* One character (a code point) of a text value, escaped. */
static void put_char(struct strbuf *o, uint32_t c, bool first, bool last)
{
	char s[12];

	if (c > 0xffff) {
		snprintf(s, sizeof(s), "\\W%08X", (unsigned int)c);
		strbuf_puts(o, s);
	} else if (c > 0xff) {
		snprintf(s, sizeof(s), "\\U%04X", (unsigned int)c);
		strbuf_puts(o, s);
	} else if (c < 0x20 || c >= 0x7f) {
		strbuf_append(o, "\\", 1);
		put_hex_byte(o, (uint8_t)c);
	} else {
		s[0] = '\\';
		s[1] = (char)c;
		if ((c && strchr(",+\"\\<>;", (int)c)) ||
		    (first && (c == ' ' || c == '#')) || (last && c == ' '))
			strbuf_append(o, s, 2);
		else
			strbuf_append(o, s + 1, 1);
	}
}

/*
 * The code point at v[*pos..len) for a value whose characters are width
 * bytes wide (1, 2 or 4, big-endian) or UTF-8 (width 0). Returns 0 and
 * moves *pos, or -1 for a bad encoding.
 */
static int next_char(const uint8_t *v, size_t len, int width, size_t *pos,
		     uint32_t *c)
{
	size_t i = *pos, n;
	uint32_t x, min;

	if (width > 0) {
		if (len - i < (size_t)width)
			return -1;
		x = 0;
		for (int k = 0; k < width; k++)
			x = x << 8 | v[i + k];
		*c = x;
		*pos = i + (size_t)width;
		return 0;
	}
	x = v[i];
	if (x < 0x80)
		n = 1;
	else if ((x & 0xe0) == 0xc0)
		n = 2;
	else if ((x & 0xf0) == 0xe0)
		n = 3;
	else if ((x & 0xf8) == 0xf0)
		n = 4;
	else
		return -1;
	/* The lead byte's payload bits, and the least value n bytes may
	 * carry (anything less is an overlong form). */
	x &= 0x7fu >> (n - 1) >> (n > 1);
	min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
	if (len - i < n)
		return -1;
	for (size_t k = 1; k < n; k++) {
		if ((v[i + k] & 0xc0) != 0x80)
			return -1;
		x = x << 6 | (v[i + k] & 0x3f);
	}
	if (x < min || x > 0x10ffff || (x >= 0xd800 && x <= 0xdfff))
		return -1;
	*c = x;
	*pos = i + n;
	return 0;
}

/* Characters' width for a string tag (0: UTF-8), or -1: not text. */
static int text_width(uint8_t tag)
{
	switch (tag) {
	case DER_UTF8_STRING:
		return 0;
	case DER_NUMERIC_STRING:
	case DER_PRINTABLE_STRING:
	case DER_TELETEX_STRING:
	case DER_IA5_STRING:
	case DER_UTC_TIME:
	case DER_GENERALIZED_TIME:
	case DER_VISIBLE_STRING:
		return 1;
	case DER_BMP_STRING:
		return 2;
	case DER_UNIVERSAL_STRING:
		return 4;
	}
	return -1;
}

static bool text_decodes(const struct der_tlv *t, int width)
{
	size_t pos = 0;
	uint32_t c;

	while (pos < t->len)
		if (next_char(t->value, t->len, width, &pos, &c) < 0)
			return false;
	return true;
}

static void put_value(struct strbuf *o, const struct der_tlv *t)
{
	int width = text_width(t->tag);
	size_t pos = 0;
	uint32_t c;

	if (width < 0 || !text_decodes(t, width)) {
		strbuf_append(o, "#", 1);
		for (size_t i = 0; i < t->size; i++)
			put_hex_byte(o, t->start[i]);
		return;
	}
	while (pos < t->len) {
		bool first = pos == 0, last;

		next_char(t->value, t->len, width, &pos, &c);
		last = pos == t->len;
		/* As OpenSSL: a lone character is escaped as a last one. */
		put_char(o, c, first && !last, last);
	}
}

static void put_name(struct strbuf *o, const struct der_tlv *oid)
{
	/* An OID inside a Name of at most DN_MAX bytes always fits. */
	char dotted[DER_OID_CHARS_PER_BYTE * DN_MAX + 1];
	int n;

	for (size_t i = 0; i < ARRAY_SIZE(attr_names); i++) {
		const struct attr_name *a = &attr_names[i];

		if (der_oid_is(oid, a->oid, a->len)) {
			strbuf_puts(o, a->name);
			return;
		}
	}
	n = der_oid_format(oid->value, oid->len, dotted, sizeof(dotted));
	if (n < 0)
		o->truncated = true;
	else
		strbuf_append(o, dotted, (size_t)n);
}

static int format_attr(void *ctx, const struct der_tlv *oid,
		       const struct der_tlv *value, bool new_rdn)
{
	struct strbuf *o = ctx;

	if (strbuf_len(o) > 0 || strbuf_truncated(o))
		strbuf_puts(o, new_rdn ? ", " : " + ");
	put_name(o, oid);
	strbuf_append(o, "=", 1);
	put_value(o, value);
	return 0;
}

int dn_format(const void *dn, size_t len, char *buf, size_t size)
{
	struct strbuf o;
	int r;

	if (size == 0)
		return -OCIBOOT_ETOOBIG;
	buf[0] = '\0';
	r = dn_walk(dn, len, NULL, NULL);
	if (r < 0)
		return r;
	strbuf_init(&o, buf, size);
	dn_walk(dn, len, format_attr, &o);
	if (!strbuf_truncated(&o))
		return (int)strbuf_len(&o);
	if (size >= 4)
		strbuf_mark_cut(&o, "...");
	else
		buf[0] = '\0';
	return -OCIBOOT_ETOOBIG;
}
