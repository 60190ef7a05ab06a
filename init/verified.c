/* SPDX-License-Identifier: MIT */
/*
 * The verified boot from a local store: see init/verified.h for the
 * stages. Nothing is mounted or executed that system_verify() did not
 * accept: the store is only read as an untrusted disk (layout opened
 * beneath its mount without following links), and every layer is mounted
 * from its dm-verity device, never from the loop device under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "crypto/x509.h"
#include "fs/dm.h"
#include "fs/loop.h"
#include "fs/mount.h"
#include "oci/oci.h"
#include "oci/oci_ref.h"
#include "fs/store.h"
#include "init/log.h"
#include "init/switch_root.h"
#include "init/verified.h"
#include "lib/util.h"
#include "version.h"	/* generated: OCIBOOT_BUILD_EPOCH */

#define STORE_FSTYPE "ext4"
/* Read-only, and no journal replay: the store is never written. */
#define STORE_MOUNT_FLAGS (MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC)
#define STORE_MOUNT_OPTIONS "noload"
#define LAYERS_DIR VERIFIED_RUN_DIR "/layers"
#define RW_DIR VERIFIED_RUN_DIR "/rw"
#define DM_NODE_WAIT_MS 2000
#define LAYER_DIR_MAX sizeof(LAYERS_DIR "/4294967295")
#define INIT_DEFAULT "/sbin/init"
#define ENV_PATH_DEFAULT "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
	"/usr/bin:/sbin:/bin"
#define BOOT_FILE_MAX 8192

/* --- store ----------------------------------------------------------- */

static int store_wait(void *ctx, unsigned int ms)
{
	struct boot *b = ctx;

	pid1_sleep_until(&b->pid1, pid1_now_ms() + ms);
	return 0;
}

static int find_store(struct boot *b, const struct oci_device *dev)
{
	const char *key = oci_device_key_name(dev->key);
	struct store_config cfg;
	struct store_key sk = { dev->key, dev->value };
	static struct store_result res;
	int r;

	store_config_default(&cfg);
	cfg.wait = store_wait;
	cfg.wait_ctx = b;
	r = store_find(&cfg, &sk, &res);
	if (r == -ENOTUNIQ)
		return boot_failed(b, "store %s=%s is ambiguous: %s and %s "
				   "both match; refusing to guess", key,
				   dev->value, res.device.path,
				   res.other.path);
	if (r == -OCIBOOT_ETIMEOUT)
		return boot_failed(b, "store %s=%s not found after %u scans "
				   "of %u devices%s%s%s", key, dev->value,
				   res.scans, res.devices,
				   res.failed[0] ? " (unreadable: " : "",
				   res.failed, res.failed[0] ? ")" : "");
	if (r < 0)
		return boot_failed(b, "looking for store %s=%s: %s", key,
				   dev->value, ociboot_strerror(r));
	snprintf(b->store_device, sizeof(b->store_device), "%s",
		 res.device.path);
	log_info("store", "%s=%s is %s (%llu bytes)", key, dev->value,
		 res.device.path, (unsigned long long)res.device.size);
	return 0;
}

int stage_store(struct boot *b)
{
	const struct oci_location *loc = &b->config.oci;
	char where[OCI_LOCATION_STR_MAX];
	struct layout_error lerr;
	int r, fd;

	if (!b->config.has_oci)
		return boot_failed(b, "no oci= on the kernel command line");
	if (oci_location_format(loc, where, sizeof(where)) < 0)
		snprintf(where, sizeof(where), "(unprintable)");
	if (loc->kind != OCI_LOCATION_DEVICE)
		return boot_failed(b, "booting from %s is not implemented yet",
				   where);
	log_info("store", "looking for %s", where);
	if (find_store(b, &loc->device) < 0)
		return -1;

	r = mount_mkdir_p(VERIFIED_STORE_DIR, 0755);
	if (r < 0)
		return boot_failed(b, "mkdir %s: %s", VERIFIED_STORE_DIR,
				   strerror(-r));
	if (mount(b->store_device, VERIFIED_STORE_DIR, STORE_FSTYPE,
		  STORE_MOUNT_FLAGS, STORE_MOUNT_OPTIONS) < 0)
		return boot_failed(b, "mounting %s (%s) read-only on %s: %s",
				   b->store_device, STORE_FSTYPE,
				   VERIFIED_STORE_DIR, strerror(errno));
	fd = open(VERIFIED_STORE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return boot_failed(b, "%s: %s", VERIFIED_STORE_DIR,
				   strerror(errno));
	r = layout_open_beneath(&b->layout, fd, loc->device.path, &lerr);
	close(fd);
	if (r < 0)
		return boot_failed(b, "OCI layout %s on %s: %s: %s",
				   loc->device.path, b->store_device,
				   lerr.what, lerr.reason);
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
	static struct x509_trust_store ts;
	static struct system_scratch scratch;
	struct error verr;
	struct system_error serr;
	char msg[SYSTEM_REASON_MAX + SYSTEM_WHAT_MAX + 8];
	int r;

	x509_trust_store_init(&ts);
	r = x509_trust_store_load_dir(&ts, VERIFIED_CA_DIR, &verr);
	if (r < 0) {
		error_format(&verr, msg, sizeof(msg));
		return boot_failed(b, "CA certificates in %s: %s",
				   VERIFIED_CA_DIR, msg);
	}
	log_info("verify", "trusting %zu CA certificate(s) from %s", ts.count,
		 VERIFIED_CA_DIR);

	r = system_verify(&b->layout, &b->config.oci.ref, &ts,
			  validation_time(), NULL, &scratch, &b->plan, &serr);
	if (r < 0) {
		system_error_format(&serr, msg, sizeof(msg));
		return boot_failed(b, "verify: %s: %s",
				   system_stage_name(serr.stage), msg);
	}
	system_plan_describe(&b->plan, log_plan_line, NULL);
	log_info("verify", "signed system verified");
	return 0;
}

/* --- layers ---------------------------------------------------------- */

static void layer_dir(unsigned int i, char dir[LAYER_DIR_MAX])
{
	snprintf(dir, LAYER_DIR_MAX, "%s/%u", LAYERS_DIR, i);
}

static int setup_layer(struct boot *b, struct dm_control *dm, unsigned int i)
{
	const struct system_layer *layer = &b->plan.layers[i];
	struct loop_options lo = { 0, 0, LOOP_ATTACH_AUTOCLEAR };
	char digest[OCI_DIGEST_STRING_LEN + 1], root[SHA256_HEX_LEN + 1];
	char dev[32], name[32], node[DM_NODE_PATH_MAX], dir[LAYER_DIR_MAX];
	struct layout_error lerr;
	struct loop_device loop;
	dev_t devt;
	int fd, r;

	oci_digest_string(layer->digest, digest);
	sha256_hex(layer->root_hash, root);
	fd = layout_open_blob(&b->layout, layer->digest, layer->size, &lerr);
	if (fd < 0)
		return boot_failed(b, "layer %u: %s: %s", i, lerr.what,
				   lerr.reason);
	r = loop_attach(fd, &lo, &loop);
	close(fd);
	if (r < 0)
		return boot_failed(b, "layer %u (%s): loop device: %s", i,
				   digest, ociboot_strerror(r));

	snprintf(dev, sizeof(dev), "%u:%u", major(loop.devt),
		 minor(loop.devt));
	snprintf(name, sizeof(name), "ociboot-layer-%u", i);
	r = dm_verity_create(dm, name, dev, dev, &layer->verity,
			     layer->root_hash, 0, &devt);
	loop_release(&loop);
	if (r < 0)
		return boot_failed(b, "layer %u (%s): dm-verity with root %s: "
				   "%s", i, digest, root, ociboot_strerror(r));
	r = dm_node_wait(devt, node, DM_NODE_WAIT_MS);
	if (r < 0)
		return boot_failed(b, "layer %u (%s): device node: %s", i,
				   digest, ociboot_strerror(r));

	layer_dir(i, dir);
	r = mount_mkdir_p(dir, 0755);
	if (r == 0)
		r = mount_squashfs(node, dir);
	if (r < 0)
		return boot_failed(b, "layer %u (%s): mounting squashfs from "
				   "%s: %s", i, digest, node, strerror(-r));
	log_info("layers", "layer %u %s: %s -> %s (dm-verity root %s, "
		 "status V) on %s", i, digest, loop.path, node, root, dir);
	return 0;
}

int stage_layers(struct boot *b)
{
	static struct dm_control dm;
	int r = dm_open(&dm);

	if (r < 0)
		return boot_failed(b, "device-mapper control: %s",
				   ociboot_strerror(r));
	for (unsigned int i = 0; i < b->plan.layer_count; i++) {
		if (setup_layer(b, &dm, i) < 0) {
			dm_close(&dm);
			return -1;
		}
		b->layers_mounted = i + 1;
	}
	dm_close(&dm);
	return 0;
}

/* --- rootfs ---------------------------------------------------------- */

static int write_new_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

/* The verified system manifest, byte for byte as it was signed. */
static int hand_over_manifest(struct boot *b)
{
	static char buf[OCI_SYSTEM_MANIFEST_SIZE_MAX];
	const struct oci_descriptor *d = &b->plan.artifact.manifest;
	struct layout_error lerr;
	int r;

	r = layout_read_blob(&b->layout, d->digest, d->size, buf, sizeof(buf),
			     &lerr);
	if (r < 0)
		return boot_failed(b, "re-reading the system manifest: %s: %s",
				   lerr.what, lerr.reason);
	r = write_new_file(VERIFIED_RUN_DIR "/system.json", buf, (size_t)r);
	if (r < 0)
		return boot_failed(b, "%s/system.json: %s", VERIFIED_RUN_DIR,
				   strerror(-r));
	return 0;
}

/* What was mounted from where, as KEY=VALUE lines for the booted OS. */
static int hand_over_boot(struct boot *b)
{
	static char text[BOOT_FILE_MAX];
	const struct system_plan *p = &b->plan;
	char digest[OCI_DIGEST_STRING_LEN + 1], root[SHA256_HEX_LEN + 1];
	size_t n = 0;
	int r;

#define ADD(...) do { \
		r = snprintf(text + n, sizeof(text) - n, __VA_ARGS__); \
		if (r < 0 || (size_t)r >= sizeof(text) - n) \
			return boot_failed(b, "%s/boot: too long", \
					   VERIFIED_RUN_DIR); \
		n += (size_t)r; \
	} while (0)

	oci_digest_string(p->artifact_digest, digest);
	ADD("STORE=%s\n", b->store_device);
	ADD("SYSTEM=%s\n", digest);
	ADD("PRODUCT=%s\n", p->signer_product);
	ADD("VERSION=%llu\n", (unsigned long long)p->manifest.version);
	ADD("SIGNER=%s\n", p->signer_subject);
	oci_digest_string(p->image_digest, digest);
	ADD("ROOTFS_IMAGE=%s\n", digest);
	for (size_t i = 0; i < p->layer_count; i++) {
		oci_digest_string(p->layers[i].digest, digest);
		sha256_hex(p->layers[i].root_hash, root);
		ADD("LAYER%zu=%s %s %s/%zu\n", i, digest, root, LAYERS_DIR, i);
	}
#undef ADD
	r = write_new_file(VERIFIED_RUN_DIR "/boot", text, n);
	if (r < 0)
		return boot_failed(b, "%s/boot: %s", VERIFIED_RUN_DIR,
				   strerror(-r));
	return 0;
}

int stage_rootfs(struct boot *b)
{
	static char dirs[SYSTEM_LAYERS_MAX][LAYER_DIR_MAX];
	static const char *lowers[SYSTEM_LAYERS_MAX];
	size_t n = b->plan.layer_count;
	struct mount_overlay ov;
	int r;

	for (size_t i = 0; i < n; i++) {	/* top first */
		layer_dir((unsigned int)(n - 1 - i), dirs[i]);
		lowers[i] = dirs[i];
	}
	ov.lowers = lowers;
	ov.lower_count = n;
	ov.upper = RW_DIR "/upper";
	ov.work = RW_DIR "/work";
	r = mount_overlay_scratch(RW_DIR, 0);
	if (r < 0)
		return boot_failed(b, "tmpfs for the writable layer on %s: %s",
				   RW_DIR, strerror(-r));
	r = mount_mkdir_p(VERIFIED_NEWROOT, 0755);
	if (r == 0)
		r = mount_overlay(VERIFIED_NEWROOT, &ov, 0);
	if (r < 0)
		return boot_failed(b, "overlay of %zu layers on %s: %s", n,
				   VERIFIED_NEWROOT, strerror(-r));
	log_info("rootfs", "overlay of %zu verified layers + tmpfs on %s", n,
		 VERIFIED_NEWROOT);
	if (hand_over_manifest(b) < 0 || hand_over_boot(b) < 0)
		return -1;
	log_info("rootfs", "%s/system.json and %s/boot written",
		 VERIFIED_RUN_DIR, VERIFIED_RUN_DIR);
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
		has_path |= strncmp(envp[n], "PATH=", 5) == 0;
		n++;
	}
	if (!has_path)
		envp[n++] = (char *)ENV_PATH_DEFAULT;
	envp[n] = NULL;
}

int stage_switch_root(struct boot *b)
{
	static char *argv[2 * OCI_ARGV_MAX + 2];
	static char *envp[OCI_ENV_MAX + 2];
	int r;

	build_argv(&b->plan.config, argv, ARRAY_SIZE(argv));
	build_envp(&b->plan.config, envp, ARRAY_SIZE(envp));
	layout_close(&b->layout);
	if (b->has_tpm) {
		tpm_close(&b->tpm);
		b->has_tpm = false;
	}
	log_info("switch_root", "exec %s in the verified root", argv[0]);
	r = switch_root(VERIFIED_NEWROOT, argv, envp, &b->pid1.saved_mask,
			b->reason, sizeof(b->reason));
	if (b->reason[0] == '\0')
		return boot_failed(b, "switch_root: %s", strerror(-r));
	return -1;
}
