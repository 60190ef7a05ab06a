/* SPDX-License-Identifier: MIT */
/*
 * The table of limits three ways, which must agree: as compiled
 * (OCI_LIMITS()), as written in oci/limits.h (each "#define OCI_..._MAX
 * N" with a comment above it saying why, each in the table, in order) and
 * as docs/limits.md shows it (one row a limit: name, macro, value, why,
 * who). Run from the top of the tree, as `make check-unit` does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/util.h"
#include "oci/limits.h"

#define HEADER "oci/limits.h"
#define DOC "docs/limits.md"
#define TEXT_MAX 65536
#define FIELD_MAX 64

struct limit {
	const char *name, *macro;
	unsigned long value;
};

#define ROW(name, macro, description) { #name, #macro, (macro) },
static const struct limit table[] = { OCI_LIMITS(ROW) };

static char header[TEXT_MAX], doc[TEXT_MAX];

static void read_text(const char *path, char *buf)
{
	ssize_t n = fileio_read_text(AT_FDCWD, path, buf, TEXT_MAX, 0);

	if (n < 0)
		fail_msg("%s: %s (run from the top of the tree)", path,
			 ociboot_strerror((int)n));
}

static int setup(void **state)
{
	read_text(HEADER, header);
	read_text(DOC, doc);
	return 0;
}

/* The next line of *p (without its newline) into line[size]; false at end. */
static bool next_line(const char **p, char *line, size_t size)
{
	size_t n;

	if (**p == '\0')
		return false;
	n = strcspn(*p, "\n");
	snprintf(line, size, "%.*s", (int)n, *p);
	*p += n;
	if (**p == '\n')
		(*p)++;
	return true;
}

/* Index in table of macro, or -1. */
static int find_macro(const char *macro)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (streq(table[i].macro, macro))
			return (int)i;
	return -1;
}

/*
 * Every "#define OCI_*_MAX N" of the header: a plain decimal, a comment
 * just above it, in the table in the same order, with the same value.
 */
static void test_header(void **state)
{
	char line[256], prev[256] = "", macro[FIELD_MAX];
	const char *p = header;
	unsigned long value;
	size_t seen = 0;
	char end;

	while (next_line(&p, line, sizeof(line))) {
		if (sscanf(line, "#define %63s %lu%c", macro, &value,
			   &end) >= 2 && strncmp(macro, "OCI_", 4) == 0) {
			int i = find_macro(macro);

			if (i != (int)seen)
				fail_msg("%s: %s is row %d of OCI_LIMITS, "
					 "want %zu", HEADER, macro, i, seen);
			assert_int_equal(value, table[i].value);
			if (!strstr(prev, "*/"))
				fail_msg("%s: %s has no comment saying why",
					 HEADER, macro);
			seen++;
		}
		snprintf(prev, sizeof(prev), "%s", line);
	}
	assert_int_equal(seen, ARRAY_SIZE(table));
}

/* The cell after the (col)th '|' of a table row, trimmed, into out. */
static void cell(const char *row, int col, char out[FIELD_MAX])
{
	const char *s = row;
	size_t n;

	for (int i = 0; i <= col; i++) {
		s = strchr(s, '|');
		assert_non_null(s);
		s++;
	}
	s += strspn(s, " ");
	n = strcspn(s, "|");
	while (n > 0 && s[n - 1] == ' ')
		n--;
	snprintf(out, FIELD_MAX, "%.*s", (int)n, s);
}

/* docs/limits.md: one row a limit, in order, name, macro and value. */
static void test_doc(void **state)
{
	char line[2048], name[FIELD_MAX], macro[FIELD_MAX], value[FIELD_MAX];
	char want[FIELD_MAX];
	const char *p = doc;
	size_t row = 0;

	while (next_line(&p, line, sizeof(line))) {
		if (line[0] != '|' || strncmp(line, "| name ", 7) == 0 ||
		    strncmp(line, "|---", 4) == 0)
			continue;
		cell(line, 0, name);
		cell(line, 1, macro);
		cell(line, 2, value);
		if (row >= ARRAY_SIZE(table))
			fail_msg("%s: row '%s' is not in %s", DOC, name,
				 HEADER);
		if (!streq(name, table[row].name) ||
		    !streq(macro, table[row].macro))
			fail_msg("%s: row %zu is %s (%s), %s says %s (%s)",
				 DOC, row, name, macro, HEADER,
				 table[row].name, table[row].macro);
		snprintf(want, sizeof(want), "%lu", table[row].value);
		if (!streq(value, want))
			fail_msg("%s: %s is %s, %s says %s", DOC, name, value,
				 HEADER, want);
		cell(line, 3, value);	/* the why is not empty */
		assert_true(value[0] != '\0');
		row++;
	}
	if (row != ARRAY_SIZE(table))
		fail_msg("%s has %zu limits, %s %zu", DOC, row, HEADER,
			 ARRAY_SIZE(table));
}

/* Names are lowercase_with_underscores and unique. */
static void test_names(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const char *n = table[i].name;

		assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz_"),
				 strlen(n));
		for (size_t j = 0; j < i; j++)
			assert_false(streq(n, table[j].name));
	}
	assert_string_equal(LIMIT_STR(OCI_LAYERS_MAX), "127");
	assert_int_equal(LIMIT_DIGITS(126), 3);
	assert_int_equal(LIMIT_DIGITS(9), 1);
	assert_int_equal(LIMIT_DIGITS(10), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_doc),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
