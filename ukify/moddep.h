/* SPDX-License-Identifier: MIT */
/*
 * Kernel module dependencies from depmod's text files, and the order to
 * load a set of modules in.
 *
 * modules.dep has one line per loadable module, "PATH: DEP DEP ...", paths
 * relative to /lib/modules/KVER, each line listing every module PATH needs
 * (transitively). modules.builtin lists modules compiled into the kernel,
 * one path a line. Both are treated as untrusted text: every length and
 * count is capped and every path checked (relative, no "..", a .ko name).
 *
 * Module names compare as the kernel does: '-' and '_' are the same, so
 * "dm-verity", "dm_verity" and "dm-verity.ko" all name dm-verity.ko.
 */
#ifndef OCIBOOT_UKIFY_MODDEP_H
#define OCIBOOT_UKIFY_MODDEP_H

#include <stdbool.h>
#include <stddef.h>

#define MODDEP_FILE_MAX (16u << 20)	/* bytes of modules.dep or .builtin */
#define MODDEP_LINE_MAX 8192		/* bytes of one line */
#define MODDEP_MODULES_MAX 32768	/* lines of each file */
#define MODDEP_DEPS_MAX 256		/* dependencies on one line */
#define MODDEP_PATH_MAX 256		/* bytes of one module path */
#define MODDEP_NAME_MAX 56		/* module name with its NUL (kernel) */
#define MODDEP_DEPTH_MAX 64		/* nesting while resolving */

struct moddep_module {
	const char *path;		/* into moddep.text, NUL-terminated */
	char name[MODDEP_NAME_MAX];	/* normalised: '-' turned to '_' */
	bool builtin;			/* from modules.builtin: never loaded */
	size_t first_dep;		/* index into moddep.deps */
	size_t dep_count;
};

/* Parsed files. Fields are read-only for callers; free with moddep_free. */
struct moddep {
	char *text;			/* owned copy both files are cut from */
	struct moddep_module *modules;	/* loadable first, then builtin */
	size_t count;
	const char **deps;		/* dependency paths, into text */
	size_t dep_total;
	size_t *by_path;		/* loadable module indices by path */
	size_t loadable;
};

/*
 * Parse modules.dep (dep, dep_len bytes) and, when builtin is not NULL,
 * modules.builtin. Neither needs a NUL terminator. Returns 0 and fills md
 * (owned by the caller); -OCIBOOT_EMALFORMED for a bad line or path, or a
 * path listed twice; -OCIBOOT_ETOOBIG over a cap; -ENOMEM. md is
 * untouched on failure.
 */
int moddep_parse(struct moddep *md, const char *dep, size_t dep_len,
		 const char *builtin, size_t builtin_len);

void moddep_free(struct moddep *md);

/*
 * Normalise a module name as the user wrote it ("dm-verity",
 * "dm_verity.ko") into out. Returns 0, or -EINVAL when it is empty, too
 * long, or holds a '/' or a space.
 */
int moddep_normalize_name(const char *name, char out[MODDEP_NAME_MAX]);

/* Index of the module called name (any spelling), or -ENOENT / -EINVAL. */
long moddep_find(const struct moddep *md, const char *name);

/*
 * Resolve names[0..count) and everything they depend on into load order:
 * every module after all of its dependencies, each once, builtin modules
 * left out. Dependencies are visited in the reverse of their modules.dep
 * order, as modprobe does. Writes module indices to order (room for
 * order_max) and their number to *order_len. Returns 0; -ENOENT for an
 * unknown name or a dependency without its own line; -ELOOP for a
 * dependency cycle; -OCIBOOT_ETOOBIG when order_max or MODDEP_DEPTH_MAX
 * is exceeded; -EINVAL for a malformed name; -ENOMEM. On failure
 * *culprit (when not NULL) names the module or path at fault (a string
 * from names or md, valid while they are) and order is undefined.
 */
int moddep_resolve(const struct moddep *md, const char *const *names,
		   size_t count, size_t *order, size_t order_max,
		   size_t *order_len, const char **culprit);

#endif
