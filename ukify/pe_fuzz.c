/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the PE32+ reader, then everything that trusts what it
 * returns (section lookup, checksum, certificate table walk, and reading
 * every section's raw data).
 *
 * An input starting with "MZ" is parsed as it is. Any other input is read
 * as 3-byte patches (16-bit offset, byte) applied to a valid signed-looking
 * fixture image, so that mutations reach past the first header checks.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/endian.h"
#include "ukify/pe.h"
#include "ukify/pe_fixture.h"

#define FIXTURE_CAP 0x2000

static struct pe_image pe;
static uint8_t fixture[FIXTURE_CAP];

static void check(const uint8_t *data, size_t size)
{
	const uint8_t *der;
	size_t der_len;
	unsigned int sum = 0;

	if (pe_parse(data, size, &pe) < 0)
		return;
	pe_find_section(&pe, ".sbat");
	pe_checksum(data, size, pe_checksum_offset(&pe));
	for (size_t i = 0; i < pe.section_count; i++) {
		const struct pe_section *s = &pe.sections[i];

		if (s->raw_size)	/* touch both ends of the raw data */
			sum += data[s->raw_offset] +
			       data[s->raw_offset + s->raw_size - 1];
	}
	if (pe_find_signature(data, &pe, &der, &der_len) == 0 && der_len)
		sum += der[0] + der[der_len - 1];
	if (sum == 0xffffffffu)
		__builtin_trap();
}

/* The two-section fixture plus a one-entry certificate table. */
static size_t build_fixture(void)
{
	static const uint8_t cert[16] = { 12, 0, 0, 0, 0, 2, 2, 0, 0x30 };
	size_t len = pe_fixture_simple(fixture, FIXTURE_CAP);
	uint8_t *dir = fixture + PE_FIXTURE_OPT + PE_OPT_DATA_DIRS +
		       8 * PE_DIR_CERTIFICATE;

	memcpy(fixture + len, cert, sizeof(cert));
	le32_store(dir, (uint32_t)len);
	le32_store(dir + 4, sizeof(cert));
	return len + sizeof(cert);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;

	if (size >= 2 && data[0] == 'M' && data[1] == 'Z') {
		check(data, size);
		return 0;
	}
	len = build_fixture();
	for (size_t i = 0; i + 3 <= size; i += 3)
		fixture[(data[i] | data[i + 1] << 8) % len] = data[i + 2];
	check(fixture, len);
	return 0;
}
