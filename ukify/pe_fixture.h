/* SPDX-License-Identifier: MIT */
/*
 * Synthetic PE32+ images for the ukify unit tests and fuzz seeds: the
 * same header layout as the systemd stub (PE header at 0x80, 16 data
 * directories, section table at 0x188, alignments 0x200).
 */
#ifndef OCIBOOT_UKIFY_PE_FIXTURE_H
#define OCIBOOT_UKIFY_PE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#define PE_FIXTURE_LFANEW 0x80
#define PE_FIXTURE_OPT 0x98		/* optional header */
#define PE_FIXTURE_TABLE 0x188		/* section table */
#define PE_FIXTURE_ALIGN 0x200

struct pe_fixture_section {
	const char *name;		/* up to 8 bytes */
	uint32_t virtual_address;
	uint32_t virtual_size;		/* bytes filled with fill */
	uint32_t raw_size;		/* a multiple of PE_FIXTURE_ALIGN */
	uint8_t fill;
};

/*
 * Write an image with sections s[0..n) to buf (cap bytes, zeroed here),
 * raw data laid out in order from size_of_headers. Returns its length, or
 * 0 when cap is too small.
 */
size_t pe_fixture_build(uint8_t *buf, size_t cap,
			const struct pe_fixture_section *s, size_t n,
			uint32_t size_of_headers, uint32_t size_of_image);

/* Two sections (.text at 0x1000, .data at 0x2000), SizeOfImage 0x3000. */
size_t pe_fixture_simple(uint8_t *buf, size_t cap);

#endif
