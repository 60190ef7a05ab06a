/* SPDX-License-Identifier: MIT */
/*
 * Tests of oci/layout (reading) and oci/layout_write over layouts in a
 * temporary directory: lookups by tag and by digest in an index of two
 * manifests, blobs whose size or digest differs from the descriptor (the
 * manifest and index.json cut at every length),
 * missing blobs, links, FIFOs and directories where files should be, a
 * layout opened beneath a root without following links, bad
 * oci-layout files (a table, and every truncation of a good one), bad and
 * oversized indexes, ambiguous tags; then the writer: idempotent creation
 * and blob storage, damaged blobs repaired, tags replaced while foreign
 * entries are kept byte for byte, output independent of the order of
 * calls, caps, and the exact bytes of configs and manifests, parsed back by
 * oci/oci.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/layout.h"
#include "oci/layout_write.h"
#include "oci/oci.h"
#include "lib/util.h"

#define SQUASHFS_TYPE "application/vnd.stacker.image.layer.squashfs+zstd"
#define LAYER_SIZE 8192

static char buf[LAYOUT_DOCUMENT_MAX];
static struct json_token tokens[OCI_TOKENS_MAX];
static struct oci_index idx;
static struct oci_manifest manifest;
static struct oci_config config;

struct fixture {
	char dir[64];		/* temporary directory */
	char layout[96];	/* dir/lay */
	struct layout l;
	uint8_t layer[SHA256_LEN], config[SHA256_LEN];
	uint8_t m1[SHA256_LEN], m2[SHA256_LEN];
	int64_t config_size, m1_size, m2_size;
	uint8_t root1[SHA256_LEN], root2[SHA256_LEN];
};

/* --- helpers -------------------------------------------------------------- */

static void path_in(const struct fixture *f, const char *rel, char *out,
		    size_t size)
{
	snprintf(out, size, "%s/%s", f->layout, rel);
}

static void blob_path(const struct fixture *f, const uint8_t d[SHA256_LEN],
		      char *out, size_t size)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(d, hex);
	snprintf(out, size, "%s/blobs/sha256/%s", f->layout, hex);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void write_text(const struct fixture *f, const char *rel,
		       const char *text)
{
	char path[256];

	path_in(f, rel, path, sizeof(path));
	unlink(path);
	write_file(path, text, strlen(text));
}

static size_t read_file(const char *path, char *out, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, out, size - 1);
	close(fd);
	assert_true(n >= 0);
	out[n] = '\0';
	return (size_t)n;
}

static void flip_byte(const char *path, off_t at)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	uint8_t b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x01;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
	close(fd);
}

static void digest_text(const uint8_t d[SHA256_LEN],
			char out[OCI_DIGEST_STRING_LEN + 1])
{
	oci_digest_string(d, out);
}

/* The error's line (why, where and offset) must contain needle. */
static void reason_has(const struct error *err, const char *needle)
{
	char line[ERROR_LINE_MAX];

	error_format(err, line, sizeof(line));
	if (!strstr(line, needle))
		print_error("reason \"%s\" lacks \"%s\"\n", line, needle);
	assert_non_null(strstr(line, needle));
}

static int64_t add_json(const struct fixture *f, char *json, size_t len,
			uint8_t digest[SHA256_LEN])
{
	struct error err;

	assert_int_equal(layout_add_blob(&f->l, json, len, digest, &err), 0);
	free(json);
	return (int64_t)len;
}

static int64_t add_manifest(struct fixture *f, const uint8_t root[32],
			    uint8_t digest[SHA256_LEN])
{
	struct layout_layer layer = {
		.media_type = SQUASHFS_TYPE,
		.size = LAYER_SIZE,
		.has_verity_root = true,
	};
	size_t len;
	char *json;

	memcpy(layer.digest, f->layer, SHA256_LEN);
	memcpy(layer.verity_root, root, SHA256_LEN);
	assert_int_equal(layout_manifest_json(f->config, f->config_size,
					      &layer, 1, &json, &len), 0);
	return add_json(f, json, len, digest);
}

/*
 * A layout with one layer blob, one config and two manifests (differing
 * in the layer's root hash annotation) tagged v1 and v2.
 */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *env[] = { "PATH=/bin" };
	struct layout_config c = {
		.architecture = "amd64", .os = "linux",
		.env = env, .env_count = 1, .diff_id_count = 1,
	};
	static uint8_t layer[LAYER_SIZE];
	struct error err;
	size_t len;
	char *json;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/layout_test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->layout, sizeof(f->layout), "%s/lay", f->dir);
	assert_int_equal(layout_create(&f->l, AT_FDCWD, f->layout, &err), 0);
	for (size_t i = 0; i < sizeof(layer); i++)
		layer[i] = (uint8_t)(i * 7);
	assert_int_equal(layout_add_blob(&f->l, layer, sizeof(layer),
					 f->layer, &err), 0);
	c.diff_ids = (const uint8_t (*)[SHA256_LEN])f->layer;
	assert_int_equal(layout_config_json(&c, &json, &len), 0);
	f->config_size = add_json(f, json, len, f->config);
	memset(f->root1, 0x11, SHA256_LEN);
	memset(f->root2, 0x22, SHA256_LEN);
	f->m1_size = add_manifest(f, f->root1, f->m1);
	f->m2_size = add_manifest(f, f->root2, f->m2);
	assert_int_equal(layout_tag(&f->l, "v1", f->m1, f->m1_size, &err), 0);
	assert_int_equal(layout_tag(&f->l, "v2", f->m2, f->m2_size, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char command[128];

	layout_close(&f->l);
	snprintf(command, sizeof(command), "rm -rf '%s'", f->dir);
	assert_int_equal(system(command), 0);
	free(f);
	return 0;
}

/* Reopen after changing files behind the layout's back. */
static int reopen(struct fixture *f, struct error *err)
{
	layout_close(&f->l);
	return layout_open(&f->l, AT_FDCWD, f->layout, err);
}

static int read_index(struct fixture *f, struct error *err)
{
	return layout_read_index(&f->l, buf, sizeof(buf), tokens,
				 OCI_TOKENS_MAX, &idx, err);
}

/* --- reading -------------------------------------------------------------- */

static void test_find_tag(void **state)
{
	struct fixture *f = *state;
	struct error err;
	int i;

	assert_int_equal(reopen(f, &err), 0);
	assert_true(read_index(f, &err) > 0);
	assert_int_equal(idx.manifest_count, 2);
	i = layout_find_tag(&idx, "v1", &err);
	assert_true(i >= 0);
	assert_memory_equal(idx.manifests[i].digest, f->m1, SHA256_LEN);
	i = layout_find_tag(&idx, "v2", &err);
	assert_true(i >= 0);
	assert_memory_equal(idx.manifests[i].digest, f->m2, SHA256_LEN);
	assert_int_equal(layout_read_manifest(&f->l, &idx.manifests[i], buf,
					      sizeof(buf), tokens,
					      OCI_TOKENS_MAX, &manifest,
					      &err), 0);
	assert_int_equal(manifest.layer_count, 1);
	assert_true(manifest.layers[0].has_verity_root);
	assert_memory_equal(manifest.layers[0].verity_root, f->root2,
			    SHA256_LEN);
	assert_int_equal(manifest.layers[0].kind, OCI_LAYER_SQUASHFS);
	assert_int_equal(layout_read_config(&f->l, &manifest.config, buf,
					    sizeof(buf), tokens,
					    OCI_TOKENS_MAX, &config, &err), 0);
	assert_int_equal(config.diff_id_count, 1);
	assert_memory_equal(config.diff_ids[0], f->layer, SHA256_LEN);
	assert_string_equal(oci_config_string(&config, config.env[0]),
			    "PATH=/bin");

	assert_int_equal(layout_find_tag(&idx, "v3", &err), -ENOENT);
	assert_string_equal(err.what, "index.json");
	reason_has(&err, "'v3'");
	assert_int_equal(layout_find_tag(&idx, "", &err), -ENOENT);
	assert_int_equal(layout_find_tag(&idx, "v", &err), -ENOENT);
	assert_int_equal(layout_find_tag(&idx, "v1 ", &err), -ENOENT);
}

static void test_find_digest(void **state)
{
	struct fixture *f = *state;
	char text[OCI_DIGEST_STRING_LEN + 1];
	struct error err;
	uint8_t other[SHA256_LEN];
	int i;

	assert_true(read_index(f, &err) > 0);
	i = layout_find_digest(&idx, f->m2, &err);
	assert_true(i >= 0);
	assert_string_equal(idx.manifests[i].ref_name, "v2");
	i = layout_find_digest(&idx, f->m1, &err);
	assert_string_equal(idx.manifests[i].ref_name, "v1");
	memcpy(other, f->m1, SHA256_LEN);
	other[31] ^= 1;
	assert_int_equal(layout_find_digest(&idx, other, &err), -ENOENT);
	digest_text(other, text);
	reason_has(&err, text);
	/* a blob that exists but is no index entry is not found either */
	assert_int_equal(layout_find_digest(&idx, f->config, &err), -ENOENT);
}

static void test_blob_size_mismatch(void **state)
{
	struct fixture *f = *state;
	char path[256], hex[SHA256_HEX_LEN + 1];
	struct error err;
	int fd;

	/* the descriptor says one byte more than the file holds */
	assert_int_equal(layout_read_blob(&f->l, f->m1, f->m1_size + 1, buf,
					  sizeof(buf), &err),
			 -OCIBOOT_EVERIFY);
	sha256_hex(f->m1, hex);
	assert_non_null(strstr(err.what, hex));
	snprintf(path, sizeof(path), "size %" PRId64 " differs from the "
		 "descriptor's %" PRId64, f->m1_size, f->m1_size + 1);
	reason_has(&err, path);
	assert_int_equal(layout_open_blob(&f->l, f->layer, LAYER_SIZE - 1,
					  &err), -OCIBOOT_EVERIFY);
	reason_has(&err, "8192");
	reason_has(&err, "8191");

	/* the file shrinks: same refusal, with the file's size */
	blob_path(f, f->config, path, sizeof(path));
	assert_int_equal(truncate(path, f->config_size - 1), 0);
	assert_int_equal(layout_read_blob(&f->l, f->config, f->config_size,
					  buf, sizeof(buf), &err),
			 -OCIBOOT_EVERIFY);
	snprintf(path, sizeof(path), "size %" PRId64 " differs from the "
		 "descriptor's %" PRId64, f->config_size - 1, f->config_size);
	reason_has(&err, path);

	/* a right size opens */
	fd = layout_open_blob(&f->l, f->layer, LAYER_SIZE, &err);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

/*
 * A manifest blob cut at every length is refused for its size, and again
 * when the descriptor gives that length (then for its digest); index.json
 * cut at every length is refused as malformed.
 */
static void test_truncations(void **state)
{
	struct fixture *f = *state;
	static char whole[LAYOUT_DOCUMENT_MAX];
	char path[256];
	struct error err;
	size_t len;

	blob_path(f, f->m1, path, sizeof(path));
	len = read_file(path, whole, sizeof(whole));
	assert_int_equal(len, f->m1_size);
	for (size_t n = 0; n < len; n++) {
		write_file(path, whole, n);
		assert_int_equal(layout_read_blob(&f->l, f->m1, f->m1_size,
						  buf, sizeof(buf), &err),
				 -OCIBOOT_EVERIFY);
		assert_non_null(strstr(err.why, "differs"));
		assert_int_equal(layout_read_blob(&f->l, f->m1, (int64_t)n,
						  buf, sizeof(buf), &err),
				 -OCIBOOT_EVERIFY);
		assert_non_null(strstr(err.why, "content has digest"));
	}
	write_file(path, whole, len);
	assert_int_equal(layout_read_blob(&f->l, f->m1, f->m1_size, buf,
					  sizeof(buf), &err), f->m1_size);

	path_in(f, "index.json", path, sizeof(path));
	len = read_file(path, whole, sizeof(whole));
	for (size_t n = 0; n < len; n++) {
		write_file(path, whole, n);
		assert_true(read_index(f, &err) < 0);
		assert_string_equal(err.what, "index.json");
		assert_int_equal(idx.manifest_count, 0);
	}
	write_file(path, whole, len);
	assert_int_equal(read_index(f, &err), (int)len);
}

static void test_digest_mismatch(void **state)
{
	struct fixture *f = *state;
	char path[256], text[OCI_DIGEST_STRING_LEN + 1];
	static uint8_t chunk[100];
	struct error err;
	struct oci_descriptor d = { 0 };
	int fd;

	blob_path(f, f->config, path, sizeof(path));
	flip_byte(path, 10);
	memcpy(d.digest, f->config, SHA256_LEN);
	d.size = f->config_size;
	assert_int_equal(layout_read_config(&f->l, &d, buf, sizeof(buf),
					    tokens, OCI_TOKENS_MAX, &config,
					    &err), -OCIBOOT_EVERIFY);
	digest_text(f->config, text);
	reason_has(&err, text);
	assert_int_equal(config.diff_id_count, 0);	/* nothing half-read */

	/* the layer: opening does not hash; the streaming check does */
	blob_path(f, f->layer, path, sizeof(path));
	flip_byte(path, LAYER_SIZE - 1);
	fd = layout_open_blob(&f->l, f->layer, LAYER_SIZE, &err);
	assert_true(fd >= 0);
	assert_int_equal(layout_blob_verify_fd(fd, f->layer, LAYER_SIZE,
					       chunk, sizeof(chunk), &err),
			 -OCIBOOT_EVERIFY);
	digest_text(f->layer, text);
	reason_has(&err, text);
	assert_int_equal(layout_blob_verify_fd(fd, f->layer, LAYER_SIZE + 1,
					       chunk, sizeof(chunk), &err),
			 -OCIBOOT_EVERIFY);
	reason_has(&err, "8193");
	flip_byte(path, LAYER_SIZE - 1);
	assert_int_equal(layout_blob_verify_fd(fd, f->layer, LAYER_SIZE,
					       chunk, sizeof(chunk), &err), 0);
	assert_int_equal(layout_blob_verify_fd(fd, f->layer, LAYER_SIZE,
					       chunk, 0, &err), -EINVAL);
	close(fd);
}

static void test_missing_blob(void **state)
{
	struct fixture *f = *state;
	char path[256], text[OCI_DIGEST_STRING_LEN + 1], want[128];
	struct error err;

	blob_path(f, f->layer, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	digest_text(f->layer, text);
	assert_int_equal(layout_open_blob(&f->l, f->layer, LAYER_SIZE, &err),
			 -ENOENT);
	reason_has(&err, text);
	snprintf(want, sizeof(want), "blobs/sha256/%s", text + 7);
	assert_string_equal(err.what, want);
	assert_int_equal(layout_read_blob(&f->l, f->layer, LAYER_SIZE, buf,
					  sizeof(buf), &err), -ENOENT);
	reason_has(&err, text);
}

static void test_links_and_special_files(void **state)
{
	struct fixture *f = *state;
	char path[256], target[256], dir[256];
	struct error err;

	/* a blob that is a link to a file with the right content */
	blob_path(f, f->m1, path, sizeof(path));
	snprintf(target, sizeof(target), "%s/copy", f->dir);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(layout_read_blob(&f->l, f->m1, f->m1_size, buf,
					  sizeof(buf), &err), -ELOOP);
	reason_has(&err, "symbolic link");
	assert_int_equal(layout_open_blob(&f->l, f->m1, f->m1_size, &err),
			 -ELOOP);

	/* a FIFO is refused at once, not opened (which would block) */
	blob_path(f, f->m2, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(layout_read_blob(&f->l, f->m2, f->m2_size, buf,
					  sizeof(buf), &err),
			 -OCIBOOT_EMALFORMED);
	reason_has(&err, "not a regular file");
	/* a directory too */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(layout_open_blob(&f->l, f->m2, f->m2_size, &err),
			 -OCIBOOT_EMALFORMED);

	/* index.json and oci-layout as links */
	path_in(f, "index.json", path, sizeof(path));
	snprintf(target, sizeof(target), "%s/index", f->dir);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(read_index(f, &err), -ELOOP);
	assert_string_equal(err.what, "index.json");
	path_in(f, "oci-layout", path, sizeof(path));
	snprintf(target, sizeof(target), "%s/oci-layout", f->dir);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(reopen(f, &err), -ELOOP);
	assert_int_equal(f->l.dir_fd, -1);
	assert_int_equal(f->l.blobs_fd, -1);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rename(target, path), 0);
	assert_int_equal(reopen(f, &err), 0);

	/* blobs/sha256 as a link to a real directory */
	path_in(f, "blobs/sha256", path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s/elsewhere", f->dir);
	assert_int_equal(rename(path, dir), 0);
	assert_int_equal(symlink(dir, path), 0);
	assert_int_equal(reopen(f, &err), -ELOOP);
	assert_string_equal(err.what, "blobs/sha256");
	/* blobs as a link */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rename(dir, path), 0);
	path_in(f, "blobs", path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s/blobs", f->dir);
	assert_int_equal(rename(path, dir), 0);
	assert_int_equal(symlink(dir, path), 0);
	assert_int_equal(reopen(f, &err), -ELOOP);
	assert_string_equal(err.what, "blobs");
	/* blobs missing, or a file */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(reopen(f, &err), -ENOENT);
	write_file(path, "x", 1);
	assert_int_equal(reopen(f, &err), -OCIBOOT_EMALFORMED);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rename(dir, path), 0);
	assert_int_equal(reopen(f, &err), 0);

	/* the layout directory itself may be reached through a link */
	snprintf(path, sizeof(path), "%s/link", f->dir);
	assert_int_equal(symlink(f->layout, path), 0);
	layout_close(&f->l);
	assert_int_equal(layout_open(&f->l, AT_FDCWD, path, &err), 0);
	/* and a missing one names the path */
	layout_close(&f->l);
	snprintf(path, sizeof(path), "%s/none", f->dir);
	assert_int_equal(layout_open(&f->l, AT_FDCWD, path, &err), -ENOENT);
	assert_string_equal(err.what, path);
	layout_close(&f->l);	/* twice is fine */
}

/* A layout found beneath a root without following links. */
static void test_open_beneath(void **state)
{
	static const char *const good[] = {
		"lay", "/lay", "./lay/", "//lay/.", "lay//",
	};
	struct fixture *f = *state;
	char path[512], deep[256] = "";
	struct error err;
	int root;

	root = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		layout_close(&f->l);
		assert_int_equal(layout_open_beneath(&f->l, root, good[i],
						     &err), 0);
		assert_true(read_index(f, &err) > 0);
	}
	layout_close(&f->l);
	snprintf(path, sizeof(path), "%s/link", f->dir);
	assert_int_equal(symlink("lay", path), 0);
	assert_int_equal(layout_open_beneath(&f->l, root, "link", &err),
			 -ELOOP);
	reason_has(&err, "'link'");
	assert_int_equal(f->l.dir_fd, -1);
	/* the same link reached the trusting way works */
	assert_int_equal(layout_open(&f->l, root, "link", &err), 0);
	layout_close(&f->l);
	snprintf(path, sizeof(path), "%s/a", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/up", f->dir);
	assert_int_equal(symlink("..", path), 0);
	assert_int_equal(layout_open_beneath(&f->l, root, "a/up/lay", &err),
			 -ELOOP);
	reason_has(&err, "'up'");
	assert_int_equal(layout_open_beneath(&f->l, root, "a/../lay", &err),
			 -OCIBOOT_EMALFORMED);
	reason_has(&err, "'..'");
	assert_int_equal(layout_open_beneath(&f->l, root, "nope/lay", &err),
			 -ENOENT);
	reason_has(&err, "'nope' missing");
	/* the root itself is no layout */
	assert_int_equal(layout_open_beneath(&f->l, root, "", &err), -ENOENT);
	assert_string_equal(err.what, "oci-layout");
	/* depth: the cap of components, then one more */
	snprintf(path, sizeof(path), "%s/a", f->dir);
	for (int i = 0; i < LAYOUT_PATH_DEPTH_MAX; i++) {
		strcat(path, "/d");
		assert_int_equal(mkdir(path, 0755), 0);
	}
	strcpy(deep, "a");
	for (int i = 1; i < LAYOUT_PATH_DEPTH_MAX; i++)
		strcat(deep, "/d");
	assert_int_equal(layout_open_beneath(&f->l, root, deep, &err),
			 -ENOENT);	/* no layout there, but walked */
	strcat(deep, "/d");
	assert_int_equal(layout_open_beneath(&f->l, root, deep, &err),
			 -OCIBOOT_ETOOBIG);
	close(root);
}

struct version_case {
	const char *text;	/* NULL: no oci-layout at all */
	int err;
};

static const struct version_case version_cases[] = {
	{ "{\"imageLayoutVersion\":\"1.0.0\"}", 0 },
	{ "{\"imageLayoutVersion\": \"1.0.0\"}\n", 0 },	/* skopeo's */
	{ "{\"x\":[1,2],\"imageLayoutVersion\":\"1.0.0\"}", 0 },
	{ "{\"imageLayoutVersion\":\"1.0.\\u0030\"}", 0 },
	{ NULL, -ENOENT },
	{ "", -OCIBOOT_EMALFORMED },
	{ "{}", -OCIBOOT_EMALFORMED },
	{ "[]", -OCIBOOT_EMALFORMED },
	{ "\"1.0.0\"", -OCIBOOT_EMALFORMED },
	{ "{\"imageLayoutVersion\":1}", -OCIBOOT_EMALFORMED },
	{ "{\"imageLayoutVersion\":null}", -OCIBOOT_EMALFORMED },
	{ "{\"imageLayoutVersion\":\"1.0.0\"", -OCIBOOT_EMALFORMED },
	{ "{\"imageLayoutVersion\":\"1.0.0\",}", -OCIBOOT_EMALFORMED },
	{ "{\"imageLayoutVersion\":\"1.0.0\",\"imageLayoutVersion\":"
	  "\"1.0.0\"}", -OCIBOOT_EMALFORMED },
	{ "{\"imagelayoutversion\":\"1.0.0\"}", -OCIBOOT_EMALFORMED },
	{ "{\"imageLayoutVersion\":\"2.0.0\"}", -EOPNOTSUPP },
	{ "{\"imageLayoutVersion\":\"1.0\"}", -EOPNOTSUPP },
	{ "{\"imageLayoutVersion\":\"1.0.0 \"}", -EOPNOTSUPP },
	{ "{\"imageLayoutVersion\":\"\"}", -EOPNOTSUPP },
	{ "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]"
	  "]]]]]]]]]]]]}", -OCIBOOT_ETOOBIG },
	{ "{\"a\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
	  "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
	  "0,0,0,0,0,0,0],\"imageLayoutVersion\":\"1.0.0\"}",
	  -OCIBOOT_ETOOBIG },
};

static void test_bad_oci_layout(void **state)
{
	static const char unprintable[] =
		"{\"imageLayoutVersion\":\"9\\n\\u0001\"}";
	struct fixture *f = *state;
	char path[256];
	struct error err;

	path_in(f, "oci-layout", path, sizeof(path));
	for (size_t i = 0; i < ARRAY_SIZE(version_cases); i++) {
		const struct version_case *c = &version_cases[i];

		unlink(path);
		if (c->text)
			write_text(f, "oci-layout", c->text);
		memset(&err, 0, sizeof(err));
		if (reopen(f, &err) != c->err)
			print_error("case %zu: %s: %s\n", i, err.what,
				    err.why);
		assert_int_equal(reopen(f, &err), c->err);
		if (c->err) {
			assert_string_equal(err.what, "oci-layout");
			assert_true(err.why[0] != '\0');
		}
	}
	/* the version is quoted, made printable */
	assert_int_equal(layout_version_check(unprintable,
					      strlen(unprintable), &err),
			 -EOPNOTSUPP);
	reason_has(&err, "\"9??\"");
	/* over the size cap */
	memset(buf, ' ', LAYOUT_OCI_LAYOUT_MAX + 1);
	memcpy(buf, version_cases[0].text, strlen(version_cases[0].text));
	assert_int_equal(layout_version_check(buf, LAYOUT_OCI_LAYOUT_MAX,
					      &err), 0);
	assert_int_equal(layout_version_check(buf, LAYOUT_OCI_LAYOUT_MAX + 1,
					      &err), -OCIBOOT_ETOOBIG);
	/* the same as files: exactly the cap opens, one byte more not */
	buf[LAYOUT_OCI_LAYOUT_MAX] = '\0';
	write_text(f, "oci-layout", buf);
	assert_int_equal(reopen(f, &err), 0);
	buf[LAYOUT_OCI_LAYOUT_MAX] = ' ';
	buf[LAYOUT_OCI_LAYOUT_MAX + 1] = '\0';
	write_text(f, "oci-layout", buf);
	assert_int_equal(reopen(f, &err), -OCIBOOT_ETOOBIG);
	reason_has(&err, "over the limit");
}

/* Every proper prefix of a good oci-layout is refused. */
static void test_oci_layout_truncations(void **state)
{
	const char *good = "{\"imageLayoutVersion\":\"1.0.0\"}";
	size_t len = strlen(good);
	struct error err;

	for (size_t n = 0; n < len; n++) {
		char copy[64];

		memcpy(copy, good, n);	/* no NUL: lengths are explicit */
		memset(&err, 0, sizeof(err));
		assert_true(layout_version_check(copy, n, &err) < 0);
		assert_true(err.why[0] != '\0');
	}
	assert_int_equal(layout_version_check(good, len, &err), 0);
}

static void test_bad_index(void **state)
{
	struct fixture *f = *state;
	static char big[LAYOUT_DOCUMENT_MAX + 2];
	struct error err;

	write_text(f, "index.json", "{\"schemaVersion\":2,\"manifests\":"
		   "[{\"mediaType\":\"a/b\",\"digest\":\"md5:00\","
		   "\"size\":1}]}");
	assert_int_equal(read_index(f, &err), -EOPNOTSUPP);
	assert_string_equal(err.what, "index.json");
	reason_has(&err, "$.manifests[0].digest");
	reason_has(&err, ", byte ");
	assert_int_equal(idx.manifest_count, 0);
	write_text(f, "index.json", "{\"schemaVersion\":2,\"manifests\":[");
	assert_int_equal(read_index(f, &err), -OCIBOOT_EMALFORMED);
	write_text(f, "index.json", "");
	assert_int_equal(read_index(f, &err), -OCIBOOT_EMALFORMED);
	/* larger than the buffer */
	memset(big, ' ', sizeof(big) - 1);
	write_text(f, "index.json", big);
	assert_int_equal(read_index(f, &err), -OCIBOOT_ETOOBIG);
	reason_has(&err, "over the limit");
	write_text(f, "index.json", "{}");
	assert_int_equal(read_index(f, &err), -OCIBOOT_EMALFORMED);
	reason_has(&err, "schemaVersion");
}

/* An index with a tag on two manifests, and entries that are no image. */
static void test_ambiguous_index(void **state)
{
	struct fixture *f = *state;
	char text[2048], d1[OCI_DIGEST_STRING_LEN + 1];
	char d2[OCI_DIGEST_STRING_LEN + 1];
	struct error err;

	digest_text(f->m1, d1);
	digest_text(f->m2, d2);
	snprintf(text, sizeof(text),
		 "{\"schemaVersion\":2,\"manifests\":["
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\","
		 "\"digest\":\"%s\",\"size\":%" PRId64 ",\"annotations\":"
		 "{\"" OCI_ANNOTATION_REF_NAME "\":\"x\"}},"
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\","
		 "\"digest\":\"%s\",\"size\":%" PRId64 ",\"annotations\":"
		 "{\"" OCI_ANNOTATION_REF_NAME "\":\"x\"}},"
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\","
		 "\"digest\":\"%s\",\"size\":%" PRId64 ",\"annotations\":"
		 "{\"" OCI_ANNOTATION_REF_NAME "\":\"same\"}},"
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\","
		 "\"digest\":\"%s\",\"size\":%" PRId64 ",\"annotations\":"
		 "{\"" OCI_ANNOTATION_REF_NAME "\":\"same\"}},"
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_INDEX "\","
		 "\"digest\":\"%s\",\"size\":1,\"annotations\":"
		 "{\"" OCI_ANNOTATION_REF_NAME "\":\"nested\"}},"
		 "{\"mediaType\":\"application/vnd.docker.distribution."
		 "manifest.v2+json\",\"digest\":\"%s\",\"size\":1,"
		 "\"annotations\":{\"" OCI_ANNOTATION_REF_NAME "\":"
		 "\"docker\"}}]}",
		 d1, f->m1_size, d2, f->m2_size, d2, f->m2_size, d2,
		 f->m2_size, d1, d1);
	write_text(f, "index.json", text);
	assert_true(read_index(f, &err) > 0);
	assert_int_equal(idx.manifest_count, 6);
	assert_int_equal(layout_find_tag(&idx, "x", &err), -ENOTUNIQ);
	reason_has(&err, "'x'");
	assert_int_equal(layout_find_tag(&idx, "same", &err), 2);
	assert_int_equal(layout_find_tag(&idx, "nested", &err), -EOPNOTSUPP);
	reason_has(&err, OCI_MEDIA_TYPE_INDEX);
	assert_int_equal(layout_find_tag(&idx, "docker", &err), -EOPNOTSUPP);
	/* the first entry for a digest is the one found */
	assert_int_equal(layout_find_digest(&idx, f->m2, &err), 1);
}

static void test_read_blob_caps(void **state)
{
	struct fixture *f = *state;
	struct error err;
	static uint8_t small[100];

	assert_int_equal(layout_read_blob(&f->l, f->layer, LAYER_SIZE, small,
					  sizeof(small), &err),
			 -OCIBOOT_ETOOBIG);
	reason_has(&err, "8192");
	/* size unknown: any size up to the cap */
	assert_int_equal(layout_read_blob(&f->l, f->layer, -1, buf,
					  sizeof(buf), &err), LAYER_SIZE);
	assert_int_equal(layout_read_blob(&f->l, f->layer, -1, small,
					  sizeof(small), &err),
			 -OCIBOOT_ETOOBIG);
	assert_int_equal(layout_read_blob(&f->l, f->layer, -2, buf,
					  sizeof(buf), &err), -EINVAL);
	assert_int_equal(layout_read_blob(&f->l, f->layer, LAYER_SIZE, buf,
					  LAYOUT_READ_MAX + 1, &err), -EINVAL);
	assert_int_equal(layout_read_blob(&f->l, f->m1, f->m1_size, buf,
					  (size_t)f->m1_size, &err),
			 f->m1_size);
	/* NULL err is fine */
	assert_int_equal(layout_read_blob(&f->l, f->m1, 1, buf, sizeof(buf),
					  NULL), -OCIBOOT_EVERIFY);
}

/* --- writing -------------------------------------------------------------- */

static void test_create_idempotent(void **state)
{
	struct fixture *f = *state;
	char path[256], before[4096], after[4096];
	struct error err;
	struct layout l2;

	path_in(f, "index.json", path, sizeof(path));
	read_file(path, before, sizeof(before));
	assert_int_equal(layout_create(&l2, AT_FDCWD, f->layout, &err), 0);
	layout_close(&l2);
	read_file(path, after, sizeof(after));
	assert_string_equal(before, after);
	/* a fresh layout has exactly the documented files */
	snprintf(path, sizeof(path), "%s/fresh", f->dir);
	assert_int_equal(layout_create(&l2, AT_FDCWD, path, &err), 0);
	layout_close(&l2);
	snprintf(path, sizeof(path), "%s/fresh/oci-layout", f->dir);
	read_file(path, after, sizeof(after));
	assert_string_equal(after, "{\"imageLayoutVersion\":\"1.0.0\"}");
	snprintf(path, sizeof(path), "%s/fresh/index.json", f->dir);
	read_file(path, after, sizeof(after));
	assert_string_equal(after, "{\"schemaVersion\":2,\"mediaType\":\""
			    OCI_MEDIA_TYPE_INDEX "\",\"manifests\":[]}");
	/* an existing layout of another version is not touched */
	write_text(f, "oci-layout", "{\"imageLayoutVersion\":\"2.0.0\"}");
	assert_int_equal(layout_create(&l2, AT_FDCWD, f->layout, &err),
			 -EOPNOTSUPP);
}

/* No temporary file is left in dir. */
static void no_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] == '.' && !streq(e->d_name, ".") &&
		    !streq(e->d_name, ".."))
			fail_msg("temporary file %s left", e->d_name);
	closedir(d);
}

static void test_add_blob_idempotent(void **state)
{
	struct fixture *f = *state;
	char path[256], dir[256], target[256];
	const char data[] = "some blob";
	uint8_t d1[SHA256_LEN], d2[SHA256_LEN], want[SHA256_LEN];
	struct error err;
	struct stat st1, st2;

	sha256_digest(data, sizeof(data), want);
	assert_int_equal(layout_add_blob(&f->l, data, sizeof(data), d1, &err),
			 0);
	assert_memory_equal(d1, want, SHA256_LEN);
	blob_path(f, d1, path, sizeof(path));
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(layout_add_blob(&f->l, data, sizeof(data), d2, &err),
			 0);
	assert_memory_equal(d1, d2, SHA256_LEN);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);	/* kept */

	/* a damaged blob is replaced */
	flip_byte(path, 0);
	assert_int_equal(layout_add_blob(&f->l, data, sizeof(data), d2, &err),
			 0);
	assert_int_equal(layout_read_blob(&f->l, d1, sizeof(data), buf,
					  sizeof(buf), &err), sizeof(data));
	/* so is a link, by a regular file */
	snprintf(target, sizeof(target), "%s/target", f->dir);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(layout_add_blob(&f->l, data, sizeof(data), d2, &err),
			 0);
	assert_int_equal(lstat(path, &st2), 0);
	assert_true(S_ISREG(st2.st_mode));
	path_in(f, "blobs/sha256", dir, sizeof(dir));
	no_temporaries(dir);
	no_temporaries(f->layout);
}

struct ticks {
	unsigned int count;
	uint64_t last;
};

static void tick(void *ctx, uint64_t done)
{
	struct ticks *t = ctx;

	assert_true(done > t->last || t->count == 0);
	t->count++;
	t->last = done;
}

static void test_add_blob_fd(void **state)
{
	struct ticks ticks = { 0, 0 };
	struct fixture *f = *state;
	char path[256], dir[256];
	static uint8_t data[3 << 20];
	uint8_t want[SHA256_LEN], got[SHA256_LEN], again[SHA256_LEN];
	struct error err;
	int64_t size;
	int fd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 9));
	sha256_digest(data, sizeof(data), want);
	snprintf(path, sizeof(path), "%s/input", f->dir);
	write_file(path, data, sizeof(data));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(layout_add_blob_fd(&f->l, fd, got, &size, &err), 0);
	assert_memory_equal(got, want, SHA256_LEN);
	assert_int_equal(size, sizeof(data));
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	/* again: the same, and nothing left behind */
	assert_int_equal(layout_add_blob_fd(&f->l, fd, again, &size, &err),
			 0);
	assert_memory_equal(again, want, SHA256_LEN);
	close(fd);
	fd = layout_open_blob(&f->l, want, sizeof(data), &err);
	assert_true(fd >= 0);
	assert_int_equal(layout_blob_verify_fd(fd, want, sizeof(data), buf,
					       sizeof(buf), &err), 0);
	/* The ticks: after each read, the bytes hashed so far, up to all. */
	ticks.count = 0;
	assert_int_equal(layout_blob_verify_fd_tick(fd, want, sizeof(data),
						    buf, sizeof(buf), tick,
						    &ticks, &err), 0);
	assert_int_equal(ticks.count, (sizeof(data) + sizeof(buf) - 1) /
			 sizeof(buf));
	assert_int_equal(ticks.last, sizeof(data));
	close(fd);
	path_in(f, "blobs/sha256", dir, sizeof(dir));
	no_temporaries(dir);
}

/*
 * Tagging keeps other entries byte for byte (a foreign one with extra
 * annotations, a platform and an unknown field; an untagged one) and the
 * index's annotations, replaces the entry of the same tag, and sorts.
 */
static void test_tag_replace_and_keep(void **state)
{
	struct fixture *f = *state;
	char d1[OCI_DIGEST_STRING_LEN + 1], d2[OCI_DIGEST_STRING_LEN + 1];
	char foreign[512], untagged[512], text[4096], path[256];
	char want[4096], entry_v1[512];
	struct error err;

	digest_text(f->m1, d1);
	digest_text(f->m2, d2);
	snprintf(foreign, sizeof(foreign),
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\", \"digest\":"
		 "\"%s\",\"size\":%" PRId64 ",\"platform\":{\"architecture\":"
		 "\"amd64\",\"os\":\"linux\"},\"x-unknown\":[1],"
		 "\"annotations\":{\"org.opencontainers.image.created\":"
		 "\"2024\",\"" OCI_ANNOTATION_REF_NAME "\":\"zz\"}}",
		 d2, f->m2_size);
	snprintf(untagged, sizeof(untagged),
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\",\"digest\":"
		 "\"%s\",\"size\":%" PRId64 "}", d1, f->m1_size);
	snprintf(text, sizeof(text),
		 "{\"schemaVersion\":2,\"manifests\":[%s,%s,"
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\",\"digest\":"
		 "\"%s\",\"size\":%" PRId64 ",\"annotations\":{\""
		 OCI_ANNOTATION_REF_NAME "\":\"v1\"}}],"
		 "\"annotations\":{\"k\": \"v\"}}",
		 foreign, untagged, d1, f->m1_size);
	write_text(f, "index.json", text);

	/* retag v1 to the other manifest */
	assert_int_equal(layout_tag(&f->l, "v1", f->m2, f->m2_size, &err), 0);
	snprintf(entry_v1, sizeof(entry_v1),
		 "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\",\"digest\":"
		 "\"%s\",\"size\":%" PRId64 ",\"annotations\":{\""
		 OCI_ANNOTATION_REF_NAME "\":\"v1\"}}", d2, f->m2_size);
	snprintf(want, sizeof(want),
		 "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MEDIA_TYPE_INDEX
		 "\",\"manifests\":[%s,%s,%s],\"annotations\":{\"k\": \"v\"}}",
		 untagged, entry_v1, foreign);
	path_in(f, "index.json", path, sizeof(path));
	read_file(path, text, sizeof(text));
	if (!streq(text, want))
		print_error("got  %s\nwant %s\n", text, want);
	assert_string_equal(text, want);
	/* what we wrote reads back */
	assert_true(read_index(f, &err) > 0);
	assert_int_equal(idx.manifest_count, 3);
	assert_int_equal(layout_find_tag(&idx, "v1", &err), 1);
	assert_memory_equal(idx.manifests[1].digest, f->m2, SHA256_LEN);
	assert_string_equal(idx.manifests[2].architecture, "amd64");
	/* the same call again changes nothing */
	assert_int_equal(layout_tag(&f->l, "v1", f->m2, f->m2_size, &err), 0);
	read_file(path, text, sizeof(text));
	assert_string_equal(text, want);
	no_temporaries(f->layout);
}

/* The index does not depend on the order in which tags were set. */
static void test_tag_order_independent(void **state)
{
	struct fixture *f = *state;
	const char *tags[] = { "b", "a", "v1", "a/b", "A", "1.0" };
	char path[256], first[4096], second[4096];
	struct error err;

	write_text(f, "index.json", "{\"schemaVersion\":2,\"manifests\":[]}");
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++)
		assert_int_equal(layout_tag(&f->l, tags[i], i % 2 ? f->m1 :
					    f->m2, i % 2 ? f->m1_size :
					    f->m2_size, &err), 0);
	path_in(f, "index.json", path, sizeof(path));
	read_file(path, first, sizeof(first));
	write_text(f, "index.json", "{\"schemaVersion\":2,\"manifests\":[]}");
	for (size_t i = ARRAY_SIZE(tags); i-- > 0;)
		assert_int_equal(layout_tag(&f->l, tags[i], i % 2 ? f->m1 :
					    f->m2, i % 2 ? f->m1_size :
					    f->m2_size, &err), 0);
	read_file(path, second, sizeof(second));
	assert_string_equal(first, second);
	/* sorted bytewise by tag */
	assert_true(read_index(f, &err) > 0);
	assert_int_equal(idx.manifest_count, ARRAY_SIZE(tags));
	for (size_t i = 1; i < idx.manifest_count; i++)
		assert_true(strcmp(idx.manifests[i - 1].ref_name,
				   idx.manifests[i].ref_name) < 0);
}

static void test_tag_caps(void **state)
{
	struct fixture *f = *state;
	struct error err;
	char tag[16];

	write_text(f, "index.json", "{\"schemaVersion\":2,\"manifests\":[]}");
	for (int i = 0; i < OCI_INDEX_MANIFESTS_MAX; i++) {
		snprintf(tag, sizeof(tag), "t%02d", i);
		assert_int_equal(layout_tag(&f->l, tag, f->m1, f->m1_size,
					    &err), 0);
	}
	assert_int_equal(layout_tag(&f->l, "one-more", f->m1, f->m1_size,
				    &err), -OCIBOOT_ETOOBIG);
	assert_string_equal(err.what, "index.json");
	/* retagging within the cap still works */
	assert_int_equal(layout_tag(&f->l, "t00", f->m2, f->m2_size, &err),
			 0);
	assert_int_equal(layout_tag(&f->l, "bad tag", f->m2, f->m2_size,
				    &err), -EINVAL);
	assert_int_equal(layout_tag(&f->l, "ok", f->m2, -1, &err), -EINVAL);
}

static void test_tag_valid(void **state)
{
	static const struct {
		const char *tag;
		bool valid;
	} cases[] = {
		{ "v1", true }, { "latest", true }, { "1.0.0-rc1", true },
		{ "a/b:c@d+e_f", true }, { "A", true }, { "9", true },
		{ "", false }, { "-a", false }, { "a-", false },
		{ ".a", false }, { "a b", false }, { "a\n", false },
		{ "caf\xc3\xa9", false }, { "a\\b", false }, { "a\"b", false },
	};
	char longest[OCI_REF_NAME_MAX + 2];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (layout_tag_valid(cases[i].tag) != cases[i].valid)
			print_error("tag '%s'\n", cases[i].tag);
		assert_int_equal(layout_tag_valid(cases[i].tag),
				 cases[i].valid);
	}
	memset(longest, 'a', sizeof(longest));
	longest[OCI_REF_NAME_MAX] = '\0';
	assert_true(layout_tag_valid(longest));
	longest[OCI_REF_NAME_MAX] = 'a';
	longest[OCI_REF_NAME_MAX + 1] = '\0';
	assert_false(layout_tag_valid(longest));
}

/* --- documents ------------------------------------------------------------ */

static const char config_text[] =
	"{\"created\":\"2023-11-14T22:13:20Z\",\"architecture\":\"amd64\","
	"\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/bin:/bin\",\"A="
	"\"],\"Entrypoint\":[\"/sbin/init\",\"--x\"],\"Cmd\":[\"a \\\"b\\\""
	"\\n\"],\"WorkingDir\":\"/\xc3\xa9\"},"
	"\"rootfs\":{\"type\":\"layers\",\"di"
	"ff_ids\":[\"sha256:01010101010101010101010101010101010101010101010"
	"10101010101010101\",\"sha256:0202020202020202020202020202020202020"
	"202020202020202020202020202\"]}}";

static void test_config_json(void **state)
{
	const char *entrypoint[] = { "/sbin/init", "--x" };
	const char *cmd[] = { "a \"b\"\n" };
	const char *env[] = { "PATH=/usr/bin:/bin", "A=" };
	uint8_t diff_ids[2][SHA256_LEN];
	struct layout_config c = {
		.architecture = "amd64", .os = "linux",
		.has_created = true, .created = 1700000000,
		.entrypoint = entrypoint, .entrypoint_count = 2,
		.cmd = cmd, .cmd_count = 1,
		.env = env, .env_count = 2,
		.working_dir = "/\xc3\xa9",
		.diff_ids = (const uint8_t (*)[SHA256_LEN])diff_ids,
		.diff_id_count = 2,
	};
	struct error jerr;
	size_t len;
	char *json;

	memset(diff_ids[0], 1, SHA256_LEN);
	memset(diff_ids[1], 2, SHA256_LEN);
	assert_int_equal(layout_config_json(&c, &json, &len), 0);
	assert_string_equal(json, config_text);
	assert_int_equal(oci_config_parse(json, len, tokens, OCI_TOKENS_MAX,
					  &config, &jerr), 0);
	assert_string_equal(config.architecture, "amd64");
	assert_int_equal(config.entrypoint_count, 2);
	assert_string_equal(oci_config_string(&config, config.cmd[0]),
			    "a \"b\"\n");
	assert_string_equal(oci_config_string(&config, config.working_dir),
			    "/\xc3\xa9");
	assert_memory_equal(config.diff_ids[1], diff_ids[1], SHA256_LEN);
	free(json);

	/* the least: no created, no config fields, no layers */
	c = (struct layout_config){ .architecture = "amd64", .os = "linux" };
	assert_int_equal(layout_config_json(&c, &json, &len), 0);
	assert_string_equal(json, "{\"architecture\":\"amd64\",\"os\":"
			    "\"linux\",\"config\":{},\"rootfs\":{\"type\":"
			    "\"layers\",\"diff_ids\":[]}}");
	free(json);
	/* the ends of the time range */
	c.has_created = true;
	assert_int_equal(layout_config_json(&c, &json, &len), 0);
	assert_non_null(strstr(json, "\"1970-01-01T00:00:00Z\""));
	free(json);
	c.created = LAYOUT_CREATED_MAX;
	assert_int_equal(layout_config_json(&c, &json, &len), 0);
	assert_non_null(strstr(json, "\"9999-12-31T23:59:59Z\""));
	free(json);
	c.created = LAYOUT_CREATED_MAX + 1;
	assert_int_equal(layout_config_json(&c, &json, &len), -EINVAL);
	c.created = -1;
	assert_int_equal(layout_config_json(&c, &json, &len), -EINVAL);
}

static void test_config_json_refused(void **state)
{
	static const char *many[OCI_ENV_MAX + 1];
	static char long_string[OCI_CONFIG_STRINGS_MAX];
	const char *bad_env[] = { "NOEQUALS" }, *empty_name[] = { "=x" };
	const char *bad_utf8[] = { "\xff" }, *one[] = { long_string };
	struct layout_config base = { .architecture = "amd64", .os = "linux" };
	struct layout_config c;
	size_t len;
	char *json;

	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = "A=1";
	c = base;
	c.env = bad_env, c.env_count = 1;
	assert_int_equal(layout_config_json(&c, &json, &len), -EINVAL);
	c.env = empty_name;
	assert_int_equal(layout_config_json(&c, &json, &len), -EINVAL);
	c = base;
	c.env = many, c.env_count = OCI_ENV_MAX;
	assert_int_equal(layout_config_json(&c, &json, &len), 0);
	free(json);
	c.env_count = OCI_ENV_MAX + 1;
	assert_int_equal(layout_config_json(&c, &json, &len),
			 -OCIBOOT_ETOOBIG);
	c = base;
	c.cmd = many, c.cmd_count = OCI_ARGV_MAX + 1;
	assert_int_equal(layout_config_json(&c, &json, &len),
			 -OCIBOOT_ETOOBIG);
	c = base;
	c.entrypoint = many, c.entrypoint_count = OCI_ARGV_MAX + 1;
	assert_int_equal(layout_config_json(&c, &json, &len),
			 -OCIBOOT_ETOOBIG);
	c = base;
	c.diff_id_count = OCI_LAYERS_MAX + 1;
	assert_int_equal(layout_config_json(&c, &json, &len),
			 -OCIBOOT_ETOOBIG);
	/* the strings together: exactly the cap, then one byte more */
	memset(long_string, 'x', sizeof(long_string) - 1);
	c = base;
	c.cmd = one, c.cmd_count = 1;
	assert_int_equal(layout_config_json(&c, &json, &len), 0);
	assert_int_equal(oci_config_parse(json, len, tokens, OCI_TOKENS_MAX,
					  &config, NULL), 0);
	free(json);
	c.working_dir = "/";
	assert_int_equal(layout_config_json(&c, &json, &len),
			 -OCIBOOT_ETOOBIG);
	c = base;
	c.cmd = bad_utf8, c.cmd_count = 1;
	assert_int_equal(layout_config_json(&c, &json, &len), -EILSEQ);
	c = base;
	c.os = NULL;
	assert_int_equal(layout_config_json(&c, &json, &len), -EINVAL);
}

static const char manifest_text[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.man"
	"ifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.im"
	"age.config.v1+json\",\"digest\":\"sha256:0303030303030303030303030"
	"303030303030303030303030303030303030303\",\"size\":123},\"layers\""
	":[{\"mediaType\":\"application/vnd.stacker.image.layer.squashfs+zs"
	"td\",\"digest\":\"sha256:04040404040404040404040404040404040404040"
	"40404040404040404040404\",\"size\":8192,\"annotations\":{\"io.stac"
	"keroci.stacker.atomfs_verity_root_hash\":\"05050505050505050505050"
	"50505050505050505050505050505050505050505\",\"io.stackeroci.stacker"
	".squashfs_verity_root_hash\":\"0505050505050505050505050505050505050"
	"505050505050505050505050505\"}},{\"mediaType\":\"app"
	"lication/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:06060606"
	"06060606060606060606060606060606060606060606060606060606\",\"size"
	"\":0}]}";

static void test_manifest_json(void **state)
{
	struct layout_layer layers[2] = {
		{ .media_type = SQUASHFS_TYPE, .size = 8192,
		  .has_verity_root = true },
		{ .media_type = "application/vnd.oci.image.layer.v1.tar" },
	};
	static struct layout_layer many[OCI_LAYERS_MAX + 1];
	uint8_t cfg[SHA256_LEN];
	struct error jerr;
	size_t len;
	char *json;

	memset(cfg, 3, SHA256_LEN);
	memset(layers[0].digest, 4, SHA256_LEN);
	memset(layers[0].verity_root, 5, SHA256_LEN);
	memset(layers[1].digest, 6, SHA256_LEN);
	assert_int_equal(layout_manifest_json(cfg, 123, layers, 2, &json,
					      &len), 0);
	assert_string_equal(json, manifest_text);
	assert_int_equal(oci_manifest_parse(json, len, tokens,
					    OCI_TOKENS_MAX, &manifest, &jerr),
			 0);
	assert_int_equal(manifest.layer_count, 2);
	assert_memory_equal(manifest.layers[0].verity_root,
			    layers[0].verity_root, SHA256_LEN);
	assert_int_equal(manifest.layers[1].kind, OCI_LAYER_TAR);
	assert_int_equal(oci_manifest_check_bootable(&manifest, &jerr),
			 -EOPNOTSUPP);
	free(json);
	/* one squashfs layer: bootable */
	assert_int_equal(layout_manifest_json(cfg, 123, layers, 1, &json,
					      &len), 0);
	assert_int_equal(oci_manifest_parse(json, len, tokens,
					    OCI_TOKENS_MAX, &manifest, &jerr),
			 0);
	assert_int_equal(oci_manifest_check_bootable(&manifest, &jerr), 0);
	free(json);

	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = layers[0];
	assert_int_equal(layout_manifest_json(cfg, 1, many, OCI_LAYERS_MAX,
					      &json, &len), 0);
	assert_int_equal(oci_manifest_parse(json, len, tokens,
					    OCI_TOKENS_MAX, &manifest, &jerr),
			 0);
	free(json);
	assert_int_equal(layout_manifest_json(cfg, 1, many,
					      OCI_LAYERS_MAX + 1, &json,
					      &len), -OCIBOOT_ETOOBIG);
	assert_int_equal(layout_manifest_json(cfg, -1, layers, 1, &json,
					      &len), -EINVAL);
	layers[1].size = -1;
	assert_int_equal(layout_manifest_json(cfg, 1, layers, 2, &json,
					      &len), -EINVAL);
	layers[1].size = 0;
	layers[1].media_type = "";
	assert_int_equal(layout_manifest_json(cfg, 1, layers, 2, &json,
					      &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_tag, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_find_digest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_blob_size_mismatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_digest_mismatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_blob, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_links_and_special_files,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_beneath, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_oci_layout, setup,
						teardown),
		cmocka_unit_test(test_oci_layout_truncations),
		cmocka_unit_test_setup_teardown(test_bad_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_blob_caps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_create_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_blob_idempotent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_blob_fd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tag_replace_and_keep,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_order_independent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_caps, setup,
						teardown),
		cmocka_unit_test(test_tag_valid),
		cmocka_unit_test(test_config_json),
		cmocka_unit_test(test_config_json_refused),
		cmocka_unit_test(test_manifest_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
