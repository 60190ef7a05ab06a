/* SPDX-License-Identifier: MIT */
/*
 * `ociboot image`: make an OCI image from squashfs + dm-verity layer blobs
 * in an OCI image layout, and inspect one.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "oci/jsonw.h"
#include "layer/layer.h"
#include "oci/layout.h"
#include "oci/layout_write.h"
#include "oci/oci.h"
#include "fs/squashfs_super.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"

#define VERIFY_CHUNK (1u << 20)
/* What the messages of `image create` and `image inspect` start with. */
#define CREATE "ociboot image create"
#define INSPECT "ociboot image inspect"

static const char create_usage[] =
	"usage: ociboot image create --layout DIR --tag TAG --layer BLOB "
	"[--layer BLOB]...\n"
	"                            [--entrypoint ARG]... [--cmd ARG]... "
	"[--env NAME=VALUE]...\n"
	"                            [--workdir DIR]\n"
	"\n"
	"Make an image of the layer blobs (squashfs + dm-verity, as\n"
	"`ociboot layer create` makes them; bottom layer first) in the OCI\n"
	"image layout DIR, created if missing, and tag it TAG (replacing any\n"
	"image tagged TAG). Each blob's hash tree is recomputed and compared\n"
	"with the one stored; its root hash goes into the layer's\n"
	OCI_ANNOTATION_VERITY_ROOT " annotation.\n"
	"The config is amd64/linux, with the given Entrypoint, Cmd, Env and\n"
	"WorkingDir (each repeatable option adds one element, in order), and\n"
	"rootfs.diff_ids equal to the layer digests, as stacker writes them.\n"
	"`created` is $SOURCE_DATE_EPOCH when set, else left out. The same\n"
	"inputs always give the same manifest digest, which is printed.\n";

static const char inspect_usage[] =
	"usage: ociboot image inspect --layout DIR (--tag TAG | "
	"--digest sha256:HEX) [--verify]\n"
	"\n"
	"Read an image from the OCI image layout DIR, checking the manifest\n"
	"and config blobs against their digests and each layer blob's size,\n"
	"and print the manifest digest, the config, and each layer's digest,\n"
	"size, media type and verity root hash. --verify also hashes every\n"
	"layer blob and, for squashfs layers, recomputes the hash tree and\n"
	"compares its root with the annotation.\n";

static const char main_usage[] =
	"usage: ociboot image COMMAND [ARGS...]\n"
	"\n"
	"commands:\n"
	"  create   make an OCI image of layer blobs in an image layout\n"
	"  inspect  check an image in an image layout and print it\n";

static int layout_failure(const char *cmd, const char *dir,
			  const struct error *err)
{
	if (streq(err->what, dir))
		return cli_failure(cmd, "%s: %s", dir, err->why);
	return cli_failure(cmd, "%s: %s: %s", dir, err->what, err->why);
}

/* --- create --------------------------------------------------------------- */

struct strings {
	const char **v;
	size_t n;
};

struct create_args {
	const char *layout;
	const char *tag;
	struct strings layers, entrypoint, cmd, env;
	const char *workdir;
};

enum {
	OPT_LAYOUT = 256, OPT_TAG, OPT_LAYER, OPT_ENTRYPOINT, OPT_CMD, OPT_ENV,
	OPT_WORKDIR, OPT_DIGEST, OPT_VERIFY,
};

/* Each list can hold every argument; argc bounds them all. */
static int strings_alloc(struct create_args *a, int argc)
{
	struct strings *all[] = { &a->layers, &a->entrypoint, &a->cmd,
				  &a->env };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		all[i]->v = calloc((size_t)argc, sizeof(*all[i]->v));
		if (!all[i]->v)
			return -ENOMEM;
	}
	return 0;
}

static void strings_free(struct create_args *a)
{
	free(a->layers.v);
	free(a->entrypoint.v);
	free(a->cmd.v);
	free(a->env.v);
}

static int create_check(const struct create_args *a)
{
	if (!a->layout || !a->tag)
		return cli_usage_error(CREATE, "--layout and --tag are "
				       "required");
	if (!layout_tag_valid(a->tag))
		return cli_usage_error(CREATE, "bad --tag '%s'", a->tag);
	if (!a->layers.n)
		return cli_usage_error(CREATE, "need at least one --layer");
	if (a->layers.n > OCI_LAYERS_MAX)
		return cli_usage_error(CREATE, "more than %d layers",
				       OCI_LAYERS_MAX);
	for (size_t i = 0; i < a->env.n; i++) {
		const char *eq = strchr(a->env.v[i], '=');

		if (!eq || eq == a->env.v[i])
			return cli_usage_error(CREATE, "bad --env '%s'",
					       a->env.v[i]);
	}
	return -1;
}

/* Returns -1 to go on, else the exit status. */
static int create_parse(int argc, char **argv, struct create_args *a)
{
	static const struct option longopts[] = {
		{ "layout", required_argument, NULL, OPT_LAYOUT },
		{ "tag", required_argument, NULL, OPT_TAG },
		{ "layer", required_argument, NULL, OPT_LAYER },
		{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
		{ "cmd", required_argument, NULL, OPT_CMD },
		{ "env", required_argument, NULL, OPT_ENV },
		{ "workdir", required_argument, NULL, OPT_WORKDIR },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LAYOUT:
			a->layout = optarg;
			break;
		case OPT_TAG:
			a->tag = optarg;
			break;
		case OPT_LAYER:
			a->layers.v[a->layers.n++] = optarg;
			break;
		case OPT_ENTRYPOINT:
			a->entrypoint.v[a->entrypoint.n++] = optarg;
			break;
		case OPT_CMD:
			a->cmd.v[a->cmd.n++] = optarg;
			break;
		case OPT_ENV:
			a->env.v[a->env.n++] = optarg;
			break;
		case OPT_WORKDIR:
			a->workdir = optarg;
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
	return create_check(a);
}

/* $SOURCE_DATE_EPOCH: 0 and *has = false when unset or empty. */
static int created_from_env(bool *has, int64_t *t)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	long long v;

	*has = false;
	if (!env || !*env)
		return 0;
	if (cli_parse_number(env, 0, LAYOUT_CREATED_MAX, &v) < 0)
		return -EINVAL;
	*has = true;
	*t = v;
	return 0;
}

/* The stacker media type of a squashfs layer compressed with id. */
static const char *squashfs_media_type(unsigned int id)
{
	switch (id) {
	case SQUASHFS_COMP_ZSTD:
		return LAYER_MEDIA_TYPE;
	case SQUASHFS_COMP_GZIP:
		return "application/vnd.stacker.image.layer.squashfs+gzip";
	case SQUASHFS_COMP_XZ:
		return "application/vnd.stacker.image.layer.squashfs+xz";
	}
	return NULL;
}

/* A layer blob given with --layer, checked before the layout is touched. */
struct layer_input {
	const char *path;
	int fd;
	struct layer_info info;
};

/*
 * Open and check the layer blob at path: squashfs and verity superblocks,
 * and the whole hash tree recomputed and compared with the stored one.
 */
static int check_layer(const char *path, struct layer_input *in,
		       struct layout_layer *out)
{
	const char *compression;
	int r;

	in->path = path;
	in->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0)
		return cli_failure(CREATE, "%s: %s", path, strerror(errno));
	r = layer_inspect_fd(in->fd, &in->info);
	if (r < 0)
		return cli_failure(CREATE, "%s: not a squashfs + verity layer: "
				   "%s", path, ociboot_strerror(r));
	out->media_type = squashfs_media_type(in->info.compression);
	compression = squashfs_compression_name(in->info.compression);
	if (!out->media_type)
		return cli_failure(CREATE, "%s: squashfs compression %s has "
				   "no layer media type (use zstd, gzip or xz)",
				   path, compression);
	out->has_verity_root = true;
	memcpy(out->verity_root, in->info.root, SHA256_LEN);
	return 0;
}

/* Copy a checked layer into the layout; it must not have changed. */
static int add_layer(const struct layout *l, const struct layer_input *in,
		     struct layout_layer *out)
{
	struct error err;
	int r;

	r = layout_add_blob_fd(l, in->fd, out->digest, &out->size, &err);
	if (r < 0)
		return layout_failure(CREATE, in->path, &err);
	if (!ct_memeq(out->digest, in->info.digest, SHA256_LEN) ||
	    (uint64_t)out->size != in->info.size)
		return cli_failure(CREATE, "%s: changed while being read",
				   in->path);
	return 0;
}

static int add_config(const struct layout *l, const struct create_args *a,
		      const struct layout_layer *layers,
		      uint8_t digest[SHA256_LEN], int64_t *size)
{
	uint8_t (*diff_ids)[SHA256_LEN];
	struct layout_config c = {
		.architecture = "amd64",
		.os = "linux",
		.entrypoint = a->entrypoint.v,
		.entrypoint_count = a->entrypoint.n,
		.cmd = a->cmd.v,
		.cmd_count = a->cmd.n,
		.env = a->env.v,
		.env_count = a->env.n,
		.working_dir = a->workdir,
		.diff_id_count = a->layers.n,
	};
	struct error err;
	size_t len;
	char *json;
	int r;

	if (created_from_env(&c.has_created, &c.created) < 0)
		return cli_failure(CREATE, "bad SOURCE_DATE_EPOCH '%s'",
				   getenv("SOURCE_DATE_EPOCH"));
	diff_ids = calloc(a->layers.n, SHA256_LEN);
	if (!diff_ids)
		return cli_failure(CREATE, "%s", strerror(ENOMEM));
	/* squashfs layers are not compressed: the diff_id is the digest */
	for (size_t i = 0; i < a->layers.n; i++)
		memcpy(diff_ids[i], layers[i].digest, SHA256_LEN);
	c.diff_ids = (const uint8_t (*)[SHA256_LEN])diff_ids;
	r = layout_config_json(&c, &json, &len);
	free(diff_ids);
	if (r < 0)
		return cli_failure(CREATE, "image config: %s",
				   ociboot_strerror(r));
	r = layout_add_blob(l, json, len, digest, &err);
	free(json);
	if (r < 0)
		return layout_failure(CREATE, a->layout, &err);
	*size = (int64_t)len;
	return 0;
}

static int add_manifest(const struct layout *l, const struct create_args *a,
			const struct layout_layer *layers)
{
	uint8_t config_digest[SHA256_LEN], digest[SHA256_LEN];
	struct error err;
	int64_t config_size = 0;
	size_t len;
	char *json;
	int r;

	r = add_config(l, a, layers, config_digest, &config_size);
	if (r)
		return r;
	r = layout_manifest_json(config_digest, config_size, layers,
				 a->layers.n, &json, &len);
	if (r < 0)
		return cli_failure(CREATE, "image manifest: %s",
				   ociboot_strerror(r));
	r = layout_add_blob(l, json, len, digest, &err);
	free(json);
	if (r == 0)
		r = layout_tag(l, a->tag, digest, (int64_t)len, &err);
	if (r < 0)
		return layout_failure(CREATE, a->layout, &err);
	cli_print_digest("digest", digest);
	printf("size: %zu\ntag: %s\n", len, a->tag);
	return 0;
}

static int add_image(const struct create_args *a,
		     const struct layer_input *inputs,
		     struct layout_layer *layers)
{
	struct error err;
	struct layout l;
	int r;

	r = layout_create(&l, AT_FDCWD, a->layout, &err);
	if (r < 0)
		return layout_failure(CREATE, a->layout, &err);
	for (size_t i = 0; i < a->layers.n && r == 0; i++)
		r = add_layer(&l, &inputs[i], &layers[i]);
	if (r == 0)
		r = add_manifest(&l, a, layers);
	layout_close(&l);
	return r;
}

/* Check every layer first, so that a bad one leaves the layout alone. */
static int create_image(const struct create_args *a)
{
	struct layer_input *inputs;
	struct layout_layer *layers;
	size_t n = a->layers.n;
	int r = 0;

	inputs = calloc(n, sizeof(*inputs));
	layers = calloc(n, sizeof(*layers));
	if (!inputs || !layers) {
		free(inputs);
		free(layers);
		return cli_failure(CREATE, "%s", strerror(ENOMEM));
	}
	for (size_t i = 0; i < n; i++)
		inputs[i].fd = -1;
	for (size_t i = 0; i < n && r == 0; i++)
		r = check_layer(a->layers.v[i], &inputs[i], &layers[i]);
	if (r == 0)
		r = add_image(a, inputs, layers);
	for (size_t i = 0; i < n; i++)
		if (inputs[i].fd >= 0)
			close(inputs[i].fd);
	free(inputs);
	free(layers);
	return r;
}

static int image_create(int argc, char **argv)
{
	struct create_args a = { 0 };
	int r;

	if (strings_alloc(&a, argc) < 0) {
		strings_free(&a);
		return cli_failure(CREATE, "%s", strerror(ENOMEM));
	}
	r = create_parse(argc, argv, &a);
	if (r < 0)
		r = create_image(&a);
	strings_free(&a);
	return r;
}

/* --- inspect -------------------------------------------------------------- */

/* Buffers for reading documents, allocated once. */
struct inspect_work {
	char buf[LAYOUT_DOCUMENT_MAX];
	struct json_token tokens[OCI_TOKENS_MAX];
	struct oci_index idx;
	struct oci_manifest manifest;
	struct oci_config config;
};

struct inspect_args {
	const char *layout;
	const char *tag;
	bool has_digest;
	uint8_t digest[SHA256_LEN];
	bool verify;
};

static int inspect_parse(int argc, char **argv, struct inspect_args *a)
{
	static const struct option longopts[] = {
		{ "layout", required_argument, NULL, OPT_LAYOUT },
		{ "tag", required_argument, NULL, OPT_TAG },
		{ "digest", required_argument, NULL, OPT_DIGEST },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *reason;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LAYOUT:
			a->layout = optarg;
			break;
		case OPT_TAG:
			a->tag = optarg;
			break;
		case OPT_DIGEST:
			if (oci_digest_parse(optarg, strlen(optarg),
					     a->digest, &reason) < 0)
				return cli_usage_error(INSPECT, "bad --digest "
						       "'%s': %s", optarg,
						       reason);
			a->has_digest = true;
			break;
		case OPT_VERIFY:
			a->verify = true;
			break;
		case 'h':
			fputs(inspect_usage, stdout);
			return 0;
		default:
			return cli_usage_error(INSPECT, "bad arguments");
		}
	}
	if (optind != argc)
		return cli_usage_error(INSPECT, "unexpected '%s'",
				       argv[optind]);
	if (!a->layout)
		return cli_usage_error(INSPECT, "--layout is required");
	if (!a->tag == !a->has_digest)
		return cli_usage_error(INSPECT, "need one of --tag, --digest");
	return -1;
}

/* The index entry the arguments name. */
static int find_entry(const struct inspect_args *a,
		      const struct oci_index *idx, struct error *err)
{
	if (a->tag)
		return layout_find_tag(idx, a->tag, err);
	return layout_find_digest(idx, a->digest, err);
}

/* An array of config strings as one JSON line (escaped: untrusted). */
static void print_json_strings(const char *label, const struct oci_config *c,
			       const uint32_t *offsets, size_t n)
{
	struct jsonw w;
	size_t len;
	char *text;

	jsonw_init(&w);
	jsonw_array_begin(&w);
	for (size_t i = 0; i < n; i++)
		jsonw_string(&w, oci_config_string(c, offsets[i]));
	jsonw_array_end(&w);
	if (jsonw_finish(&w, &text, &len) < 0) {
		printf("%s: (unprintable)\n", label);
		return;
	}
	printf("%s: %s\n", label, text);
	free(text);
}

static void print_json_string(const char *label, const char *s)
{
	struct jsonw w;
	size_t len;
	char *text;

	jsonw_init(&w);
	jsonw_string(&w, s);
	if (jsonw_finish(&w, &text, &len) < 0) {
		printf("%s: (unprintable)\n", label);
		return;
	}
	printf("%s: %s\n", label, text);
	free(text);
}

static void print_config(const struct oci_descriptor *d,
			 const struct oci_config *c)
{
	cli_print_digest("config", d->digest);
	printf("config_size: %" PRId64 "\n", d->size);
	printf("architecture: %s\nos: %s\n", c->architecture, c->os);
	print_json_strings("entrypoint", c, c->entrypoint,
			   c->entrypoint_count);
	print_json_strings("cmd", c, c->cmd, c->cmd_count);
	print_json_strings("env", c, c->env, c->env_count);
	if (c->has_working_dir)
		print_json_string("workdir",
				  oci_config_string(c, c->working_dir));
}

static void print_layer(size_t i, const struct oci_descriptor *d)
{
	char hex[SHA256_HEX_LEN + 1], label[32];

	snprintf(label, sizeof(label), "layer[%zu].digest", i);
	cli_print_digest(label, d->digest);
	printf("layer[%zu].size: %" PRId64 "\n", i, d->size);
	printf("layer[%zu].mediaType: %s\n", i, d->media_type);
	if (d->has_verity_root) {
		sha256_hex(d->verity_root, hex);
		printf("layer[%zu].root_hash: %s\n", i, hex);
	} else {
		printf("layer[%zu].root_hash: none\n", i);
	}
}

/* A refusal of layer i of the image (its digest d) with a reason. */
__attribute__((format(printf, 4, 5)))
static int layer_refused(const char *dir, size_t i,
			 const struct oci_descriptor *d, const char *fmt, ...)
{
	char text[OCI_DIGEST_STRING_LEN + 1];
	va_list ap;

	oci_digest_string(d->digest, text);
	fprintf(stderr, INSPECT ": %s: layer %zu (%s): ", dir, i, text);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/*
 * Hash the whole layer open on fd; for squashfs, also recompute its hash
 * tree (compared with the stored one) and root hash. Returns 0 or 1.
 */
static int verify_layer(const char *dir, size_t i, int fd,
			const struct oci_descriptor *d)
{
	char text[2][SHA256_HEX_LEN + 1];
	struct error err;
	struct layer_info info;
	uint8_t *buf;
	int r;

	if (d->kind != OCI_LAYER_SQUASHFS) {
		buf = malloc(VERIFY_CHUNK);
		if (!buf)
			return cli_failure(INSPECT, "%s", strerror(ENOMEM));
		r = layout_blob_verify_fd(fd, d->digest, d->size, buf,
					  VERIFY_CHUNK, &err);
		free(buf);
		return r < 0 ? layer_refused(dir, i, d, "%s", err.why) : 0;
	}
	r = layer_inspect_fd(fd, &info);
	if (r == -OCIBOOT_EVERIFY)
		return layer_refused(dir, i, d, "a stored hash block differs "
				     "from the one its data gives");
	if (r < 0)
		return layer_refused(dir, i, d, "not a squashfs + verity "
				     "blob: %s", ociboot_strerror(r));
	if (!ct_memeq(info.digest, d->digest, SHA256_LEN)) {
		sha256_hex(info.digest, text[0]);
		return layer_refused(dir, i, d, "content has digest sha256:%s",
				     text[0]);
	}
	if (d->has_verity_root &&
	    !ct_memeq(info.root, d->verity_root, SHA256_LEN)) {
		sha256_hex(info.root, text[0]);
		sha256_hex(d->verity_root, text[1]);
		return layer_refused(dir, i, d, "verity root hash %s, not the "
				     "annotation's %s", text[0], text[1]);
	}
	return 0;
}

/* Every layer blob present with its size; with verify, its content. */
static int check_layers(const struct inspect_args *a, const struct layout *l,
			const struct oci_manifest *m)
{
	struct error err;

	for (size_t i = 0; i < m->layer_count; i++) {
		const struct oci_descriptor *d = &m->layers[i];
		int fd, r;

		fd = layout_open_blob(l, d->digest, d->size, &err);
		if (fd < 0)
			return layout_failure(INSPECT, a->layout, &err);
		r = a->verify ? verify_layer(a->layout, i, fd, d) : 0;
		close(fd);
		if (r)
			return r;
	}
	return 0;
}

static int inspect_image(const struct inspect_args *a, const struct layout *l,
			 struct inspect_work *w)
{
	const struct oci_descriptor *d;
	struct error err;
	int r;

	r = layout_read_index(l, w->buf, sizeof(w->buf), w->tokens,
			      OCI_TOKENS_MAX, &w->idx, &err);
	if (r < 0)
		return layout_failure(INSPECT, a->layout, &err);
	r = find_entry(a, &w->idx, &err);
	if (r < 0)
		return layout_failure(INSPECT, a->layout, &err);
	d = &w->idx.manifests[r];
	r = layout_read_manifest(l, d, w->buf, sizeof(w->buf), w->tokens,
				 OCI_TOKENS_MAX, &w->manifest, &err);
	if (r < 0)
		return layout_failure(INSPECT, a->layout, &err);
	cli_print_digest("manifest", d->digest);
	printf("manifest_size: %" PRId64 "\n", d->size);
	r = layout_read_config(l, &w->manifest.config, w->buf, sizeof(w->buf),
			       w->tokens, OCI_TOKENS_MAX, &w->config, &err);
	if (r < 0)
		return layout_failure(INSPECT, a->layout, &err);
	print_config(&w->manifest.config, &w->config);
	printf("layers: %zu\n", w->manifest.layer_count);
	for (size_t i = 0; i < w->manifest.layer_count; i++)
		print_layer(i, &w->manifest.layers[i]);
	r = check_layers(a, l, &w->manifest);
	if (r == 0 && a->verify)
		printf("verified: every blob matches its digest and every "
		       "squashfs layer its root hash\n");
	return r;
}

static int image_inspect(int argc, char **argv)
{
	struct inspect_args a = { 0 };
	struct inspect_work *w;
	struct error err;
	struct layout l;
	int r;

	r = inspect_parse(argc, argv, &a);
	if (r >= 0)
		return r;
	r = layout_open(&l, AT_FDCWD, a.layout, &err);
	if (r < 0)
		return layout_failure(INSPECT, a.layout, &err);
	w = malloc(sizeof(*w));
	if (!w) {
		layout_close(&l);
		return cli_failure(INSPECT, "%s", strerror(ENOMEM));
	}
	r = inspect_image(&a, &l, w);
	free(w);
	layout_close(&l);
	return r;
}

int image_main(int argc, char **argv)
{
	static const struct cli_command commands[] = {
		{ "create", image_create },
		{ "inspect", image_inspect },
	};

	return cli_dispatch("ociboot image", main_usage, commands,
			    ARRAY_SIZE(commands), argc, argv);
}
