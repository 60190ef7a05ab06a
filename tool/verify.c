/* SPDX-License-Identifier: MIT */
/*
 * `ociboot verify`: check a signed system in an OCI image layout with the
 * code the init runs (trust/system.h), then do what the boot leaves to
 * dm-verity: hash every layer blob whole, and recompute every layer's hash
 * tree and compare it, block for block, with the one in the blob.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/dn.h"
#include "crypto/sha256.h"
#include "crypto/x509.h"
#include "oci/layout.h"
#include "oci/oci.h"
#include "oci/oci_ref.h"
#include "trust/services.h"
#include "trust/system.h"
#include "fs/verity.h"
#include "layer/verity_tree.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"
#include "tool/progress.h"

#define VERIFY_CA_FILES_MAX X509_ANCHORS_MAX
/* Bytes read at a time; a multiple of VERITY_BLOCK_SIZE. */
#define VERIFY_CHUNK (1u << 20)
/* What the messages of `ociboot verify` start with. */
#define VERIFY "ociboot verify"

_Static_assert(VERIFY_CHUNK % VERITY_BLOCK_SIZE == 0,
	       "chunks hold whole verity blocks");

static const char verify_description[] =
	"Verify the signed system artifact tagged TAG (default latest), or\n"
	"the one with that manifest digest, in the OCI image layout DIR with\n"
	"the code the init runs at boot: the certificate chains to one of the\n"
	"CA certificates (PEM files, or every *.pem of a directory) at --time\n"
	"(Unix seconds; default now), the signature over the system manifest\n"
	"matches, its product is the certificate's (and --product, if given),\n"
	"and the rootfs image and every service image, their configs and\n"
	"every layer's squashfs and verity superblocks are what they must\n"
	"be. Prints each step, as the boot logs it. Then checks what the\n"
	"boot leaves to dm-verity: every layer blob against its digest, and\n"
	"every layer's hash tree\n"
	"recomputed from its data, its root against the signed annotation and\n"
	"its blocks against those in the blob. Prints OK, or one line saying\n"
	"what failed (exit 1). On a terminal, the layer being hashed and how\n"
	"far it is are shown on stderr (not with --quiet).\n";

struct verify_args {
	const char *layout;
	struct oci_reference ref;
	bool has_tag;
	const char *cas_storage[VERIFY_CA_FILES_MAX];
	struct cli_list cas;
	const char *product;
	int64_t time;
	bool quiet;
};

static int set_tag(void *args, const char *value, struct error *err)
{
	struct verify_args *a = args;
	size_t len = strlen(value);

	if (a->ref.by_digest)
		return error_set(err, -EINVAL, NULL, "give one --tag or "
				 "--digest");
	if (len == 0 || len > OCI_TAG_MAX)
		return error_set(err, -EINVAL, NULL, "takes 1 to %d "
				 "characters", OCI_TAG_MAX);
	memcpy(a->ref.tag, value, len + 1);
	a->has_tag = true;
	return 0;
}

static int set_digest(void *args, const char *value, struct error *err)
{
	struct verify_args *a = args;
	const char *reason;

	if (a->has_tag)
		return error_set(err, -EINVAL, NULL, "give one --tag or "
				 "--digest");
	if (oci_digest_parse(value, strlen(value), a->ref.digest,
			     &reason) < 0)
		return error_set(err, -EINVAL, NULL, "%s", reason);
	a->ref.by_digest = true;
	return 0;
}

static int set_product(void *args, const char *value, struct error *err)
{
	struct verify_args *a = args;
	char uuid[DN_UUID_LEN + 1];

	if (dn_uuid_normalize(value, strlen(value), uuid) < 0)
		return error_set(err, -EINVAL, NULL, "is not a UUID");
	a->product = value;
	return 0;
}

static const struct cli_option verify_options[] = {
	CLI_OPTION_STRING("layout", 0, CLI_REQUIRED, "DIR",
			  "the OCI image layout", struct verify_args, layout),
	CLI_OPTION_CALL("tag", 0, 0, "TAG", "the artifact's tag (default "
			OCI_DEFAULT_TAG ")", set_tag),
	CLI_OPTION_CALL("digest", 0, 0, "sha256:HEX",
			"the artifact manifest's digest", set_digest),
	CLI_OPTION_LIST("ca", 0, CLI_REQUIRED, "FILE|DIR",
			"a CA (PEM file, or directory of *.pem)",
			struct verify_args, cas),
	CLI_OPTION_CALL("product", 0, 0, "UUID", "the product it must be for",
			set_product),
	CLI_OPTION_EPOCH("time", 0, 0, "check validity then, not now",
			 struct verify_args, time),
	CLI_OPTION_FLAG("quiet", 'q', "show no progress", struct verify_args,
			quiet),
};

static const struct cli_spec verify_spec =
	CLI_SPEC(VERIFY, verify_description, verify_options, NULL);

static int parse_args(int argc, char **argv, struct verify_args *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->cas.items = a->cas_storage;
	a->cas.cap = VERIFY_CA_FILES_MAX;
	a->time = (int64_t)time(NULL);
	r = cli_parse(&verify_spec, argc, argv, a, NULL);
	if (r == 0 && !a->has_tag && !a->ref.by_digest)
		memcpy(a->ref.tag, OCI_DEFAULT_TAG, sizeof(OCI_DEFAULT_TAG));
	return r;
}

/* --- what dm-verity checks at boot, done here in full --------------------- */

/* Compares each hash block the tree builder makes with the blob's. */
struct tree_compare {
	int fd;
	uint64_t block;			/* the first that differs */
	uint8_t stored[VERITY_BLOCK_SIZE];
};

/* Which layer of how many, for the progress line. */
struct layer_pos {
	struct progress *progress;
	size_t index, count;
};

static int compare_block(void *ctx, uint64_t block, const uint8_t *data)
{
	struct tree_compare *t = ctx;
	int r;

	r = fileio_pread_exact(t->fd, t->stored, VERITY_BLOCK_SIZE,
			       block * VERITY_BLOCK_SIZE);
	if (r < 0)
		return r;
	if (memcmp(t->stored, data, VERITY_BLOCK_SIZE) == 0)
		return 0;
	t->block = block;
	return -OCIBOOT_EVERIFY;
}

/* Hash the data of layer y open on fd into tree; its stored blocks compared. */
static int hash_tree(const struct system_layer *y, int fd,
		     struct verity_tree *tree, struct tree_compare *cmp,
		     uint8_t *buf, uint8_t root[VERITY_DIGEST_LEN],
		     const struct layer_pos *pos)
{
	char done_text[16], total[16];
	uint64_t done = 0;
	int r;

	r = verity_tree_init(tree, y->hash_offset, y->verity.salt,
			     y->verity.salt_len, compare_block, cmp);
	while (r == 0 && done < y->hash_offset) {
		size_t want = y->hash_offset - done < VERIFY_CHUNK ?
			      (size_t)(y->hash_offset - done) : VERIFY_CHUNK;

		r = fileio_pread_exact(fd, buf, want, done);
		if (r < 0)
			return r;
		r = verity_tree_update(tree, buf, want);
		done += want;
		progress_update(pos->progress, "layer %zu of %zu: hash tree, "
				"%s of %s", pos->index + 1, pos->count,
				progress_size(done, done_text),
				progress_size(y->hash_offset, total));
	}
	if (r == 0)
		r = verity_tree_final(tree, root);
	return r;
}

static int check_tree(const struct layer_pos *pos,
		      const struct system_layer *y, int fd,
		      struct verity_tree *tree, uint8_t *buf)
{
	size_t i = pos->index;
	char got[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];
	char digest[OCI_DIGEST_STRING_LEN + 1];
	struct tree_compare cmp = { .fd = fd };
	uint8_t root[VERITY_DIGEST_LEN];
	int r;

	oci_digest_string(y->digest, digest);
	r = hash_tree(y, fd, tree, &cmp, buf, root, pos);
	progress_done(pos->progress);
	if (r == -OCIBOOT_EVERIFY)
		return cli_failure(VERIFY, "layer %zu %s: hash block %" PRIu64
				   " (offset %" PRIu64 ") differs from the one "
				   "its data gives", i, digest, cmp.block,
				   cmp.block * VERITY_BLOCK_SIZE);
	if (r < 0)
		return cli_failure(VERIFY, "layer %zu %s: hash tree: %s", i,
				   digest, ociboot_strerror(r));
	if (!ct_memeq(root, y->root_hash, VERITY_DIGEST_LEN)) {
		sha256_hex(root, got);
		sha256_hex(y->root_hash, want);
		return cli_failure(VERIFY, "layer %zu %s: verity root hash %s "
				   "is not the signed annotation's %s", i,
				   digest, got, want);
	}
	printf("layer %zu: content matches its digest; hash tree of %" PRIu64
	       " data blocks recomputed, root hash and every hash block "
	       "match\n", i, y->verity.data_blocks);
	return 0;
}

static int check_layer_content(const struct layout *l,
			       const struct layer_pos *pos,
			       const struct system_layer *y,
			       struct verity_tree *tree, uint8_t *buf)
{
	char digest[OCI_DIGEST_STRING_LEN + 1], size[16];
	size_t i = pos->index;
	struct error le;
	int fd, r;

	oci_digest_string(y->digest, digest);
	fd = layout_open_blob(l, y->digest, y->size, &le);
	if (fd < 0)
		return cli_failure(VERIFY, "layer %zu %s: %s", i, digest,
				   le.why);
	progress_force(pos->progress, "layer %zu of %zu: digest of %s",
		       i + 1, pos->count, progress_size((uint64_t)y->size,
							size));
	r = layout_blob_verify_fd(fd, y->digest, y->size, buf, VERIFY_CHUNK,
				  &le);
	progress_done(pos->progress);
	if (r < 0)
		r = cli_failure(VERIFY, "layer %zu %s: %s", i, digest,
				le.why);
	else
		r = check_tree(pos, y, fd, tree, buf);
	close(fd);
	return r;
}

static int check_contents(const struct layout *l,
			  const struct system_plan *plan, bool quiet)
{
	struct verity_tree *tree = malloc(sizeof(*tree));
	uint8_t *buf = malloc(VERIFY_CHUNK);
	struct progress progress;
	struct layer_pos pos = { &progress, 0, plan->layer_count };
	int r = 0;

	progress_init(&progress, VERIFY, quiet);
	if (!tree || !buf)
		r = cli_failure(VERIFY, "%s", strerror(ENOMEM));
	for (size_t i = 0; r == 0 && i < plan->layer_count; i++) {
		pos.index = i;
		r = check_layer_content(l, &pos, &plan->layers[i], tree, buf);
	}
	free(tree);
	free(buf);
	return r;
}

/* --- the command ---------------------------------------------------------- */

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

struct verify_work {
	struct x509_trust_store ts;
	struct system_scratch scratch;
	struct system_plan plan;
	struct oci_config config;
	struct services_plan services;
	struct error err;
};

/* Each service layer's content, as check_contents() does the rootfs's. */
static int check_service_contents(const struct layout *l,
				  const struct services_plan *s, bool quiet)
{
	struct verity_tree *tree = malloc(sizeof(*tree));
	uint8_t *buf = malloc(VERIFY_CHUNK);
	struct progress progress;
	struct layer_pos pos = { &progress, 0, 0 };
	int r = 0;

	progress_init(&progress, VERIFY, quiet);
	if (!tree || !buf)
		r = cli_failure(VERIFY, "%s", strerror(ENOMEM));
	for (size_t i = 0; r == 0 && i < s->count; i++) {
		const struct services_image *y = &s->images[i];

		printf("service %s:\n", y->name);
		pos.count = y->layer_count;
		for (size_t j = 0; r == 0 && j < y->layer_count; j++) {
			pos.index = j;
			r = check_layer_content(l, &pos, &y->layers[j], tree,
						buf);
		}
	}
	free(tree);
	free(buf);
	return r;
}

static int run(const struct verify_args *a, struct verify_work *w)
{
	char line[ERROR_LINE_MAX];
	struct error le;
	struct layout l;
	int r;

	r = cli_load_cas(VERIFY, a->cas.items, a->cas.count, &w->ts);
	if (r)
		return r;
	r = layout_open(&l, AT_FDCWD, a->layout, &le);
	if (r < 0)
		return cli_failure(VERIFY, "%s: %s: %s", a->layout, le.what,
				   le.why);
	r = system_verify(&l, &a->ref, &w->ts, a->time, a->product,
			  &w->scratch, &w->plan, &w->err);
	if (r < 0) {
		r = cli_failure(VERIFY, "%s",
				error_format(&w->err, line, sizeof(line)));
	} else {
		system_plan_describe(&w->plan, print_line, NULL);
		r = services_verify(&l, &w->plan.manifest, &w->scratch,
				    &w->config, &w->services, &w->err);
		if (r < 0)
			r = cli_failure(VERIFY, "%s", error_format(&w->err,
					line, sizeof(line)));
		else
			services_plan_describe(&w->services, print_line,
					       NULL);
		fflush(stdout);
		if (r == 0)
			r = check_contents(&l, &w->plan, a->quiet);
		if (r == 0)
			r = check_service_contents(&l, &w->services,
						   a->quiet);
	}
	layout_close(&l);
	if (r == 0)
		printf("OK\n");
	return r;
}

int verify_main(int argc, char **argv)
{
	struct verify_args a;
	struct verify_work *w;
	int r;

	r = parse_args(argc, argv, &a);
	if (r)
		return cli_exit_status(r);
	w = malloc(sizeof(*w));
	if (!w)
		return cli_failure(VERIFY, "%s", strerror(ENOMEM));
	r = run(&a, w);
	free(w);
	return r;
}
