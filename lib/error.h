/* SPDX-License-Identifier: MIT */
/*
 * The one record of why something failed, filled where the failure is
 * found and printed once, by whoever decides what to do about it:
 *
 *	struct error err;
 *
 *	error_clear(&err);
 *	r = layout_open(&layout, AT_FDCWD, path, &err);
 *	if (r < 0) {
 *		error_format(&err, line, sizeof(line));
 *		log_fatal("store", "%s", line);
 *	}
 *
 * and inside a module:
 *
 *	if (size > cap)
 *		return error_set(err, -OCIBOOT_ETOOBIG, path,
 *				 "%zu bytes, over the cap of %zu", size, cap);
 *
 * A record holds:
 *   code    the -errno or -OCIBOOT_E* the failing function returned;
 *   reason  the module's own reason number (an enum of that module; 0 when
 *           it has none), for tests and callers that branch on it;
 *   what    the thing that failed, as the user knows it: a digest, a file,
 *           a certificate subject, a kernel command line key;
 *   why     what was wrong with it, with the values that prove it;
 *   where   where in it: a byte offset (offset, or ERROR_NO_OFFSET) and/or
 *           a path inside a document ("$.layers[2].digest") or a file.
 * Text is NUL-terminated, cut short with "..." when it does not fit, and
 * made printable (bytes outside printable ASCII written as \xHH) as it is
 * stored, so a record holding untrusted text is safe to log.
 *
 * Every function taking a struct error * accepts NULL (the caller wants
 * only the code). Library code fills records and never logs. Nothing here
 * allocates.
 */
#ifndef OCIBOOT_LIB_ERROR_H
#define OCIBOOT_LIB_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bytes of each text field, NUL included: room for a digest and a
 * certificate subject in what, a JSON path of oci/json's depth in where.
 */
#define ERROR_WHAT_MAX 640
#define ERROR_WHY_MAX 512
#define ERROR_WHERE_MAX 160
/* An error_format() line always fits in this many bytes. */
#define ERROR_LINE_MAX (ERROR_WHAT_MAX + ERROR_WHY_MAX + ERROR_WHERE_MAX + 96)

#define ERROR_NO_OFFSET UINT64_MAX

struct error {
	int code;			/* negative; 0 while nothing failed */
	int reason;			/* the module's reason, or 0 */
	uint64_t offset;		/* byte offset, or ERROR_NO_OFFSET */
	char what[ERROR_WHAT_MAX];
	char why[ERROR_WHY_MAX];
	char where[ERROR_WHERE_MAX];
};

/* Nothing failed: code and reason 0, no offset, empty texts. */
void error_clear(struct error *e);

/* True when e records a failure (and is not NULL). */
static inline int error_failed(const struct error *e)
{
	return e && e->code < 0;
}

/*
 * Record a failure: code (a negative errno or -OCIBOOT_E*; a positive one
 * is negated), what (NULL for none) and why, printf-style (NULL for
 * none). reason, offset and where are reset. Returns code, negative, so a
 * failure path reads `return error_set(err, -EINVAL, name, "...")`.
 */
__attribute__((format(printf, 4, 5)))
int error_set(struct error *e, int code, const char *what,
	      const char *why_fmt, ...);

__attribute__((format(printf, 4, 0)))
int error_vset(struct error *e, int code, const char *what,
	       const char *why_fmt, va_list ap);

/* The module's reason number; returns e's code (0 when e is NULL). */
int error_reason(struct error *e, int reason);

/* Where the failure applies; each returns e's code (0 when e is NULL). */
int error_at_offset(struct error *e, uint64_t offset);

__attribute__((format(printf, 2, 3)))
int error_at(struct error *e, const char *where_fmt, ...);

/*
 * Put context before what, as a failure travels up: "layer 2" then
 * "rootfs image" make what "rootfs image: layer 2: blobs/sha256/ab...".
 * Does nothing when e records no failure.
 */
__attribute__((format(printf, 2, 3)))
void error_context(struct error *e, const char *fmt, ...);

/*
 * The one line for a user or a log, into buf[size] (NUL-terminated, cut
 * with "..." when it does not fit; ERROR_LINE_MAX always fits):
 *
 *   WHAT: WHY (at WHERE, byte OFFSET): STRERROR
 *
 * Parts that are empty are left out with their punctuation; STRERROR is
 * ociboot_strerror(code), left out when why already ends with it. Returns
 * buf.
 */
const char *error_format(const struct error *e, char *buf, size_t size);

#endif
