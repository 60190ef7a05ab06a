/* SPDX-License-Identifier: MIT */
/* Text in a fixed buffer; see strbuf.h. */
#include "lib/strbuf.h"

#include <stdio.h>
#include <string.h>

#include "lib/hex.h"

/* Bytes strbuf_hex() encodes at a time, on the stack. */
#define HEX_CHUNK 32

void strbuf_init(struct strbuf *sb, char *buf, size_t size)
{
	sb->buf = buf;
	sb->size = size;
	sb->len = 0;
	sb->truncated = size == 0;
	if (size)
		buf[0] = '\0';
}

void strbuf_append(struct strbuf *sb, const void *s, size_t n)
{
	size_t room;

	if (sb->truncated)
		return;
	room = sb->size - 1 - sb->len;
	if (n > room) {
		n = room;
		sb->truncated = true;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

void strbuf_putc(struct strbuf *sb, char c)
{
	strbuf_append(sb, &c, 1);
}

void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	size_t room;
	int n;

	if (sb->truncated)
		return;
	room = sb->size - sb->len;	/* with the NUL */
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		sb->truncated = true;
		return;
	}
	if ((size_t)n >= room) {
		sb->len = sb->size - 1;	/* vsnprintf() wrote what fits */
		sb->truncated = true;
		return;
	}
	sb->len += (size_t)n;
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_hex(struct strbuf *sb, const void *p, size_t n)
{
	const unsigned char *b = p;
	char text[2 * HEX_CHUNK + 1];

	while (n && !sb->truncated) {
		size_t chunk = n < HEX_CHUNK ? n : HEX_CHUNK;

		hex_encode(b, chunk, text);
		strbuf_append(sb, text, 2 * chunk);
		b += chunk;
		n -= chunk;
	}
}

void strbuf_mark_cut(struct strbuf *sb, const char *mark)
{
	size_t n = strlen(mark), at;

	if (!sb->truncated || sb->size == 0)
		return;
	if (n > sb->size - 1)
		n = sb->size - 1;
	/* Over the last bytes of a full buffer; after a format error, on. */
	at = sb->len < sb->size - 1 - n ? sb->len : sb->size - 1 - n;
	memcpy(sb->buf + at, mark, n);
	sb->len = at + n;
	sb->buf[sb->len] = '\0';
}
