/* SPDX-License-Identifier: MIT */
/*
 * A small deterministic JSON writer for the host tool: objects, arrays,
 * strings, integers, booleans and null, written compactly (no whitespace)
 * into a buffer that grows as needed. The same calls always give the same
 * bytes: members come in the order the caller writes them (nothing is
 * sorted; a duplicate key is an error, not dropped), integers are plain
 * decimal.
 *
 * Strings are escaped per RFC 8259 in one fixed way: '"' and '\\' with a
 * backslash; \b \f \n \r \t for those control characters; every other byte
 * below 0x20 as \u00xx (lowercase hex); everything else, UTF-8 included,
 * as is. A string that is not well-formed UTF-8 (overlong forms, encoded
 * surrogates, code points over U+10FFFF, truncated sequences) is refused,
 * since oci/json and every strict reader would refuse the document.
 *
 * Errors are sticky: after the first one every call does nothing, and
 * jsonw_finish() returns it. Usage:
 *
 *	struct jsonw w;
 *	jsonw_init(&w);
 *	jsonw_object_begin(&w);
 *	jsonw_key(&w, "size");
 *	jsonw_int(&w, 42);
 *	jsonw_object_end(&w);
 *	r = jsonw_finish(&w, &text, &len);	// text is the caller's to free
 *
 * Allocates (the output buffer, the keys of open objects); never logs.
 */
#ifndef OCIBOOT_JSONW_H
#define OCIBOOT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting depth; the same as oci/json's, so every output parses back. */
#define JSONW_DEPTH_MAX 32
/* Bytes of output; oci/json's JSON_INPUT_MAX, for the same reason. */
#define JSONW_OUTPUT_MAX (4u << 20)
/* Members in one object; oci/json's JSON_OBJECT_MEMBERS_MAX, likewise. */
#define JSONW_OBJECT_MEMBERS_MAX 1024

/* Where the written text of one key of an open object is, in buf. */
struct jsonw_key {
	size_t offset;			/* first byte after the '"' */
	size_t len;			/* escaped bytes, no quotes */
};

/* The writer. The caller owns it; its fields are private. */
struct jsonw {
	char *buf;			/* output, NUL-terminated, or NULL */
	size_t len;			/* bytes written, without the NUL */
	size_t cap;			/* bytes allocated */
	int err;			/* sticky: 0 or a negative code */
	unsigned int depth;		/* open containers */
	bool done;			/* the root value is complete */
	uint8_t frame[JSONW_DEPTH_MAX];	/* per container: see jsonw.c */
	/* the keys of every open object, innermost last */
	struct jsonw_key *keys;
	size_t nkeys;
	size_t keys_cap;
	size_t first_key[JSONW_DEPTH_MAX]; /* per container: its keys[] */
};

/* Start an empty document. Does not allocate. */
void jsonw_init(struct jsonw *w);

/*
 * Containers. In an object, each value must follow a jsonw_key(); in an
 * array or at the top, values follow each other. Ending a container that
 * is not open, or an object whose last key has no value, is -EINVAL;
 * opening one past JSONW_DEPTH_MAX is -OCIBOOT_ETOOBIG.
 */
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);

/*
 * The key of the next member of the open object (-EINVAL anywhere else,
 * or right after another key). key is NUL-terminated UTF-8. A key equal
 * to one the object already has is -EEXIST, compared as oci/json compares
 * keys (after unescaping, which for the one escaping written here is
 * byte equality), since oci/json refuses such an object. A member past
 * JSONW_OBJECT_MEMBERS_MAX is -OCIBOOT_ETOOBIG.
 */
void jsonw_key(struct jsonw *w, const char *key);

/* A string value: NUL-terminated, or len bytes (which may hold U+0000). */
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_string_len(struct jsonw *w, const char *s, size_t len);

void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

/*
 * A value given as JSON text, copied verbatim: for values read from a
 * document that oci/json accepted (json_raw()), kept as they were. The
 * caller vouches that json[0..len) is exactly one valid JSON value;
 * only len == 0 is refused (-EINVAL).
 */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);

/*
 * End the document. Returns 0 and hands the NUL-terminated output to the
 * caller (*out, to free(); *len bytes without the NUL), or returns the
 * sticky error: -ENOMEM, -EINVAL (misuse, or no complete root value),
 * -EILSEQ (a string not UTF-8), -EEXIST (a duplicate key in an object),
 * -OCIBOOT_ETOOBIG (over a cap); then *out
 * and *len are untouched. Either way the writer is left empty, as after
 * jsonw_init().
 */
int jsonw_finish(struct jsonw *w, char **out, size_t *len);

/* Drop the document (on an error path); the writer is left empty. */
void jsonw_free(struct jsonw *w);

#endif
