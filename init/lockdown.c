/* SPDX-License-Identifier: MIT */
#include "init/lockdown.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/util.h"

int lockdown_parse(const char *buf, size_t len,
		   char mode[LOCKDOWN_MODE_MAX])
{
	size_t opens = 0, closes = 0, left = 0, right = 0, n;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '[') {
			opens++;
			left = i;
		} else if (buf[i] == ']') {
			closes++;
			right = i;
		}
	}
	if (opens != 1 || closes != 1 || right < left)
		return -OCIBOOT_EMALFORMED;
	n = right - left - 1;
	if (n == 0 || n >= LOCKDOWN_MODE_MAX)
		return -OCIBOOT_EMALFORMED;
	for (size_t i = left + 1; i < right; i++)
		if (buf[i] < 'a' || buf[i] > 'z')
			return -OCIBOOT_EMALFORMED;
	memcpy(mode, buf + left + 1, n);
	mode[n] = '\0';
	return (int)n;
}

int lockdown_read(const char *path, char mode[LOCKDOWN_MODE_MAX])
{
	char buf[LOCKDOWN_FILE_MAX];
	ssize_t n = fileio_read_text(AT_FDCWD, path, buf, sizeof(buf), 0);

	if (n < 0)
		return (int)n;
	return lockdown_parse(buf, (size_t)n, mode);
}
