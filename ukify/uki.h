/* SPDX-License-Identifier: MIT */
/*
 * Unified kernel image layout: the systemd EFI stub (a PE32+ image) with
 * sections added for the kernel, the initrd and their metadata, written by
 * our own code (no objcopy).
 *
 * Layout of the result:
 * - The stub's headers and sections are kept (raw data at the same file
 *   offsets unless a .sbat had to move, see below); its COFF symbol table,
 *   any trailing data and any certificate table are dropped.
 * - Sections are appended in this order: .osrel, .cmdline (when given),
 *   .uname, .sbat (only when it had to move or the stub had none), .linux,
 *   .initrd. Their virtual addresses follow the stub's SizeOfImage, each
 *   aligned to max(SectionAlignment, UKI_SECTION_ALIGN); their raw data
 *   follows the stub's, aligned to FileAlignment and zero-padded. They are
 *   initialised read-only data; VirtualSize is the exact content length.
 * - NumberOfSections, SizeOfImage and SizeOfInitializedData are updated,
 *   the certificate directory cleared and the CheckSum recomputed. The new
 *   section headers must fit between the stub's section table and
 *   SizeOfHeaders (in bytes that are zero); otherwise the build fails.
 *
 * SBAT: a stub's .sbat (systemd's own entries) is kept and the product's
 * lines are appended to it, never put in a second .sbat. The product's
 * "sbat,1,..." header line is dropped when the stub already has one. When
 * the merged text fits where the stub's .sbat is (its raw size, and the
 * gap before the next section's address) it is replaced in place;
 * otherwise the stub's .sbat is taken out, the raw data of the stub
 * sections after it moved down to close the gap (refused when the stub has
 * a debug directory, whose file offsets would go stale), and the merged
 * .sbat added as a new section after .uname. The systemd 252 stub leaves
 * 0x100 bytes for .sbat before .sdmagic, so product lines usually move it.
 */
#ifndef OCIBOOT_UKIFY_UKI_H
#define OCIBOOT_UKIFY_UKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define UKI_SECTION_ALIGN 0x1000	/* of added sections' addresses */
#define UKI_STUB_MAX (16u << 20)	/* bytes of the stub */
#define UKI_KERNEL_MAX (512u << 20)	/* bytes of the kernel */
#define UKI_INITRD_MAX (1024u << 20)	/* bytes of the initrd */
#define UKI_CMDLINE_MAX 2047		/* x86 COMMAND_LINE_SIZE less NUL */
#define UKI_OSREL_MAX 16384		/* bytes of .osrel */
#define UKI_UNAME_MAX 64		/* bytes of .uname */
#define UKI_SBAT_MAX 4096		/* bytes of the product's SBAT */
#define UKI_SBAT_FIELDS 6		/* comma-separated fields a line */

struct uki_input {
	const uint8_t *stub;		/* the EFI stub, stub_len bytes */
	size_t stub_len;
	const uint8_t *kernel;		/* an EFI-bootable kernel (MZ) */
	size_t kernel_len;
	const uint8_t *initrd;
	size_t initrd_len;
	const char *osrel;		/* os-release text */
	size_t osrel_len;
	const char *cmdline;		/* NULL: no .cmdline section */
	size_t cmdline_len;
	const char *uname;		/* kernel release */
	size_t uname_len;
	const char *sbat;		/* product SBAT lines, or NULL */
	size_t sbat_len;
};

/*
 * Build an unsigned UKI into a new malloc'd buffer *out (*out_len bytes,
 * owned by the caller). Returns 0; -OCIBOOT_EMALFORMED for a stub that is
 * not a valid PE32+ image or malformed SBAT text; -EINVAL for an empty,
 * non-printable or otherwise unusable input; -OCIBOOT_ETOOBIG over a cap
 * or past 4 GiB of address space; -ENOSPC when the stub's headers have no
 * room for the new section headers; -ENOTSUP for a stub whose sections
 * cannot be moved; -ENOMEM. On failure err (NULL: not wanted) says what
 * was wrong, its why a sentence naming the input.
 */
int uki_build(const struct uki_input *in, uint8_t **out, size_t *out_len,
	      struct error *err);

/*
 * Whether the command line cmdline[0..len) names oci= with a value: one
 * of its words (split at blanks outside double quotes, as the kernel
 * splits it) starts with "oci=" and has something after the '='. Under
 * Secure Boot the stub ignores the loader's arguments when a signed image
 * has its own .cmdline, so only such an image fixes where the system
 * comes from: a signed image without one lets whoever sets a boot entry
 * choose oci=. `ociboot ukify build` signs only images for which this is
 * true.
 */
bool uki_cmdline_names_oci(const char *cmdline, size_t len);

#endif
