/* SPDX-License-Identifier: MIT */
/*
 * X.500 distinguished names (the DER `Name` of a certificate's subject or
 * issuer), read from untrusted bytes: the product ID a product certificate
 * carries in its subject serialNumber (OID 2.5.4.5), and a one-line,
 * escaped rendering for logs.
 *
 * A Name is accepted when it is a DER SEQUENCE of non-empty SETs of
 * SEQUENCE { OID, value } spanning the whole input, with at most
 * DN_ATTRS_MAX attributes in all and at most DN_MAX bytes. Nothing here
 * allocates or logs.
 */
#ifndef OCIBOOT_DN_H
#define OCIBOOT_DN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/verify_error.h"

#define DN_MAX 1024		/* bytes of one DER Name */
#define DN_ATTRS_MAX 32		/* attributes, all RDNs together */
#define DN_UUID_LEN 36		/* 8-4-4-4-12 */
/* dn_format() output for any Name of at most DN_MAX bytes fits here. */
#define DN_STRING_MAX (4 * DN_MAX + 1)

/*
 * Check that dn[0..len) is a Name as described above. Returns 0,
 * -OCIBOOT_ETOOBIG (over DN_MAX bytes or DN_ATTRS_MAX attributes,
 * VERIFY_NAME_TOO_BIG) or -OCIBOOT_EMALFORMED (VERIFY_NAME_MALFORMED).
 */
int dn_check(const void *dn, size_t len, struct error *err);

/*
 * A subject CN naming a product, as project-machine's `trust` keysets make
 * product certificates: "manifest PRODUCT:<uuid>" (cmd/trust/utils.go).
 */
#define DN_CN_PRODUCT "manifest PRODUCT:"

/*
 * The product ID of the Name dn[0..len), written lowercase with a NUL to
 * uuid. It is named by the one serialNumber attribute, a PrintableString
 * or UTF8String holding a UUID in its canonical 8-4-4-4-12 hex form; or by
 * the one CN (PrintableString or UTF8String) that starts with
 * DN_CN_PRODUCT, followed by such a UUID; or by both, which must then name
 * the same UUID. Other CNs are ignored. Upper-case hex digits are accepted
 * and lowered. Returns 0, or (uuid untouched):
 *   dn_check()'s errors;
 *   -OCIBOOT_EVERIFY, VERIFY_NO_SERIAL_NUMBER: neither form;
 *   -OCIBOOT_EVERIFY, VERIFY_TWO_SERIAL_NUMBERS: more than one
 *     serialNumber (in one RDN or in several);
 *   -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID: another string type,
 *     or anything but a canonical UUID (braces, "urn:uuid:", no hyphens,
 *     spaces...);
 *   -OCIBOOT_EVERIFY, VERIFY_TWO_CN_PRODUCTS: more than one such CN;
 *   -OCIBOOT_EVERIFY, VERIFY_CN_PRODUCT_NOT_UUID: the CN's rest is not a
 *     canonical UUID;
 *   -OCIBOOT_EVERIFY, VERIFY_PRODUCTS_DIFFER: both forms, two UUIDs.
 */
int dn_product_uuid(const void *dn, size_t len, char uuid[DN_UUID_LEN + 1],
		    struct error *err);

/*
 * Normalise a UUID given as text s[0..len): 0 and the lowercase canonical
 * form in out when it is 8-4-4-4-12 hex digits, else -EINVAL (out
 * untouched).
 */
int dn_uuid_normalize(const char *s, size_t len, char out[DN_UUID_LEN + 1]);

/*
 * Render the Name dn[0..len) on one line into buf[size] with a NUL, in the
 * order of the encoding, as `openssl x509 -nameopt esc_2253,esc_ctrl,
 * esc_msb,sep_comma_plus_space,sname,dump_nostr,dump_der` does:
 *   RDNs separated by ", ", attributes of one RDN by " + ";
 *   short names for the usual attributes (CN, O, OU, C, L, ST,
 *   serialNumber, emailAddress, DC, UID...), dotted OIDs for others;
 *   text values (Printable, UTF8, IA5, Teletex, Visible, Numeric) with
 *   , + " \ < > ; and a leading # or space and a trailing space escaped by
 *   a backslash, and control bytes, DEL and bytes >= 0x80 written as \XX;
 *   other values as # and the hex of their DER.
 * So the result is printable ASCII and safe to log.
 * Returns the length, or:
 *   -OCIBOOT_EMALFORMED / -OCIBOOT_ETOOBIG as dn_check() (buf is then "");
 *   -OCIBOOT_ETOOBIG when buf is too small: buf then holds as much as fits
 *     ending in "..." (when size >= 4), good enough for a log line.
 * DN_STRING_MAX bytes always suffice for a valid Name.
 */
int dn_format(const void *dn, size_t len, char *buf, size_t size);

#endif
