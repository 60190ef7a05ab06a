/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for dm_status_parse(): the input is a DM_TABLE_STATUS
 * reply as the kernel would leave it in our buffer. Whatever parses must
 * give at most max targets, each with NUL-terminated type and text inside
 * their fields, the same again on a second parse, and
 * dm_verity_status_parse() accepts a text only when it starts with V or C.
 * Each input is parsed as it is and as the target area behind a header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/dm.h"
#include "lib/util.h"

#define FUZZ_TARGETS 4

static void check_target(const struct dm_target_status *t,
			 const struct dm_target_status *again)
{
	size_t len = strnlen(t->text, DM_STATUS_TEXT_MAX);
	enum dm_verity_state state;

	if (len == DM_STATUS_TEXT_MAX ||
	    !memchr(t->type, '\0', DM_MAX_TYPE_NAME))
		abort();
	if (t->start != again->start || t->length != again->length ||
	    strcmp(t->type, again->type) || strcmp(t->text, again->text))
		abort();
	if (dm_verity_status_parse(t->text, len, &state) == 0 &&
	    t->text[0] != 'V' && t->text[0] != 'C')
		abort();
}

static void parse(const uint8_t *data, size_t size)
{
	static struct dm_target_status out[FUZZ_TARGETS], again[FUZZ_TARGETS];
	uint8_t *copy;
	int n;

	/* An exact-size copy so ASan catches any overread. */
	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	n = dm_status_parse(copy, size, out, FUZZ_TARGETS);
	if (n > FUZZ_TARGETS)
		abort();
	if (n > 0 && dm_status_parse(copy, size, again, FUZZ_TARGETS) != n)
		abort();
	free(copy);
	for (int i = 0; i < n; i++)
		check_target(&out[i], &again[i]);
}

/*
 * The input as the target area behind a plausible header (first byte:
 * target count), so that mutations reach the target walk.
 */
static void parse_behind_header(const uint8_t *data, size_t size)
{
	static uint8_t reply[sizeof(struct dm_ioctl) + 4096];
	struct dm_ioctl h;

	if (size < 1 || size - 1 > sizeof(reply) - sizeof(h))
		return;
	memset(&h, 0, sizeof(h));
	h.version[0] = 4;
	h.data_start = sizeof(h);
	h.data_size = (uint32_t)(sizeof(h) + size - 1);
	h.target_count = data[0] % (FUZZ_TARGETS + 2);
	memcpy(reply, &h, sizeof(h));
	memcpy(reply + sizeof(h), data + 1, size - 1);
	parse(reply, sizeof(h) + size - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse(data, size);
	parse_behind_header(data, size);
	return 0;
}
