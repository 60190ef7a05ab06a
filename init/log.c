/* SPDX-License-Identifier: MIT */
#include "init/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/util.h"

#define LOG_CONSOLE_FD 2
#define LOG_MESSAGE_MAX LOG_LINE_MAX	/* formatted, before escaping */
#define LOG_HEAD_MAX (LOG_LINE_MAX / 4)	/* "<N>ociboot: STAGE: " */
#define LOG_CUT "..."
#define LOG_PRINTK_MAX 64
#define LOG_PRINTK_PATH "/proc/sys/kernel/printk"
#define LOG_IGNORE_LOGLEVEL_PATH "/sys/module/printk/parameters/ignore_loglevel"
#define LOG_KMSG_PATH "/dev/kmsg"

static int kmsg_fd = -1;
static int console_level = -1;
static bool ignore_loglevel;
static bool debug;

size_t log_escape(char *dst, size_t size, const char *src, size_t len,
		  size_t *consumed)
{
	static const char hex[] = "0123456789abcdef";
	size_t out = 0, i;

	for (i = 0; i < len && size > 0; i++) {
		unsigned char c = (unsigned char)src[i];
		char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
		size_t n = 4;

		if (c == '\\') {
			n = 2;
			esc[1] = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			n = 1;
			esc[0] = (char)c;
		}
		if (n > size - 1 - out)
			break;
		memcpy(dst + out, esc, n);
		out += n;
	}
	if (size > 0)
		dst[out] = '\0';
	if (consumed)
		*consumed = size > 0 ? i : 0;
	return out;
}

size_t log_format_line(char buf[LOG_LINE_MAX + 1], enum log_level level,
		       const char *stage, const char *message,
		       size_t *console_offset)
{
	size_t len, room, consumed, msg_len = strlen(message);
	int n;

	n = snprintf(buf, LOG_HEAD_MAX + 1, "<%d>", (int)level & 7);
	*console_offset = (size_t)n;
	n = snprintf(buf + *console_offset, LOG_HEAD_MAX + 1 - *console_offset,
		     LOG_PREFIX "%s: ", stage);
	len = *console_offset + (size_t)n;
	if (len > LOG_HEAD_MAX)
		len = LOG_HEAD_MAX;
	/* Keep room for LOG_CUT and the newline after the message. */
	room = LOG_LINE_MAX - len - (sizeof(LOG_CUT) - 1) - 1;
	len += log_escape(buf + len, room + 1, message, msg_len, &consumed);
	if (consumed < msg_len) {
		memcpy(buf + len, LOG_CUT, sizeof(LOG_CUT) - 1);
		len += sizeof(LOG_CUT) - 1;
	}
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

int log_parse_console_level(const char *buf, size_t len)
{
	size_t i = 0;
	int level = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	if (i == len || buf[i] < '0' || buf[i] > '9')
		return -EINVAL;
	/* Two digits at most: the kernel keeps levels small. */
	for (size_t digits = 0; i < len && buf[i] >= '0' && buf[i] <= '9';
	     i++, digits++) {
		if (digits == 2)
			return -EINVAL;
		level = level * 10 + (buf[i] - '0');
	}
	if (level > 15)
		return -EINVAL;
	if (i < len && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n')
		return -EINVAL;
	return level;
}

bool log_wants_console(enum log_level level, int console_lvl,
		       bool ignore_lvl, bool kmsg_ok)
{
	if (!kmsg_ok || console_lvl < 0)
		return true;
	/* The kernel prints a record when its level is below the console's. */
	if (ignore_lvl || (int)level < console_lvl)
		return false;
	return true;
}

void log_init(void)
{
	char buf[LOG_PRINTK_MAX];
	ssize_t n;

	if (kmsg_fd < 0)
		kmsg_fd = open(LOG_KMSG_PATH, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	n = fileio_read_text(AT_FDCWD, LOG_PRINTK_PATH, buf, sizeof(buf), 0);
	console_level = n > 0 ? log_parse_console_level(buf, (size_t)n) : -1;
	n = fileio_read_text(AT_FDCWD, LOG_IGNORE_LOGLEVEL_PATH, buf,
			     sizeof(buf), 0);
	ignore_loglevel = n > 0 && buf[0] == 'Y';
}

void log_set_debug(bool on)
{
	debug = on;
}

static bool write_line(int fd, const char *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len;
}

void log_msg(enum log_level level, const char *stage, const char *fmt, ...)
{
	char message[LOG_MESSAGE_MAX + 1], line[LOG_LINE_MAX + 1];
	size_t len, console_offset;
	bool kmsg_ok = false;
	va_list ap;
	int saved_errno = errno;

	if (level == LOG_LEVEL_DEBUG && !debug)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	len = log_format_line(line, level, stage, message, &console_offset);
	if (kmsg_fd >= 0)
		kmsg_ok = write_line(kmsg_fd, line, len);
	if (log_wants_console(level, console_level, ignore_loglevel, kmsg_ok))
		write_line(LOG_CONSOLE_FD, line + console_offset,
			   len - console_offset);
	errno = saved_errno;
}
