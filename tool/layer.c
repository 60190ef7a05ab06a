/* SPDX-License-Identifier: MIT */
/*
 * `ociboot layer`: build a squashfs + dm-verity layer blob from a
 * directory, and inspect one.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "layer/dirscan.h"
#include "layer/layer.h"
#include "oci/oci.h"
#include "fs/squashfs_super.h"
#include "layer/tar.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"

#define DEFAULT_SALT_LEN 32
#define DEFAULT_WORKERS_MAX 4
#define UUID_STRING_LEN 36
/* Bytes of an entry's name shown in an error message. */
#define NAME_SHOWN_MAX 1024
/* What the messages of `layer create` and `layer inspect` start with. */
#define CREATE "ociboot layer create"
#define INSPECT "ociboot layer inspect"

static const char create_usage[] =
	"usage: ociboot layer create (--from-dir DIR | --from-tar FILE) "
	"--output FILE\n"
	"                            [--salt HEX|-] [--uuid UUID] "
	"[--mtime EPOCH]\n"
	"                            [--owner UID:GID] [--jobs N] [--json]\n"
	"\n"
	"Build a layer blob: a squashfs image of DIR, or of the uncompressed\n"
	"tar FILE ('-': standard input) with its OCI whiteouts turned into\n"
	"overlayfs ones (zstd, 128 KiB blocks, entries sorted, every mtime\n"
	"EPOCH) padded to 4096 bytes, followed by its dm-verity superblock\n"
	"and hash tree (sha256, 4096-byte blocks), as `veritysetup format`\n"
	"writes them. Owners come from the source unless --owner forces one;\n"
	"EPOCH defaults to $SOURCE_DATE_EPOCH, else 0. The salt\n"
	"(32 random bytes) and uuid are random unless given; give both for\n"
	"byte-identical rebuilds. Prints the blob's digest, size, media type,\n"
	"squashfs bytes_used, verity root hash, salt and uuid (--json: as an\n"
	"OCI descriptor with those extra fields).\n";

static const char inspect_usage[] =
	"usage: ociboot layer inspect [--json] FILE\n"
	"\n"
	"Read a layer blob's squashfs and verity superblocks, recompute its\n"
	"hash tree and compare it with the stored one, and print the fields\n"
	"`layer create` prints. Fails if the blob is not exactly squashfs,\n"
	"padding, verity superblock and tree, or if any hash differs.\n";

static const char main_usage[] =
	"usage: ociboot layer COMMAND [ARGS...]\n"
	"\n"
	"commands:\n"
	"  create   build a squashfs + dm-verity layer blob\n"
	"  inspect  check a layer blob and print its digest and root hash\n";

/* --- values --------------------------------------------------------------- */

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex_decode(const char *hex, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = hex_nibble(hex[2 * i]);
		int lo = hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static void hex_print(FILE *f, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

/* HEX (up to VERITY_SALT_MAX bytes) or "-" for the empty salt. */
static int parse_salt(const char *s, uint8_t *salt, size_t *len)
{
	size_t n = strlen(s);

	if (streq(s, "-")) {
		*len = 0;
		return 0;
	}
	if (n == 0 || n % 2 || n / 2 > VERITY_SALT_MAX)
		return -EINVAL;
	*len = n / 2;
	return hex_decode(s, n / 2, salt);
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
	return hex_decode(hex, VERITY_UUID_LEN, uuid);
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

static int random_bytes(uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Copy s to out[0, size) with bytes outside printable ASCII (and '\\') as
 * \xHH, cut with "..." where it does not fit: names come from archives.
 */
static void escape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = c >= 0x20 && c < 0x7f && c != '\\';

		if (n + (plain ? 1 : 4) + 4 > size) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (plain)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
	}
	out[n] = '\0';
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
	bool have_salt, have_uuid, json;
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

enum {
	OPT_FROM_DIR = 256, OPT_FROM_TAR, OPT_SALT, OPT_UUID, OPT_MTIME,
	OPT_OWNER, OPT_JOBS, OPT_JSON,
};

/* -1 to go on building, else the exit status (help shown, bad usage). */
static int create_parse(int argc, char **argv, struct create_args *a)
{
	static const struct option longopts[] = {
		{ "from-dir", required_argument, NULL, OPT_FROM_DIR },
		{ "from-tar", required_argument, NULL, OPT_FROM_TAR },
		{ "output", required_argument, NULL, 'o' },
		{ "salt", required_argument, NULL, OPT_SALT },
		{ "uuid", required_argument, NULL, OPT_UUID },
		{ "mtime", required_argument, NULL, OPT_MTIME },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool have_mtime = false;
	uint32_t jobs;
	int c;

	a->opt.workers = (unsigned int)default_workers();
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM_DIR:
			a->from_dir = optarg;
			break;
		case OPT_FROM_TAR:
			a->from_tar = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case OPT_SALT:
			if (parse_salt(optarg, a->salt, &a->opt.salt_len) < 0)
				return cli_usage_error(CREATE, "bad --salt "
						       "'%s'", optarg);
			a->have_salt = true;
			break;
		case OPT_UUID:
			if (parse_uuid(optarg, a->opt.uuid) < 0)
				return cli_usage_error(CREATE, "bad --uuid "
						       "'%s'", optarg);
			a->have_uuid = true;
			break;
		case OPT_MTIME:
			if (parse_u32(optarg, &a->opt.mtime) < 0)
				return cli_usage_error(CREATE, "bad --mtime "
						       "'%s'", optarg);
			have_mtime = true;
			break;
		case OPT_OWNER:
			if (parse_owner(optarg, &a->opt.uid, &a->opt.gid) < 0)
				return cli_usage_error(CREATE, "bad --owner "
						       "'%s'", optarg);
			a->opt.force_owner = true;
			break;
		case OPT_JOBS:
			if (parse_u32(optarg, &jobs) < 0 || jobs == 0 ||
			    jobs > LAYER_WORKERS_MAX)
				return cli_usage_error(CREATE, "bad --jobs "
						       "'%s'", optarg);
			a->opt.workers = jobs;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case 'h':
			fputs(create_usage, stdout);
			return 0;
		default:
			return cli_usage_error(CREATE, "bad arguments");
		}
	}
	if (optind != argc)
		return cli_usage_error(CREATE, "unexpected '%s'",
				       argv[optind]);
	if (!a->from_dir == !a->from_tar)
		return cli_usage_error(CREATE, "need one of --from-dir, "
				       "--from-tar");
	if (!a->output)
		return cli_usage_error(CREATE, "--output is required");
	if (!have_mtime && mtime_from_env(&a->opt.mtime) < 0)
		return cli_usage_error(CREATE, "bad SOURCE_DATE_EPOCH '%s'",
				       getenv("SOURCE_DATE_EPOCH"));
	return -1;
}

static int fill_random(struct create_args *a)
{
	int r = 0;

	if (!a->have_salt) {
		a->opt.salt_len = DEFAULT_SALT_LEN;
		r = random_bytes(a->salt, DEFAULT_SALT_LEN);
	}
	if (r == 0 && !a->have_uuid) {
		r = random_bytes(a->opt.uuid, VERITY_UUID_LEN);
		a->opt.uuid[6] = (a->opt.uuid[6] & 0x0f) | 0x40;  /* v4 */
		a->opt.uuid[8] = (a->opt.uuid[8] & 0x3f) | 0x80;  /* RFC */
	}
	a->opt.salt = a->salt;
	return r;
}

static int add_entry(void *ctx, const struct layer_entry *e)
{
	return layer_builder_add(ctx, e);
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
			  struct layer_xattr *xattrs, struct layer_builder *b)
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
	return layer_builder_add(b, &e);
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

/* Feed the archive at path ("-": standard input) to b. */
static int feed_tar(const char *path, struct layer_builder *b)
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
		r = feed_tar_entry(tr, &te, xattrs, b);
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

static int feed_dir(const char *dir, struct layer_builder *b)
{
	char failed[NAME_SHOWN_MAX + 1] = "", name[3 * NAME_SHOWN_MAX + 4];
	int r;

	r = dirscan_walk(dir, add_entry, b, failed, sizeof(failed));
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
	struct layer_builder *b;
	int r;

	r = layer_builder_new(fd, &a->opt, &b);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s", a->output,
				   ociboot_strerror(r));
	r = a->from_dir ? feed_dir(a->from_dir, b) : feed_tar(a->from_tar, b);
	if (r) {
		layer_builder_free(b);
		return r;
	}
	r = layer_builder_finish(b, res);
	layer_builder_free(b);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s", a->output,
				   ociboot_strerror(r));
	if (res->xattrs_dropped)
		fprintf(stderr, CREATE ": %" PRIu64 " xattrs "
			"dropped (squashfs keeps only user., trusted., "
			"security.)\n", res->xattrs_dropped);
	return 0;
}

/* A temporary file beside path, so rename() is atomic. */
static int temp_open(const char *path, char **tmp)
{
	int fd;

	if (asprintf(tmp, "%s.tmpXXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		fd = -errno;
		free(*tmp);
		*tmp = NULL;
		return fd;
	}
	if (fchmod(fd, 0644) < 0) {
		int err = -errno;

		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return err;
	}
	return fd;
}

static int create_output(const struct create_args *a, struct report *rep)
{
	struct layer_result res = { 0 };
	char *tmp;
	int fd, r;

	fd = temp_open(a->output, &tmp);
	if (fd < 0)
		return cli_failure(CREATE, "%s: %s", a->output,
				   ociboot_strerror(fd));
	r = build(a, fd, &res);
	if (r == 0) {
		r = layer_digest_fd(fd, rep->digest, &rep->size);
		if (r == 0 && fsync(fd) < 0)
			r = -errno;
		if (r == 0 && rename(tmp, a->output) < 0)
			r = -errno;
		if (r < 0)
			r = cli_failure(CREATE, "%s: %s", a->output,
					ociboot_strerror(r));
	}
	close(fd);
	if (r)
		unlink(tmp);
	free(tmp);
	rep->bytes_used = res.bytes_used;
	rep->hash_offset = res.hash_offset;
	memcpy(rep->root, res.root, sizeof(rep->root));
	return r;
}

static int layer_create(int argc, char **argv)
{
	struct create_args a = { 0 };
	struct report rep = { 0 };
	int r;

	r = create_parse(argc, argv, &a);
	if (r >= 0)
		return r;
	r = fill_random(&a);
	if (r < 0)
		return cli_failure(CREATE, "getrandom: %s",
				   ociboot_strerror(r));
	r = create_output(&a, &rep);
	if (r)
		return r;
	rep.salt = a.salt;
	rep.salt_len = a.opt.salt_len;
	rep.uuid = a.opt.uuid;
	if (a.json)
		report_json(&rep);
	else
		report_text(&rep);
	return 0;
}

/* --- inspect -------------------------------------------------------------- */

static int layer_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct layer_info info;
	struct report rep;
	bool json = false;
	int c, fd, r;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == OPT_JSON) {
			json = true;
		} else if (c == 'h') {
			fputs(inspect_usage, stdout);
			return 0;
		} else {
			return cli_usage_error(INSPECT, "bad arguments");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(INSPECT, "need one FILE");
	fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_failure(INSPECT, "%s: %s", argv[optind],
				   strerror(errno));
	r = layer_inspect_fd(fd, &info);
	close(fd);
	if (r < 0)
		return cli_failure(INSPECT, "%s: %s", argv[optind],
				   ociboot_strerror(r));
	memcpy(rep.digest, info.digest, sizeof(rep.digest));
	rep.size = info.size;
	rep.bytes_used = info.bytes_used;
	rep.hash_offset = info.hash_offset;
	memcpy(rep.root, info.root, sizeof(rep.root));
	rep.salt = info.verity.salt;
	rep.salt_len = info.verity.salt_len;
	rep.uuid = info.verity.uuid;
	if (json) {
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
		{ "create", layer_create },
		{ "inspect", layer_inspect },
	};

	return cli_dispatch("ociboot layer", main_usage, commands,
			    ARRAY_SIZE(commands), argc, argv);
}
