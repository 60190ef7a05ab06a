/* SPDX-License-Identifier: MIT */
/*
 * The boot's TPM stages: see init/tpm_boot.h and docs/tpm.md.
 */
#include "init/tpm_boot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bearssl.h>

#include "crypto/sha256.h"
#include "init/boot.h"
#include "init/log.h"
#include "init/stage_bounded.h"
#include "lib/strbuf.h"
#include "lib/util.h"
#include "oci/oci_ref.h"
#include "tpm/esys.h"
#include "tpm/key.h"
#include "tpm/loaded.h"

#define SECRETS_DIR_MODE 0700
#define IDENTITY_DIR_MODE 0755
#define CHECK_MESSAGE "ociboot tpm-check"
#define RC_TEXT_MAX 96
/* "ociboot-system:sha256:" and 64 hex digits, with the NUL. */
#define EVENT_STRING_MAX 96

bool tpm_boot_announced(void)
{
	struct dirent *d;
	bool found = false;
	DIR *dir;

	if (access(TPM_BOOT_ACPI_TABLE, F_OK) == 0)
		return true;
	dir = opendir(TPM_BOOT_CLASS_DIR);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir)))
		found = strncmp(d->d_name, "tpm", 3) == 0;
	closedir(dir);
	return found;
}

const char *tpm_boot_expected_product(const struct boot *b)
{
	return b->tpm_boot.provisioned ? b->tpm_boot.product : NULL;
}

/* "protocol violation (TPM rc 0x99d)": a failure with the TPM's code. */
static const char *tpm_why(const struct boot *b, int r, char *buf,
			   size_t size)
{
	if (b->tpm.last_rc)
		snprintf(buf, size, "%s (TPM rc 0x%x)", ociboot_strerror(r),
			 (unsigned)b->tpm.last_rc);
	else
		snprintf(buf, size, "%s", ociboot_strerror(r));
	return buf;
}

static bool required(const struct boot *b)
{
	return b->config.tpm == TPM_MODE_REQUIRED;
}

/* No binding: refused when required, a warning when optional. */
static int without_tpm(struct boot *b, const char *why)
{
	if (required(b))
		return boot_failed(b, "tpm: ociboot.tpm=required, but %s", why);
	log_warning("tpm", "%s: booting without product binding, "
		    "anti-rollback floor or secrets (ociboot.tpm=optional)",
		    why);
	return 0;
}

/* --- before verification ----------------------------------------------- */

int stage_tpm(struct boot *b)
{
	struct tpm_boot *tb = &b->tpm_boot;
	char why[RC_TEXT_MAX];
	int r;

	if (!b->has_tpm)
		return without_tpm(b, tb->announced ?
				   "the TPM the firmware announces did not "
				   "open" : "the firmware announces no TPM");
	r = tpm_layout_read_product(&b->tpm, tb->product);
	if (r == -ENOENT)
		return without_tpm(b, "the TPM is not provisioned (no product "
				   "index 0x01500100)");
	if (r == -OCIBOOT_EVERIFY)
		return boot_failed(b, "tpm: product index 0x01500100 is not as "
				   "ociboot provisions it (attributes, lock "
				   "or contents)");
	if (r < 0)
		return boot_failed(b, "tpm: reading the product: %s",
				   tpm_why(b, r, why, sizeof(why)));
	r = tpm_layout_read_floor(&b->tpm, &tb->floor);
	if (r < 0)
		return boot_failed(b, "tpm: reading the anti-rollback floor "
				   "(0x01500101): %s",
				   tpm_why(b, r, why, sizeof(why)));
	tb->provisioned = true;
	log_info("tpm", "provisioned for product %s, anti-rollback floor %llu",
		 tb->product, (unsigned long long)tb->floor);
	return 0;
}

/* --- after verification ------------------------------------------------ */

/*
 * Read admin and disk-key through PolicyPCR(7), then read-lock both. A
 * PCR 7 that does not satisfy the policy leaves has_secrets false.
 */
static int release_secrets(struct boot *b)
{
	struct tpm_boot *tb = &b->tpm_boot;
	uint8_t pcr7[TPM_SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1], why[RC_TEXT_MAX];
	int r;

	/* Secrets and the owner authorization never cross the bus in clear. */
	r = tpm_protect(&b->tpm);
	if (r < 0) {
		tpm_why(b, r, why, sizeof(why));
		if (required(b))
			return boot_failed(b, "tpm: no encrypted session (a "
					   "P-256 salt key in the null "
					   "hierarchy): %s: ociboot.tpm=required "
					   "refuses to boot without the secrets",
					   why);
		log_warning("tpm", "no encrypted session (a P-256 salt key in "
			    "the null hierarchy): %s: no secrets this boot, "
			    "floor not raised", why);
		return 0;
	}
	r = tpm_layout_read_sealed(&b->tpm, TPM_SLOT_ADMIN, tb->admin);
	if (r == 0)
		r = tpm_layout_read_sealed(&b->tpm, TPM_SLOT_DISK_KEY,
					   tb->disk_key);
	/* The rest goes without the policy session: flush it. */
	tpm_protect_flush(&b->tpm);
	if (r < 0 && tpm_rc_base(b->tpm.last_rc) == TPM_RC_POLICY_FAIL) {
		uint32_t rc = b->tpm.last_rc;

		explicit_bzero(tb->admin, sizeof(tb->admin));
		if (tpm_pcr_read_sha256(&b->tpm, TPM_LAYOUT_POLICY_PCR,
					pcr7) == 0)
			sha256_hex(pcr7, hex);
		else
			snprintf(hex, sizeof(hex), "(unreadable)");
		if (required(b))
			return boot_failed(b, "tpm: PCR 7 sha256:%s does not "
					   "satisfy the secrets' policy (TPM "
					   "rc 0x%x): ociboot.tpm=required "
					   "refuses to boot without them", hex,
					   (unsigned)rc);
		log_warning("tpm", "PCR 7 sha256:%s does not satisfy the "
			    "secrets' policy (TPM rc 0x%x): no secrets this "
			    "boot, floor not raised", hex, (unsigned)rc);
		return 0;
	}
	if (r < 0)
		return boot_failed(b, "tpm: reading the sealed secrets: %s",
				   tpm_why(b, r, why, sizeof(why)));
	r = tpm_layout_lock_sealed(&b->tpm, TPM_SLOT_ADMIN);
	if (r == 0)
		r = tpm_layout_lock_sealed(&b->tpm, TPM_SLOT_DISK_KEY);
	if (r < 0) {
		explicit_bzero(tb, sizeof(*tb));
		return boot_failed(b, "tpm: read-locking the secrets: %s",
				   tpm_why(b, r, why, sizeof(why)));
	}
	tb->has_secrets = true;
	log_info("tpm", "secrets released (PCR 7 satisfies their policy) over "
		 "a salted, encrypted session and read-locked until the next "
		 "TPM reset");
	return 0;
}

/* Raise the floor to version (never lower it), then write-lock it. */
static int raise_floor(struct boot *b, uint64_t version)
{
	struct tpm_boot *tb = &b->tpm_boot;
	uint64_t floor = version > tb->floor ? version : tb->floor;
	char why[RC_TEXT_MAX];
	int r;

	r = tpm_layout_write_floor(&b->tpm, tb->admin, floor, true);
	explicit_bzero(tb->admin, sizeof(tb->admin));
	tpm_protect_flush(&b->tpm);
	if (r < 0)
		return boot_failed(b, "tpm: raising the anti-rollback floor to "
				   "%llu: %s", (unsigned long long)floor,
				   tpm_why(b, r, why, sizeof(why)));
	if (floor != tb->floor)
		log_info("tpm", "anti-rollback floor raised from %llu to %llu, "
			 "write-locked until the next TPM reset",
			 (unsigned long long)tb->floor,
			 (unsigned long long)floor);
	else
		log_info("tpm", "anti-rollback floor stays %llu, write-locked "
			 "until the next TPM reset", (unsigned long long)floor);
	tb->floor = floor;
	return 0;
}

/* One event: extend PCR 13 with sha256(string), append its log record. */
static int measure(struct boot *b, struct strbuf *log, const char *string)
{
	uint8_t digest[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1], why[RC_TEXT_MAX];
	int r;

	sha256_digest(string, strlen(string), digest);
	r = tpm_pcr_extend_sha256(&b->tpm, TPM_LAYOUT_MEASURE_PCR, digest);
	if (r < 0)
		return boot_failed(b, "tpm: extending PCR %u with %s: %s",
				   TPM_LAYOUT_MEASURE_PCR, string,
				   tpm_why(b, r, why, sizeof(why)));
	sha256_hex(digest, hex);
	/* JSON-SEQ (RFC 7464), the records systemd-pcrextend writes. */
	strbuf_printf(log, "\x1e{\"pcr\":%u,\"digests\":[{\"hashAlg\":"
		      "\"sha256\",\"digest\":\"%s\"}],\"content_type\":"
		      "\"systemd\",\"content\":{\"string\":\"%s\"}}\n",
		      TPM_LAYOUT_MEASURE_PCR, hex, string);
	log_info("tpm", "pcr%u extended with sha256:%s (%s)",
		 TPM_LAYOUT_MEASURE_PCR, hex, string);
	return 0;
}

static int measure_system(struct boot *b)
{
	char artifact[OCI_DIGEST_STRING_LEN + 1];
	char manifest[OCI_DIGEST_STRING_LEN + 1];
	char event[EVENT_STRING_MAX];
	struct strbuf log;
	int r;

	strbuf_init(&log, b->tpm_boot.event_log,
		    sizeof(b->tpm_boot.event_log));
	oci_digest_string(b->plan.artifact_digest, artifact);
	oci_digest_string(b->plan.artifact.manifest.digest, manifest);
	snprintf(event, sizeof(event), "ociboot-artifact:%s", artifact);
	if (measure(b, &log, event) < 0)
		return -1;
	snprintf(event, sizeof(event), "ociboot-system:%s", manifest);
	if (measure(b, &log, event) < 0)
		return -1;
	if (strbuf_truncated(&log))
		return boot_failed(b, "tpm: %s: too long", TPM_BOOT_EVENT_LOG);
	r = b->ops->write_new(AT_FDCWD, TPM_BOOT_EVENT_LOG, strbuf_str(&log),
			      strbuf_len(&log), TPM_BOOT_EVENT_LOG_MODE);
	if (r < 0)
		return boot_failed(b, "%s: %s", TPM_BOOT_EVENT_LOG,
				   strerror(-r));
	log_info("tpm", "event log %s", TPM_BOOT_EVENT_LOG);
	return 0;
}

/* The disk key as a root-only file on /run's tmpfs, then out of memory. */
static int hand_over_secrets(struct boot *b)
{
	struct tpm_boot *tb = &b->tpm_boot;
	int r = b->ops->mkdir_p(TPM_BOOT_SECRETS_DIR, SECRETS_DIR_MODE);

	if (r == 0)
		r = b->ops->write_new(AT_FDCWD, TPM_BOOT_DISK_KEY_FILE,
				      tb->disk_key, sizeof(tb->disk_key),
				      TPM_BOOT_DISK_KEY_MODE);
	explicit_bzero(tb->disk_key, sizeof(tb->disk_key));
	if (r < 0)
		return boot_failed(b, "%s: %s", TPM_BOOT_DISK_KEY_FILE,
				   strerror(-r));
	log_info("tpm", "disk key in %s (mode 0400, tmpfs)",
		 TPM_BOOT_DISK_KEY_FILE);
	return 0;
}

/* The machine's certificate, for the booted system and attestation. */
static int hand_over_identity(struct boot *b)
{
	struct tpm_boot *tb = &b->tpm_boot;
	char why[RC_TEXT_MAX];
	size_t len = 0;
	int r;

	r = tpm_layout_read_identity(&b->tpm, tb->identity,
				     sizeof(tb->identity), &len);
	if (r == -ENOENT) {
		log_warning("tpm", "no machine identity (index 0x01500120)");
		return 0;
	}
	if (r < 0)
		return boot_failed(b, "tpm: reading the machine identity: %s",
				   tpm_why(b, r, why, sizeof(why)));
	r = b->ops->mkdir_p(TPM_BOOT_IDENTITY_DIR, IDENTITY_DIR_MODE);
	if (r == 0)
		r = b->ops->write_new(AT_FDCWD, TPM_BOOT_IDENTITY_FILE,
				      tb->identity, len,
				      TPM_BOOT_IDENTITY_MODE);
	if (r < 0)
		return boot_failed(b, "%s: %s", TPM_BOOT_IDENTITY_FILE,
				   strerror(-r));
	log_info("tpm", "machine identity: certificate (%zu bytes) in %s, key "
		 "at 0x%08x", len, TPM_BOOT_IDENTITY_FILE,
		 TPM_LAYOUT_KEY_HANDLE);
	return 0;
}

/* The rollback check: a version below the floor never boots. */
static int check_floor(struct boot *b)
{
	struct tpm_boot *tb = &b->tpm_boot;
	uint64_t version = b->plan.manifest.version;
	char digest[OCI_DIGEST_STRING_LEN + 1];

	if (!b->has_tpm || !tb->provisioned || version >= tb->floor)
		return 0;
	oci_digest_string(b->plan.artifact.manifest.digest, digest);
	return boot_failed(b, "tpm: system manifest %s has version %llu, "
			   "below this machine's anti-rollback floor %llu",
			   digest, (unsigned long long)version,
			   (unsigned long long)tb->floor);
}

/* What tpm release asks of the TPM, the floor checked. */
static int release(struct boot *b)
{
	struct tpm_boot *tb = &b->tpm_boot;

	if (tb->provisioned) {
		if (release_secrets(b) < 0)
			return -1;
		if (tb->has_secrets &&
		    raise_floor(b, b->plan.manifest.version) < 0)
			return -1;
	}
	if (measure_system(b) < 0)
		return -1;
	if (tb->has_secrets && hand_over_secrets(b) < 0)
		return -1;
	if (tb->provisioned && hand_over_identity(b) < 0)
		return -1;
	return 0;
}

int stage_tpm_release(struct boot *b)
{
	if (!b->has_tpm)
		return 0;
	if (check_floor(b) < 0)
		return -1;
	return release(b);
}

/*
 * The child's side of tpm release: the TPM opened again, on the device
 * PID 1 had, then closed as PID 1 would close it.
 */
static int release_beside(struct boot *b, struct boot_side *side)
{
	const char *conf = b->tpm_boot.raw ? "device:" TPM_BOOT_RAW_DEVICE :
			   "device:" TPM_BOOT_RM_DEVICE;
	const char *device = conf + strlen("device:");
	int r;

	boot_speak_as_side(side);
	boot_doing(b, "opening %s", device);
	r = tpm_open(&b->tpm, conf);
	if (r < 0) {
		r = boot_failed(b, "tpm: opening %s again: %s", device,
				ociboot_strerror(r));
	} else {
		b->has_tpm = true;
		boot_doing(b, "releasing the secrets, raising the floor, "
			   "measuring the system");
		r = release(b);
		tpm_boot_close(b);
	}
	boot_speak_as_side(NULL);
	return r;
}

int stage_tpm_release_start(struct boot *b)
{
	if (!b->has_tpm)
		return 0;
	if (check_floor(b) < 0)
		return -1;
	tpm_boot_close(b);
	return stage_side_start(b, "tpm release", release_beside);
}

int stage_tpm_release_wait(struct boot *b, unsigned int timeout_ms)
{
	/* 0 at once when nothing was started beside. */
	int r = stage_side_join(b, timeout_ms);

	/* Whatever the child left in b->tpm was its own. */
	memset(&b->tpm, 0, sizeof(b->tpm));
	b->has_tpm = false;
	return r;
}

void tpm_boot_close(struct boot *b)
{
	struct tpm_loaded f;
	int r;

	if (!b->has_tpm)
		return;
	if (b->tpm_boot.raw) {
		r = tpm_flush_loaded(&b->tpm, &f);
		if (f.objects || f.sessions)
			log_warning("tpm", "flushed %u transient objects and "
				    "%u sessions left loaded", f.objects,
				    f.sessions);
		if (r < 0)
			log_warning("tpm", "flushing what is left loaded: %s "
				    "(TPM rc 0x%x)", ociboot_strerror(r),
				    (unsigned)b->tpm.last_rc);
	}
	tpm_close(&b->tpm);
	b->has_tpm = false;
}

/* --- the booted system's self-check ------------------------------------- */

static void check_line(struct tpm *t, const char *what, int r)
{
	if (r == 0)
		printf("tpm-check: %s: DONE\n", what);
	else if (t->last_rc)
		printf("tpm-check: %s: refused (TPM rc 0x%x)\n", what,
		       (unsigned)t->last_rc);
	else
		printf("tpm-check: %s: failed (%s)\n", what,
		       ociboot_strerror(r));
}

static void check_locks(struct tpm *t)
{
	const struct tpm_slot_spec *floor = tpm_slot(TPM_SLOT_FLOOR);
	const struct tpm_slot_spec *product = tpm_slot(TPM_SLOT_PRODUCT);
	char fake[TPM_LAYOUT_PRODUCT_LEN];
	uint8_t buf[TPM_LAYOUT_ADMIN_LEN];
	struct tpm_nv_public pub;
	struct tpm_auth empty;

	check_line(t, "read disk-key again",
		   tpm_layout_read_sealed(t, TPM_SLOT_DISK_KEY, buf));
	check_line(t, "read admin again",
		   tpm_layout_read_sealed(t, TPM_SLOT_ADMIN, buf));
	explicit_bzero(buf, sizeof(buf));
	memset(fake, '0', sizeof(fake));
	tpm_auth_password(&empty, NULL, 0);
	check_line(t, "rewrite the product",
		   tpm_nv_write(t, TPM_RH_OWNER, product->index, &empty, fake,
				sizeof(fake), 0));
	check_line(t, "lower the floor to 0",
		   tpm_layout_write_floor(t, NULL, 0, false));
	check_line(t, "undefine the floor",
		   tpm_nv_undefine(t, &empty, floor->index));
	check_line(t, "undefine the product",
		   tpm_nv_undefine(t, &empty, product->index));
	if (tpm_nv_read_public(t, floor->index, &pub) == 0)
		printf("tpm-check: floor write-locked: %s\n",
		       pub.attributes & TPM_LAYOUT_WRITELOCKED ? "yes" : "no");
}

/* The identity key signs under its policy; BearSSL checks the signature. */
static void check_identity(struct tpm *t)
{
	uint8_t digest[SHA256_LEN], sig[2 * TPM_KEY_COORD_LEN];
	struct tpm_key_public pub;
	br_ec_public_key pk;
	int r;

	r = tpm_key_read_public(t, TPM_LAYOUT_KEY_HANDLE, &pub);
	if (r < 0) {
		check_line(t, "identity key 0x81000100", r);
		return;
	}
	sha256_digest(CHECK_MESSAGE, strlen(CHECK_MESSAGE), digest);
	r = tpm_key_sign(t, TPM_LAYOUT_KEY_HANDLE, digest, sig);
	if (r < 0) {
		check_line(t, "sign with the identity key", r);
		return;
	}
	pk.curve = BR_EC_secp256r1;
	pk.q = pub.point;
	pk.qlen = sizeof(pub.point);
	printf("tpm-check: identity key 0x%08x signs under its policy: "
	       "signature %s\n", TPM_LAYOUT_KEY_HANDLE,
	       br_ecdsa_i31_vrfy_raw(&br_ec_all_m31, digest, sizeof(digest),
				     &pk, sig, sizeof(sig)) ? "verified" :
	       "DOES NOT VERIFY");
}

int tpm_boot_check(const char *conf)
{
	char product[TPM_LAYOUT_PRODUCT_LEN + 1], hex[SHA256_HEX_LEN + 1];
	uint8_t pcr[TPM_SHA256_LEN];
	struct tpm_loaded loaded;
	uint64_t floor;
	struct tpm t;
	int r = tpm_open(&t, conf);

	if (r < 0) {
		printf("tpm-check: %s: %s\n", conf, ociboot_strerror(r));
		return 1;
	}
	r = tpm_loaded_count(&t, &loaded);
	if (r == 0)
		printf("tpm-check: loaded: %u transient objects, %u sessions\n",
		       loaded.objects, loaded.sessions);
	else
		check_line(&t, "counting what is loaded", r);
	r = tpm_layout_read_product(&t, product);
	if (r == 0)
		r = tpm_layout_read_floor(&t, &floor);
	if (r < 0) {
		printf("tpm-check: not provisioned as ociboot provisions (%s)\n",
		       ociboot_strerror(r));
	} else {
		printf("tpm-check: product %s, floor %llu\n", product,
		       (unsigned long long)floor);
		check_locks(&t);
		check_identity(&t);
	}
	if (tpm_pcr_read_sha256(&t, TPM_LAYOUT_MEASURE_PCR, pcr) == 0) {
		sha256_hex(pcr, hex);
		printf("tpm-check: pcr%u sha256:%s\n", TPM_LAYOUT_MEASURE_PCR,
		       hex);
	}
	tpm_close(&t);
	return 0;
}
