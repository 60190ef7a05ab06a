/* SPDX-License-Identifier: MIT */
/* PE32+ reader; see pe.h. */
#include "lib/endian.h"
#include "lib/util.h"
#include "ukify/pe.h"

#define DOS_LFANEW 0x3c
#define DOS_HEADER_LEN 0x40

/* COFF header fields, from the "PE\0\0" signature. */
#define COFF_MACHINE 4
#define COFF_SECTION_COUNT 6
#define COFF_SYMBOLS_OFFSET 12
#define COFF_SYMBOLS_COUNT 16
#define COFF_OPT_SIZE 20
#define COFF_CHARACTERISTICS 22
#define COFF_END 24

/* Section header fields. */
#define SCN_VIRTUAL_SIZE 8
#define SCN_VIRTUAL_ADDRESS 12
#define SCN_RAW_SIZE 16
#define SCN_RAW_OFFSET 20
#define SCN_CHARACTERISTICS 36

/* The layout constants of pe.h, checked against the PE32+ format. */
_Static_assert(PE_OPT_DATA_DIRS == PE_OPT_HEADER_FIXED,
	       "data directories follow the fixed optional header");
_Static_assert(PE_OPT_CHECKSUM == 64 && PE_OPT_DATA_DIR_COUNT == 108,
	       "PE32+ optional header field offsets");
_Static_assert(SCN_CHARACTERISTICS + 4 == PE_SECTION_HEADER_LEN,
	       "section header size");
_Static_assert(COFF_END == 4 + PE_COFF_HEADER_LEN, "COFF header size");

#define FILE_ALIGNMENT_MIN 0x200
#define FILE_ALIGNMENT_MAX 0x10000
#define SECTION_ALIGNMENT_MAX 0x100000

static bool is_power_of_two(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int parse_coff(const uint8_t *buf, size_t len, struct pe_image *pe)
{
	const uint8_t *coff;
	uint32_t off;

	if (len < DOS_HEADER_LEN || le16_load(buf) != PE_DOS_MAGIC)
		return -OCIBOOT_EMALFORMED;
	off = le32_load(buf + DOS_LFANEW);
	if (off < DOS_HEADER_LEN || off > PE_LFANEW_MAX || off % 8 ||
	    off > len || len - off < COFF_END)
		return -OCIBOOT_EMALFORMED;
	coff = buf + off;
	if (le32_load(coff) != PE_SIGNATURE)
		return -OCIBOOT_EMALFORMED;
	pe->pe_offset = off;
	pe->machine = le16_load(coff + COFF_MACHINE);
	pe->section_count = le16_load(coff + COFF_SECTION_COUNT);
	pe->symbols_offset = le32_load(coff + COFF_SYMBOLS_OFFSET);
	pe->symbols_count = le32_load(coff + COFF_SYMBOLS_COUNT);
	pe->opt_size = le16_load(coff + COFF_OPT_SIZE);
	pe->characteristics = le16_load(coff + COFF_CHARACTERISTICS);
	pe->opt_offset = off + COFF_END;
	if (pe->section_count == 0)
		return -OCIBOOT_EMALFORMED;
	if (pe->section_count > PE_SECTIONS_MAX)
		return -OCIBOOT_ETOOBIG;
	return 0;
}

static int parse_data_dirs(const uint8_t *opt, struct pe_image *pe)
{
	const uint8_t *dirs = opt + PE_OPT_DATA_DIRS;

	pe->data_dir_count = le32_load(opt + PE_OPT_DATA_DIR_COUNT);
	if (pe->data_dir_count > PE_DATA_DIRS_MAX ||
	    pe->opt_size < PE_OPT_HEADER_FIXED + 8 * pe->data_dir_count)
		return -OCIBOOT_EMALFORMED;
	pe->cert_offset = 0;
	pe->cert_size = 0;
	pe->debug_size = 0;
	if (pe->data_dir_count > PE_DIR_CERTIFICATE) {
		pe->cert_offset = le32_load(dirs + 8 * PE_DIR_CERTIFICATE);
		pe->cert_size = le32_load(dirs + 8 * PE_DIR_CERTIFICATE + 4);
	}
	if (pe->data_dir_count > PE_DIR_DEBUG)
		pe->debug_size = le32_load(dirs + 8 * PE_DIR_DEBUG + 4);
	return 0;
}

static int parse_optional(const uint8_t *buf, size_t len,
			  struct pe_image *pe)
{
	const uint8_t *opt = buf + pe->opt_offset;
	size_t table_end;

	if (pe->opt_size < PE_OPT_HEADER_FIXED ||
	    len - pe->opt_offset < pe->opt_size)
		return -OCIBOOT_EMALFORMED;
	if (le16_load(opt) != PE_OPT_MAGIC_PE32PLUS)
		return -OCIBOOT_EMALFORMED;
	pe->section_alignment = le32_load(opt + PE_OPT_SECTION_ALIGNMENT);
	pe->file_alignment = le32_load(opt + PE_OPT_FILE_ALIGNMENT);
	pe->size_of_image = le32_load(opt + PE_OPT_SIZE_OF_IMAGE);
	pe->size_of_headers = le32_load(opt + PE_OPT_SIZE_OF_HEADERS);
	pe->size_of_init_data = le32_load(opt + PE_OPT_SIZE_OF_INIT_DATA);
	pe->checksum = le32_load(opt + PE_OPT_CHECKSUM);
	if (!is_power_of_two(pe->file_alignment) ||
	    pe->file_alignment < FILE_ALIGNMENT_MIN ||
	    pe->file_alignment > FILE_ALIGNMENT_MAX ||
	    !is_power_of_two(pe->section_alignment) ||
	    pe->section_alignment < pe->file_alignment ||
	    pe->section_alignment > SECTION_ALIGNMENT_MAX)
		return -OCIBOOT_EMALFORMED;
	pe->section_table_offset = pe->opt_offset + pe->opt_size;
	table_end = pe->section_table_offset +
		    (size_t)pe->section_count * PE_SECTION_HEADER_LEN;
	if (table_end > pe->size_of_headers || pe->size_of_headers > len ||
	    pe->size_of_headers > pe->size_of_image)
		return -OCIBOOT_EMALFORMED;
	return parse_data_dirs(opt, pe);
}

static void read_section(const uint8_t *h, struct pe_section *s)
{
	memcpy(s->name, h, 8);
	s->name[8] = '\0';
	s->virtual_size = le32_load(h + SCN_VIRTUAL_SIZE);
	s->virtual_address = le32_load(h + SCN_VIRTUAL_ADDRESS);
	s->raw_size = le32_load(h + SCN_RAW_SIZE);
	s->raw_offset = le32_load(h + SCN_RAW_OFFSET);
	s->characteristics = le32_load(h + SCN_CHARACTERISTICS);
}

/* Bytes a section occupies in memory. */
static uint64_t section_extent(const struct pe_section *s)
{
	return s->virtual_size ? s->virtual_size : s->raw_size;
}

/*
 * Sections must ascend in memory without overlapping, inside SizeOfImage.
 * Their addresses are not checked against SectionAlignment: the systemd
 * 252 stub's own .sdmagic sits at 0x19100 with an alignment of 0x200.
 */
static int check_virtual(const struct pe_image *pe)
{
	uint64_t next = pe->size_of_headers;

	for (size_t i = 0; i < pe->section_count; i++) {
		const struct pe_section *s = &pe->sections[i];

		if (s->virtual_address < next ||
		    s->virtual_address + section_extent(s) >
		    pe->size_of_image)
			return -OCIBOOT_EMALFORMED;
		next = s->virtual_address + section_extent(s);
	}
	return 0;
}

/* Raw data inside the file, after the headers, aligned, disjoint. */
static int check_raw(struct pe_image *pe, size_t len)
{
	uint64_t end = pe->size_of_headers;

	for (size_t i = 0; i < pe->section_count; i++) {
		const struct pe_section *s = &pe->sections[i];
		uint64_t s_end = (uint64_t)s->raw_offset + s->raw_size;

		if (s->raw_size == 0)
			continue;
		if (s->raw_offset < pe->size_of_headers || s_end > len ||
		    s->raw_offset % pe->file_alignment)
			return -OCIBOOT_EMALFORMED;
		for (size_t j = 0; j < i; j++) {
			const struct pe_section *t = &pe->sections[j];

			if (t->raw_size && s->raw_offset <
			    (uint64_t)t->raw_offset + t->raw_size &&
			    t->raw_offset < s_end)
				return -OCIBOOT_EMALFORMED;
		}
		if (s_end > end)
			end = s_end;
	}
	pe->raw_end = (uint32_t)end;
	return 0;
}

static int check_certificates(const struct pe_image *pe, size_t len)
{
	if (pe->cert_size == 0)
		return 0;
	if (pe->cert_offset < pe->raw_end || pe->cert_offset % 8 ||
	    pe->cert_size > len || pe->cert_offset > len - pe->cert_size)
		return -OCIBOOT_EMALFORMED;
	return 0;
}

int pe_parse(const uint8_t *buf, size_t len, struct pe_image *out)
{
	struct pe_image pe;
	int r;

	if (len > PE_FILE_MAX)
		return -OCIBOOT_ETOOBIG;
	memset(&pe, 0, sizeof(pe));
	pe.file_size = len;
	r = parse_coff(buf, len, &pe);
	if (r == 0)
		r = parse_optional(buf, len, &pe);
	if (r < 0)
		return r;
	for (size_t i = 0; i < pe.section_count; i++)
		read_section(buf + pe.section_table_offset +
			     i * PE_SECTION_HEADER_LEN, &pe.sections[i]);
	r = check_virtual(&pe);
	if (r == 0)
		r = check_raw(&pe, len);
	if (r == 0)
		r = check_certificates(&pe, len);
	if (r < 0)
		return r;
	*out = pe;
	return 0;
}

const struct pe_section *pe_find_section(const struct pe_image *pe,
					 const char *name)
{
	for (size_t i = 0; i < pe->section_count; i++)
		if (strncmp(pe->sections[i].name, name, 8) == 0)
			return &pe->sections[i];
	return NULL;
}

uint32_t pe_checksum_offset(const struct pe_image *pe)
{
	return pe->opt_offset + PE_OPT_CHECKSUM;
}

uint32_t pe_data_dir_offset(const struct pe_image *pe, unsigned int index)
{
	return pe->opt_offset + PE_OPT_DATA_DIRS + 8 * index;
}

uint32_t pe_checksum(const uint8_t *buf, size_t len, uint32_t checksum_offset)
{
	uint64_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {
		if (i == checksum_offset || i == (size_t)checksum_offset + 2)
			continue;
		sum += le16_load(buf + i);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += buf[len - 1];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + len);
}

int pe_find_signature(const uint8_t *buf, const struct pe_image *pe,
		      const uint8_t **der, size_t *der_len)
{
	size_t off = pe->cert_offset, end = off + pe->cert_size;

	for (int n = 0; off < end; n++) {
		uint32_t length;

		if (n >= PE_CERTS_MAX)
			return -OCIBOOT_ETOOBIG;
		if (end - off < PE_WIN_CERT_HEADER_LEN)
			return -OCIBOOT_EMALFORMED;
		length = le32_load(buf + off);
		if (length < PE_WIN_CERT_HEADER_LEN || length > end - off)
			return -OCIBOOT_EMALFORMED;
		if (le16_load(buf + off + 4) == PE_WIN_CERT_REVISION_2 &&
		    le16_load(buf + off + 6) ==
		    PE_WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
			*der = buf + off + PE_WIN_CERT_HEADER_LEN;
			*der_len = length - PE_WIN_CERT_HEADER_LEN;
			return 0;
		}
		off += (length + 7u) & ~(size_t)7;
	}
	return -ENOENT;
}
