/* SPDX-License-Identifier: MIT */
#include "crypto/der.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

void der_init(struct der_cursor *c, const void *buf, size_t len)
{
	cursor_init(&c->c, buf, len);
}

void der_enter(struct der_cursor *c, const struct der_tlv *t)
{
	cursor_init(&c->c, t->value, t->len);
}

int der_open(struct der_cursor *c, const void *buf, size_t len, uint8_t tag)
{
	struct der_cursor top;
	struct der_tlv t;

	der_init(&top, buf, len);
	if (der_expect(&top, tag, &t) < 0 || !der_at_end(&top))
		return -OCIBOOT_EMALFORMED;
	der_enter(c, &t);
	return 0;
}

int der_peek(const struct der_cursor *c)
{
	return cursor_peek_u8(&c->c);
}

/* The length octets at p[0..avail): the length into *len, their count into
 * *used. */
static int read_length(const uint8_t *p, size_t avail, size_t *len,
		       size_t *used)
{
	size_t n, v = 0;

	if (avail < 1)
		return -OCIBOOT_EMALFORMED;
	if (p[0] < 0x80) {
		*len = p[0];
		*used = 1;
		return 0;
	}
	n = p[0] & 0x7f;
	/* 0x80 is the indefinite form; more than 3 bytes is over the cap. */
	if (n == 0 || n > 3 || avail - 1 < n || p[1] == 0)
		return -OCIBOOT_EMALFORMED;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[1 + i];
	if (v < 0x80 || v > DER_LEN_MAX)
		return -OCIBOOT_EMALFORMED;
	*len = v;
	*used = 1 + n;
	return 0;
}

int der_next(struct der_cursor *c, struct der_tlv *t)
{
	size_t left = cursor_remaining(&c->c), len, used;
	const uint8_t *p = cursor_peek(&c->c, 2);

	/* Tag numbers 31 and up need more tag bytes; X.509 has none. */
	if (!p || (p[0] & 0x1f) == 0x1f ||
	    read_length(p + 1, left - 1, &len, &used) < 0 ||
	    len > left - 1 - used) {
		cursor_fail(&c->c);
		return -OCIBOOT_EMALFORMED;
	}
	t->tag = p[0];
	t->start = cursor_take(&c->c, 1 + used + len);
	t->value = t->start + 1 + used;
	t->len = len;
	t->size = 1 + used + len;
	return 0;
}

int der_expect(struct der_cursor *c, uint8_t tag, struct der_tlv *t)
{
	struct der_tlv got;

	if (der_peek(c) != tag)
		return -OCIBOOT_EMALFORMED;
	if (der_next(c, &got) < 0)
		return -OCIBOOT_EMALFORMED;
	*t = got;
	return 0;
}

bool der_oid_is(const struct der_tlv *t, const uint8_t *oid, size_t len)
{
	return t->tag == DER_OID && t->len == len &&
	       memcmp(t->value, oid, len) == 0;
}

/* The arc starting at oid[*pos]; moves *pos past it. */
static int read_arc(const uint8_t *oid, size_t len, size_t *pos,
		    uint64_t *arc)
{
	uint64_t v = 0;
	size_t i = *pos;

	if (oid[i] == 0x80)
		return -OCIBOOT_EMALFORMED;
	for (;;) {
		if (i >= len)
			return -OCIBOOT_EMALFORMED;
		if (v >> 56)
			return -OCIBOOT_EMALFORMED;
		v = v << 7 | (oid[i] & 0x7f);
		if (!(oid[i++] & 0x80))
			break;
	}
	if (v >> 63)
		return -OCIBOOT_EMALFORMED;
	*arc = v;
	*pos = i;
	return 0;
}

int der_oid_check(const uint8_t *oid, size_t len)
{
	size_t pos = 0;
	uint64_t arc;

	if (len == 0)
		return -OCIBOOT_EMALFORMED;
	while (pos < len)
		if (read_arc(oid, len, &pos, &arc) < 0)
			return -OCIBOOT_EMALFORMED;
	return 0;
}

int der_oid_format(const uint8_t *oid, size_t len, char *buf, size_t size)
{
	size_t pos = 0, out = 0;
	uint64_t arc;
	int n;

	if (der_oid_check(oid, len) < 0) {
		if (size)
			buf[0] = '\0';
		return -OCIBOOT_EMALFORMED;
	}
	while (pos < len) {
		bool first = pos == 0;

		if (read_arc(oid, len, &pos, &arc) < 0)
			return -OCIBOOT_EMALFORMED;	/* checked above */
		if (first) {
			unsigned top = arc < 40 ? 0 : arc < 80 ? 1 : 2;

			n = snprintf(buf + out, size - out, "%u.%llu", top,
				     (unsigned long long)(arc - 40 * top));
		} else {
			n = snprintf(buf + out, size - out, ".%llu",
				     (unsigned long long)arc);
		}
		if (n < 0 || (size_t)n >= size - out) {
			if (size)
				buf[0] = '\0';
			return -OCIBOOT_ETOOBIG;
		}
		out += (size_t)n;
	}
	return (int)out;
}

int der_boolean(const struct der_tlv *t, bool *out)
{
	if (t->tag != DER_BOOLEAN || t->len != 1 ||
	    (t->value[0] != 0x00 && t->value[0] != 0xff))
		return -OCIBOOT_EMALFORMED;
	*out = t->value[0] == 0xff;
	return 0;
}

int der_positive_integer(const struct der_tlv *t, const uint8_t **mag,
			 size_t *mag_len)
{
	const uint8_t *v = t->value;
	size_t n = t->len;

	if (t->tag != DER_INTEGER || n == 0 || (v[0] & 0x80))
		return -OCIBOOT_EMALFORMED;
	if (v[0] == 0) {
		/* A leading zero only in front of a high bit. */
		if (n == 1 || !(v[1] & 0x80))
			return -OCIBOOT_EMALFORMED;
		v++;
		n--;
	}
	*mag = v;
	*mag_len = n;
	return 0;
}
