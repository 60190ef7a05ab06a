// SPDX-License-Identifier: MIT
/*
 * The verified boot's stages (init/verified.c) over real signed systems in
 * OCI layouts built here, with fakes for what they do to the machine:
 * finding and mounting the store, loop and device-mapper devices, mounts,
 * the files handed over and the final exec. The fakes record every call
 * with its arguments; the expected calls are computed from what was built
 * (layer digests and sizes, the builder's verity root, hash offset and
 * salt), never written down. Layers come from directories by the host
 * layer builder, keys and signatures from the host tool's crypto/keygen.
 * Each refusal must stop in the verify stage, with its own reason, before
 * any loop, device-mapper or layer mount. At the limits of oci/limits.h
 * (127 layers, 32 services) the whole boot runs; one past them is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "crypto/openssl_fixture.h"
#include "init/boot.h"
#include "init/verified.h"
#include "crypto/keygen.h"
#include "layer/dirscan.h"
#include "layer/layer.h"
#include "lib/constants.h"
#include "lib/hex.h"
#include "lib/util.h"
#include "oci/layout_write.h"

#define UUID "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31"
#define UUID2 "0a16c2d6-4ed8-4e34-9ef8-780a5148b423"
#define CMDLINE "oci=LABEL=ocistore:/oci:system"
#define STORE_DEVICE "/dev/vdz"
#define LOOP_MAJOR 7
#define LOOP_FIRST_MINOR 3
#define DM_MAJOR 253
#define DOC_MAX 8192
#define PATH_LEN 512
/* Calls of a boot at the limits: 6 a layer, and a few more. */
#define CALL_MAX (6 * OCI_LAYERS_MAX + 32)
/* The overlay's call, with its options, is the longest. */
#define CALL_TEXT_MAX (MOUNT_OPTIONS_MAX + 256)
#define FILES_MAX 4
#define LAYERS 2
/* The directories the two layers are made of, and the CA directories. */
#define LAYER_TREES \
	"mkdir -p base/etc top/etc ca otherca && " \
	"head -c 300000 /dev/urandom > base/etc/base && " \
	"echo top > top/etc/top"

static const uint8_t layer_salt[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const char *const config_entrypoint[] = { "/sbin/init", "--quiet" };
static const char *const config_cmd[] = { "single" };
static const char *const config_env[] = { "PATH=/bin", "LANG=C" };

/* A layer blob built once, with what the builder said about it. */
struct layer_blob {
	uint8_t *data;
	size_t len;
	uint8_t digest[SHA256_LEN];
	struct layer_result res;
};

/* How to build a system; zero fields build the good one. */
struct variant {
	const char *product;	/* in the manifest; UUID */
	bool tamper;		/* manifest edited after signing */
	bool remove_layer1;	/* the top layer's blob is missing */
	size_t layer_count;	/* 0: LAYERS; more: the top one again */
	size_t service_count;	/* services named (the rootfs image) */
};

/* What build() made. */
struct built {
	uint8_t artifact[SHA256_LEN];
	uint8_t manifest[SHA256_LEN];	/* the system manifest blob */
	uint8_t image[SHA256_LEN];
	char system_json[DOC_MAX];
	size_t system_len;
};

/* What a fake write_new() was given. */
struct handed_file {
	char path[PATH_LEN];
	mode_t mode;
	char data[VERIFIED_BOOT_FILE_MAX];
	size_t len;
};

static char *dir;
static struct layer_blob layers[LAYERS];
static struct boot b;
static char store_root[PATH_LEN];	/* what VERIFIED_STORE_DIR is (cwd) */
/* The command line run() boots, and the verity flags that must follow. */
static const char *cmdline_text = CMDLINE;
static const char *verity_flags_want = "";
/* A blob the store changes into once verified (dm_open), or none. */
static const uint8_t *swap_blob;
static char calls[CALL_MAX][CALL_TEXT_MAX];
static size_t call_count;
static struct handed_file files[FILES_MAX];
static size_t file_count;
static unsigned int loops_attached;

/* --- helpers -------------------------------------------------------------- */

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void record(const char *fmt, ...)
{
	va_list ap;

	assert_true(call_count < CALL_MAX);
	va_start(ap, fmt);
	vsnprintf(calls[call_count++], CALL_TEXT_MAX, fmt, ap);
	va_end(ap);
}

/* Layer i of a system: the base, then the top one as often as asked. */
static const struct layer_blob *layer_of(size_t i)
{
	return &layers[i ? 1 : 0];
}

/* --- fakes ---------------------------------------------------------------- */

static int fake_store_find(const struct store_config *cfg,
			   const struct store_key *key,
			   struct store_result *res)
{
	record("store_find %s=%s", oci_device_key_name(key->key), key->value);
	memset(res, 0, sizeof(*res));
	snprintf(res->device.path, sizeof(res->device.path), STORE_DEVICE);
	res->device.size = 1 << 30;
	return 0;
}

static int fake_mount(const char *source, const char *target,
		      const char *fstype, unsigned long flags,
		      const char *data)
{
	record("mount %s %s %s 0x%lx %s", source, target, fstype, flags,
	       data ? data : "-");
	return 0;
}

static int fake_mkdir_p(const char *path, mode_t mode)
{
	record("mkdir_p %s %04o", path, (unsigned)mode);
	return 0;
}

static int fake_open_dir(const char *path)
{
	record("open_dir %s", path);
	assert_string_equal(path, VERIFIED_STORE_DIR);
	return open(store_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The whole file on fd, as a digest string: which blob it is. */
static void fd_digest(int fd, char out[OCI_DIGEST_STRING_LEN + 1])
{
	struct stat st;
	uint8_t *data, d[SHA256_LEN];

	assert_int_equal(fstat(fd, &st), 0);
	data = malloc((size_t)st.st_size + 1);
	assert_non_null(data);
	assert_int_equal(pread(fd, data, (size_t)st.st_size, 0), st.st_size);
	sha256_digest(data, (size_t)st.st_size, d);
	free(data);
	oci_digest_string(d, out);
}

static int fake_loop_attach(int fd, const struct loop_options *opt,
			    struct loop_device *loop)
{
	char d[OCI_DIGEST_STRING_LEN + 1];
	unsigned int minor = LOOP_FIRST_MINOR + loops_attached++;
	int mode = fcntl(fd, F_GETFL);

	assert_true(mode >= 0);
	fd_digest(fd, d);
	record("loop_attach %s %s offset %llu sizelimit %llu flags %u", d,
	       (mode & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "writable",
	       (unsigned long long)opt->offset,
	       (unsigned long long)opt->sizelimit, opt->flags);
	loop->fd = -1;
	loop->index = minor;
	loop->devt = makedev(LOOP_MAJOR, minor);
	snprintf(loop->path, sizeof(loop->path), "/dev/loop%u", minor);
	return 0;
}

static void fake_loop_release(struct loop_device *loop)
{
	record("loop_release %s", loop->path);
}

/* The store is the attacker's: after the checks, a blob may change. */
static void swap_blob_now(void)
{
	char path[2 * PATH_LEN], hex[SHA256_HEX_LEN + 1];
	char byte;
	int fd;

	sha256_hex(swap_blob, hex);
	snprintf(path, sizeof(path), "%s/oci/blobs/sha256/%s", store_root,
		 hex);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, 0), 1);
	byte ^= 0x20;
	assert_int_equal(pwrite(fd, &byte, 1, 0), 1);
	close(fd);
	swap_blob = NULL;
}

static int fake_dm_open(struct dm_control *dm)
{
	if (swap_blob)
		swap_blob_now();
	record("dm_open");
	dm->fd = -1;
	return 0;
}

static void fake_dm_close(struct dm_control *dm)
{
	record("dm_close");
}

/* The table the real dm_verity_create() would load, from its arguments. */
static int fake_dm_verity_create(struct dm_control *dm, const char *name,
				 const char *data_dev, const char *hash_dev,
				 const struct verity_superblock *sb,
				 const uint8_t root[VERITY_DIGEST_LEN],
				 unsigned int flags, dev_t *devt)
{
	char table[VERITY_TABLE_MAX];

	assert_true(verity_dm_table(table, sizeof(table), data_dev, hash_dev,
				    sb, root, flags) > 0);
	record("dm_verity_create %s sectors %llu: %s", name,
	       (unsigned long long)verity_dm_sectors(sb), table);
	*devt = makedev(DM_MAJOR, call_count);
	return 0;
}

static int fake_dm_node_wait(dev_t devt, char path[DM_NODE_PATH_MAX],
			     unsigned int timeout_ms)
{
	assert_int_equal(major(devt), DM_MAJOR);
	snprintf(path, DM_NODE_PATH_MAX, "/dev/dm-%u", minor(devt));
	record("dm_node_wait %s", path);
	return 0;
}

static int fake_mount_squashfs(const char *device, const char *target)
{
	record("mount_squashfs %s %s", device, target);
	return 0;
}

static int fake_mount_overlay_scratch(const char *scratch, uint64_t size)
{
	record("mount_overlay_scratch %s %llu", scratch,
	       (unsigned long long)size);
	return 0;
}

static int fake_mount_overlay(const char *target,
			      const struct mount_overlay *ov,
			      unsigned long flags)
{
	char options[MOUNT_OPTIONS_MAX];

	assert_true(mount_overlay_options(options, sizeof(options), ov) > 0);
	record("mount_overlay %s 0x%lx %s", target, flags, options);
	return 0;
}

static int fake_write_new(int dir_fd, const char *path, const void *data,
			  size_t len, mode_t mode)
{
	struct handed_file *f = &files[file_count];

	assert_int_equal(dir_fd, AT_FDCWD);
	assert_true(file_count < FILES_MAX && len < sizeof(f->data));
	record("write_new %s %04o", path, (unsigned)mode);
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->mode = mode;
	memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	file_count++;
	return 0;
}

static int fake_umount(const char *target, int flags)
{
	record("umount %s 0x%x", target, (unsigned)flags);
	return 0;
}

static int fake_switch_root(const char *newroot, const char *workdir,
			    char *const argv[], char *const envp[],
			    const sigset_t *exec_mask, struct error *err)
{
	char text[CALL_TEXT_MAX] = "";
	size_t n = 0;

	for (size_t i = 0; argv[i]; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %s",
				      argv[i]);
	n += (size_t)snprintf(text + n, sizeof(text) - n, " --");
	for (size_t i = 0; envp[i]; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %s",
				      envp[i]);
	assert_true(n < sizeof(text));
	assert_ptr_equal(exec_mask, &b.pid1.saved_mask);
	record("switch_root %s in %s%s", newroot, workdir ? workdir : "(none)",
	       text);
	return error_set(err, -EIO, NULL, "exec %s", argv[0]);
}

/* What the store holds, as store_check_fs() would probe it. */
static const char *store_type = "ext4";
/* What the fake module loader says: 0, no list, or an error. */
static int store_modules_result;
static bool store_modules_no_list;

static int fake_store_check(const char *path, const char **fs_type,
			    struct error *err)
{
	record("store_check %s", path);
	*fs_type = store_type;
	return 0;
}

static int fake_load_modules(const char *path, char *buf, size_t size,
			     const struct modload_options *opt,
			     struct modload_result *res, struct error *err)
{
	record("load_modules %s%s", path, opt->network ? " network" : "");
	assert_ptr_equal(buf, b.modules_list);
	assert_int_equal(size, sizeof(b.modules_list));
	memset(res, 0, sizeof(*res));
	res->no_list = store_modules_no_list;
	res->loaded = store_modules_no_list ? 0 : 2;
	if (store_modules_result < 0)
		return error_set(err, store_modules_result, NULL, "loading "
				 "module %s/x.ko", path);
	return 0;
}

static const struct verified_ops fake_ops = {
	.store_find = fake_store_find,
	.store_check = fake_store_check,
	.load_modules = fake_load_modules,
	.mount = fake_mount,
	.mkdir_p = fake_mkdir_p,
	.open_dir = fake_open_dir,
	.loop_attach = fake_loop_attach,
	.loop_release = fake_loop_release,
	.dm_open = fake_dm_open,
	.dm_close = fake_dm_close,
	.dm_verity_create = fake_dm_verity_create,
	.dm_node_wait = fake_dm_node_wait,
	.mount_squashfs = fake_mount_squashfs,
	.mount_overlay_scratch = fake_mount_overlay_scratch,
	.mount_overlay = fake_mount_overlay,
	.write_new = fake_write_new,
	.umount = fake_umount,
	.switch_root = fake_switch_root,
};

/* --- building systems ----------------------------------------------------- */

static int add_entry(void *builder, const struct layer_entry *entry)
{
	return layer_builder_add(builder, entry);
}

/* The layer of the directory name, by the host layer builder. */
static void build_layer(struct layer_blob *out, const char *name)
{
	struct layer_options opt = { .workers = 1, .salt = layer_salt,
				     .salt_len = sizeof(layer_salt) };
	char failed[PATH_LEN];
	struct layer_builder *lb;
	int fd = memfd_create(name, MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(layer_builder_new(fd, &opt, &lb), 0);
	assert_int_equal(dirscan_walk(name, add_entry, lb, failed,
				      sizeof(failed)), 0);
	assert_int_equal(layer_builder_finish(lb, &out->res), 0);
	layer_builder_free(lb);
	out->len = (size_t)out->res.blob_size;
	out->data = malloc(out->len);
	assert_non_null(out->data);
	assert_int_equal(pread(fd, out->data, out->len, 0),
			 (ssize_t)out->len);
	close(fd);
	sha256_digest(out->data, out->len, out->digest);
}

static void add_blob(const struct layout *l, const void *data, size_t len,
		     uint8_t digest[SHA256_LEN])
{
	struct error le;

	assert_int_equal(layout_add_blob(l, data, len, digest, &le), 0);
}

/* The rootfs image: its config and its layers, bottom first. */
static size_t add_image(const struct layout *l, const struct variant *v,
			struct built *bt)
{
	struct layout_config c = {
		.architecture = "amd64", .os = "linux",
		.entrypoint = config_entrypoint,
		.entrypoint_count = ARRAY_SIZE(config_entrypoint),
		.cmd = config_cmd, .cmd_count = ARRAY_SIZE(config_cmd),
		.env = config_env, .env_count = ARRAY_SIZE(config_env),
		.working_dir = "/srv",
	};
	static char doc[LAYOUT_DOCUMENT_MAX];
	char d[OCI_DIGEST_STRING_LEN + 1], root[SHA256_HEX_LEN + 1];
	size_t count = v->layer_count ? v->layer_count : LAYERS;
	uint8_t config[SHA256_LEN];
	size_t config_len, n;
	char *json;

	assert_int_equal(layout_config_json(&c, &json, &config_len), 0);
	add_blob(l, json, config_len, config);
	free(json);
	oci_digest_string(config, d);
	n = (size_t)snprintf(doc, sizeof(doc), "{\"schemaVersion\":2,"
			     "\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\","
			     "\"config\":{\"mediaType\":\""
			     OCI_MEDIA_TYPE_CONFIG "\",\"digest\":\"%s\","
			     "\"size\":%zu},\"layers\":[", d, config_len);
	for (size_t i = 0; i < LAYERS; i++)
		add_blob(l, layers[i].data, layers[i].len, layers[i].digest);
	for (size_t i = 0; i < count; i++) {
		const struct layer_blob *y = layer_of(i);

		oci_digest_string(y->digest, d);
		sha256_hex(y->res.root, root);
		n += (size_t)snprintf(doc + n, sizeof(doc) - n,
				      "%s{\"mediaType\":\"" LAYER_MEDIA_TYPE
				      "\",\"digest\":\"%s\",\"size\":%zu,"
				      "\"annotations\":{\""
				      OCI_ANNOTATION_VERITY_ROOT "\":\"%s\"}}",
				      i ? "," : "", d, y->len, root);
		assert_true(n < sizeof(doc));
	}
	n += (size_t)snprintf(doc + n, sizeof(doc) - n, "]}");
	assert_true(n < sizeof(doc));
	add_blob(l, doc, n, bt->image);
	return n;
}

static void system_manifest(const struct variant *v, struct built *bt,
			    size_t image_len)
{
	char image[OCI_DIGEST_STRING_LEN + 1];
	size_t n, size = sizeof(bt->system_json);
	char *out = bt->system_json;

	oci_digest_string(bt->image, image);
	n = (size_t)snprintf(out, size, "{\"schemaVersion\":1,\"mediaType\""
			     ":\"" OCI_MEDIA_TYPE_SYSTEM_MANIFEST "\","
			     "\"product\":\"%s\",\"version\":7,\"rootfs\":"
			     "{\"digest\":\"%s\",\"mediaType\":\""
			     OCI_MEDIA_TYPE_MANIFEST "\",\"size\":%zu}",
			     v->product ? v->product : UUID, image,
			     image_len);
	for (size_t i = 0; i < v->service_count; i++)
		n += (size_t)snprintf(out + n, size - n, "%s{\"name\":"
				      "\"service%zu\",\"digest\":\"%s\"}",
				      i ? "," : ",\"services\":[", i, image);
	n += (size_t)snprintf(out + n, size - n, "%s}",
			      v->service_count ? "]" : "");
	assert_true(n < size);
	bt->system_len = n;
}

/* Sign the manifest with the product key; *len bytes, to free(). */
static uint8_t *sign(const struct built *bt, size_t *len)
{
	struct error why;
	int fd;

	fd = open("signed.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bt->system_json, bt->system_len),
			 (ssize_t)bt->system_len);
	close(fd);
	if (keygen_sign("product.key", "signed.json", "signed.sig", true, &why) != 0)
		fail_msg("signing: %s", why.why);
	return fixture_read(dir, "signed.sig", len);
}

static void add_artifact(const struct layout *l, const struct variant *v,
			 struct built *bt)
{
	static const char *const types[3] = {
		OCI_MEDIA_TYPE_SYSTEM_MANIFEST,
		OCI_MEDIA_TYPE_SYSTEM_SIGNATURE,
		OCI_MEDIA_TYPE_SYSTEM_CERTIFICATE,
	};
	uint8_t digests[3][SHA256_LEN], empty[SHA256_LEN];
	char doc[DOC_MAX], d[OCI_DIGEST_STRING_LEN + 1], e[sizeof(d)];
	size_t sizes[3], n;
	uint8_t *sig, *cert;
	struct error le;

	sig = sign(bt, &sizes[1]);
	if (v->tamper)
		memcpy(strstr(bt->system_json, "\"version\":7"),
		       "\"version\":8", 11);
	cert = fixture_read(dir, "product.der", &sizes[2]);
	sizes[0] = bt->system_len;
	add_blob(l, bt->system_json, sizes[0], digests[0]);
	add_blob(l, sig, sizes[1], digests[1]);
	add_blob(l, cert, sizes[2], digests[2]);
	add_blob(l, "{}", 2, empty);
	free(sig);
	free(cert);
	memcpy(bt->manifest, digests[0], SHA256_LEN);
	oci_digest_string(empty, e);
	n = (size_t)snprintf(doc, sizeof(doc), "{\"schemaVersion\":2,"
			     "\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\","
			     "\"artifactType\":\"" OCI_ARTIFACT_TYPE_SYSTEM
			     "\",\"config\":{\"mediaType\":\""
			     OCI_MEDIA_TYPE_EMPTY "\",\"digest\":\"%s\","
			     "\"size\":2},\"layers\":[", e);
	for (size_t i = 0; i < 3; i++) {
		oci_digest_string(digests[i], d);
		n += (size_t)snprintf(doc + n, sizeof(doc) - n,
				      "%s{\"mediaType\":\"%s\",\"digest\":"
				      "\"%s\",\"size\":%zu}", i ? "," : "",
				      types[i], d, sizes[i]);
	}
	n += (size_t)snprintf(doc + n, sizeof(doc) - n, "]}");
	assert_true(n < sizeof(doc));
	add_blob(l, doc, n, bt->artifact);
	assert_int_equal(layout_tag(l, "system", bt->artifact, (int64_t)n,
				    &le), 0);
}

/* Build the system v as the store NAME (layout NAME/oci). */
static void build(const char *name, const struct variant *v,
		  struct built *bt)
{
	char path[PATH_LEN], hex[SHA256_HEX_LEN + 1];
	struct error le;
	struct layout l;

	memset(bt, 0, sizeof(*bt));
	assert_int_equal(mkdir(name, 0755), 0);
	snprintf(path, PATH_LEN, "%s/oci", name);
	assert_int_equal(layout_create(&l, AT_FDCWD, path, &le), 0);
	system_manifest(v, bt, add_image(&l, v, bt));
	add_artifact(&l, v, bt);
	layout_close(&l);
	if (v->remove_layer1) {
		sha256_hex(layers[1].digest, hex);
		snprintf(path, PATH_LEN, "%s/oci/blobs/sha256/%s", name, hex);
		assert_int_equal(unlink(path), 0);
	}
	snprintf(store_root, sizeof(store_root), "%s", name);
}

/* --- running the stages --------------------------------------------------- */

static int (*const stages[])(struct boot *) = {
	stage_store, stage_verify, stage_layers, stage_rootfs,
	stage_switch_root,
};

/*
 * A fresh boot of CMDLINE trusting the CAs in the directory ca_dir, run stage by
 * stage as init/main.c does until one fails. Returns the index of the
 * stage that failed; *calls_before is the number of calls made before it.
 */
static size_t run(const char *ca_dir, size_t *calls_before)
{
	struct error err;
	size_t i;

	memset(&b, 0, sizeof(b));
	boot_init(&b);
	b.ops = &fake_ops;
	b.ca_dir = ca_dir;
	assert_int_equal(cmdline_parse(cmdline_text, strlen(cmdline_text),
				       &b.config,
				       &err), 0);
	call_count = file_count = loops_attached = 0;
	for (i = 0; i < ARRAY_SIZE(stages); i++) {
		*calls_before = call_count;
		if (stages[i](&b) < 0)
			break;
	}
	return i;
}

static void expect_calls(char (*want)[CALL_TEXT_MAX], size_t count)
{
	for (size_t i = 0; i < count && i < call_count; i++)
		assert_string_equal(calls[i], want[i]);
	assert_int_equal(call_count, count);
}

/*
 * The calls stage_store makes, which every run here starts with: the
 * modules of the store's filesystem (ext2/3 are the ext4 driver's), then
 * its mount read-only with its own options.
 */
static size_t store_calls(char (*want)[CALL_TEXT_MAX])
{
	bool erofs = streq(store_type, "erofs");
	size_t n = 0;

	snprintf(want[n++], CALL_TEXT_MAX, "store_find LABEL=ocistore");
	snprintf(want[n++], CALL_TEXT_MAX, "store_check " STORE_DEVICE);
	snprintf(want[n++], CALL_TEXT_MAX, "load_modules "
		 "/etc/ociboot/modules.d/%s", erofs ? "erofs" : "ext4");
	snprintf(want[n++], CALL_TEXT_MAX, "mkdir_p " VERIFIED_STORE_DIR
		 " 0755");
	snprintf(want[n++], CALL_TEXT_MAX, "mount " STORE_DEVICE " "
		 VERIFIED_STORE_DIR " %s 0x%lx %s", erofs ? "erofs" : "ext4",
		 (unsigned long)(MS_RDONLY | MS_NODEV | MS_NOSUID |
				 MS_NOEXEC), erofs ? "noacl,nouser_xattr" :
		 "noload,errors=remount-ro");
	snprintf(want[n++], CALL_TEXT_MAX, "open_dir " VERIFIED_STORE_DIR);
	return n;
}

/* Layer i's calls: its blob read-only on a loop device, its verity table
 * from the builder's numbers, its squashfs from the dm device. */
static size_t layer_calls(char (*want)[CALL_TEXT_MAX], size_t n,
			  unsigned int i)
{
	const struct layer_blob *y = layer_of(i);
	uint64_t data_blocks = y->res.hash_offset / VERITY_BLOCK_SIZE;
	char d[OCI_DIGEST_STRING_LEN + 1], root[SHA256_HEX_LEN + 1];
	char salt[2 * sizeof(layer_salt) + 1];
	unsigned int minor = LOOP_FIRST_MINOR + i;
	size_t dm_minor;

	oci_digest_string(y->digest, d);
	sha256_hex(y->res.root, root);
	hex_encode(layer_salt, sizeof(layer_salt), salt);
	snprintf(want[n++], CALL_TEXT_MAX, "loop_attach %s O_RDONLY offset 0 "
		 "sizelimit 0 flags %u", d, (unsigned)LOOP_ATTACH_AUTOCLEAR);
	snprintf(want[n], CALL_TEXT_MAX, "dm_verity_create ociboot-layer-%u "
		 "sectors %llu: 1 %u:%u %u:%u %u %u %llu %llu sha256 %s %s%s",
		 i, (unsigned long long)(y->res.hash_offset / SECTOR_SIZE),
		 LOOP_MAJOR, minor, LOOP_MAJOR, minor, VERITY_BLOCK_SIZE,
		 VERITY_BLOCK_SIZE, (unsigned long long)data_blocks,
		 (unsigned long long)data_blocks + 1, root, salt,
		 verity_flags_want);
	n++;
	/* The fake numbers the dm device by the calls made up to it. */
	dm_minor = n;
	snprintf(want[n++], CALL_TEXT_MAX, "loop_release /dev/loop%u", minor);
	snprintf(want[n++], CALL_TEXT_MAX, "dm_node_wait /dev/dm-%zu",
		 dm_minor);
	snprintf(want[n++], CALL_TEXT_MAX, "mkdir_p " VERIFIED_LAYERS_DIR
		 "/%u 0755", i);
	snprintf(want[n++], CALL_TEXT_MAX, "mount_squashfs /dev/dm-%zu "
		 VERIFIED_LAYERS_DIR "/%u", dm_minor, i);
	return n;
}

/* --- tests ---------------------------------------------------------------- */

/* What /run/ociboot/boot says of bt with count layers, into out[size]. */
static size_t boot_file_of(const struct built *bt, size_t count, char *out,
			   size_t size)
{
	char d[OCI_DIGEST_STRING_LEN + 1], root[SHA256_HEX_LEN + 1];
	size_t len = 0;

	oci_digest_string(bt->artifact, d);
	len += (size_t)snprintf(out + len, size - len, "STORE=" STORE_DEVICE
				"\nSYSTEM=%s\nPRODUCT=" UUID "\nVERSION=7\n"
				"SIGNER=%s\n", d, b.plan.signer_subject);
	oci_digest_string(bt->image, d);
	len += (size_t)snprintf(out + len, size - len, "ROOTFS_IMAGE=%s\n", d);
	for (size_t i = 0; i < count; i++) {
		oci_digest_string(layer_of(i)->digest, d);
		sha256_hex(layer_of(i)->res.root, root);
		len += (size_t)snprintf(out + len, size - len, "LAYER%zu=%s %s "
					VERIFIED_LAYERS_DIR "/%zu\n", i, d,
					root, i);
	}
	assert_true(len < size);
	return len;
}

/*
 * A boot of bt with count layers ran to the (failing, fake) exec, every
 * call as expected: the store, each layer bottom first, one overlay with
 * the layers top first, the two files handed over, the exec.
 */
static void expect_boot(const struct built *bt, size_t count)
{
	static char want[CALL_MAX][CALL_TEXT_MAX];
	static char boot_file[VERIFIED_BOOT_FILE_MAX];
	size_t n, len;

	/* The FATAL line of a failed exec, as corrupt-init expects it. */
	snprintf(boot_file, sizeof(boot_file), "exec /sbin/init: %s",
		 strerror(EIO));
	assert_string_equal(b.reason, boot_file);

	n = store_calls(want);
	snprintf(want[n++], CALL_TEXT_MAX, "dm_open");
	for (unsigned int i = 0; i < count; i++)
		n = layer_calls(want, n, i);
	snprintf(want[n++], CALL_TEXT_MAX, "dm_close");
	snprintf(want[n++], CALL_TEXT_MAX, "mount_overlay_scratch "
		 VERIFIED_RW_DIR " 0");
	snprintf(want[n++], CALL_TEXT_MAX, "mkdir_p " VERIFIED_LOWER_DIR
		 " 0755");
	/* overlayfs lists the lower layers top first: the bottom is last. */
	len = (size_t)snprintf(want[n], CALL_TEXT_MAX, "mount_overlay "
			       VERIFIED_LOWER_DIR " 0x0 lowerdir=");
	for (size_t i = count; i-- > 0;)
		len += (size_t)snprintf(want[n] + len, CALL_TEXT_MAX - len,
					VERIFIED_LAYERS_DIR "/%zu%s", i,
					i ? ":" : "");
	snprintf(want[n++] + len, CALL_TEXT_MAX - len, ",userxattr,"
		 MOUNT_OVERLAY_FIXED_OPTIONS);
	snprintf(want[n++], CALL_TEXT_MAX, "mkdir_p " VERIFIED_NEWROOT
		 " 0755");
	snprintf(want[n++], CALL_TEXT_MAX, "mount_overlay " VERIFIED_NEWROOT
		 " 0x0 lowerdir=" VERIFIED_LOWER_DIR ",upperdir="
		 VERIFIED_RW_DIR "/upper,workdir=" VERIFIED_RW_DIR "/work,"
		 MOUNT_OVERLAY_FIXED_OPTIONS);
	snprintf(want[n++], CALL_TEXT_MAX, "write_new " VERIFIED_SYSTEM_FILE
		 " 0444");
	snprintf(want[n++], CALL_TEXT_MAX, "write_new " VERIFIED_BOOT_FILE
		 " 0444");
	snprintf(want[n++], CALL_TEXT_MAX, "umount " VERIFIED_STORE_DIR
		 " 0x%x", MNT_DETACH);
	snprintf(want[n++], CALL_TEXT_MAX, "switch_root " VERIFIED_NEWROOT
		 " in /srv /sbin/init --quiet single -- PATH=/bin LANG=C");
	expect_calls(want, n);
	assert_int_equal(b.layers_mounted, count);

	/* The files handed over: the manifest as signed, and the boot. */
	assert_int_equal(file_count, 2);
	assert_int_equal(files[0].len, bt->system_len);
	assert_memory_equal(files[0].data, bt->system_json, bt->system_len);
	len = boot_file_of(bt, count, boot_file, sizeof(boot_file));
	assert_int_equal(files[1].len, len);
	assert_string_equal(files[1].data, boot_file);
	assert_non_null(strstr(b.plan.signer_subject, "CN=Product"));
}

/*
 * The system manifest handed to the booted system is the one whose
 * signature was checked, even when the store changes it afterwards.
 */
static void test_handed_from_memory(void **state)
{
	struct built bt;
	size_t before;

	build("swapped", &(struct variant){ 0 }, &bt);
	swap_blob = bt.manifest;
	assert_int_equal(run("ca", &before), 4);
	assert_null(swap_blob);
	expect_boot(&bt, LAYERS);
}

/* ociboot.verity= becomes the flag of every layer's verity table. */
static void test_verity_policy(void **state)
{
	static const struct {
		const char *cmdline, *flags;
	} cases[] = {
		{ CMDLINE " ociboot.verity=restart",
		  " 1 restart_on_corruption" },
		{ CMDLINE " ociboot.verity=panic", " 1 panic_on_corruption" },
		{ CMDLINE " ociboot.verity=eio", "" },
	};
	struct built bt;
	size_t before;

	build("policy", &(struct variant){ 0 }, &bt);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cmdline_text = cases[i].cmdline;
		verity_flags_want = cases[i].flags;
		assert_int_equal(run("ca", &before), 4);
		expect_boot(&bt, LAYERS);
	}
	cmdline_text = CMDLINE;
	verity_flags_want = "";
}

static void test_good_system(void **state)
{
	struct built bt;
	size_t before;

	build("good", &(struct variant){ 0 }, &bt);
	/* Stage 4, switch_root, fails: the exec is a fake. */
	assert_int_equal(run("ca", &before), 4);
	expect_boot(&bt, LAYERS);
}

/*
 * At the limits, it boots: OCI_LAYERS_MAX layers each on its loop and
 * dm-verity device and squashfs mount, one overlay of them all, and a
 * boot file that fits, for a system naming OCI_SERVICES_MAX services.
 */
static void test_at_the_limits(void **state)
{
	struct variant v = { .layer_count = OCI_LAYERS_MAX,
			     .service_count = OCI_SERVICES_MAX };
	struct built bt;
	size_t before;

	build("limits", &v, &bt);
	assert_int_equal(run("ca", &before), 4);
	assert_int_equal(b.plan.layer_count, OCI_LAYERS_MAX);
	assert_int_equal(b.plan.manifest.service_count, OCI_SERVICES_MAX);
	expect_boot(&bt, OCI_LAYERS_MAX);
	assert_int_equal(loops_attached, OCI_LAYERS_MAX);
	assert_true(files[1].len < VERIFIED_BOOT_FILE_MAX);
	print_message("boot file at the limits: %zu of %d bytes\n",
		      files[1].len, VERIFIED_BOOT_FILE_MAX);
}

/* A refusal stops in the verify stage, after only the store's calls. */
static void expect_refusal(const char *ca_dir, const char *reason_prefix)
{
	static char want[CALL_MAX][CALL_TEXT_MAX];
	size_t before, n;

	assert_int_equal(run(ca_dir, &before), 1);
	n = store_calls(want);
	assert_int_equal(before, n);
	expect_calls(want, n);
	assert_int_equal(file_count, 0);
	if (strncmp(b.reason, reason_prefix, strlen(reason_prefix)) != 0)
		fail_msg("reason \"%s\", expected it to start \"%s\"",
			 b.reason, reason_prefix);
}

static void test_wrong_ca(void **state)
{
	char want[1024], d[OCI_DIGEST_STRING_LEN + 1];
	uint8_t *cert, digest[SHA256_LEN];
	struct built bt;
	size_t len;

	build("wrong-ca", &(struct variant){ 0 }, &bt);
	cert = fixture_read(dir, "product.der", &len);
	sha256_digest(cert, len, digest);
	free(cert);
	oci_digest_string(digest, d);
	snprintf(want, sizeof(want), "verify: certificate %s: signer "
		 "certificate 'CN=Product, serialNumber=" UUID "' issued by "
		 "'CN=Test CA': certificate not issued by a trusted CA: "
		 "verification failed", d);
	expect_refusal("otherca", want);
	assert_string_equal(b.reason, want);
}

static void test_edited_manifest(void **state)
{
	char want[1024], d[OCI_DIGEST_STRING_LEN + 1];
	struct built bt;

	build("edited", &(struct variant){ .tamper = true }, &bt);
	oci_digest_string(bt.manifest, d);
	snprintf(want, sizeof(want), "verify: signature of system manifest %s "
		 "by 'CN=Product, serialNumber=" UUID "': signature does not "
		 "match: verification failed", d);
	expect_refusal("ca", want);
	assert_string_equal(b.reason, want);
}

static void test_missing_blob(void **state)
{
	char want[1024], d[OCI_DIGEST_STRING_LEN + 1];
	struct built bt;

	build("missing", &(struct variant){ .remove_layer1 = true }, &bt);
	oci_digest_string(layers[1].digest, d);
	snprintf(want, sizeof(want), "verify: layer 1 %s: blob %s is missing: "
		 "No such file or directory", d, d);
	expect_refusal("ca", want);
	assert_string_equal(b.reason, want);
}

static void test_wrong_product(void **state)
{
	char want[1024], d[OCI_DIGEST_STRING_LEN + 1];
	struct built bt;

	build("product", &(struct variant){ .product = UUID2 }, &bt);
	oci_digest_string(bt.manifest, d);
	snprintf(want, sizeof(want), "verify: system manifest %s signed by "
		 "'CN=Product, serialNumber=" UUID "': for product " UUID2
		 ", but its signer's certificate is for product " UUID
		 ": verification failed", d);
	expect_refusal("ca", want);
	assert_string_equal(b.reason, want);
}

/* One past a limit: refused in verify, before any layer is touched. */
static void test_over_the_limits(void **state)
{
	struct built bt;

	build("layers-over", &(struct variant){
		.layer_count = OCI_LAYERS_MAX + 1 }, &bt);
	expect_refusal("ca", "verify: rootfs image sha256:");
	assert_non_null(strstr(b.reason, ": over the limit of 127 layers "
			       "per image (oci/limits.h) (at $.layers"));
	assert_int_equal(loops_attached, 0);
	assert_int_equal(b.layers_mounted, 0);

	build("services-over", &(struct variant){
		.service_count = OCI_SERVICES_MAX + 1 }, &bt);
	expect_refusal("ca", "verify: system manifest sha256:");
	assert_non_null(strstr(b.reason, ": over the limit of 32 services "
			       "per system (oci/limits.h) (at $.services"));
	assert_int_equal(loops_attached, 0);
}

/*
 * The store is mounted by the type probed on it, after the modules of that
 * filesystem alone: erofs with its options, ext2/3/4 by the ext4 driver
 * with ours. A missing list is the driver built in: the mount goes on.
 */
static void test_store_filesystems(void **state)
{
	static const char *const types[] = { "erofs", "ext3", "ext2", "ext4" };
	struct built bt;
	size_t before;

	build("filesystems", &(struct variant){ 0 }, &bt);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		store_type = types[i];
		assert_int_equal(run("ca", &before), 4);
		expect_boot(&bt, LAYERS);
	}
	store_modules_no_list = true;
	assert_int_equal(run("ca", &before), 4);
	expect_boot(&bt, LAYERS);
	store_modules_no_list = false;
	store_type = "ext4";
}

/* A type no store may have, or its modules refused: nothing is mounted. */
static void test_store_refused(void **state)
{
	static char want[8][CALL_TEXT_MAX];
	struct built bt;
	size_t before, n;

	build("refusedfs", &(struct variant){ 0 }, &bt);
	store_type = "vfat";
	assert_int_equal(run("ca", &before), 0);
	assert_string_equal(b.reason, "store " STORE_DEVICE ": a vfat "
			    "filesystem cannot be the store");
	assert_int_equal(call_count, 2);

	store_type = "erofs";
	store_modules_result = -EKEYREJECTED;
	assert_int_equal(run("ca", &before), 0);
	n = store_calls(want);
	expect_calls(want, n - 3);	/* no mkdir, mount, open_dir */
	assert_non_null(strstr(b.reason, "store " STORE_DEVICE " (erofs): "
			       "loading module /etc/ociboot/modules.d/erofs"));
	store_modules_result = 0;
	store_type = "ext4";
}

/* A store that is not there stops before anything is mounted. */
static void test_no_oci(void **state)
{
	memset(&b, 0, sizeof(b));
	boot_init(&b);
	b.ops = &fake_ops;
	call_count = 0;
	assert_int_equal(stage_store(&b), -1);
	assert_string_equal(b.reason, "no oci= on the kernel command line");
	assert_int_equal(call_count, 0);
}

/* Key material by the host tool's own code, as `ociboot keys` makes it. */
static int make_keys(void)
{
	struct keygen_options o = { .days = 365, .ec_bits = 256 };
	char k[4][PATH_LEN], c[4][PATH_LEN];
	struct error why;
	static const char *const names[4] = { "ca/ca", "otherca/ca",
					      "product", NULL };

	o.not_before = (int64_t)time(NULL) - SECONDS_PER_DAY;
	for (size_t i = 0; names[i]; i++) {
		snprintf(k[i], PATH_LEN, "%s.key", names[i]);
		snprintf(c[i], PATH_LEN, "%s.pem", names[i]);
	}
	o.subject = "CN=Test CA";
	if (keygen_ca(&o, k[0], c[0], &why) != 0)
		goto fail;
	o.subject = "CN=Other CA";
	if (keygen_ca(&o, k[1], c[1], &why) != 0)
		goto fail;
	o.subject = "CN=Product";
	if (keygen_product(&o, UUID, k[0], c[0], k[2], c[2], &why) != 0)
		goto fail;
	/* A CA directory holds certificates only; the artifact DER. */
	return unlink(k[0]) | unlink(k[1]) | fixture_sh(dir, "openssl x509 "
		"-in product.pem -outform DER -out product.der");
fail:
	fprintf(stderr, "keys: %s\n", why.why);
	return -1;
}

/* Everything is built in a fresh directory, which becomes the cwd. */
static int setup(void **state)
{
	dir = fixture_dir_create();
	if (!dir || chdir(dir) != 0 || fixture_sh(dir, LAYER_TREES) != 0 ||
	    make_keys() != 0)
		return -1;
	build_layer(&layers[0], "base");
	build_layer(&layers[1], "top");
	return 0;
}

static int teardown(void **state)
{
	if (chdir("/") != 0)
		return -1;
	fixture_dir_remove(dir);
	free(dir);
	for (size_t i = 0; i < LAYERS; i++)
		free(layers[i].data);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_system),
		cmocka_unit_test(test_handed_from_memory),
		cmocka_unit_test(test_verity_policy),
		cmocka_unit_test(test_at_the_limits),
		cmocka_unit_test(test_over_the_limits),
		cmocka_unit_test(test_wrong_ca),
		cmocka_unit_test(test_edited_manifest),
		cmocka_unit_test(test_missing_blob),
		cmocka_unit_test(test_wrong_product),
		cmocka_unit_test(test_no_oci),
		cmocka_unit_test(test_store_filesystems),
		cmocka_unit_test(test_store_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
