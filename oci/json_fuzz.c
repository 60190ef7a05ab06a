/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for oci/json. Every accepted document is walked through
 * every accessor, each object key must find its own value (keys are
 * unique), and the document is written back out from its decoded strings
 * and parsed again: the second parse must accept it and agree token by
 * token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/json.h"
#include "lib/util.h"

#define FUZZ_INPUT_MAX 65536
#define TOKENS 8192

static struct json_token tokens[TOKENS], tokens2[TOKENS];
static char text_out[6 * FUZZ_INPUT_MAX + 64];
static char decoded[FUZZ_INPUT_MAX + 1], decoded2[FUZZ_INPUT_MAX + 1];

#define CHECK(x) do { if (!(x)) abort(); } while (0)

struct writer {
	char *out;
	size_t n;
};

static void put(struct writer *w, const char *s, size_t len)
{
	CHECK(w->n + len <= sizeof(text_out));
	memcpy(w->out + w->n, s, len);
	w->n += len;
}

static void put_string(struct writer *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	put(w, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (c == '"' || c == '\\') {
			put(w, "\\", 1);
			put(w, s + i, 1);
		} else if (c < 0x20) {
			put(w, esc, sizeof(esc));
		} else {
			put(w, s + i, 1);
		}
	}
	put(w, "\"", 1);
}

struct level {
	int index;
	size_t emitted;
};

/* Write doc back out; false when a string holds U+0000 (not round-tripped
 * through a C string). */
static bool serialize(const struct json_doc *doc, struct writer *w)
{
	struct level stack[JSON_DEPTH_MAX + 1];
	size_t depth = 0;

	for (int i = 0; i < (int)doc->count; i++) {
		enum json_type type = json_type(doc, i);
		struct level *top;
		bool value_of_key;
		const char *raw;
		size_t raw_len;
		int len;

		while (depth > 0 &&
		       (size_t)i >= doc->tokens[stack[depth - 1].index].end) {
			depth--;
			put(w, json_type(doc, stack[depth].index) ==
			    JSON_OBJECT ? "}" : "]", 1);
		}
		top = depth ? &stack[depth - 1] : NULL;
		value_of_key = top && json_type(doc, top->index) ==
			       JSON_OBJECT && top->emitted % 2 == 1;
		if (top && top->emitted > 0 && !value_of_key)
			put(w, ",", 1);
		if (top)
			top->emitted++;
		switch (type) {
		case JSON_OBJECT:
		case JSON_ARRAY:
			CHECK(depth < ARRAY_SIZE(stack));
			stack[depth].index = i;
			stack[depth++].emitted = 0;
			put(w, type == JSON_OBJECT ? "{" : "[", 1);
			break;
		case JSON_STRING:
			len = json_string(doc, i, decoded, sizeof(decoded));
			if (len == -OCIBOOT_EMALFORMED)
				return false;
			CHECK(len >= 0);
			put_string(w, decoded, (size_t)len);
			break;
		case JSON_NUMBER:
			raw = json_raw(doc, i, &raw_len);
			put(w, raw, raw_len);
			break;
		case JSON_TRUE:
			put(w, "true", 4);
			break;
		case JSON_FALSE:
			put(w, "false", 5);
			break;
		case JSON_NULL:
			put(w, "null", 4);
			break;
		default:
			abort();
		}
		if (top && json_type(doc, top->index) == JSON_OBJECT &&
		    !value_of_key)
			put(w, ":", 1);
	}
	while (depth > 0) {
		depth--;
		put(w, json_type(doc, stack[depth].index) == JSON_OBJECT ?
		    "}" : "]", 1);
	}
	return true;
}

/*
 * The Go-style key check gives an answer for every object: refused keys
 * are malformed (or too much work), never another code.
 */
static void check_struct_keys(const struct json_doc *doc, int i)
{
	static const char *const fields[] = {
		"schemaVersion", "layers", "Entrypoint", "os.version",
	};
	struct error err;
	int r = json_check_struct_keys(doc, i, fields, ARRAY_SIZE(fields),
				       &err);

	CHECK(r == 0 || r == -OCIBOOT_EMALFORMED || r == -OCIBOOT_ETOOBIG);
	CHECK(r == 0 || err.where[0] == '$');
	CHECK(json_check_struct_keys(doc, -1, fields, 1, NULL) == -EINVAL);
}

static void walk(const struct json_doc *doc)
{
	char path[JSON_PATH_MAX];
	int64_t i64;
	uint64_t u64;
	bool b;

	for (int i = 0; i < (int)doc->count; i++) {
		enum json_type type = json_type(doc, i);
		size_t n = 0;

		json_path(doc, i, path, sizeof(path));
		CHECK(path[0] == '$' && strlen(path) < sizeof(path));
		if (type == JSON_NUMBER) {
			if (json_int64(doc, i, &i64) == 0 &&
			    json_uint64(doc, i, &u64) == 0)
				CHECK(i64 >= 0 && (uint64_t)i64 == u64);
		}
		if (type == JSON_TRUE || type == JSON_FALSE)
			CHECK(json_bool(doc, i, &b) == 0 &&
			      b == (type == JSON_TRUE));
		if (type == JSON_ARRAY) {
			for (int e = json_array_first(doc, i); e >= 0;
			     e = json_array_next(doc, i, e))
				n++;
			CHECK(n == json_count(doc, i));
		}
		if (type == JSON_OBJECT) {
			for (int k = json_member_first(doc, i); k >= 0;
			     k = json_member_next(doc, i, k)) {
				int len = json_string(doc, k, decoded,
						      sizeof(decoded));

				n++;
				CHECK(json_type(doc, k) == JSON_STRING);
				if (len >= 0)
					CHECK(json_object_get(doc, i,
							      decoded) ==
					      k + 1);
			}
			CHECK(n == json_count(doc, i));
			check_struct_keys(doc, i);
		}
	}
}

static void compare(const struct json_doc *a, const struct json_doc *b)
{
	CHECK(a->count == b->count);
	for (int i = 0; i < (int)a->count; i++) {
		int la, lb;

		CHECK(json_type(a, i) == json_type(b, i));
		CHECK(json_count(a, i) == json_count(b, i));
		if (json_type(a, i) != JSON_STRING)
			continue;
		la = json_string(a, i, decoded, sizeof(decoded));
		lb = json_string(b, i, decoded2, sizeof(decoded2));
		CHECK(la == lb && la >= 0);
		CHECK(memcmp(decoded, decoded2, (size_t)la) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc doc, doc2;
	struct error err;
	struct writer w = { text_out, 0 };

	if (size > FUZZ_INPUT_MAX)
		return 0;
	error_clear(&err);
	if (json_parse(&doc, (const char *)data, size, tokens, TOKENS,
		       &err) < 0) {
		CHECK(err.code < 0 && err.offset <= size);
		CHECK(err.where[0] == '$' &&
		      strlen(err.where) < sizeof(err.where));
		return 0;
	}
	walk(&doc);
	if (!serialize(&doc, &w))
		return 0;
	CHECK(json_parse(&doc2, w.out, w.n, tokens2, TOKENS, &err) > 0);
	compare(&doc, &doc2);
	return 0;
}
