/* SPDX-License-Identifier: MIT */
/*
 * For the tests and fuzzers that feed the layer builder: file content from
 * memory, as a struct layer_entry's read callback.
 */
#ifndef OCIBOOT_LAYER_FIXTURE_H
#define OCIBOOT_LAYER_FIXTURE_H

#include <stddef.h>
#include <sys/types.h>

/* len bytes at data, read from pos on; the caller owns data. */
struct layer_mem_reader {
	const void *data;
	size_t len, pos;
};

/*
 * A layer_entry read callback over a struct layer_mem_reader (ctx): up to
 * len bytes into buf, 0 at the end.
 */
ssize_t layer_mem_read(void *ctx, void *buf, size_t len);

#endif
