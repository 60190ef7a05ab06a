/* SPDX-License-Identifier: MIT */
/*
 * Verification of the service images a verified system manifest names:
 * the same checks as the rootfs image's (trust/system.h, steps 7 and 8),
 * run by the init before anything is mounted and by `ociboot verify`.
 *
 * For each service, in the manifest's order: its image manifest, found by
 * the digest the signed system manifest pins (and of the size it gives, if
 * any), parses, has at least one layer and every layer is squashfs with a
 * verity root hash; its image config is read by digest and parses
 * (Entrypoint, Cmd, Env, WorkingDir, User, Volumes); every layer blob has
 * exactly its descriptor's size and its squashfs and verity superblocks
 * agree with it (system_layer_check()). The first failure stops it: the
 * system is one signed unit, and a service that cannot be set up is a
 * system that must not boot.
 *
 * Names are unique already (oci_system_manifest_parse() refuses a name
 * given twice). The config's bytes are not kept: the init re-reads them by
 * digest when it hands them over.
 *
 * Memory: nothing here allocates or logs. struct services_plan is large
 * (about 2.2 MiB at the limits of oci/limits.h): a static in the init,
 * heap in the host tool; only the entries in use are written.
 */
#ifndef OCIBOOT_TRUST_SERVICES_H
#define OCIBOOT_TRUST_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "oci/layout.h"
#include "oci/oci.h"
#include "trust/system.h"

/* One verified service image. */
struct services_image {
	char name[OCI_SERVICE_NAME_MAX + 1];
	uint8_t image_digest[SHA256_LEN];
	int64_t image_size;
	struct oci_descriptor config_descriptor;
	size_t layer_count;			/* 1..SYSTEM_LAYERS_MAX */
	struct system_layer layers[SYSTEM_LAYERS_MAX];	/* bottom first */
};

struct services_plan {
	size_t count;				/* 0..OCI_SERVICES_MAX */
	struct services_image images[OCI_SERVICES_MAX];
};

/*
 * Verify every service of the verified system manifest m in the open
 * layout l, as above, working in scratch (clobbered) and *config (the
 * parsed config of the service under check; clobbered). Returns 0 and
 * fills *out; on failure returns system_verify()'s codes with *err filled
 * (reason: SYSTEM_STAGE_IMAGE, _CONFIG or _LAYER; what: "service NAME:
 * image sha256:...", "service NAME: config sha256:...", "service NAME:
 * layer 1 sha256:...") and out->count 0.
 */
int services_verify(const struct layout *l,
		    const struct oci_system_manifest *m,
		    struct system_scratch *scratch, struct oci_config *config,
		    struct services_plan *out, struct error *err);

/*
 * Describe a verified services plan, one line a service ("service NAME:
 * image sha256:..., config sha256:..., N layers") then one a layer
 * ("service NAME: layer I sha256:... SIZE bytes, root hash HEX"), to fn.
 */
void services_plan_describe(const struct services_plan *plan,
			    system_line_fn fn, void *ctx);

#endif
