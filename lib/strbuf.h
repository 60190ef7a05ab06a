/* SPDX-License-Identifier: MIT */
/*
 * Text built into a fixed buffer the caller owns: appends that never write
 * past it, a NUL always after the last byte, and a sticky flag once a piece
 * did not fit. The piece that does not fit is cut where the buffer ends;
 * every append after it is ignored, so the text is always a prefix of what
 * was asked for. A caller that must not use cut text (a file handed to the
 * booted system, a dm table) checks strbuf_truncated(); one that shows it
 * (a log line) may mark the cut with strbuf_mark_cut().
 *
 *	char line[LINE_MAX];
 *	struct strbuf sb;
 *
 *	strbuf_init(&sb, line, sizeof(line));
 *	strbuf_printf(&sb, "LAYER%zu=", i);
 *	strbuf_hex(&sb, root, sizeof(root));
 *	if (strbuf_truncated(&sb))
 *		return -OCIBOOT_ETOOBIG;
 *
 * Nothing here allocates or logs. strbuf_printf() uses vsnprintf().
 */
#ifndef OCIBOOT_LIB_STRBUF_H
#define OCIBOOT_LIB_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;		/* the caller's, size bytes */
	size_t size;
	size_t len;		/* bytes before the NUL, at most size - 1 */
	bool truncated;		/* sticky: a piece did not fit */
};

/*
 * Start an empty text in buf[0, size) (buf[0] set to NUL). size 0 is
 * allowed only with nothing to write: the buffer is then born truncated
 * and never touched.
 */
void strbuf_init(struct strbuf *sb, char *buf, size_t size);

/* Append the n bytes at s (NULs included, as given). */
void strbuf_append(struct strbuf *sb, const void *s, size_t n);

/* Append the string s. */
void strbuf_puts(struct strbuf *sb, const char *s);

/* Append the character c. */
void strbuf_putc(struct strbuf *sb, char c);

/*
 * Append printf-style. A negative vsnprintf() result (a format error)
 * counts as truncation.
 */
__attribute__((format(printf, 2, 3)))
void strbuf_printf(struct strbuf *sb, const char *fmt, ...);

__attribute__((format(printf, 2, 0)))
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);

/* Append the lowercase hex of p[0, n) (see lib/hex.h). */
void strbuf_hex(struct strbuf *sb, const void *p, size_t n);

/*
 * When the text was truncated, end it with mark (such as "..."), written
 * over its last bytes so that it still fits; nothing otherwise. A mark
 * longer than the buffer holds is itself cut. The flag stays set.
 */
void strbuf_mark_cut(struct strbuf *sb, const char *mark);

/* The text, NUL-terminated ("" for a buffer of size 0). */
static inline const char *strbuf_str(const struct strbuf *sb)
{
	return sb->size ? sb->buf : "";
}

/* Bytes in the text, without the NUL. */
static inline size_t strbuf_len(const struct strbuf *sb)
{
	return sb->len;
}

/* True once a piece did not fit. */
static inline bool strbuf_truncated(const struct strbuf *sb)
{
	return sb->truncated;
}

#endif
