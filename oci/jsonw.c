/* SPDX-License-Identifier: MIT */
/*
 * Deterministic JSON writer: a growable buffer, a stack of open containers
 * and a sticky error.
 */
#include "oci/jsonw.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "lib/util.h"
#include "oci/json.h"

_Static_assert(JSONW_DEPTH_MAX == JSON_DEPTH_MAX, "depth caps differ");
_Static_assert(JSONW_OUTPUT_MAX == JSON_INPUT_MAX, "size caps differ");
_Static_assert(JSONW_OBJECT_MEMBERS_MAX == JSON_OBJECT_MEMBERS_MAX,
	       "member caps differ");

/* frame[] bits of an open container. */
#define FRAME_OBJECT 0x1	/* an object (else an array) */
#define FRAME_NONEMPTY 0x2	/* has a member or element already */
#define FRAME_KEY 0x4		/* object: a key waits for its value */

#define INITIAL_CAP 256
#define INITIAL_KEYS 16

void jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void jsonw_free(struct jsonw *w)
{
	free(w->buf);
	free(w->keys);
	jsonw_init(w);
}

static void fail(struct jsonw *w, int err)
{
	if (!w->err)
		w->err = err;
}

/* Room for n more bytes and the NUL. */
static bool reserve(struct jsonw *w, size_t n)
{
	size_t need, cap;
	char *p;

	if (w->err)
		return false;
	if (!size_add(w->len, n, &need) || need > JSONW_OUTPUT_MAX) {
		fail(w, -OCIBOOT_ETOOBIG);
		return false;
	}
	need++;
	if (need <= w->cap)
		return true;
	cap = w->cap ? w->cap : INITIAL_CAP;
	while (cap < need)
		cap *= 2;	/* need <= JSONW_OUTPUT_MAX + 1: no overflow */
	p = realloc(w->buf, cap);
	if (!p) {
		fail(w, -ENOMEM);
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

static void put(struct jsonw *w, const void *p, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void put_char(struct jsonw *w, char c)
{
	put(w, &c, 1);
}

static uint8_t *top(struct jsonw *w)
{
	return w->depth ? &w->frame[w->depth - 1] : NULL;
}

/*
 * Before a value: check that one may come here and write the comma that
 * separates it from the previous element.
 */
static bool value_begin(struct jsonw *w)
{
	uint8_t *f = top(w);

	if (w->err)
		return false;
	if (!f) {
		if (w->done) {
			fail(w, -EINVAL);	/* a second root value */
			return false;
		}
		return true;
	}
	if (*f & FRAME_OBJECT) {
		if (!(*f & FRAME_KEY)) {
			fail(w, -EINVAL);	/* a value without a key */
			return false;
		}
		*f &= (uint8_t)~FRAME_KEY;
		return true;
	}
	if (*f & FRAME_NONEMPTY)
		put_char(w, ',');
	*f |= FRAME_NONEMPTY;
	return !w->err;
}

/* After a value: at the top, the document is complete. */
static void value_end(struct jsonw *w)
{
	if (!w->depth)
		w->done = true;
}

static void container_begin(struct jsonw *w, uint8_t kind, char open)
{
	if (!value_begin(w))
		return;
	if (w->depth == JSONW_DEPTH_MAX) {
		fail(w, -OCIBOOT_ETOOBIG);
		return;
	}
	put_char(w, open);
	w->first_key[w->depth] = w->nkeys;
	w->frame[w->depth++] = kind;
}

static void container_end(struct jsonw *w, uint8_t kind, char close)
{
	uint8_t *f = top(w);

	if (w->err)
		return;
	if (!f || (*f & FRAME_OBJECT) != kind || (*f & FRAME_KEY)) {
		fail(w, -EINVAL);
		return;
	}
	put_char(w, close);
	w->depth--;
	w->nkeys = w->first_key[w->depth];	/* forget its keys */
	value_end(w);
}

void jsonw_object_begin(struct jsonw *w)
{
	container_begin(w, FRAME_OBJECT, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	container_end(w, FRAME_OBJECT, '}');
}

void jsonw_array_begin(struct jsonw *w)
{
	container_begin(w, 0, '[');
}

void jsonw_array_end(struct jsonw *w)
{
	container_end(w, 0, ']');
}

/* --- strings -------------------------------------------------------------- */

/*
 * Length of the well-formed UTF-8 sequence at s[0..len) (RFC 3629: no
 * overlong forms, no surrogates, nothing over U+10FFFF), or 0.
 */
static size_t utf8_sequence(const uint8_t *s, size_t len)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > len)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;		/* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;		/* over U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* The escape of byte c, or NULL when it is written as is. */
static const char *short_escape(uint8_t c)
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	}
	return NULL;
}

static void put_escape(struct jsonw *w, uint8_t c)
{
	const char *e = short_escape(c);
	char u[7] = "\\u00";

	if (e) {
		put(w, e, strlen(e));
		return;
	}
	hex_encode(&c, 1, u + 4);
	put(w, u, 6);
}

static void put_string(struct jsonw *w, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	put_char(w, '"');
	while (i < len && !w->err) {
		size_t run = i, n;

		/* Copy the longest run that needs no escape in one go. */
		while (run < len && p[run] >= 0x20 && p[run] != '"' &&
		       p[run] != '\\') {
			n = utf8_sequence(p + run, len - run);
			if (!n) {
				fail(w, -EILSEQ);
				return;
			}
			run += n;
		}
		put(w, s + i, run - i);
		i = run;
		if (i < len)
			put_escape(w, p[i++]);
	}
	put_char(w, '"');
}

/* Room for one more key of the open objects. */
static bool reserve_key(struct jsonw *w)
{
	struct jsonw_key *k;
	size_t cap;

	if (w->nkeys < w->keys_cap)
		return true;
	/* at most JSONW_DEPTH_MAX * JSONW_OBJECT_MEMBERS_MAX: no overflow */
	cap = w->keys_cap ? 2 * w->keys_cap : INITIAL_KEYS;
	k = realloc(w->keys, cap * sizeof(*k));
	if (!k) {
		fail(w, -ENOMEM);
		return false;
	}
	w->keys = k;
	w->keys_cap = cap;
	return true;
}

/*
 * True when the innermost object already has a key written as the n bytes
 * at buf + offset. Keys are escaped one fixed way from UTF-8 that has no
 * U+0000, so equal escaped bytes mean equal code points, as oci/json
 * compares them, and the other way round.
 */
static bool key_seen(const struct jsonw *w, size_t offset, size_t n)
{
	for (size_t i = w->first_key[w->depth - 1]; i < w->nkeys; i++) {
		const struct jsonw_key *k = &w->keys[i];

		if (k->len == n &&
		    memcmp(w->buf + k->offset, w->buf + offset, n) == 0)
			return true;
	}
	return false;
}

/* Write key as a string and remember it; -EEXIST when the object has it. */
static void put_key(struct jsonw *w, const char *key)
{
	size_t offset = w->len + 1, n;

	if (w->nkeys - w->first_key[w->depth - 1] >=
	    JSONW_OBJECT_MEMBERS_MAX) {
		fail(w, -OCIBOOT_ETOOBIG);
		return;
	}
	if (!reserve_key(w))
		return;
	put_string(w, key, strlen(key));
	if (w->err)
		return;
	n = w->len - offset - 1;	/* without the quotes */
	if (key_seen(w, offset, n)) {
		fail(w, -EEXIST);
		return;
	}
	w->keys[w->nkeys++] = (struct jsonw_key){ .offset = offset, .len = n };
}

void jsonw_key(struct jsonw *w, const char *key)
{
	uint8_t *f = top(w);

	if (w->err)
		return;
	if (!f || !(*f & FRAME_OBJECT) || (*f & FRAME_KEY)) {
		fail(w, -EINVAL);
		return;
	}
	if (*f & FRAME_NONEMPTY)
		put_char(w, ',');
	*f |= FRAME_NONEMPTY | FRAME_KEY;
	put_key(w, key);
	put_char(w, ':');
}

void jsonw_string_len(struct jsonw *w, const char *s, size_t len)
{
	if (!value_begin(w))
		return;
	put_string(w, s, len);
	value_end(w);
}

void jsonw_string(struct jsonw *w, const char *s)
{
	jsonw_string_len(w, s, strlen(s));
}

/* --- other values --------------------------------------------------------- */

static void put_literal(struct jsonw *w, const char *text)
{
	if (!value_begin(w))
		return;
	put(w, text, strlen(text));
	value_end(w);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, v);
	put_literal(w, text);
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	put_literal(w, text);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	put_literal(w, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	put_literal(w, "null");
}

void jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
	if (!len) {
		fail(w, -EINVAL);
		return;
	}
	if (!value_begin(w))
		return;
	put(w, json, len);
	value_end(w);
}

int jsonw_finish(struct jsonw *w, char **out, size_t *len)
{
	int err = w->err;

	if (!err && (w->depth || !w->done))
		err = -EINVAL;
	if (err) {
		jsonw_free(w);
		return err;
	}
	free(w->keys);
	*out = w->buf;
	*len = w->len;
	jsonw_init(w);
	return 0;
}
