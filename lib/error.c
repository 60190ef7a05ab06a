/* SPDX-License-Identifier: MIT */
#include "lib/error.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/util.h"

#define ERROR_CUT "..."
/* Raw text before escaping: room for the longest field and a cut. */
#define ERROR_RAW_MAX (ERROR_WHAT_MAX + 1)
_Static_assert(ERROR_WHAT_MAX >= ERROR_WHY_MAX &&
	       ERROR_WHAT_MAX >= ERROR_WHERE_MAX, "what is the longest field");

void error_clear(struct error *e)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->offset = ERROR_NO_OFFSET;
}

/* Append raw[0, len) to sb, bytes outside printable ASCII as \xHH. */
static void put_printable(struct strbuf *sb, const char *raw, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c >= 0x20 && c < 0x7f)
			strbuf_putc(sb, (char)c);
		else
			strbuf_printf(sb, "\\x%02x", c);
	}
}

/* Format into field[size], escaped, marked when cut. */
__attribute__((format(printf, 3, 0)))
static void store(char *field, size_t size, const char *fmt, va_list ap)
{
	char raw[ERROR_RAW_MAX];
	struct strbuf sb;
	int n;

	strbuf_init(&sb, field, size);
	if (!fmt)
		return;
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n < 0)
		n = 0;
	put_printable(&sb, raw, (size_t)n < sizeof(raw) ? (size_t)n :
		      sizeof(raw) - 1);
	if ((size_t)n >= sizeof(raw))
		sb.truncated = true;
	strbuf_mark_cut(&sb, ERROR_CUT);
}

__attribute__((format(printf, 3, 4)))
static void store_fmt(char *field, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	store(field, size, fmt, ap);
	va_end(ap);
}

int error_vset(struct error *e, int code, const char *what,
	       const char *why_fmt, va_list ap)
{
	if (code > 0)
		code = -code;
	if (!e)
		return code;
	error_clear(e);
	e->code = code;
	if (what)
		store_fmt(e->what, sizeof(e->what), "%s", what);
	store(e->why, sizeof(e->why), why_fmt, ap);
	return code;
}

int error_set(struct error *e, int code, const char *what,
	      const char *why_fmt, ...)
{
	va_list ap;

	va_start(ap, why_fmt);
	code = error_vset(e, code, what, why_fmt, ap);
	va_end(ap);
	return code;
}

int error_reason(struct error *e, int reason)
{
	if (!e)
		return 0;
	e->reason = reason;
	return e->code;
}

int error_at_offset(struct error *e, uint64_t offset)
{
	if (!e)
		return 0;
	e->offset = offset;
	return e->code;
}

int error_at(struct error *e, const char *where_fmt, ...)
{
	va_list ap;

	if (!e)
		return 0;
	va_start(ap, where_fmt);
	store(e->where, sizeof(e->where), where_fmt, ap);
	va_end(ap);
	return e->code;
}

void error_context(struct error *e, const char *fmt, ...)
{
	char context[ERROR_WHAT_MAX], old[ERROR_WHAT_MAX];
	va_list ap;

	if (!error_failed(e))
		return;
	va_start(ap, fmt);
	store(context, sizeof(context), fmt, ap);
	va_end(ap);
	memcpy(old, e->what, sizeof(old));
	if (old[0])
		store_fmt(e->what, sizeof(e->what), "%s: %s", context, old);
	else
		store_fmt(e->what, sizeof(e->what), "%s", context);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return m <= n && memcmp(s + n - m, tail, m) == 0;
}

const char *error_format(const struct error *e, char *buf, size_t size)
{
	const char *cause = ociboot_strerror(e->code);
	bool at = e->where[0] || e->offset != ERROR_NO_OFFSET;
	struct strbuf sb;

	strbuf_init(&sb, buf, size);
	if (e->what[0])
		strbuf_printf(&sb, "%s: ", e->what);
	if (e->why[0])
		strbuf_puts(&sb, e->why);
	if (at) {
		strbuf_puts(&sb, e->why[0] ? " (at " : "at ");
		if (e->where[0])
			strbuf_puts(&sb, e->where);
		if (e->where[0] && e->offset != ERROR_NO_OFFSET)
			strbuf_puts(&sb, ", ");
		if (e->offset != ERROR_NO_OFFSET)
			strbuf_printf(&sb, "byte %llu",
				      (unsigned long long)e->offset);
		if (e->why[0])
			strbuf_putc(&sb, ')');
	}
	if (e->code < 0 && !(e->why[0] && ends_with(e->why, cause)))
		strbuf_printf(&sb, "%s%s", e->why[0] || at ? ": " : "",
			      cause);
	strbuf_mark_cut(&sb, ERROR_CUT);
	return buf;
}
