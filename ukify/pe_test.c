/* SPDX-License-Identifier: MIT */
/* Tests of the PE32+ reader: good images, one broken field at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lib/endian.h"
#include "lib/util.h"
#include "ukify/pe.h"
#include "ukify/pe_fixture.h"

#define IMAGE_CAP 0x2000
#define COFF PE_FIXTURE_LFANEW
#define OPT PE_FIXTURE_OPT
#define TABLE PE_FIXTURE_TABLE
#define STUB "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"

static void test_simple(void **state)
{
	uint8_t buf[IMAGE_CAP];
	size_t len = pe_fixture_simple(buf, sizeof(buf));
	struct pe_image pe;

	assert_int_equal(len, 0xa00);
	assert_int_equal(pe_parse(buf, len, &pe), 0);
	assert_int_equal(pe.machine, PE_MACHINE_X86_64);
	assert_int_equal(pe.section_count, 2);
	assert_int_equal(pe.size_of_headers, 0x400);
	assert_int_equal(pe.size_of_image, 0x3000);
	assert_int_equal(pe.section_alignment, 0x200);
	assert_int_equal(pe.data_dir_count, 16);
	assert_int_equal(pe.raw_end, 0xa00);
	assert_int_equal(pe.cert_size, 0);
	assert_string_equal(pe.sections[0].name, ".text");
	assert_int_equal(pe.sections[0].raw_offset, 0x400);
	assert_int_equal(pe.sections[1].virtual_address, 0x2000);
	assert_int_equal(pe.sections[1].raw_offset, 0x800);
	assert_ptr_equal(pe_find_section(&pe, ".data"), &pe.sections[1]);
	assert_null(pe_find_section(&pe, ".dat"));
	assert_int_equal(pe_checksum_offset(&pe), OPT + 64);
	assert_int_equal(pe_data_dir_offset(&pe, 4), OPT + 112 + 32);
}

struct mutation {
	const char *what;
	size_t offset;
	unsigned int width;		/* 1, 2 or 4 bytes */
	uint32_t value;
	int want;
};

static const struct mutation mutations[] = {
	{ "DOS magic", 0, 2, 0x5a4e, -OCIBOOT_EMALFORMED },
	{ "e_lfanew past the end", 0x3c, 4, 0x9f0, -OCIBOOT_EMALFORMED },
	{ "e_lfanew huge", 0x3c, 4, 0xfffffff8, -OCIBOOT_EMALFORMED },
	{ "e_lfanew in the DOS header", 0x3c, 4, 0x20, -OCIBOOT_EMALFORMED },
	{ "e_lfanew unaligned", 0x3c, 4, 0x84, -OCIBOOT_EMALFORMED },
	{ "PE signature", COFF, 4, 0x00004551, -OCIBOOT_EMALFORMED },
	{ "no sections", COFF + 6, 2, 0, -OCIBOOT_EMALFORMED },
	{ "97 sections", COFF + 6, 2, 97, -OCIBOOT_ETOOBIG },
	{ "sections past the headers", COFF + 6, 2, 20, -OCIBOOT_EMALFORMED },
	{ "optional header too small", COFF + 20, 2, 100,
	  -OCIBOOT_EMALFORMED },
	{ "optional header past the end", COFF + 20, 2, 0xfff0,
	  -OCIBOOT_EMALFORMED },
	{ "PE32 magic", OPT, 2, 0x10b, -OCIBOOT_EMALFORMED },
	{ "FileAlignment 0", OPT + 36, 4, 0, -OCIBOOT_EMALFORMED },
	{ "FileAlignment 0x300", OPT + 36, 4, 0x300, -OCIBOOT_EMALFORMED },
	{ "FileAlignment 0x100", OPT + 36, 4, 0x100, -OCIBOOT_EMALFORMED },
	{ "SectionAlignment < FileAlignment", OPT + 32, 4, 0x100,
	  -OCIBOOT_EMALFORMED },
	{ "SizeOfHeaders below the table", OPT + 60, 4, 0x1c0,
	  -OCIBOOT_EMALFORMED },
	{ "SizeOfHeaders past the end", OPT + 60, 4, 0x10000,
	  -OCIBOOT_EMALFORMED },
	{ "SizeOfImage too small", OPT + 56, 4, 0x2008, -OCIBOOT_EMALFORMED },
	{ "17 data directories", OPT + 108, 4, 17, -OCIBOOT_EMALFORMED },
	{ "certificate table in the sections", OPT + 112 + 36, 4, 8,
	  -OCIBOOT_EMALFORMED },
	{ "raw data past the end", TABLE + 40 + 16, 4, 0x400,
	  -OCIBOOT_EMALFORMED },
	{ "raw data overlapping", TABLE + 40 + 20, 4, 0x600,
	  -OCIBOOT_EMALFORMED },
	{ "raw data in the headers", TABLE + 20, 4, 0x200,
	  -OCIBOOT_EMALFORMED },
	{ "raw data unaligned", TABLE + 40 + 20, 4, 0x810,
	  -OCIBOOT_EMALFORMED },
	{ "raw offset wraps", TABLE + 40 + 20, 4, 0xfffffe00,
	  -OCIBOOT_EMALFORMED },
	{ "addresses descending", TABLE + 40 + 12, 4, 0x1000,
	  -OCIBOOT_EMALFORMED },
	{ "address inside the headers", TABLE + 12, 4, 0x200,
	  -OCIBOOT_EMALFORMED },
	{ "section past SizeOfImage", TABLE + 40 + 8, 4, 0x1001,
	  -OCIBOOT_EMALFORMED },
	{ "virtual size wraps", TABLE + 40 + 8, 4, 0xfffff000,
	  -OCIBOOT_EMALFORMED },
	{ "odd machine is fine", COFF + 4, 2, 0x1234, 0 },
	{ "unaligned address is fine", TABLE + 40 + 12, 4, 0x2100, 0 },
	{ "8 data directories is fine", OPT + 108, 4, 8, 0 },
	{ "4 data directories is fine", OPT + 108, 4, 4, 0 },
};

static void poke(uint8_t *p, unsigned int width, uint32_t v)
{
	if (width == 1)
		p[0] = (uint8_t)v;
	else if (width == 2)
		le16_store(p, (uint16_t)v);
	else
		le32_store(p, v);
}

static void test_mutations(void **state)
{
	uint8_t buf[IMAGE_CAP];

	for (size_t i = 0; i < ARRAY_SIZE(mutations); i++) {
		const struct mutation *m = &mutations[i];
		size_t len = pe_fixture_simple(buf, sizeof(buf));
		struct pe_image pe;
		int r;

		memset(&pe, 0xa5, sizeof(pe));
		poke(buf + m->offset, m->width, m->value);
		r = pe_parse(buf, len, &pe);
		if (r != m->want)
			fail_msg("%s: got %d, want %d", m->what, r, m->want);
		if (r < 0)	/* output written only on success */
			assert_int_equal(pe.section_count, 0xa5a5);
	}
}

static void test_truncation(void **state)
{
	uint8_t buf[IMAGE_CAP];
	size_t len = pe_fixture_simple(buf, sizeof(buf));
	struct pe_image pe;

	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, buf, cut);
		assert_int_equal(pe_parse(copy, cut, &pe),
				 -OCIBOOT_EMALFORMED);
		free(copy);
	}
	assert_int_equal(pe_parse(buf, len, &pe), 0);
}

static void test_checksum(void **state)
{
	/* words 0x0201 + 0xffff + [skipped] + 0x0005, folded, plus 7 */
	static const uint8_t data[] = { 1, 2, 0xff, 0xff, 9, 9, 5 };
	uint8_t buf[IMAGE_CAP];
	size_t len = pe_fixture_simple(buf, sizeof(buf));
	struct pe_image pe;
	uint32_t sum;

	assert_int_equal(pe_checksum(data, sizeof(data), 4),
			 ((0x0201 + 0xffff + 5) & 0xffff) + 1 + 7);
	assert_int_equal(pe_parse(buf, len, &pe), 0);
	sum = pe_checksum(buf, len, pe_checksum_offset(&pe));
	le32_store(buf + pe_checksum_offset(&pe), 0x12345678);
	assert_int_equal(pe_checksum(buf, len, pe_checksum_offset(&pe)), sum);
}

/* Append a certificate table of the given entries to the fixture. */
static size_t with_certs(uint8_t *buf, const uint8_t *table, size_t n)
{
	size_t len = pe_fixture_simple(buf, IMAGE_CAP);

	memcpy(buf + len, table, n);
	le32_store(buf + OPT + 112 + 32, (uint32_t)len);
	le32_store(buf + OPT + 112 + 32 + 4, (uint32_t)n);
	return len + n;
}

static void test_signature_table(void **state)
{
	static const struct {
		const char *what;
		uint8_t table[40];
		size_t len;
		int want;
		size_t der_at, der_len;
	} cases[] = {
		{ "one entry", { 12, 0, 0, 0, 0, 2, 2, 0, 'a', 'b', 'c', 'd',
				 0, 0, 0, 0 }, 16, 0, 8, 4 },
		{ "second entry", { 9, 0, 0, 0, 0, 2, 1, 0, 'x', 0, 0, 0,
				    0, 0, 0, 0, 10, 0, 0, 0, 0, 2, 2, 0,
				    'o', 'k' }, 32, 0, 24, 2 },
		{ "revision 1", { 12, 0, 0, 0, 0, 1, 2, 0, 'a', 'b', 'c', 'd',
				  0, 0, 0, 0 }, 16, -ENOENT, 0, 0 },
		{ "length < 8", { 4, 0, 0, 0, 0, 2, 2, 0 }, 8,
		  -OCIBOOT_EMALFORMED, 0, 0 },
		{ "length past the table", { 17, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0,
					     0, 0, 0, 0, 0 }, 16,
		  -OCIBOOT_EMALFORMED, 0, 0 },
		{ "length 8", { 8, 0, 0, 0, 0, 2, 2, 0 }, 8, 0, 8, 0 },
	};
	uint8_t buf[IMAGE_CAP];
	struct pe_image pe;
	size_t len;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		len = with_certs(buf, cases[i].table, cases[i].len);
		const uint8_t *der = NULL;
		size_t der_len = 0;
		int r;

		assert_int_equal(pe_parse(buf, len, &pe), 0);
		r = pe_find_signature(buf, &pe, &der, &der_len);
		if (r != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, r,
				 cases[i].want);
		if (r == 0) {
			assert_ptr_equal(der, buf + 0xa00 + cases[i].der_at);
			assert_int_equal(der_len, cases[i].der_len);
		}
	}
	/* A table running past the end of the file, or unaligned. */
	len = with_certs(buf, cases[0].table, 16);
	le32_store(buf + OPT + 112 + 36, 24);
	assert_int_equal(pe_parse(buf, len, &pe), -OCIBOOT_EMALFORMED);
	le32_store(buf + OPT + 112 + 36, 8);
	le32_store(buf + OPT + 112 + 32, 0xa04);
	assert_int_equal(pe_parse(buf, len, &pe), -OCIBOOT_EMALFORMED);

	pe_fixture_simple(buf, IMAGE_CAP);
	assert_int_equal(pe_parse(buf, 0xa00, &pe), 0);
	assert_int_equal(pe_find_signature(buf, &pe, &(const uint8_t *){ 0 },
					   &(size_t){ 0 }), -ENOENT);
}

static void test_many_certificates(void **state)
{
	uint8_t table[8 * (PE_CERTS_MAX + 1)];
	uint8_t buf[IMAGE_CAP];
	struct pe_image pe;
	const uint8_t *der;
	size_t len, der_len;

	for (size_t i = 0; i <= PE_CERTS_MAX; i++) {
		le32_store(table + 8 * i, 8);
		le16_store(table + 8 * i + 4, 0x100);
		le16_store(table + 8 * i + 6, 1);
	}
	len = with_certs(buf, table, sizeof(table));
	assert_int_equal(pe_parse(buf, len, &pe), 0);
	assert_int_equal(pe_find_signature(buf, &pe, &der, &der_len),
			 -OCIBOOT_ETOOBIG);
}

/* The real stub, when installed: its quirks must parse. */
static void test_systemd_stub(void **state)
{
	struct pe_image pe;
	uint8_t *buf;
	FILE *f = fopen(STUB, "rb");
	long len;

	if (!f) {
		skip();
		return;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_int_equal(pe_parse(buf, (size_t)len, &pe), 0);
	assert_non_null(pe_find_section(&pe, ".text"));
	assert_non_null(pe_find_section(&pe, ".sbat"));
	/* Its stored CheckSum is the real one: an independent reference. */
	assert_int_equal(pe_checksum(buf, (size_t)len, pe_checksum_offset(&pe)),
			 pe.checksum);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_signature_table),
		cmocka_unit_test(test_many_certificates),
		cmocka_unit_test(test_systemd_stub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
