/* SPDX-License-Identifier: MIT */
/*
 * `ociboot image`: make an OCI image from squashfs + dm-verity layer blobs
 * in an OCI image layout, and inspect one.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "tool/output.h"

#define VERIFY_CHUNK (1u << 20)
/* What the messages of `image create` and `image inspect` start with. */
#define CREATE "ociboot image create"
#define INSPECT "ociboot image inspect"

static const char create_description[] =
	"Make an image of the layer blobs (squashfs + dm-verity, as\n"
	"`ociboot layer create` makes them; bottom layer first) in the OCI\n"
	"image layout DIR, created if missing, and tag it TAG (replacing any\n"
	"image tagged TAG). Each blob's hash tree is recomputed and compared\n"
	"with the one stored; its root hash goes into the layer's\n"
	OCI_ANNOTATION_VERITY_ROOT " annotation and, for atomfs\n"
	"before 1.2, " OCI_ANNOTATION_VERITY_ROOT_LEGACY ".\n"
	"The config is amd64/linux, with the given Entrypoint, Cmd, Env,\n"
	"WorkingDir, User and Volumes (each repeatable option adds one\n"
	"element, in order), and\n"
	"rootfs.diff_ids equal to the layer digests, as stacker writes them.\n"
	"`created` is $SOURCE_DATE_EPOCH when set, else left out. The same\n"
	"inputs always give the same manifest digest, which is printed.\n";

static const char inspect_description[] =
	"Read an image from the OCI image layout DIR (give one of --tag and\n"
	"--digest), checking the manifest and config blobs against their\n"
	"digests and each layer blob's size, and print the manifest digest,\n"
	"the config, and each layer's digest, size, media type and verity\n"
	"root hash. --verify also hashes every layer blob and, for squashfs\n"
	"layers, recomputes the hash tree and compares its root with the\n"
	"annotation.\n";

static int layout_failure(const char *cmd, const char *dir,
			  const struct error *err)
{
	if (streq(err->what, dir))
		return cli_failure(cmd, "%s: %s", dir, err->why);
	return cli_failure(cmd, "%s: %s: %s", dir, err->what, err->why);
}

/* --- create --------------------------------------------------------------- */

struct create_args {
	const char *layout;
	const char *tag;
	struct cli_list layers, entrypoint, cmd, env, volumes;
	const char *workdir;
	const char *user;
};

/* Each list can hold every argument; argc bounds them all. */
static int lists_alloc(struct create_args *a, int argc)
{
	struct cli_list *all[] = { &a->layers, &a->entrypoint, &a->cmd,
				   &a->env, &a->volumes };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		all[i]->cap = (size_t)argc;
		all[i]->items = calloc((size_t)argc, sizeof(*all[i]->items));
		if (!all[i]->items)
			return -ENOMEM;
	}
	return 0;
}

static void lists_free(struct create_args *a)
{
	free(a->layers.items);
	free(a->entrypoint.items);
	free(a->cmd.items);
	free(a->env.items);
	free(a->volumes.items);
}

static int create_check(const struct cli_spec *spec, void *args)
{
	const struct create_args *a = args;

	if (!layout_tag_valid(a->tag))
		return cli_usage(spec, "bad --tag '%s'", a->tag);
	if (a->layers.count > OCI_LAYERS_MAX)
		return cli_usage(spec, "%zu layers: over the limit of %d "
				 "layers per image (oci/limits.h)",
				 a->layers.count, OCI_LAYERS_MAX);
	for (size_t i = 0; i < a->env.count; i++) {
		const char *eq = strchr(a->env.items[i], '=');

		if (!eq || eq == a->env.items[i])
			return cli_usage(spec, "bad --env '%s'",
					 a->env.items[i]);
	}
	return 0;
}

static const struct cli_option create_options[] = {
	CLI_OPTION_STRING("layout", 0, CLI_REQUIRED, "DIR",
			  "the OCI image layout", struct create_args, layout),
	CLI_OPTION_STRING("tag", 0, CLI_REQUIRED, "TAG", "the image's tag",
			  struct create_args, tag),
	CLI_OPTION_LIST("layer", 0, CLI_REQUIRED, "BLOB",
			"a layer blob, bottom first", struct create_args,
			layers),
	CLI_OPTION_LIST("entrypoint", 0, 0, "ARG", "an Entrypoint element",
			struct create_args, entrypoint),
	CLI_OPTION_LIST("cmd", 0, 0, "ARG", "a Cmd element",
			struct create_args, cmd),
	CLI_OPTION_LIST("env", 0, 0, "NAME=VALUE", "an Env element",
			struct create_args, env),
	CLI_OPTION_STRING("workdir", 0, 0, "DIR", "the WorkingDir",
			  struct create_args, workdir),
	CLI_OPTION_STRING("user", 0, 0, "USER[:GROUP]", "the User",
			  struct create_args, user),
	CLI_OPTION_LIST("volume", 0, 0, "PATH", "a Volumes path",
			struct create_args, volumes),
};

static const struct cli_spec create_spec =
	CLI_SPEC(CREATE, create_description, create_options, create_check);

/* $SOURCE_DATE_EPOCH: 0 and *has = false when unset or empty. */
static int created_from_env(bool *has, int64_t *t)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	long long v;

	*has = false;
	if (!env || !*env)
		return 0;
	if (cli_source_date_epoch(LAYOUT_CREATED_MAX, &v) < 0)
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
				   "%s (make layers with `ociboot layer "
				   "create`)", path, ociboot_strerror(r));
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
		.entrypoint = a->entrypoint.items,
		.entrypoint_count = a->entrypoint.count,
		.cmd = a->cmd.items,
		.cmd_count = a->cmd.count,
		.env = a->env.items,
		.env_count = a->env.count,
		.working_dir = a->workdir,
		.user = a->user,
		.volumes = a->volumes.items,
		.volume_count = a->volumes.count,
		.diff_id_count = a->layers.count,
	};
	struct error err;
	size_t len;
	char *json;
	int r;

	if (created_from_env(&c.has_created, &c.created) < 0)
		return cli_failure(CREATE, "bad SOURCE_DATE_EPOCH '%s'",
				   getenv("SOURCE_DATE_EPOCH"));
	diff_ids = calloc(a->layers.count, SHA256_LEN);
	if (!diff_ids)
		return cli_failure(CREATE, "%s", strerror(ENOMEM));
	/* squashfs layers are not compressed: the diff_id is the digest */
	for (size_t i = 0; i < a->layers.count; i++)
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
				 a->layers.count, &json, &len);
	if (r < 0)
		return cli_failure(CREATE, "image manifest: %s",
				   ociboot_strerror(r));
	sha256_digest(json, len, digest);
	output_note_tag(CREATE, l, a->layout, a->tag, digest);
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

	r = output_make_dir(CREATE, a->layout);
	if (r)
		return r;
	r = layout_create(&l, AT_FDCWD, a->layout, &err);
	if (r < 0)
		return layout_failure(CREATE, a->layout, &err);
	for (size_t i = 0; i < a->layers.count && r == 0; i++)
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
	size_t n = a->layers.count;
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
		r = check_layer(a->layers.items[i], &inputs[i], &layers[i]);
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

	if (lists_alloc(&a, argc) < 0) {
		lists_free(&a);
		return cli_failure(CREATE, "%s", strerror(ENOMEM));
	}
	r = cli_parse(&create_spec, argc, argv, &a, NULL);
	if (r)
		r = cli_exit_status(r);
	else
		r = create_image(&a);
	lists_free(&a);
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

static int set_digest(void *args, const char *value, struct error *err)
{
	struct inspect_args *a = args;
	const char *reason;

	if (oci_digest_parse(value, strlen(value), a->digest, &reason) < 0)
		return error_set(err, -EINVAL, NULL, "%s", reason);
	a->has_digest = true;
	return 0;
}

static int inspect_check(const struct cli_spec *spec, void *args)
{
	const struct inspect_args *a = args;

	if (!a->tag == !a->has_digest)
		return cli_usage(spec, "need one of --tag, --digest");
	return 0;
}

static const struct cli_option inspect_options[] = {
	CLI_OPTION_STRING("layout", 0, CLI_REQUIRED, "DIR",
			  "the OCI image layout", struct inspect_args, layout),
	CLI_OPTION_STRING("tag", 0, 0, "TAG", "the image's tag",
			  struct inspect_args, tag),
	CLI_OPTION_CALL("digest", 0, 0, "sha256:HEX",
			"the image manifest's digest", set_digest),
	CLI_OPTION_FLAG("verify", 0, "hash every layer blob in full",
			struct inspect_args, verify),
};

static const struct cli_spec inspect_spec =
	CLI_SPEC(INSPECT, inspect_description, inspect_options, inspect_check);

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
	char hex[SHA256_HEX_LEN + 1], label[48];

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

	r = cli_parse(&inspect_spec, argc, argv, &a, NULL);
	if (r)
		return cli_exit_status(r);
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
		{ "create", image_create, "make an OCI image of layer blobs in "
		  "an image layout" },
		{ "inspect", image_inspect, "check an image in an image layout "
		  "and print it" },
	};

	return cli_dispatch("ociboot image", commands, ARRAY_SIZE(commands),
			    argc, argv);
}
