/* SPDX-License-Identifier: MIT */
/*
 * User "name|uid[:group|gid]" to numeric ids (service/user.h), with the
 * image's passwd and group files as text.
 */
#include "service/user.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib/util.h"

/* A field of text: pointer and length, not NUL-terminated. */
struct span {
	const char *p;
	size_t len;
};

static bool span_eq(struct span a, struct span b)
{
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* Decimal id of s; -ERANGE over USER_ID_MAX, -EINVAL not a number. */
static int parse_id(struct span s, uint32_t *out)
{
	uint64_t v = 0;

	if (s.len == 0 || s.len > 10)
		return s.len ? -ERANGE : -EINVAL;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > USER_ID_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static bool all_digits(struct span s)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return s.len > 0;
}

/* Field n (from 0) of the ':'-separated line; false when it has fewer. */
static bool field(struct span line, unsigned int n, struct span *out)
{
	const char *p = line.p, *end = line.p + line.len;

	for (unsigned int i = 0; i < n; i++) {
		const char *c = memchr(p, ':', (size_t)(end - p));

		if (!c)
			return false;
		p = c + 1;
	}
	out->p = p;
	out->len = (size_t)(end - p);
	{
		const char *c = memchr(p, ':', out->len);

		if (c)
			out->len = (size_t)(c - p);
	}
	return true;
}

/*
 * Find the line of text whose field key_field equals key (by name) or,
 * when by_id, whose field 2 is the number id; *line gets it. Returns 0 or
 * -ENOENT.
 */
static int find_line(const char *text, size_t len, struct span key,
		     bool by_id, uint32_t id, struct span *line)
{
	size_t at = 0;

	if (len > USER_FILE_MAX)
		len = USER_FILE_MAX;
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		struct span l = { text + at, nl ? (size_t)(nl - text - at) :
						  len - at };
		struct span f;
		uint32_t v;

		at += l.len + 1;
		if (by_id) {
			if (field(l, 2, &f) && parse_id(f, &v) == 0 &&
			    v == id) {
				*line = l;
				return 0;
			}
		} else if (field(l, 0, &f) && span_eq(f, key)) {
			*line = l;
			return 0;
		}
	}
	return -ENOENT;
}

static int refuse(struct error *err, int code, struct span s,
		  const char *why)
{
	return error_set(err, code, "User", "'%.*s': %s",
			 (int)(s.len > USER_NAME_MAX ? USER_NAME_MAX : s.len),
			 s.p, why);
}

/* An id given as number or name from text (field 2 of its line). */
static int resolve_id(struct span s, const char *text, size_t len,
		      const char *file, uint32_t *id, struct span *line,
		      struct error *err)
{
	struct span f;
	int r;

	if (all_digits(s)) {
		r = parse_id(s, id);
		if (r < 0)
			return refuse(err, r, s, "id out of range");
		if (line && find_line(text, len, s, true, *id, line) < 0)
			line->len = 0;
		return 0;
	}
	if (s.len == 0 || s.len > USER_NAME_MAX || memchr(s.p, '\n', s.len))
		return refuse(err, -OCIBOOT_EMALFORMED, s, "not a name");
	if (find_line(text, len, s, false, 0, &f) < 0)
		return error_set(err, -ENOENT, "User", "'%.*s': no such name "
				 "in the image's %s", (int)s.len, s.p, file);
	if (!field(f, 2, &s) || parse_id(s, id) < 0)
		return refuse(err, -OCIBOOT_EMALFORMED, s, "bad id in the "
			      "image's entry");
	if (line)
		*line = f;
	return 0;
}

int user_resolve(const char *user, const char *passwd, size_t passwd_len,
		 const char *group, size_t group_len, uint32_t *uid,
		 uint32_t *gid, struct error *err)
{
	const char *colon;
	struct span u, g, line = { NULL, 0 }, f;
	uint32_t user_id = 0, group_id = 0;
	int r;

	error_clear(err);
	if (!user || !user[0]) {
		*uid = 0;
		*gid = 0;
		return 0;
	}
	u.p = user;
	u.len = strnlen(user, 2 * USER_NAME_MAX + 2);
	colon = memchr(u.p, ':', u.len);
	g.p = colon ? colon + 1 : NULL;
	g.len = colon ? u.len - (size_t)(colon + 1 - u.p) : 0;
	if (colon)
		u.len = (size_t)(colon - u.p);
	r = resolve_id(u, passwd, passwd_len, "/etc/passwd", &user_id, &line,
		       err);
	if (r < 0)
		return r;
	if (colon) {
		r = resolve_id(g, group, group_len, "/etc/group", &group_id,
			       NULL, err);
		if (r < 0)
			return r;
	} else if (line.len && field(line, 3, &f) &&
		   parse_id(f, &group_id) < 0) {
		return refuse(err, -OCIBOOT_EMALFORMED, f, "bad gid in the "
			      "image's /etc/passwd");
	}
	*uid = user_id;
	*gid = group_id;
	return 0;
}
