/* SPDX-License-Identifier: MIT */
/*
 * init/tpm_boot: each outcome of docs/tpm.md's table that needs no real
 * TPM, with its exact reason: no TPM (optional boots, required refuses),
 * a TPM that the firmware announced but that did not open, an
 * unprovisioned TPM and a product index not as ociboot makes it (over the
 * fake TCTI), a version below the floor, a TPM that cannot start the
 * salted session the secrets are read in. The QEMU scenarios
 * test-qemu/scenarios/tpm-* run the rest against swtpm (a PCR 7 the
 * policy refuses: tpm-secureboot-off, tpm-secureboot-off-optional).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "init/boot.h"
#include "init/tpm_boot.h"
#include "lib/endian.h"
#include "tpm/tpm_fake.h"

#define PRODUCT "6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab"

static struct boot b;

static void fresh(enum tpm_mode mode)
{
	memset(&b, 0, sizeof(b));
	boot_init(&b);
	b.config.tpm = mode;
}

/* b's TPM is the fake TCTI, answering every command with a bare rc. */
static void fake_tpm(uint32_t rc)
{
	struct tpm_fake_tcti *f = (struct tpm_fake_tcti *)b.tpm.storage;
	uint8_t rsp[10];

	be16_store(rsp, 0x8001);
	be32_store(rsp + 2, sizeof(rsp));
	be32_store(rsp + 6, rc);
	tpm_fake_init(f, rsp, sizeof(rsp));
	assert_int_equal(tpm_open_tcti(&b.tpm, sizeof(*f)), 0);
	b.has_tpm = true;
}

static void test_no_tpm_optional(void **state)
{
	fresh(TPM_MODE_OPTIONAL);
	assert_int_equal(stage_tpm(&b), 0);
	assert_null(tpm_boot_expected_product(&b));
	assert_int_equal(stage_tpm_release(&b), 0);
	assert_string_equal(b.reason, "");
}

static void test_no_tpm_required(void **state)
{
	fresh(TPM_MODE_REQUIRED);
	assert_int_equal(stage_tpm(&b), -1);
	assert_string_equal(b.reason, "tpm: ociboot.tpm=required, but the "
			    "firmware announces no TPM");
	fresh(TPM_MODE_REQUIRED);
	b.tpm_boot.announced = true;
	assert_int_equal(stage_tpm(&b), -1);
	assert_string_equal(b.reason, "tpm: ociboot.tpm=required, but the "
			    "TPM the firmware announces did not open");
}

static void test_unprovisioned(void **state)
{
	fresh(TPM_MODE_REQUIRED);
	fake_tpm(0x18b);	/* TPM_RC_HANDLE: no such index */
	assert_int_equal(stage_tpm(&b), -1);
	assert_string_equal(b.reason, "tpm: ociboot.tpm=required, but the "
			    "TPM is not provisioned (no product index "
			    "0x01500100)");
	tpm_close(&b.tpm);
	fresh(TPM_MODE_OPTIONAL);
	fake_tpm(0x18b);
	assert_int_equal(stage_tpm(&b), 0);
	assert_null(tpm_boot_expected_product(&b));
	tpm_close(&b.tpm);
}

/* A product index with other attributes is no product at all. */
static void test_product_not_ours(void **state)
{
	struct tpm_fake_tcti *f;
	uint8_t rsp[128];
	size_t n = 0;

	fresh(TPM_MODE_OPTIONAL);
	fake_tpm(0);
	f = (struct tpm_fake_tcti *)b.tpm.storage;
	/* NV_ReadPublic: the index, sha256, ownerwrite|authwrite|authread,
	 * no policy, 36 bytes; the name made to match. */
	{
		static const uint8_t area[] = {
			0x01, 0x50, 0x01, 0x00, 0x00, 0x0b,
			0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, 0x24 };
		uint8_t digest[32];

		sha256_digest(area, sizeof(area), digest);
		be16_store(rsp, 0x8001);
		n = 10;
		be16_store(rsp + n, sizeof(area));
		memcpy(rsp + n + 2, area, sizeof(area));
		n += 2 + sizeof(area);
		be16_store(rsp + n, 34);
		be16_store(rsp + n + 2, 0x000b);
		memcpy(rsp + n + 4, digest, sizeof(digest));
		n += 4 + sizeof(digest);
		be32_store(rsp + 2, (uint32_t)n);
		be32_store(rsp + 6, 0);
	}
	tpm_fake_init(f, rsp, n);
	assert_int_equal(stage_tpm(&b), -1);
	assert_string_equal(b.reason, "tpm: product index 0x01500100 is not "
			    "as ociboot provisions it (attributes, lock or "
			    "contents)");
	tpm_close(&b.tpm);
}

static void test_below_floor(void **state)
{
	fresh(TPM_MODE_OPTIONAL);
	fake_tpm(0);
	b.tpm_boot.provisioned = true;
	memcpy(b.tpm_boot.product, PRODUCT, sizeof(PRODUCT));
	b.tpm_boot.floor = 5;
	b.plan.manifest.version = 4;
	memset(b.plan.artifact.manifest.digest, 0xab, SHA256_LEN);
	assert_string_equal(tpm_boot_expected_product(&b), PRODUCT);
	assert_int_equal(stage_tpm_release(&b), -1);
	assert_string_equal(b.reason, "tpm: system manifest sha256:"
		"abababababababababababababababababababababababababababababababab"
		" has version 4, below this machine's anti-rollback floor 5");
	tpm_close(&b.tpm);
}

/*
 * No salt key (the fake refuses every command), so no encrypted session:
 * required stops before any secret is asked for, naming the TPM's code.
 */
static void test_no_encrypted_session(void **state)
{
	fresh(TPM_MODE_REQUIRED);
	fake_tpm(0x99d);
	b.tpm_boot.provisioned = true;
	b.tpm_boot.floor = 1;
	b.plan.manifest.version = 1;
	assert_int_equal(stage_tpm_release(&b), -1);
	assert_string_equal(b.reason, "tpm: no encrypted session (a P-256 "
			    "salt key in the null hierarchy): protocol "
			    "violation (TPM rc 0x99d): ociboot.tpm=required "
			    "refuses to boot without the secrets");
	assert_false(b.tpm_boot.has_secrets);
	tpm_close(&b.tpm);
}

/* Beside the layers: nothing to do without a TPM. */
static void test_beside_no_tpm(void **state)
{
	fresh(TPM_MODE_REQUIRED);
	assert_int_equal(stage_tpm_release_start(&b), 0);
	assert_null(b.side.name);
	assert_int_equal(stage_tpm_release_wait(&b, 1000), 0);
	assert_string_equal(b.reason, "");
}

/* A version below the floor is refused in front, before any child. */
static void test_beside_below_floor(void **state)
{
	struct tpm_fake_tcti *f = (struct tpm_fake_tcti *)b.tpm.storage;

	fresh(TPM_MODE_OPTIONAL);
	fake_tpm(0);
	b.tpm_boot.provisioned = true;
	b.tpm_boot.floor = 5;
	b.plan.manifest.version = 4;
	memset(b.plan.artifact.manifest.digest, 0xcd, SHA256_LEN);
	assert_int_equal(stage_tpm_release_start(&b), -1);
	assert_string_equal(b.reason, "tpm: system manifest sha256:"
		"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		" has version 4, below this machine's anti-rollback floor 5");
	assert_null(b.side.name);
	assert_int_equal(f->command_len, 0);	/* the TPM not asked */
	tpm_close(&b.tpm);
}

/*
 * The side closes PID 1's TPM and opens the device again: here there is
 * none (no /dev/tpm0 in a test), so it fails, in its own words; the front
 * keeps its own until the wait makes the side's the boot's.
 */
static void test_beside_reopen_fails(void **state)
{
	fresh(TPM_MODE_OPTIONAL);
	fake_tpm(0);
	b.tpm_boot.raw = false;
	b.tpm_boot.provisioned = true;
	b.tpm_boot.floor = 1;
	b.plan.manifest.version = 1;
	if (access(TPM_BOOT_RM_DEVICE, F_OK) == 0)
		skip();
	assert_int_equal(stage_tpm_release_start(&b), 0);
	assert_string_equal(b.reason, "");
	assert_string_equal(b.side.reason, "tpm: opening /dev/tpmrm0 again: "
			    "No such file or directory");
	assert_int_equal(stage_tpm_release_wait(&b, 1000), -1);
	assert_string_equal(b.reason, b.side.reason);
	assert_false(b.has_tpm);
	assert_null(b.tpm.tcti);
}

/* Closing through the resource manager sends nothing. */
static void test_close_rm(void **state)
{
	struct tpm_fake_tcti *f = (struct tpm_fake_tcti *)b.tpm.storage;

	fresh(TPM_MODE_OPTIONAL);
	fake_tpm(0);
	tpm_boot_close(&b);
	assert_int_equal(f->command_len, 0);
	assert_int_equal(f->finalized, 1);
	assert_false(b.has_tpm);
	tpm_boot_close(&b);	/* twice: nothing more */
	assert_int_equal(f->finalized, 1);
}

/*
 * On the raw device it asks what is loaded (TPM2_GetCapability) before it
 * closes; a TPM that refuses does not keep it from closing.
 */
static void test_close_raw(void **state)
{
	struct tpm_fake_tcti *f = (struct tpm_fake_tcti *)b.tpm.storage;

	fresh(TPM_MODE_OPTIONAL);
	fake_tpm(0x101);	/* TPM_RC_FAILURE */
	b.tpm_boot.raw = true;
	tpm_boot_close(&b);
	assert_int_equal(be32_load(f->command + 6), 0x17a);
	assert_int_equal(be32_load(f->command + 10), 1);	/* handles */
	assert_int_equal(f->finalized, 1);
	assert_false(b.has_tpm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_tpm_optional),
		cmocka_unit_test(test_no_tpm_required),
		cmocka_unit_test(test_unprovisioned),
		cmocka_unit_test(test_beside_no_tpm),
		cmocka_unit_test(test_beside_below_floor),
		cmocka_unit_test(test_beside_reopen_fails),
		cmocka_unit_test(test_close_rm),
		cmocka_unit_test(test_close_raw),
		cmocka_unit_test(test_product_not_ours),
		cmocka_unit_test(test_below_floor),
		cmocka_unit_test(test_no_encrypted_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
