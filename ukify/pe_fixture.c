/* SPDX-License-Identifier: MIT */
/* Synthetic PE32+ images for tests; see pe_fixture.h. */
#include <string.h>

#include "ukify/pe.h"
#include "ukify/pe_fixture.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void write_headers(uint8_t *buf, size_t n, uint32_t size_of_headers,
			  uint32_t size_of_image)
{
	uint8_t *coff = buf + PE_FIXTURE_LFANEW, *opt = buf + PE_FIXTURE_OPT;

	buf[0] = 'M';
	buf[1] = 'Z';
	put32(buf + 0x3c, PE_FIXTURE_LFANEW);
	memcpy(coff, "PE\0\0", 4);
	put16(coff + 4, PE_MACHINE_X86_64);
	put16(coff + 6, (uint16_t)n);
	put16(coff + 20, PE_OPT_HEADER_FIXED + 8 * PE_DATA_DIRS_MAX);
	put16(coff + 22, 0x206);
	put16(opt, PE_OPT_MAGIC_PE32PLUS);
	put32(opt + PE_OPT_SECTION_ALIGNMENT, PE_FIXTURE_ALIGN);
	put32(opt + PE_OPT_FILE_ALIGNMENT, PE_FIXTURE_ALIGN);
	put32(opt + PE_OPT_SIZE_OF_IMAGE, size_of_image);
	put32(opt + PE_OPT_SIZE_OF_HEADERS, size_of_headers);
	put16(opt + 68, 10);	/* Subsystem: EFI application */
	put32(opt + PE_OPT_DATA_DIR_COUNT, PE_DATA_DIRS_MAX);
}

size_t pe_fixture_build(uint8_t *buf, size_t cap,
			const struct pe_fixture_section *s, size_t n,
			uint32_t size_of_headers, uint32_t size_of_image)
{
	size_t raw = size_of_headers;

	for (size_t i = 0; i < n; i++)
		raw += s[i].raw_size;
	if (raw > cap || size_of_headers < PE_FIXTURE_TABLE + 40 * n)
		return 0;
	memset(buf, 0, cap);
	write_headers(buf, n, size_of_headers, size_of_image);
	raw = size_of_headers;
	for (size_t i = 0; i < n; i++) {
		uint8_t *h = buf + PE_FIXTURE_TABLE + 40 * i;
		uint32_t fill = s[i].virtual_size < s[i].raw_size ?
				s[i].virtual_size : s[i].raw_size;

		memcpy(h, s[i].name, strnlen(s[i].name, 8));
		put32(h + 8, s[i].virtual_size);
		put32(h + 12, s[i].virtual_address);
		put32(h + 16, s[i].raw_size);
		put32(h + 20, s[i].raw_size ? (uint32_t)raw : 0);
		put32(h + 36, PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ);
		memset(buf + raw, s[i].fill, fill);
		raw += s[i].raw_size;
	}
	return raw;
}

size_t pe_fixture_simple(uint8_t *buf, size_t cap)
{
	static const struct pe_fixture_section s[] = {
		{ ".text", 0x1000, 0x300, 0x400, 0xcc },
		{ ".data", 0x2000, 0x10, 0x200, 0x5a },
	};

	return pe_fixture_build(buf, cap, s, 2, 0x400, 0x3000);
}
