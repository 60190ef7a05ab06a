/* SPDX-License-Identifier: MIT */
/*
 * ELF note walking for the build-id: well-formed segments, malformed ones,
 * truncation at every offset; and the test binary's own id against
 * readelf's view of the same file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/buildid.h"
#include "lib/util.h"

/* Append one note laid out as linkers do: name at header + 12, desc and
 * the next note at offsets rounded up to align. Returns the new length. */
static size_t add_note(uint8_t *buf, size_t len, size_t align, uint32_t type,
		       const char *name, size_t namesz, const void *desc,
		       size_t descsz)
{
	Elf64_Nhdr h = { (Elf64_Word)namesz, (Elf64_Word)descsz, type };
	size_t desc_pos, end;

	memcpy(buf + len, &h, sizeof(h));
	memcpy(buf + len + sizeof(h), name, namesz);
	desc_pos = (len + sizeof(h) + namesz + align - 1) / align * align;
	memset(buf + len + sizeof(h) + namesz, 0,
	       desc_pos - (len + sizeof(h) + namesz));
	memcpy(buf + desc_pos, desc, descsz);
	end = (desc_pos + descsz + align - 1) / align * align;
	memset(buf + desc_pos + descsz, 0, end - (desc_pos + descsz));
	return end;
}

static const uint8_t sha1_id[20] = {
	0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
	7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static void test_found(void **state)
{
	uint8_t buf[256];
	const uint8_t *id = NULL;
	size_t len;

	/* ABI tag first, then the build-id. */
	len = add_note(buf, 0, 4, 1, "GNU", 4,
		       "\0\0\0\0\3\0\0\0\2\0\0\0\0\0\0\0", 16);
	len = add_note(buf, len, 4, NT_GNU_BUILD_ID, "GNU", 4, sha1_id, 20);
	assert_int_equal(buildid_from_notes(buf, len, 4, &id), 20);
	assert_memory_equal(id, sha1_id, 20);

	/* 8-byte aligned segment (GNU property notes), odd-size name. */
	len = add_note(buf, 0, 8, 5, "GNU", 4, "12345678", 8);
	len = add_note(buf, len, 8, 7, "abcde", 6, "x", 1);
	len = add_note(buf, len, 8, NT_GNU_BUILD_ID, "GNU", 4, sha1_id, 20);
	assert_int_equal(buildid_from_notes(buf, len, 8, &id), 20);
	assert_memory_equal(id, sha1_id, 20);

	/* A build-id type under another name is not it. */
	len = add_note(buf, 0, 4, NT_GNU_BUILD_ID, "XYZ", 4, sha1_id, 20);
	assert_int_equal(buildid_from_notes(buf, len, 4, &id), -ENOENT);
	assert_int_equal(buildid_from_notes(buf, 0, 4, &id), -ENOENT);
}

static void test_malformed(void **state)
{
	uint8_t buf[256], big[BUILDID_MAX + 1] = { 0 };
	const uint8_t *id;
	size_t len;

	len = add_note(buf, 0, 4, NT_GNU_BUILD_ID, "GNU", 4, "", 0);
	assert_int_equal(buildid_from_notes(buf, len, 4, &id),
			 -OCIBOOT_EMALFORMED);
	len = add_note(buf, 0, 4, NT_GNU_BUILD_ID, "GNU", 4, big, sizeof(big));
	assert_int_equal(buildid_from_notes(buf, len, 4, &id),
			 -OCIBOOT_ETOOBIG);

	/* Sizes that overflow or run past the end. */
	{
		Elf64_Nhdr h = { 0xffffffffu, 4, NT_GNU_BUILD_ID };

		memcpy(buf, &h, sizeof(h));
		assert_int_equal(buildid_from_notes(buf, 64, 4, &id),
				 -OCIBOOT_EMALFORMED);
		h.n_namesz = 4;
		h.n_descsz = 0xfffffffcu;
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + 12, "GNU", 4);
		assert_int_equal(buildid_from_notes(buf, 64, 4, &id),
				 -OCIBOOT_EMALFORMED);
	}
}

static void test_note_cap(void **state)
{
	static uint8_t buf[(BUILDID_NOTES_MAX + 1) * 12 + 64];
	const uint8_t *id;
	size_t len = 0;

	for (int i = 0; i < BUILDID_NOTES_MAX; i++)
		len = add_note(buf, len, 4, 1, "", 0, "", 0);
	assert_int_equal(buildid_from_notes(buf, len, 4, &id), -ENOENT);
	len = add_note(buf, len, 4, 1, "", 0, "", 0);
	assert_int_equal(buildid_from_notes(buf, len, 4, &id),
			 -OCIBOOT_ETOOBIG);
}

static void test_truncation(void **state)
{
	uint8_t buf[256];
	const uint8_t *id;
	size_t len;

	len = add_note(buf, 0, 4, 1, "GNU", 4, "0123456789abcdef", 16);
	len = add_note(buf, len, 4, NT_GNU_BUILD_ID, "GNU", 4, sha1_id, 20);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		int r;

		assert_non_null(copy);
		memcpy(copy, buf, cut);
		r = buildid_from_notes(copy, cut, 4, &id);
		/* Whole first note and nothing more: no build-id there. */
		if (cut == 0 || cut == 32)
			assert_int_equal(r, -ENOENT);
		else
			assert_int_equal(r, -OCIBOOT_EMALFORMED);
		free(copy);
	}
	assert_int_equal(buildid_from_notes(buf, len, 4, &id), 20);
}

/* Our own build-id, as readelf shows it for the running test binary. */
static void test_self_against_readelf(void **state)
{
	char hex[BUILDID_HEX_MAX], cmd[512], line[512], exe[256];
	ssize_t n;
	FILE *f;
	int r;

	r = buildid_self_hex(hex);
	if (r == -ENOENT)
		skip();		/* linked without --build-id */
	assert_int_equal(r, 20);
	assert_int_equal(strlen(hex), 40);

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(cmd, sizeof(cmd),
		 "readelf -n '%s' 2>/dev/null | sed -n 's/.*Build ID: //p'",
		 exe);
	f = popen(cmd, "r");
	if (!f)
		skip();
	if (!fgets(line, sizeof(line), f)) {
		pclose(f);
		skip();		/* no readelf here */
	}
	pclose(f);
	line[strcspn(line, "\n")] = '\0';
	assert_string_equal(hex, line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_note_cap),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_self_against_readelf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
