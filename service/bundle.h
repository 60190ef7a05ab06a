/* SPDX-License-Identifier: MIT */
/*
 * The OCI runtime bundle's config.json for a service (runtime-spec 1.0.2,
 * config.md and config-linux.md), from its verified image config:
 *
 *   ociVersion         "1.0.2"
 *   root               {"path": "rootfs", "readonly": false}: the fresh
 *                      overlay of the service's layers; writable, since
 *                      its upper directory is new at every start
 *   process            terminal false; user: the config's User resolved
 *                      (service/user.h); args: Entrypoint then Cmd; env:
 *                      Env, with PATH added when it has none (as Docker
 *                      and `crun spec` give it); cwd: WorkingDir, or "/";
 *                      capabilities: `crun spec`'s set (CAP_AUDIT_WRITE,
 *                      CAP_KILL, CAP_NET_BIND_SERVICE) in bounding,
 *                      effective, permitted and ambient, inheritable
 *                      empty; RLIMIT_NOFILE 1024; noNewPrivileges
 *   hostname           the service's name
 *   mounts             `crun spec`'s (/proc, /dev, /dev/pts, /dev/shm,
 *                      /dev/mqueue, /sys read-only, /sys/fs/cgroup
 *                      read-only), then one bind mount a volume
 *   linux.namespaces   pid, ipc, uts, mount; network only when asked for:
 *                      by default a service shares the system's network,
 *                      as a systemd service does
 *   linux.cgroupsPath  "/ociboot/NAME"
 *   linux.resources    every device denied (the runtime's default nodes
 *                      are still made)
 *   linux.maskedPaths, linux.readonlyPaths   `crun spec`'s
 *
 * Nothing here logs; bundle_config_json() allocates its output (oci/jsonw).
 */
#ifndef OCIBOOT_SERVICE_BUNDLE_H
#define OCIBOOT_SERVICE_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "oci/oci.h"

#define BUNDLE_OCI_VERSION "1.0.2"
#define BUNDLE_ROOTFS "rootfs"
#define BUNDLE_CONFIG "config.json"
#define BUNDLE_CGROUP_PARENT "/ociboot"
#define BUNDLE_NOFILE 1024
#define BUNDLE_PATH_DEFAULT "PATH=/usr/local/sbin:/usr/local/bin:" \
	"/usr/sbin:/usr/bin:/sbin:/bin"

/* What a service's config.json is made of. */
struct bundle_spec {
	const char *name;		/* a service name: hostname, cgroup */
	const struct oci_config *config;	/* the verified image config */
	uint32_t uid, gid;		/* User, resolved */
	/* The host directory of each of config's volumes, in its order. */
	const char *const *volume_sources;
	bool own_network;		/* a network namespace of its own */
};

/* The capability set every service gets (`crun spec`'s). */
extern const char *const bundle_capabilities[];
extern const size_t bundle_capability_count;
/* The paths masked and made read-only (`crun spec`'s). */
extern const char *const bundle_masked_paths[];
extern const size_t bundle_masked_path_count;
extern const char *const bundle_readonly_paths[];
extern const size_t bundle_readonly_path_count;

/*
 * Write the config.json of spec as above. Returns 0 and hands the text
 * to the caller (*out, NUL-terminated, to free(); *len bytes), or:
 *   -EINVAL   no Entrypoint and no Cmd (nothing to run), a WorkingDir or
 *             volume that is not an absolute path, a volume without its
 *             source;
 *   -EILSEQ   a string that is not UTF-8;
 *   -ENOMEM, -OCIBOOT_ETOOBIG  from the writer;
 * with *err saying which.
 */
int bundle_config_json(const struct bundle_spec *spec, char **out,
		       size_t *len, struct error *err);

#endif
