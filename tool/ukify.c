/* SPDX-License-Identifier: MIT */
/*
 * `ociboot ukify` (also reached as `ukify`): build an initrd, build and
 * sign a unified kernel image, inspect a PE image.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/sha256.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"
#include "ukify/authenticode.h"
#include "ukify/bzimage.h"
#include "ukify/file.h"
#include "ukify/initrd.h"
#include "ukify/pe.h"
#include "ukify/uki.h"
#include "version.h"	/* generated: OCIBOOT_VERSION */

#define DEFAULT_STUB "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"
#define INSPECT_MAX PE_FILE_MAX
/* Each command as typed: what its messages start with. */
#define INITRD "ukify initrd"
#define BUILD "ukify build"
#define INSPECT "ukify inspect"

static const char initrd_usage[] =
	"usage: ukify initrd --init FILE\n"
	"                    [--modules-dir DIR --module NAME ...]\n"
	"                    [--ca FILE ...] [--compress none|zstd]\n"
	"                    --output FILE\n"
	"\n"
	"Build a reproducible initrd (newc cpio, zstd by default) holding\n"
	"/init, /dev/console, the named kernel modules and their\n"
	"dependencies from DIR/modules.dep (under /lib/modules/KVER, KVER\n"
	"being the base name of DIR, listed in load order in\n"
	"/etc/ociboot/modules) and each CA certificate as\n"
	"/etc/ociboot/ca/NAME.pem. --module may repeat or list names\n"
	"separated by commas. Times come from SOURCE_DATE_EPOCH (default 0).\n";

static const char build_usage[] =
	"usage: ukify build [--stub FILE] --kernel FILE\n"
	"                   (--initrd FILE | --init FILE [initrd options])\n"
	"                   [--cmdline STRING] [--osrel FILE]\n"
	"                   [--uname STRING] [--sbat FILE]\n"
	"                   [--key KEY.pem --cert CERT.pem] --output FILE\n"
	"\n"
	"Build a unified kernel image: the EFI stub (default\n"
	DEFAULT_STUB ")\n"
	"with .osrel, .cmdline, .uname, .sbat, .linux and .initrd sections.\n"
	"The initrd is read from --initrd or built as by `ukify initrd`.\n"
	".osrel defaults to ociboot's own os-release, --uname to the release\n"
	"in the kernel's header; --sbat lines are appended to the stub's\n"
	".sbat. With --key and --cert (unencrypted PEM, RSA) the image is\n"
	"Authenticode-signed with its signing time taken from\n"
	"SOURCE_DATE_EPOCH (default 0): the same inputs give the same bytes.\n";

static const char inspect_usage[] =
	"usage: ukify inspect FILE\n"
	"\n"
	"List a PE image's sections (name, address, size, file offset and\n"
	"the SHA-256 of the contents as loaded) and its Authenticode\n"
	"signature: the signer's subject, whether the signed digest is this\n"
	"image's and whether the signature verifies with the certificate it\n"
	"carries.\n";

static const char main_usage[] =
	"usage: ukify COMMAND [ARGS...]\n"
	"\n"
	"commands:\n"
	"  initrd   build the initrd\n"
	"  build    build (and sign) kernel.efi\n"
	"  inspect  list a PE image's sections and signature\n"
	"\n"
	"`ukify COMMAND --help` describes each command.\n";

/* SOURCE_DATE_EPOCH, default 0; false when it is not a 32-bit count. */
static bool source_date_epoch(uint32_t *out)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	long long v = 0;

	if (s && *s && cli_parse_number(s, 0, UINT32_MAX, &v) < 0)
		return false;
	*out = (uint32_t)v;
	return true;
}

struct initrd_args {
	struct initrd_options o;
	const char *modules[INITRD_MODULES_MAX];
	const char *cas[INITRD_CAS_MAX];
	char *module_lists;		/* strdup'd --module values */
	const char *output;
};

enum {
	OPT_INIT = 256, OPT_MODULES_DIR, OPT_MODULE, OPT_CA, OPT_COMPRESS,
	OPT_OUTPUT, OPT_STUB, OPT_KERNEL, OPT_INITRD, OPT_CMDLINE, OPT_OSREL,
	OPT_UNAME, OPT_SBAT, OPT_KEY, OPT_CERT, OPT_HELP,
};

#define INITRD_LONG_OPTIONS \
	{ "init", required_argument, NULL, OPT_INIT }, \
	{ "modules-dir", required_argument, NULL, OPT_MODULES_DIR }, \
	{ "module", required_argument, NULL, OPT_MODULE }, \
	{ "ca", required_argument, NULL, OPT_CA }, \
	{ "compress", required_argument, NULL, OPT_COMPRESS }, \
	{ "output", required_argument, NULL, OPT_OUTPUT }, \
	{ "help", no_argument, NULL, OPT_HELP }

/* Split a --module value on commas into a->modules. */
static int add_modules(const char *cmd, struct initrd_args *a, char *list)
{
	for (char *save, *name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (a->o.module_count >= INITRD_MODULES_MAX)
			return cli_usage_error(cmd, "more than %d modules",
					       INITRD_MODULES_MAX);
		a->modules[a->o.module_count++] = name;
	}
	return 0;
}

/* One initrd option; 0 when handled, 2 on bad usage, -1 when not ours. */
static int initrd_option(const char *cmd, struct initrd_args *a, int opt,
			 const char *arg)
{
	char *copy;

	switch (opt) {
	case OPT_INIT:
		a->o.init = arg;
		return 0;
	case OPT_MODULES_DIR:
		a->o.modules_dir = arg;
		return 0;
	case OPT_MODULE:
		/* Kept for the life of the process, like argv. */
		copy = strdup(arg);
		if (!copy)
			return cli_usage_error(cmd, "out of memory");
		return add_modules(cmd, a, copy);
	case OPT_CA:
		if (a->o.ca_count >= INITRD_CAS_MAX)
			return cli_usage_error(cmd, "more than %d --ca files",
					       INITRD_CAS_MAX);
		a->cas[a->o.ca_count++] = arg;
		return 0;
	case OPT_COMPRESS:
		if (streq(arg, "zstd"))
			a->o.compression = INITRD_COMPRESS_ZSTD;
		else if (streq(arg, "none"))
			a->o.compression = INITRD_COMPRESS_NONE;
		else
			return cli_usage_error(cmd, "--compress takes none or "
					       "zstd, not '%s'", arg);
		return 0;
	case OPT_OUTPUT:
		a->output = arg;
		return 0;
	}
	return -1;
}

static void initrd_args_init(struct initrd_args *a)
{
	memset(a, 0, sizeof(*a));
	a->o.modules = a->modules;
	a->o.cas = a->cas;
	a->o.compression = INITRD_COMPRESS_ZSTD;
}

/* getopt's verdict on an option it did not take. */
static int bad_option(const char *cmd, int opt, char **argv)
{
	const char *word = argv[optind - 1];

	if (opt == ':')
		return cli_usage_error(cmd, "%s needs a value", word);
	return cli_usage_error(cmd, "unknown option '%s'", word);
}

/* Check the initrd options make sense together; 0 or 2. */
static int check_initrd_args(const char *cmd, const struct initrd_args *a)
{
	if (!a->o.init)
		return cli_usage_error(cmd, "--init is required");
	if (a->o.module_count && !a->o.modules_dir)
		return cli_usage_error(cmd, "--module needs --modules-dir");
	return 0;
}

static int make_initrd(const char *cmd, struct initrd_args *a, uint8_t **out,
		       size_t *out_len)
{
	char why[1024];
	int r;

	if (!source_date_epoch(&a->o.mtime))
		return cli_usage_error(cmd, "SOURCE_DATE_EPOCH is not a "
				       "decimal count of seconds below 2^32");
	r = initrd_build(&a->o, out, out_len, why, sizeof(why));
	if (r < 0)
		return cli_failure_errno(cmd, r, "%s%s", streq(cmd, BUILD) ?
					 "initrd: " : "", why);
	return 0;
}

static int cmd_initrd(int argc, char **argv)
{
	static const struct option longopts[] = {
		INITRD_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = INITRD;
	struct initrd_args a;
	uint8_t *buf;
	size_t len;
	int opt, r;

	initrd_args_init(&a);
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(initrd_usage, stdout);
			return 0;
		}
		r = initrd_option(cmd, &a, opt, optarg);
		if (r < 0)
			return bad_option(cmd, opt, argv);
		if (r > 0)
			return r;
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[optind]);
	r = check_initrd_args(cmd, &a);
	if (r == 0 && !a.output)
		r = cli_usage_error(cmd, "--output is required");
	if (r == 0)
		r = make_initrd(cmd, &a, &buf, &len);
	if (r)
		return r;
	r = ukify_file_write(a.output, buf, len, 0644);
	free(buf);
	if (r < 0)
		return cli_failure_errno(cmd, r, "writing %s", a.output);
	return 0;
}

struct build_args {
	struct initrd_args initrd;
	const char *stub, *kernel, *initrd_file, *cmdline, *osrel, *uname;
	const char *sbat, *key, *cert;
};

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

static int build_option(struct build_args *b, int opt, const char *arg)
{
	switch (opt) {
	case OPT_STUB: b->stub = arg; return 0;
	case OPT_KERNEL: b->kernel = arg; return 0;
	case OPT_INITRD: b->initrd_file = arg; return 0;
	case OPT_CMDLINE: b->cmdline = arg; return 0;
	case OPT_OSREL: b->osrel = arg; return 0;
	case OPT_UNAME: b->uname = arg; return 0;
	case OPT_SBAT: b->sbat = arg; return 0;
	case OPT_KEY: b->key = arg; return 0;
	case OPT_CERT: b->cert = arg; return 0;
	}
	return initrd_option(BUILD, &b->initrd, opt, arg);
}

static int parse_build_args(int argc, char **argv, struct build_args *b)
{
	static const struct option longopts[] = {
		INITRD_LONG_OPTIONS,
		{ "stub", required_argument, NULL, OPT_STUB },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "osrel", required_argument, NULL, OPT_OSREL },
		{ "uname", required_argument, NULL, OPT_UNAME },
		{ "sbat", required_argument, NULL, OPT_SBAT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ NULL, 0, NULL, 0 },
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(build_usage, stdout);
			return -1;
		}
		r = build_option(b, opt, optarg);
		if (r < 0)
			return bad_option(BUILD, opt, argv);
		if (r > 0)
			return r;
	}
	if (optind < argc)
		return cli_usage_error(BUILD, "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

static int check_build_args(struct build_args *b)
{
	const struct initrd_args *i = &b->initrd;

	if (!b->kernel)
		return cli_usage_error(BUILD, "--kernel is required");
	if (!i->output)
		return cli_usage_error(BUILD, "--output is required");
	if (!b->key != !b->cert)
		return cli_usage_error(BUILD, "--key and --cert go together");
	if (b->initrd_file && (i->o.init || i->o.modules_dir ||
			       i->o.module_count || i->o.ca_count))
		return cli_usage_error(BUILD, "--initrd excludes --init, "
				       "--modules-dir, --module and --ca");
	if (!b->initrd_file)
		return check_initrd_args(BUILD, i);
	return 0;
}

static int read_input(const char *what, const char *path, size_t max,
		      uint8_t **buf, size_t *len)
{
	int r = ukify_file_read(path, max, buf, len);

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
				   "the kernel is %s", b->initrd.o.modules_dir,
				   kver, f->uname);
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
	const char *why = "";
	int r;

	if (f->osrel) {
		in.osrel = (const char *)f->osrel;
		in.osrel_len = f->osrel_len;
	} else {
		in.osrel = default_osrel(f);
		in.osrel_len = strlen(in.osrel);
	}
	r = uki_build(&in, out, out_len, &why);
	return r < 0 ? cli_failure_errno(BUILD, r, "%s", why) : 0;
}

static int sign_uki(const struct build_args *b, struct build_files *f,
		    uint8_t **img, size_t *len)
{
	const char *why = "";
	uint8_t *signed_img;
	size_t signed_len;
	uint32_t epoch;
	int r;

	if (!source_date_epoch(&epoch))
		return cli_usage_error(BUILD, "SOURCE_DATE_EPOCH is not a "
				       "decimal count of seconds below 2^32");
	r = authenticode_sign(*img, *len, (const char *)f->key, f->key_len,
			      (const char *)f->cert, f->cert_len,
			      (time_t)epoch, &signed_img, &signed_len, &why);
	if (r < 0)
		return cli_failure_errno(BUILD, r, "signing with %s: %s",
					 b->key, why);
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
		r = ukify_file_write(b->initrd.output, img, len, 0644);
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
	r = parse_build_args(argc, argv, &b);
	if (r < 0)
		return 0;	/* --help */
	if (r == 0)
		r = check_build_args(&b);
	if (r)
		return r;
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

static int cmd_inspect(int argc, char **argv)
{
	struct pe_image *pe;
	uint8_t *buf;
	size_t len;
	int r;

	if (argc == 2 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		fputs(inspect_usage, stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error(INSPECT, "takes exactly one FILE");
	r = ukify_file_read(argv[1], INSPECT_MAX, &buf, &len);
	if (r < 0)
		return cli_failure_errno(INSPECT, r, "%s", argv[1]);
	pe = malloc(sizeof(*pe));
	r = pe ? pe_parse(buf, len, pe) : -ENOMEM;
	if (r < 0) {
		r = cli_failure_errno(INSPECT, r, "%s is not a valid PE32+ "
				      "image", argv[1]);
	} else {
		print_sections(buf, pe);
		r = print_signature(buf, pe);
		if (r < 0)
			r = cli_failure_errno(INSPECT, r, "%s: certificate "
					      "table", argv[1]);
	}
	free(pe);
	free(buf);
	return r;
}

int ukify_main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("ukify: missing command: initrd, build or inspect "
		      "(try 'ukify --help')\n", stderr);
		return 2;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
		fputs(main_usage, stdout);
		return 0;
	}
	opterr = 0;
	optind = 1;
	if (streq(argv[1], "initrd"))
		return cmd_initrd(argc - 1, argv + 1);
	if (streq(argv[1], "build"))
		return cmd_build(argc - 1, argv + 1);
	if (streq(argv[1], "inspect"))
		return cmd_inspect(argc - 1, argv + 1);
	fprintf(stderr, "ukify: unknown command '%s' (try 'ukify --help')\n",
		argv[1]);
	return 2;
}
