/* SPDX-License-Identifier: MIT */
/*
 * The initrd of kernel.efi: a reproducible newc cpio archive (see cpio.h),
 * optionally zstd-compressed, holding
 *   /init                          the given binary, 0755
 *   /dev/console                   char 5:1, 0600
 *   /dev /proc /sys /run /sysroot /etc/ociboot   directories, 0755
 *   /lib/modules/KVER/PATH         each module to load, PATH as in
 *                                  modules.dep, KVER = basename of the
 *                                  modules directory, 0644
 *   /etc/ociboot/modules           absolute in-initrd paths of those
 *                                  modules, one a line, in load order
 *                                  (always present, empty without modules),
 *                                  less those of the lists below
 *   /etc/ociboot/modules.d/NAME    for each store filesystem module named
 *                                  (ext4, erofs), for efivarfs (which the
 *                                  init loads only when the kernel does
 *                                  not say Secure Boot is on, to tell
 *                                  why), and for the layers' modules
 *                                  named (NAME "layers": loop, squashfs,
 *                                  dm-verity, overlay): the same for the
 *                                  modules only they need -- for the
 *                                  filesystems crc32c_generic (the CRC32C
 *                                  they ask the kernel for by alias,
 *                                  which modules.dep does not list) --,
 *                                  their dependencies and themselves,
 *                                  less what /etc/ociboot/modules loads;
 *                                  the init loads a store filesystem's
 *                                  right before mounting a store of it,
 *                                  and the layers' beside the stages that
 *                                  find the store and verify the system
 *   /etc/ociboot/ca/NAME.pem       each CA file, checked to hold only PEM
 *                                  X.509 certificates and written back as
 *                                  their canonical PEM; NAME is the file's
 *                                  base name less a .pem/.crt/.cer suffix
 *   /etc/ociboot/tls/NAME.pem      the same for each TLS CA file: the
 *                                  anchors of https registries, a set of
 *                                  their own (never manifest signers)
 */
#ifndef OCIBOOT_UKIFY_INITRD_H
#define OCIBOOT_UKIFY_INITRD_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define INITRD_MODULES_MAX 512		/* modules in load order */
#define INITRD_CAS_MAX 64		/* --ca files */
#define INITRD_CA_NAME_MAX 64		/* bytes of NAME in NAME.pem */
#define INITRD_KVER_MAX 64		/* bytes of the kernel release */
#define INITRD_INIT_MAX (64u << 20)	/* bytes of /init */
#define INITRD_MODULE_MAX (64u << 20)	/* bytes of one module file */
#define INITRD_CA_MAX (1u << 20)	/* bytes of one CA file */
#define INITRD_ZSTD_LEVEL 19		/* fixed, so output is reproducible */

enum initrd_compression {
	INITRD_COMPRESS_NONE,
	INITRD_COMPRESS_ZSTD,
};

struct initrd_options {
	const char *init;		/* path of the binary for /init */
	const char *modules_dir;	/* /lib/modules/KVER, or NULL */
	const char *const *modules;	/* names to resolve, module_count */
	size_t module_count;
	const char *const *cas;		/* CA file paths, ca_count */
	size_t ca_count;
	const char *const *tls_cas;	/* TLS CA file paths, tls_ca_count */
	size_t tls_ca_count;
	enum initrd_compression compression;
	uint32_t mtime;			/* of every entry */
	/*
	 * Host-only: also the drivers of this machine, found under this
	 * sysfs ("/sys") by modsets_host() (ukify/modsets.h); NULL: not.
	 */
	const char *host_sysfs;
	/*
	 * Told what was resolved (NULL: not wanted): "host-only" with the
	 * host's module names, then "load order" with every module's name
	 * in the order the init loads them, then "NAME list" with each list
	 * of its own (modules.d/NAME). names live during the call.
	 */
	void (*report)(void *ctx, const char *what, const char *const *names,
		       size_t count);
	void *report_ctx;
};

/*
 * Build the initrd into a new malloc'd buffer *out (*out_len bytes, owned
 * by the caller). Returns 0 or a negative error: -errno from reading a
 * file, -ENOENT for an unknown module, -ELOOP for a dependency cycle,
 * -OCIBOOT_EMALFORMED for a bad modules.dep or CA file, -OCIBOOT_ETOOBIG
 * over a cap, -EINVAL for bad options. On failure err (NULL: not
 * wanted) names what failed in its why, e.g. "module 'foo' is not in
 * /lib/modules/6.1.0/modules.dep"; error_format() adds the error's text.
 */
int initrd_build(const struct initrd_options *o, uint8_t **out,
		 size_t *out_len, struct error *err);

/*
 * The kernel release a modules directory is for: its base name, trailing
 * slashes ignored, into kver (INITRD_KVER_MAX + 1 bytes). Returns 0 or
 * -EINVAL when that is empty, ".", "..", too long or not printable.
 */
int initrd_kver(const char *modules_dir, char kver[INITRD_KVER_MAX + 1]);

#endif
