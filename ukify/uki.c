/* SPDX-License-Identifier: MIT */
/* UKI layout; see uki.h. */
#include <stdbool.h>
#include <stdlib.h>

#include "lib/endian.h"
#include "lib/error.h"
#include "lib/util.h"
#include "ukify/pe.h"
#include "ukify/uki.h"

#define ADDED_MAX 6			/* .osrel .cmdline .uname .sbat ... */
#define SECTIONS_OUT_MAX (PE_SECTIONS_MAX + ADDED_MAX)
#define DATA_CHARACTERISTICS (PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ)

/* Section header fields written here. */
#define SCN_VIRTUAL_SIZE 8
#define SCN_VIRTUAL_ADDRESS 12
#define SCN_RAW_SIZE 16
#define SCN_RAW_OFFSET 20
#define SCN_CHARACTERISTICS 36
#define COFF_SECTION_COUNT 6
#define COFF_SYMBOLS_OFFSET 12
#define COFF_SYMBOLS_COUNT 16

struct out_section {
	char name[8];
	const uint8_t *stub_header;	/* copied first, or NULL when added */
	uint32_t virtual_size;
	uint32_t virtual_address;
	uint32_t raw_size;
	uint32_t raw_offset;
	const uint8_t *data;		/* data_len bytes at raw_offset */
	size_t data_len;
};

struct layout {
	const struct uki_input *in;
	struct pe_image stub;
	struct out_section s[SECTIONS_OUT_MAX];
	size_t count;
	uint8_t *sbat;			/* merged SBAT text, owned */
	size_t sbat_len;
	bool sbat_added;		/* goes in as a new section */
	uint32_t removed_raw;		/* raw bytes of a moved stub .sbat */
	uint32_t size_of_image;
	uint64_t file_size;
	struct error *err;		/* the caller's */
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static bool is_text(const char *s, size_t len, bool newlines, bool spaces)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' && newlines)
			continue;
		if ((c == ' ' || c == '\t') && spaces)
			continue;
		if (c < 0x21 || c > 0x7e)
			return false;
	}
	return true;
}

static int check_inputs(struct layout *l)
{
	const struct uki_input *in = l->in;

	if (in->stub_len > UKI_STUB_MAX || in->kernel_len > UKI_KERNEL_MAX ||
	    in->initrd_len > UKI_INITRD_MAX)
		return error_set(l->err, -OCIBOOT_ETOOBIG, NULL, "an input is "
				 "over its size limit");
	if (in->kernel_len < 2 || le16_load(in->kernel) != PE_DOS_MAGIC)
		return error_set(l->err, -EINVAL, NULL, "the kernel is not an "
				 "EFI-bootable image (no MZ header)");
	if (in->initrd_len == 0)
		return error_set(l->err, -EINVAL, NULL, "the initrd is empty");
	if (in->osrel_len == 0 || in->osrel_len > UKI_OSREL_MAX ||
	    memchr(in->osrel, '\0', in->osrel_len))
		return error_set(l->err, -EINVAL, NULL, "the os-release text "
				 "is empty, too long or holds a NUL");
	if (in->cmdline && (in->cmdline_len == 0 ||
			    in->cmdline_len > UKI_CMDLINE_MAX ||
			    !is_text(in->cmdline, in->cmdline_len, false,
				     true)))
		return error_set(l->err, -EINVAL, NULL, "the command line is "
				 "empty, longer than 2047 bytes or not "
				 "printable ASCII");
	if (in->uname_len == 0 || in->uname_len > UKI_UNAME_MAX ||
	    !is_text(in->uname, in->uname_len, false, false))
		return error_set(l->err, -EINVAL, NULL, "the kernel release "
				 "(uname) is empty, too long or not printable "
				 "ASCII");
	return 0;
}

/* A product SBAT line: UKI_SBAT_FIELDS fields, a decimal generation. */
static bool is_sbat_line(const char *s, size_t len)
{
	size_t fields = 1, gen_start = 0, gen_len = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != ',')
			continue;
		if (++fields == 2)
			gen_start = i + 1;
		else if (fields == 3)
			gen_len = i - gen_start;
	}
	if (fields != UKI_SBAT_FIELDS || s[0] == ',' || gen_len == 0)
		return false;
	for (size_t i = 0; i < gen_len; i++)
		if (s[gen_start + i] < '0' || s[gen_start + i] > '9')
			return false;
	return true;
}

/* Append the product's lines to out (room checked by the caller). */
static int append_sbat_lines(struct layout *l, bool skip_header,
			     uint8_t *out, size_t *out_len)
{
	const char *s = l->in->sbat;
	size_t len = l->in->sbat_len, start = 0, lines = 0;

	while (len && s[len - 1] == '\0')
		len--;
	if (len == 0 || len > UKI_SBAT_MAX || !is_text(s, len, true, true))
		return error_set(l->err, -OCIBOOT_EMALFORMED, NULL, "the SBAT "
				 "file is empty, too long or not printable "
				 "ASCII");
	while (start < len) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len;

		if (end > start && !is_sbat_line(s + start, end - start))
			return error_set(l->err, -OCIBOOT_EMALFORMED, NULL,
					 "an SBAT line does not have 6 "
					 "comma-separated fields with a "
					 "decimal generation");
		lines += end > start;
		if (end > start && !(skip_header &&
				     strncmp(s + start, "sbat,", 5) == 0)) {
			memcpy(out + *out_len, s + start, end - start);
			*out_len += end - start;
			out[(*out_len)++] = '\n';
		}
		start = end + 1;
	}
	if (lines == 0)
		return error_set(l->err, -OCIBOOT_EMALFORMED, NULL, "the SBAT "
				 "file has no lines");
	return 0;
}

/* The stub's .sbat text, trailing NULs dropped, then the product's. */
static int merge_sbat(struct layout *l, const struct pe_section *old)
{
	const uint8_t *text = NULL;
	size_t text_len = 0, len = 0;
	bool nul = false;
	int r;

	if (old) {
		text = l->in->stub + old->raw_offset;
		text_len = old->virtual_size < old->raw_size ?
			   old->virtual_size : old->raw_size;
		nul = text_len && text[text_len - 1] == '\0';
		while (text_len && text[text_len - 1] == '\0')
			text_len--;
	}
	/* old text + '\n' + product lines (+ '\n' each) + NUL */
	l->sbat = malloc(text_len + 2 * UKI_SBAT_MAX + 3);
	if (!l->sbat)
		return error_set(l->err, -ENOMEM, NULL, "out of memory");
	if (text_len)
		memcpy(l->sbat, text, text_len);
	len = text_len;
	if (len && l->sbat[len - 1] != '\n')
		l->sbat[len++] = '\n';
	r = append_sbat_lines(l, text_len > 0, l->sbat, &len);
	if (r < 0)
		return r;
	if (nul)
		l->sbat[len++] = '\0';
	l->sbat_len = len;
	return 0;
}

/* Bytes the stub's section i may grow to without moving. */
static uint32_t room_in_place(const struct pe_image *pe, size_t i)
{
	const struct pe_section *s = &pe->sections[i];
	uint32_t next = i + 1 < pe->section_count ?
			pe->sections[i + 1].virtual_address :
			pe->size_of_image;
	uint32_t gap = next - s->virtual_address;

	return s->raw_size < gap ? s->raw_size : gap;
}

static void keep_stub_section(struct layout *l, size_t i, uint32_t shift)
{
	const struct pe_section *s = &l->stub.sections[i];
	struct out_section *o = &l->s[l->count++];

	memcpy(o->name, s->name, 8);
	o->stub_header = l->in->stub + l->stub.section_table_offset +
			 i * PE_SECTION_HEADER_LEN;
	o->virtual_size = s->virtual_size;
	o->virtual_address = s->virtual_address;
	o->raw_size = s->raw_size;
	o->raw_offset = s->raw_size ? s->raw_offset - shift : 0;
	o->data = l->in->stub + s->raw_offset;
	o->data_len = s->raw_size;
}

/* Copy the stub's section list, merging or moving .sbat. */
static int plan_stub(struct layout *l)
{
	const struct pe_section *old = pe_find_section(&l->stub, ".sbat");
	size_t sbat_index = old ? (size_t)(old - l->stub.sections) : 0;
	int r;

	if (l->in->sbat) {
		r = merge_sbat(l, old);
		if (r < 0)
			return r;
		l->sbat_added = !old ||
				l->sbat_len > room_in_place(&l->stub,
							    sbat_index);
		if (old && l->sbat_added)
			l->removed_raw = old->raw_size;
	}
	for (size_t i = 0; i < l->stub.section_count; i++) {
		const struct pe_section *s = &l->stub.sections[i];
		uint32_t shift = 0;

		if (s == old && l->sbat_added)
			continue;
		if (l->removed_raw && s->raw_offset > old->raw_offset)
			shift = l->removed_raw;
		if (shift && l->stub.debug_size)
			return error_set(l->err, -ENOTSUP, NULL, "the stub "
					 "has a debug directory, so its "
					 "sections cannot move to make room "
					 "for a larger .sbat");
		keep_stub_section(l, i, shift);
		if (s == old && l->in->sbat) {
			l->s[l->count - 1].virtual_size =
				(uint32_t)l->sbat_len;
			l->s[l->count - 1].data = l->sbat;
			l->s[l->count - 1].data_len = l->sbat_len;
		}
	}
	return 0;
}

static void add_section(struct layout *l, const char *name,
			const void *data, size_t len)
{
	struct out_section *o = &l->s[l->count++];

	memset(o, 0, sizeof(*o));
	memcpy(o->name, name, strnlen(name, sizeof(o->name)));
	o->data = data;
	o->data_len = len;
}

static void plan_added(struct layout *l)
{
	const struct uki_input *in = l->in;

	add_section(l, ".osrel", in->osrel, in->osrel_len);
	if (in->cmdline)
		add_section(l, ".cmdline", in->cmdline, in->cmdline_len);
	add_section(l, ".uname", in->uname, in->uname_len);
	if (l->sbat_added)
		add_section(l, ".sbat", l->sbat, l->sbat_len);
	add_section(l, ".linux", in->kernel, in->kernel_len);
	add_section(l, ".initrd", in->initrd, in->initrd_len);
}

/* Addresses and file offsets of the added sections (first is first). */
static int place_added(struct layout *l, size_t first)
{
	uint64_t va_align = l->stub.section_alignment > UKI_SECTION_ALIGN ?
			    l->stub.section_alignment : UKI_SECTION_ALIGN;
	uint64_t fa = l->stub.file_alignment;
	uint64_t raw = l->stub.size_of_headers, va, end;

	for (size_t i = 0; i < first; i++)
		if (l->s[i].raw_size && l->s[i].raw_offset +
		    (uint64_t)l->s[i].raw_size > raw)
			raw = l->s[i].raw_offset + (uint64_t)l->s[i].raw_size;
	raw = align_up(raw, fa);
	va = align_up(l->stub.size_of_image, va_align);
	end = va;
	for (size_t i = first; i < l->count; i++) {
		struct out_section *o = &l->s[i];

		o->virtual_address = (uint32_t)va;
		o->virtual_size = (uint32_t)o->data_len;
		o->raw_offset = (uint32_t)raw;
		o->raw_size = (uint32_t)align_up(o->data_len, fa);
		end = va + o->data_len;
		va = align_up(end, va_align);
		raw += o->raw_size;
		if (va > UINT32_MAX || raw > PE_FILE_MAX)
			return error_set(l->err, -OCIBOOT_ETOOBIG, NULL, "the "
					 "image would be larger than 2 GiB or "
					 "4 GiB of address space");
	}
	l->size_of_image = (uint32_t)align_up(end, l->stub.section_alignment);
	l->file_size = raw;
	return 0;
}

/* The new section headers must fit in zero bytes before SizeOfHeaders. */
static int check_header_room(struct layout *l)
{
	size_t old_end = l->stub.section_table_offset +
			 (size_t)l->stub.section_count * PE_SECTION_HEADER_LEN;
	size_t new_end = l->stub.section_table_offset +
			 l->count * PE_SECTION_HEADER_LEN;

	if (new_end > l->stub.size_of_headers)
		return error_set(l->err, -ENOSPC, NULL, "the stub's headers "
				 "have no room for the added section headers");
	for (size_t i = old_end; i < new_end; i++)
		if (l->in->stub[i])
			return error_set(l->err, -ENOSPC, NULL, "the bytes "
					 "after the stub's section table are "
					 "in use");
	return 0;
}

static void write_section_header(uint8_t *h, const struct out_section *o)
{
	if (o->stub_header) {
		memcpy(h, o->stub_header, PE_SECTION_HEADER_LEN);
	} else {
		memset(h, 0, PE_SECTION_HEADER_LEN);
		memcpy(h, o->name, 8);
		le32_store(h + SCN_CHARACTERISTICS, DATA_CHARACTERISTICS);
	}
	le32_store(h + SCN_VIRTUAL_SIZE, o->virtual_size);
	le32_store(h + SCN_VIRTUAL_ADDRESS, o->virtual_address);
	le32_store(h + SCN_RAW_SIZE, o->raw_size);
	le32_store(h + SCN_RAW_OFFSET, o->raw_offset);
}

static uint32_t init_data_size(const struct layout *l, size_t first)
{
	uint64_t size = l->stub.size_of_init_data;

	size = size > l->removed_raw ? size - l->removed_raw : 0;
	for (size_t i = first; i < l->count; i++)
		size += l->s[i].raw_size;
	return size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
}

static void write_headers(const struct layout *l, uint8_t *out, size_t first)
{
	const struct pe_image *pe = &l->stub;
	uint8_t *coff = out + pe->pe_offset;
	uint8_t *opt = out + pe->opt_offset;

	memcpy(out, l->in->stub, pe->size_of_headers);
	le16_store(coff + COFF_SECTION_COUNT, (uint16_t)l->count);
	le32_store(coff + COFF_SYMBOLS_OFFSET, 0);
	le32_store(coff + COFF_SYMBOLS_COUNT, 0);
	le32_store(opt + PE_OPT_SIZE_OF_IMAGE, l->size_of_image);
	le32_store(opt + PE_OPT_SIZE_OF_INIT_DATA, init_data_size(l, first));
	if (pe->data_dir_count > PE_DIR_CERTIFICATE)
		memset(out + pe_data_dir_offset(pe, PE_DIR_CERTIFICATE), 0, 8);
	for (size_t i = 0; i < l->count; i++)
		write_section_header(out + pe->section_table_offset +
				     i * PE_SECTION_HEADER_LEN, &l->s[i]);
}

static int write_image(struct layout *l, size_t first, uint8_t **out,
		       size_t *out_len)
{
	uint8_t *buf = calloc(1, (size_t)l->file_size);
	uint32_t sum_at = pe_checksum_offset(&l->stub);
	struct pe_image check;

	if (!buf)
		return error_set(l->err, -ENOMEM, NULL, "out of memory");
	write_headers(l, buf, first);
	for (size_t i = 0; i < l->count; i++)
		if (l->s[i].raw_size)
			memcpy(buf + l->s[i].raw_offset, l->s[i].data,
			       l->s[i].data_len);
	le32_store(buf + sum_at,
		   pe_checksum(buf, (size_t)l->file_size, sum_at));
	if (pe_parse(buf, (size_t)l->file_size, &check) < 0) {
		free(buf);
		return error_set(l->err, -OCIBOOT_EMALFORMED, NULL, "the "
				 "stub's layout does not leave a valid image "
				 "once sections are added");
	}
	*out = buf;
	*out_len = (size_t)l->file_size;
	return 0;
}

int uki_build(const struct uki_input *in, uint8_t **out, size_t *out_len,
	      struct error *err)
{
	struct layout *l = calloc(1, sizeof(*l));
	size_t first;
	int r;

	if (!l)
		return error_set(err, -ENOMEM, NULL, "out of memory");
	l->in = in;
	l->err = err;
	r = check_inputs(l);
	if (r == 0 && pe_parse(in->stub, in->stub_len, &l->stub) < 0)
		r = error_set(l->err, -OCIBOOT_EMALFORMED, NULL, "the stub is "
			      "not a valid PE32+ image");
	if (r == 0)
		r = plan_stub(l);
	if (r == 0) {
		first = l->count;
		plan_added(l);
		r = check_header_room(l);
	}
	if (r == 0)
		r = place_added(l, first);
	if (r == 0)
		r = write_image(l, first, out, out_len);
	free(l->sbat);
	free(l);
	return r;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool uki_cmdline_names_oci(const char *cmdline, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start;
		bool quoted = false;

		while (i < len && is_blank(cmdline[i]))
			i++;
		start = i;
		while (i < len && (quoted || !is_blank(cmdline[i]))) {
			if (cmdline[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (i - start > 4 && memcmp(cmdline + start, "oci=", 4) == 0)
			return true;
	}
	return false;
}
