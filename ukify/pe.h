/* SPDX-License-Identifier: MIT */
/*
 * A validating reader of PE32+ images (EFI applications such as the
 * systemd stub and signed kernel.efi files), which are untrusted input.
 *
 * pe_parse() checks the DOS and PE headers, the optional header magic and
 * size, the alignments, that the section table lies inside the headers,
 * that every section's raw data lies inside the file (at a multiple of
 * FileAlignment) without overlapping another's, that sections are in
 * ascending, non-overlapping virtual order inside SizeOfImage (addresses
 * are not held to SectionAlignment, which real stubs break), and the
 * bounds of the certificate table. Everything
 * it returns can then be used without further bounds checks against the
 * same buffer.
 */
#ifndef OCIBOOT_UKIFY_PE_H
#define OCIBOOT_UKIFY_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PE_SECTIONS_MAX 96		/* the PE format's own limit */
#define PE_LFANEW_MAX 0x1000		/* where the PE header may start */
#define PE_FILE_MAX (1u << 31)		/* bytes of an image we accept */
#define PE_CERTS_MAX 16			/* WIN_CERTIFICATE entries walked */

#define PE_DOS_MAGIC 0x5a4d		/* "MZ" */
#define PE_SIGNATURE 0x00004550		/* "PE\0\0" */
#define PE_OPT_MAGIC_PE32PLUS 0x20b
#define PE_MACHINE_X86_64 0x8664
#define PE_MACHINE_ARM64 0xaa64
#define PE_COFF_HEADER_LEN 20
#define PE_OPT_HEADER_FIXED 112		/* PE32+ optional header before dirs */
#define PE_SECTION_HEADER_LEN 40
#define PE_DATA_DIRS_MAX 16
#define PE_DIR_CERTIFICATE 4		/* the "security" directory */
#define PE_DIR_DEBUG 6

/* Offsets of fields inside the PE32+ optional header. */
#define PE_OPT_SIZE_OF_INIT_DATA 8
#define PE_OPT_SECTION_ALIGNMENT 32
#define PE_OPT_FILE_ALIGNMENT 36
#define PE_OPT_SIZE_OF_IMAGE 56
#define PE_OPT_SIZE_OF_HEADERS 60
#define PE_OPT_CHECKSUM 64
#define PE_OPT_DATA_DIR_COUNT 108
#define PE_OPT_DATA_DIRS 112

#define PE_SCN_CNT_INITIALIZED_DATA 0x00000040u
#define PE_SCN_MEM_READ 0x40000000u

#define PE_WIN_CERT_REVISION_2 0x0200
#define PE_WIN_CERT_TYPE_PKCS_SIGNED_DATA 0x0002
#define PE_WIN_CERT_HEADER_LEN 8

struct pe_section {
	char name[9];			/* the 8 name bytes, NUL-terminated */
	uint32_t virtual_size;
	uint32_t virtual_address;
	uint32_t raw_size;
	uint32_t raw_offset;
	uint32_t characteristics;
};

struct pe_image {
	size_t file_size;
	uint32_t pe_offset;		/* of "PE\0\0" (e_lfanew) */
	uint16_t machine;
	uint16_t characteristics;
	uint32_t symbols_offset;	/* COFF symbol table, 0 when none */
	uint32_t symbols_count;
	uint32_t opt_offset;		/* of the optional header */
	uint16_t opt_size;
	uint32_t section_table_offset;
	uint32_t section_alignment;
	uint32_t file_alignment;
	uint32_t size_of_image;
	uint32_t size_of_headers;
	uint32_t size_of_init_data;
	uint32_t checksum;
	uint32_t data_dir_count;
	uint32_t cert_offset;		/* certificate table (file offset) */
	uint32_t cert_size;		/* 0 when unsigned */
	uint32_t debug_size;		/* debug directory size, 0 when none */
	uint32_t raw_end;		/* end of the last section's raw data */
	uint16_t section_count;
	struct pe_section sections[PE_SECTIONS_MAX];
};

/*
 * Parse and check buf[0..len). Returns 0 and fills *pe; -OCIBOOT_EMALFORMED
 * for anything out of bounds or inconsistent (not MZ, not PE32+, a
 * section outside the file, ...); -OCIBOOT_ETOOBIG over a cap. *pe is
 * written only on success.
 */
int pe_parse(const uint8_t *buf, size_t len, struct pe_image *pe);

/* The first section called name, or NULL. */
const struct pe_section *pe_find_section(const struct pe_image *pe,
					 const char *name);

/* File offsets of the CheckSum field and of data directory entry index. */
uint32_t pe_checksum_offset(const struct pe_image *pe);
uint32_t pe_data_dir_offset(const struct pe_image *pe, unsigned int index);

/*
 * The PE checksum of buf[0..len) (the image checksum algorithm: 16-bit
 * one's-complement sum, the CheckSum field at checksum_offset counted as
 * zero, plus the length).
 */
uint32_t pe_checksum(const uint8_t *buf, size_t len, uint32_t checksum_offset);

/*
 * Walk the certificate table of a parsed image and find the first
 * WIN_CERTIFICATE of revision 2.0 and type PKCS_SIGNED_DATA: *der and
 * *der_len are set to its payload (inside buf). Returns 0; -ENOENT when
 * the image is unsigned or has no such entry; -OCIBOOT_EMALFORMED for a
 * bad entry length; -OCIBOOT_ETOOBIG past PE_CERTS_MAX entries.
 */
int pe_find_signature(const uint8_t *buf, const struct pe_image *pe,
		      const uint8_t **der, size_t *der_len);

#endif
