/* SPDX-License-Identifier: MIT */
/*
 * `ociboot tpm`: provision a machine's TPM with ociboot's NV layout
 * (tpm/layout.h, docs/tpm.md), show what a TPM holds, flush what a client
 * left loaded in one without a resource manager, and print the PolicyPCR
 * digest the secrets are sealed to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/dn.h"
#include "crypto/keygen.h"
#include "crypto/sha256.h"
#include "lib/endian.h"
#include "lib/hex.h"
#include "lib/strbuf.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"
#include "tpm/esys.h"
#include "tpm/key.h"
#include "tpm/layout.h"
#include "tpm/loaded.h"
#include "tpm/nv.h"
#include "tpm/policy.h"
#include "tpm/tpm.h"

#define TPM_DEFAULT_TCTI "device:/dev/tpmrm0"
#define ATTRIBUTES_TEXT_MAX 256
#define PROVISION "ociboot tpm provision"
#define STATUS "ociboot tpm status"
#define POLICY "ociboot tpm policy"
#define FLUSH "ociboot tpm flush"

struct tpm_args {
	const char *tcti;
	const char *product;
	char product_uuid[DN_UUID_LEN + 1];
	const char *machine;
	char machine_uuid[DN_UUID_LEN + 1];
	const char *ca_key;
	const char *ca_cert;
	uint8_t pcr7[TPM_SHA256_LEN];
	bool has_pcr7;
	bool pcr7_from_tpm;
	bool force;
};

static int set_product(void *args, const char *value, struct error *err)
{
	struct tpm_args *a = args;

	if (dn_uuid_normalize(value, strlen(value), a->product_uuid) < 0)
		return error_set(err, -EINVAL, NULL, "is not a UUID");
	a->product = a->product_uuid;
	return 0;
}

static int set_machine(void *args, const char *value, struct error *err)
{
	struct tpm_args *a = args;

	if (dn_uuid_normalize(value, strlen(value), a->machine_uuid) < 0)
		return error_set(err, -EINVAL, NULL, "is not a UUID");
	a->machine = a->machine_uuid;
	return 0;
}

static int set_pcr7(void *args, const char *value, struct error *err)
{
	struct tpm_args *a = args;
	size_t len = strlen(value);

	if (len != 2 * TPM_SHA256_LEN ||
	    hex_decode_any_case(value, len, a->pcr7, sizeof(a->pcr7)) !=
	    TPM_SHA256_LEN)
		return error_set(err, -EINVAL, NULL, "takes 64 hex digits");
	a->has_pcr7 = true;
	return 0;
}

#define TCTI_OPTION \
	CLI_OPTION_STRING("tcti", 0, 0, "CONF", "the TPM: device:PATH " \
			  "(default " TPM_DEFAULT_TCTI ") or swtpm:path=SOCKET", \
			  struct tpm_args, tcti)

static const struct cli_option provision_options[] = {
	CLI_OPTION_CALL("product", 0, CLI_REQUIRED, "UUID",
			"the product this machine boots", set_product),
	CLI_OPTION_CALL("pcr7", 0, 0, "HEX", "the sha256 PCR 7 of the "
			"machine's Secure Boot the secrets are sealed to",
			set_pcr7),
	CLI_OPTION_FLAG("pcr7-from-tpm", 0, "seal to the PCR 7 this TPM "
			"holds now", struct tpm_args, pcr7_from_tpm),
	CLI_OPTION_STRING("ca-key", 0, CLI_REQUIRED, "FILE", "the provisioning "
			  "CA's key, to certify the machine identity key",
			  struct tpm_args, ca_key),
	CLI_OPTION_STRING("ca-cert", 0, CLI_REQUIRED, "FILE", "the "
			  "provisioning CA's certificate", struct tpm_args,
			  ca_cert),
	CLI_OPTION_CALL("machine", 0, 0, "UUID", "the machine's UUID "
			"(default: random, from the TPM)", set_machine),
	TCTI_OPTION,
	CLI_OPTION_FLAG("force", 0, "replace an earlier provisioning",
			struct tpm_args, force),
};

static const struct cli_option status_options[] = {
	TCTI_OPTION,
};

static const struct cli_option flush_options[] = {
	TCTI_OPTION,
};

static const struct cli_option policy_options[] = {
	CLI_OPTION_CALL("pcr7", 0, CLI_REQUIRED, "HEX", "the sha256 PCR 7",
			set_pcr7),
};

static int check_provision(const struct cli_spec *spec, void *args)
{
	struct tpm_args *a = args;

	if (a->has_pcr7 == a->pcr7_from_tpm)
		return cli_usage(spec, "give one of --pcr7 and --pcr7-from-tpm");
	return 0;
}

static const char provision_description[] =
	"Provision the TPM for ociboot (docs/tpm.md): the product UUID,\n"
	"written once and locked for good; the anti-rollback floor, 0; a\n"
	"32-byte disk key and new owner and lockout authorizations from the\n"
	"TPM's random number generator, readable only under\n"
	"PolicyPCR(sha256:7 = the given value) and read-locked by the init\n"
	"at every boot. The machine identity: an ECDSA P-256 key created in\n"
	"the TPM (persistent at 0x81000100, usable only under the same\n"
	"policy) and its certificate from the provisioning CA (subject\n"
	"CN=<machine>, serialNumber=PID:<product> SN:<machine>), in NV.\n"
	"The owner and lockout authorizations are then changed\n"
	"to those values, which nothing but the init can read. A TPM that\n"
	"holds any of ociboot's indices is refused (each is named) unless\n"
	"--force, which only works while the owner authorization is still\n"
	"empty. The secrets and the new authorizations cross the TPM bus\n"
	"only encrypted (salted sessions; docs/tpm.md).\n";

static const char status_description[] =
	"Show ociboot's NV indices in the TPM: attributes, size, policy\n"
	"digest, the product and the floor; PCR 7 now, with whether the\n"
	"sealed indices' policy matches it; and how many transient objects\n"
	"and sessions the TPM holds (all of them without a resource\n"
	"manager, only this client's through one).\n";

static const char flush_description[] =
	"Flush every transient object and session the TPM lists\n"
	"(TPM2_FlushContext), as `tpm2_flushcontext -t -l -s` does: for a\n"
	"TPM without a resource manager (/dev/tpm0, swtpm's socket) that a\n"
	"client left them in. Through /dev/tpmrm0 it sees only its own,\n"
	"and there is nothing to flush.\n";

static const char policy_description[] =
	"Print the PolicyPCR(sha256:7) digest ociboot seals secrets to for\n"
	"the given PCR 7 value, as tpm2_policypcr computes it.\n";

static const struct cli_spec provision_spec =
	CLI_SPEC(PROVISION, provision_description, provision_options,
		 check_provision);
static const struct cli_spec status_spec =
	CLI_SPEC(STATUS, status_description, status_options, NULL);
static const struct cli_spec flush_spec =
	CLI_SPEC(FLUSH, flush_description, flush_options, NULL);
static const struct cli_spec policy_spec =
	CLI_SPEC(POLICY, policy_description, policy_options, NULL);

static int parse(const struct cli_spec *spec, int argc, char **argv,
		 struct tpm_args *a)
{
	memset(a, 0, sizeof(*a));
	a->tcti = TPM_DEFAULT_TCTI;
	return cli_parse(spec, argc, argv, a, NULL);
}

static int open_tpm(const char *prefix, const char *tcti, struct tpm *t)
{
	int r = tpm_open(t, tcti);

	if (r < 0)
		return cli_failure_errno(prefix, r, "opening TPM %s", tcti);
	return 0;
}

static int tpm_failure(const char *prefix, struct tpm *t, int r,
		       const char *fmt, const char *what)
{
	char line[256];

	snprintf(line, sizeof(line), fmt, what);
	if (t->last_rc)
		return cli_failure(prefix, "%s: %s (TPM rc 0x%x)", line,
				   ociboot_strerror(r), (unsigned)t->last_rc);
	return cli_failure_errno(prefix, r, "%s", line);
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
	printf("%s", label);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* --- policy ------------------------------------------------------------ */

static int tpm_policy(int argc, char **argv)
{
	uint8_t digest[TPM_POLICY_DIGEST_LEN];
	struct tpm_args a;
	int r = parse(&policy_spec, argc, argv, &a);

	if (r != 0)
		return cli_exit_status(r);
	tpm_policy_pcr_one(TPM_LAYOUT_POLICY_PCR, a.pcr7, digest);
	print_hex("", digest, sizeof(digest));
	return CLI_EXIT_SUCCESS;
}

/* --- status ------------------------------------------------------------ */

/* One line per slot; returns how many are defined, or a failure. */
static int show_slot(struct tpm *t, enum tpm_slot s, const uint8_t *policy)
{
	const struct tpm_slot_spec *spec = tpm_slot(s);
	char attrs[ATTRIBUTES_TEXT_MAX], product[TPM_LAYOUT_PRODUCT_LEN + 1];
	struct tpm_nv_public pub;
	uint64_t floor;
	int r = tpm_nv_read_public(t, spec->index, &pub);

	if (r == -ENOENT) {
		printf("%-8s 0x%08x: not defined\n", spec->name, spec->index);
		return 0;
	}
	if (r < 0)
		return tpm_failure(STATUS, t, r, "reading the public area of "
				   "%s", spec->name) ? -1 : -1;
	printf("%-8s 0x%08x: %u bytes, %s, policy ", spec->name, spec->index,
	       pub.size, tpm_nv_attributes_name(pub.attributes, attrs,
						sizeof(attrs)));
	if (pub.policy_len)
		print_hex("sha256:", pub.policy, pub.policy_len);
	else
		printf("none\n");
	if (!tpm_slot_matches(s, NULL, &pub))
		printf("%-8s   not as ociboot defines it\n", spec->name);
	else if (spec->sealed)
		printf("%-8s   policy %s PCR 7 now\n", spec->name,
		       tpm_slot_matches(s, policy, &pub) ? "matches" :
		       "does not match");
	if (s == TPM_SLOT_PRODUCT && tpm_layout_read_product(t, product) == 0)
		printf("%-8s   %s\n", spec->name, product);
	if (s == TPM_SLOT_FLOOR && tpm_layout_read_floor(t, &floor) == 0)
		printf("%-8s   %llu\n", spec->name, (unsigned long long)floor);
	return 1;
}

/* The identity key's line; 1 when it is there, 0 when not, -1. */
static int show_key(struct tpm *t, const uint8_t *policy)
{
	struct tpm_key_public pub;
	int r = tpm_key_read_public(t, TPM_LAYOUT_KEY_HANDLE, &pub);

	if (r == -ENOENT) {
		printf("key      0x%08x: not there\n", TPM_LAYOUT_KEY_HANDLE);
		return 0;
	}
	if (r < 0)
		return tpm_failure(STATUS, t, r, "reading the public area of "
				   "%s", "the identity key") ? -1 : -1;
	printf("key      0x%08x: ECDSA P-256, attributes 0x%08x, policy ",
	       TPM_LAYOUT_KEY_HANDLE, pub.attributes);
	print_hex("sha256:", pub.policy, pub.policy_len);
	print_hex("key        point ", pub.point, sizeof(pub.point));
	if (pub.attributes != TPM_KEY_ATTRIBUTES ||
	    pub.policy_len != TPM_POLICY_DIGEST_LEN)
		printf("key        not as ociboot creates it\n");
	else
		printf("key        policy %s PCR 7 now\n",
		       memcmp(pub.policy, policy, TPM_POLICY_DIGEST_LEN) ?
		       "does not match" : "matches");
	return 1;
}

static int show_loaded(struct tpm *t)
{
	struct tpm_loaded l;
	int r = tpm_loaded_count(t, &l);

	if (r < 0)
		return tpm_failure(STATUS, t, r, "listing %s", "the loaded "
				   "objects and sessions") ? -1 : -1;
	printf("loaded   %u transient objects, %u sessions\n", l.objects,
	       l.sessions);
	return 0;
}

static int tpm_status(int argc, char **argv)
{
	uint8_t pcr7[TPM_SHA256_LEN], policy[TPM_POLICY_DIGEST_LEN];
	struct tpm_args a;
	struct tpm t;
	int r = parse(&status_spec, argc, argv, &a), defined = 0;

	if (r != 0)
		return cli_exit_status(r);
	if (open_tpm(STATUS, a.tcti, &t))
		return CLI_EXIT_FAILURE;
	r = tpm_pcr_read_sha256(&t, TPM_LAYOUT_POLICY_PCR, pcr7);
	if (r < 0) {
		tpm_failure(STATUS, &t, r, "reading %s", "PCR 7");
		tpm_close(&t);
		return CLI_EXIT_FAILURE;
	}
	tpm_policy_pcr_one(TPM_LAYOUT_POLICY_PCR, pcr7, policy);
	for (enum tpm_slot s = 0; s < TPM_SLOT_COUNT; s++) {
		r = show_slot(&t, s, policy);
		if (r < 0) {
			tpm_close(&t);
			return CLI_EXIT_FAILURE;
		}
		defined += r;
	}
	r = show_key(&t, policy);
	if (r < 0) {
		tpm_close(&t);
		return CLI_EXIT_FAILURE;
	}
	defined += r;
	print_hex("pcr7     sha256:", pcr7, sizeof(pcr7));
	print_hex("policy   PolicyPCR(sha256:7 now) sha256:", policy,
		  sizeof(policy));
	if (show_loaded(&t) < 0) {
		tpm_close(&t);
		return CLI_EXIT_FAILURE;
	}
	printf("%s\n", defined == TPM_SLOT_COUNT + 1 ? "provisioned" :
	       defined ? "partly provisioned" : "not provisioned");
	tpm_close(&t);
	return CLI_EXIT_SUCCESS;
}

/* --- flush ------------------------------------------------------------- */

static int tpm_flush_command(int argc, char **argv)
{
	struct tpm_loaded flushed;
	struct tpm_args a;
	struct tpm t;
	int r = parse(&flush_spec, argc, argv, &a);

	if (r != 0)
		return cli_exit_status(r);
	if (open_tpm(FLUSH, a.tcti, &t))
		return CLI_EXIT_FAILURE;
	r = tpm_flush_loaded(&t, &flushed);
	printf("flushed %u transient objects, %u sessions\n",
	       flushed.objects, flushed.sessions);
	if (r < 0)
		tpm_failure(FLUSH, &t, r, "%s", "flushing what the TPM lists");
	tpm_close(&t);
	return r < 0 ? CLI_EXIT_FAILURE : CLI_EXIT_SUCCESS;
}

/* --- provision --------------------------------------------------------- */

/* The identity key, when there: listed, and with --force evicted. */
static int clear_key(struct tpm *t, const struct tpm_args *a,
		     struct strbuf *sb, int *found)
{
	struct tpm_key_public pub;
	struct tpm_auth empty;
	int r = tpm_key_read_public(t, TPM_LAYOUT_KEY_HANDLE, &pub);

	if (r == -ENOENT)
		return 0;
	if (r < 0 && tpm_rc_base(t->last_rc) != 0)
		return tpm_failure(PROVISION, t, r, "reading %s",
				   "persistent handle 0x81000100");
	strbuf_printf(sb, "%skey 0x%08x (%s)", (*found)++ ? ", " : "",
		      TPM_LAYOUT_KEY_HANDLE, r < 0 ? "another key" :
		      "ECDSA P-256");
	if (!a->force)
		return 0;
	tpm_auth_password(&empty, NULL, 0);
	r = tpm_key_evict_control(t, &empty, TPM_LAYOUT_KEY_HANDLE,
				  TPM_LAYOUT_KEY_HANDLE);
	if (r < 0)
		return tpm_failure(PROVISION, t, r, "evicting %s",
				   "persistent handle 0x81000100");
	return 0;
}

/* What is there already: refused, or undefined with --force. */
static int clear_earlier(struct tpm *t, const struct tpm_args *a)
{
	char attrs[ATTRIBUTES_TEXT_MAX];
	char found_text[(TPM_SLOT_COUNT + 1) * ATTRIBUTES_TEXT_MAX];
	struct tpm_nv_public pub;
	struct tpm_auth empty;
	struct strbuf sb;
	int found = 0, r;

	strbuf_init(&sb, found_text, sizeof(found_text));
	tpm_auth_password(&empty, NULL, 0);
	for (enum tpm_slot s = 0; s < TPM_SLOT_COUNT; s++) {
		const struct tpm_slot_spec *spec = tpm_slot(s);

		r = tpm_nv_read_public(t, spec->index, &pub);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return tpm_failure(PROVISION, t, r, "reading the "
					   "public area of %s", spec->name);
		strbuf_printf(&sb, "%s%s 0x%08x (%u bytes, %s)",
			      found++ ? ", " : "", spec->name, spec->index,
			      pub.size, tpm_nv_attributes_name(pub.attributes,
						attrs, sizeof(attrs)));
		if (!a->force)
			continue;
		r = tpm_nv_undefine(t, &empty, spec->index);
		if (r < 0 && tpm_rc_base(t->last_rc) == TPM_RC_BAD_AUTH)
			return cli_failure(PROVISION, "cannot undefine %s: the "
					   "owner authorization is set (a "
					   "provisioned TPM is locked); clear "
					   "the TPM from the firmware first "
					   "(TPM rc 0x%x)", spec->name,
					   (unsigned)t->last_rc);
		if (r < 0)
			return tpm_failure(PROVISION, t, r, "undefining %s",
					   spec->name);
	}
	r = clear_key(t, a, &sb, &found);
	if (r)
		return r;
	if (found && !a->force)
		return cli_failure(PROVISION, "this TPM is already provisioned: "
				   "%s; --force replaces them", strbuf_str(&sb));
	return 0;
}

static int define_slot(struct tpm *t, enum tpm_slot s, const uint8_t *policy,
		       const uint8_t *data, uint16_t size, bool lock)
{
	const struct tpm_slot_spec *spec = tpm_slot(s);
	struct tpm_nv_public pub;
	struct tpm_auth empty;
	int r;

	tpm_auth_password(&empty, NULL, 0);
	tpm_slot_public(s, policy, &pub);
	pub.size = size;
	r = tpm_nv_define(t, &empty, &pub);
	if (r < 0)
		return tpm_failure(PROVISION, t, r, "defining %s", spec->name);
	for (uint16_t at = 0; at < size; at += TPM_LAYOUT_CHUNK) {
		uint16_t n = size - at < TPM_LAYOUT_CHUNK ?
			     (uint16_t)(size - at) : TPM_LAYOUT_CHUNK;

		r = tpm_nv_write(t, TPM_RH_OWNER, spec->index, &empty,
				 data + at, n, at);
		if (r < 0)
			return tpm_failure(PROVISION, t, r, "writing %s",
					   spec->name);
	}
	if (lock) {
		r = tpm_nv_write_lock(t, TPM_RH_OWNER, spec->index, &empty);
		if (r < 0)
			return tpm_failure(PROVISION, t, r, "write-locking %s",
					   spec->name);
	}
	return 0;
}

/* A version 4 UUID from the TPM's random number generator. */
static int random_uuid(struct tpm *t, char uuid[DN_UUID_LEN + 1])
{
	uint8_t b[16];
	int r = tpm_get_random(t, b, sizeof(b));

	if (r < 0)
		return tpm_failure(PROVISION, t, r, "%s", "GetRandom");
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(uuid, DN_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
		 b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return 0;
}

/*
 * The identity key, created in the TPM and made persistent, and its
 * certificate from the provisioning CA in slot identity.
 */
static int make_identity(struct tpm *t, struct tpm_args *a,
			 const uint8_t *policy)
{
	struct keygen_options o = {
		.days = KEYGEN_MACHINE_DAYS, .ec_bits = 256,
	};
	struct tpm_key_public pub;
	struct tpm_auth empty;
	uint32_t handle;
	struct error e;
	uint8_t *der = NULL;
	size_t len = 0;
	int r;

	if (!a->machine) {
		if (random_uuid(t, a->machine_uuid))
			return CLI_EXIT_FAILURE;
		a->machine = a->machine_uuid;
	}
	tpm_auth_password(&empty, NULL, 0);
	r = tpm_key_create_primary(t, &empty, policy, &handle, &pub);
	if (r < 0)
		return tpm_failure(PROVISION, t, r, "%s",
				   "creating the identity key");
	r = tpm_key_evict_control(t, &empty, handle, TPM_LAYOUT_KEY_HANDLE);
	tpm_flush(t, handle);
	if (r < 0)
		return tpm_failure(PROVISION, t, r, "%s", "persisting the "
				   "identity key at 0x81000100");
	o.not_before = (int64_t)time(NULL);
	r = keygen_machine(&o, a->product, a->machine, pub.point, a->ca_key,
			   a->ca_cert, &der, &len, &e);
	if (r < 0) {
		char line[ERROR_LINE_MAX];

		return cli_failure(PROVISION, "the machine certificate: %s",
				   error_format(&e, line, sizeof(line)));
	}
	if (len > TPM_LAYOUT_IDENTITY_MAX) {
		free(der);
		return cli_failure(PROVISION, "the machine certificate is %zu "
				   "bytes, over %d", len,
				   TPM_LAYOUT_IDENTITY_MAX);
	}
	r = define_slot(t, TPM_SLOT_IDENTITY, policy, der, (uint16_t)len,
			true);
	free(der);
	return r;
}

/* The new owner and lockout authorizations, then the disk key. */
static int random_secrets(struct tpm *t, uint8_t *admin, uint8_t *disk_key)
{
	int r = tpm_get_random(t, admin, TPM_LAYOUT_AUTH_LEN);

	if (r == 0)
		r = tpm_get_random(t, admin + TPM_LAYOUT_AUTH_LEN,
				   TPM_LAYOUT_AUTH_LEN);
	if (r == 0)
		r = tpm_get_random(t, disk_key, TPM_LAYOUT_DISK_KEY_LEN);
	if (r < 0)
		return tpm_failure(PROVISION, t, r, "%s", "GetRandom");
	return 0;
}

/* Lockout first: a failure there leaves the owner still usable. */
static int lock_hierarchies(struct tpm *t, const uint8_t *admin)
{
	struct tpm_auth empty;
	int r;

	tpm_auth_password(&empty, NULL, 0);
	r = tpm_hierarchy_change_auth(t, TPM_RH_LOCKOUT, &empty,
				      admin + TPM_LAYOUT_AUTH_LEN,
				      TPM_LAYOUT_AUTH_LEN);
	if (r < 0)
		return tpm_failure(PROVISION, t, r, "changing the %s "
				   "authorization", "lockout");
	r = tpm_hierarchy_change_auth(t, TPM_RH_OWNER, &empty, admin,
				      TPM_LAYOUT_AUTH_LEN);
	if (r < 0)
		return tpm_failure(PROVISION, t, r, "changing the %s "
				   "authorization", "owner");
	return 0;
}

static int provision(struct tpm *t, struct tpm_args *a)
{
	uint8_t admin[TPM_LAYOUT_ADMIN_LEN], disk_key[TPM_LAYOUT_DISK_KEY_LEN];
	uint8_t policy[TPM_POLICY_DIGEST_LEN], floor[TPM_LAYOUT_FLOOR_LEN];
	int r;

	if (a->pcr7_from_tpm) {
		r = tpm_pcr_read_sha256(t, TPM_LAYOUT_POLICY_PCR, a->pcr7);
		if (r < 0)
			return tpm_failure(PROVISION, t, r, "reading %s",
					   "PCR 7");
	}
	if (clear_earlier(t, a))
		return CLI_EXIT_FAILURE;
	tpm_policy_pcr_one(TPM_LAYOUT_POLICY_PCR, a->pcr7, policy);
	if (random_secrets(t, admin, disk_key))
		return CLI_EXIT_FAILURE;
	memset(floor, 0, sizeof(floor));
	r = define_slot(t, TPM_SLOT_PRODUCT, policy,
			(const uint8_t *)a->product, TPM_LAYOUT_PRODUCT_LEN,
			true);
	if (r == 0)
		r = define_slot(t, TPM_SLOT_FLOOR, policy, floor,
				TPM_LAYOUT_FLOOR_LEN, false);
	if (r == 0)
		r = define_slot(t, TPM_SLOT_DISK_KEY, policy, disk_key,
				TPM_LAYOUT_DISK_KEY_LEN, true);
	if (r == 0)
		r = define_slot(t, TPM_SLOT_ADMIN, policy, admin,
				TPM_LAYOUT_ADMIN_LEN, true);
	if (r == 0)
		r = make_identity(t, a, policy);
	if (r == 0)
		r = lock_hierarchies(t, admin);
	explicit_bzero(admin, sizeof(admin));
	explicit_bzero(disk_key, sizeof(disk_key));
	if (r)
		return CLI_EXIT_FAILURE;
	printf("product  %s\n", a->product);
	printf("machine  %s\n", a->machine);
	printf("floor    0\n");
	print_hex("pcr7     sha256:", a->pcr7, sizeof(a->pcr7));
	print_hex("policy   sha256:", policy, sizeof(policy));
	printf("provisioned\n");
	return CLI_EXIT_SUCCESS;
}

static int tpm_provision(int argc, char **argv)
{
	struct tpm_args a;
	struct tpm t;
	int r = parse(&provision_spec, argc, argv, &a);

	if (r != 0)
		return cli_exit_status(r);
	if (open_tpm(PROVISION, a.tcti, &t))
		return CLI_EXIT_FAILURE;
	/* The secrets and the new authorizations go encrypted. */
	r = tpm_protect(&t);
	if (r < 0) {
		tpm_failure(PROVISION, &t, r, "%s", "starting encrypted "
			    "sessions (a P-256 salt key in the null hierarchy)");
		tpm_close(&t);
		return CLI_EXIT_FAILURE;
	}
	r = provision(&t, &a);
	tpm_close(&t);
	return r;
}

int tpm_main(int argc, char **argv)
{
	static const struct cli_command commands[] = {
		{ "provision", tpm_provision, "provision a machine's TPM: "
		  "product, floor, sealed secrets" },
		{ "status", tpm_status, "show what ociboot keeps in a TPM" },
		{ "policy", tpm_policy, "print the PolicyPCR digest for a "
		  "PCR 7 value" },
		{ "flush", tpm_flush_command, "flush the transient objects and "
		  "sessions a client left in a TPM" },
	};

	return cli_dispatch("ociboot tpm", commands, ARRAY_SIZE(commands),
			    argc, argv);
}
