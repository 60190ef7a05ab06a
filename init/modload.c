/* SPDX-License-Identifier: MIT */
/* Loading a module list with a log line a module; see modload.h. */
#include "init/modload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "init/log.h"
#include "init/modules.h"
#include "lib/clock.h"
#include "lib/fileio.h"

struct module_walk {
	const struct modload_options *opt;
	struct modload_result *res;
	struct error *err;		/* why a module failed to load */
};

/* Load one module of the list; a failure is recorded in the walk. */
static int load_module(void *ctx, const char *path)
{
	struct module_walk *w = ctx;
	char name[MODULES_NAME_MAX + 1];
	int64_t start;
	int r;

	if (!w->opt->network && modules_is_network(path)) {
		w->res->skipped++;
		return 0;
	}
	if (modules_name(path, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "%s", path);
	if (w->opt->doing)
		w->opt->doing(w->opt->ctx, name);
	start = clock_now_ms();
	r = modules_load(path);
	if (r == -ENODEV) {
		/*
		 * The module itself found nothing to drive here (efivarfs
		 * without EFI): not loading it weakens nothing, and a later
		 * stage that needs it fails with its own reason.
		 */
		log_warning("modules", "%s: no such device here, not loaded",
			    name);
		w->res->absent++;
		return 0;
	}
	if (r == -EKEYREJECTED || r == -EPERM || r == -ENOKEY)
		return error_set(w->err, r, NULL, "loading module %s "
				 "(refused under Secure Boot lockdown: take "
				 "signed modules from the kernel package that "
				 "built the kernel in kernel.efi)", path);
	if (r == -ENOEXEC || r == -EINVAL)
		return error_set(w->err, r, NULL, "loading module %s (not "
				 "for this kernel: ukify initrd --modules-dir "
				 "must be /lib/modules/KVER of the kernel in "
				 "kernel.efi)", path);
	if (r < 0)
		return error_set(w->err, r, NULL, "loading module %s", path);
	if (r == 0)
		log_info("modules", "loaded %s in %lld ms", name,
			 (long long)(clock_now_ms() - start));
	else
		log_info("modules", "%s was already loaded", name);
	w->res->loaded++;
	return 0;
}

int modload_list(const char *path, char *buf, size_t size,
		 const struct modload_options *opt,
		 struct modload_result *res, struct error *err)
{
	struct module_walk walk = { opt, res, err };
	struct error list_err;
	ssize_t n;
	int r;

	memset(res, 0, sizeof(*res));
	error_clear(err);
	n = fileio_read_text(AT_FDCWD, path, buf, size, 0);
	if (n == -ENOENT) {
		res->no_list = true;
		return 0;
	}
	if (n < 0)
		return error_set(err, (int)n, NULL, "reading %s", path);
	r = modules_parse_list(buf, (size_t)n, load_module, &walk, &list_err);
	if (r < 0 && error_failed(err))
		return r;
	if (r < 0) {
		*err = list_err;
		error_context(err, "%s", path);
		return r;
	}
	return 0;
}
