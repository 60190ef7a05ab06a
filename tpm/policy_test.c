/* SPDX-License-Identifier: MIT */
/*
 * tpm/policy: PolicyPCR digests against known answers that tpm2_policypcr
 * (tpm2-tools 5.4, trial session against swtpm) gave for the same PCR 7
 * values; tpm/tpm_test.sh compares with it live for random values.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/hex.h"
#include "tpm/policy.h"

static void from_hex(const char *hex, uint8_t out[TPM_POLICY_DIGEST_LEN])
{
	assert_int_equal(hex_decode(hex, strlen(hex), out,
				    TPM_POLICY_DIGEST_LEN),
			 TPM_POLICY_DIGEST_LEN);
}

static void test_known_answers(void **state)
{
	static const struct {
		const char *pcr7, *policy;
	} cases[] = {
		{ "0000000000000000000000000000000000000000000000000000000000000000",
		  "8b5682d81b29435d08d79278150611dc7e5923b2fefcce684a09577b40130a8b" },
		{ "02a4f904000000000000000000000000000000000000000000000000000000f7",
		  "558125e41e6af54ea747292f9f617553268b72bc576bab3683cbce710d2f1a38" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t pcr[TPM_POLICY_DIGEST_LEN], want[TPM_POLICY_DIGEST_LEN];
		uint8_t got[TPM_POLICY_DIGEST_LEN];

		from_hex(cases[i].pcr7, pcr);
		from_hex(cases[i].policy, want);
		assert_int_equal(tpm_policy_pcr_one(7, pcr, got), 0);
		assert_memory_equal(got, want, sizeof(want));
	}
}

/* The selection TPM2_PolicyPCR hashes: count, sha256, 3 bytes of bitmap. */
static void test_selection(void **state)
{
	static const uint8_t pcr7[TPM_POLICY_SELECTION_LEN] = {
		0, 0, 0, 1, 0x00, 0x0b, 3, 0x80, 0x00, 0x00 };
	static const uint8_t pcr0_23[TPM_POLICY_SELECTION_LEN] = {
		0, 0, 0, 1, 0x00, 0x0b, 3, 0x01, 0x00, 0x80 };
	uint8_t got[TPM_POLICY_SELECTION_LEN];

	tpm_policy_pcr_selection(1U << 7, got);
	assert_memory_equal(got, pcr7, sizeof(got));
	tpm_policy_pcr_selection(1U | 1U << 23, got);
	assert_memory_equal(got, pcr0_23, sizeof(got));
}

/* Two PolicyPCRs in a row chain; a one-PCR mask equals the one form. */
static void test_mask_forms(void **state)
{
	uint8_t value[TPM_POLICY_DIGEST_LEN], a[TPM_POLICY_DIGEST_LEN];
	uint8_t b[TPM_POLICY_DIGEST_LEN] = { 0 };

	memset(value, 0x5a, sizeof(value));
	assert_int_equal(tpm_policy_pcr_one(13, value, a), 0);
	assert_int_equal(tpm_policy_pcr(b, 1U << 13,
			 (const uint8_t (*)[TPM_POLICY_DIGEST_LEN])value), 0);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(tpm_policy_pcr(b, 1U << 13,
			 (const uint8_t (*)[TPM_POLICY_DIGEST_LEN])value), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void test_bad_arguments(void **state)
{
	uint8_t value[TPM_POLICY_DIGEST_LEN] = { 0 };
	uint8_t digest[TPM_POLICY_DIGEST_LEN], before[TPM_POLICY_DIGEST_LEN];

	memset(digest, 0x33, sizeof(digest));
	memcpy(before, digest, sizeof(digest));
	assert_int_equal(tpm_policy_pcr_one(24, value, digest), -EINVAL);
	assert_int_equal(tpm_policy_pcr(digest, 0,
			 (const uint8_t (*)[TPM_POLICY_DIGEST_LEN])value),
			 -EINVAL);
	assert_int_equal(tpm_policy_pcr(digest, 1U << 24,
			 (const uint8_t (*)[TPM_POLICY_DIGEST_LEN])value),
			 -EINVAL);
	assert_memory_equal(digest, before, sizeof(digest));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_mask_forms),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
