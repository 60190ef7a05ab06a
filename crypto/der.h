/* SPDX-License-Identifier: MIT */
/*
 * A DER reader for the parts of certificates BearSSL does not hand back
 * (names, validity, extensions) and for ECDSA signatures: one TLV at a time
 * from a lib/cursor.h cursor, whose failures are sticky: once a read failed,
 * every later read on that cursor fails too. Only what DER allows is accepted:
 * one-byte tags (tag numbers below 31), definite lengths in their shortest
 * form. Every TLV read is checked to lie inside its cursor before any of
 * its contents are looked at. Nothing here allocates or logs.
 */
#ifndef OCIBOOT_DER_H
#define OCIBOOT_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cursor.h"

/* Longest contents accepted (three length bytes); certificates are far
 * smaller. */
#define DER_LEN_MAX ((size_t)1 << 24)

/* Tags used by the X.509 readers. */
#define DER_BOOLEAN		0x01
#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OCTET_STRING	0x04
#define DER_OID			0x06
#define DER_UTF8_STRING		0x0c
#define DER_NUMERIC_STRING	0x12
#define DER_PRINTABLE_STRING	0x13
#define DER_TELETEX_STRING	0x14
#define DER_IA5_STRING		0x16
#define DER_UTC_TIME		0x17
#define DER_GENERALIZED_TIME	0x18
#define DER_VISIBLE_STRING	0x1a
#define DER_UNIVERSAL_STRING	0x1c
#define DER_BMP_STRING		0x1e
#define DER_SEQUENCE		0x30
#define DER_SET			0x31
/* [n] EXPLICIT (constructed, context class) and [n] IMPLICIT primitive. */
#define DER_CONTEXT(n)		(0xa0 | (n))
#define DER_CONTEXT_PRIMITIVE(n) (0x80 | (n))

/* Bytes not yet read; p is meaningless once left is 0. */
struct der_cursor {
	struct cursor c;
};

/* One element: its tag, its contents, and the whole encoding. */
struct der_tlv {
	uint8_t tag;
	const uint8_t *value;	/* contents, inside the cursor's buffer */
	size_t len;
	const uint8_t *start;	/* tag byte */
	size_t size;		/* tag + length + contents */
};

/* A cursor over buf[0..len); buf is not copied and must outlive it. */
void der_init(struct der_cursor *c, const void *buf, size_t len);

/* A cursor over a TLV's contents. */
void der_enter(struct der_cursor *c, const struct der_tlv *t);

/* True when every byte was read and no read failed. */
static inline bool der_at_end(const struct der_cursor *c)
{
	return cursor_done(&c->c);
}

/*
 * c over the contents of the one TLV with tag that spans buf[0..len)
 * exactly (a certificate, a Name, the SEQUENCE inside an extension's
 * OCTET STRING). Returns 0 or -OCIBOOT_EMALFORMED.
 */
int der_open(struct der_cursor *c, const void *buf, size_t len, uint8_t tag);

/* The next tag, or -1 at the end or after a failure; reads nothing. */
int der_peek(const struct der_cursor *c);

/*
 * Read the next TLV into *t and move past it. Returns 0, or
 * -OCIBOOT_EMALFORMED (high tag numbers, indefinite or non-minimal length,
 * a length over DER_LEN_MAX or past the end of the cursor, or the cursor is
 * at its end). On failure *t does not change, nothing is consumed and the
 * cursor fails (see above).
 */
int der_next(struct der_cursor *c, struct der_tlv *t);

/* der_next() that also requires the tag; -OCIBOOT_EMALFORMED otherwise. */
int der_expect(struct der_cursor *c, uint8_t tag, struct der_tlv *t);

/* True when t is an OID whose contents are exactly oid[0..len). */
bool der_oid_is(const struct der_tlv *t, const uint8_t *oid, size_t len);

/*
 * Check an OID's contents: not empty, each arc minimal (no leading 0x80
 * byte), the last byte ending an arc, each arc below 2^63. Returns 0 or
 * -OCIBOOT_EMALFORMED.
 */
int der_oid_check(const uint8_t *oid, size_t len);

/*
 * Write an OID's dotted-decimal form ("2.5.4.3") into buf[size] with a
 * NUL. Returns the string length, -OCIBOOT_EMALFORMED when der_oid_check()
 * refuses it, or -OCIBOOT_ETOOBIG when it does not fit (buf is then "" if
 * size > 0). At most DER_OID_CHARS_PER_BYTE characters per content byte.
 */
#define DER_OID_CHARS_PER_BYTE 4
int der_oid_format(const uint8_t *oid, size_t len, char *buf, size_t size);

/* A DER BOOLEAN's value (contents 0x00 or 0xff); -OCIBOOT_EMALFORMED. */
int der_boolean(const struct der_tlv *t, bool *out);

/*
 * A DER INTEGER that must be positive (> 0): its big-endian magnitude
 * without the sign byte goes to *mag, *mag_len. Returns 0, or
 * -OCIBOOT_EMALFORMED for an empty, non-minimal, zero or negative one.
 */
int der_positive_integer(const struct der_tlv *t, const uint8_t **mag,
			 size_t *mag_len);

#endif
