/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for crypto/dn.c. The input is taken twice: as a DER Name
 * as it is, and as a list of attributes (RDN and OID choice, tag, length,
 * value bytes) encoded here into a well-formed Name, so the fuzzer also
 * reaches the rendering and the product ID with any values. The three
 * entry points must agree on whether it is a Name, a product ID must come
 * out canonical, and the rendering must be printable ASCII within
 * DN_STRING_MAX, and a prefix of itself when cut short.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dn.h"
#include "lib/util.h"

#define SHORT_BUFFER 17

static void check_text(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			abort();
	if (text[len] != '\0')
		abort();
}

static void check_uuid(const char *uuid)
{
	char again[DN_UUID_LEN + 1];

	if (strlen(uuid) != DN_UUID_LEN ||
	    dn_uuid_normalize(uuid, DN_UUID_LEN, again) != 0 ||
	    strcmp(again, uuid) != 0)
		abort();
}

static void check_short(const uint8_t *dn, size_t size, const char *full,
			int full_len)
{
	char text[SHORT_BUFFER];
	int r = dn_format(dn, size, text, sizeof(text));
	size_t len = strlen(text);

	if (full_len < SHORT_BUFFER) {
		if (r != full_len || strcmp(text, full) != 0)
			abort();
		return;
	}
	if (r != -OCIBOOT_ETOOBIG || len != SHORT_BUFFER - 1 ||
	    strcmp(text + len - 3, "...") != 0 ||
	    memcmp(text, full, len - 3) != 0)
		abort();
}

static void check_name(const uint8_t *data, size_t size)
{
	static char text[DN_STRING_MAX];
	char uuid[DN_UUID_LEN + 1] = "";
	struct error err;
	uint8_t *dn = malloc(size ? size : 1);
	int checked, product, formatted;

	if (!dn)
		abort();
	memcpy(dn, data, size);
	checked = dn_check(dn, size, &err);
	product = dn_product_uuid(dn, size, uuid, &err);
	formatted = dn_format(dn, size, text, sizeof(text));
	if (checked < 0) {
		if (product != checked || formatted != checked || uuid[0] ||
		    text[0])
			abort();
		free(dn);
		return;
	}
	if (formatted < 0 || (size_t)formatted >= 4 * size + 1)
		abort();
	check_text(text, (size_t)formatted);
	if (product == 0)
		check_uuid(uuid);
	else if (product != -OCIBOOT_EVERIFY || uuid[0])
		abort();
	check_short(dn, size, text, formatted);
	free(dn);
}

/* Attribute types to pick from: known names, serialNumber, unknown. */
static const uint8_t oids[][4] = {
	{ 3, 0x55, 0x04, 0x03 }, { 3, 0x55, 0x04, 0x05 },
	{ 3, 0x55, 0x04, 0x0a }, { 3, 0x55, 0x04, 0x06 },
	{ 3, 0x2a, 0x03, 0x04 }, { 2, 0x88, 0x37 },
};

struct out {
	uint8_t d[3 * DN_MAX];
	size_t n;
};

static void put_tlv(struct out *o, uint8_t tag, const uint8_t *v, size_t len)
{
	if (o->n + len + 4 > sizeof(o->d))
		return;
	o->d[o->n++] = tag;
	if (len >= 0x80) {
		o->d[o->n++] = 0x82;
		o->d[o->n++] = (uint8_t)(len >> 8);
	}
	o->d[o->n++] = (uint8_t)len;
	memcpy(o->d + o->n, v, len);
	o->n += len;
}

/* Each attribute: choice byte (bit 7: same RDN as the last one, low bits:
 * the OID), tag byte, length byte, value bytes. */
static void build_name(const uint8_t *p, size_t left, struct out *name)
{
	static struct out rdns, set, atv;

	rdns.n = set.n = 0;
	while (left >= 3) {
		uint8_t choice = p[0], tag = p[1];
		size_t len = p[2] < left - 3 ? p[2] : left - 3;
		const uint8_t *oid = oids[(choice & 0x7f) % 6];

		if (!(choice & 0x80) && set.n) {
			put_tlv(&rdns, 0x31, set.d, set.n);
			set.n = 0;
		}
		atv.n = 0;
		put_tlv(&atv, 0x06, oid + 1, oid[0]);
		put_tlv(&atv, tag, p + 3, len);
		put_tlv(&set, 0x30, atv.d, atv.n);
		p += 3 + len;
		left -= 3 + len;
	}
	if (set.n)
		put_tlv(&rdns, 0x31, set.d, set.n);
	name->n = 0;
	put_tlv(name, 0x30, rdns.d, rdns.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct out name;

	check_name(data, size);
	build_name(data, size, &name);
	check_name(name.d, name.n);
	return 0;
}
