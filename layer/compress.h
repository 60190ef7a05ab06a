/* SPDX-License-Identifier: MIT */
/*
 * The compressor of a layer's data blocks: libsquashfs's own zstd
 * compressor at LAYER_ZSTD_LEVEL, behind two ways of not running it when
 * its work can be known without it (docs/layers.md, "Compressing"):
 *
 *  - reuse: the result for a full block (block_size bytes) is kept in a
 *    table shared by every copy of the compressor, keyed by the block's
 *    SHA-256; the same bytes again, in any file and on any worker, get the
 *    same result without compressing. It is byte for byte what the zstd
 *    compressor gives, and libsquashfs's block writer then stores the
 *    block once, as it would have;
 *  - incompressible data: a block whose byte values are spread flat (no
 *    value more than LAYER_FLAT_SKEW times as frequent as in uniform
 *    data: compressed, encrypted or random bytes) is first tried at zstd
 *    level LAYER_PROBE_LEVEL, which runs at memory speed on such data.
 *    When that saves less than 1 / LAYER_PROBE_GAIN of the block, the
 *    block is stored as it is (do_block returns 0, as zstd does for a
 *    result no smaller than its input). Here the image may differ from
 *    the zstd compressor's: a block that level could have shrunk a
 *    little is stored whole.
 *
 * The object is an sqfs_compressor_t: the block processor copies it for
 * each worker (sqfs_copy), and the copies share the table. Compressing
 * only: it has no options to write and uncompresses nothing.
 */
#ifndef OCIBOOT_LAYER_COMPRESS_H
#define OCIBOOT_LAYER_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include <sqfs/compressor.h>

#include "layer/layer.h"	/* struct layer_compress_stats */

#define LAYER_FLAT_SKEW 4
#define LAYER_PROBE_LEVEL 1
#define LAYER_PROBE_GAIN 128
/* Compressed bytes the reuse table keeps, at most; then it stops growing. */
#define LAYER_REUSE_MAX ((uint64_t)256 << 20)

/*
 * A compressor of blocks of at most block_size bytes at zstd level level,
 * whose reuse table keeps at most reuse_max compressed bytes (0: no
 * table). Returns 0, -EINVAL or -ENOMEM.
 */
int layer_compressor_create(unsigned int level, size_t block_size,
			    uint64_t reuse_max, sqfs_compressor_t **out);

/* The counts of cmp and all its copies so far. */
void layer_compressor_stats(const sqfs_compressor_t *cmp,
			    struct layer_compress_stats *stats);

#endif
