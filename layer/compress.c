/* SPDX-License-Identifier: MIT */
/*
 * The data blocks' compressor (see compress.h): libsquashfs's zstd
 * compressor, a reuse table shared by its copies, and a probe for
 * incompressible blocks.
 */
#include "layer/compress.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/error.h>
#include <sqfs/super.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "crypto/sha256.h"

/* Below this, a block's histogram says little, and zstd is quick anyway. */
#define PROBE_MIN 4096
#define REUSE_SLOTS_MIN 256

struct reuse_entry {
	uint8_t key[SHA256_LEN];	/* of the uncompressed block */
	uint8_t *data;			/* NULL: stored uncompressed */
	uint32_t len;			/* 0: stored uncompressed */
	bool used;
};

/* What every copy of one compressor shares. */
struct shared {
	pthread_mutex_t lock;
	unsigned int refs;
	struct reuse_entry *slots;	/* open addressing, a power of 2 */
	size_t slot_count, used;
	uint64_t bytes, bytes_max;
	struct layer_compress_stats stats;
};

struct layer_cmp {
	sqfs_compressor_t base;
	sqfs_compressor_t *zstd;	/* libsquashfs's, this copy's own */
	ZSTD_CCtx *probe;
	uint8_t *scratch;		/* the probe's output */
	size_t block_size;
	struct shared *shared;
};

/* --- the shared table ----------------------------------------------------- */

static struct shared *shared_new(uint64_t reuse_max)
{
	struct shared *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	if (pthread_mutex_init(&sh->lock, NULL)) {
		free(sh);
		return NULL;
	}
	sh->refs = 1;
	sh->bytes_max = reuse_max;
	return sh;
}

static void shared_ref(struct shared *sh)
{
	pthread_mutex_lock(&sh->lock);
	sh->refs++;
	pthread_mutex_unlock(&sh->lock);
}

static void shared_unref(struct shared *sh)
{
	unsigned int refs;

	pthread_mutex_lock(&sh->lock);
	refs = --sh->refs;
	pthread_mutex_unlock(&sh->lock);
	if (refs)
		return;
	for (size_t i = 0; i < sh->slot_count; i++)
		free(sh->slots[i].data);
	free(sh->slots);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

/* The keys are SHA-256 digests: their first bytes are already uniform. */
static size_t slot_of(const uint8_t key[SHA256_LEN], size_t slot_count)
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)h & (slot_count - 1);
}

/* The slot holding key, or the empty one where it would go. */
static struct reuse_entry *slot_find(struct reuse_entry *slots,
				     size_t slot_count,
				     const uint8_t key[SHA256_LEN])
{
	size_t i = slot_of(key, slot_count);

	while (slots[i].used && memcmp(slots[i].key, key, SHA256_LEN))
		i = (i + 1) & (slot_count - 1);
	return &slots[i];
}

/* Kept at most half full, so that a probe for a missing key ends soon. */
static int reuse_grow(struct shared *sh)
{
	size_t count = sh->slot_count ? sh->slot_count * 2 : REUSE_SLOTS_MIN;
	struct reuse_entry *slots = calloc(count, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < sh->slot_count; i++)
		if (sh->slots[i].used)
			*slot_find(slots, count, sh->slots[i].key) =
				sh->slots[i];
	free(sh->slots);
	sh->slots = slots;
	sh->slot_count = count;
	return 0;
}

/* Under the lock: the entry for key, or NULL. */
static const struct reuse_entry *reuse_lookup(const struct shared *sh,
					      const uint8_t key[SHA256_LEN])
{
	const struct reuse_entry *e;

	if (!sh->slot_count)
		return NULL;
	e = slot_find(sh->slots, sh->slot_count, key);
	return e->used ? e : NULL;
}

/*
 * Under the lock: keep len bytes of data as key's result, unless the table
 * is full or another worker kept it first. Entries never change once
 * added, and are freed only with the table.
 */
static void reuse_add(struct shared *sh, const uint8_t key[SHA256_LEN],
		      const uint8_t *data, uint32_t len)
{
	struct reuse_entry *e;

	if (len > sh->bytes_max - sh->bytes || reuse_lookup(sh, key))
		return;
	if ((sh->used + 1) * 2 > sh->slot_count && reuse_grow(sh) < 0)
		return;
	e = slot_find(sh->slots, sh->slot_count, key);
	if (len) {
		e->data = malloc(len);
		if (!e->data)
			return;
		memcpy(e->data, data, len);
	}
	memcpy(e->key, key, SHA256_LEN);
	e->len = len;
	e->used = true;
	sh->used++;
	sh->bytes += len;
}

/* --- incompressible blocks ------------------------------------------------ */

/* No byte value more than LAYER_FLAT_SKEW times as frequent as uniform. */
static bool is_flat(const uint8_t *in, size_t size)
{
	uint32_t count[4][256] = { { 0 } };
	uint64_t most = 0;
	size_t i = 0;

	/* Four tables, so that runs of one value do not serialise. */
	for (; i + 4 <= size; i += 4) {
		count[0][in[i]]++;
		count[1][in[i + 1]]++;
		count[2][in[i + 2]]++;
		count[3][in[i + 3]]++;
	}
	for (; i < size; i++)
		count[0][in[i]]++;
	for (unsigned int v = 0; v < 256; v++) {
		uint64_t n = (uint64_t)count[0][v] + count[1][v] +
			     count[2][v] + count[3][v];

		if (n > most)
			most = n;
	}
	return most * 256 <= (uint64_t)size * LAYER_FLAT_SKEW;
}

/* Whether zstd at LAYER_PROBE_LEVEL saves less than 1/LAYER_PROBE_GAIN. */
static bool probe_says_incompressible(struct layer_cmp *c, const uint8_t *in,
				      size_t size)
{
	size_t r;

	if (size < PROBE_MIN || !is_flat(in, size))
		return false;
	r = ZSTD_compressCCtx(c->probe, c->scratch, size, in, size,
			      LAYER_PROBE_LEVEL);
	if (ZSTD_isError(r))
		return ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall;
	return r > size - size / LAYER_PROBE_GAIN;
}

/* --- the compressor ------------------------------------------------------- */

/* Compress, or 0 for a block stored as it is: *probed if the probe said so. */
static sqfs_s32 compress(struct layer_cmp *c, const sqfs_u8 *in,
			 sqfs_u32 size, sqfs_u8 *out, sqfs_u32 outsize,
			 bool *probed)
{
	*probed = probe_says_incompressible(c, in, size);
	if (*probed)
		return 0;
	return c->zstd->do_block(c->zstd, in, size, out, outsize);
}

static void count(struct shared *sh, bool reused, bool probed)
{
	pthread_mutex_lock(&sh->lock);
	sh->stats.blocks++;
	sh->stats.reused += reused;
	sh->stats.incompressible += probed;
	pthread_mutex_unlock(&sh->lock);
}

/*
 * The result kept for key: true and *data, *len (NULL and 0: stored whole)
 * when there is one. Copied out under the lock: the table may grow, and
 * move its slots, as soon as it is let go; the data itself never moves.
 */
static bool reuse_take(struct shared *sh, const uint8_t key[SHA256_LEN],
		       const uint8_t **data, uint32_t *len)
{
	const struct reuse_entry *e;

	pthread_mutex_lock(&sh->lock);
	e = reuse_lookup(sh, key);
	if (e) {
		*data = e->data;
		*len = e->len;
	}
	pthread_mutex_unlock(&sh->lock);
	return e != NULL;
}

/*
 * Only full blocks with room for any result are looked up: then the result
 * (a size below the block's, or 0) depends on the bytes alone.
 */
static sqfs_s32 cmp_do_block(sqfs_compressor_t *base, const sqfs_u8 *in,
			     sqfs_u32 size, sqfs_u8 *out, sqfs_u32 outsize)
{
	struct layer_cmp *c = (struct layer_cmp *)base;
	struct shared *sh = c->shared;
	bool reusable = sh->bytes_max && size == c->block_size &&
			outsize >= size;
	uint8_t key[SHA256_LEN];
	const uint8_t *kept;
	uint32_t kept_len;
	bool probed = false;
	sqfs_s32 r;

	if (size > c->block_size)
		return SQFS_ERROR_ARG_INVALID;
	if (reusable) {
		sha256_digest(in, size, key);
		if (reuse_take(sh, key, &kept, &kept_len)) {
			if (kept_len)
				memcpy(out, kept, kept_len);
			count(sh, true, false);
			return (sqfs_s32)kept_len;
		}
	}
	r = compress(c, in, size, out, outsize, &probed);
	if (r < 0)
		return r;
	if (reusable) {
		pthread_mutex_lock(&sh->lock);
		reuse_add(sh, key, out, (uint32_t)r);
		pthread_mutex_unlock(&sh->lock);
	}
	count(sh, false, probed);
	return r;
}

static void cmp_get_configuration(const sqfs_compressor_t *base,
				  sqfs_compressor_config_t *cfg)
{
	const struct layer_cmp *c = (const struct layer_cmp *)base;

	c->zstd->get_configuration(c->zstd, cfg);
}

static int cmp_write_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	struct layer_cmp *c = (struct layer_cmp *)base;

	return c->zstd->write_options(c->zstd, file);
}

static int cmp_read_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	(void)base;
	(void)file;
	return SQFS_ERROR_UNSUPPORTED;
}

static void cmp_destroy(sqfs_object_t *obj)
{
	struct layer_cmp *c = (struct layer_cmp *)obj;

	sqfs_destroy(c->zstd);
	ZSTD_freeCCtx(c->probe);
	free(c->scratch);
	if (c->shared)
		shared_unref(c->shared);
	free(c);
}

static sqfs_object_t *cmp_copy(const sqfs_object_t *obj);

/* A compressor around zstd (taken), sharing sh (a reference taken). */
static struct layer_cmp *cmp_new(sqfs_compressor_t *zstd, size_t block_size,
				 struct shared *sh)
{
	struct layer_cmp *c = calloc(1, sizeof(*c));

	if (!c) {
		sqfs_destroy(zstd);
		shared_unref(sh);
		return NULL;
	}
	c->zstd = zstd;
	c->shared = sh;
	c->block_size = block_size;
	c->base.base.destroy = cmp_destroy;
	c->base.base.copy = cmp_copy;
	c->base.get_configuration = cmp_get_configuration;
	c->base.write_options = cmp_write_options;
	c->base.read_options = cmp_read_options;
	c->base.do_block = cmp_do_block;
	c->probe = ZSTD_createCCtx();
	c->scratch = malloc(block_size);
	if (!zstd || !c->probe || !c->scratch) {
		cmp_destroy(&c->base.base);
		return NULL;
	}
	return c;
}

static sqfs_object_t *cmp_copy(const sqfs_object_t *obj)
{
	const struct layer_cmp *c = (const struct layer_cmp *)obj;
	struct layer_cmp *copy;

	shared_ref(c->shared);
	copy = cmp_new(sqfs_copy(c->zstd), c->block_size, c->shared);
	return copy ? &copy->base.base : NULL;
}

int layer_compressor_create(unsigned int level, size_t block_size,
			    uint64_t reuse_max, sqfs_compressor_t **out)
{
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *zstd = NULL;
	struct layer_cmp *c;
	struct shared *sh;

	if (!block_size || block_size > SQFS_MAX_BLOCK_SIZE ||
	    sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD, block_size, 0))
		return -EINVAL;
	cfg.level = level;
	if (sqfs_compressor_create(&cfg, &zstd))
		return -EINVAL;
	sh = shared_new(reuse_max);
	if (!sh) {
		sqfs_destroy(zstd);
		return -ENOMEM;
	}
	c = cmp_new(zstd, block_size, sh);
	if (!c)
		return -ENOMEM;
	*out = &c->base;
	return 0;
}

void layer_compressor_stats(const sqfs_compressor_t *base,
			    struct layer_compress_stats *stats)
{
	const struct layer_cmp *c = (const struct layer_cmp *)base;

	pthread_mutex_lock(&c->shared->lock);
	*stats = c->shared->stats;
	pthread_mutex_unlock(&c->shared->lock);
}
