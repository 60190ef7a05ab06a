/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the service file parser: a refusal says why and leaves nothing;
 * an accepted file has a valid name and 1 to OCI_LAYERS_MAX layers, each
 * in the service's own layer directory.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "service/handover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct handover h;
	char dir[HANDOVER_LAYER_DIR_MAX];
	struct error err;
	int r = handover_parse((const char *)data, size, &h, &err);

	if (r < 0) {
		if (err.code != r || !err.why[0] || h.layer_count || h.name[0])
			__builtin_trap();
		return 0;
	}
	if (!handover_name_valid(h.name) || h.layer_count == 0 ||
	    h.layer_count > OCI_LAYERS_MAX)
		__builtin_trap();
	for (size_t i = 0; i < h.layer_count; i++) {
		handover_layer_dir(h.name, i, dir);
		if (strcmp(dir, h.layers[i].dir) != 0)
			__builtin_trap();
	}
	return 0;
}
