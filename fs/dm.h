/* SPDX-License-Identifier: MIT */
/*
 * Device-mapper through its raw ioctls on /dev/mapper/control (the
 * interface of linux/dm-ioctl.h, version 4), enough to set up a dm-verity
 * device without libdevmapper or udev:
 *
 *   DM_VERSION        dm_open(): the kernel must speak major version 4
 *   DM_DEV_CREATE     dm_create(): a named device without a table
 *   DM_TABLE_LOAD     dm_load_table(): one target, into the inactive slot
 *   DM_DEV_SUSPEND    dm_resume(): without DM_SUSPEND_FLAG it resumes,
 *                     which makes the loaded table live
 *   DM_TABLE_STATUS   dm_status(): each target's status line
 *   DM_DEV_REMOVE     dm_remove(): on failure paths
 *
 * Every ioctl is one buffer that starts with struct dm_ioctl; a table load
 * appends one struct dm_target_spec and its NUL-terminated parameter
 * string, 8-byte aligned. Requests carry interface version 4.0.0, which
 * every v4 kernel accepts (the kernel refuses a minor above its own). The
 * builders and the reply parser are pure and tested apart from the kernel;
 * the reply is untrusted input to them and is bounds-checked throughout.
 *
 * For dm-verity, dm_verity_create() does the whole sequence. The block
 * node is /dev/dm-<minor>: with no udev in the initrd nothing makes
 * /dev/mapper/NAME, and devtmpfs makes the dm-N node itself when the
 * device gets its first table (dm_node_wait() waits for it).
 *
 * Nothing here logs; nothing allocates (the caller provides struct
 * dm_control, which holds the ioctl buffer). Every fd is O_CLOEXEC.
 */
#ifndef OCIBOOT_DM_H
#define OCIBOOT_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/dm-ioctl.h>

#include "fs/verity.h"

#define DM_CONTROL_PATH "/dev/" DM_DIR "/" DM_CONTROL_NODE
/* The ioctl buffer: a header, one target and VERITY_TABLE_MAX of
 * parameters fit with room to spare, and so does any status reply we ask
 * for (one target). */
#define DM_IOCTL_BUFFER_SIZE 8192
/* "/dev/dm-" and a minor of up to 10 digits, NUL. */
#define DM_NODE_PATH_MAX 24
/* Longest status text of one target we take, NUL included. */
#define DM_STATUS_TEXT_MAX 512
/* dm_remove() retries this often while the device is busy (EBUSY). */
#define DM_REMOVE_TRIES 5
#define DM_REMOVE_RETRY_MS 20
#define DM_NODE_POLL_MS 10

/* dm_verity_create()'s uuid: prefix, 16 hex digits of the root hash, '-',
 * the name. */
#define DM_VERITY_UUID_PREFIX "OCIBOOT-VERITY-"
#define DM_VERITY_UUID_HASH_CHARS 16
/* Longest name dm_verity_create() takes: the uuid above must fit. */
#define DM_VERITY_NAME_MAX \
	(DM_UUID_LEN - 1 - (sizeof(DM_VERITY_UUID_PREFIX) - 1) - \
	 DM_VERITY_UUID_HASH_CHARS - 1)

/* An open control node and the ioctl buffer; the caller allocates it
 * (about 8 KB: static or heap in the init). Fields are private but for
 * version. */
struct dm_control {
	int fd;			/* -1 when closed */
	uint32_t version[3];	/* the kernel's interface version */
	uint64_t buf[DM_IOCTL_BUFFER_SIZE / sizeof(uint64_t)];
};

/* One target of a table, in 512-byte sectors. */
struct dm_target {
	uint64_t start;
	uint64_t length;	/* > 0 */
	const char *type;	/* "verity": 1..DM_MAX_TYPE_NAME - 1 chars */
	const char *params;	/* target parameters, printable ASCII */
};

/* One target of a DM_TABLE_STATUS reply. */
struct dm_target_status {
	uint64_t start;
	uint64_t length;
	char type[DM_MAX_TYPE_NAME];	/* NUL-terminated */
	char text[DM_STATUS_TEXT_MAX];	/* NUL-terminated status line */
};

enum dm_verity_state {
	DM_VERITY_VERIFIED,	/* "V": no corruption seen (so far) */
	DM_VERITY_CORRUPTED,	/* "C": a block failed verification */
};

/* --- pure parts ------------------------------------------------------- */

/*
 * A device name the kernel takes and a path can hold: 1..DM_NAME_LEN - 1
 * printable ASCII characters, no space or '/', not "." or "..". Returns 0,
 * -EINVAL, or -ENAMETOOLONG.
 */
int dm_name_check(const char *name);

/* A uuid: 1..DM_UUID_LEN - 1 printable ASCII characters without spaces.
 * Returns 0, -EINVAL or -ENAMETOOLONG. */
int dm_uuid_check(const char *uuid);

/*
 * Zero buf[0, size) and write a request header: version 4.0.0, data_size
 * size, data_start sizeof(struct dm_ioctl), flags, name and uuid (either
 * may be NULL for none; checked as above). buf must be 8-byte aligned and
 * size at least sizeof(struct dm_ioctl) and at most UINT32_MAX. Returns 0
 * or -EINVAL / -ENAMETOOLONG (buf untouched).
 */
int dm_ioctl_init(void *buf, size_t size, const char *name, const char *uuid,
		  uint32_t flags);

/*
 * Lay out a DM_TABLE_LOAD request for device name with the single target
 * t in buf[0, size) (8-byte aligned): the header (target_count 1, flags,
 * data_start sizeof(struct dm_ioctl)), then the target spec, then the
 * parameters and their NUL, padded with zeros to 8 bytes; data_size and
 * spec.next cover exactly that. Returns data_size; -EINVAL for a bad name,
 * type, empty or non-printable params, zero length or start + length
 * overflowing; -ENOSPC when it does not fit. buf is written only on
 * success.
 */
int dm_table_load_build(void *buf, size_t size, const char *name,
			const struct dm_target *t, uint32_t flags);

/*
 * Parse a DM_TABLE_STATUS reply, the untrusted (reply, len) the kernel
 * wrote into our buffer of len bytes: the header's data_start, data_size
 * and target_count, then each target spec (chained by next, offsets from
 * the first spec, strictly increasing and 8-byte aligned) and its
 * NUL-terminated status text, all inside [data_start, data_size) and
 * data_size <= len.
 *
 * Returns the number of targets (0 for a device without a live table) and
 * fills targets[0, count); -OCIBOOT_ETOOBIG when the kernel set
 * DM_BUFFER_FULL_FLAG, there are more than max targets, or a type or text
 * does not fit its field; -OCIBOOT_EMALFORMED for anything out of bounds,
 * unterminated or misaligned. targets is written only on success.
 */
int dm_status_parse(const void *reply, size_t len,
		    struct dm_target_status *targets, size_t max);

/*
 * The dm-verity status text (STATUSTYPE_INFO) in text[0, len): "V" or "C",
 * alone or followed by a space and more fields (kernels with forward error
 * correction counters add them). Returns 0 and sets *state, or
 * -OCIBOOT_EMALFORMED.
 */
int dm_verity_status_parse(const char *text, size_t len,
			   enum dm_verity_state *state);

/* struct dm_ioctl's dev field (the kernel's huge_encode_dev()) as dev_t. */
dev_t dm_decode_dev(uint64_t dev);

/* "/dev/dm-<minor of devt>" into path. Returns 0. */
int dm_node_path(dev_t devt, char path[DM_NODE_PATH_MAX]);

/*
 * dm_verity_create()'s uuid, "OCIBOOT-VERITY-<16 hex of root>-<name>",
 * into buf[size]. Returns its length, -EINVAL for a bad name,
 * -ENAMETOOLONG when name is over DM_VERITY_NAME_MAX, or -ENOSPC.
 */
int dm_verity_uuid(char *buf, size_t size, const char *name,
		   const uint8_t root[VERITY_DIGEST_LEN]);

/* --- talking to the kernel -------------------------------------------- */

/*
 * Open DM_CONTROL_PATH (O_RDWR | O_CLOEXEC) and ask DM_VERSION. Returns 0,
 * -ENOENT when there is no control node (dm-mod not loaded, no devtmpfs),
 * -EPROTONOSUPPORT when the kernel's major version is not 4 (dm->fd is
 * closed then), or -errno. On failure dm->fd is -1.
 */
int dm_open(struct dm_control *dm);

/* Close the control node; safe to call twice. */
void dm_close(struct dm_control *dm);

/*
 * DM_DEV_CREATE: a device called name (dm_name_check()) with uuid (NULL
 * for none). Sets *devt. Returns 0, -EINVAL / -ENAMETOOLONG, -EBUSY when
 * the name or uuid is taken, or -errno.
 */
int dm_create(struct dm_control *dm, const char *name, const char *uuid,
	      dev_t *devt);

/*
 * DM_TABLE_LOAD of the single target t into name's inactive table; with
 * read_only set the table opens its devices read-only (DM_READONLY_FLAG)
 * and the device becomes read-only when resumed. The kernel checks the
 * target's parameters here (a verity target reads its devices' sizes).
 * Returns 0, dm_table_load_build()'s errors, or -errno.
 */
int dm_load_table(struct dm_control *dm, const char *name,
		  const struct dm_target *t, bool read_only);

/*
 * DM_DEV_SUSPEND without DM_SUSPEND_FLAG: make the loaded table live.
 * Returns 0; -EROFS when want_read_only is set and the kernel does not
 * report the device read-only; -OCIBOOT_EPROTO when it reports no live
 * table; or -errno.
 */
int dm_resume(struct dm_control *dm, const char *name, bool want_read_only);

/*
 * DM_TABLE_STATUS (the status, not the table) of name's live table into
 * targets[0, max). Returns the target count or dm_status_parse()'s errors
 * or -errno.
 */
int dm_status(struct dm_control *dm, const char *name,
	      struct dm_target_status *targets, size_t max);

/*
 * DM_DEV_REMOVE, retried DM_REMOVE_TRIES times DM_REMOVE_RETRY_MS apart
 * while the kernel says EBUSY. Returns 0, -ENXIO when there is no such
 * device, or -errno.
 */
int dm_remove(struct dm_control *dm, const char *name);

/*
 * Wait up to timeout_ms for /dev/dm-<minor> to exist as the block device
 * devt, polling every DM_NODE_POLL_MS, and write its path. Returns 0,
 * -OCIBOOT_ETIMEOUT, -ENOTBLK when the path is something else, or -errno.
 */
int dm_node_wait(dev_t devt, char path[DM_NODE_PATH_MAX],
		 unsigned int timeout_ms);

/*
 * Set up a read-only dm-verity device called name over a layer blob in
 * the layout of fs/verity.h (sb parsed from the blob, root from the
 * signed manifest):
 *
 *   1. format the target with verity_dm_table(data_dev, hash_dev, sb,
 *      root, flags) -- flags are enum verity_table_flag;
 *   2. DM_DEV_CREATE name with the dm_verity_uuid();
 *   3. DM_TABLE_LOAD one "verity" target, sectors 0..verity_dm_sectors(),
 *      DM_READONLY_FLAG;
 *   4. resume, and require the device read-only;
 *   5. DM_TABLE_STATUS: one "verity" target of that length whose status
 *      is "V".
 *
 * Any failure after step 2 removes the device again. name is at most
 * DM_VERITY_NAME_MAX characters; data_dev and hash_dev as
 * verity_dm_table() takes them ("7:0" or "/dev/loop0"; the same device
 * for our single-blob layers). Sets *devt.
 *
 * Returns 0; -EINVAL / -ENAMETOOLONG / -ENOSPC for bad arguments;
 * -OCIBOOT_EVERIFY when the new target reports corruption ("C");
 * -OCIBOOT_EPROTO when the status is not the target we loaded; the errors
 * of the steps above; -errno.
 */
int dm_verity_create(struct dm_control *dm, const char *name,
		     const char *data_dev, const char *hash_dev,
		     const struct verity_superblock *sb,
		     const uint8_t root[VERITY_DIGEST_LEN], unsigned int flags,
		     dev_t *devt);

/*
 * The dm-verity state of name's live table (one verity target). Returns
 * 0 and sets *state, -OCIBOOT_EPROTO when the table is not one verity
 * target, dm_status()'s errors, or -OCIBOOT_EMALFORMED.
 */
int dm_verity_state(struct dm_control *dm, const char *name,
		    enum dm_verity_state *state);

#endif
