/* SPDX-License-Identifier: MIT */
/*
 * An image config's User as a runtime needs it: numeric uid and gid.
 *
 * The forms image-spec allows: "" (root), "user", "uid", "user:group",
 * "uid:gid", "uid:group", "user:gid". Names are looked up in the image's
 * own /etc/passwd and /etc/group (their text given here; either may be
 * empty when the image has none). A user given alone takes the gid of its
 * passwd entry; a uid that passwd does not name takes gid 0, as runc and
 * Docker do. A name that the file does not hold is refused (-ENOENT), as
 * is a number over 2^32 - 2 (-ERANGE) or anything else malformed
 * (-OCIBOOT_EMALFORMED). Numbers are decimal, no sign or spaces.
 *
 * Nothing here allocates or logs; the files are untrusted text (they come
 * from a verified image, but one the product's builder chose), read with
 * a bound on every line and field.
 */
#ifndef OCIBOOT_SERVICE_USER_H
#define OCIBOOT_SERVICE_USER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* Bytes of /etc/passwd or /etc/group read from an image. */
#define USER_FILE_MAX 65536
/* Bytes of a user or group name. */
#define USER_NAME_MAX 256
/* The highest id a runtime takes ((uid_t)-1 means "no change"). */
#define USER_ID_MAX UINT32_C(4294967294)

int user_resolve(const char *user, const char *passwd, size_t passwd_len,
		 const char *group, size_t group_len, uint32_t *uid,
		 uint32_t *gid, struct error *err);

#endif
