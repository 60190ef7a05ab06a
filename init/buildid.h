/* SPDX-License-Identifier: MIT */
/*
 * The GNU build-id of this program (the NT_GNU_BUILD_ID note the linker
 * writes with --build-id), found through its program headers, so a boot log
 * names the exact init binary. Nothing here allocates or logs.
 */
#ifndef OCIBOOT_INIT_BUILDID_H
#define OCIBOOT_INIT_BUILDID_H

#include <stddef.h>
#include <stdint.h>

#define BUILDID_MAX 64			/* bytes; sha1 gives 20 */
#define BUILDID_HEX_MAX (2 * BUILDID_MAX + 1)
#define BUILDID_NOTES_MAX 64		/* notes looked at in one segment */

/*
 * Find the build-id among the ELF notes in notes[len] (a PT_NOTE segment
 * whose notes are padded to align, 4 or 8). On success points *id into
 * notes and returns its length (1..BUILDID_MAX); -ENOENT when there is no
 * build-id note, -OCIBOOT_EMALFORMED when a note runs past the end,
 * -OCIBOOT_ETOOBIG for an id over BUILDID_MAX or too many notes.
 */
int buildid_from_notes(const void *notes, size_t len, size_t align,
		       const uint8_t **id);

/*
 * This program's build-id as lowercase hex into hex[BUILDID_HEX_MAX].
 * Returns the number of id bytes, or a negative error as above.
 */
int buildid_self_hex(char hex[BUILDID_HEX_MAX]);

#endif
