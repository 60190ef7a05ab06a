/* SPDX-License-Identifier: MIT */
/*
 * The verified boot from a local store, as stages of init/main.c. Each
 * returns 0, or boot_failed()'s -1 with the reason in b->reason.
 *
 *   store        find the block device oci= names (LABEL=, PARTLABEL=,
 *                UUID=, PARTUUID=), load its filesystem's modules
 *                (ext4 or erofs, init/storefs.h), mount it read-only on
 *                /run/ociboot/store, open the OCI layout beneath it
 *   verify       system_verify() against the CAs in /etc/ociboot/ca, and
 *                log every step it checked
 *   layers       each layer, bottom first: read-only loop device,
 *                dm-verity target by raw ioctl, squashfs mounted from the
 *                dm device on /run/ociboot/layers/N
 *   rootfs       overlay of the layers with a fresh tmpfs upper on
 *                /sysroot; /run/ociboot/system.json and /run/ociboot/boot
 *                tell the booted system what it runs from
 *   switch_root  exec the image config's Entrypoint + Cmd (or /sbin/init)
 *                as the new PID 1's program
 *
 * Everything the stages do to the machine (find and mount the store, loop
 * and device-mapper devices, mounts, the files handed over, the final
 * exec) goes through the table b->ops, verified_ops_default in the init;
 * a test passes fakes that record the calls. Their working memory is
 * b->verified, allocated with struct boot: the stages keep no statics.
 */
#ifndef OCIBOOT_INIT_VERIFIED_H
#define OCIBOOT_INIT_VERIFIED_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crypto/x509.h"
#include "fs/dm.h"
#include "fs/loop.h"
#include "fs/mount.h"
#include "fs/store.h"
#include "init/modload.h"
#include "lib/error.h"
#include "oci/limits.h"
#include "oci/oci.h"
#include "service/handover.h"
#include "trust/system.h"

#define VERIFIED_CA_DIR "/etc/ociboot/ca"
#define VERIFIED_RUN_DIR "/run/ociboot"
#define VERIFIED_STORE_DIR VERIFIED_RUN_DIR "/store"
#define VERIFIED_LAYERS_DIR VERIFIED_RUN_DIR "/layers"
#define VERIFIED_RW_DIR VERIFIED_RUN_DIR "/rw"
/* The read-only userxattr overlay of the layers (two or more). */
#define VERIFIED_LOWER_DIR VERIFIED_RUN_DIR "/lower"
#define VERIFIED_NEWROOT "/sysroot"
/* The files handed to the booted system, and their permission bits. */
#define VERIFIED_SYSTEM_FILE VERIFIED_RUN_DIR "/system.json"
#define VERIFIED_BOOT_FILE VERIFIED_RUN_DIR "/boot"
#define VERIFIED_FILE_MODE 0444
#define VERIFIED_DM_NAME_PREFIX "ociboot-layer-"

/*
 * The text built from a verified plan, sized from the product limits
 * (oci/limits.h) so that at the limits it always fits: "too long" can only
 * mean a plan over them, never a product the host tool made.
 */
/* Decimal digits of the highest layer index, SYSTEM_LAYERS_MAX - 1. */
#define VERIFIED_LAYER_INDEX_DIGITS LIMIT_DIGITS(SYSTEM_LAYERS_MAX - 1)
/* "/run/ociboot/layers/N" for any layer index N, with its NUL. */
#define VERIFIED_LAYER_DIR_MAX \
	(sizeof(VERIFIED_LAYERS_DIR "/") + VERIFIED_LAYER_INDEX_DIGITS)
/* "ociboot-layer-N", the dm-verity device of layer N, with its NUL. */
#define VERIFIED_DM_NAME_MAX \
	(sizeof(VERIFIED_DM_NAME_PREFIX) + VERIFIED_LAYER_INDEX_DIGITS)
#define VERIFIED_DEV_MAX 32	/* "MAJOR:MINOR" */
/*
 * A layer as messages name it: "layer N" for the rootfs's, "service NAME
 * layer N" for a service's (init/services.h), with its NUL.
 */
#define VERIFIED_LAYER_LABEL_MAX \
	(sizeof("service  layer ") + OCI_SERVICE_NAME_MAX + \
	 VERIFIED_LAYER_INDEX_DIGITS)
/* "/run/ociboot/services/NAME/layers/N", with its NUL. */
#define VERIFIED_SERVICE_LAYER_DIR_MAX HANDOVER_LAYER_DIR_MAX

/* VERIFIED_BOOT_FILE: its lines before the layers, each at its longest. */
#define VERIFIED_BOOT_HEADER_MAX \
	(sizeof("STORE=\n") - 1 + STORE_PATH_MAX + \
	 sizeof("SYSTEM=\n") - 1 + OCI_DIGEST_STRING_LEN + \
	 sizeof("PRODUCT=\n") - 1 + DN_UUID_LEN + \
	 sizeof("VERSION=\n") - 1 + sizeof("18446744073709551615") - 1 + \
	 sizeof("SIGNER=\n") - 1 + SYSTEM_NAME_MAX - 1 + \
	 sizeof("ROOTFS_IMAGE=\n") - 1 + OCI_DIGEST_STRING_LEN)
/* "LAYERn=sha256:DIGEST ROOTHASH /run/ociboot/layers/n\n" */
#define VERIFIED_BOOT_LAYER_LINE_MAX \
	(sizeof("LAYER=") - 1 + VERIFIED_LAYER_INDEX_DIGITS + \
	 OCI_DIGEST_STRING_LEN + 1 + 2 * VERITY_DIGEST_LEN + 1 + \
	 VERIFIED_LAYER_DIR_MAX - 1 + 1)
/* The whole file with SYSTEM_LAYERS_MAX layers, and its NUL. */
#define VERIFIED_BOOT_FILE_WORST \
	(VERIFIED_BOOT_HEADER_MAX + \
	 SYSTEM_LAYERS_MAX * VERIFIED_BOOT_LAYER_LINE_MAX + 1)
#define VERIFIED_BOOT_FILE_MAX OCI_BOOT_FILE_SIZE_MAX
_Static_assert(VERIFIED_BOOT_FILE_WORST <= VERIFIED_BOOT_FILE_MAX,
	       "/run/ociboot/boot holds a plan at the limits");

/*
 * The overlay options of stage_rootfs() at the limits: "lowerdir=" and
 * SYSTEM_LAYERS_MAX layer directories with their ':' (one too many,
 * counted), upper and work directories, the fixed options and the NUL.
 * mount(2) copies one page of them.
 */
#define VERIFIED_OVERLAY_OPTIONS_WORST \
	(sizeof("lowerdir=") - 1 + \
	 SYSTEM_LAYERS_MAX * (VERIFIED_LAYER_DIR_MAX - 1 + 1) + \
	 sizeof(",userxattr,upperdir=" VERIFIED_RW_DIR "/" MOUNT_UPPER_DIR \
		",workdir=" VERIFIED_RW_DIR "/" MOUNT_WORK_DIR \
		"," MOUNT_OVERLAY_FIXED_OPTIONS))
_Static_assert(SYSTEM_LAYERS_MAX <= MOUNT_LOWER_MAX,
	       "one overlay stacks every layer of an image");
_Static_assert(VERIFIED_OVERLAY_OPTIONS_WORST <= MOUNT_OPTIONS_MAX,
	       "the overlay options at the limits fit one page");
_Static_assert(VERIFIED_DM_NAME_MAX - 1 <= DM_VERITY_NAME_MAX,
	       "a layer's dm name is one device-mapper takes");

struct boot;

/*
 * What the stages do to the machine. Each has the contract of the function
 * named in verified_ops_default; mount() and write_new() return 0 or
 * -errno, switch_root() returns only on failure, with *err filled. The
 * store is opened with open_dir() (O_RDONLY | O_DIRECTORY | O_CLOEXEC: an
 * fd, or -errno) and, before switch_root, detached with umount()
 * (umount2(2): 0 or -errno).
 */
struct verified_ops {
	int (*store_find)(const struct store_config *cfg,
			  const struct store_key *key,
			  struct store_result *res);
	int (*store_check)(const char *path, const char **fs_type,
			   struct error *err);
	/* modload_list() (init/modload.h): a store filesystem's modules */
	int (*load_modules)(const char *path, char *buf, size_t size,
			    const struct modload_options *opt,
			    struct modload_result *res, struct error *err);
	int (*mount)(const char *source, const char *target,
		     const char *fstype, unsigned long flags,
		     const char *data);
	int (*mkdir_p)(const char *path, mode_t mode);
	int (*open_dir)(const char *path);
	int (*loop_attach)(int backing_fd, const struct loop_options *opt,
			   struct loop_device *loop);
	void (*loop_release)(struct loop_device *loop);
	int (*dm_open)(struct dm_control *dm);
	void (*dm_close)(struct dm_control *dm);
	int (*dm_verity_create)(struct dm_control *dm, const char *name,
				const char *data_dev, const char *hash_dev,
				const struct verity_superblock *sb,
				const uint8_t root[VERITY_DIGEST_LEN],
				unsigned int flags, dev_t *devt);
	int (*dm_node_wait)(dev_t devt, char path[DM_NODE_PATH_MAX],
			    unsigned int timeout_ms);
	int (*mount_squashfs)(const char *device, const char *target);
	int (*mount_overlay_scratch)(const char *dir, uint64_t size_bytes);
	int (*mount_overlay)(const char *target,
			     const struct mount_overlay *ov,
			     unsigned long flags);
	int (*write_new)(int dir_fd, const char *path, const void *data,
			 size_t len, mode_t mode);
	int (*umount)(const char *target, int flags);
	int (*switch_root)(const char *newroot, const char *workdir,
			   char *const argv[], char *const envp[],
			   const sigset_t *exec_mask, struct error *err);
};

/* store_find, mount(2), mount_mkdir_p, open(2), loop_attach, ... */
extern const struct verified_ops verified_ops_default;

/* The stages' working memory, sized by the maxima it holds. */
struct verified_buffers {
	struct store_result store;
	struct x509_trust_store trust;
	struct system_scratch scratch;
	struct dm_control dm;
	char boot_file[VERIFIED_BOOT_FILE_MAX];
	char layer_dirs[SYSTEM_LAYERS_MAX][VERIFIED_LAYER_DIR_MAX];
	const char *lowers[SYSTEM_LAYERS_MAX];	/* top first */
	char *argv[2 * OCI_ARGV_MAX + 2];
	char *envp[OCI_ENV_MAX + 2];
};

/*
 * One layer to set up: the verified layer, its name in messages, its
 * device-mapper name and the directory its squashfs is mounted on.
 */
struct verified_layer {
	const struct system_layer *layer;
	const char *label;	/* < VERIFIED_LAYER_LABEL_MAX bytes */
	const char *dm_name;	/* <= DM_VERITY_NAME_MAX bytes */
	const char *dir;	/* < VERIFIED_SERVICE_LAYER_DIR_MAX bytes */
};

/*
 * Set up one verified layer read-only, as stage_layers() does each of the
 * rootfs's: a read-only loop device over its blob in b->layout, a
 * dm-verity target named v->dm_name with the layer's root hash (on
 * b->verified.dm, which the caller has opened), its squashfs mounted from
 * the dm device on v->dir (created). Logs one line under stage. Returns 0
 * or boot_failed()'s -1.
 */
int verified_layer_setup(struct boot *b, const char *stage,
			 const struct verified_layer *v);

int stage_store(struct boot *b);
int stage_verify(struct boot *b);
int stage_layers(struct boot *b);
int stage_rootfs(struct boot *b);
int stage_switch_root(struct boot *b);

#endif
