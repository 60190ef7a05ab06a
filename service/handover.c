/* SPDX-License-Identifier: MIT */
/*
 * The service file the init hands over (service/handover.h), read line by
 * line with a bound on every field.
 */
#include "service/handover.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

void handover_dir(const char *name, char dir[HANDOVER_DIR_MAX])
{
	snprintf(dir, HANDOVER_DIR_MAX, "%s/%s", HANDOVER_SERVICES_DIR, name);
}

void handover_layer_dir(const char *name, size_t i,
			char dir[HANDOVER_LAYER_DIR_MAX])
{
	snprintf(dir, HANDOVER_LAYER_DIR_MAX, "%s/%s/" HANDOVER_LAYERS_DIR
		 "/%zu", HANDOVER_SERVICES_DIR, name, i % OCI_LAYERS_MAX);
}

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool handover_name_valid(const char *name)
{
	size_t len = strnlen(name, OCI_SERVICE_NAME_MAX + 1);

	if (len == 0 || len > OCI_SERVICE_NAME_MAX || !lower_alnum(name[0]) ||
	    !lower_alnum(name[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!lower_alnum(name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

/* One line being read: its text (not NUL-terminated) and number. */
struct line {
	const char *p;
	size_t len;
	unsigned int number;
};

static int refuse(struct error *err, const struct line *l, int code,
		  const char *why)
{
	error_set(err, code, "service file", "line %u: %s", l->number, why);
	return code;
}

/* The next line of buf[*at..len) into *l; false at the end. */
static bool next_line(const char *buf, size_t len, size_t *at,
		      struct line *l)
{
	const char *nl;

	if (*at >= len)
		return false;
	l->p = buf + *at;
	nl = memchr(l->p, '\n', len - *at);
	l->len = nl ? (size_t)(nl - l->p) : len - *at;
	*at += l->len + (nl ? 1 : 0);
	l->number++;
	return true;
}

/* The line must be KEY=value: value's start and length into *v. */
static int value_of(const struct line *l, const char *key, struct line *v,
		    struct error *err)
{
	size_t k = strlen(key);

	if (l->len <= k || memcmp(l->p, key, k) != 0 || l->p[k] != '=')
		return refuse(err, l, -OCIBOOT_EMALFORMED, "not the key "
			      "expected there");
	*v = *l;
	v->p += k + 1;
	v->len -= k + 1;
	return 0;
}

static int digest_of(const struct line *l, const struct line *v,
		     uint8_t digest[SHA256_LEN], struct error *err)
{
	const char *reason;

	if (oci_digest_parse(v->p, v->len, digest, &reason) < 0)
		return refuse(err, l, -OCIBOOT_EMALFORMED, reason);
	return 0;
}

static int parse_count(const struct line *l, const struct line *v,
		       size_t *out, struct error *err)
{
	size_t n = 0;

	if (v->len == 0 || v->len > HANDOVER_LAYER_INDEX_DIGITS)
		return refuse(err, l, -OCIBOOT_EMALFORMED, "not a count");
	for (size_t i = 0; i < v->len; i++) {
		if (v->p[i] < '0' || v->p[i] > '9')
			return refuse(err, l, -OCIBOOT_EMALFORMED,
				      "not a count");
		n = n * 10 + (size_t)(v->p[i] - '0');
	}
	if (n == 0 || n > OCI_LAYERS_MAX)
		return refuse(err, l, -OCIBOOT_ETOOBIG, "layers out of range");
	*out = n;
	return 0;
}

/* "sha256:DIGEST ROOTHASH DIR" of layer i. */
static int parse_layer(const struct line *l, const struct line *v,
		       struct handover *out, size_t i, struct error *err)
{
	const size_t dlen = OCI_DIGEST_STRING_LEN, hlen = 2 * SHA256_LEN;
	struct line d = *v;

	if (v->len < dlen + 1 + hlen + 2 || v->p[dlen] != ' ' ||
	    v->p[dlen + 1 + hlen] != ' ')
		return refuse(err, l, -OCIBOOT_EMALFORMED, "not a layer");
	d.len = dlen;
	if (digest_of(l, &d, out->layers[i].digest, err) < 0)
		return -OCIBOOT_EMALFORMED;
	if (sha256_from_hex(v->p + dlen + 1, hlen, out->layers[i].root_hash)
	    < 0)
		return refuse(err, l, -OCIBOOT_EMALFORMED, "not a root hash");
	d.p = v->p + dlen + 1 + hlen + 1;
	d.len = v->len - (dlen + 1 + hlen + 1);
	handover_layer_dir(out->name, i, out->layers[i].dir);
	if (d.len != strlen(out->layers[i].dir) ||
	    memcmp(d.p, out->layers[i].dir, d.len) != 0)
		return refuse(err, l, -OCIBOOT_EMALFORMED,
			      "not the service's layer directory");
	return 0;
}

/* The next line, which must be KEY=value: its value into *v. */
static int next_value(const char *buf, size_t len, size_t *at,
		      struct line *l, const char *key, struct line *v,
		      struct error *err)
{
	if (!next_line(buf, len, at, l)) {
		l->number++;
		error_set(err, -OCIBOOT_EMALFORMED, "service file",
			  "line %u: missing (%s=)", l->number, key);
		return -OCIBOOT_EMALFORMED;
	}
	return value_of(l, key, v, err);
}

static int parse_header(const char *buf, size_t len, size_t *at,
			struct line *l, struct handover *out,
			struct error *err)
{
	struct line v;
	int r;

	r = next_value(buf, len, at, l, "NAME", &v, err);
	if (r < 0)
		return r;
	if (v.len > OCI_SERVICE_NAME_MAX)
		return refuse(err, l, -OCIBOOT_EMALFORMED, "name too long");
	memcpy(out->name, v.p, v.len);
	out->name[v.len] = '\0';
	if (!handover_name_valid(out->name))
		return refuse(err, l, -OCIBOOT_EMALFORMED,
			      "not a service name");
	r = next_value(buf, len, at, l, "IMAGE", &v, err);
	if (r == 0)
		r = digest_of(l, &v, out->image_digest, err);
	if (r == 0)
		r = next_value(buf, len, at, l, "CONFIG", &v, err);
	if (r == 0)
		r = digest_of(l, &v, out->config_digest, err);
	if (r == 0)
		r = next_value(buf, len, at, l, "LAYERS", &v, err);
	if (r == 0)
		r = parse_count(l, &v, &out->layer_count, err);
	return r;
}

static int parse(const char *buf, size_t len, struct handover *out,
		 struct error *err)
{
	struct line l = { buf, 0, 0 }, v;
	char key[32];
	size_t at = 0;
	int r;

	if (len >= HANDOVER_FILE_MAX)
		return refuse(err, &l, -OCIBOOT_ETOOBIG, "too long");
	r = parse_header(buf, len, &at, &l, out, err);
	for (size_t i = 0; r == 0 && i < out->layer_count; i++) {
		snprintf(key, sizeof(key), "LAYER%zu", i);
		r = next_value(buf, len, &at, &l, key, &v, err);
		if (r == 0)
			r = parse_layer(&l, &v, out, i, err);
	}
	if (r == 0 && next_line(buf, len, &at, &l))
		return refuse(err, &l, -OCIBOOT_EMALFORMED,
			      "more lines than LAYERS");
	return r;
}

int handover_parse(const char *buf, size_t len, struct handover *out,
		   struct error *err)
{
	int r;

	error_clear(err);
	memset(out, 0, sizeof(*out));
	r = parse(buf, len, out, err);
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}
