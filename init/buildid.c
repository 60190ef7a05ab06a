/* SPDX-License-Identifier: MIT */
#include "init/buildid.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>

#include "lib/util.h"

#define BUILDID_NOTE_NAME "GNU"		/* with its NUL: 4 bytes */

_Static_assert(sizeof(Elf64_Nhdr) == 12, "ELF note header is 3 words");
_Static_assert(sizeof(Elf32_Nhdr) == 12, "ELF note header is 3 words");

/* n rounded up to align (a power of two), or SIZE_MAX on overflow. */
static size_t align_up(size_t n, size_t align)
{
	size_t r;

	if (!size_add(n, align - 1, &r))
		return SIZE_MAX;
	return r & ~(align - 1);
}

int buildid_from_notes(const void *notes, size_t len, size_t align,
		       const uint8_t **id)
{
	const uint8_t *p = notes;
	size_t pos = 0;

	if (align != 8)
		align = 4;
	for (unsigned n = 0; pos < len; n++) {
		Elf64_Nhdr h;
		size_t name_pos, desc_pos;

		if (n == BUILDID_NOTES_MAX)
			return -OCIBOOT_ETOOBIG;
		if (len - pos < sizeof(h))
			return -OCIBOOT_EMALFORMED;
		memcpy(&h, p + pos, sizeof(h));
		name_pos = pos + sizeof(h);
		if (h.n_namesz > len - name_pos)
			return -OCIBOOT_EMALFORMED;
		/* Offsets, not sizes, are padded: with 8-byte alignment a
		 * 4-byte name after the 12-byte header needs no padding. */
		desc_pos = align_up(name_pos + h.n_namesz, align);
		if (desc_pos > len || h.n_descsz > len - desc_pos)
			return -OCIBOOT_EMALFORMED;
		if (h.n_type == NT_GNU_BUILD_ID &&
		    h.n_namesz == sizeof(BUILDID_NOTE_NAME) &&
		    memcmp(p + name_pos, BUILDID_NOTE_NAME,
			   sizeof(BUILDID_NOTE_NAME)) == 0) {
			if (h.n_descsz == 0)
				return -OCIBOOT_EMALFORMED;
			if (h.n_descsz > BUILDID_MAX)
				return -OCIBOOT_ETOOBIG;
			*id = p + desc_pos;
			return (int)h.n_descsz;
		}
		/* The last note's padding may be missing. */
		pos = desc_pos + h.n_descsz;
		pos = align_up(pos, align) > len ? len : align_up(pos, align);
	}
	return -ENOENT;
}

struct search {
	const uint8_t *id;
	int result;
};

/* Called for each loaded object; the program itself comes first. */
static int search_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct search *s = data;

	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const void *notes;

		if (ph->p_type != PT_NOTE)
			continue;
		notes = (const void *)(info->dlpi_addr + ph->p_vaddr);
		s->result = buildid_from_notes(notes, ph->p_memsz,
					       ph->p_align, &s->id);
		if (s->result != -ENOENT)
			break;
	}
	return 1;	/* only the program, not the libraries */
}

int buildid_self_hex(char hex[BUILDID_HEX_MAX])
{
	static const char digits[] = "0123456789abcdef";
	struct search s = { NULL, -ENOENT };

	dl_iterate_phdr(search_object, &s);
	if (s.result < 0)
		return s.result;
	for (int i = 0; i < s.result; i++) {
		hex[2 * i] = digits[s.id[i] >> 4];
		hex[2 * i + 1] = digits[s.id[i] & 15];
	}
	hex[2 * s.result] = '\0';
	return s.result;
}
