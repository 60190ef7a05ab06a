/* SPDX-License-Identifier: MIT */
/*
 * The command-line parser: a table of argument vectors, each with what
 * cli_parse() must return and the one line it must say (options in every
 * spelling, required missing, unknown, duplicate, missing and unwanted
 * values, lists over their cap, a value refused by its parser, operands
 * and "--", a check hook); the help generated from the table; the exit
 * statuses; dispatch to subcommands; decimal values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "tool/cli.h"

#define ARGV_MAX 12

struct test_args {
	const char *output;
	bool force;
	struct cli_list items;
	const char *item_storage[2];
	long long number;
	int64_t when;
	bool checked;
};

static int set_number(void *args, const char *value, struct error *err)
{
	struct test_args *a = args;

	if (cli_parse_number(value, 0, 99, &a->number) < 0)
		return error_set(err, -EINVAL, NULL, "takes 0 to 99");
	return 0;
}

/* Refuses --number 13 with --force, to show the hook runs last. */
static int check(const struct cli_spec *spec, void *args)
{
	struct test_args *a = args;

	a->checked = true;
	if (a->force && a->number == 13)
		return cli_usage(spec, "--force and 13 do not mix");
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPTION_STRING("output", 'o', CLI_REQUIRED, "FILE",
			  "where it goes", struct test_args, output),
	CLI_OPTION_FLAG("force", 'f', "replace it", struct test_args, force),
	CLI_OPTION_LIST("item", 0, 0, "NAME", "an item",
			struct test_args, items),
	CLI_OPTION_CALL("number", 'n', 0, "N", "a number", set_number),
	CLI_OPTION_EPOCH("when", 0, 0, "a time", struct test_args, when),
};

static const struct cli_spec spec = {
	.prefix = "test cmd",
	.description = "Does nothing, carefully.\n",
	.options = options,
	.option_count = ARRAY_SIZE(options),
	.check = check,
};

static const struct cli_spec spec_one_file = {
	.prefix = "test file",
	.options = options,
	.option_count = ARRAY_SIZE(options),
	.operand = "FILE",
	.operands_min = 1,
	.operands_max = 1,
};

/* What a parse printed. */
struct output {
	char *out, *err;
	size_t out_len, err_len;
};

static FILE *saved_stdout, *saved_stderr;

static void capture_begin(struct output *o)
{
	memset(o, 0, sizeof(*o));
	saved_stdout = stdout;
	saved_stderr = stderr;
	stdout = open_memstream(&o->out, &o->out_len);
	stderr = open_memstream(&o->err, &o->err_len);
	assert_non_null(stdout);
	assert_non_null(stderr);
}

static void capture_end(void)
{
	fclose(stdout);
	fclose(stderr);
	stdout = saved_stdout;
	stderr = saved_stderr;
}

static void output_free(struct output *o)
{
	free(o->out);
	free(o->err);
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int parse(const struct cli_spec *s, const char *const *words,
		 struct test_args *a, int *first, struct output *o)
{
	char *argv[ARGV_MAX + 1] = { NULL };
	int argc = 0, r;

	while (words[argc]) {
		assert_true(argc < ARGV_MAX);
		argv[argc] = (char *)words[argc];
		argc++;
	}
	memset(a, 0, sizeof(*a));
	a->items.items = a->item_storage;
	a->items.cap = ARRAY_SIZE(a->item_storage);
	capture_begin(o);
	r = cli_parse(s, argc, argv, a, first);
	capture_end();
	return r;
}

struct usage_case {
	const char *argv[ARGV_MAX];
	const char *message;	/* the whole line before " (try ...)" */
};

static const struct usage_case usage_cases[] = {
	{ { "cmd", NULL }, "--output is required" },
	{ { "cmd", "--force", NULL }, "--output is required" },
	{ { "cmd", "-o", "x", "--bogus", NULL }, "unknown option '--bogus'" },
	{ { "cmd", "-o", "x", "--bogus=1", NULL },
	  "unknown option '--bogus=1'" },
	{ { "cmd", "-o", "x", "-z", NULL }, "unknown option '-z'" },
	{ { "cmd", "-o", "x", "-fz", NULL }, "unknown option '-z'" },
	{ { "cmd", "-o", "x", "--output", "y", NULL },
	  "--output given twice" },
	{ { "cmd", "-o", "x", "-f", "--force", NULL }, "--force given twice" },
	{ { "cmd", "--output", NULL }, "--output needs a value" },
	{ { "cmd", "-o", NULL }, "--output needs a value" },
	{ { "cmd", "-o", "x", "--number", NULL }, "--number needs a value" },
	{ { "cmd", "-o", "x", "--force=yes", NULL },
	  "--force takes no value" },
	{ { "cmd", "-o", "x", "--item", "a", "--item", "b", "--item", "c" },
	  "more than 2 --item" },
	{ { "cmd", "-o", "x", "--number", "100", NULL },
	  "--number '100': takes 0 to 99" },
	{ { "cmd", "-o", "x", "-n", "-1", NULL },
	  "--number '-1': takes 0 to 99" },
	{ { "cmd", "-o", "x", "--when", "soon", NULL },
	  "--when 'soon': takes Unix seconds" },
	{ { "cmd", "-o", "x", "--when=-1", NULL },
	  "--when '-1': takes Unix seconds" },
	{ { "cmd", "-o", "x", "--when", "2305843009213693952", NULL },
	  "--when '2305843009213693952': takes Unix seconds" },
	{ { "cmd", "-o", "x", "extra", NULL }, "unexpected argument 'extra'" },
	{ { "cmd", "-o", "x", "--", "-f", NULL }, "unexpected argument '-f'" },
	{ { "cmd", "--", "-o", "x", NULL }, "unexpected argument '-o'" },
	{ { "cmd", "-o", "x", "-f", "-n", "13", NULL },
	  "--force and 13 do not mix" },
};

static void test_usage_errors(void **state)
{
	char want[256];

	for (size_t i = 0; i < ARRAY_SIZE(usage_cases); i++) {
		const struct usage_case *c = &usage_cases[i];
		struct test_args a;
		struct output o;
		int r;

		r = parse(&spec, c->argv, &a, NULL, &o);
		snprintf(want, sizeof(want), "test cmd: %s (try 'test cmd "
			 "--help')\n", c->message);
		if (r != -EINVAL || !streq(o.err, want))
			fail_msg("case %zu: returned %d, said '%s', want '%s'",
				 i, r, o.err, want);
		assert_int_equal(o.out_len, 0);
		assert_int_equal(lines(o.err), 1);
		assert_int_equal(cli_exit_status(r), CLI_EXIT_USAGE);
		output_free(&o);
	}
}

static void test_accepted(void **state)
{
	static const char *const spellings[][ARGV_MAX] = {
		{ "cmd", "--output", "x", NULL },
		{ "cmd", "--output=x", NULL },
		{ "cmd", "-o", "x", NULL },
		{ "cmd", "-ox", NULL },
		{ "cmd", "--out", "x", NULL },	/* unambiguous prefix */
	};
	struct test_args a;
	struct output o;

	for (size_t i = 0; i < ARRAY_SIZE(spellings); i++) {
		assert_int_equal(parse(&spec, spellings[i], &a, NULL, &o), 0);
		assert_string_equal(a.output, "x");
		assert_false(a.force);
		assert_true(a.checked);
		assert_int_equal(o.err_len + o.out_len, 0);
		output_free(&o);
	}
	assert_int_equal(parse(&spec, (const char *const[]){ "cmd", "-fo", "y",
			 "--item", "a", "--item=b", "-n7", "--when",
			 "2305843009213693951", NULL }, &a, NULL, &o), 0);
	assert_string_equal(a.output, "y");
	assert_true(a.force);
	assert_int_equal(a.items.count, 2);
	assert_string_equal(a.items.items[0], "a");
	assert_string_equal(a.items.items[1], "b");
	assert_int_equal(a.number, 7);
	assert_int_equal(a.when, CLI_EPOCH_MAX);
	output_free(&o);
}

static void test_operands(void **state)
{
	struct test_args a;
	struct output o;
	int first = -1;

	/* options may follow the operand */
	assert_int_equal(parse(&spec_one_file, (const char *const[]){ "cmd",
			 "file", "-o", "x", NULL }, &a, &first, &o), 0);
	assert_int_equal(first, 3);
	output_free(&o);

	/* after "--" an option-looking word is the operand */
	assert_int_equal(parse(&spec_one_file, (const char *const[]){ "cmd",
			 "-o", "x", "--", "--force", NULL }, &a, &first, &o),
			 0);
	assert_false(a.force);
	output_free(&o);

	assert_int_equal(parse(&spec_one_file, (const char *const[]){ "cmd",
			 "-o", "x", NULL }, &a, &first, &o), -EINVAL);
	assert_string_equal(o.err, "test file: takes exactly one FILE (try "
			    "'test file --help')\n");
	output_free(&o);
	assert_int_equal(parse(&spec_one_file, (const char *const[]){ "cmd",
			 "-o", "x", "a", "b", NULL }, &a, &first, &o),
			 -EINVAL);
	assert_non_null(strstr(o.err, "takes exactly one FILE"));
	output_free(&o);
}

/* Every line of s at most 79 columns. */
static void assert_fits(const char *s)
{
	for (const char *end; *s; s = end + 1) {
		end = strchr(s, '\n');
		assert_non_null(end);
		assert_true(end - s <= 79);
	}
}

static void test_help(void **state)
{
	static const char *const helps[][ARGV_MAX] = {
		{ "cmd", "--help", NULL },
		{ "cmd", "-h", NULL },
		{ "cmd", "-o", "x", "--help", NULL },
	};
	struct test_args a;
	struct output o;

	for (size_t i = 0; i < ARRAY_SIZE(helps); i++) {
		assert_int_equal(parse(&spec, helps[i], &a, NULL, &o),
				 CLI_HELP_SHOWN);
		assert_int_equal(cli_exit_status(CLI_HELP_SHOWN),
				 CLI_EXIT_SUCCESS);
		assert_false(a.checked);
		assert_int_equal(o.err_len, 0);
		assert_string_equal(o.out,
			"usage: test cmd --output FILE [--force] "
			"[--item NAME]... [--number N]\n"
			"                [--when EPOCH]\n"
			"\n"
			"Does nothing, carefully.\n"
			"\n"
			"options:\n"
			"  -o, --output FILE         where it goes (required)\n"
			"  -f, --force               replace it\n"
			"      --item NAME           an item\n"
			"  -n, --number N            a number\n"
			"      --when EPOCH          a time\n"
			"  -h, --help                print this help\n");
		output_free(&o);
	}
}

/* A usage line too long for one line wraps under its first word. */
static void test_help_wraps(void **state)
{
	static const struct cli_option many[] = {
		CLI_OPTION_STRING("a-long-option-name", 0, 0, "VALUE", "one",
				  struct test_args, output),
		CLI_OPTION_STRING("another-long-option", 0, 0, "VALUE", "two",
				  struct test_args, output),
		CLI_OPTION_STRING("yet-another-option", 0, 0, "VALUE",
				  "three", struct test_args, output),
		CLI_OPTION_STRING("an-option-whose-name-is-too-long-to-align",
				  0, 0, "V", "four", struct test_args, output),
	};
	const struct cli_spec s = {
		.prefix = "test wrap",
		.options = many,
		.option_count = ARRAY_SIZE(many),
		.operand = "FILE",
		.operands_max = 3,
	};
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	cli_help(&s, f);
	fclose(f);
	assert_fits(text);
	assert_non_null(strstr(text, "usage: test wrap [--a-long-option-name "
			       "VALUE]"));
	assert_non_null(strstr(text, "\n                 [--yet-another"));
	assert_non_null(strstr(text, "[FILE...]\n"));
	assert_non_null(strstr(text, "  --an-option-whose-name-is-too-long-"
			       "to-align V\n"
			       "                            four\n"));
	free(text);
}

static void test_exit_status(void **state)
{
	assert_int_equal(cli_exit_status(0), CLI_EXIT_SUCCESS);
	assert_int_equal(cli_exit_status(CLI_HELP_SHOWN), CLI_EXIT_SUCCESS);
	assert_int_equal(cli_exit_status(-EINVAL), CLI_EXIT_USAGE);
	assert_int_equal(cli_exit_status(-ENOENT), CLI_EXIT_FAILURE);
	assert_int_equal(cli_exit_status(-OCIBOOT_EVERIFY), CLI_EXIT_FAILURE);
}

static int sub_argc;
static const char *sub_argv0;

static int sub_main(int argc, char **argv)
{
	sub_argc = argc;
	sub_argv0 = argv[0];
	return 7;
}

static int dispatch(const char *const *words, struct output *o)
{
	static const struct cli_command commands[] = {
		{ "one", sub_main, "the first" },
		{ "two", sub_main, "the second" },
	};
	char *argv[ARGV_MAX] = { NULL };
	int argc = 0, r;

	while (words[argc]) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	capture_begin(o);
	r = cli_dispatch("tool", commands, ARRAY_SIZE(commands), argc, argv);
	capture_end();
	return r;
}

static void test_dispatch(void **state)
{
	struct output o;

	assert_int_equal(dispatch((const char *const[]){ "tool", "two", "-x",
			 NULL }, &o), 7);
	assert_int_equal(sub_argc, 2);
	assert_string_equal(sub_argv0, "two");
	output_free(&o);

	assert_int_equal(dispatch((const char *const[]){ "tool", NULL }, &o),
			 CLI_EXIT_USAGE);
	assert_string_equal(o.err, "tool: missing command (try 'tool "
			    "--help')\n");
	output_free(&o);

	assert_int_equal(dispatch((const char *const[]){ "tool", "three",
			 NULL }, &o), CLI_EXIT_USAGE);
	assert_string_equal(o.err, "tool: unknown command 'three' (try 'tool "
			    "--help')\n");
	output_free(&o);

	assert_int_equal(dispatch((const char *const[]){ "tool", "--help",
			 NULL }, &o), CLI_EXIT_SUCCESS);
	assert_string_equal(o.out, "usage: tool COMMAND [OPTIONS]\n\n"
			    "commands:\n  one      the first\n"
			    "  two      the second\n\n"
			    "`tool COMMAND --help` describes each command.\n");
	output_free(&o);
}

static void test_numbers(void **state)
{
	static const struct {
		const char *s;
		long long min, max, want;	/* want -1: refused */
	} cases[] = {
		{ "0", 0, 10, 0 }, { "10", 0, 10, 10 }, { "11", 0, 10, -1 },
		{ "1", 2, 10, -1 }, { "007", 0, 10, 7 }, { "", 0, 10, -1 },
		{ "-1", 0, 10, -1 }, { "+1", 0, 10, -1 }, { " 1", 0, 10, -1 },
		{ "1 ", 0, 10, -1 }, { "0x1", 0, 10, -1 },
		{ "1e3", 0, 5000, -1 },
		{ "9223372036854775807", 0, INT64_MAX, INT64_MAX },
		{ "9223372036854775808", 0, INT64_MAX, -1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		long long v = -42;
		int r = cli_parse_number(cases[i].s, cases[i].min,
					 cases[i].max, &v);

		if (cases[i].want < 0) {
			assert_int_equal(r, -EINVAL);
			assert_int_equal(v, -42);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(v, cases[i].want);
		}
	}
}

static void test_source_date_epoch(void **state)
{
	long long v = -1;

	unsetenv("SOURCE_DATE_EPOCH");
	assert_int_equal(cli_source_date_epoch(100, &v), 0);
	assert_int_equal(v, 0);
	setenv("SOURCE_DATE_EPOCH", "", 1);
	assert_int_equal(cli_source_date_epoch(100, &v), 0);
	assert_int_equal(v, 0);
	setenv("SOURCE_DATE_EPOCH", "42", 1);
	assert_int_equal(cli_source_date_epoch(100, &v), 0);
	assert_int_equal(v, 42);
	setenv("SOURCE_DATE_EPOCH", "101", 1);
	assert_int_equal(cli_source_date_epoch(100, &v), -EINVAL);
	setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
	assert_int_equal(cli_source_date_epoch(100, &v), -EINVAL);
	assert_int_equal(v, 42);
	unsetenv("SOURCE_DATE_EPOCH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_help_wraps),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_source_date_epoch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
