/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for crypto/der.c on its own (cert, dn and x509 reach it
 * only through what they expect). The input, copied to an exact-size
 * buffer so ASan sees any overread, is walked as a tree of TLVs, entering
 * every constructed one down to a fixed depth. Every TLV must lie inside
 * its parent with a consistent size; a failed read must consume nothing
 * and stay failed; OIDs must format exactly when der_oid_check() accepts
 * them, into digits and dots within the documented bound; integers and
 * booleans must decode to what their bytes say; der_open() must accept the
 * input exactly when it is one TLV.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/der.h"
#include "lib/util.h"

#define FUZZ_DEPTH_MAX 8
#define FUZZ_OID_MAX 64

static void check_oid(const struct der_tlv *t)
{
	char text[FUZZ_OID_MAX * DER_OID_CHARS_PER_BYTE + 1];
	int checked = der_oid_check(t->value, t->len);
	int n;

	if (t->len > FUZZ_OID_MAX)
		return;
	n = der_oid_format(t->value, t->len, text, sizeof(text));
	if ((checked == 0) != (n >= 0) ||
	    (checked != 0 && checked != -OCIBOOT_EMALFORMED))
		abort();
	if (n < 0)
		return;
	if ((size_t)n != strlen(text) || (size_t)n > t->len *
	    DER_OID_CHARS_PER_BYTE || !der_oid_is(t, t->value, t->len))
		abort();
	for (int i = 0; i < n; i++)
		if (text[i] != '.' && (text[i] < '0' || text[i] > '9'))
			abort();
	/* Too small a buffer: refused, and left empty. */
	if (n > 0) {
		char small[FUZZ_OID_MAX * DER_OID_CHARS_PER_BYTE + 1];

		if (der_oid_format(t->value, t->len, small, (size_t)n) !=
		    -OCIBOOT_ETOOBIG || small[0] != '\0')
			abort();
	}
}

static void check_integer(const struct der_tlv *t)
{
	const uint8_t *mag;
	size_t mag_len;

	if (der_positive_integer(t, &mag, &mag_len) != 0)
		return;
	if (t->len == 0 || t->value[0] & 0x80 || mag_len == 0 ||
	    mag < t->value || mag + mag_len != t->value + t->len ||
	    mag[0] == 0 || mag_len + 1 < t->len)
		abort();
}

static void check_boolean(const struct der_tlv *t)
{
	bool value;
	int r = der_boolean(t, &value);

	if ((r == 0) != (t->len == 1 && (t->value[0] == 0 ||
					 t->value[0] == 0xff)))
		abort();
	if (r == 0 && value != (t->value[0] == 0xff))
		abort();
}

static void walk(struct der_cursor *c, const uint8_t *start, size_t len,
		 int depth)
{
	const uint8_t *end = start + len;
	struct der_tlv t, before;

	while (der_peek(c) >= 0) {
		int tag = der_peek(c);

		if (der_next(c, &t) != 0)
			break;
		if (t.tag != tag || t.start < start || t.size > (size_t)(end -
		    t.start) || t.value < t.start || t.value + t.len !=
		    t.start + t.size || t.len > DER_LEN_MAX)
			abort();
		if (t.tag == DER_OID)
			check_oid(&t);
		else if (t.tag == DER_INTEGER)
			check_integer(&t);
		else if (t.tag == DER_BOOLEAN)
			check_boolean(&t);
		if (t.tag & 0x20 && depth < FUZZ_DEPTH_MAX) {
			struct der_cursor inner;

			der_enter(&inner, &t);
			walk(&inner, t.value, t.len, depth + 1);
		}
	}
	/* At the end or after a failure: nothing more is read. */
	memset(&before, 0x5a, sizeof(before));
	t = before;
	if (der_next(c, &t) == 0 || memcmp(&t, &before, sizeof(t)) ||
	    der_peek(c) != -1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct der_cursor c, whole;
	struct der_tlv t;
	bool one;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	der_init(&c, buf, size);
	walk(&c, buf, size, 0);

	der_init(&c, buf, size);
	one = der_next(&c, &t) == 0 && der_at_end(&c);
	if (size && (der_open(&whole, buf, size, buf[0]) == 0) != one)
		abort();
	free(buf);
	return 0;
}
