/* SPDX-License-Identifier: MIT */
/*
 * The services of the verified system, as two stages of init/main.c:
 *
 *   services verify  after verify: services_verify() (trust/services.h)
 *                    on every service the signed system manifest names;
 *                    a service image missing or failing a check ends the
 *                    boot with the reason, before anything is mounted
 *   services         after rootfs: every layer of every service set up as
 *                    the rootfs's are (verified_layer_setup(): loop ->
 *                    dm-verity -> squashfs, read-only) on
 *                    /run/ociboot/services/NAME/layers/N, and handed over
 *                    with its image config; then a copy of this init's
 *                    own binary as /run/ociboot/bin/ociboot-service, the
 *                    starter the booted system runs (service/cli.h)
 *
 * What a service's directory holds for the booted system (mode 0444) is
 * service/handover.h's: the service file and image-config.json, the image
 * config byte for byte as its digest in the signed chain pins it (re-read
 * by digest here).
 */
#ifndef OCIBOOT_INIT_SERVICES_H
#define OCIBOOT_INIT_SERVICES_H

#include <stdbool.h>

#include "init/verified.h"
#include "oci/oci.h"
#include "service/handover.h"
#include "trust/services.h"

#define SERVICES_BIN_DIR VERIFIED_RUN_DIR "/bin"
#define SERVICES_STARTER SERVICES_BIN_DIR "/ociboot-service"
#define SERVICES_STARTER_MODE 0555
#define SERVICES_DM_NAME_PREFIX "ociboot-service-"
/* Bytes copied at a time from /proc/self/exe. */
#define SERVICES_COPY_CHUNK 65536

/* "ociboot-service-NAME-N", with its NUL. */
#define SERVICES_DM_NAME_MAX \
	(sizeof(SERVICES_DM_NAME_PREFIX "-") + OCI_SERVICE_NAME_MAX + \
	 VERIFIED_LAYER_INDEX_DIGITS)
_Static_assert(SERVICES_DM_NAME_MAX - 1 <= DM_VERITY_NAME_MAX,
	       "a service layer's dm name is one device-mapper takes");

/* The stages' working memory, in struct boot. */
struct services_buffers {
	struct oci_config config;
	char config_blob[LAYOUT_DOCUMENT_MAX];
	char file[HANDOVER_FILE_MAX];
	char copy[SERVICES_COPY_CHUNK];
};

struct boot;

/* Whether the verified system manifest names services: else the services
 * verify stage has nothing to read. */
bool services_needed(const struct boot *b);

int stage_services_verify(struct boot *b);
int stage_services(struct boot *b);

#endif
