/* SPDX-License-Identifier: MIT */
/*
 * The OCI distribution client: pulls manifests and blobs from a registry
 * (OCI distribution-spec v1.1, "Pull": GET /v2/<name>/manifests/<reference>
 * and GET /v2/<name>/blobs/<digest>) into an OCI image layout (oci/layout.h)
 * whose blobs/sha256/ is the content-addressed store: the init's RAM store
 * or cache device, or the host tool's output directory.
 *
 * What it guarantees:
 *   - Every byte is checked before it is used: a manifest asked for by
 *     digest must hash to it; one asked for by tag must hash to the
 *     Docker-Content-Digest the registry sends (when it sends one), and
 *     its digest is what the caller pins afterwards; every blob is hashed
 *     (crypto/sha256) while it streams and must be exactly its
 *     descriptor's size and digest, or it is deleted and refused. So a
 *     mirror or an object store can at worst withhold data, never change
 *     it: any mirror is safe.
 *   - A blob already in the layout (the init's cache device, an earlier
 *     pull) is hashed and, when it matches, not fetched again; this holds
 *     for manifests asked for by digest too (never for one asked for by
 *     tag: a tag moves). A copy that does not match is removed, reported
 *     (registry_progress.damaged) and fetched again: the layout is only a
 *     cache, the registry and the digests are the truth.
 *   - A blob is written to blobs/sha256/.partial-<hex> and renamed to its
 *     name only once it matched; an interrupted download resumes from the
 *     bytes written (Range: bytes=N-; those bytes are re-hashed first
 *     when the partial file came from an earlier run). A server that
 *     answers a Range with 200 restarts the blob from its first byte.
 *   - Endpoints are tried in order, the mirrors first, then the origin.
 *     A transient failure (connection refused or reset, a timeout, 429,
 *     5xx) moves on to the next endpoint; after a round in which all
 *     failed, the client sleeps a jittered exponential backoff (initial
 *     doubled each round, capped, each sleep drawn uniformly from its
 *     upper half; a Retry-After longer than that is honoured) and goes
 *     round again, up to attempts_max rounds and never past the overall
 *     deadline. Anything else from a mirror (404, a wrong digest) skips
 *     that mirror; from the origin, it is final.
 *   - Anonymous bearer tokens (net/auth.h) are fetched when an endpoint
 *     answers 401, one per endpoint, for the repository in use.
 *   - An image index is resolved to its linux/amd64 image manifest; both
 *     are stored.
 *
 * Memory: struct registry holds every buffer (about 1.2 MiB: the HTTP
 * client, a document buffer of OCI_DOCUMENT_SIZE_MAX, JSON tokens, one
 * parsed manifest and index, a REGISTRY_CHUNK I/O buffer); the init keeps
 * one in static storage. Nothing allocates or logs; progress goes to the
 * caller's callback, failures to a struct error naming the digest, the
 * URL and the reason.
 */
#ifndef OCIBOOT_NET_REGISTRY_H
#define OCIBOOT_NET_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "lib/error.h"
#include "net/auth.h"
#include "net/http.h"
#include "net/url.h"
#include "oci/json.h"
#include "oci/layout.h"
#include "oci/oci.h"
#include "oci/oci_ref.h"

#define REGISTRY_MIRRORS_MAX 8
#define REGISTRY_ENDPOINTS_MAX (REGISTRY_MIRRORS_MAX + 1)
#define REGISTRY_CHUNK (256u * 1024)		/* bytes a read */
#define REGISTRY_DEADLINE_MS (10u * 60 * 1000)	/* defaults of the config */
#define REGISTRY_ATTEMPTS_MAX 6
#define REGISTRY_BACKOFF_INITIAL_MS 500
#define REGISTRY_BACKOFF_MAX_MS 16000
#define REGISTRY_PROGRESS_INTERVAL_MS 1000
/* Digests registry_used() remembers (manifests and blobs of a pull). */
#define REGISTRY_USED_MAX 1024
/* The Accept header of manifest requests: what we can use. */
#define REGISTRY_MANIFEST_ACCEPT \
	OCI_MEDIA_TYPE_MANIFEST ", " OCI_MEDIA_TYPE_INDEX
#define REGISTRY_PLATFORM_OS "linux"
#define REGISTRY_PLATFORM_ARCHITECTURE "amd64"

/* Reasons (error_reason) a caller or a test may branch on. */
enum registry_reason {
	REGISTRY_OK = 0,
	REGISTRY_DIGEST,	/* content does not match its digest/size */
	REGISTRY_NOT_FOUND,	/* 404 from the origin */
	REGISTRY_DENIED,	/* 401/403 even with a token */
	REGISTRY_GAVE_UP,	/* transient failures until the deadline or
				 * the last attempt */
	REGISTRY_PLATFORM,	/* an index without linux/amd64 */
	REGISTRY_HTTP,		/* another HTTP status */
};

/* What a progress callback is told, at most once an interval. */
struct registry_progress {
	const uint8_t *digest;		/* the blob */
	uint64_t done;			/* bytes verified or written so far */
	uint64_t total;			/* its size */
	uint64_t rate;			/* bytes/s since this blob started */
	unsigned int percent;
	/* Already present, not fetched: calls with finished false come
	 * while the copy is hashed (done growing), then one with true. */
	bool cached;
	bool finished;			/* the last call for this blob */
	/* Not NULL in one call before the fetch: why the copy found in the
	 * layout (or the partial file an earlier run left) was refused and
	 * removed; the blob is fetched again. */
	const char *damaged;
};

typedef void (*registry_progress_fn)(void *ctx,
				     const struct registry_progress *p);

struct registry_config {
	struct http_config http;
	struct url origin;			/* scheme, host, port */
	struct url mirrors[REGISTRY_MIRRORS_MAX];	/* tried first, in
							 * order; paths "/" */
	size_t mirror_count;
	uint32_t deadline_ms;		/* each registry_pull_*(); 0: default */
	unsigned int attempts_max;	/* rounds; 0: default */
	uint32_t backoff_initial_ms;	/* 0: default */
	uint32_t backoff_max_ms;	/* 0: default */
	registry_progress_fn progress;	/* NULL: none */
	void *progress_ctx;
	uint32_t progress_interval_ms;	/* 0: default */
};

/* Per endpoint: its base URL and the token it gave, if any. */
struct registry_endpoint {
	struct url base;
	bool mirror;
	char repository[OCI_REPOSITORY_MAX + 1];	/* the token's */
	char authorization[AUTH_TOKEN_MAX + 8];		/* "Bearer ..." */
};

struct registry {
	struct registry_config config;
	struct registry_endpoint endpoints[REGISTRY_ENDPOINTS_MAX];
	size_t endpoint_count;
	int64_t deadline_ms;
	uint32_t rng;
	int64_t retry_after_ms;		/* from the last 429/503, or 0 */
	struct http_client http;
	struct http_response resp;
	struct sha256 hash;
	struct auth_challenge challenge;
	char token[AUTH_TOKEN_MAX + 1];
	struct json_token tokens[OCI_TOKENS_MAX];
	struct oci_manifest manifest;
	struct oci_index index;
	char doc[OCI_DOCUMENT_SIZE_MAX];
	uint8_t chunk[REGISTRY_CHUNK];
	/* What the pulls since registry_init() put in or found in a layout. */
	uint8_t used[REGISTRY_USED_MAX][SHA256_LEN];
	size_t used_count;
	bool used_overflow;
};

/*
 * The origin URL (scheme, host, port, path "/") of an oci= registry
 * location, for struct registry_config's origin.
 */
void registry_origin(const struct oci_registry *location, struct url *out);

/*
 * Set up r for config (copied): checks the mirrors (http(s) with path
 * "/"), seeds the jitter. Returns 0 or -EINVAL (err names the mirror).
 */
int registry_init(struct registry *r, const struct registry_config *config,
		  struct error *err);

/* Close r's connection. */
void registry_close(struct registry *r);

/*
 * Whether digest is a manifest or blob that a pull since registry_init()
 * stored in its layout or found there verified: what a cache must keep.
 * Also true for every digest once more than REGISTRY_USED_MAX were used
 * (nothing is then known to be unused).
 */
bool registry_used(const struct registry *r,
		   const uint8_t digest[SHA256_LEN]);

/*
 * Fetch the manifest repository:ref names and store it in l; when it is
 * an image index, fetch and store its linux/amd64 image manifest too.
 * *digest and *size receive the image manifest's (what a caller pins),
 * which is left parsed in r->manifest. Returns 0 or an error as above.
 */
int registry_pull_manifest(struct registry *r, const char *repository,
			   const struct oci_reference *ref,
			   const struct layout *l, uint8_t digest[SHA256_LEN],
			   int64_t *size, struct error *err);

/*
 * Fetch blob digest of exactly size bytes from repository into l, unless
 * l holds it already (hashed: a damaged copy is replaced). Returns 0, or
 * -OCIBOOT_EVERIFY (REGISTRY_DIGEST) and the others.
 */
int registry_pull_blob(struct registry *r, const char *repository,
		       const uint8_t digest[SHA256_LEN], int64_t size,
		       const struct layout *l, struct error *err);

/*
 * registry_pull_manifest(), then the config and every layer it lists:
 * an image, or an artifact such as the signed system (its empty config
 * and its three layers). Returns 0.
 */
int registry_pull_image(struct registry *r, const char *repository,
			const struct oci_reference *ref,
			const struct layout *l, uint8_t digest[SHA256_LEN],
			int64_t *size, struct error *err);

/*
 * The images a verified system manifest pins: its rootfs, then each
 * service, by digest, from their own repository when the manifest names
 * one, else from repository. Call it only after the signature over m was
 * checked, so only what the signed manifest pins is ever fetched.
 */
int registry_pull_system_images(struct registry *r, const char *repository,
				const struct oci_system_manifest *m,
				const struct layout *l, struct error *err);

#endif
