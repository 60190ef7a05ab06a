/* SPDX-License-Identifier: MIT */
/* Tests of the newc cpio writer: exact bytes, structure, failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "lib/util.h"
#include "ukify/cpio.h"

/* One member as read back by the test's own newc reader. */
struct member {
	char name[CPIO_PATH_MAX + 1];
	uint32_t ino, mode, uid, gid, nlink, mtime, size;
	uint32_t rmaj, rmin;
	const uint8_t *data;
};

static uint32_t hex8(const uint8_t *p)
{
	char s[9];

	memcpy(s, p, 8);
	s[8] = '\0';
	return (uint32_t)strtoul(s, NULL, 16);
}

/* Read the member at *off; returns false at the end of buf. */
static bool read_member(const uint8_t *buf, size_t len, size_t *off,
			struct member *m)
{
	const uint8_t *h = buf + *off;
	uint32_t namesize;

	if (*off + CPIO_HEADER_LEN > len)
		return false;
	assert_memory_equal(h, "070701", 6);
	assert_int_equal(*off % 4, 0);
	m->ino = hex8(h + 6);
	m->mode = hex8(h + 14);
	m->uid = hex8(h + 22);
	m->gid = hex8(h + 30);
	m->nlink = hex8(h + 38);
	m->mtime = hex8(h + 46);
	m->size = hex8(h + 54);
	m->rmaj = hex8(h + 78);
	m->rmin = hex8(h + 86);
	namesize = hex8(h + 94);
	assert_int_equal(hex8(h + 102), 0);	/* check field */
	assert_true(namesize >= 2 && namesize <= CPIO_PATH_MAX + 1);
	memcpy(m->name, h + CPIO_HEADER_LEN, namesize);
	assert_int_equal(m->name[namesize - 1], '\0');
	*off += (CPIO_HEADER_LEN + namesize + 3) & ~3u;
	m->data = buf + *off;
	*off += (m->size + 3) & ~3u;
	assert_true(*off <= len);
	return true;
}

static void test_exact_bytes(void **state)
{
	static const char expected[] =
		"070701" "00000001" "000081A4" "00000000" "00000000"
		"00000001" "00000005" "00000002" "00000000" "00000000"
		"00000000" "00000000" "00000002" "00000000" "x\0" "hi\0\0"
		"070701" "00000000" "00000000" "00000000" "00000000"
		"00000001" "00000000" "00000000" "00000000" "00000000"
		"00000000" "00000000" "0000000B" "00000000"
		"TRAILER!!!\0\0\0\0";
	struct cpio c;
	uint8_t *out;
	size_t len;

	cpio_init(&c);
	assert_int_equal(cpio_add_file(&c, "/x", 0644, "hi", 2), 0);
	assert_int_equal(cpio_write(&c, 5, &out, &len), 0);
	/* 110 + "x\0" = 112; "hi" padded to 4; 110 + 11 padded to 124 */
	assert_int_equal(len, 112 + 4 + 124);
	assert_int_equal(len, sizeof(expected) - 1);
	assert_memory_equal(out, expected, len);
	free(out);
	cpio_free(&c);
}

static void build_sample(struct cpio *c, bool reversed)
{
	static const char data[] = "#!/bin/sh\n";

	cpio_init(c);
	if (!reversed) {
		assert_int_equal(cpio_add_file(c, "init", 0755, data, 10), 0);
		assert_int_equal(cpio_add_chardev(c, "dev/console", 0600, 5, 1),
				 0);
		assert_int_equal(cpio_add_dir(c, "proc", 0755), 0);
		assert_int_equal(cpio_add_file(c, "a/b/c.txt", 0644, "abcde",
					       5), 0);
		assert_int_equal(cpio_add_dir(c, "a/d", 0700), 0);
		return;
	}
	assert_int_equal(cpio_add_dir(c, "a/d", 0700), 0);
	assert_int_equal(cpio_add_file(c, "/a/b/c.txt", 0644, "abcde", 5), 0);
	assert_int_equal(cpio_add_dir(c, "proc", 0755), 0);
	assert_int_equal(cpio_add_chardev(c, "dev/console", 0600, 5, 1), 0);
	assert_int_equal(cpio_add_file(c, "init", 0755, data, 10), 0);
}

static void test_structure(void **state)
{
	static const struct {
		const char *name;
		uint32_t mode, nlink, size;
	} want[] = {
		{ "a", S_IFDIR | 0755, 4, 0 },	/* subdirectories b and d */
		{ "a/b", S_IFDIR | 0755, 2, 0 },
		{ "a/b/c.txt", S_IFREG | 0644, 1, 5 },
		{ "a/d", S_IFDIR | 0700, 2, 0 },
		{ "dev", S_IFDIR | 0755, 2, 0 },
		{ "dev/console", S_IFCHR | 0600, 1, 0 },
		{ "init", S_IFREG | 0755, 1, 10 },
		{ "proc", S_IFDIR | 0755, 2, 0 },
		{ "TRAILER!!!", 0, 1, 0 },
	};
	struct cpio c;
	struct member m;
	uint8_t *out;
	size_t len, off = 0, i = 0;

	build_sample(&c, false);
	assert_int_equal(cpio_write(&c, 1700000000, &out, &len), 0);
	while (read_member(out, len, &off, &m)) {
		assert_true(i < ARRAY_SIZE(want));
		assert_string_equal(m.name, want[i].name);
		assert_int_equal(m.mode, want[i].mode);
		assert_int_equal(m.nlink, want[i].nlink);
		assert_int_equal(m.size, want[i].size);
		assert_int_equal(m.uid, 0);
		assert_int_equal(m.gid, 0);
		if (i + 1 < ARRAY_SIZE(want)) {
			assert_int_equal(m.ino, i + 1);
			assert_int_equal(m.mtime, 1700000000);
		}
		if (streq(m.name, "dev/console")) {
			assert_int_equal(m.rmaj, 5);
			assert_int_equal(m.rmin, 1);
		}
		if (streq(m.name, "a/b/c.txt"))
			assert_memory_equal(m.data, "abcde", 5);
		i++;
	}
	assert_int_equal(i, ARRAY_SIZE(want));
	assert_int_equal(off, len);
	free(out);
	cpio_free(&c);
}

static void test_order_independent(void **state)
{
	struct cpio a, b;
	uint8_t *out_a, *out_b;
	size_t len_a, len_b;

	build_sample(&a, false);
	build_sample(&b, true);
	assert_int_equal(cpio_write(&a, 7, &out_a, &len_a), 0);
	assert_int_equal(cpio_write(&b, 7, &out_b, &len_b), 0);
	assert_int_equal(len_a, len_b);
	assert_memory_equal(out_a, out_b, len_a);
	free(out_a);
	free(out_b);
	cpio_free(&a);
	cpio_free(&b);
}

static void test_bad_paths(void **state)
{
	static const char *const bad[] = {
		"", "/", "//x", "a//b", "a/./b", "./a", "../x", "a/..",
		"a/", "a\nb", "a\x7f", "tab\there",
	};
	char deep[CPIO_DEPTH_MAX * 2 + 2], *longp;
	struct cpio c;

	cpio_init(&c);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(cpio_add_file(&c, bad[i], 0644, "", 0),
				 -EINVAL);
	assert_int_equal(cpio_add_dir(&c, "x", 010000), -EINVAL);
	assert_int_equal(cpio_add_file(&c, "x", 0644 | S_IFDIR, "", 0),
			 -EINVAL);
	for (size_t i = 0; i < CPIO_DEPTH_MAX + 1; i++)
		memcpy(deep + 2 * i, "d/", 2);
	deep[2 * CPIO_DEPTH_MAX + 1] = '\0';	/* DEPTH_MAX + 1 parts */
	assert_int_equal(cpio_add_dir(&c, deep, 0755), -EINVAL);
	deep[2 * CPIO_DEPTH_MAX - 1] = '\0';	/* exactly DEPTH_MAX */
	assert_int_equal(cpio_add_dir(&c, deep, 0755), 0);
	longp = malloc(CPIO_PATH_MAX + 2);
	memset(longp, 'p', CPIO_PATH_MAX + 1);
	longp[CPIO_PATH_MAX + 1] = '\0';
	assert_int_equal(cpio_add_dir(&c, longp, 0755), -EINVAL);
	longp[CPIO_PATH_MAX] = '\0';
	assert_int_equal(cpio_add_dir(&c, longp, 0755), 0);
	free(longp);
	assert_int_equal(c.count, 2);
	cpio_free(&c);
}

static void test_conflicts(void **state)
{
	struct cpio c;
	uint8_t *out = NULL;
	size_t len = 0;

	cpio_init(&c);
	assert_int_equal(cpio_add_file(&c, "etc/x", 0644, "1", 1), 0);
	assert_int_equal(cpio_add_file(&c, "/etc/x", 0644, "2", 1), 0);
	assert_int_equal(cpio_write(&c, 0, &out, &len), -EEXIST);
	assert_null(out);
	cpio_free(&c);

	assert_int_equal(cpio_add_file(&c, "etc", 0644, "1", 1), 0);
	assert_int_equal(cpio_add_file(&c, "etc/x", 0644, "2", 1), 0);
	assert_int_equal(cpio_write(&c, 0, &out, &len), -ENOTDIR);
	assert_null(out);
	cpio_free(&c);

	/* An explicit directory wins over the implied one. */
	assert_int_equal(cpio_add_file(&c, "etc/x", 0644, "2", 1), 0);
	assert_int_equal(cpio_add_dir(&c, "etc", 0700), 0);
	assert_int_equal(cpio_write(&c, 0, &out, &len), 0);
	assert_memory_equal(out + CPIO_HEADER_LEN, "etc", 4);
	assert_memory_equal(out + 14, "000041C0", 8);
	free(out);
	cpio_free(&c);
}

static void test_empty(void **state)
{
	struct cpio c;
	uint8_t *out;
	size_t len;

	cpio_init(&c);
	assert_int_equal(cpio_write(&c, 0, &out, &len), 0);
	assert_int_equal(len, 124);
	assert_memory_equal(out + CPIO_HEADER_LEN, "TRAILER!!!", 11);
	free(out);
	cpio_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_bytes),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
