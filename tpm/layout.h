/* SPDX-License-Identifier: MIT */
/*
 * ociboot's NV layout in the TPM (docs/tpm.md "NV layout"): which index
 * holds what, with which attributes and policy, and the reads, writes and
 * locks the init and `ociboot tpm` make on them.
 *
 *   0x01500100  product   36 bytes  the product UUID, written once, then
 *                                   write-locked for good (WRITEDEFINE)
 *   0x01500101  floor      8 bytes  anti-rollback floor, big-endian; the
 *                                   owner writes it, WRITE_STCLEAR lock
 *   0x01500110  admin     64 bytes  owner auth || lockout auth, readable
 *                                   only under PolicyPCR(sha256:7), then
 *                                   read-locked until reset (READ_STCLEAR)
 *   0x01500111  disk-key  32 bytes  a disk key from the TPM's RNG, same
 *                                   policy and read lock as admin
 *   0x01500120  identity  <= 1024   the machine's certificate (DER) for
 *                                   the key at 0x81000100, written once
 *                                   and locked for good, anyone reads it
 *   0x81000100  (persistent key)    the machine identity key (tpm/key.h)
 *
 * Nothing here allocates or logs; codes as tpm/nv.h says.
 */
#ifndef OCIBOOT_TPM_LAYOUT_H
#define OCIBOOT_TPM_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "tpm/nv.h"
#include "tpm/policy.h"

#define TPM_LAYOUT_PRODUCT_LEN 36	/* canonical lower-case UUID text */
#define TPM_LAYOUT_FLOOR_LEN 8
#define TPM_LAYOUT_AUTH_LEN 32		/* each hierarchy's new auth */
#define TPM_LAYOUT_ADMIN_LEN (2 * TPM_LAYOUT_AUTH_LEN)
#define TPM_LAYOUT_DISK_KEY_LEN 32
#define TPM_LAYOUT_IDENTITY_MAX 1024	/* bytes of the certificate */
/* Bytes one NV_Read or NV_Write of the certificate moves (TPMs take at
 * least 512: TPM_PT_NV_BUFFER_MAX). */
#define TPM_LAYOUT_CHUNK 512
/* The persistent handle of the machine identity key. */
#define TPM_LAYOUT_KEY_HANDLE 0x81000100U
/* The PCR the secrets are sealed to: the Secure Boot policy. */
#define TPM_LAYOUT_POLICY_PCR 7
/* The PCR the init measures what it boots into (docs/tpm.md). */
#define TPM_LAYOUT_MEASURE_PCR 13
/* Attribute bits that say what state an index is in, not what it is. */
#define TPM_LAYOUT_STATE_BITS 0x30000800U	/* WRITTEN, READ/WRITELOCKED */
#define TPM_LAYOUT_WRITTEN 0x20000000U
#define TPM_LAYOUT_WRITELOCKED 0x00000800U
#define TPM_LAYOUT_READLOCKED 0x10000000U

enum tpm_slot {
	TPM_SLOT_PRODUCT,
	TPM_SLOT_FLOOR,
	TPM_SLOT_ADMIN,
	TPM_SLOT_DISK_KEY,
	TPM_SLOT_IDENTITY,
	TPM_SLOT_COUNT
};

struct tpm_slot_spec {
	const char *name;	/* "product", "floor", "admin", "disk-key" */
	uint32_t index;
	uint16_t size;		/* 0: 1..TPM_LAYOUT_IDENTITY_MAX, as written */
	uint32_t attributes;	/* as defined (no state bits) */
	bool sealed;		/* authPolicy PolicyPCR(sha256:7) */
};

/* The spec of slot s (s < TPM_SLOT_COUNT). */
const struct tpm_slot_spec *tpm_slot(enum tpm_slot s);

/*
 * The public area slot s is defined with; policy is the PolicyPCR digest
 * for a sealed slot (ignored for others).
 */
void tpm_slot_public(enum tpm_slot s,
		     const uint8_t policy[TPM_POLICY_DIGEST_LEN],
		     struct tpm_nv_public *pub);

/*
 * Whether got is slot s as ociboot defines it: index, size, attributes
 * (the state bits aside) and, for a sealed slot, an authPolicy of 32
 * bytes (equal to policy when policy is not NULL); no policy otherwise.
 */
bool tpm_slot_matches(enum tpm_slot s,
		      const uint8_t policy[TPM_POLICY_DIGEST_LEN],
		      const struct tpm_nv_public *got);

/*
 * Each TPMA_NV bit set in attributes by its tpm2-tools name, joined by
 * '|' ("ownerwrite|authread|..."), into buf[size] (NUL-terminated, cut
 * if short). Returns buf.
 */
const char *tpm_nv_attributes_name(uint32_t attributes, char *buf,
				   size_t size);

/*
 * The provisioned product: slot product's public area must match the
 * layout, be written and write-locked; its 36 bytes must be a canonical
 * lower-case UUID (written to product, NUL-terminated). Returns 0;
 * -ENOENT when the index is not defined (an unprovisioned TPM);
 * -OCIBOOT_EVERIFY when it is there but not as the layout says (not
 * written, not locked, other attributes, not a UUID); other codes as
 * tpm/nv.h says.
 */
int tpm_layout_read_product(struct tpm *t,
			    char product[TPM_LAYOUT_PRODUCT_LEN + 1]);

/*
 * The machine's certificate: slot identity checked as the product is,
 * read whole into buf[cap] in TPM_LAYOUT_CHUNK pieces; *len gets its
 * size. -ENOENT when not defined; -OCIBOOT_ETOOBIG when cap is short.
 */
int tpm_layout_read_identity(struct tpm *t, uint8_t *buf, size_t cap,
			     size_t *len);

/* The floor (slot floor checked as for the product, but unlocked). */
int tpm_layout_read_floor(struct tpm *t, uint64_t *floor);

/*
 * Read sealed slot s (admin, disk-key) through a PolicyPCR(sha256:7)
 * session into buf (the slot's size). -OCIBOOT_EPROTO with last_rc's base
 * TPM_RC_POLICY_FAIL when PCR 7 is not the value it was sealed to,
 * TPM_RC_NV_LOCKED when already read-locked in this boot.
 */
int tpm_layout_read_sealed(struct tpm *t, enum tpm_slot s, uint8_t *buf);

/* TPM2_NV_ReadLock of sealed slot s, through a policy session. */
int tpm_layout_lock_sealed(struct tpm *t, enum tpm_slot s);

/*
 * Write floor with the owner's auth (owner_auth[TPM_LAYOUT_AUTH_LEN],
 * the first half of slot admin), then write-lock the floor until the
 * next reset. A floor already write-locked in this boot is -OCIBOOT_EPROTO
 * with TPM_RC_NV_LOCKED.
 */
int tpm_layout_write_floor(struct tpm *t, const uint8_t *owner_auth,
			   uint64_t floor, bool lock);

#endif
