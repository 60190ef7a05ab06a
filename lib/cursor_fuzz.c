/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the read cursor. The input is a program and the
 * bytes it reads: data[0] says how many of the bytes after it are
 * operations (each an opcode and a length byte); the rest, copied to an
 * exact-size buffer so ASan sees any overread, is what the cursor walks.
 * Every operation is mirrored on an index-based model (position, length,
 * failed), and the cursor must agree with it after each: same result, same
 * offset, same remaining count, same failure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cursor.h"

struct model {
	size_t pos, len;
	bool failed;
};

/* The model's read of n bytes: their offset, or -1 (and failed). */
static long model_take(struct model *m, size_t n)
{
	long at = (long)m->pos;

	if (m->failed || n > m->len - m->pos) {
		m->failed = true;
		return -1;
	}
	m->pos += n;
	return at;
}

static uint64_t model_int(struct model *m, const uint8_t *buf, size_t n,
			  bool big)
{
	long at = model_take(m, n);
	uint64_t v = 0;

	if (at < 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)buf[at + i] << 8 * (big ? n - 1 - i : i);
	return v;
}

static void agree(const struct cursor *c, const struct model *m)
{
	if (cursor_failed(c) != m->failed ||
	    cursor_offset(c) != m->pos ||
	    cursor_remaining(c) != (m->failed ? 0 : m->len - m->pos))
		__builtin_trap();
}

static void step(struct cursor *c, struct model *m, const uint8_t *buf,
		 uint8_t op, uint8_t arg)
{
	/* Small lengths mostly; now and then one that must not wrap. */
	size_t n = arg == 0xff ? SIZE_MAX - 2 : arg % 24;
	uint8_t out[24];
	const uint8_t *p;
	long at;

	switch (op % 12) {
	case 0:
		if (cursor_u8(c) != model_int(m, buf, 1, false))
			__builtin_trap();
		break;
	case 1:
		if (cursor_le16(c) != model_int(m, buf, 2, false))
			__builtin_trap();
		break;
	case 2:
		if (cursor_le32(c) != model_int(m, buf, 4, false))
			__builtin_trap();
		break;
	case 3:
		if (cursor_le64(c) != model_int(m, buf, 8, false))
			__builtin_trap();
		break;
	case 4:
		if (cursor_be16(c) != model_int(m, buf, 2, true))
			__builtin_trap();
		break;
	case 5:
		if (cursor_be32(c) != model_int(m, buf, 4, true))
			__builtin_trap();
		break;
	case 6:
		if (cursor_be64(c) != model_int(m, buf, 8, true))
			__builtin_trap();
		break;
	case 7:
		p = cursor_take(c, n);
		at = model_take(m, n);
		if ((p == NULL) != (at < 0) || (p && p != buf + at))
			__builtin_trap();
		break;
	case 8:
		if (cursor_skip(c, n) != (model_take(m, n) >= 0))
			__builtin_trap();
		break;
	case 9:
		memset(out, 0x5a, sizeof(out));
		at = model_take(m, n);
		if (cursor_copy(c, out, n) != (at >= 0))
			__builtin_trap();
		if (at >= 0 && memcmp(out, buf + at, n) != 0)
			__builtin_trap();
		for (size_t i = at >= 0 ? n : 0; i < sizeof(out); i++)
			if (out[i] != 0x5a)
				__builtin_trap();
		break;
	case 10:
		p = cursor_peek(c, n);
		if (p != (m->failed || n > m->len - m->pos ? NULL :
			  buf + m->pos))
			__builtin_trap();
		if (cursor_peek_u8(c) != (m->failed || m->pos == m->len ? -1 :
					  buf[m->pos]))
			__builtin_trap();
		break;
	case 11: {
		/* A sub-cursor over n bytes, read to its end and one past. */
		struct cursor sub = cursor_sub(c, n);

		at = model_take(m, n);
		if (cursor_failed(&sub) != (at < 0))
			__builtin_trap();
		if (at >= 0) {
			if (cursor_take(&sub, n) != buf + at ||
			    !cursor_done(&sub) || cursor_u8(&sub) != 0 ||
			    !cursor_failed(&sub))
				__builtin_trap();
		}
		break;
	}
	}
	agree(c, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t ops, len;
	struct cursor c;
	struct model m;
	uint8_t *buf;

	if (size < 1)
		return 0;
	ops = 2 * (size_t)data[0];
	if (ops > size - 1)
		ops = (size - 1) & ~(size_t)1;
	len = size - 1 - ops;
	buf = malloc(len ? len : 1);
	if (!buf)
		__builtin_trap();
	memcpy(buf, data + 1 + ops, len);
	cursor_init(&c, buf, len);
	m = (struct model){ 0, len, false };
	agree(&c, &m);
	for (size_t i = 0; i < ops; i += 2)
		step(&c, &m, buf, data[1 + i], data[2 + i]);
	free(buf);
	return 0;
}
