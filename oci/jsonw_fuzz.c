/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for oci/jsonw: the input is a program of writer calls
 * (one byte of opcode, then for strings a length byte and that many bytes
 * of content). Whatever the calls, the writer must not crash, and when it
 * finishes without error its output must be one document that oci/json
 * accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/json.h"
#include "oci/jsonw.h"
#include "lib/util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define TOKENS 4096

static struct json_token tokens[TOKENS];

/* Bytes taken from the program for one string. */
static size_t take(const uint8_t **p, const uint8_t *end, const char **s)
{
	size_t n;

	if (*p == end)
		return 0;
	n = **p;
	(*p)++;
	if (n > (size_t)(end - *p))
		n = (size_t)(end - *p);
	*s = (const char *)*p;
	*p += n;
	return n;
}

static void run(struct jsonw *w, const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		uint8_t op = *p++;
		const char *s = "";
		size_t n;

		switch (op % 10) {
		case 0: jsonw_object_begin(w); break;
		case 1: jsonw_object_end(w); break;
		case 2: jsonw_array_begin(w); break;
		case 3: jsonw_array_end(w); break;
		case 4: {
			char key[256];

			n = take(&p, end, &s);
			memcpy(key, s, n);
			key[n] = '\0';
			jsonw_key(w, key);
			break;
		}
		case 5:
			n = take(&p, end, &s);
			jsonw_string_len(w, s, n);
			break;
		case 6: jsonw_int(w, (int8_t)op); break;
		case 7: jsonw_uint(w, UINT64_MAX - op); break;
		case 8: jsonw_bool(w, op & 0x10); break;
		case 9: jsonw_null(w); break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc doc;
	struct jsonw w;
	char *out;
	size_t len;
	int r;

	jsonw_init(&w);
	run(&w, data, data + size);
	r = jsonw_finish(&w, &out, &len);
	CHECK(w.buf == NULL);
	if (r < 0) {
		CHECK(r == -EINVAL || r == -EILSEQ || r == -EEXIST ||
		      r == -OCIBOOT_ETOOBIG);
		return 0;
	}
	CHECK(strlen(out) <= len);
	r = json_parse(&doc, out, len, tokens, TOKENS, NULL);
	/* only the token cap of this harness may stop oci/json */
	CHECK(r > 0 || r == -OCIBOOT_ETOOBIG);
	free(out);
	return 0;
}
