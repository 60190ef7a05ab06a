/* SPDX-License-Identifier: MIT */
/*
 * Fuzz User resolution: the input is split at its first two NUL bytes
 * into the User string, the image's /etc/passwd and its /etc/group. A
 * refusal says why and writes no ids; ids are never above USER_ID_MAX.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "service/user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[3 * USER_FILE_MAX];
	const char *user, *passwd, *group;
	size_t plen, glen, ulen;
	uint32_t uid = 7, gid = 7;
	struct error err;
	int r;

	if (size >= sizeof(buf) - 3)
		return 0;
	memcpy(buf, data, size);
	memset(buf + size, 0, 3);
	user = buf;
	ulen = strlen(user);
	passwd = buf + ulen + 1;
	plen = ulen + 1 <= size ? strlen(passwd) : 0;
	group = passwd + plen + 1;
	glen = ulen + plen + 2 <= size ? strlen(group) : 0;
	r = user_resolve(user, passwd, plen, group, glen, &uid, &gid, &err);
	if (r < 0 && (err.code != r || !err.why[0] || uid != 7 || gid != 7))
		__builtin_trap();
	if (r == 0 && (uid > USER_ID_MAX || gid > USER_ID_MAX))
		__builtin_trap();
	return 0;
}
