/* SPDX-License-Identifier: MIT */
/*
 * Tests of oci/json: tables of documents that must parse and of documents
 * that must be refused with a given error and reason, every truncation of
 * valid documents, the caps, the accessors, error paths, and (when python3
 * is installed) the verdicts of Python's json module, made strict the same
 * way, on the tables and on every one- and two-byte string.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/json.h"
#include "lib/util.h"

#define TOKENS 4096

static struct json_token tokens[TOKENS];

/* A document of the tables: len 0 means strlen(text). */
struct doc_case {
	const char *text;
	size_t len;
	int err;		/* 0: must parse */
	const char *reason;	/* expected why of the error */
};

#define OK(s) { s, sizeof(s) - 1, 0, NULL }
#define BAD(s, e, r) { s, sizeof(s) - 1, -(e), r }

static const struct doc_case valid_cases[] = {
	OK("{}"), OK("[]"), OK("\"\""), OK("0"), OK("-0"), OK("1"), OK("-1"),
	OK("1.5"), OK("-1.5e10"), OK("1E+2"), OK("1e-2"), OK("0.0"),
	OK("0e0"), OK("-0.0E-0"), OK("true"), OK("false"), OK("null"),
	OK(" \t\r\n{ } \n"), OK("[ 1 , 2 ]"),
	OK("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}"),
	OK("[1,2,3]"), OK("[[[]]]"), OK("[{}]"), OK("{\"\":0}"),
	OK("{\"a\":{\"a\":{\"a\":1}}}"),
	OK("[{\"a\":1},{\"a\":1}]"),
	OK("{\"a\":\"b\",\"b\":\"a\"}"),
	OK("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""),
	OK("\"\\u0041\\u00e9\\u20AC\""),
	OK("\"\\uD83D\\uDE00\""), OK("\"\\udbff\\udfff\""),
	OK("\"\\u0000\""), OK("\"\\uFFFF\""),
	OK("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""),
	OK("\"\xf4\x8f\xbf\xbf\""), OK("\"\xef\xbf\xbf\""), OK("\"\x7f\""),
	OK("\"\xed\x9f\xbf\xee\x80\x80\""),
	OK("{\"a\":\"\\u0062\",\"b\":\"b\"}"),
	OK("{\"\\u00e9\":1,\"e\":2,\"\xc3\xa8\":3}"),
	OK("123456789012345678901234567890"), OK("1e400"), OK("-1e-400"),
	OK("{\"a\" : 1 , \"b\" : 2}"),
	OK("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
	   "manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd."
	   "oci.image.config.v1+json\",\"digest\":\"sha256:97a0b293df9c057f"
	   "98869069c57f09847dcf4c558facf8030ef151d1b4e1cee8\",\"size\":297"
	   "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v"
	   "1.tar+gzip\",\"digest\":\"sha256:29c031be132ad11a3befa720348ef5b"
	   "3f64e1bd735fc1747750687d265be6ccd\",\"size\":112}]}"),
};

static const struct doc_case invalid_cases[] = {
	BAD("", OCIBOOT_EMALFORMED, "empty document"),
	BAD(" ", OCIBOOT_EMALFORMED, "unexpected end of input"),
	BAD("{", OCIBOOT_EMALFORMED, "unexpected end of input"),
	BAD("[", OCIBOOT_EMALFORMED, "unexpected end of input"),
	BAD("{\"a\"", OCIBOOT_EMALFORMED, "':' was expected"),
	BAD("{\"a\":", OCIBOOT_EMALFORMED, "unexpected end of input"),
	BAD("{\"a\":1", OCIBOOT_EMALFORMED, "unexpected end of input"),
	BAD("{\"a\":1,}", OCIBOOT_EMALFORMED, "a string key was expected"),
	BAD("[1,]", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("[,1]", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("[1,,2]", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("[1 2]", OCIBOOT_EMALFORMED, "',' or ']' was expected"),
	BAD("[1}", OCIBOOT_EMALFORMED, "',' or ']' was expected"),
	BAD("{\"a\":1]", OCIBOOT_EMALFORMED, "',' or '}' was expected"),
	BAD("{\"a\" 1}", OCIBOOT_EMALFORMED, "':' was expected"),
	BAD("{\"a\"=1}", OCIBOOT_EMALFORMED, "':' was expected"),
	BAD("{\"a\":1 \"b\":2}", OCIBOOT_EMALFORMED,
	    "',' or '}' was expected"),
	BAD("{1:2}", OCIBOOT_EMALFORMED, "a string key was expected"),
	BAD("{a:2}", OCIBOOT_EMALFORMED, "a string key was expected"),
	BAD("{'a':2}", OCIBOOT_EMALFORMED, "a string key was expected"),
	BAD("'a'", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("]", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("[1]]", OCIBOOT_EMALFORMED, "unexpected data after the document"),
	BAD("{}{}", OCIBOOT_EMALFORMED, "unexpected data after the document"),
	BAD("1 2", OCIBOOT_EMALFORMED, "unexpected data after the document"),
	BAD("{}\0", OCIBOOT_EMALFORMED, "unexpected data after the document"),
	BAD("{} // c", OCIBOOT_EMALFORMED,
	    "unexpected data after the document"),
	BAD("/* c */ {}", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("\xef\xbb\xbf{}", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("\f{}", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("{}\v", OCIBOOT_EMALFORMED, "unexpected data after the document"),
	BAD("01", OCIBOOT_EMALFORMED, "leading zero in number"),
	BAD("-01", OCIBOOT_EMALFORMED, "leading zero in number"),
	BAD("00", OCIBOOT_EMALFORMED, "leading zero in number"),
	BAD("[007]", OCIBOOT_EMALFORMED, "leading zero in number"),
	BAD("-", OCIBOOT_EMALFORMED, "invalid number"),
	BAD("- 1", OCIBOOT_EMALFORMED, "invalid number"),
	BAD("+1", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD(".5", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("1.", OCIBOOT_EMALFORMED, "digit expected after decimal point"),
	BAD("1.e5", OCIBOOT_EMALFORMED, "digit expected after decimal point"),
	BAD("1e", OCIBOOT_EMALFORMED, "digit expected in exponent"),
	BAD("1e+", OCIBOOT_EMALFORMED, "digit expected in exponent"),
	BAD("1E-x", OCIBOOT_EMALFORMED, "digit expected in exponent"),
	BAD("0x10", OCIBOOT_EMALFORMED, "unexpected data after the document"),
	BAD("1.5.3", OCIBOOT_EMALFORMED,
	    "unexpected data after the document"),
	BAD("NaN", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("Infinity", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("-Infinity", OCIBOOT_EMALFORMED, "invalid number"),
	BAD("tru", OCIBOOT_EMALFORMED, "invalid literal"),
	BAD("nul", OCIBOOT_EMALFORMED, "invalid literal"),
	BAD("falsy", OCIBOOT_EMALFORMED, "invalid literal"),
	BAD("True", OCIBOOT_EMALFORMED, "a value was expected"),
	BAD("nulll", OCIBOOT_EMALFORMED, "unexpected data after the document"),
	BAD("\"abc", OCIBOOT_EMALFORMED, "unterminated string"),
	BAD("\"abc\\", OCIBOOT_EMALFORMED, "unterminated string"),
	BAD("\"\\x41\"", OCIBOOT_EMALFORMED, "invalid escape in string"),
	BAD("\"\\'\"", OCIBOOT_EMALFORMED, "invalid escape in string"),
	BAD("\"\\U0041\"", OCIBOOT_EMALFORMED, "invalid escape in string"),
	BAD("\"\\0\"", OCIBOOT_EMALFORMED, "invalid escape in string"),
	BAD("\"\\u12\"", OCIBOOT_EMALFORMED, "invalid \\u escape in string"),
	BAD("\"\\u12G4\"", OCIBOOT_EMALFORMED,
	    "invalid \\u escape in string"),
	BAD("\"\\u-123\"", OCIBOOT_EMALFORMED,
	    "invalid \\u escape in string"),
	BAD("\"\\uD800\"", OCIBOOT_EMALFORMED,
	    "unpaired UTF-16 surrogate escape in string"),
	BAD("\"\\uDC00\"", OCIBOOT_EMALFORMED,
	    "unpaired UTF-16 surrogate escape in string"),
	BAD("\"\\uDFFF\\uD800\"", OCIBOOT_EMALFORMED,
	    "unpaired UTF-16 surrogate escape in string"),
	BAD("\"\\uD800\\u0041\"", OCIBOOT_EMALFORMED,
	    "unpaired UTF-16 surrogate escape in string"),
	BAD("\"\\uD800x\"", OCIBOOT_EMALFORMED,
	    "unpaired UTF-16 surrogate escape in string"),
	BAD("\"\\uDBFF\\uDBFF\"", OCIBOOT_EMALFORMED,
	    "unpaired UTF-16 surrogate escape in string"),
	BAD("\"\\uD800\\n\"", OCIBOOT_EMALFORMED,
	    "unpaired UTF-16 surrogate escape in string"),
	BAD("\"a\tb\"", OCIBOOT_EMALFORMED, "control character in string"),
	BAD("\"a\nb\"", OCIBOOT_EMALFORMED, "control character in string"),
	BAD("\"\0\"", OCIBOOT_EMALFORMED, "control character in string"),
	BAD("\"\x1f\"", OCIBOOT_EMALFORMED, "control character in string"),
	BAD("\"\xc0\x80\"", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("\"\xc1\xbf\"", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("\"\xe0\x80\x80\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xe0\x9f\xbf\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xed\xa0\x80\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xed\xbf\xbf\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xf0\x8f\xbf\xbf\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xf4\x90\x80\x80\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xf5\x80\x80\x80\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xff\"", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("\"\xfe\"", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("\"\x80\"", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("\"\xbf\"", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("\"\xc3\"", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("\"\xe2\x82\"", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("\"\xf0\x9f\x98\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xc3\xa9\xa9\"", OCIBOOT_EMALFORMED,
	    "invalid UTF-8 in string"),
	BAD("\"\xc3", OCIBOOT_EMALFORMED, "invalid UTF-8 in string"),
	BAD("{\"a\":1,\"a\":2}", OCIBOOT_EMALFORMED,
	    "duplicate key in object"),
	BAD("{\"a\":1,\"\\u0061\":2}", OCIBOOT_EMALFORMED,
	    "duplicate key in object"),
	BAD("{\"\\/\":1,\"/\":2}", OCIBOOT_EMALFORMED,
	    "duplicate key in object"),
	BAD("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
	    OCIBOOT_EMALFORMED, "duplicate key in object"),
	BAD("{\"b\":{},\"a\":1,\"c\":[],\"a\":{}}", OCIBOOT_EMALFORMED,
	    "duplicate key in object"),
	BAD("{\"\":1,\"\":1}", OCIBOOT_EMALFORMED, "duplicate key in object"),
	BAD("[{\"x\":{\"y\":1,\"y\":1}}]", OCIBOOT_EMALFORMED,
	    "duplicate key in object"),
};

static int parse(const char *text, size_t len, struct json_doc *doc,
		 struct error *err)
{
	error_clear(err);
	return json_parse(doc, text, len, tokens, TOKENS, err);
}

static void test_valid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		const struct doc_case *c = &valid_cases[i];
		struct json_doc doc;
		struct error err;
		int r = parse(c->text, c->len, &doc, &err);

		if (r < 0)
			print_error("valid case %zu refused: %s at %zu (%s)\n",
				    i, err.why, (size_t)err.offset, err.where);
		assert_true(r >= 1);
		assert_int_equal(doc.count, (size_t)r);
		assert_ptr_equal(doc.buf, c->text);
		assert_int_equal(doc.len, c->len);
		assert_int_equal(err.code, 0);
	}
}

static void test_invalid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid_cases); i++) {
		const struct doc_case *c = &invalid_cases[i];
		struct json_doc doc = { .count = 12345 };
		struct error err;
		int r = parse(c->text, c->len, &doc, &err);

		if (r != c->err || !streq(err.why, c->reason))
			print_error("invalid case %zu: got %d '%s', want %d "
				    "'%s'\n", i, r,
				    err.why,
				    c->err, c->reason);
		assert_int_equal(r, c->err);
		assert_true(err.code < 0);
		assert_string_equal(err.why, c->reason);
		assert_true(err.offset <= c->len);
		assert_int_equal(err.where[0], '$');
		/* Output is written only on success. */
		assert_int_equal(doc.count, 12345);
	}
}

/* Every proper prefix of a document whose root is a container is invalid. */
static void test_truncation(void **state)
{
	size_t checked = 0;

	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		const struct doc_case *c = &valid_cases[i];
		char copy[1024];

		if (c->text[0] != '{' && c->text[0] != '[' &&
		    c->text[0] != '"')
			continue;
		assert_true(c->len <= sizeof(copy));
		for (size_t n = 0; n < c->len; n++) {
			struct json_doc doc;
			struct error err;
			int r;

			/* A copy, so ASan sees any read past n. */
			memcpy(copy + sizeof(copy) - n, c->text, n);
			r = parse(copy + sizeof(copy) - n, n, &doc, &err);
			if (r != -OCIBOOT_EMALFORMED)
				print_error("case %zu prefix %zu: %d\n", i, n,
					    r);
			assert_int_equal(r, -OCIBOOT_EMALFORMED);
			assert_true(err.code < 0);
			assert_true(err.offset <= n);
			checked++;
		}
	}
	assert_true(checked > 500);
}

/* "[[...]]" or {"k":{"k":...1}} nested depth deep, into buf. */
static size_t nested(char *buf, size_t size, size_t depth, char open,
		     char close)
{
	size_t n = 0;

	assert_true(6 * depth + 8 <= size);
	for (size_t i = 0; i < depth; i++) {
		buf[n++] = open;
		if (open == '{') {
			memcpy(buf + n, "\"k\":", 4);
			n += 4;
		}
	}
	if (open == '{')
		buf[n++] = '1';
	for (size_t i = 0; i < depth; i++)
		buf[n++] = close;
	return n;
}

static void test_depth_cap(void **state)
{
	char buf[2048];
	struct json_doc doc;
	struct error err;
	size_t n;

	n = nested(buf, sizeof(buf), JSON_DEPTH_MAX, '[', ']');
	assert_int_equal(parse(buf, n, &doc, &err), JSON_DEPTH_MAX);
	n = nested(buf, sizeof(buf), JSON_DEPTH_MAX + 1, '[', ']');
	assert_int_equal(parse(buf, n, &doc, &err), -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why, "JSON nested too deeply");
	assert_int_equal(err.offset, JSON_DEPTH_MAX);

	n = nested(buf, sizeof(buf), JSON_DEPTH_MAX, '{', '}');
	assert_true(parse(buf, n, &doc, &err) > 0);
	n = nested(buf, sizeof(buf), JSON_DEPTH_MAX + 1, '{', '}');
	assert_int_equal(parse(buf, n, &doc, &err), -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why, "JSON nested too deeply");

	/* Depth is about nesting, not about how many containers there are. */
	n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(buf + n, "%s[[]]", i ? "," : "[");
	buf[n++] = ']';
	assert_int_equal(parse(buf, n, &doc, &err), 401);
}

static void test_token_cap(void **state)
{
	static const char text[] = "[1,[2,3],{\"a\":\"b\"},null]";
	struct json_token few[9];
	struct json_doc doc;
	struct error err;

	/* [ 1 [ 2 3 ] { "a" "b" } null: 9 tokens. */
	assert_int_equal(json_parse(&doc, text, strlen(text), few, 9, &err),
			 9);
	assert_int_equal(json_parse(&doc, text, strlen(text), few, 8, &err),
			 -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why, "too many JSON tokens");
	assert_int_equal(json_parse(&doc, "1", 1, few, 0, &err),
			 -OCIBOOT_ETOOBIG);
}

static void test_members_cap(void **state)
{
	static char buf[JSON_OBJECT_MEMBERS_MAX * 16];
	static struct json_token many[2 * JSON_OBJECT_MEMBERS_MAX + 8];
	struct json_doc doc;
	struct error err;
	size_t n = 0;

	for (int i = 0; i < JSON_OBJECT_MEMBERS_MAX; i++)
		n += (size_t)sprintf(buf + n, "%s\"k%d\":0", i ? "," : "{", i);
	buf[n] = '}';
	assert_int_equal(json_parse(&doc, buf, n + 1, many, ARRAY_SIZE(many),
				    &err), 2 * JSON_OBJECT_MEMBERS_MAX + 1);
	assert_int_equal(json_count(&doc, 0), JSON_OBJECT_MEMBERS_MAX);
	assert_int_equal(json_type(&doc, json_object_get(&doc, 0, "k1023")),
			 JSON_NUMBER);
	n += (size_t)sprintf(buf + n, ",\"last\":0}");
	assert_int_equal(json_parse(&doc, buf, n, many, ARRAY_SIZE(many),
				    &err), -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why, "too many members in object");
	/* Arrays have no such cap, only the token count. */
	n = 0;
	for (int i = 0; i <= JSON_OBJECT_MEMBERS_MAX; i++)
		n += (size_t)sprintf(buf + n, "%s0", i ? "," : "[");
	buf[n++] = ']';
	assert_int_equal(json_parse(&doc, buf, n, many, ARRAY_SIZE(many),
				    &err), JSON_OBJECT_MEMBERS_MAX + 2);
	assert_int_equal(json_count(&doc, 0), JSON_OBJECT_MEMBERS_MAX + 1);
}

/* The parser's key hash (32-bit FNV-1a over code points), for making keys
 * collide on purpose. */
static uint32_t key_hash_step(uint32_t h, uint32_t cp)
{
	return (h ^ cp) * 16777619u;
}

static bool bmp_char(uint32_t cp)
{
	return cp >= 0x20 && cp <= 0xffff && (cp < 0xd800 || cp > 0xdfff);
}

/*
 * An object of n distinct keys with one hash: PREFIX_LEN 'k's, then three
 * \u escapes x, z, y chosen so that the hash ends the same. Returns its
 * length in buf.
 */
#define PREFIX_LEN 1000
static size_t colliding_keys(char *buf, size_t size, size_t n)
{
	uint32_t h = 2166136261u, target = 0;
	size_t len = 0, found = 0;

	for (int i = 0; i < PREFIX_LEN; i++)
		h = key_hash_step(h, 'k');
	buf[len++] = '{';
	for (uint32_t x = 0x100; found < n && x <= 0xffff; x++) {
		for (uint32_t z = 0x100; found < n && z <= 0xffff; z++) {
			uint32_t s, y;

			if (!bmp_char(x) || !bmp_char(z))
				continue;
			s = key_hash_step(key_hash_step(h, x), z);
			if (found == 0)
				target = s ^ 0x41;	/* y = 'A' first */
			y = s ^ target;
			if (!bmp_char(y))
				continue;
			assert_true(len + PREFIX_LEN + 32 < size);
			len += (size_t)sprintf(buf + len, "%s\"",
					       found ? "," : "");
			memset(buf + len, 'k', PREFIX_LEN);
			len += PREFIX_LEN;
			len += (size_t)sprintf(buf + len, "\\u%04x\\u%04x"
					       "\\u%04x\":0", x, z, y);
			found++;
		}
	}
	assert_int_equal(found, n);
	buf[len++] = '}';
	return len;
}

static void test_key_compare_cap(void **state)
{
	static char buf[400 << 10];
	struct json_doc doc;
	struct error err;
	size_t n;

	/* Distinct keys with equal hashes are not duplicates. */
	n = colliding_keys(buf, sizeof(buf), 20);
	assert_int_equal(parse(buf, n, &doc, &err), 41);
	for (int k = json_member_first(&doc, 0); k >= 0;
	     k = json_member_next(&doc, 0, k))
		assert_int_equal(doc.tokens[k].aux, doc.tokens[1].aux);
	/* Enough of them to exceed JSON_KEY_COMPARE_MAX. */
	n = colliding_keys(buf, sizeof(buf), 300);
	assert_true(300 * 299 / 2 * PREFIX_LEN > JSON_KEY_COMPARE_MAX);
	assert_int_equal(parse(buf, n, &doc, &err), -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why,
			    "too much work to check keys are unique");
}

static void test_number_and_input_caps(void **state)
{
	char num[JSON_NUMBER_LEN_MAX + 2];
	struct json_doc doc;
	struct error err;
	char *big;

	memset(num, '7', sizeof(num));
	num[0] = '-';
	assert_int_equal(parse(num, JSON_NUMBER_LEN_MAX, &doc, &err), 1);
	assert_int_equal(parse(num, JSON_NUMBER_LEN_MAX + 1, &doc, &err),
			 -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why, "number too long");

	big = malloc(JSON_INPUT_MAX + 1);
	assert_non_null(big);
	memset(big, ' ', JSON_INPUT_MAX + 1);
	big[0] = '0';
	assert_int_equal(parse(big, JSON_INPUT_MAX, &doc, &err), 1);
	assert_int_equal(parse(big, JSON_INPUT_MAX + 1, &doc, &err),
			 -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why, "JSON document too large");
	free(big);
}

/* Token layout, iteration and lookups on one document. */
static void test_structure(void **state)
{
	static const char text[] =
		"{\"a\":[1,{\"b\":null}],\"c\":\"x\",\"\\u0064\":[]}";
	static const enum json_type types[] = {
		JSON_OBJECT, JSON_STRING, JSON_ARRAY, JSON_NUMBER, JSON_OBJECT,
		JSON_STRING, JSON_NULL, JSON_STRING, JSON_STRING, JSON_STRING,
		JSON_ARRAY,
	};
	static const char *const paths[] = {
		"$", "$.a", "$.a", "$.a[0]", "$.a[1]", "$.a[1].b", "$.a[1].b",
		"$.c", "$.c", "$.d", "$.d",
	};
	struct json_doc doc;
	struct error err;
	char path[JSON_PATH_MAX];
	const char *raw;
	size_t n;
	int k, e, a;

	assert_int_equal(parse(text, strlen(text), &doc, &err), 11);
	for (int i = 0; i < 11; i++) {
		assert_int_equal(json_type(&doc, i), types[i]);
		json_path(&doc, i, path, sizeof(path));
		assert_string_equal(path, paths[i]);
	}
	assert_int_equal(json_type(&doc, 11), JSON_NONE);
	assert_int_equal(json_type(&doc, -1), JSON_NONE);
	assert_int_equal(json_count(&doc, 0), 3);
	assert_int_equal(json_count(&doc, 2), 2);
	assert_int_equal(json_count(&doc, 4), 1);
	assert_int_equal(json_count(&doc, 10), 0);
	assert_int_equal(json_count(&doc, 3), 0);

	k = json_member_first(&doc, 0);
	assert_int_equal(k, 1);
	assert_true(json_string_eq(&doc, k, "a"));
	k = json_member_next(&doc, 0, k);
	assert_int_equal(k, 7);
	assert_true(json_string_eq(&doc, k, "c"));
	k = json_member_next(&doc, 0, k);
	assert_int_equal(k, 9);
	assert_true(json_string_eq(&doc, k, "d"));
	assert_int_equal(json_member_next(&doc, 0, k), -ENOENT);
	assert_int_equal(json_member_first(&doc, 2), -ENOENT);

	a = json_object_get(&doc, 0, "a");
	assert_int_equal(a, 2);
	e = json_array_first(&doc, a);
	assert_int_equal(e, 3);
	e = json_array_next(&doc, a, e);
	assert_int_equal(e, 4);
	assert_int_equal(json_array_next(&doc, a, e), -ENOENT);
	assert_int_equal(json_array_first(&doc, 10), -ENOENT);
	assert_int_equal(json_array_first(&doc, 0), -ENOENT);

	assert_int_equal(json_object_get(&doc, 0, "d"), 10);
	assert_int_equal(json_object_get(&doc, 0, "b"), -ENOENT);
	assert_int_equal(json_object_get(&doc, 0, "a\xff"), -ENOENT);
	assert_int_equal(json_object_get(&doc, 0, ""), -ENOENT);
	assert_int_equal(json_object_get(&doc, 4, "b"), 6);
	assert_int_equal(json_object_get(&doc, 2, "b"), -EINVAL);
	assert_false(json_string_eq(&doc, 8, "xx"));
	assert_false(json_string_eq(&doc, 8, ""));
	assert_true(json_string_eq(&doc, 8, "x"));
	assert_false(json_string_eq(&doc, 3, "1"));

	raw = json_raw(&doc, 9, &n);
	assert_int_equal(n, 6);
	assert_memory_equal(raw, "\\u0064", 6);
	raw = json_raw(&doc, 2, &n);
	assert_int_equal(n, 14);
	assert_memory_equal(raw, "[1,{\"b\":null}]", 14);
	raw = json_raw(&doc, 3, &n);
	assert_int_equal(n, 1);
	assert_int_equal(raw[0], '1');
	assert_null(json_raw(&doc, 11, &n));
	assert_int_equal(n, 0);
}

struct string_case {
	const char *json;
	const char *value;	/* NULL: refused with err */
	int err;
};

static void test_strings(void **state)
{
	static const struct string_case cases[] = {
		{ "\"abc\"", "abc", 0 },
		{ "\"\"", "", 0 },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 0 },
		{ "\"\\u00e9\"", "\xc3\xa9", 0 },
		{ "\"\\u20AC\"", "\xe2\x82\xac", 0 },
		{ "\"\\uD83D\\uDE00!\"", "\xf0\x9f\x98\x80!", 0 },
		{ "\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 0 },
		{ "\"\\u007f\\u0080\\u07ff\\u0800\"",
		  "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80", 0 },
		{ "\"\xc3\xa9t\xc3\xa9\"", "\xc3\xa9t\xc3\xa9", 0 },
		{ "\"a\\u0000b\"", NULL, -OCIBOOT_EMALFORMED },
		{ "1", NULL, -EINVAL },
		{ "null", NULL, -EINVAL },
	};
	struct json_doc doc;
	struct error err;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct string_case *c = &cases[i];
		char out[64];

		memset(out, 'Z', sizeof(out));
		assert_int_equal(parse(c->json, strlen(c->json), &doc, &err),
				 1);
		if (!c->value) {
			assert_int_equal(json_string(&doc, 0, out,
						     sizeof(out)), c->err);
			assert_int_equal(out[0], 'Z');
			continue;
		}
		assert_int_equal(json_string(&doc, 0, out, sizeof(out)),
				 (int)strlen(c->value));
		assert_string_equal(out, c->value);
		assert_true(json_string_eq(&doc, 0, c->value));
		/* Exactly enough room, then one byte short. */
		memset(out, 'Z', sizeof(out));
		assert_int_equal(json_string(&doc, 0, out,
					     strlen(c->value) + 1),
				 (int)strlen(c->value));
		assert_string_equal(out, c->value);
		memset(out, 'Z', sizeof(out));
		assert_int_equal(json_string(&doc, 0, out, strlen(c->value)),
				 -OCIBOOT_ETOOBIG);
		assert_int_equal(out[0], 'Z');
	}
	/* A string holding U+0000 never equals a C string. */
	assert_int_equal(parse("\"a\\u0000\"", 9, &doc, &err), 1);
	assert_false(json_string_eq(&doc, 0, "a"));
}

struct integer_case {
	const char *json;
	int err;
	int64_t value;
};

static void test_int64(void **state)
{
	static const struct integer_case cases[] = {
		{ "0", 0, 0 }, { "-0", 0, 0 }, { "42", 0, 42 },
		{ "-42", 0, -42 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "-9223372036854775808", 0, INT64_MIN },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "-9223372036854775809", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "1.0", -EINVAL, 0 }, { "1e2", -EINVAL, 0 },
		{ "-0.0", -EINVAL, 0 }, { "\"1\"", -EINVAL, 0 },
		{ "true", -EINVAL, 0 }, { "[1]", -EINVAL, 0 },
	};
	struct json_doc doc;
	struct error err;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t v = 777;

		assert_true(parse(cases[i].json, strlen(cases[i].json), &doc,
				  &err) > 0);
		assert_int_equal(json_int64(&doc, 0, &v), cases[i].err);
		assert_true(v == (cases[i].err ? 777 : cases[i].value));
	}
}

static void test_uint64(void **state)
{
	static const struct {
		const char *json;
		int err;
		uint64_t value;
	} cases[] = {
		{ "0", 0, 0 }, { "7", 0, 7 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "-1", -ERANGE, 0 }, { "-0", -ERANGE, 0 },
		{ "1.5", -EINVAL, 0 }, { "null", -EINVAL, 0 },
	};
	struct json_doc doc;
	struct error err;
	bool b = false;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 777;

		assert_true(parse(cases[i].json, strlen(cases[i].json), &doc,
				  &err) > 0);
		assert_int_equal(json_uint64(&doc, 0, &v), cases[i].err);
		assert_true(v == (cases[i].err ? 777 : cases[i].value));
	}
	assert_int_equal(parse("[true,false,0]", 14, &doc, &err), 4);
	assert_int_equal(json_bool(&doc, 1, &b), 0);
	assert_true(b);
	assert_int_equal(json_bool(&doc, 2, &b), 0);
	assert_false(b);
	assert_int_equal(json_bool(&doc, 3, &b), -EINVAL);
	assert_int_equal(json_bool(&doc, 0, &b), -EINVAL);
	assert_int_equal(json_int64(&doc, 99, &(int64_t){ 0 }), -EINVAL);
}

struct path_case {
	const char *text;
	const char *path;
	size_t offset;
	const char *reason;
};

static void test_error_paths(void **state)
{
	static const struct path_case cases[] = {
		{ "{\"a\":[1,2,{\"b\":tru}]}", "$.a[2].b", 15,
		  "invalid literal" },
		{ "{\"layers\":[{\"x\":1},{\"digest\":\"\\uZZZZ\"}]}",
		  "$.layers[1].digest", 30, "invalid \\u escape in string" },
		{ "{\"a\":{\"b\":1,\"b\":2}}", "$.a.b", 12,
		  "duplicate key in object" },
		{ "[0,[1,[2,[3,01]]]]", "$[1][1][1][1]", 13,
		  "leading zero in number" },
		{ "{\"a\":[1 2]}", "$.a", 8, "',' or ']' was expected" },
		{ "{\"k\\u0001\\u00e9\":x}", "$.k??", 17,
		  "a value was expected" },
		{ "{\"a\":1,\"b\" 2}", "$.b", 11, "':' was expected" },
		{ "{\"0123456789012345678901234567890123456789012345678901"
		  "234567890123xyz\":-}", "$.012345678901234567890123456789"
		  "0123456789012345678901234567890123...", 72,
		  "invalid number" },
		{ "[]]", "$", 2, "unexpected data after the document" },
		{ "{\"a\":{\"b\\x\":1}}", "$.a", 8,
		  "invalid escape in string" },
		{ "x", "$", 0, "a value was expected" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct json_doc doc;
		struct error err;

		assert_true(parse(cases[i].text, strlen(cases[i].text), &doc,
				  &err) < 0);
		assert_string_equal(err.why, cases[i].reason);
		assert_string_equal(err.where, cases[i].path);
		assert_int_equal(err.offset, cases[i].offset);
	}
}

static void test_path_truncation(void **state)
{
	char text[512], path[JSON_PATH_MAX], small[8];
	struct json_doc doc;
	struct error err;
	size_t n = 0;
	int r;

	for (int i = 0; i < 30; i++)
		n += (size_t)sprintf(text + n, "{\"key%02d\":", i);
	n += (size_t)sprintf(text + n, "1");
	for (int i = 0; i < 30; i++)
		text[n++] = '}';
	r = parse(text, n, &doc, &err);
	assert_int_equal(r, 61);
	json_path(&doc, 60, path, sizeof(path));
	assert_int_equal(strlen(path), sizeof(path) - 1);
	assert_string_equal(path + sizeof(path) - 4, "...");
	assert_memory_equal(path, "$.key00.key01.", 14);
	json_path(&doc, 60, small, sizeof(small));
	assert_string_equal(small, "$.ke...");
	json_path(&doc, 0, small, sizeof(small));
	assert_string_equal(small, "$");

	error_set(&err, -OCIBOOT_EMALFORMED, NULL, "missing");
	json_error_where(&err, &doc, 2, "digest");
	assert_string_equal(err.where, "$.key00.digest");
	assert_string_equal(err.why, "missing");
	assert_int_equal(err.offset, 9);
	assert_int_equal(err.code, -OCIBOOT_EMALFORMED);
	json_error_where(&err, &doc, 0, "a\x01" "b");
	assert_string_equal(err.where, "$.a?b");
	json_error_where(NULL, &doc, 0, NULL);
}

/* --- comparison with Python's json module --------------------------------- */

static const char python_script[] =
	"import json, sys\n"
	"def pairs(ps):\n"
	"    seen = set()\n"
	"    for k, _ in ps:\n"
	"        if k in seen: raise ValueError('duplicate')\n"
	"        seen.add(k)\n"
	"    return dict(ps)\n"
	"def constant(name): raise ValueError(name)\n"
	"def check(v):\n"
	"    todo = [v]\n"
	"    while todo:\n"
	"        x = todo.pop()\n"
	"        if isinstance(x, str): x.encode('utf-8')\n"
	"        elif isinstance(x, dict):\n"
	"            for k, y in x.items():\n"
	"                k.encode('utf-8'); todo.append(y)\n"
	"        elif isinstance(x, list): todo.extend(x)\n"
	"out = []\n"
	"for line in open(sys.argv[1]):\n"
	"    try:\n"
	"        text = bytes.fromhex(line.strip()).decode('utf-8')\n"
	"        check(json.loads(text, object_pairs_hook=pairs,\n"
	"                         parse_constant=constant))\n"
	"        out.append('1')\n"
	"    except Exception:\n"
	"        out.append('0')\n"
	"sys.stdout.write(''.join(out) + '\\n')\n";

struct corpus {
	FILE *f;
	char *verdicts;		/* ours, '1' accepted / '0' refused */
	size_t n, cap;
	const char **texts;	/* for messages; NULL for generated ones */
};

static void corpus_add(struct corpus *c, const char *text, size_t len,
		       const char *label)
{
	struct json_doc doc;
	struct error err;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->verdicts = realloc(c->verdicts, c->cap);
		c->texts = realloc(c->texts, c->cap * sizeof(*c->texts));
		assert_non_null(c->verdicts);
		assert_non_null(c->texts);
	}
	c->verdicts[c->n] = parse(text, len, &doc, &err) >= 0 ? '1' : '0';
	c->texts[c->n++] = label;
	for (size_t i = 0; i < len; i++)
		fprintf(c->f, "%02x", (unsigned char)text[i]);
	fputc('\n', c->f);
}

static void corpus_fill(struct corpus *c)
{
	char s[8];

	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		const struct doc_case *d = &valid_cases[i];

		corpus_add(c, d->text, d->len, d->text);
		for (size_t n = 0; n < d->len; n++)
			corpus_add(c, d->text, n, NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(invalid_cases); i++)
		corpus_add(c, invalid_cases[i].text, invalid_cases[i].len,
			   invalid_cases[i].text);
	/* Every one-byte document, every one- and two-byte string. */
	for (int a = 0; a < 256; a++) {
		s[0] = (char)a;
		corpus_add(c, s, 1, NULL);
		s[0] = '"', s[1] = (char)a, s[2] = '"';
		corpus_add(c, s, 3, NULL);
		s[1] = '\\';
		s[2] = (char)a, s[3] = '"';
		corpus_add(c, s, 4, NULL);
		for (int b = 0; b < 256; b++) {
			s[1] = (char)a, s[2] = (char)b, s[3] = '"';
			corpus_add(c, s, 4, NULL);
		}
	}
	/* Three- and four-byte sequences around every boundary. */
	for (int a = 0xe0; a <= 0xf5; a++)
		for (int b = 0x7f; b <= 0xc0; b++)
			for (int d = 0; d < 3; d++) {
				static const char last[] = { '\x7f', '\x80',
							      '\xbf' };

				s[0] = '"', s[1] = (char)a, s[2] = (char)b;
				s[3] = last[d], s[4] = '\x80', s[5] = '"';
				corpus_add(c, s, 5, NULL);
				s[4] = last[d];
				corpus_add(c, s, 6, NULL);
			}
}

static void test_against_python(void **state)
{
	char dir[] = "/tmp/json_test.XXXXXX", data[64], script[64];
	char command[256];
	struct corpus c = { 0 };
	size_t disagree = 0;
	FILE *f, *out;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	if (system("command -v python3 >/dev/null 2>&1") != 0) {
		print_message("python3 not found: comparison skipped\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(data, sizeof(data), "%s/cases", dir);
	snprintf(script, sizeof(script), "%s/check.py", dir);
	f = fopen(script, "we");
	assert_non_null(f);
	fputs(python_script, f);
	assert_int_equal(fclose(f), 0);
	c.f = fopen(data, "we");
	assert_non_null(c.f);
	corpus_fill(&c);
	assert_int_equal(fclose(c.f), 0);

	snprintf(command, sizeof(command), "python3 %s %s", script, data);
	out = popen(command, "re");
	assert_non_null(out);
	len = getline(&line, &size, out);
	assert_int_equal(pclose(out), 0);
	assert_int_equal((size_t)len, c.n + 1);
	for (size_t i = 0; i < c.n; i++) {
		if (line[i] == c.verdicts[i])
			continue;
		disagree++;
		print_error("python %s, we %s: case %zu %s\n",
			    line[i] == '1' ? "accepts" : "refuses",
			    c.verdicts[i] == '1' ? "accept" : "refuse", i,
			    c.texts[i] ? c.texts[i] : "(generated)");
	}
	print_message("%zu documents compared with python3's json module\n",
		      c.n);
	unlink(data);
	unlink(script);
	rmdir(dir);
	free(line);
	free(c.verdicts);
	free(c.texts);
	assert_int_equal(disagree, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_token_cap),
		cmocka_unit_test(test_members_cap),
		cmocka_unit_test(test_number_and_input_caps),
		cmocka_unit_test(test_key_compare_cap),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_uint64),
		cmocka_unit_test(test_error_paths),
		cmocka_unit_test(test_path_truncation),
		cmocka_unit_test(test_against_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
