/* SPDX-License-Identifier: MIT */
/*
 * Tests of layer/compress.c against libsquashfs's own zstd compressor at
 * the same level, the reference: every block the probe lets through, and
 * every reused result, must be byte for byte what the reference gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/compressor.h>
#include <zlib.h>

#include "layer/compress.h"
#include "layer/layer.h"

#define BLOCK LAYER_BLOCK_SIZE
#define THREAD_BLOCKS 6
#define SMALL_BLOCK 4096	/* squashfs's least block size */

/* --- data ----------------------------------------------------------------- */

/* A block's worth of memory, or the test fails. */
static uint8_t *block_new(void)
{
	uint8_t *p = malloc(BLOCK);

	assert_non_null(p);
	return p;
}

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

static void fill_random(uint8_t *p, size_t n, uint64_t seed)
{
	rng_state = seed;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

/* Words drawn at random from a small list: text zstd shrinks well. */
static void fill_text(uint8_t *p, size_t n, uint64_t seed)
{
	static const char *const words[] = {
		"layer ", "block ", "verity ", "squashfs ", "overlay ",
		"the ", "of ", "a ", "root\n", "hash ", "tree ", "image ",
	};
	size_t i = 0;

	rng_state = seed;
	while (i < n) {
		const char *w = words[rng() % (sizeof(words) / sizeof(*words))];

		for (; *w && i < n; w++)
			p[i++] = (uint8_t)*w;
	}
}

/* Text through deflate: flat bytes that zstd can barely touch. */
static void fill_deflated(uint8_t *p, size_t n, uint64_t seed)
{
	size_t text_len = n * 4;
	uint8_t *text = malloc(text_len), *z;
	uLongf zlen = compressBound(text_len);

	assert_non_null(text);
	z = malloc(zlen);
	assert_non_null(z);
	fill_random(text, text_len, seed);
	for (size_t i = 0; i < text_len; i++)
		text[i] = (uint8_t)('a' + text[i] % 26);
	assert_int_equal(compress2(z, &zlen, text, text_len, 9), Z_OK);
	assert_true(zlen >= n);
	memcpy(p, z, n);
	free(z);
	free(text);
}

/* --- helpers -------------------------------------------------------------- */

static sqfs_compressor_t *reference(void)
{
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp;

	assert_int_equal(sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD,
						     BLOCK, 0), 0);
	cfg.level = LAYER_ZSTD_LEVEL;
	assert_int_equal(sqfs_compressor_create(&cfg, &cmp), 0);
	return cmp;
}

static sqfs_compressor_t *ours(uint64_t reuse_max)
{
	sqfs_compressor_t *cmp = NULL;

	assert_int_equal(layer_compressor_create(LAYER_ZSTD_LEVEL, BLOCK,
						 reuse_max, &cmp), 0);
	assert_non_null(cmp);
	return cmp;
}

/* Compress size bytes with cmp into out (BLOCK bytes): the result. */
static sqfs_s32 run(sqfs_compressor_t *cmp, const uint8_t *in, size_t size,
		    uint8_t *out)
{
	return cmp->do_block(cmp, in, (sqfs_u32)size, out, BLOCK);
}

/* ours gives what the reference gives for in; returns that result. */
static sqfs_s32 same_as_reference(sqfs_compressor_t *cmp, const uint8_t *in,
				  size_t size)
{
	sqfs_compressor_t *ref = reference();
	uint8_t *a = block_new(), *b = block_new();
	sqfs_s32 ra, rb;

	ra = run(cmp, in, size, a);
	rb = run(ref, in, size, b);
	assert_int_equal(ra, rb);
	assert_true(ra >= 0);
	assert_memory_equal(a, b, (size_t)ra);
	free(a);
	free(b);
	sqfs_destroy(ref);
	return ra;
}

static void stats_are(sqfs_compressor_t *cmp, uint64_t blocks,
		      uint64_t reused, uint64_t incompressible)
{
	struct layer_compress_stats st;

	layer_compressor_stats(cmp, &st);
	assert_int_equal(st.blocks, blocks);
	assert_int_equal(st.reused, reused);
	assert_int_equal(st.incompressible, incompressible);
}

/* --- the probe ------------------------------------------------------------ */

static void test_text_compressed_as_reference(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX);
	uint8_t *in = block_new();
	sqfs_s32 r;

	(void)state;
	fill_text(in, BLOCK, 1);
	r = same_as_reference(cmp, in, BLOCK);
	assert_true(r > 0 && r < BLOCK / 2);
	fill_text(in, 5000, 2);		/* a short block, a file's tail */
	assert_true(same_as_reference(cmp, in, 5000) > 0);
	stats_are(cmp, 2, 0, 0);
	free(in);
	sqfs_destroy(cmp);
}

static void test_random_stored_whole(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX);
	uint8_t *in = block_new();

	(void)state;
	fill_random(in, BLOCK, 3);
	/* The reference cannot shrink it either: the same 0. */
	assert_int_equal(same_as_reference(cmp, in, BLOCK), 0);
	stats_are(cmp, 1, 0, 1);
	free(in);
	sqfs_destroy(cmp);
}

/*
 * Deflated data is where the probe may lose a little against level 15,
 * which the header counts as stored whole: bound what is lost.
 */
static void test_deflated_stored_whole(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX), *ref = reference();
	uint8_t *in = block_new(), *out = block_new();
	sqfs_s32 r;

	(void)state;
	fill_deflated(in, BLOCK, 4);
	assert_int_equal(run(cmp, in, BLOCK, out), 0);
	stats_are(cmp, 1, 0, 1);
	r = run(ref, in, BLOCK, out);
	assert_true(r == 0 || r > BLOCK - BLOCK / LAYER_PROBE_GAIN);
	free(out);
	free(in);
	sqfs_destroy(ref);
	sqfs_destroy(cmp);
}

/* Flat bytes that repeat: the probe finds the repeat and lets zstd work. */
static void test_flat_but_repeating_compressed(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX);
	uint8_t *in = block_new();
	sqfs_s32 r;

	(void)state;
	fill_random(in, BLOCK / 2, 5);
	memcpy(in + BLOCK / 2, in, BLOCK / 2);
	r = same_as_reference(cmp, in, BLOCK);
	assert_true(r > 0 && r < BLOCK * 3 / 4);
	stats_are(cmp, 1, 0, 0);
	free(in);
	sqfs_destroy(cmp);
}

/* Below the probe's minimum, random bytes go to zstd as they are. */
static void test_small_block_not_probed(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX);
	uint8_t in[1000];

	(void)state;
	fill_random(in, sizeof(in), 6);
	assert_int_equal(same_as_reference(cmp, in, sizeof(in)), 0);
	stats_are(cmp, 1, 0, 0);
	sqfs_destroy(cmp);
}

/* --- reuse ---------------------------------------------------------------- */

static void test_reuse_same_block(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX), *copy;
	uint8_t *a = block_new(), *b = block_new(), *r = block_new();

	(void)state;
	fill_text(a, BLOCK, 7);
	fill_random(r, BLOCK, 8);
	memcpy(b, a, BLOCK);
	b[BLOCK - 1] ^= 1;		/* one bit from a */
	same_as_reference(cmp, a, BLOCK);
	same_as_reference(cmp, a, BLOCK);
	stats_are(cmp, 2, 1, 0);
	same_as_reference(cmp, b, BLOCK);
	stats_are(cmp, 3, 1, 0);
	/* A worker's copy shares the table, and the counts. */
	copy = (sqfs_compressor_t *)sqfs_copy(cmp);
	assert_non_null(copy);
	same_as_reference(copy, b, BLOCK);
	stats_are(cmp, 4, 2, 0);
	/* A block stored whole is reused as such. */
	assert_int_equal(same_as_reference(copy, r, BLOCK), 0);
	assert_int_equal(same_as_reference(cmp, r, BLOCK), 0);
	stats_are(copy, 6, 3, 1);
	sqfs_destroy(cmp);	/* the copy keeps the table */
	same_as_reference(copy, a, BLOCK);
	stats_are(copy, 7, 4, 1);
	sqfs_destroy(copy);
	free(r);
	free(b);
	free(a);
}

/* Only full blocks: a tail's result is not kept. */
static void test_reuse_full_blocks_only(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX);
	uint8_t *in = block_new();

	(void)state;
	fill_text(in, BLOCK - 1, 9);
	same_as_reference(cmp, in, BLOCK - 1);
	same_as_reference(cmp, in, BLOCK - 1);
	stats_are(cmp, 2, 0, 0);
	free(in);
	sqfs_destroy(cmp);
}

/*
 * A result cut short by a small output buffer (0, as zstd says) is not
 * kept: with room, the same block gets its real result.
 */
static void test_reuse_not_from_short_buffer(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX);
	uint8_t *in = block_new(), *out = block_new();

	(void)state;
	fill_text(in, BLOCK, 10);
	assert_int_equal(cmp->do_block(cmp, in, BLOCK, out, 64), 0);
	assert_true(same_as_reference(cmp, in, BLOCK) > 0);
	stats_are(cmp, 2, 0, 0);
	free(out);
	free(in);
	sqfs_destroy(cmp);
}

/* The table keeps no more than its bytes; 0 keeps nothing. */
static void test_reuse_max(void **state)
{
	uint8_t *t = block_new(), *r = block_new();
	sqfs_compressor_t *cmp;

	(void)state;
	fill_text(t, BLOCK, 11);
	fill_random(r, BLOCK, 12);
	cmp = ours(1);		/* room for a stored block's 0 bytes only */
	same_as_reference(cmp, t, BLOCK);
	same_as_reference(cmp, t, BLOCK);
	same_as_reference(cmp, r, BLOCK);
	same_as_reference(cmp, r, BLOCK);
	stats_are(cmp, 4, 1, 1);
	sqfs_destroy(cmp);
	cmp = ours(0);
	same_as_reference(cmp, r, BLOCK);
	same_as_reference(cmp, r, BLOCK);
	stats_are(cmp, 2, 0, 2);
	sqfs_destroy(cmp);
	free(r);
	free(t);
}

/* Past its first size, the table grows and still finds every block. */
static void test_reuse_many_blocks(void **state)
{
	enum { COUNT = 600 };
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX);
	uint8_t *in = block_new(), *out = block_new();

	(void)state;
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t i = 0; i < COUNT; i++) {
			fill_random(in, BLOCK, 100 + i);
			assert_int_equal(run(cmp, in, BLOCK, out), 0);
		}
	stats_are(cmp, 2 * COUNT, COUNT, COUNT);
	free(out);
	free(in);
	sqfs_destroy(cmp);
}

/* --- workers -------------------------------------------------------------- */

struct worker {
	sqfs_compressor_t *cmp;
	uint8_t *blocks;	/* THREAD_BLOCKS of them */
	sqfs_s32 result[THREAD_BLOCKS];
	uint8_t *out;		/* THREAD_BLOCKS outputs */
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (size_t i = 0; i < THREAD_BLOCKS; i++)
		w->result[i] = w->cmp->do_block(w->cmp, w->blocks + i * BLOCK,
						BLOCK, w->out + i * BLOCK,
						BLOCK);
	return NULL;
}

/* Two copies on two threads, the same blocks: the reference's results. */
static void test_copies_on_threads(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX), *ref = reference();
	uint8_t *blocks = malloc(THREAD_BLOCKS * BLOCK), *want = block_new();
	struct worker w[2];
	pthread_t t[2];
	struct layer_compress_stats st;

	(void)state;
	assert_non_null(blocks);
	for (size_t i = 0; i < THREAD_BLOCKS; i++) {
		if (i % 2)
			fill_random(blocks + i * BLOCK, BLOCK, 20 + i);
		else
			fill_text(blocks + i * BLOCK, BLOCK, 20 + i);
	}
	for (int k = 0; k < 2; k++) {
		w[k].cmp = (sqfs_compressor_t *)sqfs_copy(cmp);
		assert_non_null(w[k].cmp);
		w[k].blocks = blocks;
		w[k].out = malloc(THREAD_BLOCKS * BLOCK);
		assert_non_null(w[k].out);
		assert_int_equal(pthread_create(&t[k], NULL, work, &w[k]), 0);
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	for (size_t i = 0; i < THREAD_BLOCKS; i++) {
		sqfs_s32 r = run(ref, blocks + i * BLOCK, BLOCK, want);

		for (int k = 0; k < 2; k++) {
			assert_int_equal(w[k].result[i], r);
			assert_memory_equal(w[k].out + i * BLOCK, want,
					    (size_t)r);
		}
	}
	/*
	 * All counted. A random block is probed on one thread and reused on
	 * the other, or probed on both when they race: 2 either way.
	 */
	layer_compressor_stats(cmp, &st);
	assert_int_equal(st.blocks, 2 * THREAD_BLOCKS);
	assert_true(st.reused <= THREAD_BLOCKS);
	assert_true(st.incompressible >= THREAD_BLOCKS / 2 &&
		    st.incompressible <= THREAD_BLOCKS);
	assert_true(st.incompressible + st.reused >= THREAD_BLOCKS);
	for (int k = 0; k < 2; k++) {
		sqfs_destroy(w[k].cmp);
		free(w[k].out);
	}
	free(want);
	free(blocks);
	sqfs_destroy(ref);
	sqfs_destroy(cmp);
}

/* --- the rest of the interface -------------------------------------------- */

static void test_configuration(void **state)
{
	sqfs_compressor_t *cmp = ours(LAYER_REUSE_MAX);
	sqfs_compressor_config_t cfg;

	(void)state;
	cmp->get_configuration(cmp, &cfg);
	assert_int_equal(cfg.id, SQFS_COMP_ZSTD);
	assert_int_equal(cfg.block_size, BLOCK);
	assert_int_equal(cfg.level, LAYER_ZSTD_LEVEL);
	assert_int_equal(cfg.flags & SQFS_COMP_FLAG_UNCOMPRESS, 0);
	/* zstd's default level: no options, nothing written. */
	assert_int_equal(cmp->write_options(cmp, NULL), 0);
	assert_true(cmp->read_options(cmp, NULL) < 0);
	sqfs_destroy(cmp);
}

static void test_create_refuses(void **state)
{
	sqfs_compressor_t *cmp = NULL;
	uint8_t in[SMALL_BLOCK + 1] = { 0 }, out[sizeof(in)];

	(void)state;
	assert_int_equal(layer_compressor_create(LAYER_ZSTD_LEVEL, 0, 1, &cmp),
			 -EINVAL);
	assert_int_equal(layer_compressor_create(LAYER_ZSTD_LEVEL,
						 2 * 1024 * 1024, 1, &cmp),
			 -EINVAL);
	assert_int_equal(layer_compressor_create(99, BLOCK, 1, &cmp), -EINVAL);
	assert_null(cmp);
	/* A block over the block size is refused. */
	assert_int_equal(layer_compressor_create(LAYER_ZSTD_LEVEL, SMALL_BLOCK,
						 1, &cmp), 0);
	assert_true(cmp->do_block(cmp, in, sizeof(in), out, sizeof(out)) < 0);
	sqfs_destroy(cmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_compressed_as_reference),
		cmocka_unit_test(test_random_stored_whole),
		cmocka_unit_test(test_deflated_stored_whole),
		cmocka_unit_test(test_flat_but_repeating_compressed),
		cmocka_unit_test(test_small_block_not_probed),
		cmocka_unit_test(test_reuse_same_block),
		cmocka_unit_test(test_reuse_full_blocks_only),
		cmocka_unit_test(test_reuse_not_from_short_buffer),
		cmocka_unit_test(test_reuse_max),
		cmocka_unit_test(test_reuse_many_blocks),
		cmocka_unit_test(test_copies_on_threads),
		cmocka_unit_test(test_configuration),
		cmocka_unit_test(test_create_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
