/* SPDX-License-Identifier: MIT */
/*
 * Logging for PID 1: each line goes to /dev/kmsg with one write() as
 * "<LEVEL>ociboot: STAGE: message" and to the console (fd 2) with one
 * write() as "ociboot: STAGE: message" -- unless the kernel echoes the kmsg
 * line to the console already (its level is below the console loglevel), so
 * that every line shows up on the console exactly once.
 *
 * Every byte of the formatted message outside printable ASCII, and every
 * backslash, is escaped (\xHH, \\), so callers may pass untrusted strings
 * (command line values, file contents, names from the network) as they are:
 * one call is always one line. Lines longer than LOG_LINE_MAX are cut and
 * end with "...".
 *
 * State is a few static variables; nothing allocates. Safe to call before
 * log_init() (then only the console gets the line).
 */
#ifndef OCIBOOT_INIT_LOG_H
#define OCIBOOT_INIT_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* The kernel's printk levels. */
enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* /dev/kmsg takes at most 1024 - 32 bytes a record, prefix included. */
#define LOG_LINE_MAX 992
#define LOG_PREFIX "ociboot: "

/*
 * Open /dev/kmsg (O_CLOEXEC) and read the console loglevel once from
 * /proc/sys/kernel/printk. Needs devtmpfs on /dev and proc on /proc; if
 * either is missing, lines go to the console only. Calling it again
 * re-reads both.
 */
void log_init(void);

/* Debug lines are dropped unless this was set (ociboot.debug). */
void log_set_debug(bool on);

/*
 * Log one line "ociboot: STAGE: message". stage is a short trusted word
 * ("cmdline", "modules", "FATAL"); the printf-style message is escaped.
 */
void log_msg(enum log_level level, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(stage, ...) log_msg(LOG_LEVEL_ERR, stage, __VA_ARGS__)
#define log_warning(stage, ...) log_msg(LOG_LEVEL_WARNING, stage, __VA_ARGS__)
#define log_info(stage, ...) log_msg(LOG_LEVEL_INFO, stage, __VA_ARGS__)
#define log_debug(stage, ...) log_msg(LOG_LEVEL_DEBUG, stage, __VA_ARGS__)

/*
 * Copy src[len] into dst[size] with every byte outside 0x20..0x7e written
 * as \xHH and '\' as \\. An escape is never cut in half; when src does not
 * fit, the copy stops early. dst is NUL-terminated when size >= 1.
 * Returns the number of bytes written, without the NUL; *consumed (if not
 * NULL) is set to how many bytes of src that covers.
 */
size_t log_escape(char *dst, size_t size, const char *src, size_t len,
		  size_t *consumed);

/*
 * Build the kmsg form of a line, "<LEVEL>ociboot: STAGE: MESSAGE\n", into
 * buf[LOG_LINE_MAX + 1] (escaping message; cutting it with "..." when too
 * long). Returns the line's length; *console_offset is where the console
 * form (without "<LEVEL>") starts.
 */
size_t log_format_line(char buf[LOG_LINE_MAX + 1], enum log_level level,
		       const char *stage, const char *message,
		       size_t *console_offset);

/*
 * The console loglevel: the first number in /proc/sys/kernel/printk's
 * contents ("7\t4\t1\t7\n"). Returns 0..15, or -EINVAL.
 */
int log_parse_console_level(const char *buf, size_t len);

/* Whether a line of this level is for the console from us, given the
 * console loglevel (-1 if unknown) and whether kmsg took the line. */
bool log_wants_console(enum log_level level, int console_level,
		       bool ignore_loglevel, bool kmsg_ok);

#endif
