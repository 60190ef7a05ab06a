/* SPDX-License-Identifier: MIT */
/* Progress lines on a terminal; see progress.h. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/clock.h"
#include "tool/progress.h"

void progress_init(struct progress *p, const char *prefix, bool quiet)
{
	p->prefix = prefix;
	p->enabled = !quiet && isatty(STDERR_FILENO);
	p->shown = false;
	p->next_ms = 0;
}

static void show(struct progress *p, const char *fmt, va_list ap)
{
	char line[PROGRESS_LINE_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "\r%s: %s\033[K", p->prefix, line);
	fflush(stderr);
	p->shown = true;
	p->next_ms = clock_now_ms() + PROGRESS_INTERVAL_MS;
}

void progress_update(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->enabled || clock_now_ms() < p->next_ms)
		return;
	va_start(ap, fmt);
	show(p, fmt, ap);
	va_end(ap);
}

void progress_force(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->enabled)
		return;
	va_start(ap, fmt);
	show(p, fmt, ap);
	va_end(ap);
}

void progress_done(struct progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}

const char *progress_size(uint64_t bytes, char buf[16])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 16, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}
