/* SPDX-License-Identifier: MIT */
/*
 * ociboot's NV layout: see tpm/layout.h and docs/tpm.md.
 */
#include "tpm/layout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/endian.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* TPMA_NV bits (TPM 2.0 part 2, 13.4), with tpm2-tools' names. */
#define NV_OWNERWRITE 0x00000002U
#define NV_WRITEDEFINE 0x00002000U
#define NV_WRITE_STCLEAR 0x00004000U
#define NV_OWNERREAD 0x00020000U
#define NV_AUTHREAD 0x00040000U
#define NV_POLICYREAD 0x00080000U
#define NV_NO_DA 0x02000000U
#define NV_READ_STCLEAR 0x80000000U

/*
 * product, floor: public data; anyone reads them with the empty authValue
 * (AUTHREAD), only the owner writes them. The product's WRITEDEFINE makes
 * its NV_WriteLock permanent; the floor's WRITE_STCLEAR makes it last
 * until the next TPM reset. admin, disk-key: only a PolicyPCR(sha256:7)
 * session reads them (POLICYREAD, no OWNERREAD), ReadLock holds until the
 * next reset (READ_STCLEAR); written once at provisioning and locked for
 * good. NO_DA everywhere: a wrong PCR 7 must never put the TPM into
 * dictionary-attack lockout and so lock the init out with it.
 */
static const struct tpm_slot_spec slots[TPM_SLOT_COUNT] = {
	[TPM_SLOT_PRODUCT] = { "product", 0x01500100U, TPM_LAYOUT_PRODUCT_LEN,
		NV_OWNERWRITE | NV_WRITEDEFINE | NV_OWNERREAD | NV_AUTHREAD |
		NV_NO_DA, false },
	[TPM_SLOT_FLOOR] = { "floor", 0x01500101U, TPM_LAYOUT_FLOOR_LEN,
		NV_OWNERWRITE | NV_WRITE_STCLEAR | NV_OWNERREAD | NV_AUTHREAD |
		NV_NO_DA, false },
	[TPM_SLOT_ADMIN] = { "admin", 0x01500110U, TPM_LAYOUT_ADMIN_LEN,
		NV_OWNERWRITE | NV_WRITEDEFINE | NV_POLICYREAD |
		NV_READ_STCLEAR | NV_NO_DA, true },
	[TPM_SLOT_DISK_KEY] = { "disk-key", 0x01500111U,
		TPM_LAYOUT_DISK_KEY_LEN,
		NV_OWNERWRITE | NV_WRITEDEFINE | NV_POLICYREAD |
		NV_READ_STCLEAR | NV_NO_DA, true },
	[TPM_SLOT_IDENTITY] = { "identity", 0x01500120U, 0,
		NV_OWNERWRITE | NV_WRITEDEFINE | NV_OWNERREAD | NV_AUTHREAD |
		NV_NO_DA, false },
};

static const struct {
	uint32_t bit;
	const char *name;
} attribute_names[] = {
	{ 0x00000001U, "ppwrite" }, { NV_OWNERWRITE, "ownerwrite" },
	{ 0x00000004U, "authwrite" }, { 0x00000008U, "policywrite" },
	{ 0x00000010U, "nt=1" }, { 0x00000020U, "nt=2" },
	{ 0x00000040U, "nt=4" }, { 0x00000080U, "nt=8" },
	{ 0x00000400U, "policydelete" }, { 0x00000800U, "writelocked" },
	{ 0x00001000U, "writeall" }, { NV_WRITEDEFINE, "writedefine" },
	{ NV_WRITE_STCLEAR, "write_stclear" },
	{ 0x00008000U, "globallock" }, { 0x00010000U, "ppread" },
	{ NV_OWNERREAD, "ownerread" }, { NV_AUTHREAD, "authread" },
	{ NV_POLICYREAD, "policyread" }, { NV_NO_DA, "no_da" },
	{ 0x04000000U, "orderly" }, { 0x08000000U, "clear_stclear" },
	{ 0x10000000U, "readlocked" }, { 0x20000000U, "written" },
	{ 0x40000000U, "platformcreate" }, { NV_READ_STCLEAR, "read_stclear" },
};

const struct tpm_slot_spec *tpm_slot(enum tpm_slot s)
{
	return &slots[s];
}

void tpm_slot_public(enum tpm_slot s,
		     const uint8_t policy[TPM_POLICY_DIGEST_LEN],
		     struct tpm_nv_public *pub)
{
	const struct tpm_slot_spec *spec = &slots[s];

	memset(pub, 0, sizeof(*pub));
	pub->index = spec->index;
	pub->attributes = spec->attributes;
	pub->size = spec->size ? spec->size : TPM_LAYOUT_IDENTITY_MAX;
	if (spec->sealed) {
		pub->policy_len = TPM_POLICY_DIGEST_LEN;
		memcpy(pub->policy, policy, TPM_POLICY_DIGEST_LEN);
	}
}

bool tpm_slot_matches(enum tpm_slot s,
		      const uint8_t policy[TPM_POLICY_DIGEST_LEN],
		      const struct tpm_nv_public *got)
{
	const struct tpm_slot_spec *spec = &slots[s];

	bool size_ok = spec->size ? got->size == spec->size :
		       got->size > 0 && got->size <= TPM_LAYOUT_IDENTITY_MAX;

	if (got->index != spec->index || !size_ok ||
	    (got->attributes & ~TPM_LAYOUT_STATE_BITS) != spec->attributes)
		return false;
	if (!spec->sealed)
		return got->policy_len == 0;
	if (got->policy_len != TPM_POLICY_DIGEST_LEN)
		return false;
	return !policy || memcmp(got->policy, policy,
				 TPM_POLICY_DIGEST_LEN) == 0;
}

const char *tpm_nv_attributes_name(uint32_t attributes, char *buf,
				   size_t size)
{
	struct strbuf sb;

	strbuf_init(&sb, buf, size);
	for (size_t i = 0; i < ARRAY_SIZE(attribute_names); i++) {
		if (!(attributes & attribute_names[i].bit))
			continue;
		strbuf_printf(&sb, "%s%s", strbuf_len(&sb) ? "|" : "",
			      attribute_names[i].name);
	}
	return buf;
}

/* Slot s is there as the layout says, and written; its size to *size. */
static int check_public_size(struct tpm *t, enum tpm_slot s, uint32_t need,
			     uint16_t *size)
{
	struct tpm_nv_public pub;
	int r = tpm_nv_read_public(t, slots[s].index, &pub);

	if (r < 0)
		return r;
	if (!tpm_slot_matches(s, NULL, &pub) ||
	    (pub.attributes & need) != need)
		return -OCIBOOT_EVERIFY;
	*size = pub.size;
	return 0;
}

static int check_public(struct tpm *t, enum tpm_slot s, uint32_t need)
{
	uint16_t size;

	return check_public_size(t, s, need, &size);
}

static bool is_canonical_uuid(const char *s)
{
	for (size_t i = 0; i < TPM_LAYOUT_PRODUCT_LEN; i++) {
		char c = s[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? c != '-' :
		    !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

int tpm_layout_read_product(struct tpm *t,
			    char product[TPM_LAYOUT_PRODUCT_LEN + 1])
{
	char buf[TPM_LAYOUT_PRODUCT_LEN];
	struct tpm_auth empty;
	int r;

	r = check_public(t, TPM_SLOT_PRODUCT,
			 TPM_LAYOUT_WRITTEN | TPM_LAYOUT_WRITELOCKED);
	if (r < 0)
		return r;
	tpm_auth_password(&empty, NULL, 0);
	r = tpm_nv_read(t, slots[TPM_SLOT_PRODUCT].index,
			slots[TPM_SLOT_PRODUCT].index, &empty, buf,
			sizeof(buf), 0);
	if (r < 0)
		return r;
	if (!is_canonical_uuid(buf))
		return -OCIBOOT_EVERIFY;
	memcpy(product, buf, sizeof(buf));
	product[TPM_LAYOUT_PRODUCT_LEN] = '\0';
	return 0;
}

int tpm_layout_read_identity(struct tpm *t, uint8_t *buf, size_t cap,
			     size_t *len)
{
	uint32_t index = slots[TPM_SLOT_IDENTITY].index;
	struct tpm_auth empty;
	uint16_t size;
	int r;

	r = check_public_size(t, TPM_SLOT_IDENTITY,
			      TPM_LAYOUT_WRITTEN | TPM_LAYOUT_WRITELOCKED, &size);
	if (r < 0)
		return r;
	if (size > cap)
		return -OCIBOOT_ETOOBIG;
	tpm_auth_password(&empty, NULL, 0);
	for (uint16_t at = 0; at < size; at += TPM_LAYOUT_CHUNK) {
		uint16_t n = size - at < TPM_LAYOUT_CHUNK ?
			     (uint16_t)(size - at) : TPM_LAYOUT_CHUNK;

		r = tpm_nv_read(t, index, index, &empty, buf + at, n, at);
		if (r < 0)
			return r;
	}
	*len = size;
	return 0;
}

int tpm_layout_read_floor(struct tpm *t, uint64_t *floor)
{
	uint8_t buf[TPM_LAYOUT_FLOOR_LEN];
	struct tpm_auth empty;
	int r;

	r = check_public(t, TPM_SLOT_FLOOR, TPM_LAYOUT_WRITTEN);
	if (r < 0)
		return r;
	tpm_auth_password(&empty, NULL, 0);
	r = tpm_nv_read(t, slots[TPM_SLOT_FLOOR].index,
			slots[TPM_SLOT_FLOOR].index, &empty, buf, sizeof(buf),
			0);
	if (r < 0)
		return r;
	*floor = be64_load(buf);
	return 0;
}

int tpm_layout_read_sealed(struct tpm *t, enum tpm_slot s, uint8_t *buf)
{
	int r;

	if (!slots[s].sealed)
		return -EINVAL;
	r = check_public(t, s, TPM_LAYOUT_WRITTEN);
	if (r < 0)
		return r;
	return tpm_nv_read_policy_pcr(t, slots[s].index, TPM_LAYOUT_POLICY_PCR,
				      buf, slots[s].size, 0);
}

int tpm_layout_lock_sealed(struct tpm *t, enum tpm_slot s)
{
	struct tpm_auth a;
	uint32_t session;
	int r;

	if (!slots[s].sealed)
		return -EINVAL;
	r = tpm_policy_session_pcr(t, TPM_LAYOUT_POLICY_PCR, &session);
	if (r < 0)
		return r;
	tpm_auth_policy(&a, session);
	return tpm_nv_read_lock(t, slots[s].index, slots[s].index, &a);
}

int tpm_layout_write_floor(struct tpm *t, const uint8_t *owner_auth,
			   uint64_t floor, bool lock)
{
	uint8_t buf[TPM_LAYOUT_FLOOR_LEN];
	struct tpm_auth owner;
	int r;

	be64_store(buf, floor);
	tpm_auth_password(&owner, owner_auth,
			  owner_auth ? TPM_LAYOUT_AUTH_LEN : 0);
	r = tpm_nv_write(t, TPM_RH_OWNER, slots[TPM_SLOT_FLOOR].index, &owner,
			 buf, sizeof(buf), 0);
	if (r == 0 && lock)
		r = tpm_nv_write_lock(t, TPM_RH_OWNER,
				      slots[TPM_SLOT_FLOOR].index, &owner);
	explicit_bzero(&owner, sizeof(owner));
	return r;
}
