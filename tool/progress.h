/* SPDX-License-Identifier: MIT */
/*
 * Progress of long work (`layer create`, `verify`, `ukify`) on the
 * terminal: one line on stderr, rewritten in place ("\r", then the line,
 * then "erase to the end of the line") at most every
 * PROGRESS_INTERVAL_MS, and erased when the work ends, so what a command
 * prints for good stays as it was. When stderr is not a terminal, or with
 * --quiet, nothing is printed at all: logs and pipes see no progress.
 *
 * The caller owns the struct; nothing here allocates. Not thread-safe.
 */
#ifndef OCIBOOT_TOOL_PROGRESS_H
#define OCIBOOT_TOOL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define PROGRESS_INTERVAL_MS 200
#define PROGRESS_LINE_MAX 160	/* bytes of a line, longer ones are cut */

struct progress {
	const char *prefix;	/* "ociboot layer create" */
	bool enabled;		/* on a terminal, not quiet */
	bool shown;		/* a line is on the screen */
	int64_t next_ms;	/* no update before this time */
};

/* Start: enabled when quiet is false and stderr is a terminal. */
void progress_init(struct progress *p, const char *prefix, bool quiet);

/*
 * Show "PREFIX: TEXT" (printf-style) unless the last line went out less
 * than PROGRESS_INTERVAL_MS ago. Does nothing when not enabled.
 */
__attribute__((format(printf, 2, 3)))
void progress_update(struct progress *p, const char *fmt, ...);

/* The same, whenever the last line went out. */
__attribute__((format(printf, 2, 3)))
void progress_force(struct progress *p, const char *fmt, ...);

/* Erase the line, if one is shown. */
void progress_done(struct progress *p);

/* "12.3 MiB": bytes in the largest binary unit below 1024 of it. */
const char *progress_size(uint64_t bytes, char buf[16]);

#endif
