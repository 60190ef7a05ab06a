/* SPDX-License-Identifier: MIT */
/*
 * `ociboot layer`: build a squashfs + dm-verity layer blob from a
 * directory, and inspect one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "layer/dirscan.h"
#include "layer/layer.h"
#include "oci/oci.h"
#include "fs/squashfs_super.h"
#include "layer/tar.h"
#include "lib/fileio.h"
#include "lib/hex.h"
#include "lib/strbuf.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"
#include "tool/output.h"
#include "tool/progress.h"

#define DEFAULT_WORKERS_MAX 4
#define UUID_STRING_LEN 36
/* Bytes hex_print() encodes at a time. */
#define HEX_PRINT_CHUNK 64
/* Bytes of an entry's name shown in an error message. */
#define NAME_SHOWN_MAX 1024
/* What the messages of `layer create` and `layer inspect` start with. */
#define CREATE "ociboot layer create"
#define INSPECT "ociboot layer inspect"

static const char create_description[] =
	"Build a layer blob: a squashfs image of DIR, or of the uncompressed\n"
	"tar FILE ('-': standard input) with its OCI whiteouts turned into\n"
	"overlayfs ones (zstd, 128 KiB blocks, entries sorted, every mtime\n"
	"EPOCH) padded to 4096 bytes, followed by its dm-verity superblock\n"
	"and hash tree (sha256, 4096-byte blocks), as `veritysetup format`\n"
	"writes them. Give one of --from-dir and --from-tar. Owners come\n"
	"from the source unless --owner forces one; EPOCH defaults to\n"
	"$SOURCE_DATE_EPOCH, else 0. The salt and uuid are derived from the\n"
	"squashfs image unless given (docs/layers.md), so the same tree gives\n"
	"the same blob. FILE's missing directories are created; an existing\n"
	"FILE is replaced only with --force. On a terminal the work in\n"
	"progress is shown on stderr (not with --quiet). Prints\n"
	"the blob's digest, size, media type, squashfs bytes_used, verity\n"
	"root hash, salt and uuid (--json: as an OCI descriptor with those\n"
	"extra fields).\n";

static const char inspect_description[] =
	"Read a layer blob's squashfs and verity superblocks, recompute its\n"
	"hash tree and compare it with the stored one, and print the fields\n"
	"`layer create` prints. Fails if the blob is not exactly squashfs,\n"
	"padding, verity superblock and tree, or if any hash differs.\n";

/* --- values --------------------------------------------------------------- */

static void hex_print(FILE *f, const uint8_t *p, size_t len)
{
	char text[2 * HEX_PRINT_CHUNK + 1];
	size_t n;

	for (size_t i = 0; i < len; i += n) {
		n = len - i < HEX_PRINT_CHUNK ? len - i : HEX_PRINT_CHUNK;
		hex_encode(p + i, n, text);
		fputs(text, f);
	}
}

/* HEX (up to VERITY_SALT_MAX bytes) or "-" for the empty salt. */
static int parse_salt(const char *s, uint8_t *salt, size_t *len)
{
	size_t n = strlen(s);
	ssize_t r;

	if (streq(s, "-")) {
		*len = 0;
		return 0;
	}
	r = n ? hex_decode_any_case(s, n, salt, VERITY_SALT_MAX) : -EINVAL;
	if (r < 0)
		return (int)r;
	*len = (size_t)r;
	return 0;
}

static int parse_uuid(const char *s, uint8_t uuid[VERITY_UUID_LEN])
{
	char hex[2 * VERITY_UUID_LEN];
	size_t n = 0;

	if (strlen(s) != UUID_STRING_LEN)
		return -EINVAL;
	for (size_t i = 0; i < UUID_STRING_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash != (s[i] == '-'))
			return -EINVAL;
		if (!dash)
			hex[n++] = s[i];
	}
	if (hex_decode_any_case(hex, sizeof(hex), uuid, VERITY_UUID_LEN) !=
	    VERITY_UUID_LEN)
		return -EINVAL;
	return 0;
}

static void uuid_print(FILE *f, const uint8_t uuid[VERITY_UUID_LEN])
{
	for (size_t i = 0; i < VERITY_UUID_LEN; i++)
		fprintf(f, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ?
			"-" : "", uuid[i]);
}

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_owner(const char *s, uint32_t *uid, uint32_t *gid)
{
	const char *colon = strchr(s, ':');
	char user[16];
	size_t n;

	if (!colon)
		return -EINVAL;
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(user))
		return -EINVAL;
	memcpy(user, s, n);
	user[n] = '\0';
	if (parse_u32(user, uid) < 0 || parse_u32(colon + 1, gid) < 0)
		return -EINVAL;
	return 0;
}

/*
 * Copy s to out[0, size) with bytes outside printable ASCII (and '\\') as
 * \xHH, cut with "..." where it does not fit: names come from archives.
 */
static void escape(const char *s, char *out, size_t size)
{
	struct strbuf sb;

	strbuf_init(&sb, out, size);
	for (; *s && !strbuf_truncated(&sb); s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			strbuf_putc(&sb, (char)c);
		else
			strbuf_printf(&sb, "\\x%02x", c);
	}
	strbuf_mark_cut(&sb, "...");
}

/* --- printing ------------------------------------------------------------- */

struct report {
	uint8_t digest[SHA256_LEN];
	uint64_t size;
	uint64_t bytes_used;
	uint64_t hash_offset;
	uint8_t root[VERITY_DIGEST_LEN];
	const uint8_t *salt;
	size_t salt_len;
	const uint8_t *uuid;
	uint8_t salt_buf[VERITY_SALT_MAX];	/* what salt may point to */
	uint8_t uuid_buf[VERITY_UUID_LEN];
};

static void report_text(const struct report *r)
{
	printf("digest: sha256:");
	hex_print(stdout, r->digest, SHA256_LEN);
	printf("\nsize: %" PRIu64 "\nmediaType: %s\n", r->size,
	       LAYER_MEDIA_TYPE);
	printf("bytes_used: %" PRIu64 "\nhash_offset: %" PRIu64 "\n",
	       r->bytes_used, r->hash_offset);
	printf("root_hash: ");
	hex_print(stdout, r->root, VERITY_DIGEST_LEN);
	printf("\nsalt: ");
	if (r->salt_len)
		hex_print(stdout, r->salt, r->salt_len);
	else
		printf("-");
	printf("\nuuid: ");
	uuid_print(stdout, r->uuid);
	printf("\n");
}

/* An OCI descriptor, plus the fields it has no place for. */
static void report_json(const struct report *r)
{
	printf("{\"digest\":\"sha256:");
	hex_print(stdout, r->digest, SHA256_LEN);
	printf("\",\"size\":%" PRIu64 ",\"mediaType\":\"%s\"", r->size,
	       LAYER_MEDIA_TYPE);
	printf(",\"annotations\":{\"%s\":\"", OCI_ANNOTATION_VERITY_ROOT);
	hex_print(stdout, r->root, VERITY_DIGEST_LEN);
	printf("\",\"%s\":\"", OCI_ANNOTATION_VERITY_ROOT_LEGACY);
	hex_print(stdout, r->root, VERITY_DIGEST_LEN);
	printf("\"},\"bytesUsed\":%" PRIu64 ",\"hashOffset\":%" PRIu64,
	       r->bytes_used, r->hash_offset);
	printf(",\"rootHash\":\"");
	hex_print(stdout, r->root, VERITY_DIGEST_LEN);
	printf("\",\"salt\":\"");
	hex_print(stdout, r->salt, r->salt_len);
	printf("\",\"uuid\":\"");
	uuid_print(stdout, r->uuid);
	printf("\"}\n");
}

/* --- create --------------------------------------------------------------- */

struct create_args {
	const char *from_dir;
	const char *from_tar;
	const char *output;
	struct layer_options opt;
	uint8_t salt[VERITY_SALT_MAX];
	bool have_salt, have_uuid, have_mtime, json, force, quiet;
};

static int default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > DEFAULT_WORKERS_MAX ? DEFAULT_WORKERS_MAX : (int)n;
}

static int mtime_from_env(uint32_t *mtime)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");

	*mtime = 0;
	if (!env || !*env)
		return 0;
	return parse_u32(env, mtime);
}

static int set_salt(void *args, const char *value, struct error *err)
{
	struct create_args *a = args;

	if (parse_salt(value, a->salt, &a->opt.salt_len) < 0)
		return error_set(err, -EINVAL, NULL, "takes up to %d bytes "
				 "as hex, or - for none", VERITY_SALT_MAX);
	a->have_salt = true;
	return 0;
}

static int set_uuid(void *args, const char *value, struct error *err)
{
	struct create_args *a = args;

	if (parse_uuid(value, a->opt.uuid) < 0)
		return error_set(err, -EINVAL, NULL, "is not a UUID");
	a->have_uuid = true;
	return 0;
}

static int set_mtime(void *args, const char *value, struct error *err)
{
	struct create_args *a = args;

	if (parse_u32(value, &a->opt.mtime) < 0)
		return error_set(err, -EINVAL, NULL, "takes Unix seconds "
				 "below 2^32");
	a->have_mtime = true;
	return 0;
}

static int set_owner(void *args, const char *value, struct error *err)
{
	struct create_args *a = args;

	if (parse_owner(value, &a->opt.uid, &a->opt.gid) < 0)
		return error_set(err, -EINVAL, NULL, "takes UID:GID");
	a->opt.force_owner = true;
	return 0;
}

static int set_jobs(void *args, const char *value, struct error *err)
{
	struct create_args *a = args;
	uint32_t jobs;

	if (parse_u32(value, &jobs) < 0 || jobs == 0 ||
	    jobs > LAYER_WORKERS_MAX)
		return error_set(err, -EINVAL, NULL, "takes 1 to %d",
				 LAYER_WORKERS_MAX);
	a->opt.workers = jobs;
	return 0;
}

static int create_check(const struct cli_spec *spec, void *args)
{
	struct create_args *a = args;

	if (!a->from_dir == !a->from_tar)
		return cli_usage(spec, "need one of --from-dir, --from-tar");
	if (!a->have_mtime && mtime_from_env(&a->opt.mtime) < 0)
		return cli_usage(spec, "bad SOURCE_DATE_EPOCH '%s'",
				 getenv("SOURCE_DATE_EPOCH"));
	return 0;
}

static const struct cli_option create_options[] = {
	CLI_OPTION_STRING("from-dir", 0, 0, "DIR", "build from a directory",
			  struct create_args, from_dir),
	CLI_OPTION_STRING("from-tar", 0, 0, "FILE",
			  "build from an uncompressed tar ('-': stdin)",
			  struct create_args, from_tar),
	CLI_OPTION_STRING("output", 'o', CLI_REQUIRED, "FILE",
			  "where the blob goes", struct create_args, output),
	CLI_OPTION_CALL("salt", 0, 0, "HEX|-", "the verity salt",
			set_salt),
	CLI_OPTION_CALL("uuid", 0, 0, "UUID", "the verity superblock's uuid",
			set_uuid),
	CLI_OPTION_CALL("mtime", 0, 0, "EPOCH", "every entry's mtime",
			set_mtime),
	CLI_OPTION_CALL("owner", 0, 0, "UID:GID", "every entry's owner",
			set_owner),
	CLI_OPTION_CALL("jobs", 0, 0, "N", "compress with N threads",
			set_jobs),
	CLI_OPTION_FLAG("json", 0, "print an OCI descriptor",
			struct create_args, json),
	CLI_OPTION_FLAG("force", 0, "replace FILE if it exists",
			struct create_args, force),
	CLI_OPTION_FLAG("quiet", 'q', "show no progress",
			struct create_args, quiet),
};

static const struct cli_spec create_spec =
	CLI_SPEC(CREATE, create_description, create_options, create_check);

/* The builder and what was fed to it so far, for the progress line. */
struct feed {
	struct layer_builder *b;
	struct progress progress;
	uint64_t entries, bytes;
};

static int add_entry(void *ctx, const struct layer_entry *e)
{
	struct feed *f = ctx;
	char size[16];
	int r = layer_builder_add(f->b, e);

	if (r == 0) {
		f->entries++;
		if (e->type == LAYER_FILE)
			f->bytes += e->size;
		progress_update(&f->progress, "%" PRIu64 " entries, %s read",
				f->entries, progress_size(f->bytes, size));
	}
	return r;
}

/* --- tar input ------------------------------------------------------------ */

_Static_assert(TAR_PATH_MAX - 1 <= LAYER_PATH_MAX, "tar paths fit");
_Static_assert(TAR_XATTRS_MAX <= LAYER_XATTRS_MAX, "tar xattrs fit");
_Static_assert(TAR_FILE_SIZE_MAX <= LAYER_FILE_SIZE_MAX, "tar files fit");

static ssize_t read_fd(void *ctx, void *buf, size_t len)
{
	int fd = *(int *)ctx;

	for (;;) {
		ssize_t n = read(fd, buf, len);

		if (n >= 0 || errno != EINTR)
			return n < 0 ? -errno : n;
	}
}

static ssize_t read_tar_data(void *ctx, void *buf, size_t len)
{
	return tar_read_data(ctx, buf, len);
}

static enum layer_type tar_to_layer_type(enum tar_type t)
{
	switch (t) {
	case TAR_FILE:
		return LAYER_FILE;
	case TAR_DIR:
		return LAYER_DIR;
	case TAR_SYMLINK:
		return LAYER_SYMLINK;
	case TAR_HARDLINK:
		return LAYER_HARDLINK;
	case TAR_CHAR:
		return LAYER_CHAR;
	case TAR_BLOCK:
		return LAYER_BLOCK;
	case TAR_FIFO:
		return LAYER_FIFO;
	case TAR_WHITEOUT:
		return LAYER_WHITEOUT;
	case TAR_OPAQUE:
		return LAYER_OPAQUE;
	}
	return 0;	/* refused by the builder */
}

/* Feed one tar entry; xattrs is scratch of TAR_XATTRS_MAX. */
static int feed_tar_entry(struct tar_reader *tr, const struct tar_entry *te,
			  struct layer_xattr *xattrs, struct feed *f)
{
	struct layer_entry e = {
		.type = tar_to_layer_type(te->type),
		.path = te->path,
		.mode = te->mode,
		.uid = te->uid,
		.gid = te->gid,
		.size = te->size,
		.rdev_major = te->dev_major,
		.rdev_minor = te->dev_minor,
		.target = te->link,
		.xattrs = xattrs,
		.xattr_count = te->xattr_count,
		.read = read_tar_data,
		.read_ctx = tr,
	};

	for (size_t i = 0; i < te->xattr_count; i++) {
		xattrs[i].name = te->xattrs[i].name;
		xattrs[i].value = te->xattrs[i].value;
		xattrs[i].size = te->xattrs[i].value_len;
	}
	return add_entry(f, &e);
}

/*
 * Say why a tar failed: the reader's reason when it has one (a broken
 * archive, or one that ended inside a file the builder was reading), else
 * the builder's, naming the entry.
 */
static int tar_failure(const char *path, struct tar_reader *tr,
		       const char *entry, int err)
{
	char name[3 * NAME_SHOWN_MAX + 4], line[ERROR_LINE_MAX];
	struct error e = *tar_reader_error(tr);

	if (error_failed(&e)) {
		error_context(&e, "%s", path);
		return cli_failure(CREATE, "%s", error_format(&e, line,
							      sizeof(line)));
	}
	escape(entry ? entry : "", name, sizeof(name));
	return cli_failure(CREATE, "%s: %s: %s", path, name,
			   ociboot_strerror(err));
}

/* Feed the archive at path ("-": standard input) to f. */
static int feed_tar(const char *path, struct feed *f)
{
	struct layer_xattr xattrs[TAR_XATTRS_MAX];
	struct tar_reader *tr;
	struct tar_entry te;
	int fd, r;

	fd = streq(path, "-") ? STDIN_FILENO :
	     open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_failure(CREATE, "%s: %s", path, strerror(errno));
	tr = malloc(sizeof(*tr));
	if (!tr) {
		r = cli_failure(CREATE, "%s: %s", path, strerror(ENOMEM));
		goto out_close;
	}
	tar_reader_init(tr, read_fd, &fd, 0);
	while ((r = tar_next(tr, &te)) > 0) {
		r = feed_tar_entry(tr, &te, xattrs, f);
		if (r < 0) {
			r = tar_failure(path, tr, te.path, r);
			break;
		}
	}
	if (r < 0)	/* the archive itself */
		r = tar_failure(path, tr, NULL, r);
	tar_reader_fini(tr);
	free(tr);
out_close:
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}

static int feed_dir(const char *dir, struct feed *f)
{
	char failed[NAME_SHOWN_MAX + 1] = "", name[3 * NAME_SHOWN_MAX + 4];
	int r;

	r = dirscan_walk(dir, add_entry, f, failed, sizeof(failed));
	if (r < 0) {
		escape(failed, name, sizeof(name));
		return cli_failure(CREATE, "%s/%s: %s", dir, name,
				   ociboot_strerror(r));
	}
	return 0;
}

/* Build into fd; on failure say why, naming the entry. */
static int build(const struct create_args *a, int fd,
		 struct layer_result *res)
{
	struct feed f = { 0 };
	char size[16];
	int r;

	progress_init(&f.progress, CREATE, a->quiet);
	r = layer_builder_new(fd, &a->opt, &f.b);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s", a->output,
				   ociboot_strerror(r));
	r = a->from_dir ? feed_dir(a->from_dir, &f) :
			  feed_tar(a->from_tar, &f);
	if (r) {
		progress_done(&f.progress);
		layer_builder_free(f.b);
		return r;
	}
	progress_force(&f.progress, "%" PRIu64 " entries, %s read; writing "
		       "the tables and the hash tree", f.entries,
		       progress_size(f.bytes, size));
	r = layer_builder_finish(f.b, res);
	progress_done(&f.progress);
	layer_builder_free(f.b);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s", a->output,
				   ociboot_strerror(r));
	if (res->xattrs_dropped)
		fprintf(stderr, CREATE ": %" PRIu64 " xattrs "
			"dropped (squashfs keeps only user., trusted., "
			"security.)\n", res->xattrs_dropped);
	if (!a->quiet)
		fprintf(stderr, CREATE ": %" PRIu64 " data blocks: %" PRIu64
			" the same as an earlier one, %" PRIu64
			" incompressible\n", res->blocks.blocks,
			res->blocks.reused, res->blocks.incompressible);
	return 0;
}

static int create_output(const struct create_args *a, struct report *rep)
{
	struct layer_result res = { 0 };
	struct fileio_temp t;
	int r;

	r = output_prepare(CREATE, a->output, a->force);
	if (r)
		return r;
	r = fileio_temp_open(&t, AT_FDCWD, a->output, 0644);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s", a->output,
				   ociboot_strerror(r));
	r = build(a, t.fd, &res);
	if (r) {
		fileio_temp_abort(&t);
		return r;
	}
	r = layer_digest_fd(t.fd, rep->digest, &rep->size);
	if (r < 0)
		fileio_temp_abort(&t);
	else
		r = fileio_temp_commit(&t, NULL);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s", a->output,
				   ociboot_strerror(r));
	rep->bytes_used = res.bytes_used;
	rep->hash_offset = res.hash_offset;
	memcpy(rep->root, res.root, sizeof(rep->root));
	memcpy(rep->salt_buf, res.salt, res.salt_len);
	rep->salt = rep->salt_buf;
	rep->salt_len = res.salt_len;
	memcpy(rep->uuid_buf, res.uuid, VERITY_UUID_LEN);
	rep->uuid = rep->uuid_buf;
	return 0;
}

static int layer_create(int argc, char **argv)
{
	struct create_args a = { 0 };
	struct report rep = { 0 };
	int r;

	a.opt.workers = (unsigned int)default_workers();
	r = cli_parse(&create_spec, argc, argv, &a, NULL);
	if (r)
		return cli_exit_status(r);
	a.opt.salt = a.salt;
	a.opt.derive_salt = !a.have_salt;
	a.opt.derive_uuid = !a.have_uuid;
	r = create_output(&a, &rep);
	if (r)
		return r;
	if (a.json)
		report_json(&rep);
	else
		report_text(&rep);
	return 0;
}

/* --- inspect -------------------------------------------------------------- */

struct inspect_args {
	bool json;
};

static const struct cli_option inspect_options[] = {
	CLI_OPTION_FLAG("json", 0, "print an OCI descriptor",
			struct inspect_args, json),
};

static const struct cli_spec inspect_spec = {
	.prefix = INSPECT,
	.description = inspect_description,
	.options = inspect_options,
	.option_count = ARRAY_SIZE(inspect_options),
	.operand = "FILE",
	.operands_min = 1,
	.operands_max = 1,
};

static int layer_inspect(int argc, char **argv)
{
	struct inspect_args a = { false };
	struct layer_info info;
	struct report rep;
	int first, fd, r;

	r = cli_parse(&inspect_spec, argc, argv, &a, &first);
	if (r)
		return cli_exit_status(r);
	fd = open(argv[first], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_failure(INSPECT, "%s: %s", argv[first],
				   strerror(errno));
	r = layer_inspect_fd(fd, &info);
	close(fd);
	if (r < 0)
		return cli_failure(INSPECT, "%s: %s", argv[first],
				   ociboot_strerror(r));
	memcpy(rep.digest, info.digest, sizeof(rep.digest));
	rep.size = info.size;
	rep.bytes_used = info.bytes_used;
	rep.hash_offset = info.hash_offset;
	memcpy(rep.root, info.root, sizeof(rep.root));
	rep.salt = info.verity.salt;
	rep.salt_len = info.verity.salt_len;
	rep.uuid = info.verity.uuid;
	if (a.json) {
		report_json(&rep);
		return 0;
	}
	report_text(&rep);
	printf("compression: %s\nblock_size: %" PRIu32 "\ninodes: %" PRIu32
	       "\nmtime: %" PRIu32 "\ndata_blocks: %" PRIu64 "\n",
	       squashfs_compression_name(info.compression), info.block_size,
	       info.inodes, info.mtime, info.verity.data_blocks);
	return 0;
}

int layer_main(int argc, char **argv)
{
	static const struct cli_command commands[] = {
		{ "create", layer_create, "build a squashfs + dm-verity layer "
		  "blob" },
		{ "inspect", layer_inspect, "check a layer blob and print its "
		  "digest and root hash" },
	};

	return cli_dispatch("ociboot layer", commands, ARRAY_SIZE(commands),
			    argc, argv);
}
