/* SPDX-License-Identifier: MIT */
/* Tests of the UKI layout on stub-shaped fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/endian.h"
#include "lib/util.h"
#include "ukify/pe.h"
#include "ukify/pe_fixture.h"
#include "ukify/uki.h"

#define STUB_CAP 0x2000
#define STUB_SBAT "sbat,1,SBAT Version,sbat,1,https://x/SBAT.md\n" \
		  "systemd,1,The systemd Developers,systemd,252,https://x/\n"
#define PRODUCT_LINE "ociboot,1,ociboot,ociboot,0.1.0,https://o/\n"
#define PRODUCT_SBAT "sbat,1,SBAT Version,sbat,1,https://x/SBAT.md\n" \
		     PRODUCT_LINE

static const uint8_t kernel[] = "MZ kernel image bytes";
static const uint8_t initrd[] = "initrd bytes";
static const char osrel[] = "ID=test\n";

/* Like the systemd stub: .sbat followed closely by .sdmagic. */
static size_t make_stub(uint8_t *buf, bool with_sbat, uint32_t headers)
{
	static const struct pe_fixture_section with[] = {
		{ ".text", 0x1000, 0x300, 0x400, 0xcc },
		{ ".sbat", 0x2000, sizeof(STUB_SBAT), 0x200, 0 },
		{ ".sdmagic", 0x2100, 0x10, 0x200, 0x5d },
	};
	static const struct pe_fixture_section without[] = {
		{ ".text", 0x1000, 0x300, 0x400, 0xcc },
		{ ".sdmagic", 0x2100, 0x10, 0x200, 0x5d },
	};
	size_t len;

	if (with_sbat) {
		len = pe_fixture_build(buf, STUB_CAP, with, 3, headers, 0x2200);
		memcpy(buf + headers + 0x400, STUB_SBAT, sizeof(STUB_SBAT));
	} else {
		len = pe_fixture_build(buf, STUB_CAP, without, 2, headers,
				       0x2200);
	}
	assert_true(len > 0);
	return len;
}

static struct uki_input input(const uint8_t *stub, size_t stub_len)
{
	return (struct uki_input){
		.stub = stub, .stub_len = stub_len,
		.kernel = kernel, .kernel_len = sizeof(kernel),
		.initrd = initrd, .initrd_len = sizeof(initrd),
		.osrel = osrel, .osrel_len = strlen(osrel),
		.uname = "6.1.0-test", .uname_len = 10,
	};
}

static uint8_t *build_ok(const struct uki_input *in, size_t *len,
			 struct pe_image *pe)
{
	uint8_t *out = NULL;
	struct error err;
	int r;

	error_clear(&err);
	r = uki_build(in, &out, len, &err);
	if (r != 0)
		fail_msg("uki_build: %d (%s)", r, err.why);
	assert_int_equal(pe_parse(out, *len, pe), 0);
	assert_int_equal(pe->checksum,
			 pe_checksum(out, *len, pe_checksum_offset(pe)));
	assert_int_equal(pe->cert_size, 0);
	return out;
}

static void expect_section(const uint8_t *img, const struct pe_image *pe,
			   size_t i, const char *name, const void *data,
			   size_t len)
{
	const struct pe_section *s = &pe->sections[i];

	assert_string_equal(s->name, name);
	assert_int_equal(s->virtual_size, len);
	assert_true(s->raw_size >= len);
	assert_int_equal(s->raw_size % 0x200, 0);
	assert_int_equal(s->characteristics,
			 PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ);
	assert_memory_equal(img + s->raw_offset, data, len);
	for (size_t j = len; j < s->raw_size; j++)
		assert_int_equal(img[s->raw_offset + j], 0);
}

static void test_layout(void **state)
{
	uint8_t stub[STUB_CAP];
	size_t stub_len = make_stub(stub, true, 0x400), len;
	struct uki_input in = input(stub, stub_len);
	struct pe_image pe, old;
	uint8_t *img;

	in.cmdline = "console=ttyS0 quiet";
	in.cmdline_len = strlen(in.cmdline);
	img = build_ok(&in, &len, &pe);
	assert_int_equal(pe_parse(stub, stub_len, &old), 0);
	assert_int_equal(pe.section_count, 3 + 5);
	/* The stub's sections and bytes are where they were. */
	for (size_t i = 0; i < 3; i++) {
		assert_memory_equal(&pe.sections[i], &old.sections[i],
				    sizeof(old.sections[i]));
		assert_memory_equal(img + old.sections[i].raw_offset,
				    stub + old.sections[i].raw_offset,
				    old.sections[i].raw_size);
	}
	expect_section(img, &pe, 3, ".osrel", osrel, strlen(osrel));
	expect_section(img, &pe, 4, ".cmdline", in.cmdline, in.cmdline_len);
	expect_section(img, &pe, 5, ".uname", "6.1.0-test", 10);
	expect_section(img, &pe, 6, ".linux", kernel, sizeof(kernel));
	expect_section(img, &pe, 7, ".initrd", initrd, sizeof(initrd));
	/* Page-aligned addresses after the stub, contiguous raw data. */
	for (size_t i = 3; i < 8; i++) {
		assert_int_equal(pe.sections[i].virtual_address,
				 0x3000 + 0x1000 * (i - 3));
		assert_int_equal(pe.sections[i].raw_offset,
				 stub_len + 0x200 * (i - 3));
	}
	assert_int_equal(pe.size_of_image, 0x7000 + 0x200);
	assert_int_equal(pe.size_of_init_data, old.size_of_init_data +
			 5 * 0x200);
	assert_int_equal(len, stub_len + 5 * 0x200);
	assert_int_equal(pe.section_alignment, 0x200);
	free(img);
}

static void test_reproducible(void **state)
{
	uint8_t stub[STUB_CAP], *a, *b;
	size_t stub_len = make_stub(stub, true, 0x400), la, lb;
	struct uki_input in = input(stub, stub_len);
	struct pe_image pe;

	in.sbat = PRODUCT_SBAT;
	in.sbat_len = strlen(PRODUCT_SBAT);
	a = build_ok(&in, &la, &pe);
	b = build_ok(&in, &lb, &pe);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

static void test_sbat_in_place(void **state)
{
	static const char merged[] = STUB_SBAT PRODUCT_LINE;
	uint8_t stub[STUB_CAP], *img;
	size_t stub_len = make_stub(stub, true, 0x400), len;
	struct uki_input in = input(stub, stub_len);
	struct pe_image pe;
	const struct pe_section *s;

	in.sbat = PRODUCT_SBAT;		/* its header line is dropped */
	in.sbat_len = strlen(PRODUCT_SBAT);
	img = build_ok(&in, &len, &pe);
	assert_int_equal(pe.section_count, 3 + 4);
	s = pe_find_section(&pe, ".sbat");
	assert_ptr_equal(s, &pe.sections[1]);
	assert_int_equal(s->virtual_address, 0x2000);
	assert_int_equal(s->virtual_size, sizeof(merged));	/* with NUL */
	assert_memory_equal(img + s->raw_offset, merged, sizeof(merged));
	free(img);
}

static void test_sbat_moved(void **state)
{
	char product[600], merged[1024];
	uint8_t stub[STUB_CAP], *img;
	size_t stub_len = make_stub(stub, true, 0x400), len, n = 0;
	struct uki_input in = input(stub, stub_len);
	struct pe_image pe;
	const struct pe_section *s;

	for (int i = 0; i < 5; i++)	/* more than the 0x100 gap */
		n += (size_t)sprintf(product + n,
				     "vendor%d,1,Vendor,pkg,1.0,https://v/\n",
				     i);
	in.sbat = product;
	in.sbat_len = n;
	img = build_ok(&in, &len, &pe);
	assert_int_equal(pe.section_count, 2 + 5);
	assert_string_equal(pe.sections[1].name, ".sdmagic");
	assert_int_equal(pe.sections[1].virtual_address, 0x2100);
	assert_int_equal(pe.sections[1].raw_offset, 0x800);	/* moved */
	assert_int_equal(img[0x800], 0x5d);
	s = pe_find_section(&pe, ".sbat");
	assert_ptr_equal(s, &pe.sections[4]);	/* after .osrel .uname */
	assert_string_equal(pe.sections[3].name, ".uname");
	n = (size_t)sprintf(merged, "%s%s", STUB_SBAT, product) + 1;
	expect_section(img, &pe, 4, ".sbat", merged, n);
	assert_int_equal(len, 0xa00 + 5 * 0x200);
	free(img);
}

static void test_sbat_without_stub_sbat(void **state)
{
	uint8_t stub[STUB_CAP], *img;
	size_t stub_len = make_stub(stub, false, 0x400), len;
	struct uki_input in = input(stub, stub_len);
	struct pe_image pe;

	in.sbat = PRODUCT_SBAT "\0";
	in.sbat_len = strlen(PRODUCT_SBAT) + 1;
	img = build_ok(&in, &len, &pe);
	assert_int_equal(pe.section_count, 2 + 5);
	expect_section(img, &pe, 4, ".sbat", PRODUCT_SBAT,
		       strlen(PRODUCT_SBAT));
	free(img);
}

static void expect_failure(const struct uki_input *in, int want)
{
	uint8_t *out = NULL;
	struct error err;
	size_t len = 0;

	error_clear(&err);
	assert_int_equal(uki_build(in, &out, &len, &err), want);
	assert_null(out);
	assert_int_equal(err.code, want);
	assert_true(strlen(err.why) > 10);
}

static void test_bad_sbat(void **state)
{
	static const char *const bad[] = {
		"a,1,b,c,d\n",			/* 5 fields */
		"a,1,b,c,d,e,f\n",		/* 7 fields */
		"a,x,b,c,d,e\n",		/* generation not a number */
		"a,,b,c,d,e\n",
		",1,b,c,d,e\n",
		"a,1,b,c,d,\xc3\xa9\n",
		"a,1,b,c,d,e\r\n",
		"\n\n",				/* nothing */
	};
	uint8_t stub[STUB_CAP];
	size_t stub_len = make_stub(stub, true, 0x400);
	struct uki_input in = input(stub, stub_len);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		in.sbat = bad[i];
		in.sbat_len = strlen(bad[i]);
		expect_failure(&in, -OCIBOOT_EMALFORMED);
	}
}

static void test_cmdline_names_oci(void **state)
{
	static const struct { const char *cmdline; bool names; } cases[] = {
		{ "oci=LABEL=v:/oci:system", true },
		{ "console=ttyS0 quiet oci=dhcp", true },
		{ "oci=http://10.0.2.100:5000/p\tquiet", true },
		{ "a=\"x y\" oci=dhcp", true },
		{ "", false },
		{ "console=ttyS0 ociboot.break=report", false },
		{ "oci=", false },
		{ "oci= quiet", false },
		{ "xoci=dhcp", false },
		{ "OCI=dhcp", false },
		{ "oci", false },
		/* inside another argument's quotes: not an argument */
		{ "a=\"x oci=dhcp\"", false },
		{ "ociboot.oci=dhcp", false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *c = cases[i].cmdline;

		if (uki_cmdline_names_oci(c, strlen(c)) != cases[i].names)
			fail_msg("'%s': want %d", c, cases[i].names);
	}
	/* Only len bytes are read. */
	assert_false(uki_cmdline_names_oci("oci=dhcp", 4));
	assert_true(uki_cmdline_names_oci("oci=dhcp", 5));
}

static void test_bad_inputs(void **state)
{
	uint8_t stub[STUB_CAP];
	size_t stub_len = make_stub(stub, true, 0x400);
	struct uki_input in;

	in = input(stub, stub_len);
	in.kernel = (const uint8_t *)"ELF";
	expect_failure(&in, -EINVAL);
	in = input(stub, stub_len);
	in.initrd_len = 0;
	expect_failure(&in, -EINVAL);
	in = input(stub, stub_len);
	in.osrel_len = 0;
	expect_failure(&in, -EINVAL);
	in = input(stub, stub_len);
	in.cmdline = "a\nb";
	in.cmdline_len = 3;
	expect_failure(&in, -EINVAL);
	in.cmdline = "";
	in.cmdline_len = 0;
	expect_failure(&in, -EINVAL);
	in = input(stub, stub_len);
	in.uname = "6.1 x";
	in.uname_len = 5;
	expect_failure(&in, -EINVAL);
	in = input(stub, stub_len);
	in.stub_len = 0x300;
	expect_failure(&in, -OCIBOOT_EMALFORMED);
	in = input(kernel, sizeof(kernel));
	expect_failure(&in, -OCIBOOT_EMALFORMED);
}

static void test_header_room(void **state)
{
	uint8_t stub[STUB_CAP];
	size_t stub_len = make_stub(stub, true, 0x200);	/* table: 0x1fe */
	struct uki_input in = input(stub, stub_len);

	expect_failure(&in, -ENOSPC);
	stub_len = make_stub(stub, true, 0x400);
	in = input(stub, stub_len);
	stub[PE_FIXTURE_TABLE + 3 * 40 + 100] = 1;	/* space in use */
	expect_failure(&in, -ENOSPC);
}

static void test_signed_stub_and_debug(void **state)
{
	uint8_t stub[STUB_CAP + 16], *img;
	size_t stub_len = make_stub(stub, true, 0x400), len;
	uint32_t dir = PE_FIXTURE_OPT + PE_OPT_DATA_DIRS;
	struct uki_input in;
	struct pe_image pe;
	char product[300];

	/* A certificate table and trailing bytes are dropped. */
	memset(stub + stub_len, 0x77, 16);
	le32_store(stub + stub_len, 16);
	le32_store(stub + dir + 8 * PE_DIR_CERTIFICATE, (uint32_t)stub_len);
	le32_store(stub + dir + 8 * PE_DIR_CERTIFICATE + 4, 16);
	in = input(stub, stub_len + 16);
	img = build_ok(&in, &len, &pe);
	assert_int_equal(len, stub_len + 4 * 0x200);
	free(img);

	/* A debug directory forbids moving sections. */
	stub_len = make_stub(stub, true, 0x400);
	le32_store(stub + dir + 8 * PE_DIR_DEBUG, 0x1000);
	le32_store(stub + dir + 8 * PE_DIR_DEBUG + 4, 0x1c);
	in = input(stub, stub_len);
	memset(product, 0, sizeof(product));
	for (int i = 0; i < 6; i++)
		strcat(product, "vendor,1,Vendor,pkg,1.0,https://v/\n");
	in.sbat = product;
	in.sbat_len = strlen(product);
	expect_failure(&in, -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_sbat_in_place),
		cmocka_unit_test(test_sbat_moved),
		cmocka_unit_test(test_sbat_without_stub_sbat),
		cmocka_unit_test(test_bad_sbat),
		cmocka_unit_test(test_cmdline_names_oci),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_header_room),
		cmocka_unit_test(test_signed_stub_and_debug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
