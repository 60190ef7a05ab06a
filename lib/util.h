/* SPDX-License-Identifier: MIT */
/*
 * Small helpers every module may use: array sizes, cleanup attributes,
 * overflow-checked size arithmetic and constant-time comparison.
 * Header only; nothing here allocates or logs.
 */
#ifndef OCIBOOT_UTIL_H
#define OCIBOOT_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Errors beyond errno for protocol failures, kept distinct up to the log. */
enum {
	OCIBOOT_EMALFORMED = 4096,	/* input does not parse */
	OCIBOOT_ETOOBIG,		/* a count, length or depth over its cap */
	OCIBOOT_EPROTO,			/* a peer broke the protocol */
	OCIBOOT_ETIMEOUT,		/* a deadline passed */
	OCIBOOT_EVERIFY,		/* a signature, digest or hash mismatch */
	OCIBOOT_ENOTFOUND,		/* a peer has no such thing (HTTP 404,
					 * NXDOMAIN): not a missing file */
};

/* strerror() that also names the errors above. */
static inline const char *ociboot_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case OCIBOOT_EMALFORMED: return "malformed input";
	case OCIBOOT_ETOOBIG: return "over a size limit";
	case OCIBOOT_EPROTO: return "protocol violation";
	case OCIBOOT_ETIMEOUT: return "timed out";
	case OCIBOOT_EVERIFY: return "verification failed";
	case OCIBOOT_ENOTFOUND: return "not found";
	}
	return strerror(err);
}

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* a + b into *out; false when it overflows. */
static inline bool size_add(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool size_mul(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Compare n bytes in time independent of their contents. */
static inline bool ct_memeq(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

static inline void close_fdp(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_close_ __attribute__((cleanup(close_fdp)))

#endif
