/* SPDX-License-Identifier: MIT */
/* The initrd builder; see initrd.h. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <zstd.h>

#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/fileio_alloc.h"
#include "lib/util.h"
#include "ukify/cpio.h"
#include "ukify/initrd.h"
#include "ukify/moddep.h"
#include "ukify/modsets.h"

#define MODULES_LIST "etc/ociboot/modules"
#define MODULES_FS_DIR "etc/ociboot/modules.d"
#define CA_DIR "etc/ociboot/ca"
#define TLS_CA_DIR "etc/ociboot/tls"

struct builder {
	const struct initrd_options *o;
	struct cpio cpio;
	char kver[INITRD_KVER_MAX + 1];
	struct modsets_host *host;	/* host-only names, while resolving */
	bool *in_archive;	/* by module index: its file is added */
	struct error *err;	/* the caller's */
};

/*
 * Modules the init loads apart from the boot's list (initrd.h), each group
 * into a list of its own: the filesystems a store may hold, when the store
 * is of that filesystem; efivarfs, when the kernel does not say Secure
 * Boot is on; the layers' modules (loop, squashfs, dm-verity, overlay),
 * beside the store and verify stages, which do not need them. members are
 * the requested names that go to the list; soft is the module a member
 * asks the kernel for by an alias at load time (modules.softdep: "pre:
 * crypto-crc32c"), which modules.dep does not list; it goes first in the
 * list when this kernel has it as a module.
 */
#define OWN_LIST_MEMBERS_MAX 4

static const struct own_list {
	const char *name;		/* modules.d/NAME */
	const char *members[OWN_LIST_MEMBERS_MAX];
	const char *soft;		/* or NULL */
} own_lists[] = {
	{ "ext4", { "ext4" }, "crc32c_generic" },
	{ "erofs", { "erofs" }, "crc32c_generic" },
	{ "efivarfs", { "efivarfs" }, NULL },
	{ "layers", { "loop", "squashfs", "dm_verity", "overlay" }, NULL },
};

static bool is_printable_word(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '/')
			return false;
	return true;
}

int initrd_kver(const char *modules_dir, char kver[INITRD_KVER_MAX + 1])
{
	size_t end = strlen(modules_dir), start;

	while (end > 1 && modules_dir[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && modules_dir[start - 1] != '/')
		start--;
	if (end - start == 0 || end - start > INITRD_KVER_MAX ||
	    !is_printable_word(modules_dir + start, end - start))
		return -EINVAL;
	if ((end - start == 1 && modules_dir[start] == '.') ||
	    (end - start == 2 && modules_dir[start] == '.' &&
	     modules_dir[start + 1] == '.'))
		return -EINVAL;
	memcpy(kver, modules_dir + start, end - start);
	kver[end - start] = '\0';
	return 0;
}

static int add_skeleton(struct builder *b)
{
	static const char *const dirs[] = {
		"dev", "proc", "sys", "run", "sysroot", "etc/ociboot",
	};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(dirs) && r == 0; i++)
		r = cpio_add_dir(&b->cpio, dirs[i], 0755);
	if (r == 0)
		r = cpio_add_chardev(&b->cpio, "dev/console", 0600, 5, 1);
	if (r < 0)
		return error_set(b->err, r, NULL, "the initrd's directories");
	return 0;
}

static int add_init(struct builder *b)
{
	uint8_t *data;
	size_t len;
	int r;

	r = fileio_read_file_alloc(AT_FDCWD, b->o->init, INITRD_INIT_MAX,
				   FILEIO_REGULAR, &data, &len);
	if (r < 0)
		return error_set(b->err, r, NULL, "init %s", b->o->init);
	r = cpio_add_file(&b->cpio, "init", 0755, data, len);
	free(data);
	return r < 0 ? error_set(b->err, r, NULL, "init %s", b->o->init) : 0;
}

/* Read DIR/NAME; a missing optional file reads as empty. */
static int read_modules_file(struct builder *b, const char *name,
			     bool optional, uint8_t **data, size_t *len)
{
	char path[4096];
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", b->o->modules_dir,
			     name) >= sizeof(path))
		return error_set(b->err, -ENAMETOOLONG, NULL, "%s/%s",
				 b->o->modules_dir, name);
	r = fileio_read_file_alloc(AT_FDCWD, path, MODDEP_FILE_MAX,
				   FILEIO_REGULAR, data, len);
	if (r == -ENOENT && optional) {
		*data = NULL;
		*len = 0;
		return 0;
	}
	return r < 0 ? error_set(b->err, r, NULL, "%s", path) : 0;
}

static int load_moddep(struct builder *b, struct moddep *md)
{
	uint8_t *dep, *builtin;
	size_t dep_len, builtin_len;
	int r;

	r = read_modules_file(b, "modules.dep", false, &dep, &dep_len);
	if (r < 0)
		return r;
	r = read_modules_file(b, "modules.builtin", true, &builtin,
			      &builtin_len);
	if (r < 0)
		goto out_free_dep;
	r = moddep_parse(md, (const char *)dep, dep_len,
			 (const char *)builtin, builtin_len);
	if (r < 0)
		error_set(b->err, r, NULL, "%s/modules.dep or modules.builtin",
			  b->o->modules_dir);
	free(builtin);
out_free_dep:
	free(dep);
	return r;
}

static int resolve_failure(struct builder *b, int r, const char *culprit)
{
	const char *dir = b->o->modules_dir;

	switch (r) {
	case -ENOENT:
		return error_set(b->err, r, NULL, "module '%s' is not in "
				 "%s/modules.dep (built into this kernel, or "
				 "misspelt? modules.builtin and `ls -R %s` "
				 "tell)", culprit, dir, dir);
	case -ELOOP:
		return error_set(b->err, r, NULL, "module '%s' is in a "
				 "dependency cycle in %s/modules.dep", culprit,
				 dir);
	case -EINVAL:
		return error_set(b->err, r, NULL, "module name '%s'", culprit);
	}
	return error_set(b->err, r, NULL, "resolving modules at '%s' in "
			 "%s/modules.dep", culprit ? culprit : "?", dir);
}

/*
 * Add one module's line to a modules list, and its file to the archive
 * unless an earlier list added it.
 */
static int add_module(struct builder *b, const struct moddep *md, size_t i,
		      char **list, size_t *list_len)
{
	const char *rel = md->modules[i].path;
	char src[4096], dst[4096];
	uint8_t *data;
	size_t len;
	int n, r;

	snprintf(src, sizeof(src), "%s/%s", b->o->modules_dir, rel);
	n = snprintf(dst, sizeof(dst), "lib/modules/%s/%s", b->kver, rel);
	if (n < 0 || (size_t)n >= sizeof(dst) - 2)
		return error_set(b->err, -ENAMETOOLONG, NULL, "module %s", rel);
	if (!b->in_archive[i]) {
		r = fileio_read_file_alloc(AT_FDCWD, src, INITRD_MODULE_MAX,
					   FILEIO_REGULAR, &data, &len);
		if (r < 0)
			return error_set(b->err, r, NULL, "module %s", src);
		r = cpio_add_file(&b->cpio, dst, 0644, data, len);
		free(data);
		if (r < 0)
			return error_set(b->err, r, NULL, "module %s", src);
		b->in_archive[i] = true;
	}
	/* "/" + dst + "\n" */
	memcpy(*list + *list_len, "/", 1);
	memcpy(*list + *list_len + 1, dst, (size_t)n);
	(*list)[*list_len + 1 + (size_t)n] = '\n';
	*list_len += (size_t)n + 2;
	return 0;
}

/* The list at path (in the archive) of count modules md->modules[order[i]]. */
static int add_module_files(struct builder *b, const struct moddep *md,
			    const size_t *order, size_t count,
			    const char *path)
{
	char *list = calloc(count ? count : 1, 4096);
	size_t list_len = 0;
	int r = 0;

	if (!list)
		return error_set(b->err, -ENOMEM, NULL, "the modules list");
	for (size_t i = 0; i < count && r == 0; i++)
		r = add_module(b, md, order[i], &list, &list_len);
	if (r == 0) {
		r = cpio_add_file(&b->cpio, path, 0644, list, list_len);
		if (r < 0)
			error_set(b->err, r, NULL, "/%s", path);
	}
	free(list);
	return r;
}

/* Tell the caller the names of count modules md->modules[order[i]]. */
static void report_order(struct builder *b, const struct moddep *md,
			 const size_t *order, size_t count, const char *what)
{
	const char **names;

	if (!b->o->report)
		return;
	names = calloc(count ? count : 1, sizeof(*names));
	if (!names)
		return;
	for (size_t i = 0; i < count; i++)
		names[i] = md->modules[order[i]].name;
	b->o->report(b->o->report_ctx, what, names, count);
	free(names);
}

/* The names to resolve: the caller's, then the host's (host-only). */
static int module_names(struct builder *b, const struct moddep *md,
			const char ***names, size_t *count)
{
	struct modsets_host *host;
	const char **all;
	int r;

	*names = NULL;
	*count = b->o->module_count;
	all = calloc(b->o->module_count + MODSETS_HOST_MAX, sizeof(*all));
	host = b->o->host_sysfs ? malloc(sizeof(*host)) : NULL;
	if (!all || (b->o->host_sysfs && !host)) {
		r = error_set(b->err, -ENOMEM, NULL, "the module list");
		goto out;
	}
	for (size_t i = 0; i < b->o->module_count; i++)
		all[i] = b->o->modules[i];
	r = 0;
	if (host) {
		r = modsets_host(b->o->host_sysfs, b->o->modules_dir, md, host,
				 b->err);
		if (r < 0) {
			error_context(b->err, "host-only modules");
			goto out;
		}
		if (*count + host->count > INITRD_MODULES_MAX) {
			r = error_set(b->err, -OCIBOOT_ETOOBIG, NULL, "%zu "
				      "modules with the host's (at most %d)",
				      *count + host->count,
				      INITRD_MODULES_MAX);
			goto out;
		}
		for (size_t i = 0; i < host->count; i++)
			all[(*count)++] = host->names[i];
		if (b->o->report)
			b->o->report(b->o->report_ctx, "host-only",
				     all + b->o->module_count, host->count);
	}
	/* The host's names live in *host: hand both over together. */
	b->host = host;
	host = NULL;
	*names = all;
	all = NULL;
out:
	free(host);
	free(all);
	return r;
}

/*
 * Whether a requested name goes to a list of its own: *list its index in
 * own_lists[], *member its index in that list's members.
 */
static bool own_list_of(const char *name, size_t *list, size_t *member)
{
	char norm[MODDEP_NAME_MAX];

	if (moddep_normalize_name(name, norm) < 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(own_lists); i++)
		for (size_t j = 0; j < OWN_LIST_MEMBERS_MAX; j++)
			if (own_lists[i].members[j] &&
			    streq(own_lists[i].members[j], norm)) {
				*list = i;
				*member = j;
				return true;
			}
	return false;
}

/*
 * A list of its own: the soft dependency and the members requested (bit j
 * of wanted: members[j]) with their dependencies, less what the boot's
 * list (main[]) already loads.
 */
static int add_own_list(struct builder *b, const struct moddep *md,
			const struct own_list *list, unsigned int wanted,
			const bool *main)
{
	size_t order[INITRD_MODULES_MAX] = { 0 }, count = 0, kept = 0;
	char path[sizeof(MODULES_FS_DIR) + MODDEP_NAME_MAX + 1];
	char what[MODDEP_NAME_MAX + sizeof(" list")];
	const char *names[OWN_LIST_MEMBERS_MAX + 1], *culprit = NULL;
	size_t name_count = 0;
	int r;

	if (list->soft && moddep_find(md, list->soft) >= 0)
		names[name_count++] = list->soft;
	for (size_t j = 0; j < OWN_LIST_MEMBERS_MAX; j++)
		if (wanted & (1u << j))
			names[name_count++] = list->members[j];
	r = moddep_resolve(md, names, name_count, order, ARRAY_SIZE(order),
			   &count, &culprit);
	if (r < 0)
		return resolve_failure(b, r, culprit);
	for (size_t i = 0; i < count; i++)
		if (!main[order[i]])
			order[kept++] = order[i];
	snprintf(path, sizeof(path), "%s/%s", MODULES_FS_DIR, list->name);
	r = add_module_files(b, md, order, kept, path);
	if (r == 0) {
		snprintf(what, sizeof(what), "%s list", list->name);
		report_order(b, md, order, kept, what);
	}
	return r;
}

/*
 * The boot's list: every name without a list of its own, with their
 * dependencies; then each list of its own that a name went to.
 */
static int add_module_lists(struct builder *b, const struct moddep *md,
			    const char **names, size_t name_count)
{
	size_t order[INITRD_MODULES_MAX] = { 0 }, count = 0, main_count = 0;
	unsigned int wanted[ARRAY_SIZE(own_lists)] = { 0 };
	const char *culprit = NULL;
	size_t list, member;
	bool *main;
	int r;

	for (size_t i = 0; i < name_count; i++)
		if (own_list_of(names[i], &list, &member))
			wanted[list] |= 1u << member;
		else
			names[main_count++] = names[i];
	r = moddep_resolve(md, names, main_count, order, ARRAY_SIZE(order),
			   &count, &culprit);
	if (r < 0)
		return resolve_failure(b, r, culprit);
	r = add_module_files(b, md, order, count, MODULES_LIST);
	if (r < 0)
		return r;
	report_order(b, md, order, count, "load order");
	main = calloc(md->count ? md->count : 1, sizeof(*main));
	if (!main)
		return error_set(b->err, -ENOMEM, NULL, "the modules list");
	for (size_t i = 0; i < count; i++)
		main[order[i]] = true;
	for (size_t i = 0; i < ARRAY_SIZE(own_lists) && r == 0; i++)
		if (wanted[i])
			r = add_own_list(b, md, &own_lists[i], wanted[i],
					 main);
	free(main);
	return r;
}

static int add_modules(struct builder *b)
{
	size_t order[1] = { 0 }, name_count;
	const char **names;
	struct moddep md;
	int r;

	if (!b->o->modules_dir) {
		if (b->o->module_count || b->o->host_sysfs)
			return error_set(b->err, -EINVAL, NULL, "modules "
					 "without a modules directory");
		return add_module_files(b, NULL, order, 0, MODULES_LIST);
	}
	if (initrd_kver(b->o->modules_dir, b->kver) < 0)
		return error_set(b->err, -EINVAL, NULL, "modules directory %s",
				 b->o->modules_dir);
	r = load_moddep(b, &md);
	if (r < 0)
		return r;
	b->in_archive = calloc(md.count ? md.count : 1,
			       sizeof(*b->in_archive));
	if (!b->in_archive)
		r = error_set(b->err, -ENOMEM, NULL, "the module list");
	if (r == 0)
		r = module_names(b, &md, &names, &name_count);
	if (r == 0) {
		r = add_module_lists(b, &md, names, name_count);
		free(names);
	}
	free(b->in_archive);
	b->in_archive = NULL;
	free(b->host);
	b->host = NULL;
	moddep_free(&md);
	return r;
}

/* NAME of NAME.pem: the base name without a .pem/.crt/.cer suffix. */
static int ca_name(const char *path, char name[INITRD_CA_NAME_MAX + 1])
{
	static const char *const suffixes[] = { ".pem", ".crt", ".cer" };
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t n = strlen(suffixes[i]);

		if (len > n && streq(base + len - n, suffixes[i])) {
			len -= n;
			break;
		}
	}
	if (len == 0 || len > INITRD_CA_NAME_MAX || base[0] == '.')
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = base[i];

		if (!(c == '-' || c == '_' || c == '.' ||
		      (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return -EINVAL;
	}
	memcpy(name, base, len);
	name[len] = '\0';
	return 0;
}

/* One PEM block: must be a whole X.509 certificate; re-encode it to out. */
static int ca_block(const char *name, const char *header,
		    const unsigned char *data, long len, BIO *out)
{
	const unsigned char *p = data;
	X509 *cert;
	int ok;

	if (!streq(name, PEM_STRING_X509) || header[0] != '\0')
		return -OCIBOOT_EMALFORMED;
	cert = d2i_X509(NULL, &p, len);
	if (!cert || p != data + len) {
		X509_free(cert);
		return -OCIBOOT_EMALFORMED;
	}
	ok = PEM_write_bio_X509(out, cert);
	X509_free(cert);
	return ok ? 0 : -ENOMEM;
}

/* Every PEM block of in into out; at least one, nothing else. */
static int ca_canonical(BIO *in, BIO *out)
{
	int count = 0, r = 0;

	ERR_clear_error();
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		long len;

		if (!PEM_read_bio(in, &name, &header, &data, &len))
			break;
		if (++count > INITRD_CAS_MAX)
			r = -OCIBOOT_ETOOBIG;
		else
			r = ca_block(name, header, data, len, out);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		if (r < 0)
			return r;
	}
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
		r = -OCIBOOT_EMALFORMED;
	ERR_clear_error();
	return r < 0 || count == 0 ? -OCIBOOT_EMALFORMED : 0;
}

static int add_ca_data(struct builder *b, const char *dir, const char *name,
		       const uint8_t *data, size_t len)
{
	BIO *in = BIO_new_mem_buf(data, (int)len);
	BIO *out = BIO_new(BIO_s_mem());
	char path[sizeof(TLS_CA_DIR) + INITRD_CA_NAME_MAX + 8];
	char *pem;
	long pem_len;
	int r = -ENOMEM;

	if (in && out)
		r = ca_canonical(in, out);
	if (r == 0) {
		pem_len = BIO_get_mem_data(out, &pem);
		snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
		r = cpio_add_file(&b->cpio, path, 0644, pem, (size_t)pem_len);
	}
	BIO_free(in);
	BIO_free(out);
	return r;
}

static int add_ca(struct builder *b, const char *dir, const char *path)
{
	char name[INITRD_CA_NAME_MAX + 1];
	uint8_t *data;
	size_t len;
	int r;

	if (ca_name(path, name) < 0)
		return error_set(b->err, -EINVAL, NULL, "CA file name %s "
				 "(want NAME.pem, NAME of letters, digits, "
				 "'.', '-', '_')", path);
	r = fileio_read_file_alloc(AT_FDCWD, path, INITRD_CA_MAX,
				   FILEIO_REGULAR, &data, &len);
	if (r < 0)
		return error_set(b->err, r, NULL, "CA file %s", path);
	r = add_ca_data(b, dir, name, data, len);
	free(data);
	if (r == -OCIBOOT_EMALFORMED)
		return error_set(b->err, r, NULL, "CA file %s (want only PEM "
				 "X.509 certificates)", path);
	return r < 0 ? error_set(b->err, r, NULL, "CA file %s", path) : 0;
}

static int add_cas(struct builder *b)
{
	int r = 0;

	if (b->o->ca_count > INITRD_CAS_MAX)
		return error_set(b->err, -OCIBOOT_ETOOBIG, NULL, "%zu CA files "
				 "(at most %d)", b->o->ca_count,
				 INITRD_CAS_MAX);
	if (b->o->tls_ca_count > INITRD_CAS_MAX)
		return error_set(b->err, -OCIBOOT_ETOOBIG, NULL, "%zu TLS CA "
				 "files (at most %d)", b->o->tls_ca_count,
				 INITRD_CAS_MAX);
	for (size_t i = 0; i < b->o->ca_count && r == 0; i++)
		r = add_ca(b, CA_DIR, b->o->cas[i]);
	for (size_t i = 0; i < b->o->tls_ca_count && r == 0; i++)
		r = add_ca(b, TLS_CA_DIR, b->o->tls_cas[i]);
	return r;
}

static int zstd_compress(const uint8_t *in, size_t len, uint8_t **out,
			 size_t *out_len)
{
	size_t bound = ZSTD_compressBound(len), n;
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	uint8_t *buf = malloc(bound ? bound : 1);
	int r = -ENOMEM;

	if (!cctx || !buf || ZSTD_isError(bound))
		goto out;
	/* Single-threaded at a fixed level: the same bytes every time. */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx,
			ZSTD_c_compressionLevel, INITRD_ZSTD_LEVEL)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx,
			ZSTD_c_checksumFlag, 1))) {
		r = -EINVAL;
		goto out;
	}
	n = ZSTD_compress2(cctx, buf, bound, in, len);
	if (ZSTD_isError(n)) {
		r = -EIO;
		goto out;
	}
	*out = buf;
	*out_len = n;
	buf = NULL;
	r = 0;
out:
	free(buf);
	ZSTD_freeCCtx(cctx);
	return r;
}

static int finish(struct builder *b, uint8_t **out, size_t *out_len)
{
	uint8_t *archive;
	size_t len;
	int r;

	r = cpio_write(&b->cpio, b->o->mtime, &archive, &len);
	if (r == -EEXIST)
		return error_set(b->err, r, NULL, "two initrd entries with one "
				 "path (two CA files with one name?)");
	if (r < 0)
		return error_set(b->err, r, NULL, "writing the cpio archive");
	if (b->o->compression == INITRD_COMPRESS_NONE) {
		*out = archive;
		*out_len = len;
		return 0;
	}
	r = zstd_compress(archive, len, out, out_len);
	free(archive);
	return r < 0 ? error_set(b->err, r, NULL, "zstd compression") : 0;
}

int initrd_build(const struct initrd_options *o, uint8_t **out,
		 size_t *out_len, struct error *err)
{
	struct builder b = { .o = o, .err = err };
	int r;

	if (!o->init)
		return error_set(b.err, -EINVAL, NULL, "no init binary given");
	cpio_init(&b.cpio);
	r = add_skeleton(&b);
	if (r == 0)
		r = add_init(&b);
	if (r == 0)
		r = add_modules(&b);
	if (r == 0)
		r = add_cas(&b);
	if (r == 0)
		r = finish(&b, out, out_len);
	cpio_free(&b.cpio);
	return r;
}
