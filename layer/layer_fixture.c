/* SPDX-License-Identifier: MIT */
#include "layer/layer_fixture.h"

#include <stdint.h>
#include <string.h>

ssize_t layer_mem_read(void *ctx, void *buf, size_t len)
{
	struct layer_mem_reader *m = ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	memcpy(buf, (const uint8_t *)m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}
