/* SPDX-License-Identifier: MIT */
/*
 * What the init hands the booted system for each service, and where: the
 * one definition of the paths that init/services.c writes and the starter
 * (service/service.h) reads.
 *
 *   /run/ociboot/services/NAME/service            KEY=VALUE lines
 *   /run/ociboot/services/NAME/image-config.json  the verified config
 *   /run/ociboot/services/NAME/layers/N           layer N, read-only
 *
 * The service file (written only by the init, mode 0444):
 *   NAME=web
 *   IMAGE=sha256:<image manifest digest>
 *   CONFIG=sha256:<image config digest>
 *   LAYERS=2
 *   LAYER0=sha256:<digest> <root hash> <DIR>/layers/0
 *   LAYER1=...
 * where DIR is /run/ociboot/services/web. Lines in that order; nothing
 * else. Each layer's directory must be exactly handover_layer_dir()'s, so
 * the starter mounts nothing else. handover_parse() reads it from
 * (buf, len) and allocates nothing.
 */
#ifndef OCIBOOT_SERVICE_HANDOVER_H
#define OCIBOOT_SERVICE_HANDOVER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "lib/error.h"
#include "oci/limits.h"
#include "oci/oci.h"

#define HANDOVER_RUN_DIR "/run/ociboot"
#define HANDOVER_SERVICES_DIR HANDOVER_RUN_DIR "/services"
#define HANDOVER_FILE "service"
#define HANDOVER_CONFIG_FILE "image-config.json"
#define HANDOVER_LAYERS_DIR "layers"

/* Decimal digits of the highest layer index. */
#define HANDOVER_LAYER_INDEX_DIGITS LIMIT_DIGITS(OCI_LAYERS_MAX - 1)
/* "/run/ociboot/services/NAME", with its NUL. */
#define HANDOVER_DIR_MAX \
	(sizeof(HANDOVER_SERVICES_DIR "/") + OCI_SERVICE_NAME_MAX)
/* "/run/ociboot/services/NAME/layers/N", with its NUL. */
#define HANDOVER_LAYER_DIR_MAX \
	(HANDOVER_DIR_MAX + sizeof("/" HANDOVER_LAYERS_DIR "/") - 1 + \
	 HANDOVER_LAYER_INDEX_DIGITS)
/* "/run/ociboot/services/NAME/image-config.json", with its NUL. */
#define HANDOVER_PATH_MAX \
	(HANDOVER_DIR_MAX + sizeof("/" HANDOVER_CONFIG_FILE) - 1)

/* The service file at the limits: its header, one line a layer, NUL. */
#define HANDOVER_HEADER_MAX \
	(sizeof("NAME=\nIMAGE=\nCONFIG=\nLAYERS=\n") + OCI_SERVICE_NAME_MAX + \
	 2 * OCI_DIGEST_STRING_LEN + HANDOVER_LAYER_INDEX_DIGITS)
#define HANDOVER_LAYER_LINE_MAX \
	(sizeof("LAYER=  \n") + HANDOVER_LAYER_INDEX_DIGITS + \
	 OCI_DIGEST_STRING_LEN + 2 * SHA256_LEN + HANDOVER_LAYER_DIR_MAX)
#define HANDOVER_FILE_MAX \
	(HANDOVER_HEADER_MAX + OCI_LAYERS_MAX * HANDOVER_LAYER_LINE_MAX + 1)

struct handover {
	char name[OCI_SERVICE_NAME_MAX + 1];
	uint8_t image_digest[SHA256_LEN];
	uint8_t config_digest[SHA256_LEN];
	size_t layer_count;			/* 1..OCI_LAYERS_MAX */
	struct {
		uint8_t digest[SHA256_LEN];
		uint8_t root_hash[SHA256_LEN];
		char dir[HANDOVER_LAYER_DIR_MAX];
	} layers[OCI_LAYERS_MAX];		/* bottom first */
};

/* "/run/ociboot/services/NAME" of a valid service name into dir. */
void handover_dir(const char *name, char dir[HANDOVER_DIR_MAX]);

/* "/run/ociboot/services/NAME/layers/I" (I < OCI_LAYERS_MAX) into dir. */
void handover_layer_dir(const char *name, size_t i,
			char dir[HANDOVER_LAYER_DIR_MAX]);

/* True when name is a service name (docs/formats.md: 1 to 63 of
 * a-z 0-9 . _ -, starting and ending with a letter or digit). */
bool handover_name_valid(const char *name);

/*
 * Parse a service file from buf[0..len). Returns 0 and fills *out, or
 * -OCIBOOT_EMALFORMED / -OCIBOOT_ETOOBIG with *err saying which line and
 * why; *out is cleared on failure.
 */
int handover_parse(const char *buf, size_t len, struct handover *out,
		   struct error *err);

#endif
