/* SPDX-License-Identifier: MIT */
/*
 * Tests of oci/jsonw: a table of strings and their exact escaped form
 * (every control character, quotes, backslash, UTF-8 of each length passed
 * through, malformed UTF-8 refused), nesting, integers at their limits,
 * misuse and caps refused with sticky errors, byte-identical output for
 * identical calls, every output parsed back by oci/json, and every output
 * compared byte for byte with Python's json module (json.dumps with
 * ensure_ascii=False and compact separators, which escapes exactly as we
 * do) and checked by jq, when those are installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/json.h"
#include "oci/jsonw.h"
#include "lib/util.h"

#define TOKENS 4096	/* an object of JSONW_OBJECT_MEMBERS_MAX members */

static struct json_token tokens[TOKENS];

/* --- helpers -------------------------------------------------------------- */

static char *finish_ok(struct jsonw *w, size_t *len)
{
	char *out = NULL;
	int r = jsonw_finish(w, &out, len);

	assert_int_equal(r, 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), *len);	/* NUL-terminated, no NUL */
	return out;
}

static void expect_error(struct jsonw *w, int want)
{
	char *out = NULL;
	size_t len = 12345;

	assert_int_equal(jsonw_finish(w, &out, &len), want);
	assert_null(out);
	assert_int_equal(len, 12345);
	/* the writer is empty again and usable */
	assert_null(w->buf);
	assert_int_equal(w->err, 0);
}

/* The output must parse with oci/json. */
static void parses_back(const char *text, size_t len)
{
	struct error err;
	struct json_doc doc;
	int r = json_parse(&doc, text, len, tokens, TOKENS, &err);

	if (r < 0)
		print_error("oci/json refused %s: %s at %zu\n", text, err.why,
			    (size_t)err.offset);
	assert_true(r > 0);
}

/* --- strings -------------------------------------------------------------- */

struct string_case {
	const char *in;
	size_t len;
	const char *out;	/* NULL: refused with -EILSEQ */
};

#define S(lit) lit, sizeof(lit) - 1

static const struct string_case string_cases[] = {
	{ S(""), "\"\"" },
	{ S("abc"), "\"abc\"" },
	{ S("\""), "\"\\\"\"" },
	{ S("\\"), "\"\\\\\"" },
	{ S("a\"b\\c"), "\"a\\\"b\\\\c\"" },
	{ S("/"), "\"/\"" },
	{ S("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"" },
	{ S("\x01\x1f"), "\"\\u0001\\u001f\"" },
	{ S("\x0b\x1b"), "\"\\u000b\\u001b\"" },
	{ S("a\0b"), "\"a\\u0000b\"" },
	{ S("\x7f"), "\"\x7f\"" },
	{ S("caf\xc3\xa9"), "\"caf\xc3\xa9\"" },		/* U+00E9 */
	{ S("\xc2\x80"), "\"\xc2\x80\"" },			/* U+0080 */
	{ S("\xdf\xbf"), "\"\xdf\xbf\"" },			/* U+07FF */
	{ S("\xe0\xa0\x80"), "\"\xe0\xa0\x80\"" },		/* U+0800 */
	{ S("\xe2\x82\xac"), "\"\xe2\x82\xac\"" },		/* euro */
	{ S("\xe2\x80\xa8"), "\"\xe2\x80\xa8\"" },		/* U+2028 */
	{ S("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"" },		/* U+D7FF */
	{ S("\xee\x80\x80"), "\"\xee\x80\x80\"" },		/* U+E000 */
	{ S("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"" },		/* U+FFFF */
	{ S("\xf0\x90\x80\x80"), "\"\xf0\x90\x80\x80\"" },	/* U+10000 */
	{ S("\xf0\x9d\x84\x9e"), "\"\xf0\x9d\x84\x9e\"" },	/* G clef */
	{ S("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"" },	/* U+10FFFF */
	{ S("\n\xc3\xa9\""), "\"\\n\xc3\xa9\\\"\"" },
	/* malformed UTF-8 */
	{ S("\x80"), NULL },			/* lone continuation */
	{ S("\xbf"), NULL },
	{ S("\xc0\x80"), NULL },		/* overlong NUL */
	{ S("\xc1\xbf"), NULL },		/* overlong */
	{ S("\xe0\x80\x80"), NULL },		/* overlong */
	{ S("\xe0\x9f\xbf"), NULL },		/* overlong */
	{ S("\xed\xa0\x80"), NULL },		/* surrogate D800 */
	{ S("\xed\xbf\xbf"), NULL },		/* surrogate DFFF */
	{ S("\xf0\x80\x80\x80"), NULL },	/* overlong */
	{ S("\xf0\x8f\xbf\xbf"), NULL },	/* overlong */
	{ S("\xf4\x90\x80\x80"), NULL },	/* U+110000 */
	{ S("\xf5\x80\x80\x80"), NULL },
	{ S("\xf8\x88\x80\x80\x80"), NULL },
	{ S("\xfe"), NULL },
	{ S("\xff"), NULL },
	{ S("\xc3"), NULL },			/* truncated */
	{ S("\xe2\x82"), NULL },		/* truncated */
	{ S("\xf0\x9d\x84"), NULL },		/* truncated */
	{ S("\xc3\x28"), NULL },		/* bad continuation */
	{ S("\xe2\x28\xac"), NULL },
	{ S("\xe2\x82\x28"), NULL },
	{ S("ok\xc3"), NULL },
};

static void test_string_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(string_cases); i++) {
		const struct string_case *c = &string_cases[i];
		struct jsonw w;
		char *out;
		size_t len;

		jsonw_init(&w);
		jsonw_string_len(&w, c->in, c->len);
		if (!c->out) {
			expect_error(&w, -EILSEQ);
			continue;
		}
		out = finish_ok(&w, &len);
		if (!streq(out, c->out))
			print_error("case %zu: got %s want %s\n", i, out,
				    c->out);
		assert_string_equal(out, c->out);
		parses_back(out, len);
		free(out);
	}
}

/* Every byte below 0x20, alone, has one fixed escape. */
static void test_every_control_character(void **state)
{
	for (unsigned int c = 0; c < 0x20; c++) {
		const char *shorts = "\b\f\n\r\t";
		char in = (char)c, want[16];
		struct jsonw w;
		char *out;
		size_t len;

		if (c && strchr(shorts, (int)c))
			snprintf(want, sizeof(want), "\"\\%c\"",
				 "bfnrt"[strchr(shorts, (int)c) - shorts]);
		else
			snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		jsonw_init(&w);
		jsonw_string_len(&w, &in, 1);
		out = finish_ok(&w, &len);
		assert_string_equal(out, want);
		parses_back(out, len);
		free(out);
	}
}

/* What oci/json unescapes is what went in. */
static void test_strings_round_trip(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(string_cases); i++) {
		const struct string_case *c = &string_cases[i];
		char back[64];
		struct json_doc doc;
		struct jsonw w;
		char *out;
		size_t len;
		int r;

		if (!c->out || memchr(c->in, '\0', c->len))
			continue;
		jsonw_init(&w);
		jsonw_string_len(&w, c->in, c->len);
		out = finish_ok(&w, &len);
		assert_true(json_parse(&doc, out, len, tokens, TOKENS,
				       NULL) > 0);
		r = json_string(&doc, 0, back, sizeof(back));
		assert_int_equal(r, c->len);
		assert_memory_equal(back, c->in, c->len);
		free(out);
	}
}

/* --- documents ------------------------------------------------------------ */

/* A document using every call, in a fixed order. */
static char *sample(size_t *len)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "z");
	jsonw_int(&w, 1);
	jsonw_key(&w, "a");
	jsonw_array_begin(&w);
	jsonw_int(&w, INT64_MIN);
	jsonw_int(&w, INT64_MAX);
	jsonw_uint(&w, UINT64_MAX);
	jsonw_int(&w, 0);
	jsonw_int(&w, -1);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_null(&w);
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_string(&w, "s");
	jsonw_raw(&w, "{\"r\":[1,2]}", 11);
	jsonw_array_end(&w);
	jsonw_key(&w, "nested");
	jsonw_object_begin(&w);
	jsonw_key(&w, "k\n\"");
	jsonw_object_begin(&w);
	jsonw_key(&w, "");
	jsonw_string(&w, "\xe2\x82\xac");
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	return finish_ok(&w, len);
}

static const char sample_text[] =
	"{\"z\":1,\"a\":[-9223372036854775808,9223372036854775807,"
	"18446744073709551615,0,-1,true,false,null,[],{},\"s\","
	"{\"r\":[1,2]}],\"nested\":{\"k\\n\\\"\":{\"\":\"\xe2\x82\xac\"}}}";

static void test_document(void **state)
{
	size_t len;
	char *out = sample(&len);

	assert_string_equal(out, sample_text);
	parses_back(out, len);
	free(out);
}

static void test_deterministic(void **state)
{
	size_t len1, len2;
	char *a = sample(&len1), *b = sample(&len2);

	assert_int_equal(len1, len2);
	assert_memory_equal(a, b, len1);
	free(a);
	free(b);
}

static void test_scalar_roots(void **state)
{
	struct jsonw w;
	size_t len;
	char *out;

	jsonw_init(&w);
	jsonw_int(&w, 42);
	out = finish_ok(&w, &len);
	assert_string_equal(out, "42");
	free(out);
	jsonw_init(&w);
	jsonw_null(&w);
	out = finish_ok(&w, &len);
	assert_string_equal(out, "null");
	free(out);
}

/* Nesting to the cap works; one more is refused. */
static void test_depth(void **state)
{
	struct jsonw w;
	size_t len;
	char *out;

	jsonw_init(&w);
	for (int i = 0; i < JSONW_DEPTH_MAX; i++)
		jsonw_array_begin(&w);
	for (int i = 0; i < JSONW_DEPTH_MAX; i++)
		jsonw_array_end(&w);
	out = finish_ok(&w, &len);
	assert_int_equal(len, 2 * JSONW_DEPTH_MAX);
	assert_int_equal(JSONW_DEPTH_MAX, JSON_DEPTH_MAX);
	parses_back(out, len);
	free(out);

	jsonw_init(&w);
	for (int i = 0; i <= JSONW_DEPTH_MAX; i++) {
		jsonw_object_begin(&w);
		jsonw_key(&w, "k");
	}
	expect_error(&w, -OCIBOOT_ETOOBIG);
}

static void test_output_cap(void **state)
{
	size_t big = JSONW_OUTPUT_MAX;
	char *s = malloc(big);
	struct jsonw w;
	size_t len;
	char *out;

	assert_non_null(s);
	memset(s, 'a', big);
	jsonw_init(&w);
	/* with its quotes, exactly the cap */
	jsonw_string_len(&w, s, big - 2);
	out = finish_ok(&w, &len);
	assert_int_equal(len, JSONW_OUTPUT_MAX);
	free(out);
	jsonw_init(&w);
	jsonw_string_len(&w, s, big - 1);
	expect_error(&w, -OCIBOOT_ETOOBIG);
	free(s);
}

/* --- misuse --------------------------------------------------------------- */

enum step {
	END, OBJ, OBJ_END, ARR, ARR_END, KEY, STR, INT, RAW_EMPTY,
};

struct misuse_case {
	const char *name;
	enum step steps[8];
	int err;
};

static const struct misuse_case misuse_cases[] = {
	{ "nothing written", { END }, -EINVAL },
	{ "value without key", { OBJ, INT, OBJ_END, END }, -EINVAL },
	{ "key in an array", { ARR, KEY, ARR_END, END }, -EINVAL },
	{ "key at the top", { KEY, END }, -EINVAL },
	{ "two keys", { OBJ, KEY, KEY, END }, -EINVAL },
	{ "key without value", { OBJ, KEY, OBJ_END, END }, -EINVAL },
	{ "object closed as array", { OBJ, ARR_END, END }, -EINVAL },
	{ "array closed as object", { ARR, OBJ_END, END }, -EINVAL },
	{ "close at the top", { OBJ_END, END }, -EINVAL },
	{ "left open", { ARR, INT, END }, -EINVAL },
	{ "two roots", { INT, INT, END }, -EINVAL },
	{ "value after root", { ARR, ARR_END, STR, END }, -EINVAL },
	{ "empty raw", { ARR, RAW_EMPTY, ARR_END, END }, -EINVAL },
	/* sticky: the first error stays, later calls change nothing */
	{ "sticky", { ARR, KEY, ARR_END, INT, OBJ_END, END }, -EINVAL },
};

static void run_step(struct jsonw *w, enum step s)
{
	switch (s) {
	case OBJ: jsonw_object_begin(w); break;
	case OBJ_END: jsonw_object_end(w); break;
	case ARR: jsonw_array_begin(w); break;
	case ARR_END: jsonw_array_end(w); break;
	case KEY: jsonw_key(w, "k"); break;
	case STR: jsonw_string(w, "s"); break;
	case INT: jsonw_int(w, 7); break;
	case RAW_EMPTY: jsonw_raw(w, "", 0); break;
	case END: break;
	}
}

static void test_misuse(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(misuse_cases); i++) {
		const struct misuse_case *c = &misuse_cases[i];
		struct jsonw w;

		jsonw_init(&w);
		for (size_t s = 0; c->steps[s] != END; s++)
			run_step(&w, c->steps[s]);
		print_message("%s\n", c->name);
		expect_error(&w, c->err);
	}
}

static void test_sticky_utf8(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_array_begin(&w);
	jsonw_string(&w, "\xff");
	jsonw_string(&w, "fine");
	jsonw_array_end(&w);
	expect_error(&w, -EILSEQ);
	/* a bad key too */
	jsonw_init(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "\xc0\xaf");
	jsonw_int(&w, 1);
	jsonw_object_end(&w);
	expect_error(&w, -EILSEQ);
}

/* --- duplicate keys ------------------------------------------------------ */

struct duplicate_case {
	const char *keys[4];	/* the members of one object, NULL-ended */
	int err;		/* 0, or -EEXIST */
};

static const struct duplicate_case duplicate_cases[] = {
	{ { "", "", NULL }, -EEXIST },	/* fuzz: {"":null,"":""} */
	{ { "a", "b", "a", NULL }, -EEXIST },
	{ { "\n", "\n", NULL }, -EEXIST },	/* equal once escaped too */
	{ { "\x01", "\x01", NULL }, -EEXIST },	/* \u0001 both times */
	{ { "\xc3\xa9", "\xc3\xa9", NULL }, -EEXIST },
	{ { "a", "a\"", "a\\", NULL }, 0 },	/* a prefix is not the key */
	{ { "\n", "n", "\\n", NULL }, 0 },
	{ { "A", "a", NULL }, 0 },		/* case counts */
	{ { "e\xcc\x81", "\xc3\xa9", NULL }, 0 },	/* not normalised */
};

static void test_duplicate_key(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(duplicate_cases); i++) {
		const struct duplicate_case *c = &duplicate_cases[i];
		struct jsonw w;
		size_t len;
		char *out;

		jsonw_init(&w);
		jsonw_object_begin(&w);
		for (size_t k = 0; c->keys[k]; k++) {
			jsonw_key(&w, c->keys[k]);
			jsonw_null(&w);
		}
		jsonw_object_end(&w);
		if (c->err) {
			expect_error(&w, c->err);
			continue;
		}
		out = finish_ok(&w, &len);
		parses_back(out, len);
		free(out);
	}
}

/* Keys are unique per object: nested and sibling objects have their own. */
static void test_duplicate_key_scope(void **state)
{
	static const char want[] =
		"{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"k\":1},{\"k\":2}],"
		"\"k\":3}";
	struct jsonw w;
	size_t len;
	char *out;

	jsonw_init(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_int(&w, 1);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "b");
	jsonw_array_begin(&w);
	for (int i = 1; i <= 2; i++) {
		jsonw_object_begin(&w);
		jsonw_key(&w, "k");
		jsonw_int(&w, i);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "k");	/* the inner objects' "k" are forgotten */
	jsonw_int(&w, 3);
	jsonw_object_end(&w);
	out = finish_ok(&w, &len);
	assert_string_equal(out, want);
	parses_back(out, len);
	free(out);

	/* the outer object still knows its keys after an inner one ends */
	jsonw_init(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_object_begin(&w);
	jsonw_key(&w, "b");
	jsonw_int(&w, 1);
	jsonw_object_end(&w);
	jsonw_key(&w, "a");
	jsonw_int(&w, 2);
	jsonw_object_end(&w);
	expect_error(&w, -EEXIST);
}

/* As many members as oci/json takes, and not one more. */
static void test_object_members_cap(void **state)
{
	char key[16];
	struct jsonw w;
	size_t len;
	char *out;

	for (int extra = 0; extra <= 1; extra++) {
		jsonw_init(&w);
		jsonw_object_begin(&w);
		for (int i = 0; i < JSONW_OBJECT_MEMBERS_MAX + extra; i++) {
			snprintf(key, sizeof(key), "%d", i);
			jsonw_key(&w, key);
			jsonw_int(&w, i);
		}
		jsonw_object_end(&w);
		if (extra) {
			expect_error(&w, -OCIBOOT_ETOOBIG);
			continue;
		}
		out = finish_ok(&w, &len);
		parses_back(out, len);
		free(out);
	}
}

static void test_abandon(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_array_begin(&w);
	jsonw_string(&w, "abandoned");
	jsonw_free(&w);
	assert_null(w.buf);
	jsonw_int(&w, 1);
	jsonw_free(&w);
}

/* --- reference implementations -------------------------------------------- */

static const char python_filter[] =
	"import json,sys; "
	"d=sys.stdin.buffer.read().decode('utf-8'); "
	"sys.stdout.buffer.write(json.dumps(json.loads(d), "
	"ensure_ascii=False, separators=(',',':')).encode('utf-8'))";

static bool have(const char *tool)
{
	char command[128];

	snprintf(command, sizeof(command), "command -v %s >/dev/null 2>&1",
		 tool);
	return system(command) == 0;
}

/* Run command on text; its output into out[0..size). */
static size_t filter(const char *command, const char *text, size_t len,
		     char *out, size_t size)
{
	char in_path[] = "/tmp/jsonw_test.XXXXXX";
	char line[512];
	size_t n = 0;
	FILE *p;
	int fd = mkstemp(in_path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	snprintf(line, sizeof(line), "%s < %s", command, in_path);
	p = popen(line, "r");
	assert_non_null(p);
	n = fread(out, 1, size, p);
	assert_int_equal(pclose(p), 0);
	unlink(in_path);
	return n;
}

/* Every valid output of the tables, and the sample document. */
static size_t reference_outputs(char **outs, size_t max)
{
	size_t n = 0, len;

	for (size_t i = 0; i < ARRAY_SIZE(string_cases) && n < max; i++) {
		struct jsonw w;

		if (!string_cases[i].out)
			continue;
		jsonw_init(&w);
		jsonw_string_len(&w, string_cases[i].in, string_cases[i].len);
		outs[n++] = finish_ok(&w, &len);
	}
	for (unsigned int c = 0; c < 0x20 && n < max; c++) {
		char in = (char)c;
		struct jsonw w;

		jsonw_init(&w);
		jsonw_array_begin(&w);
		jsonw_string_len(&w, &in, 1);
		jsonw_array_end(&w);
		outs[n++] = finish_ok(&w, &len);
	}
	if (n < max)
		outs[n++] = sample(&len);
	return n;
}

static void test_against_python(void **state)
{
	char *outs[128], theirs[1024];
	size_t n, checked = 0;
	char command[sizeof(python_filter) + 32];

	if (!have("python3")) {
		print_message("python3 not found: comparison skipped\n");
		skip();
	}
	snprintf(command, sizeof(command), "python3 -c \"%s\"",
		 python_filter);
	n = reference_outputs(outs, ARRAY_SIZE(outs));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(outs[i]);
		size_t got = filter(command, outs[i], len, theirs,
				    sizeof(theirs));

		if (got != len || memcmp(theirs, outs[i], len) != 0)
			print_error("python3 writes %.*s for our %s\n",
				    (int)got, theirs, outs[i]);
		assert_int_equal(got, len);
		assert_memory_equal(theirs, outs[i], len);
		free(outs[i]);
		checked++;
	}
	print_message("%zu outputs byte-identical to python3's json\n",
		      checked);
}

static void test_against_jq(void **state)
{
	char *outs[128], theirs[1024];
	size_t n;

	if (!have("jq")) {
		print_message("jq not found: check skipped\n");
		skip();
	}
	n = reference_outputs(outs, ARRAY_SIZE(outs));
	for (size_t i = 0; i < n; i++) {
		filter("jq -e . > /dev/null && echo ok", outs[i],
		       strlen(outs[i]), theirs, sizeof(theirs));
		assert_memory_equal(theirs, "ok\n", 3);
		free(outs[i]);
	}
	print_message("%zu outputs accepted by jq\n", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_table),
		cmocka_unit_test(test_every_control_character),
		cmocka_unit_test(test_strings_round_trip),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_scalar_roots),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_sticky_utf8),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_duplicate_key_scope),
		cmocka_unit_test(test_object_members_cap),
		cmocka_unit_test(test_abandon),
		cmocka_unit_test(test_against_python),
		cmocka_unit_test(test_against_jq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
