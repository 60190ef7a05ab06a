/* SPDX-License-Identifier: MIT */
/*
 * Hexadecimal text to and from bytes.
 *
 * The one rule for upper case: everything this project writes is lowercase
 * (OCI digests, dm-verity root hashes and salts, UUIDs, JSON escapes), and
 * the plain decoders accept lowercase only, as OCI digests require, so a
 * digest has exactly one spelling. Text a person or another format may
 * write in either case (a --salt on the command line, a JSON \u escape, a
 * UUID in a certificate subject or an oci= reference) goes through the
 * *_any_case variants, named so at every call. hex_encode_upper() exists
 * for the one output format that wants upper case (RFC 4514 escapes in a
 * distinguished name, as OpenSSL prints them).
 *
 * Nothing here allocates or logs; the caller owns every buffer.
 */
#ifndef OCIBOOT_LIB_HEX_H
#define OCIBOOT_LIB_HEX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Largest input hex_decode() takes: decoded lengths fit an ssize_t. */
#define HEX_DECODE_MAX ((size_t)SSIZE_MAX / 2)

/* The value 0..15 of c in [0-9a-f], or -1 for any other character. */
int hex_digit_value(char c);

/* The value 0..15 of c in [0-9a-fA-F], or -1 for any other character. */
int hex_digit_value_any_case(char c);

/* True when s[0, len) is only [0-9a-f] (true for len 0). */
bool hex_is_lower(const char *s, size_t len);

/*
 * The 2 * len lowercase hex digits of in[0, len) into out, then a NUL:
 * out has room for 2 * len + 1 bytes. in and out must not overlap.
 */
void hex_encode(const void *in, size_t len, char *out);

/* hex_encode() with [0-9A-F]. */
void hex_encode_upper(const void *in, size_t len, char *out);

/*
 * Decode the hex_len lowercase hex digits at hex (no NUL needed) into
 * out[0, out_cap). Returns the number of bytes, hex_len / 2; or
 * -OCIBOOT_EMALFORMED when hex_len is odd or a character is not [0-9a-f];
 * or -OCIBOOT_ETOOBIG when hex_len / 2 > out_cap or hex_len / 2 >
 * HEX_DECODE_MAX. out is written only on success. To require an exact
 * length (a 32-byte digest), compare the result with it.
 */
ssize_t hex_decode(const char *hex, size_t hex_len, void *out,
		   size_t out_cap);

/* hex_decode() that also accepts [A-F]. */
ssize_t hex_decode_any_case(const char *hex, size_t hex_len, void *out,
			    size_t out_cap);

#endif
