/* SPDX-License-Identifier: MIT */
#include "init/modules.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/util.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The line at buf[start..end) without surrounding blanks. */
static void trim(const char *buf, size_t *start, size_t *end)
{
	while (*start < *end && is_blank(buf[*start]))
		(*start)++;
	while (*end > *start && is_blank(buf[*end - 1]))
		(*end)--;
}

static int check_path(const char *p, size_t len, const char **why)
{
	if (p[0] != '/') {
		*why = "module path is not absolute";
		return -OCIBOOT_EMALFORMED;
	}
	if (len > MODULES_PATH_MAX) {
		*why = "module path is longer than " STR(MODULES_PATH_MAX)
		       " bytes";
		return -OCIBOOT_ETOOBIG;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f) {
			*why = "module path has a blank, control or non-ASCII byte";
			return -OCIBOOT_EMALFORMED;
		}
	}
	return 0;
}

/*
 * One pass over the list; with fn NULL only checks it. Returns the number
 * of paths or a negative error.
 */
static int walk(const char *buf, size_t len, modules_path_fn *fn, void *ctx,
		struct error *err)
{
	char path[MODULES_PATH_MAX + 1];
	size_t pos = 0;
	unsigned line = 0;
	int count = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t start = pos, end = nl ? (size_t)(nl - buf) : len;
		const char *why = "more than " STR(MODULES_MAX) " modules";
		int r;

		pos = nl ? end + 1 : len;
		line++;
		trim(buf, &start, &end);
		if (start == end || buf[start] == '#')
			continue;
		r = count == MODULES_MAX ? -OCIBOOT_ETOOBIG :
			check_path(buf + start, end - start, &why);
		if (r < 0) {
			error_set(err, r, NULL, "%s", why);
			return error_at(err, "line %u", line);
		}
		count++;
		if (!fn)
			continue;
		memcpy(path, buf + start, end - start);
		path[end - start] = '\0';
		r = fn(ctx, path);
		if (r < 0)
			return r;
	}
	return count;
}

int modules_parse_list(const char *buf, size_t len, modules_path_fn *fn,
		       void *ctx, struct error *err)
{
	int r;

	error_clear(err);
	if (len > MODULES_LIST_MAX)
		return error_set(err, -OCIBOOT_ETOOBIG, NULL, "module list is "
				 "longer than %d bytes", MODULES_LIST_MAX);
	if (memchr(buf, '\0', len))
		return error_set(err, -OCIBOOT_EMALFORMED, NULL,
				 "module list has a NUL byte");
	r = walk(buf, len, NULL, NULL, err);
	if (r < 0 || !fn)
		return r;
	return walk(buf, len, fn, ctx, err);
}

int modules_load(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0) == 0)
		return 0;
	return errno == EEXIST ? 1 : -errno;
}

static bool ends_with(const char *s, size_t len, const char *suffix,
		      size_t *stem)
{
	size_t n = strlen(suffix);

	if (len < n || memcmp(s + len - n, suffix, n) != 0)
		return false;
	*stem = len - n;
	return true;
}

int modules_name(const char *path, char *name, size_t size)
{
	static const char *const suffixes[] = {
		".ko", ".ko.xz", ".ko.zst", ".ko.gz",
	};
	const char *base = strrchr(path, '/');
	size_t len, stem = 0;
	bool found = false;

	base = base ? base + 1 : path;
	len = strlen(base);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes) && !found; i++)
		found = ends_with(base, len, suffixes[i], &stem);
	if (!found || stem == 0)
		return -EINVAL;
	if (stem >= size || stem > MODULES_NAME_MAX)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < stem; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[stem] = '\0';
	return (int)stem;
}

bool modules_is_network(const char *path)
{
	static const char *const dirs[] = { "/kernel/drivers/net/",
					    "/kernel/net/" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (strstr(path, dirs[i]))
			return true;
	return false;
}
