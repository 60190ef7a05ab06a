/* SPDX-License-Identifier: MIT */
/* Tests of the bzImage kernel release reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lib/util.h"
#include "ukify/bzimage.h"

#define IMAGE_LEN 0x600
#define VERSION_AT 0x400	/* header field 0x200 */

static const char good_version[] =
	"6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP";

/* A setup header pointing at version (written at VERSION_AT). */
static void make_image(uint8_t *buf, const char *version, size_t len)
{
	memset(buf, 0, IMAGE_LEN);
	buf[0] = 'M';
	buf[1] = 'Z';
	buf[0x1fe] = 0x55;
	buf[0x1ff] = 0xaa;
	memcpy(buf + 0x202, "HdrS", 4);
	buf[0x206] = 0x0f;	/* protocol 2.15 */
	buf[0x207] = 0x02;
	buf[0x20e] = 0x00;	/* version at 0x200 + 0x200 */
	buf[0x20f] = 0x02;
	memcpy(buf + VERSION_AT, version, len);
}

static void test_good(void **state)
{
	char release[BZIMAGE_RELEASE_MAX + 1];
	uint8_t buf[IMAGE_LEN];

	make_image(buf, good_version, sizeof(good_version));
	assert_int_equal(bzimage_release(buf, sizeof(buf), release), 0);
	assert_string_equal(release, "6.1.0-56-amd64");
	make_image(buf, "6.12.9", 7);	/* NUL right after the release */
	assert_int_equal(bzimage_release(buf, sizeof(buf), release), 0);
	assert_string_equal(release, "6.12.9");
}

static void test_table(void **state)
{
	static const struct {
		const char *what;
		size_t offset;
		uint8_t value;
	} cases[] = {
		{ "boot flag", 0x1fe, 0x54 },
		{ "HdrS magic", 0x205, 'T' },
		{ "protocol 1.x", 0x207, 0x01 },
		{ "no version pointer", 0x20f, 0x00 },
		{ "version pointer past the end", 0x20f, 0x04 },
		{ "empty release", VERSION_AT, ' ' },
		{ "control character", VERSION_AT + 2, '\n' },
		{ "non-ASCII", VERSION_AT + 2, 0xc3 },
	};
	char release[BZIMAGE_RELEASE_MAX + 1] = "untouched";
	uint8_t buf[IMAGE_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		make_image(buf, good_version, sizeof(good_version));
		buf[cases[i].offset] = cases[i].value;
		if (bzimage_release(buf, sizeof(buf), release) !=
		    -OCIBOOT_EMALFORMED)
			fail_msg("%s: accepted", cases[i].what);
		assert_string_equal(release, "untouched");
	}
}

static void test_lengths(void **state)
{
	char release[BZIMAGE_RELEASE_MAX + 1];
	char version[BZIMAGE_RELEASE_MAX + 3];
	uint8_t buf[IMAGE_LEN];

	memset(version, 'v', sizeof(version));
	version[BZIMAGE_RELEASE_MAX] = ' ';
	make_image(buf, version, sizeof(version));
	assert_int_equal(bzimage_release(buf, sizeof(buf), release), 0);
	assert_int_equal(strlen(release), BZIMAGE_RELEASE_MAX);
	version[BZIMAGE_RELEASE_MAX] = 'v';	/* 65 bytes, then more */
	make_image(buf, version, sizeof(version));
	assert_int_equal(bzimage_release(buf, sizeof(buf), release),
			 -OCIBOOT_EMALFORMED);
	/* A release that runs into the end of the file. */
	make_image(buf, "6.1", 3);
	assert_int_equal(bzimage_release(buf, VERSION_AT + 3, release),
			 -OCIBOOT_EMALFORMED);
}

static void test_truncation(void **state)
{
	char release[BZIMAGE_RELEASE_MAX + 1];
	uint8_t buf[IMAGE_LEN];
	size_t end = VERSION_AT + 14;	/* the space after the release */

	make_image(buf, good_version, sizeof(good_version));
	for (size_t cut = 0; cut <= end; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, buf, cut);
		assert_int_equal(bzimage_release(copy, cut, release),
				 -OCIBOOT_EMALFORMED);
		free(copy);
	}
	assert_int_equal(bzimage_release(buf, end + 1, release), 0);
}

/* The installed kernel, when there is one, against `file`'s reading. */
static void test_real_kernel(void **state)
{
	const char *kver = getenv("KVER");
	char path[256], release[BZIMAGE_RELEASE_MAX + 1];
	uint8_t *buf = malloc(1 << 16);
	FILE *f;
	size_t n;

	if (!kver || !*kver) {
		free(buf);
		skip();
		return;
	}
	snprintf(path, sizeof(path), "/boot/vmlinuz-%s", kver);
	f = fopen(path, "rb");
	if (!f) {
		free(buf);
		skip();
		return;
	}
	n = fread(buf, 1, 1 << 16, f);
	fclose(f);
	assert_int_equal(bzimage_release(buf, n, release), 0);
	assert_string_equal(release, kver);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_real_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
