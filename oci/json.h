/* SPDX-License-Identifier: MIT */
/*
 * A strict RFC 8259 JSON parser for untrusted input. json_parse() checks a
 * whole document from (buf, len) and describes it as a flat array of tokens
 * that the caller provides; nothing here allocates, recurses or logs.
 *
 * Refused: anything outside RFC 8259 (trailing bytes, a byte order mark,
 * leading zeros, NaN/Infinity, comments, trailing commas), malformed UTF-8
 * (overlong forms, surrogates, code points over U+10FFFF), control
 * characters inside strings, invalid escapes, unpaired UTF-16 surrogate
 * escapes, and an object with two keys that are equal once unescaped, since
 * such a document means different things to different readers. Depth, token
 * count, object size, number length and input size are capped below.
 *
 * Tokens are stored in document order: a container is followed by its
 * contents; an object's contents are key, value, key, value... (a key is a
 * JSON_STRING token and its value's token comes right after it). A token is
 * named by its index; index 0 is the root value.
 */
#ifndef OCIBOOT_JSON_H
#define OCIBOOT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define JSON_INPUT_MAX (4u << 20)	/* bytes in one document */
#define JSON_TOKENS_MAX (1u << 20)	/* tokens json_parse will use */
#define JSON_DEPTH_MAX 32		/* nested containers */
#define JSON_OBJECT_MEMBERS_MAX 1024	/* members in one object */
#define JSON_NUMBER_LEN_MAX 64		/* characters in one number */
/* Bytes of a path from json_path(), as an error's where holds it. */
#define JSON_PATH_MAX ERROR_WHERE_MAX
/*
 * Duplicate keys are found by comparing each key with the earlier keys of
 * its object that have the same 32-bit hash: code points compared in one
 * document, which only deliberately colliding keys come near.
 */
#define JSON_KEY_COMPARE_MAX (16u << 20)

enum json_type {
	JSON_NONE = 0,		/* not a token (an index out of range) */
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
};

/*
 * One value (or object key). The caller allocates arrays of these; read
 * them only through the functions below.
 */
struct json_token {
	uint8_t type;		/* enum json_type */
	uint8_t flags;		/* private */
	uint32_t start;		/* offset in the input of its first byte; for
				 * strings, of the first byte after the quote */
	uint32_t len;		/* bytes; strings: raw contents, no quotes */
	uint32_t parent;	/* index of the enclosing container */
	uint32_t end;		/* index one past the last token it contains */
	uint32_t aux;		/* containers: members or elements; strings:
				 * hash of the unescaped contents */
};

/* A parsed document: the input and the caller's tokens, both borrowed. */
struct json_doc {
	const char *buf;
	size_t len;
	const struct json_token *tokens;
	size_t count;		/* tokens used */
};

/*
 * Parse and check the whole document buf[0..len). tokens[0..max_tokens)
 * is scratch the caller owns; it must outlive doc (as must buf).
 * Returns the number of tokens used (>= 1) and fills *doc; on failure
 * returns -OCIBOOT_EMALFORMED (not valid or refused JSON) or
 * -OCIBOOT_ETOOBIG (a cap above, or max_tokens, exceeded), fills *err (if
 * not NULL) and leaves *doc untouched (tokens may have been written).
 * err gets no what (the caller knows the document) and:
 *   why     the reason, static text ("duplicate key in object");
 *   where   the path of the value it applies to ("$", "$.layers[2]"...;
 *           keys printable ASCII only (else '?'), long ones shortened
 *           with "...");
 *   offset  the byte offset in buf.
 */
int json_parse(struct json_doc *doc, const char *buf, size_t len,
	       struct json_token *tokens, size_t max_tokens,
	       struct error *err);

/* The type of token i; JSON_NONE when i is not below doc->count. */
enum json_type json_type(const struct json_doc *doc, int i);

/* Members of object i, or elements of array i; 0 for other tokens. */
size_t json_count(const struct json_doc *doc, int i);

/*
 * Iterate array i: the index of its first element and of the element after
 * element e, or -ENOENT at the end (and when i is not an array).
 */
int json_array_first(const struct json_doc *doc, int i);
int json_array_next(const struct json_doc *doc, int i, int e);

/*
 * Iterate object i: the index of its first key and of the key after key k,
 * or -ENOENT at the end (and when i is not an object). A key's value is
 * the token k + 1.
 */
int json_member_first(const struct json_doc *doc, int i);
int json_member_next(const struct json_doc *doc, int i, int k);

/*
 * The index of the value of member key (a NUL-terminated UTF-8 string,
 * compared with the unescaped key) in object i; -ENOENT when there is no
 * such member, -EINVAL when i is not an object.
 */
int json_object_get(const struct json_doc *doc, int i, const char *key);

/* True when string token i, unescaped, equals s (NUL-terminated). */
bool json_string_eq(const struct json_doc *doc, int i, const char *s);

/*
 * Unescape string token i into out[0..size) as NUL-terminated UTF-8.
 * Returns its length in bytes (without the NUL); -EINVAL when i is not a
 * string; -OCIBOOT_ETOOBIG when length + 1 > size; -OCIBOOT_EMALFORMED
 * when it contains U+0000 (a C string cannot hold it). out is written only
 * on success.
 */
int json_string(const struct json_doc *doc, int i, char *out, size_t size);

/*
 * Read number token i as an integer: no fraction or exponent, within the
 * range of the type ("-0" is 0 for int64 and refused for uint64).
 * Returns 0; -EINVAL when i is not a number or not an integer; -ERANGE when
 * out of range. *out is written only on success.
 */
int json_int64(const struct json_doc *doc, int i, int64_t *out);
int json_uint64(const struct json_doc *doc, int i, uint64_t *out);

/*
 * The bytes of token i in the input, *len of them: a number or literal as
 * written, a string's contents as written (escapes not decoded, no quotes),
 * a container from its bracket to its closing bracket. Untrusted bytes:
 * escape them before logging. NULL (and *len 0) when i is out of range.
 */
const char *json_raw(const struct json_doc *doc, int i, size_t *len);

/* 0 and *out for true/false tokens; -EINVAL for any other token. */
int json_bool(const struct json_doc *doc, int i, bool *out);

/*
 * Write the path of token i ("$" for the root, then ".key" and "[n]"
 * steps; for a key token, the path of its value) NUL-terminated into
 * out[0..size), shortened with "..." when it does not fit. size >= 4.
 */
void json_path(const struct json_doc *doc, int i, char *out, size_t size);

/*
 * Say where in doc a failure found by a caller that checks a document's
 * meaning (such as oci/oci) applies, after error_set(): err's where
 * becomes the path of token i (as json_path() writes it) and its offset
 * the token's. When key is not NULL, the path is that of the member key of
 * object i (which need not exist), e.g. for "required field is missing".
 * err may be NULL.
 */
void json_error_where(struct error *err, const struct json_doc *doc, int i,
		      const char *key);

/*
 * Check the keys of object i as Go's encoding/json sees them when it
 * decodes the object into a struct whose JSON field names are
 * fields[0..n) (ASCII). Go matches a key to a field ignoring case: ASCII
 * case, plus U+017F LATIN SMALL LETTER LONG S for 's' and U+212A KELVIN
 * SIGN for 'k' (the only other code points whose case folds reach ASCII),
 * and of several matching keys the last wins. So a document with "layers"
 * and "Layers" means one thing to a Go tool and could mean another here.
 * Refused with -OCIBOOT_EMALFORMED (err: why, and where: the key's path and
 * offset): a key that folds to one of fields without being exactly it, and
 * a key that folds to the same as an earlier key of the object. Keys are
 * folded only where folding can reach ASCII; two keys that differ only in
 * the case of other letters can match no ASCII field, so Go ignores them
 * as this reader does. -OCIBOOT_ETOOBIG if comparing keys of deliberately
 * colliding hashes would take over JSON_KEY_COMPARE_MAX code points;
 * -EINVAL when i is not an object. Uses about 8 KiB of stack.
 */
int json_check_struct_keys(const struct json_doc *doc, int i,
			   const char *const *fields, size_t n,
			   struct error *err);

#endif
