/* SPDX-License-Identifier: MIT */
/*
 * A bounded read cursor over untrusted bytes: a pointer, what remains, and
 * a sticky failure flag. Every read checks n <= remaining before it forms
 * p + n; a read that does not fit consumes nothing, sets the flag and
 * returns NULL, false or 0, and every read after it fails the same way. So
 * a parser may read a whole fixed header field by field and check once:
 *
 *	struct cursor c;
 *
 *	cursor_init(&c, buf, len);
 *	magic = cursor_le32(&c);
 *	count = cursor_be16(&c);
 *	name = cursor_take(&c, NAME_LEN);
 *	if (cursor_failed(&c))
 *		return -OCIBOOT_EMALFORMED;
 *
 * Only running past the end sets the flag; whether the bytes mean anything
 * (a magic number, a zero pad) is the caller's to check, with
 * cursor_fail() to stop the cursor too. The cursor points into the
 * caller's buffer, which must outlive it; nothing here allocates, copies
 * (except cursor_copy()) or logs. Header only.
 */
#ifndef OCIBOOT_LIB_CURSOR_H
#define OCIBOOT_LIB_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/endian.h"
#include "lib/util.h"

struct cursor {
	const uint8_t *p;	/* the next byte */
	size_t left;		/* bytes from p to the end */
	size_t len;		/* bytes in all, for cursor_offset() */
	bool failed;		/* sticky: a read did not fit */
};

/* A cursor over buf[0, len). buf may be NULL when len is 0. */
static inline void cursor_init(struct cursor *c, const void *buf, size_t len)
{
	/* Never NULL, so that a read of 0 bytes gives a pointer too. */
	c->p = buf ? buf : (const void *)"";
	c->left = len;
	c->len = len;
	c->failed = false;
}

/* Bytes not yet read (0 once failed). */
static inline size_t cursor_remaining(const struct cursor *c)
{
	return c->failed ? 0 : c->left;
}

/*
 * Bytes read so far: where the next read starts, or where the read that
 * failed the cursor started, for error messages.
 */
static inline size_t cursor_offset(const struct cursor *c)
{
	return c->len - c->left;
}

/* True when a read did not fit or cursor_fail() was called. */
static inline bool cursor_failed(const struct cursor *c)
{
	return c->failed;
}

/* True when every byte was read and nothing failed. */
static inline bool cursor_done(const struct cursor *c)
{
	return !c->failed && c->left == 0;
}

/* Fail the cursor: every later read fails. */
static inline void cursor_fail(struct cursor *c)
{
	c->failed = true;
}

/* 0, or -OCIBOOT_EMALFORMED when the cursor failed. */
static inline int cursor_status(const struct cursor *c)
{
	return c->failed ? -OCIBOOT_EMALFORMED : 0;
}

/*
 * The next n bytes, without consuming them; NULL (the cursor not failed)
 * when fewer remain or the cursor failed.
 */
static inline const uint8_t *cursor_peek(const struct cursor *c, size_t n)
{
	if (c->failed || n > c->left)
		return NULL;
	return c->p;
}

/* The next byte 0..255 without consuming it, or -1 at the end or failed. */
static inline int cursor_peek_u8(const struct cursor *c)
{
	return c->failed || c->left == 0 ? -1 : c->p[0];
}

/*
 * Consume n bytes and return where they start (in the caller's buffer;
 * never NULL on success, even for n == 0); NULL, failing the cursor, when
 * fewer than n remain.
 */
static inline const uint8_t *cursor_take(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (c->failed || n > c->left) {
		c->failed = true;
		return NULL;
	}
	p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

/*
 * Consume n bytes. Returns false, failing the cursor, when they are not all
 * there.
 */
static inline bool cursor_skip(struct cursor *c, size_t n)
{
	return cursor_take(c, n) != NULL;
}

/*
 * Consume n bytes into out[0, n). Returns false, failing the cursor and
 * leaving out alone, when they are not all there.
 */
static inline bool cursor_copy(struct cursor *c, void *out, size_t n)
{
	const uint8_t *p = cursor_take(c, n);

	if (!p)
		return false;
	memcpy(out, p, n);
	return true;
}

/*
 * Consume n bytes and tell whether they equal want[0, n). A mismatch does
 * not fail the cursor; too few bytes do (and return false).
 */
static inline bool cursor_expect(struct cursor *c, const void *want, size_t n)
{
	const uint8_t *p = cursor_take(c, n);

	if (!p)
		return false;
	return memcmp(p, want, n) == 0;
}

/* cursor_expect() against n zero bytes. */
static inline bool cursor_expect_zero(struct cursor *c, size_t n)
{
	const uint8_t *p = cursor_take(c, n);
	uint8_t any = 0;

	if (!p)
		return false;
	for (size_t i = 0; i < n; i++)
		any |= p[i];
	return any == 0;
}

/*
 * A cursor over the next n bytes, consumed from c: for a length-prefixed
 * record parsed on its own. When they are not all there, c fails and so
 * does the cursor returned (over nothing).
 */
static inline struct cursor cursor_sub(struct cursor *c, size_t n)
{
	struct cursor sub;
	const uint8_t *p = cursor_take(c, n);

	cursor_init(&sub, p, p ? n : 0);
	sub.failed = c->failed;
	return sub;
}

/*
 * Fixed-width integers in either byte order. Each returns 0, failing the
 * cursor, when the bytes are not all there; check cursor_failed() before
 * using the value.
 */
static inline uint8_t cursor_u8(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 1);

	return p ? p[0] : 0;
}

static inline uint16_t cursor_le16(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 2);

	return p ? le16_load(p) : 0;
}

static inline uint32_t cursor_le32(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 4);

	return p ? le32_load(p) : 0;
}

static inline uint64_t cursor_le64(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 8);

	return p ? le64_load(p) : 0;
}

static inline uint16_t cursor_be16(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 2);

	return p ? be16_load(p) : 0;
}

static inline uint32_t cursor_be32(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 4);

	return p ? be32_load(p) : 0;
}

static inline uint64_t cursor_be64(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 8);

	return p ? be64_load(p) : 0;
}

#endif
