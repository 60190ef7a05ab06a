/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the layer's data compressor (layer/compress.h), on
 * the untrusted file content it is given: a differential test against
 * libsquashfs's own zstd compressor at the same level. Blocks are 4096
 * bytes (squashfs's least block size), so that inputs fill whole blocks
 * and reach the reuse table and the probe. For each input:
 *   - the compressor with its table (kept across inputs) gives exactly
 *     what a fresh one without a table gives;
 *   - that equals the reference's result, unless the probe stored the
 *     block whole (result 0, counted as incompressible);
 *   - a compressed result is smaller than the block and uncompresses to
 *     it.
 * An odd first byte tiles the rest of the input over a whole block, so
 * that repeats and flat bytes come often.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/compressor.h>

#include "layer/compress.h"
#include "layer/layer.h"

#define FUZZ_BLOCK 4096
#define FUZZ_REUSE_MAX (1u << 20)

/* Kept across inputs; fresh has no table, so keeps nothing from one. */
static sqfs_compressor_t *kept, *fresh, *ref, *uncmp;

static sqfs_compressor_t *zstd(bool uncompress)
{
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp;

	if (sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD, FUZZ_BLOCK, 0))
		abort();
	cfg.level = LAYER_ZSTD_LEVEL;
	if (uncompress)
		cfg.flags |= SQFS_COMP_FLAG_UNCOMPRESS;
	if (sqfs_compressor_create(&cfg, &cmp))
		abort();
	return cmp;
}

static sqfs_compressor_t *ours(uint64_t reuse_max)
{
	sqfs_compressor_t *cmp;

	if (layer_compressor_create(LAYER_ZSTD_LEVEL, FUZZ_BLOCK, reuse_max,
				    &cmp))
		abort();
	return cmp;
}

/* The block: the input, or (odd first byte) the rest of it tiled. */
static size_t make_block(const uint8_t *data, size_t size, uint8_t *block)
{
	if (size >= 2 && data[0] % 2) {
		for (size_t i = 0; i < FUZZ_BLOCK; i++)
			block[i] = data[1 + i % (size - 1)];
		return FUZZ_BLOCK;
	}
	size = size < FUZZ_BLOCK ? size : FUZZ_BLOCK;
	memcpy(block, data, size);
	return size;
}

static sqfs_s32 run(sqfs_compressor_t *cmp, const uint8_t *in, size_t size,
		    uint8_t *out)
{
	return cmp->do_block(cmp, in, (sqfs_u32)size, out, FUZZ_BLOCK);
}

/* A compressed result is smaller and uncompresses to the block. */
static void check_round_trip(const uint8_t *block, size_t size,
			     const uint8_t *out, sqfs_s32 r)
{
	uint8_t back[FUZZ_BLOCK];

	if (r == 0)
		return;
	if ((size_t)r >= size ||
	    uncmp->do_block(uncmp, out, (sqfs_u32)r, back, sizeof(back)) !=
	    (sqfs_s32)size || memcmp(back, block, size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t block[FUZZ_BLOCK], a[FUZZ_BLOCK], b[FUZZ_BLOCK],
		       c[FUZZ_BLOCK];
	struct layer_compress_stats before, after;
	sqfs_s32 ra, rb, rc;
	size_t n;

	if (!kept) {
		kept = ours(FUZZ_REUSE_MAX);
		fresh = ours(0);
		ref = zstd(false);
		uncmp = zstd(true);
	}
	n = make_block(data, size, block);
	ra = run(kept, block, n, a);
	layer_compressor_stats(fresh, &before);
	rb = run(fresh, block, n, b);
	layer_compressor_stats(fresh, &after);
	rc = run(ref, block, n, c);
	if (ra < 0 || rb < 0 || rc < 0 || ra != rb || memcmp(a, b, (size_t)ra))
		abort();
	if (rb != rc || memcmp(b, c, (size_t)rb)) {
		/* Only the probe may differ, and only by storing it whole. */
		if (rb != 0 || after.incompressible != before.incompressible + 1)
			abort();
	}
	check_round_trip(block, n, a, ra);
	return 0;
}
