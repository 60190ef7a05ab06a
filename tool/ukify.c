/* SPDX-License-Identifier: MIT */
/*
 * `ociboot ukify` (also reached as `ukify`): build an initrd, build and
 * sign a unified kernel image, inspect a PE image.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/sha256.h"
#include "lib/fileio.h"
#include "lib/fileio_alloc.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"
#include "tool/output.h"
#include "tool/progress.h"
#include "ukify/authenticode.h"
#include "ukify/bzimage.h"
#include "ukify/initrd.h"
#include "ukify/modsets.h"
#include "ukify/pe.h"
#include "ukify/uki.h"
#include "version.h"	/* generated: OCIBOOT_VERSION */

#define DEFAULT_STUB "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"
#define INSPECT_MAX PE_FILE_MAX
/* Each command as typed: what its messages start with. */
#define INITRD "ukify initrd"
#define BUILD "ukify build"
#define INSPECT "ukify inspect"
#define PRESETS "ukify presets"
#define DEFAULT_SYSFS "/sys"

static const char initrd_description[] =
	"Build a reproducible initrd (newc cpio, zstd by default) holding\n"
	"/init, /dev/console, the named kernel modules and their\n"
	"dependencies from DIR/modules.dep (under /lib/modules/KVER, KVER\n"
	"being the base name of DIR, listed in load order in\n"
	"/etc/ociboot/modules) and each CA certificate as\n"
	"/etc/ociboot/ca/NAME.pem, each --tls-ca (the CAs of https\n"
	"registries, a set of their own) as /etc/ociboot/tls/NAME.pem.\n"
	"--module may repeat or list names\n"
	"separated by commas. --preset adds a named set of modules\n"
	"(`ukify presets` lists them: base, qemu, physical); --host-only adds\n"
	"the storage and network drivers of the machine this runs on, found\n"
	"in sysfs as dracut's host-only mode finds them. The modules in load\n"
	"order are printed. Times come from SOURCE_DATE_EPOCH (default 0).\n"
	"FILE's missing directories are created; an existing FILE is\n"
	"replaced only with --force. On a terminal the steps are shown on\n"
	"stderr (not with --quiet).\n";

static const char build_description[] =
	"Build a unified kernel image: the EFI stub (default\n"
	DEFAULT_STUB ")\n"
	"with .osrel, .cmdline, .uname, .sbat, .linux and .initrd sections.\n"
	"The initrd is read from --initrd or built as by `ukify initrd`\n"
	"(--init and the options after it).\n"
	".osrel defaults to ociboot's own os-release, --uname to the release\n"
	"in the kernel's header; --sbat lines are appended to the stub's\n"
	".sbat. With --key and --cert (unencrypted PEM, RSA) the image is\n"
	"signed; it must then have a --cmdline naming oci=, since a signed\n"
	"image without its own command line takes the boot entry's. It is\n"
	"Authenticode-signed with its signing time taken from\n"
	"SOURCE_DATE_EPOCH (default 0): the same inputs give the same bytes.\n"
	"FILE's missing directories are created; an existing FILE is\n"
	"replaced only with --force.\n";

static const char inspect_description[] =
	"List a PE image's sections (name, address, size, file offset and\n"
	"the SHA-256 of the contents as loaded) and its Authenticode\n"
	"signature: the signer's subject, whether the signed digest is this\n"
	"image's and whether the signature verifies with the certificate it\n"
	"carries.\n";

/* SOURCE_DATE_EPOCH, default 0, as a 32-bit count; or usage error. */
static int source_date_epoch(const struct cli_spec *spec, uint32_t *out)
{
	long long v;

	if (cli_source_date_epoch(UINT32_MAX, &v) < 0)
		return cli_usage(spec, "SOURCE_DATE_EPOCH is not a decimal "
				 "count of seconds below 2^32");
	*out = (uint32_t)v;
	return 0;
}

struct initrd_args {
	struct initrd_options o;
	const char *modules[INITRD_MODULES_MAX];
	const char *cas[INITRD_CAS_MAX];
	const char *tls_cas[INITRD_CAS_MAX];
	const char *output;
	const char *sysfs;
	bool host_only, force, quiet;
	struct progress progress;
};

static int add_module_name(struct initrd_args *a, const char *name,
			   struct error *err)
{
	if (a->o.module_count >= INITRD_MODULES_MAX)
		return error_set(err, -EINVAL, NULL, "more than %d modules",
				 INITRD_MODULES_MAX);
	a->modules[a->o.module_count++] = name;
	return 0;
}

/* Split a --module value on commas into a->modules. */
static int add_modules(void *args, const char *value, struct error *err)
{
	struct initrd_args *a = args;
	char *list = (char *)value;	/* argv's, which we may edit */

	for (char *save, *name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save))
		if (add_module_name(a, name, err) < 0)
			return -EINVAL;
	return 0;
}

/* Add the modules of each preset a --preset value names. */
static int add_presets(void *args, const char *value, struct error *err)
{
	struct initrd_args *a = args;
	char *list = (char *)value;	/* argv's, which we may edit */

	for (char *save, *name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		const struct modsets_preset *p = modsets_preset_find(name);

		if (!p)
			return error_set(err, -EINVAL, NULL, "names no preset "
					 "(`ukify presets` lists them)");
		for (size_t i = 0; i < p->module_count; i++)
			if (add_module_name(a, p->modules[i], err) < 0)
				return -EINVAL;
	}
	return 0;
}

static int add_ca(void *args, const char *value, struct error *err)
{
	struct initrd_args *a = args;

	if (a->o.ca_count >= INITRD_CAS_MAX)
		return error_set(err, -EINVAL, NULL, "more than %d --ca files",
				 INITRD_CAS_MAX);
	a->cas[a->o.ca_count++] = value;
	return 0;
}

static int add_tls_ca(void *args, const char *value, struct error *err)
{
	struct initrd_args *a = args;

	if (a->o.tls_ca_count >= INITRD_CAS_MAX)
		return error_set(err, -EINVAL, NULL, "more than %d --tls-ca "
				 "files", INITRD_CAS_MAX);
	a->tls_cas[a->o.tls_ca_count++] = value;
	return 0;
}

static int set_compress(void *args, const char *value, struct error *err)
{
	struct initrd_args *a = args;

	if (streq(value, "zstd"))
		a->o.compression = INITRD_COMPRESS_ZSTD;
	else if (streq(value, "none"))
		a->o.compression = INITRD_COMPRESS_NONE;
	else
		return error_set(err, -EINVAL, NULL, "takes none or zstd");
	return 0;
}

/* The initrd's options; init_flags: CLI_REQUIRED for `ukify initrd`. */
#define INITRD_OPTIONS(init_flags) \
	CLI_OPTION_STRING("init", 0, init_flags, "FILE", \
			  "the binary that becomes /init", \
			  struct initrd_args, o.init), \
	CLI_OPTION_STRING("modules-dir", 0, 0, "DIR", \
			  "/lib/modules/KVER to take modules from", \
			  struct initrd_args, o.modules_dir), \
	CLI_OPTION_CALL("module", 0, CLI_REPEAT, "NAME[,NAME...]", \
			"modules, with their dependencies", \
			add_modules), \
	CLI_OPTION_CALL("preset", 0, CLI_REPEAT, "NAME[,NAME...]", \
			"a named set of modules (base, qemu, physical)", \
			add_presets), \
	CLI_OPTION_FLAG("host-only", 0, "add this machine's storage and " \
			"network drivers", struct initrd_args, host_only), \
	CLI_OPTION_STRING("sysfs", 0, 0, "DIR", "where --host-only reads " \
			  "sysfs (default " DEFAULT_SYSFS ")", \
			  struct initrd_args, sysfs), \
	CLI_OPTION_FLAG("force", 0, "replace the output if it exists", \
			struct initrd_args, force), \
	CLI_OPTION_FLAG("quiet", 'q', "show no progress", \
			struct initrd_args, quiet), \
	CLI_OPTION_CALL("ca", 0, CLI_REPEAT, "FILE", \
			"a CA certificate for /etc/ociboot/ca", add_ca), \
	CLI_OPTION_CALL("tls-ca", 0, CLI_REPEAT, "FILE", \
			"a registry's TLS CA for /etc/ociboot/tls", \
			add_tls_ca), \
	CLI_OPTION_CALL("compress", 0, 0, "none|zstd", \
			"the initrd's compression (default zstd)", \
			set_compress), \
	CLI_OPTION_STRING("output", 0, CLI_REQUIRED, "FILE", \
			  "where the result goes", struct initrd_args, \
			  output)

static void initrd_args_init(struct initrd_args *a)
{
	memset(a, 0, sizeof(*a));
	a->o.modules = a->modules;
	a->o.cas = a->cas;
	a->o.tls_cas = a->tls_cas;
	a->o.compression = INITRD_COMPRESS_ZSTD;
}

/* The initrd options together; 0 or -EINVAL. */
static int check_initrd_args(const struct cli_spec *spec, void *args)
{
	struct initrd_args *a = args;

	if (!a->o.init)
		return cli_usage(spec, "--init is required");
	if ((a->o.module_count || a->host_only) && !a->o.modules_dir)
		return cli_usage(spec, "--module, --preset and --host-only "
				 "need --modules-dir /lib/modules/KVER");
	if (a->sysfs && !a->host_only)
		return cli_usage(spec, "--sysfs goes with --host-only");
	if (a->host_only)
		a->o.host_sysfs = a->sysfs ? a->sysfs : DEFAULT_SYSFS;
	return source_date_epoch(spec, &a->o.mtime);
}

static const struct cli_option initrd_options[] = {
	INITRD_OPTIONS(CLI_REQUIRED),
};

static const struct cli_spec initrd_spec =
	CLI_SPEC(INITRD, initrd_description, initrd_options, check_initrd_args);

/* "WHAT: NAME NAME ..." on stdout, for the user to see and keep. */
static void report_modules(void *ctx, const char *what,
			   const char *const *names, size_t count)
{
	struct initrd_args *a = ctx;

	progress_done(&a->progress);
	printf("modules (%s): ", what);
	for (size_t i = 0; i < count; i++)
		printf("%s%s", i ? " " : "", names[i]);
	printf("%s\n", count ? "" : "none");
}

static int make_initrd(const char *cmd, struct initrd_args *a, uint8_t **out,
		       size_t *out_len)
{
	char line[ERROR_LINE_MAX];
	struct error err;
	int r;

	error_clear(&err);
	a->o.report = report_modules;
	a->o.report_ctx = a;
	progress_init(&a->progress, cmd, a->quiet);
	progress_force(&a->progress, "building the initrd (modules, CAs, "
		       "%s)", a->o.compression == INITRD_COMPRESS_ZSTD ?
		       "zstd" : "no compression");
	r = initrd_build(&a->o, out, out_len, &err);
	progress_done(&a->progress);
	if (r == 0)
		return 0;
	if (streq(cmd, BUILD))
		error_context(&err, "initrd");
	return cli_failure(cmd, "%s", error_format(&err, line, sizeof(line)));
}

static int cmd_initrd(int argc, char **argv)
{
	struct initrd_args a;
	uint8_t *buf;
	size_t len;
	int r;

	initrd_args_init(&a);
	r = cli_parse(&initrd_spec, argc, argv, &a, NULL);
	if (r)
		return cli_exit_status(r);
	r = output_prepare(INITRD, a.output, a.force);
	if (r)
		return r;
	r = make_initrd(INITRD, &a, &buf, &len);
	if (r)
		return r;
	r = fileio_replace(AT_FDCWD, a.output, buf, len, 0644);
	free(buf);
	if (r < 0)
		return cli_failure_errno(INITRD, r, "writing %s", a.output);
	return CLI_EXIT_SUCCESS;
}

/* The initrd's options are the build's too: the same table offsets. */
struct build_args {
	struct initrd_args initrd;
	const char *stub, *kernel, *initrd_file, *cmdline, *osrel, *uname;
	const char *sbat, *key, *cert;
	uint32_t epoch;			/* the signing time */
};

_Static_assert(offsetof(struct build_args, initrd) == 0,
	       "initrd options parse into a build's arguments");

/* Inputs read from files, freed together. */
struct build_files {
	uint8_t *stub, *kernel, *initrd, *osrel, *sbat, *key, *cert;
	size_t stub_len, kernel_len, initrd_len, osrel_len, sbat_len;
	size_t key_len, cert_len;
	char osrel_default[256];
	char uname[BZIMAGE_RELEASE_MAX + 1];
};

static void build_files_free(struct build_files *f)
{
	free(f->stub);
	free(f->kernel);
	free(f->initrd);
	free(f->osrel);
	free(f->sbat);
	free(f->key);
	free(f->cert);
}

static int check_build_args(const struct cli_spec *spec, void *args)
{
	struct build_args *b = args;
	const struct initrd_args *i = &b->initrd;

	if (!b->key != !b->cert)
		return cli_usage(spec, "--key and --cert go together");
	if (b->initrd_file && (i->o.init || i->o.modules_dir ||
			       i->o.module_count || i->o.ca_count ||
			       i->host_only))
		return cli_usage(spec, "--initrd excludes --init, "
				 "--modules-dir, --module, --preset, "
				 "--host-only and --ca");
	if (b->key && source_date_epoch(spec, &b->epoch) < 0)
		return -EINVAL;
	if (b->key && (!b->cmdline ||
		       !uki_cmdline_names_oci(b->cmdline, strlen(b->cmdline))))
		return cli_usage(spec, "a signed image needs --cmdline naming "
				 "oci= (else whoever sets a boot entry chooses "
				 "where the system comes from)");
	if (!b->initrd_file)
		return check_initrd_args(spec, args);
	return 0;
}

#define BUILD_OPTION(name, flags, arg, help, field) \
	CLI_OPTION_STRING(name, 0, flags, arg, help, struct build_args, field)

static const struct cli_option build_options[] = {
	BUILD_OPTION("stub", 0, "FILE", "the EFI stub", stub),
	BUILD_OPTION("kernel", CLI_REQUIRED, "FILE", "the kernel (bzImage)",
		     kernel),
	BUILD_OPTION("initrd", 0, "FILE", "an initrd built before",
		     initrd_file),
	BUILD_OPTION("cmdline", 0, "STRING", "the kernel command line",
		     cmdline),
	BUILD_OPTION("osrel", 0, "FILE", "the os-release for .osrel", osrel),
	BUILD_OPTION("uname", 0, "STRING", "the kernel release", uname),
	BUILD_OPTION("sbat", 0, "FILE", "SBAT lines to add", sbat),
	BUILD_OPTION("key", 0, "KEY.pem", "sign with this RSA key", key),
	BUILD_OPTION("cert", 0, "CERT.pem", "and this certificate", cert),
	INITRD_OPTIONS(0),
};

static const struct cli_spec build_spec =
	CLI_SPEC(BUILD, build_description, build_options, check_build_args);

static int read_input(const char *what, const char *path, size_t max,
		      uint8_t **buf, size_t *len)
{
	int r = fileio_read_file_alloc(AT_FDCWD, path, max, FILEIO_REGULAR,
				       buf, len);

	return r < 0 ? cli_failure_errno(BUILD, r, "%s %s", what, path) : 0;
}

static int read_build_files(const struct build_args *b, struct build_files *f)
{
	int r;

	r = read_input("stub", b->stub, UKI_STUB_MAX, &f->stub, &f->stub_len);
	if (r == 0)
		r = read_input("kernel", b->kernel, UKI_KERNEL_MAX, &f->kernel,
			       &f->kernel_len);
	if (r == 0 && b->initrd_file)
		r = read_input("initrd", b->initrd_file, UKI_INITRD_MAX,
			       &f->initrd, &f->initrd_len);
	if (r == 0 && b->osrel)
		r = read_input("os-release", b->osrel, UKI_OSREL_MAX,
			       &f->osrel, &f->osrel_len);
	if (r == 0 && b->sbat)
		r = read_input("SBAT", b->sbat, UKI_SBAT_MAX, &f->sbat,
			       &f->sbat_len);
	if (r == 0 && b->key)
		r = read_input("key", b->key, AUTHENTICODE_PEM_MAX, &f->key,
			       &f->key_len);
	if (r == 0 && b->cert)
		r = read_input("certificate", b->cert, AUTHENTICODE_PEM_MAX,
			       &f->cert, &f->cert_len);
	return r;
}

/* The kernel release: --uname, or the kernel's own header. */
static int find_uname(const struct build_args *b, struct build_files *f)
{
	char kver[INITRD_KVER_MAX + 1];

	if (b->uname) {
		snprintf(f->uname, sizeof(f->uname), "%s", b->uname);
		if (strlen(b->uname) >= sizeof(f->uname))
			return cli_failure_errno(BUILD, -EINVAL, "--uname '%s' "
						 "is longer than %d bytes",
						 b->uname, BZIMAGE_RELEASE_MAX);
	} else if (bzimage_release(f->kernel, f->kernel_len, f->uname) < 0) {
		return cli_failure(BUILD, "cannot read the kernel release "
				   "from %s (pass --uname)", b->kernel);
	}
	if (!b->initrd_file && b->initrd.o.modules_dir &&
	    initrd_kver(b->initrd.o.modules_dir, kver) == 0 &&
	    !streq(kver, f->uname))
		return cli_failure(BUILD, "the modules in %s are for %s but "
				   "the kernel is %s (use --modules-dir "
				   "/lib/modules/%s)", b->initrd.o.modules_dir,
				   kver, f->uname, f->uname);
	return 0;
}

static const char *default_osrel(struct build_files *f)
{
	snprintf(f->osrel_default, sizeof(f->osrel_default),
		 "NAME=\"ociboot\"\nID=ociboot\nVERSION_ID=%s\n"
		 "PRETTY_NAME=\"ociboot %s\"\n", OCIBOOT_VERSION,
		 OCIBOOT_VERSION);
	return f->osrel_default;
}

static int assemble_uki(const struct build_args *b, struct build_files *f,
			uint8_t **out, size_t *out_len)
{
	struct uki_input in = {
		.stub = f->stub, .stub_len = f->stub_len,
		.kernel = f->kernel, .kernel_len = f->kernel_len,
		.initrd = f->initrd, .initrd_len = f->initrd_len,
		.cmdline = b->cmdline,
		.cmdline_len = b->cmdline ? strlen(b->cmdline) : 0,
		.uname = f->uname, .uname_len = strlen(f->uname),
		.sbat = (const char *)f->sbat, .sbat_len = f->sbat_len,
	};
	char line[ERROR_LINE_MAX];
	struct error err;
	int r;

	if (f->osrel) {
		in.osrel = (const char *)f->osrel;
		in.osrel_len = f->osrel_len;
	} else {
		in.osrel = default_osrel(f);
		in.osrel_len = strlen(in.osrel);
	}
	error_clear(&err);
	r = uki_build(&in, out, out_len, &err);
	if (r < 0)
		return cli_failure(BUILD, "%s",
				   error_format(&err, line, sizeof(line)));
	return 0;
}

static int sign_uki(const struct build_args *b, struct build_files *f,
		    uint8_t **img, size_t *len)
{
	char line[ERROR_LINE_MAX];
	uint8_t *signed_img;
	struct progress progress;
	struct error err;
	size_t signed_len;
	int r;

	progress_init(&progress, BUILD, b->initrd.quiet);
	progress_force(&progress, "signing with %s", b->key);
	error_clear(&err);
	r = authenticode_sign(*img, *len, (const char *)f->key, f->key_len,
			      (const char *)f->cert, f->cert_len,
			      (time_t)b->epoch, &signed_img, &signed_len, &err);
	progress_done(&progress);
	if (r < 0) {
		error_context(&err, "signing with %s", b->key);
		return cli_failure(BUILD, "%s",
				   error_format(&err, line, sizeof(line)));
	}
	free(*img);
	*img = signed_img;
	*len = signed_len;
	return 0;
}

static int build_with_files(struct build_args *b, struct build_files *f)
{
	uint8_t *img = NULL;
	size_t len;
	int r;

	r = output_prepare(BUILD, b->initrd.output, b->initrd.force);
	if (r == 0)
		r = read_build_files(b, f);
	if (r == 0 && !b->initrd_file)
		r = make_initrd(BUILD, &b->initrd, &f->initrd,
				&f->initrd_len);
	if (r == 0)
		r = find_uname(b, f);
	if (r == 0)
		r = assemble_uki(b, f, &img, &len);
	if (r == 0 && b->key)
		r = sign_uki(b, f, &img, &len);
	if (r == 0) {
		r = fileio_replace(AT_FDCWD, b->initrd.output, img, len,
				   0644);
		if (r < 0)
			r = cli_failure_errno(BUILD, r, "writing %s",
					      b->initrd.output);
	}
	free(img);
	return r;
}

static int cmd_build(int argc, char **argv)
{
	struct build_args b = { .stub = DEFAULT_STUB };
	struct build_files f = { 0 };
	int r;

	initrd_args_init(&b.initrd);
	r = cli_parse(&build_spec, argc, argv, &b, NULL);
	if (r)
		return cli_exit_status(r);
	r = build_with_files(&b, &f);
	build_files_free(&f);
	return r;
}

/* SHA-256 of a section as loaded: raw bytes, zero-filled to its size. */
static void section_digest(const uint8_t *buf, const struct pe_section *s,
			   char hex[SHA256_HEX_LEN + 1])
{
	static const uint8_t zeros[4096];
	size_t size = s->virtual_size ? s->virtual_size : s->raw_size;
	size_t raw = s->raw_size < size ? s->raw_size : size;
	uint8_t digest[SHA256_LEN];
	struct sha256 h;

	sha256_init(&h);
	sha256_update(&h, buf + s->raw_offset, raw);
	for (size_t left = size - raw; left > 0;) {
		size_t n = left < sizeof(zeros) ? left : sizeof(zeros);

		sha256_update(&h, zeros, n);
		left -= n;
	}
	sha256_final(&h, digest);
	sha256_hex(digest, hex);
}

static const char *machine_name(uint16_t machine)
{
	switch (machine) {
	case PE_MACHINE_X86_64: return "x86-64";
	case PE_MACHINE_ARM64: return "arm64";
	}
	return "other machine";
}

static void print_sections(const uint8_t *buf, const struct pe_image *pe)
{
	uint32_t sum = pe_checksum(buf, pe->file_size, pe_checksum_offset(pe));

	printf("PE32+ %s image, %u sections, SizeOfImage 0x%x, "
	       "SectionAlignment 0x%x, FileAlignment 0x%x, CheckSum 0x%x "
	       "(%s)\n", machine_name(pe->machine), pe->section_count,
	       pe->size_of_image, pe->section_alignment, pe->file_alignment,
	       pe->checksum, pe->checksum == sum ? "correct" :
	       pe->checksum == 0 ? "not set" : "wrong");
	printf("%-9s %-10s %-10s %-10s %s\n", "SECTION", "VMA", "SIZE",
	       "OFFSET", "SHA256");
	for (size_t i = 0; i < pe->section_count; i++) {
		const struct pe_section *s = &pe->sections[i];
		char hex[SHA256_HEX_LEN + 1], name[9];

		for (size_t j = 0; j < sizeof(name); j++)
			name[j] = (s->name[j] && (s->name[j] < 0x21 ||
				   s->name[j] > 0x7e)) ? '?' : s->name[j];
		section_digest(buf, s, hex);
		printf("%-9s 0x%08x 0x%08x 0x%08x %s\n", name,
		       s->virtual_address, s->virtual_size, s->raw_offset, hex);
	}
}

static int print_signature(const uint8_t *buf, const struct pe_image *pe)
{
	struct authenticode_info info;
	int r = authenticode_inspect(buf, pe, &info);

	if (r == -ENOENT) {
		printf("signature: none\n");
		return 0;
	}
	if (r < 0) {
		printf("signature: present but unreadable\n");
		return r;
	}
	printf("signature: authenticode\n");
	printf("signer: %s\n", info.subject[0] ? info.subject : "(unknown)");
	printf("signing time: %s\n", info.signing_time[0] ?
	       info.signing_time : "(none)");
	printf("image digest: %s\n", info.digest_matches ? "matches" :
	       "DOES NOT MATCH this image");
	printf("signature: %s (by the certificate it carries; no trust "
	       "anchor checked)\n", info.signature_valid ? "valid" :
	       "INVALID");
	return 0;
}

static const struct cli_spec inspect_spec = {
	.prefix = INSPECT,
	.description = inspect_description,
	.operand = "FILE",
	.operands_min = 1,
	.operands_max = 1,
};

static int cmd_inspect(int argc, char **argv)
{
	struct pe_image *pe;
	const char *path;
	uint8_t *buf;
	size_t len;
	int r;

	int first;

	r = cli_parse(&inspect_spec, argc, argv, NULL, &first);
	if (r)
		return cli_exit_status(r);
	path = argv[first];
	r = fileio_read_file_alloc(AT_FDCWD, path, INSPECT_MAX,
				   FILEIO_REGULAR, &buf, &len);
	if (r < 0)
		return cli_failure_errno(INSPECT, r, "%s", path);
	pe = malloc(sizeof(*pe));
	r = pe ? pe_parse(buf, len, pe) : -ENOMEM;
	if (r < 0) {
		r = cli_failure_errno(INSPECT, r, "%s is not a valid PE32+ "
				      "image", path);
	} else {
		print_sections(buf, pe);
		r = print_signature(buf, pe);
		if (r < 0)
			r = cli_failure_errno(INSPECT, r, "%s: certificate "
					      "table", path);
	}
	free(pe);
	free(buf);
	return r;
}

static const struct cli_spec presets_spec = {
	.prefix = PRESETS,
	.description = "List the module presets of `ukify initrd --preset`\n"
		       "and the modules each names (their dependencies come\n"
		       "from modules.dep when the initrd is built).\n",
};

static int cmd_presets(int argc, char **argv)
{
	int r = cli_parse(&presets_spec, argc, argv, NULL, NULL);

	if (r)
		return cli_exit_status(r);
	for (size_t i = 0; i < modsets_preset_count; i++) {
		const struct modsets_preset *p = &modsets_presets[i];

		printf("%s: %s\n   ", p->name, p->summary);
		for (size_t j = 0; j < p->module_count; j++)
			printf(" %s", p->modules[j]);
		printf("\n");
	}
	return CLI_EXIT_SUCCESS;
}

int ukify_main(int argc, char **argv)
{
	static const struct cli_command commands[] = {
		{ "initrd", cmd_initrd, "build the initrd" },
		{ "build", cmd_build, "build (and sign) kernel.efi" },
		{ "inspect", cmd_inspect, "list a PE image's sections and "
		  "signature" },
		{ "presets", cmd_presets, "list the module presets" },
	};

	return cli_dispatch("ukify", commands, ARRAY_SIZE(commands), argc,
			    argv);
}
