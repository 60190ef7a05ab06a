/* SPDX-License-Identifier: MIT */
/*
 * The verified boot from a local store: see init/verified.h for the
 * stages. Nothing is mounted or executed that system_verify() did not
 * accept: the store is only read as an untrusted disk (layout opened
 * beneath its mount without following links), and every layer is mounted
 * from its dm-verity device, never from the loop device under it.
 */
#include "init/verified.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "init/boot.h"
#include "init/devices.h"
#include "init/log.h"
#include "init/storefs.h"
#include "init/switch_root.h"
#include "lib/clock.h"
#include "lib/constants.h"
#include "lib/fileio.h"
#include "lib/strbuf.h"
#include "lib/util.h"
#include "oci/oci_ref.h"
#include "version.h"	/* generated: OCIBOOT_BUILD_EPOCH */

/*
 * Read-only: the store is never written. The options are the filesystem's
 * (init/storefs.h): for ext4 no journal replay, and an error policy of
 * ours, not the superblock's s_errors (which could say panic).
 */
#define STORE_MOUNT_FLAGS (MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC)
#define DIR_MODE 0755
#define DM_NODE_WAIT_MS 2000
#define INIT_DEFAULT "/sbin/init"
#define ENV_PATH "PATH="
#define ENV_PATH_DEFAULT ENV_PATH "/usr/local/sbin:/usr/local/bin:" \
	"/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * The line verified_layer_setup() logs for a layer, at its longest ("<6>", the
 * prefix, the stage, the format's text and NUL, then its fields): it is
 * never cut, whatever layer of a plan at the limits it describes, the
 * rootfs's or a service's.
 */
#define LAYER_LOG_LINE_MAX \
	(sizeof("<6>" LOG_PREFIX "services:  :  ->  (dm-verity root , " \
		"status V) on ") + VERIFIED_LAYER_LABEL_MAX + \
	 OCI_DIGEST_STRING_LEN + LOOP_PATH_MAX + DM_NODE_PATH_MAX + \
	 SHA256_HEX_LEN + VERIFIED_SERVICE_LAYER_DIR_MAX)
_Static_assert(LAYER_LOG_LINE_MAX <= LOG_LINE_MAX,
	       "a layer's log line at the limits is never cut");

/* --- the real operations --------------------------------------------- */

static int sys_mount(const char *source, const char *target,
		     const char *fstype, unsigned long flags, const char *data)
{
	return mount(source, target, fstype, flags, data) < 0 ? -errno : 0;
}

static int sys_umount(const char *target, int flags)
{
	return umount2(target, flags) < 0 ? -errno : 0;
}

static int open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

const struct verified_ops verified_ops_default = {
	.store_find = store_find,
	.store_check = store_check_fs,
	.load_modules = modload_list,
	.mount = sys_mount,
	.mkdir_p = mount_mkdir_p,
	.open_dir = open_dir,
	.loop_attach = loop_attach,
	.loop_release = loop_release,
	.dm_open = dm_open,
	.dm_close = dm_close,
	.dm_verity_create = dm_verity_create,
	.dm_node_wait = dm_node_wait,
	.mount_squashfs = mount_squashfs,
	.mount_overlay_scratch = mount_overlay_scratch,
	.mount_overlay = mount_overlay,
	.write_new = fileio_write_new,
	.umount = sys_umount,
	.switch_root = switch_root,
};

/* --- store ----------------------------------------------------------- */

static int store_wait(void *ctx, unsigned int ms)
{
	struct boot *b = ctx;

	pid1_sleep_until_child(&b->pid1, clock_deadline_ms(ms));
	return 0;
}

/*
 * No block device appeared at all: most likely the initrd lacks the disk
 * controller's driver. Log every device the kernel saw, then fail naming
 * those without a driver and how to add one.
 */
static int store_no_disk(struct boot *b, const char *key, const char *value,
			 unsigned int scans)
{
	char advice[FAIL_REASON_MAX - 128], line[160];
	struct devices_list list;
	int fd = open("/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	list.count = list.seen = 0;
	if (fd >= 0) {
		devices_scan(fd, &list);
		close(fd);
	}
	for (size_t i = 0; i < list.count; i++)
		log_error("store", "the kernel saw %s",
			  devices_format(&list.entries[i], true, line,
					 sizeof(line)));
	return boot_failed(b, "store %s=%s not found: no block device "
			   "appeared in %u scans; %s", key, value, scans,
			   devices_no_disk_advice(&list, advice,
						  sizeof(advice)));
}

static int find_store(struct boot *b, const struct oci_device *dev)
{
	const char *key = oci_device_key_name(dev->key);
	struct store_result *res = &b->verified.store;
	struct store_key sk = { dev->key, dev->value };
	struct store_config cfg;
	int r;

	store_config_default(&cfg);
	cfg.wait = store_wait;
	cfg.wait_ctx = b;
	cfg.read_wait = store_wait;
	cfg.read_wait_ctx = b;
	boot_doing(b, "looking for %s=%s among the block devices", key,
		   dev->value);
	r = b->ops->store_find(&cfg, &sk, res);
	if (r == -ENOTUNIQ)
		return boot_failed(b, "store %s=%s is ambiguous: %s and %s "
				   "both match; refusing to guess", key,
				   dev->value, res->device.path,
				   res->other.path);
	if (r == -OCIBOOT_ETIMEOUT && res->devices == 0)
		return store_no_disk(b, key, dev->value, res->scans);
	if (r == -OCIBOOT_ETIMEOUT && res->failed_err == -OCIBOOT_ETIMEOUT)
		return boot_failed(b, "store %s=%s not found: /dev/%s: reading "
				   "it did not finish within %u s (a disk "
				   "whose reads never return: stalled, or a "
				   "dead path), %u scans of %u devices", key,
				   dev->value, res->failed,
				   cfg.read_timeout_ms / MS_PER_SECOND,
				   res->scans, res->devices);
	if (r == -OCIBOOT_ETIMEOUT)
		return boot_failed(b, "store %s=%s not found after %u scans "
				   "of %u devices%s%s%s: none has that %s; "
				   "check it on the host with `blkid` (ext4: "
				   "mke2fs -L or e2label sets a label)", key,
				   dev->value, res->scans, res->devices,
				   res->failed[0] ? " (unreadable: " : "",
				   res->failed, res->failed[0] ? ")" : "",
				   key);
	if (r < 0)
		return boot_failed(b, "looking for store %s=%s: %s", key,
				   dev->value, ociboot_strerror(r));
	snprintf(b->store_device, sizeof(b->store_device), "%s",
		 res->device.path);
	log_info("store", "%s=%s is %s (%llu bytes)", key, dev->value,
		 res->device.path, (unsigned long long)res->device.size);
	return 0;
}

/*
 * The modules only the store's filesystem needs, loaded now that it is
 * known (the boot's own list leaves them out). No list: the driver is built
 * in, or the mount fails and says which module the initrd lacks.
 */
static int load_store_modules(struct boot *b, const struct storefs *fs)
{
	struct modload_options opt = { false, boot_doing_module, b };
	char line[ERROR_LINE_MAX];
	struct modload_result res;
	int64_t start = clock_now_ms();
	struct error err;

	if (b->ops->load_modules(fs->modules, b->modules_list,
				 sizeof(b->modules_list), &opt, &res,
				 &err) < 0)
		return boot_failed(b, "store %s (%s): %s", b->store_device,
				   fs->type, error_format(&err, line,
							  sizeof(line)));
	if (res.no_list)
		log_info("store", "%s is %s; no %s: its driver is built in "
			 "or already loaded", b->store_device, fs->type,
			 fs->modules);
	else
		log_info("store", "%s is %s: %u module(s) of %s loaded in "
			 "%lld ms", b->store_device, fs->type, res.loaded,
			 fs->modules, (long long)(clock_now_ms() - start));
	return 0;
}

static int mount_store(struct boot *b)
{
	char line[ERROR_LINE_MAX];
	const struct storefs *fs;
	const char *type = NULL;
	struct error err;
	int r;

	error_clear(&err);
	boot_doing(b, "%s: reading its superblock", b->store_device);
	r = b->ops->store_check(b->store_device, &type, &err);
	if (r < 0)
		return boot_failed(b, "store %s: %s", b->store_device,
				   error_format(&err, line, sizeof(line)));
	fs = storefs_find(type);
	if (!fs)
		return boot_failed(b, "store %s: a %s filesystem cannot be "
				   "the store", b->store_device,
				   type ? type : "unknown");
	if (load_store_modules(b, fs) < 0)
		return -1;
	r = b->ops->mkdir_p(VERIFIED_STORE_DIR, DIR_MODE);
	if (r < 0)
		return boot_failed(b, "mkdir %s: %s", VERIFIED_STORE_DIR,
				   strerror(-r));
	boot_doing(b, "%s: mounting it read-only (%s)", b->store_device,
		   fs->fstype);
	r = b->ops->mount(b->store_device, VERIFIED_STORE_DIR, fs->fstype,
			  STORE_MOUNT_FLAGS, fs->options);
	if (r < 0)
		return boot_failed(b, "mounting %s (%s) read-only on %s: %s; "
				   "the initrd must hold the %s module (ukify "
				   "initrd --preset base)", b->store_device,
				   fs->type, VERIFIED_STORE_DIR, strerror(-r),
				   fs->fstype);
	return 0;
}

int stage_store(struct boot *b)
{
	const struct oci_location *loc = &b->config.oci;
	char where[OCI_LOCATION_STR_MAX];
	struct error lerr;
	int r, fd;

	if (!b->config.has_oci)
		return boot_failed(b, "no oci= on the kernel command line");
	if (oci_location_format(loc, where, sizeof(where)) < 0)
		snprintf(where, sizeof(where), "(unprintable)");
	if (loc->kind != OCI_LOCATION_DEVICE)
		return 0;	/* stage_network filled the layout */
	log_info("store", "looking for %s", where);
	if (find_store(b, &loc->device) < 0 || mount_store(b) < 0)
		return -1;
	boot_doing(b, "%s: opening the OCI layout %s", b->store_device,
		   loc->device.path);
	fd = b->ops->open_dir(VERIFIED_STORE_DIR);
	if (fd < 0)
		return boot_failed(b, "%s: %s", VERIFIED_STORE_DIR,
				   strerror(-fd));
	r = layout_open_beneath(&b->layout, fd, loc->device.path, &lerr);
	close(fd);
	if (r < 0)
		return boot_failed(b, "OCI layout %s on %s: %s: %s; the store "
				   "must hold the layout `ociboot image create "
				   "--layout` wrote, at the path oci= names",
				   loc->device.path, b->store_device,
				   lerr.what, lerr.why);
	log_info("store", "%s mounted read-only; OCI layout %s", b->store_device,
		 loc->device.path);
	return 0;
}

/* --- verify ---------------------------------------------------------- */

static void log_plan_line(void *ctx, const char *line)
{
	log_info("verify", "%s", line);
}

/*
 * The time certificates are checked at: the clock, but never earlier than
 * this init was built (a machine whose clock was reset must not take
 * certificates that expired before the software it runs was made).
 */
static int64_t validation_time(void)
{
	int64_t now = (int64_t)time(NULL);

	return now < OCIBOOT_BUILD_EPOCH ? OCIBOOT_BUILD_EPOCH : now;
}

int stage_verify(struct boot *b)
{
	struct x509_trust_store *ts = &b->verified.trust;
	struct error err;
	char msg[ERROR_LINE_MAX];
	int r;

	x509_trust_store_init(ts);
	r = x509_trust_store_load_dir(ts, b->ca_dir, &err);
	if (r < 0) {
		error_format(&err, msg, sizeof(msg));
		return boot_failed(b, "CA certificates in %s: %s; build the "
				   "initrd with `ociboot ukify initrd --ca "
				   "CA.pem`", b->ca_dir, msg);
	}
	log_info("verify", "trusting %zu CA certificate(s) from %s",
		 ts->count, b->ca_dir);

	boot_doing(b, "%s: reading the signed system from the OCI layout",
		   b->store_device[0] ? b->store_device : VERIFIED_STORE_DIR);
	r = system_verify(&b->layout, &b->config.oci.ref, ts,
			  validation_time(), tpm_boot_expected_product(b),
			  &b->verified.scratch,
			  &b->plan, &err);
	if (r < 0)
		return boot_failed(b, "verify: %s",
				   error_format(&err, msg, sizeof(msg)));
	system_plan_describe(&b->plan, log_plan_line, NULL);
	log_info("verify", "signed system verified");
	return 0;
}

/* --- layers ---------------------------------------------------------- */

/* Where the layers' blobs are read from, for what a timeout names. */
static const char *store_name(const struct boot *b)
{
	return b->store_device[0] ? b->store_device : VERIFIED_STORE_DIR;
}

static void layer_dir(unsigned int i, char dir[VERIFIED_LAYER_DIR_MAX])
{
	snprintf(dir, VERIFIED_LAYER_DIR_MAX, "%s/%u", VERIFIED_LAYERS_DIR, i);
}

/* A read-only loop device over v's blob; its fd is the caller's. */
static int attach_layer(struct boot *b, const struct verified_layer *v,
			const char *digest, struct loop_device *loop)
{
	struct loop_options lo = { 0, 0, LOOP_ATTACH_AUTOCLEAR };
	struct error lerr;
	int fd, r;

	fd = layout_open_blob(&b->layout, v->layer->digest, v->layer->size,
			      &lerr);
	if (fd < 0)
		return boot_failed(b, "%s: %s: %s", v->label, lerr.what,
				   lerr.why);
	r = b->ops->loop_attach(fd, &lo, loop);
	close(fd);
	if (r < 0)
		return boot_failed(b, "%s (%s): loop device: %s; the "
				   "initrd needs the loop module (ukify initrd "
				   "--preset base)", v->label, digest,
				   ociboot_strerror(r));
	return 0;
}

/* The verity table flag of ociboot.verity= (docs/verity.md). */
static unsigned int verity_flags(const struct boot *b)
{
	switch (b->config.verity) {
	case VERITY_POLICY_RESTART:
		return VERITY_TABLE_RESTART_ON_CORRUPTION;
	case VERITY_POLICY_PANIC:
		return VERITY_TABLE_PANIC_ON_CORRUPTION;
	default:
		return 0;
	}
}

int verified_layer_setup(struct boot *b, const char *stage,
			 const struct verified_layer *v)
{
	const struct system_layer *layer = v->layer;
	char digest[OCI_DIGEST_STRING_LEN + 1], root[SHA256_HEX_LEN + 1];
	char dev[VERIFIED_DEV_MAX], node[DM_NODE_PATH_MAX];
	struct loop_device loop;
	dev_t devt;
	int r;

	oci_digest_string(layer->digest, digest);
	sha256_hex(layer->root_hash, root);
	boot_doing(b, "%s (%s): a loop device over its blob on %s",
		   v->label, digest, store_name(b));
	if (attach_layer(b, v, digest, &loop) < 0)
		return -1;
	snprintf(dev, sizeof(dev), "%u:%u", major(loop.devt),
		 minor(loop.devt));
	boot_doing(b, "%s (%s): dm-verity over %s (blob on %s)", v->label,
		   digest, loop.path, store_name(b));
	r = b->ops->dm_verity_create(&b->verified.dm, v->dm_name, dev, dev,
				     &layer->verity, layer->root_hash,
				     verity_flags(b), &devt);
	b->ops->loop_release(&loop);
	if (r < 0)
		return boot_failed(b, "%s (%s): dm-verity with root %s: %s",
				   v->label, digest, root,
				   ociboot_strerror(r));
	r = b->ops->dm_node_wait(devt, node, DM_NODE_WAIT_MS);
	if (r < 0)
		return boot_failed(b, "%s (%s): device node: %s", v->label,
				   digest, ociboot_strerror(r));

	boot_doing(b, "%s (%s): mounting squashfs from %s (blob on %s)",
		   v->label, digest, node, store_name(b));
	r = b->ops->mkdir_p(v->dir, DIR_MODE);
	if (r == 0)
		r = b->ops->mount_squashfs(node, v->dir);
	if (r < 0)
		return boot_failed(b, "%s (%s): mounting squashfs from %s: %s",
				   v->label, digest, node, strerror(-r));
	log_info(stage, "%s %s: %s -> %s (dm-verity root %s, status V) on %s",
		 v->label, digest, loop.path, node, root, v->dir);
	return 0;
}

static int setup_layer(struct boot *b, unsigned int i)
{
	char label[VERIFIED_LAYER_LABEL_MAX], name[VERIFIED_DM_NAME_MAX];
	char dir[VERIFIED_LAYER_DIR_MAX];
	struct verified_layer v = { &b->plan.layers[i], label, name, dir };

	snprintf(label, sizeof(label), "layer %u", i);
	snprintf(name, sizeof(name), VERIFIED_DM_NAME_PREFIX "%u", i);
	layer_dir(i, dir);
	return verified_layer_setup(b, "layers", &v);
}

int stage_layers(struct boot *b)
{
	struct dm_control *dm = &b->verified.dm;
	int r = b->ops->dm_open(dm);

	if (r < 0)
		return boot_failed(b, "device-mapper control: %s; the initrd "
				   "needs the dm-verity module (ukify initrd "
				   "--preset base)", ociboot_strerror(r));
	for (unsigned int i = 0; i < b->plan.layer_count; i++) {
		if (setup_layer(b, i) < 0) {
			b->ops->dm_close(dm);
			return -1;
		}
		b->layers_mounted = i + 1;
	}
	b->ops->dm_close(dm);
	return 0;
}

/* --- rootfs ---------------------------------------------------------- */

static int hand_over(struct boot *b, const char *path, const void *data,
		     size_t len)
{
	int r = b->ops->write_new(AT_FDCWD, path, data, len,
				  VERIFIED_FILE_MODE);

	if (r < 0)
		return boot_failed(b, "%s: %s", path, strerror(-r));
	return 0;
}

/*
 * The verified system manifest, byte for byte as its signature was
 * checked: from memory, never read from the untrusted store again.
 */
static int hand_over_manifest(struct boot *b)
{
	size_t len;
	const char *buf = system_verified_manifest(&b->verified.scratch,
						   &b->plan, &len);

	if (!buf)
		return boot_failed(b, "no verified system manifest to hand "
				   "over");
	return hand_over(b, VERIFIED_SYSTEM_FILE, buf, len);
}

/* What was mounted from where, as KEY=VALUE lines for the booted OS. */
static int hand_over_boot(struct boot *b)
{
	const struct system_plan *p = &b->plan;
	char digest[OCI_DIGEST_STRING_LEN + 1];
	struct strbuf sb;

	strbuf_init(&sb, b->verified.boot_file,
		    sizeof(b->verified.boot_file));
	oci_digest_string(p->artifact_digest, digest);
	strbuf_printf(&sb, "STORE=%s\n", b->store_device);
	strbuf_printf(&sb, "SYSTEM=%s\n", digest);
	strbuf_printf(&sb, "PRODUCT=%s\n", p->signer_product);
	strbuf_printf(&sb, "VERSION=%llu\n",
		      (unsigned long long)p->manifest.version);
	strbuf_printf(&sb, "SIGNER=%s\n", p->signer_subject);
	oci_digest_string(p->image_digest, digest);
	strbuf_printf(&sb, "ROOTFS_IMAGE=%s\n", digest);
	for (size_t i = 0; i < p->layer_count; i++) {
		oci_digest_string(p->layers[i].digest, digest);
		strbuf_printf(&sb, "LAYER%zu=%s ", i, digest);
		strbuf_hex(&sb, p->layers[i].root_hash, VERITY_DIGEST_LEN);
		strbuf_printf(&sb, " %s/%zu\n", VERIFIED_LAYERS_DIR, i);
	}
	if (strbuf_truncated(&sb))
		return boot_failed(b, "%s: too long", VERIFIED_BOOT_FILE);
	return hand_over(b, VERIFIED_BOOT_FILE, strbuf_str(&sb),
			 strbuf_len(&sb));
}

/*
 * The layers stacked as atomfs stacks them: a read-only overlay mounted
 * with userxattr, so that an opaque directory marked the way stacker marks
 * it (user.overlay.opaque) hides the layers below (fs/mount.h). Its one
 * directory is the lower of the writable overlay; a single layer is that
 * lower itself.
 */
static int stack_layers(struct boot *b, const char **lower)
{
	struct verified_buffers *v = &b->verified;
	size_t n = b->plan.layer_count;
	struct mount_overlay ov = { v->lowers, n, NULL, NULL, true };
	int r;

	for (size_t i = 0; i < n; i++) {	/* top first */
		layer_dir((unsigned int)(n - 1 - i), v->layer_dirs[i]);
		v->lowers[i] = v->layer_dirs[i];
	}
	*lower = v->lowers[0];
	if (n < 2)
		return 0;
	r = b->ops->mkdir_p(VERIFIED_LOWER_DIR, DIR_MODE);
	if (r == 0)
		r = b->ops->mount_overlay(VERIFIED_LOWER_DIR, &ov, 0);
	if (r < 0)
		return boot_failed(b, "read-only overlay of %zu layers on %s: "
				   "%s", n, VERIFIED_LOWER_DIR, strerror(-r));
	*lower = VERIFIED_LOWER_DIR;
	return 0;
}

int stage_rootfs(struct boot *b)
{
	size_t n = b->plan.layer_count;
	const char *lower;
	struct mount_overlay ov = {
		&lower, 1, VERIFIED_RW_DIR "/" MOUNT_UPPER_DIR,
		VERIFIED_RW_DIR "/" MOUNT_WORK_DIR, false,
	};
	int r;

	boot_doing(b, "stacking the layers (blobs on %s) on %s",
		   store_name(b), VERIFIED_NEWROOT);
	r = b->ops->mount_overlay_scratch(VERIFIED_RW_DIR, 0);
	if (r < 0)
		return boot_failed(b, "tmpfs for the writable layer on %s: %s",
				   VERIFIED_RW_DIR, strerror(-r));
	if (stack_layers(b, &lower) < 0)
		return -1;
	r = b->ops->mkdir_p(VERIFIED_NEWROOT, DIR_MODE);
	if (r == 0)
		r = b->ops->mount_overlay(VERIFIED_NEWROOT, &ov, 0);
	if (r < 0)
		return boot_failed(b, "overlay of %zu layers on %s: %s; the "
				   "initrd needs the overlay module (ukify "
				   "initrd --preset base)", n, VERIFIED_NEWROOT,
				   strerror(-r));
	log_info("rootfs", "overlay of %zu verified layers + tmpfs on %s", n,
		 VERIFIED_NEWROOT);
	if (hand_over_manifest(b) < 0 || hand_over_boot(b) < 0)
		return -1;
	log_info("rootfs", "%s and %s written", VERIFIED_SYSTEM_FILE,
		 VERIFIED_BOOT_FILE);
	return 0;
}

/* --- switch_root ----------------------------------------------------- */

/* argv: Entrypoint then Cmd, as a container runtime would; /sbin/init. */
static size_t build_argv(const struct oci_config *c, char **argv,
			 size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->entrypoint_count && n + 1 < max; i++)
		argv[n++] = (char *)oci_config_string(c, c->entrypoint[i]);
	for (size_t i = 0; i < c->cmd_count && n + 1 < max; i++)
		argv[n++] = (char *)oci_config_string(c, c->cmd[i]);
	if (n == 0)
		argv[n++] = (char *)INIT_DEFAULT;
	argv[n] = NULL;
	return n;
}

static void build_envp(const struct oci_config *c, char **envp, size_t max)
{
	size_t n = 0;
	bool has_path = false;

	for (size_t i = 0; i < c->env_count && n + 2 < max; i++) {
		envp[n] = (char *)oci_config_string(c, c->env[i]);
		has_path |= strncmp(envp[n], ENV_PATH, strlen(ENV_PATH)) == 0;
		n++;
	}
	if (!has_path)
		envp[n++] = (char *)ENV_PATH_DEFAULT;
	envp[n] = NULL;
}

/* The image config's WorkingDir, or NULL ("/") when absent or empty. */
static const char *working_dir(const struct oci_config *c)
{
	const char *dir = oci_config_string(c, c->working_dir);

	return c->has_working_dir && dir[0] ? dir : NULL;
}

/*
 * The store is never needed again: detach it, so the booted system
 * cannot reach the unverified disk through the initramfs' mount. It is
 * busy (each layer's loop device holds its blob open), so it is detached
 * lazily: the kernel keeps it until the last loop device lets go, and
 * the layers go on working.
 */
static int detach_store(struct boot *b)
{
	int r;

	layout_close(&b->layout);
	r = b->ops->umount(VERIFIED_STORE_DIR, MNT_DETACH);
	if (r < 0)
		return boot_failed(b, "unmounting the store %s from %s: %s",
				   b->store_device, VERIFIED_STORE_DIR,
				   strerror(-r));
	log_info("switch_root", "store %s detached from %s", b->store_device,
		 VERIFIED_STORE_DIR);
	return 0;
}

int stage_switch_root(struct boot *b)
{
	struct verified_buffers *v = &b->verified;
	const char *workdir = working_dir(&b->plan.config);
	char line[ERROR_LINE_MAX];
	struct error err;
	int r;

	build_argv(&b->plan.config, v->argv, ARRAY_SIZE(v->argv));
	build_envp(&b->plan.config, v->envp, ARRAY_SIZE(v->envp));
	if (detach_store(b) < 0)
		return -1;
	tpm_boot_close(b);
	log_info("switch_root", "exec %s in the verified root%s%s", v->argv[0],
		 workdir ? ", in " : "", workdir ? workdir : "");
	error_clear(&err);
	r = b->ops->switch_root(VERIFIED_NEWROOT, workdir, v->argv, v->envp,
				&b->pid1.saved_mask, &err);
	if (!error_failed(&err))
		error_set(&err, r, NULL, "switch_root");
	return boot_failed(b, "%s", error_format(&err, line, sizeof(line)));
}
