/* SPDX-License-Identifier: MIT */
/* Synthetic PE32+ images for tests; see pe_fixture.h. */
#include <string.h>

#include "lib/endian.h"
#include "ukify/pe.h"
#include "ukify/pe_fixture.h"

static void write_headers(uint8_t *buf, size_t n, uint32_t size_of_headers,
			  uint32_t size_of_image)
{
	uint8_t *coff = buf + PE_FIXTURE_LFANEW, *opt = buf + PE_FIXTURE_OPT;

	buf[0] = 'M';
	buf[1] = 'Z';
	le32_store(buf + 0x3c, PE_FIXTURE_LFANEW);
	memcpy(coff, "PE\0\0", 4);
	le16_store(coff + 4, PE_MACHINE_X86_64);
	le16_store(coff + 6, (uint16_t)n);
	le16_store(coff + 20, PE_OPT_HEADER_FIXED + 8 * PE_DATA_DIRS_MAX);
	le16_store(coff + 22, 0x206);
	le16_store(opt, PE_OPT_MAGIC_PE32PLUS);
	le32_store(opt + PE_OPT_SECTION_ALIGNMENT, PE_FIXTURE_ALIGN);
	le32_store(opt + PE_OPT_FILE_ALIGNMENT, PE_FIXTURE_ALIGN);
	le32_store(opt + PE_OPT_SIZE_OF_IMAGE, size_of_image);
	le32_store(opt + PE_OPT_SIZE_OF_HEADERS, size_of_headers);
	le16_store(opt + 68, 10);	/* Subsystem: EFI application */
	le32_store(opt + PE_OPT_DATA_DIR_COUNT, PE_DATA_DIRS_MAX);
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
		le32_store(h + 8, s[i].virtual_size);
		le32_store(h + 12, s[i].virtual_address);
		le32_store(h + 16, s[i].raw_size);
		le32_store(h + 20, s[i].raw_size ? (uint32_t)raw : 0);
		le32_store(h + 36,
			   PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ);
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
