// SPDX-License-Identifier: MIT
#include "net/registry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/constants.h"
#include "lib/fileio.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define PARTIAL_PREFIX ".partial-"
#define BLOB_MODE 0644

/* --- set-up --------------------------------------------------------------- */

static uint32_t random_seed(void)
{
	uint32_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint32_t)clock_now_ns();
	return seed ? seed : 0x9e3779b9u;
}

/* xorshift32: enough to spread a fleet's retries apart. */
static uint32_t random_next(struct registry *r)
{
	uint32_t x = r->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	r->rng = x;
	return x;
}

static void add_endpoint(struct registry *r, const struct url *u, bool mirror)
{
	struct registry_endpoint *e = &r->endpoints[r->endpoint_count++];

	memset(e, 0, sizeof(*e));
	e->base = *u;
	e->mirror = mirror;
}

int registry_init(struct registry *r, const struct registry_config *config,
		  struct error *err)
{
	char text[URL_STR_MAX];

	memset(r, 0, offsetof(struct registry, http));
	r->used_count = 0;
	r->used_overflow = false;
	r->config = *config;
	if (!r->config.deadline_ms)
		r->config.deadline_ms = REGISTRY_DEADLINE_MS;
	if (!r->config.attempts_max)
		r->config.attempts_max = REGISTRY_ATTEMPTS_MAX;
	if (!r->config.backoff_initial_ms)
		r->config.backoff_initial_ms = REGISTRY_BACKOFF_INITIAL_MS;
	if (!r->config.backoff_max_ms)
		r->config.backoff_max_ms = REGISTRY_BACKOFF_MAX_MS;
	if (!r->config.progress_interval_ms)
		r->config.progress_interval_ms = REGISTRY_PROGRESS_INTERVAL_MS;
	if (config->mirror_count > REGISTRY_MIRRORS_MAX)
		return error_set(err, -EINVAL, "mirrors", "more than %d",
				 REGISTRY_MIRRORS_MAX);
	for (size_t i = 0; i < config->mirror_count; i++) {
		if (!streq(config->mirrors[i].path, "/")) {
			url_format(&config->mirrors[i], text, sizeof(text));
			return error_set(err, -EINVAL, text, "a mirror is "
					 "scheme://host[:port] without a path");
		}
		add_endpoint(r, &config->mirrors[i], true);
	}
	add_endpoint(r, &config->origin, false);
	r->rng = random_seed();
	http_client_init(&r->http, &config->http);
	return 0;
}

void registry_origin(const struct oci_registry *location, struct url *out)
{
	memset(out, 0, sizeof(*out));
	out->https = location->https;
	switch (location->host_kind) {
	case OCI_HOST_IPV4:
		out->host_kind = URL_HOST_IPV4;
		memcpy(out->address, location->address.ipv4, 4);
		break;
	case OCI_HOST_IPV6:
		out->host_kind = URL_HOST_IPV6;
		memcpy(out->address, location->address.ipv6, 16);
		break;
	default:
		out->host_kind = URL_HOST_NAME;
		break;
	}
	_Static_assert(sizeof(out->host) == sizeof(location->host),
		       "a location's host fits a URL's");
	memcpy(out->host, location->host, sizeof(out->host));
	out->port = location->port;
	memcpy(out->path, "/", 2);
}

void registry_close(struct registry *r)
{
	http_client_close(&r->http);
}

/* --- names ---------------------------------------------------------------- */

static bool valid_repository(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > OCI_REPOSITORY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._-/", s[i])))
			return false;
	return true;
}

static void digest_text(const uint8_t digest[SHA256_LEN],
			char out[OCI_DIGEST_STRING_LEN + 1])
{
	oci_digest_string(digest, out);
}

/* The reference part of a manifest path: the tag or "sha256:<hex>". */
static void reference_text(const struct oci_reference *ref, char *out,
			   size_t size)
{
	char d[OCI_DIGEST_STRING_LEN + 1];

	if (ref->by_digest) {
		digest_text(ref->digest, d);
		snprintf(out, size, "%s", d);
	} else {
		snprintf(out, size, "%s", ref->tag);
	}
}

/* --- the retry loop ------------------------------------------------------- */

static bool transient(int code)
{
	switch (-code) {
	case ECONNREFUSED:
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case EAGAIN:		/* 429 or 5xx */
	case OCIBOOT_ETIMEOUT:
		return true;
	}
	return false;
}

typedef int (*registry_op)(struct registry *r, struct registry_endpoint *e,
			   void *ctx, struct error *err);

/* Sleep before round `round`+1; false when that would pass the deadline. */
static bool back_off(struct registry *r, unsigned int round)
{
	uint64_t d = r->config.backoff_initial_ms;
	uint64_t sleep_ms;

	for (unsigned int i = 0; i < round && d < r->config.backoff_max_ms;
	     i++)
		d *= 2;
	if (d > r->config.backoff_max_ms)
		d = r->config.backoff_max_ms;
	sleep_ms = d / 2 + random_next(r) % (d / 2 + 1);
	if ((uint64_t)r->retry_after_ms > sleep_ms)
		sleep_ms = (uint64_t)r->retry_after_ms;
	r->retry_after_ms = 0;
	if (clock_now_ms() + (int64_t)sleep_ms >= r->deadline_ms)
		return false;
	clock_sleep_ms((uint32_t)sleep_ms);
	return true;
}

static void copy_error(struct error *dst, const struct error *src)
{
	if (dst)
		*dst = *src;
}

/*
 * Run op against the endpoints, mirrors first, in rounds with backoff, as
 * the header says. Returns 0 or the error to report.
 */
static int run(struct registry *r, registry_op op, void *ctx,
	       struct error *err)
{
	struct error last, le;
	unsigned int round;
	int code = -OCIBOOT_ETIMEOUT;

	error_clear(&last);
	for (round = 0; round < r->config.attempts_max; round++) {
		bool again = false;

		for (size_t i = 0; i < r->endpoint_count; i++) {
			struct registry_endpoint *e = &r->endpoints[i];
			int rc;

			if (clock_deadline_passed(r->deadline_ms))
				goto give_up;
			error_clear(&le);
			rc = op(r, e, ctx, &le);
			if (rc == 0)
				return 0;
			last = le;
			code = rc;
			if (transient(rc)) {
				again = true;
				continue;
			}
			if (e->mirror)
				continue;
			copy_error(err, &le);
			return rc;
		}
		if (!again || round + 1 == r->config.attempts_max ||
		    !back_off(r, round))
			break;
	}
give_up:
	if (!error_failed(&last))
		error_set(&last, code, NULL, "the deadline passed");
	copy_error(err, &last);
	error_context(err, "gave up after %u attempt%s", round + 1,
		      round ? "s" : "");
	error_reason(err, REGISTRY_GAVE_UP);
	return code;
}

/* --- requests ------------------------------------------------------------- */

static int status_error(struct registry *r, struct error *err)
{
	const struct http_head *h = &r->resp.head;
	char text[URL_STR_MAX];
	int status = h->status;

	url_format(&r->resp.url, text, sizeof(text));
	http_finish(&r->http, &r->resp);
	if (status == 429 || status >= 500) {
		r->retry_after_ms = h->retry_after > 0 ?
				    h->retry_after * MS_PER_SECOND : 0;
		error_set(err, -EAGAIN, text, "HTTP %d (retried)", status);
		return error_reason(err, REGISTRY_HTTP);
	}
	if (status == 404) {
		error_set(err, -OCIBOOT_ENOTFOUND, text, "HTTP 404: not found");
		return error_reason(err, REGISTRY_NOT_FOUND);
	}
	if (status == 401 || status == 403) {
		error_set(err, -EACCES, text, "HTTP %d: access denied", status);
		return error_reason(err, REGISTRY_DENIED);
	}
	error_set(err, -OCIBOOT_EPROTO, text, "unexpected HTTP status %d",
		  status);
	return error_reason(err, REGISTRY_HTTP);
}

/* Read the whole body into r->doc (at most cap bytes). Returns its length. */
static int read_document(struct registry *r, size_t cap, struct error *err)
{
	size_t len = 0;
	char text[URL_STR_MAX];

	url_format(&r->resp.url, text, sizeof(text));
	if (r->resp.head.content_length > (int64_t)cap)
		goto too_big;
	for (;;) {
		long n;

		if (len == cap) {
			uint8_t extra;

			n = http_read(&r->http, &r->resp, &extra, 1, err);
			if (n < 0)
				return (int)n;
			if (n > 0)
				goto too_big;
			break;
		}
		n = http_read(&r->http, &r->resp, r->doc + len, cap - len,
			      err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (int)len;
too_big:
	http_client_close(&r->http);
	return error_set(err, -OCIBOOT_ETOOBIG, text, "the document is over "
			 "%zu bytes", cap);
}

/* The anonymous token flow after a 401 (r->resp holds it). */
static int fetch_token(struct registry *r, struct registry_endpoint *e,
		       const char *repository, struct error *err)
{
	const char *v = r->resp.head.authenticate;
	struct http_request req = { .method = "GET", .range_first = -1,
				    .accept = "application/json" };
	struct strbuf sb;
	int len, rc;

	http_finish(&r->http, &r->resp);
	if (!v[0]) {
		error_set(err, -EACCES, NULL, "HTTP 401 without a "
			  "WWW-Authenticate challenge");
		return error_reason(err, REGISTRY_DENIED);
	}
	rc = auth_challenge_parse(v, strlen(v), &r->challenge, err);
	if (rc == 0)
		rc = auth_token_url(&r->challenge, repository, &req.url, err);
	if (rc < 0)
		return rc;
	rc = http_get(&r->http, &req, &r->resp, err);
	if (rc < 0)
		return rc;
	if (r->resp.head.status != 200)
		return status_error(r, err);
	len = read_document(r, AUTH_RESPONSE_MAX, err);
	if (len < 0)
		return len;
	rc = auth_token_parse(r->doc, (size_t)len, r->token, err);
	if (rc < 0)
		return rc;
	strbuf_init(&sb, e->authorization, sizeof(e->authorization));
	strbuf_printf(&sb, "Bearer %s", r->token);
	snprintf(e->repository, sizeof(e->repository), "%s", repository);
	return 0;
}

/*
 * GET /v2/<repository>/<tail> from e (with its token for repository),
 * getting a token and asking once more on a 401. r->resp holds the answer.
 */
static int request(struct registry *r, struct registry_endpoint *e,
		   const char *repository, const char *tail,
		   const char *accept, int64_t range_first, struct error *err)
{
	struct http_request req = { .method = "GET", .accept = accept,
				    .range_first = range_first };
	struct strbuf sb;
	int rc;

	req.url = e->base;
	strbuf_init(&sb, req.url.path, sizeof(req.url.path));
	strbuf_printf(&sb, "/v2/%s/%s", repository, tail);
	if (strbuf_truncated(&sb))
		return error_set(err, -OCIBOOT_ETOOBIG, repository, "the "
				 "request path is too long");
	http_set_deadline(&r->http, r->deadline_ms);
	for (int tries = 0; tries < 2; tries++) {
		req.authorization = e->authorization[0] &&
				    streq(e->repository, repository) ?
				    e->authorization : NULL;
		rc = http_get(&r->http, &req, &r->resp, err);
		if (rc < 0 || r->resp.head.status != 401 || tries == 1)
			return rc;
		rc = fetch_token(r, e, repository, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* --- documents ------------------------------------------------------------ */

struct manifest_job {
	const char *repository;
	char reference[OCI_DIGEST_STRING_LEN + OCI_TAG_MAX + 1];
	bool by_digest;
	uint8_t want[SHA256_LEN];
	int len;
	uint8_t digest[SHA256_LEN];
	char content_type[HTTP_CONTENT_TYPE_MAX + 1];
};

static int mismatch(struct error *err, const char *what,
		    const uint8_t got[SHA256_LEN], const char *source,
		    const char *wanted)
{
	char g[OCI_DIGEST_STRING_LEN + 1];

	digest_text(got, g);
	error_set(err, -OCIBOOT_EVERIFY, what, "the content from %s hashes "
		  "to %s, not %s", source, g, wanted);
	return error_reason(err, REGISTRY_DIGEST);
}

static int op_manifest(struct registry *r, struct registry_endpoint *e,
		       void *ctx, struct error *err)
{
	struct manifest_job *j = ctx;
	char tail[sizeof(j->reference) + 16], url[URL_STR_MAX];
	char what[OCI_REPOSITORY_MAX + sizeof(j->reference) + 16];
	char want[HTTP_DIGEST_MAX + 1];
	uint8_t sent[SHA256_LEN];
	const char *reason;
	int rc;

	snprintf(tail, sizeof(tail), "manifests/%s", j->reference);
	snprintf(what, sizeof(what), "manifest %s%c%s", j->repository,
		 j->by_digest ? '@' : ':', j->reference);
	rc = request(r, e, j->repository, tail, REGISTRY_MANIFEST_ACCEPT, -1,
		     err);
	if (rc < 0)
		return rc;
	if (r->resp.head.status != 200)
		return status_error(r, err);
	url_format(&r->resp.url, url, sizeof(url));
	snprintf(j->content_type, sizeof(j->content_type), "%s",
		 r->resp.head.content_type);
	snprintf(want, sizeof(want), "%s", r->resp.head.docker_digest);
	rc = read_document(r, sizeof(r->doc), err);
	if (rc < 0)
		return rc;
	j->len = rc;
	sha256_digest(r->doc, (size_t)j->len, j->digest);
	if (j->by_digest) {
		if (!ct_memeq(j->digest, j->want, SHA256_LEN))
			return mismatch(err, what, j->digest, url,
					j->reference);
		return 0;
	}
	if (!want[0])
		return 0;
	if (oci_digest_parse(want, strlen(want), sent, &reason) < 0)
		return error_set(err, -OCIBOOT_EPROTO, what, "%s sent "
				 "Docker-Content-Digest %s: %s", url, want,
				 reason);
	if (!ct_memeq(j->digest, sent, SHA256_LEN))
		return mismatch(err, what, j->digest, url, want);
	return 0;
}

/* Store r->doc[0..len) as blob digest of l (atomically). */
static int store_document(struct registry *r, const struct layout *l,
			  const uint8_t digest[SHA256_LEN], size_t len,
			  struct error *err)
{
	char hex[SHA256_HEX_LEN + 1], what[LAYOUT_WHAT_MAX];
	int rc;

	sha256_hex(digest, hex);
	rc = fileio_replace(l->blobs_fd, hex, r->doc, len, BLOB_MODE);
	if (rc < 0) {
		layout_blob_what(digest, what);
		return error_set(err, rc, what, "cannot write the blob");
	}
	return 0;
}

static void report_damaged(struct registry *r, const uint8_t *digest,
			   const struct error *why)
{
	struct registry_progress p = { .digest = digest };
	char line[ERROR_LINE_MAX];

	if (!r->config.progress)
		return;
	p.damaged = why ? error_format(why, line, sizeof(line)) :
			  "it does not match its digest";
	r->config.progress(r->config.progress_ctx, &p);
}

/*
 * A manifest asked for by digest that l holds already, checked against
 * the digest: into r->doc, true. A copy that does not match is removed
 * and reported.
 */
static bool manifest_present(struct registry *r, struct manifest_job *j,
			     const struct layout *l)
{
	char hex[SHA256_HEX_LEN + 1];
	struct error why;
	int rc;

	if (!j->by_digest)
		return false;
	error_clear(&why);
	rc = layout_read_blob(l, j->want, -1, r->doc, sizeof(r->doc), &why);
	if (rc >= 0) {
		j->len = rc;
		memcpy(j->digest, j->want, SHA256_LEN);
		j->content_type[0] = '\0';
		return true;
	}
	if (rc == -ENOENT)
		return false;
	sha256_hex(j->want, hex);
	unlinkat(l->blobs_fd, hex, 0);
	report_damaged(r, j->want, &why);
	return false;
}

bool registry_used(const struct registry *r,
		   const uint8_t digest[SHA256_LEN])
{
	if (r->used_overflow)
		return true;
	for (size_t i = 0; i < r->used_count; i++)
		if (memcmp(r->used[i], digest, SHA256_LEN) == 0)
			return true;
	return false;
}

static void mark_used(struct registry *r, const uint8_t digest[SHA256_LEN])
{
	if (registry_used(r, digest))
		return;
	if (r->used_count == REGISTRY_USED_MAX) {
		r->used_overflow = true;
		return;
	}
	memcpy(r->used[r->used_count++], digest, SHA256_LEN);
}

static int fetch_manifest(struct registry *r, struct manifest_job *j,
			  const struct layout *l, struct error *err)
{
	int rc;

	if (manifest_present(r, j, l)) {
		mark_used(r, j->digest);
		return 0;
	}
	rc = run(r, op_manifest, j, err);
	if (rc == 0)
		rc = store_document(r, l, j->digest, (size_t)j->len, err);
	if (rc == 0)
		mark_used(r, j->digest);
	return rc;
}

static bool looks_like_index(const struct manifest_job *j, const char *doc,
			     size_t len)
{
	if (streq(j->content_type, OCI_MEDIA_TYPE_INDEX))
		return true;
	if (streq(j->content_type, OCI_MEDIA_TYPE_MANIFEST))
		return false;
	/* No or another Content-Type: what the document says. */
	return memmem(doc, len, "\"manifests\"", 11) != NULL &&
	       memmem(doc, len, "\"layers\"", 8) == NULL;
}

/* The linux/amd64 image manifest of r->index. */
static int pick_platform(struct registry *r, const char *what,
			 struct error *err)
{
	for (size_t i = 0; i < r->index.manifest_count; i++) {
		const struct oci_descriptor *d = &r->index.manifests[i];

		if (streq(d->os, REGISTRY_PLATFORM_OS) &&
		    streq(d->architecture, REGISTRY_PLATFORM_ARCHITECTURE) &&
		    streq(d->media_type, OCI_MEDIA_TYPE_MANIFEST))
			return (int)i;
	}
	error_set(err, -OCIBOOT_ENOTFOUND, what, "the image index has no %s/%s "
		  "image manifest (%zu entries)", REGISTRY_PLATFORM_OS,
		  REGISTRY_PLATFORM_ARCHITECTURE, r->index.manifest_count);
	return error_reason(err, REGISTRY_PLATFORM);
}

static void begin(struct registry *r, int *outer)
{
	*outer = r->deadline_ms != 0;
	if (!*outer)
		r->deadline_ms = clock_deadline_ms(r->config.deadline_ms);
}

static int end(struct registry *r, int outer, int rc)
{
	if (!outer)
		r->deadline_ms = 0;
	return rc;
}

static int check_names(const char *repository, struct error *err)
{
	if (!valid_repository(repository))
		return error_set(err, -EINVAL, repository, "not a repository "
				 "name (lowercase letters, digits, '.', '_', "
				 "'-', '/')");
	return 0;
}

static int pull_manifest(struct registry *r, const char *repository,
			 const struct oci_reference *ref,
			 const struct layout *l, uint8_t digest[SHA256_LEN],
			 int64_t *size, struct error *err)
{
	struct manifest_job j;
	char what[OCI_REPOSITORY_MAX + sizeof(j.reference) + 16];
	int rc, i = 0;

	memset(&j, 0, sizeof(j));
	j.repository = repository;
	j.by_digest = ref->by_digest;
	memcpy(j.want, ref->digest, SHA256_LEN);
	reference_text(ref, j.reference, sizeof(j.reference));
	snprintf(what, sizeof(what), "manifest %s%c%s", repository,
		 j.by_digest ? '@' : ':', j.reference);
	rc = fetch_manifest(r, &j, l, err);
	if (rc < 0)
		return rc;
	if (looks_like_index(&j, r->doc, (size_t)j.len)) {
		rc = oci_index_parse(r->doc, (size_t)j.len, r->tokens,
				     OCI_TOKENS_MAX, &r->index, err);
		if (rc == 0)
			rc = i = pick_platform(r, what, err);
		if (rc < 0) {
			error_context(err, "%s", what);
			return rc;
		}
		j.by_digest = true;
		memcpy(j.want, r->index.manifests[i].digest, SHA256_LEN);
		digest_text(j.want, j.reference);
		snprintf(what, sizeof(what), "manifest %s@%s", repository,
			 j.reference);
		rc = fetch_manifest(r, &j, l, err);
		if (rc < 0)
			return rc;
		if (j.len != r->index.manifests[i].size)
			return error_set(err, -OCIBOOT_EVERIFY, what, "%d "
					 "bytes, the index says %lld", j.len,
					 (long long)r->index.manifests[i].size);
	}
	rc = oci_manifest_parse(r->doc, (size_t)j.len, r->tokens,
				OCI_TOKENS_MAX, &r->manifest, err);
	if (rc < 0) {
		error_context(err, "%s", what);
		return rc;
	}
	memcpy(digest, j.digest, SHA256_LEN);
	*size = j.len;
	return 0;
}

int registry_pull_manifest(struct registry *r, const char *repository,
			   const struct oci_reference *ref,
			   const struct layout *l, uint8_t digest[SHA256_LEN],
			   int64_t *size, struct error *err)
{
	int outer, rc;

	rc = check_names(repository, err);
	if (rc < 0)
		return rc;
	begin(r, &outer);
	return end(r, outer, pull_manifest(r, repository, ref, l, digest,
					   size, err));
}

/* --- blobs ---------------------------------------------------------------- */

struct blob_job {
	const char *repository;
	const uint8_t *digest;
	uint64_t size;
	int fd;				/* the partial file */
	uint64_t done;			/* bytes in it, hashed into r->hash */
	char hex[SHA256_HEX_LEN + 1];
	char partial[sizeof(PARTIAL_PREFIX) + SHA256_HEX_LEN];
	char what[LAYOUT_WHAT_MAX];
	int64_t started_ms, reported_ms;
	uint64_t started_at;		/* done when this run began */
};

static void report(struct registry *r, struct blob_job *j, bool cached,
		   bool finished)
{
	struct registry_progress p = { .digest = j->digest, .done = j->done,
				       .total = j->size, .cached = cached,
				       .finished = finished };
	int64_t now = clock_now_ms(), ms = now - j->started_ms;

	if (!r->config.progress)
		return;
	if (!finished && now - j->reported_ms <
			 (int64_t)r->config.progress_interval_ms)
		return;
	j->reported_ms = now;
	p.rate = ms > 0 ? (j->done - j->started_at) * MS_PER_SECOND /
			  (uint64_t)ms : 0;
	p.percent = j->size ? (unsigned)(j->done * 100 / j->size) : 100;
	r->config.progress(r->config.progress_ctx, &p);
}

/* Forget what the partial file holds. */
static int restart(struct registry *r, struct blob_job *j)
{
	if (ftruncate(j->fd, 0) < 0)
		return -errno;
	sha256_init(&r->hash);
	j->done = 0;
	j->started_at = 0;
	return 0;
}

/* Check a complete partial file's hash (on a copy of the running state). */
static int check_complete(struct registry *r, struct blob_job *j,
			  const char *source, struct error *err)
{
	struct sha256 copy = r->hash;
	uint8_t got[SHA256_LEN];
	char want[OCI_DIGEST_STRING_LEN + 1];

	sha256_final(&copy, got);
	if (ct_memeq(got, j->digest, SHA256_LEN))
		return 0;
	digest_text(j->digest, want);
	restart(r, j);
	return mismatch(err, j->what, got, source, want);
}

static int check_range(struct registry *r, struct blob_job *j,
		       const char *url, struct error *err)
{
	const struct http_head *h = &r->resp.head;

	if (h->status == 200) {
		if (j->done > 0)
			return restart(r, j);
		return 0;
	}
	if (!h->has_content_range || h->range_first != j->done ||
	    h->range_last + 1 != j->size ||
	    (h->range_complete >= 0 && (uint64_t)h->range_complete != j->size))
		return error_set(err, -OCIBOOT_EPROTO, j->what, "%s answered "
				 "the Range from byte %llu with another "
				 "range", url, (unsigned long long)j->done);
	return 0;
}

static int stream(struct registry *r, struct blob_job *j, const char *url,
		  struct error *err)
{
	for (;;) {
		long n = http_read(&r->http, &r->resp, r->chunk,
				   sizeof(r->chunk), err);
		int rc;

		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		if ((uint64_t)n > j->size - j->done) {
			http_client_close(&r->http);
			restart(r, j);
			error_set(err, -OCIBOOT_EVERIFY, j->what, "%s sent "
				  "more than the descriptor's %llu bytes", url,
				  (unsigned long long)j->size);
			return error_reason(err, REGISTRY_DIGEST);
		}
		rc = fileio_pwrite_all(j->fd, r->chunk, (size_t)n, j->done);
		if (rc < 0) {
			/* The rest of the body is still on its way. */
			http_client_close(&r->http);
			return error_set(err, rc, j->what, "cannot write the "
					 "partial blob");
		}
		sha256_update(&r->hash, r->chunk, (size_t)n);
		j->done += (uint64_t)n;
		report(r, j, false, false);
	}
	if (j->done != j->size)
		return error_set(err, -ECONNRESET, j->what, "%s ended after "
				 "%llu of %llu bytes", url,
				 (unsigned long long)j->done,
				 (unsigned long long)j->size);
	return check_complete(r, j, url, err);
}

static int op_blob(struct registry *r, struct registry_endpoint *e,
		   void *ctx, struct error *err)
{
	struct blob_job *j = ctx;
	const struct http_head *h = &r->resp.head;
	char tail[OCI_DIGEST_STRING_LEN + 8], url[URL_STR_MAX];
	int rc;

	snprintf(tail, sizeof(tail), "blobs/" DIGEST_PREFIX_SHA256 "%s",
		 j->hex);
	rc = request(r, e, j->repository, tail, NULL,
		     j->done ? (int64_t)j->done : -1, err);
	if (rc < 0)
		return rc;
	if (h->status != 200 && h->status != 206)
		return status_error(r, err);
	url_format(&r->resp.url, url, sizeof(url));
	rc = check_range(r, j, url, err);
	if (rc == 0 && h->content_length >= 0 &&
	    (uint64_t)h->content_length != j->size - j->done) {
		rc = error_set(err, -OCIBOOT_EVERIFY, j->what, "%s announces "
			       "%lld bytes, the descriptor %llu (from byte "
			       "%llu)", url, (long long)h->content_length,
			       (unsigned long long)j->size,
			       (unsigned long long)j->done);
		error_reason(err, REGISTRY_DIGEST);
	}
	if (rc < 0) {
		http_finish(&r->http, &r->resp);
		return rc;
	}
	return stream(r, j, url, err);
}

/* Hash what an earlier run left in the partial file, to resume after it. */
static int resume_partial(struct registry *r, struct blob_job *j)
{
	struct stat st;

	if (fstat(j->fd, &st) < 0)
		return -errno;
	sha256_init(&r->hash);
	j->done = 0;
	if ((uint64_t)st.st_size > j->size)
		return restart(r, j);
	while (j->done < (uint64_t)st.st_size) {
		size_t want = sizeof(r->chunk);
		ssize_t n;

		if ((uint64_t)st.st_size - j->done < want)
			want = (size_t)((uint64_t)st.st_size - j->done);
		n = fileio_pread_all(j->fd, r->chunk, want, j->done);
		if (n <= 0)
			return restart(r, j);
		sha256_update(&r->hash, r->chunk, (size_t)n);
		j->done += (uint64_t)n;
	}
	j->started_at = j->done;
	return 0;
}

struct present_tick {
	struct registry *r;
	struct blob_job *j;
};

/* Progress while a copy already there is hashed (it may be big). */
static void present_tick(void *ctx, uint64_t done)
{
	struct present_tick *t = ctx;

	t->j->done = done;
	report(t->r, t->j, true, false);
}

/* Is the blob there already, whole and right? Removes a wrong one. */
static bool present(struct registry *r, const struct layout *l,
		    struct blob_job *j)
{
	struct present_tick tick = { r, j };
	struct error why;
	int fd, rc;

	error_clear(&why);
	fd = layout_open_blob(l, j->digest, (int64_t)j->size, &why);
	if (fd == -ENOENT)
		return false;
	if (fd >= 0) {
		rc = layout_blob_verify_fd_tick(fd, j->digest,
						(int64_t)j->size, r->chunk,
						sizeof(r->chunk), present_tick,
						&tick, &why);
		close(fd);
		if (rc == 0)
			return true;
	}
	unlinkat(l->blobs_fd, j->hex, 0);
	report_damaged(r, j->digest, &why);
	return false;
}

static int finish_blob(const struct layout *l, struct blob_job *j,
		       struct error *err)
{
	if (fsync(j->fd) < 0 ||
	    renameat(l->blobs_fd, j->partial, l->blobs_fd, j->hex) < 0 ||
	    fsync(l->blobs_fd) < 0)
		return error_set(err, -errno, j->what, "cannot store the "
				 "blob");
	return 0;
}

static int pull_blob(struct registry *r, const char *repository,
		     const uint8_t digest[SHA256_LEN], int64_t size,
		     const struct layout *l, struct error *err)
{
	struct blob_job j;
	bool resumed;
	int rc;

	memset(&j, 0, sizeof(j));
	j.repository = repository;
	j.digest = digest;
	j.size = (uint64_t)size;
	j.started_ms = j.reported_ms = clock_now_ms();
	sha256_hex(digest, j.hex);
	layout_blob_what(digest, j.what);
	snprintf(j.partial, sizeof(j.partial), PARTIAL_PREFIX "%s", j.hex);
	if (size < 0)
		return error_set(err, -EINVAL, j.what, "negative size");
	if (present(r, l, &j)) {
		j.done = j.size;
		mark_used(r, digest);
		report(r, &j, true, true);
		return 0;
	}
	j.fd = openat(l->blobs_fd, j.partial, O_RDWR | O_CREAT | O_CLOEXEC |
		      O_NOFOLLOW, BLOB_MODE);
	if (j.fd < 0)
		return error_set(err, -errno, j.what, "cannot open %s",
				 j.partial);
	rc = resume_partial(r, &j);
	if (rc < 0) {
		error_set(err, rc, j.what, "cannot read %s", j.partial);
		goto out_close;
	}
	resumed = j.done > 0;
	if (j.done == j.size && j.size > 0 &&
	    check_complete(r, &j, j.partial, NULL) == 0)
		rc = 0;
	else
		rc = run(r, op_blob, &j, err);
	if (rc == -OCIBOOT_EVERIFY && resumed) {
		/* The bytes an earlier run left may be what was wrong. */
		report_damaged(r, digest, err);
		rc = restart(r, &j);
		if (rc == 0)
			rc = run(r, op_blob, &j, err);
		else
			error_set(err, rc, j.what, "cannot truncate %s",
				  j.partial);
	}
	if (rc == 0)
		rc = finish_blob(l, &j, err);
	if (rc == 0) {
		mark_used(r, digest);
		report(r, &j, false, true);
	}
	if (rc == -OCIBOOT_EVERIFY)
		unlinkat(l->blobs_fd, j.partial, 0);
out_close:
	close(j.fd);
	return rc;
}

int registry_pull_blob(struct registry *r, const char *repository,
		       const uint8_t digest[SHA256_LEN], int64_t size,
		       const struct layout *l, struct error *err)
{
	int outer, rc;

	rc = check_names(repository, err);
	if (rc < 0)
		return rc;
	begin(r, &outer);
	return end(r, outer, pull_blob(r, repository, digest, size, l, err));
}

/* --- images --------------------------------------------------------------- */

static int pull_image(struct registry *r, const char *repository,
		      const struct oci_reference *ref, const struct layout *l,
		      uint8_t digest[SHA256_LEN], int64_t *size,
		      struct error *err)
{
	struct oci_descriptor d;
	size_t count;
	int rc;

	rc = pull_manifest(r, repository, ref, l, digest, size, err);
	if (rc < 0)
		return rc;
	count = r->manifest.layer_count;
	d = r->manifest.config;
	rc = pull_blob(r, repository, d.digest, d.size, l, err);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		/* r->manifest stays as parsed: blobs do not touch it. */
		d = r->manifest.layers[i];
		rc = pull_blob(r, repository, d.digest, d.size, l, err);
	}
	return rc;
}

int registry_pull_image(struct registry *r, const char *repository,
			const struct oci_reference *ref,
			const struct layout *l, uint8_t digest[SHA256_LEN],
			int64_t *size, struct error *err)
{
	int outer, rc;

	rc = check_names(repository, err);
	if (rc < 0)
		return rc;
	begin(r, &outer);
	return end(r, outer, pull_image(r, repository, ref, l, digest, size,
					err));
}

static int pull_pinned(struct registry *r, const char *repository,
		       const struct oci_image_ref *image,
		       const struct layout *l, struct error *err)
{
	struct oci_reference ref = { .by_digest = true };
	const char *repo = image->repository[0] ? image->repository :
						  repository;
	uint8_t digest[SHA256_LEN];
	int64_t size;
	int rc;

	memcpy(ref.digest, image->digest, SHA256_LEN);
	rc = check_names(repo, err);
	if (rc == 0)
		rc = pull_image(r, repo, &ref, l, digest, &size, err);
	if (rc == 0 && image->size >= 0 && size != image->size)
		rc = error_set(err, -OCIBOOT_EVERIFY, repo, "image manifest "
			       "of %lld bytes, the system manifest says %lld",
			       (long long)size, (long long)image->size);
	if (rc < 0 && image->name[0])
		error_context(err, "service %s", image->name);
	else if (rc < 0)
		error_context(err, "rootfs");
	return rc;
}

int registry_pull_system_images(struct registry *r, const char *repository,
				const struct oci_system_manifest *m,
				const struct layout *l, struct error *err)
{
	int outer, rc;

	begin(r, &outer);
	rc = pull_pinned(r, repository, &m->rootfs, l, err);
	for (size_t i = 0; rc == 0 && i < m->service_count; i++)
		rc = pull_pinned(r, repository, &m->services[i], l, err);
	return end(r, outer, rc);
}
